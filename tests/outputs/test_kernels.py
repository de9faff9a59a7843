"""Notebooks in fresh kernels, several at a time; a kernel that fails to start is tried again.

The failing kernels are real kernelspecs (found through JUPYTER_PATH) whose process dies
before it answers, the way a start fails on a loaded machine; nothing of d2lvi is mocked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from d2lvi.outputs.kernels import Job, Settings, execute_all

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
# A kernel launcher that dies with status 3 while a marker file is missing (it creates it):
# with `once` the first start fails and the next works; with `always` every start fails.
LAUNCHER = """
import os, sys
connection, marker, mode = sys.argv[1:4]
if mode == "always" or not os.path.exists(marker):
    open(marker, "a").close()
    sys.exit(3)
from ipykernel import kernelapp
kernelapp.launch_new_instance(["-f", connection, *sys.argv[4:]])
"""


def kernelspec(root: Path, name: str, mode: str) -> Path:
    """Write a kernelspec ``name`` under ``root/kernels``; its marker file's path."""
    spec = root / "kernels" / name
    spec.mkdir(parents=True)
    marker = root / f"{name}.started"
    argv = [sys.executable, "-c", LAUNCHER, "{connection_file}", str(marker), mode]
    (spec / "kernel.json").write_text(json.dumps(
        {"argv": argv, "display_name": name, "language": "python"}))
    return marker


def notebook(*sources: str, kernel: str = "python3") -> nbformat.NotebookNode:
    """A notebook of code cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def result(nb: nbformat.NotebookNode, index: int) -> str:
    """The plain-text result of a code cell."""
    [out] = [o for o in nb.cells[index].outputs if o.output_type == "execute_result"]
    return out.data["text/plain"]


def test_a_kernel_whose_first_start_fails_is_started_again_and_runs_every_cell(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    marker = kernelspec(tmp_path, "flaky", "once")
    job = Job("chapter_cnn/flaky.md", notebook("x = 20", "x + 22", kernel="flaky"), tmp_path)
    [outcome] = execute_all([job], Settings(start_timeout=60))
    assert marker.exists()  # the first start really ran, and died
    assert outcome.ok, outcome.error
    assert outcome.starts == 2
    assert result(outcome.nb, 1) == "42"


def test_a_kernel_that_never_starts_is_one_line_naming_the_section(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    kernelspec(tmp_path, "broken", "always")
    job = Job("chapter_cnn/broken.md", notebook("1 + 1", kernel="broken"), tmp_path)
    [outcome] = execute_all([job], Settings(start_timeout=60, start_attempts=2))
    assert outcome.start_failed and not outcome.ok
    assert outcome.starts == 2
    assert "\n" not in outcome.error
    assert outcome.error.startswith("chapter_cnn/broken.md: không khởi động được kernel "
                                    "'broken' sau 2 lần thử (kernel failed to start)")


def test_make_check_with_a_kernel_that_never_starts_says_so_in_one_line(tmp_path: Path) -> None:
    # `python3` itself is the broken kernel here: JUPYTER_PATH comes before the real one.
    kernelspec(tmp_path, "python3", "always")
    proc = subprocess.run(
        [sys.executable, "-m", "d2lvi", "gate", "--fresh", str(DATA / "gate-base.md")],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={**__import__("os").environ, "JUPYTER_PATH": str(tmp_path)})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [
        f"lỗi: {DATA / 'gate-base.md'}: không khởi động được kernel 'python3' sau 2 lần thử "
        "(kernel failed to start): Kernel died before replying to kernel_info"]


def test_notebooks_run_side_by_side_each_in_a_fresh_kernel(tmp_path: Path) -> None:
    jobs = [Job(f"s{i}", notebook(f"name = 's{i}'", "import os; os.getpid()",
                                  "sorted(k for k in globals() if k.startswith('left_'))",
                                  f"left_{i} = 1"), tmp_path) for i in range(3)]
    seen: list[str] = []
    outcomes = execute_all(jobs, Settings(workers=2), on_done=lambda o: seen.append(o.job.name))
    assert [o.job.name for o in outcomes] == ["s0", "s1", "s2"]  # in the order given
    assert sorted(seen) == ["s0", "s1", "s2"]
    assert all(o.ok and not o.forked for o in outcomes)  # no preload: plain new kernels
    assert len({result(o.nb, 1) for o in outcomes}) == 3  # three kernel processes
    assert {result(o.nb, 2) for o in outcomes} == {"[]"}  # nothing left by another section


def test_a_failing_cell_is_one_line_with_the_cell_and_the_error(tmp_path: Path) -> None:
    job = Job("s", notebook("x = 1", "undefined_name + x", "x"), tmp_path)
    [outcome] = execute_all([job])
    assert not outcome.ok and not outcome.start_failed
    assert outcome.cell == 1
    assert outcome.error == "NameError: name 'undefined_name' is not defined"
    assert "undefined_name" in outcome.traceback


def test_a_kernel_that_dies_mid_way_fails_its_notebook_only(tmp_path: Path) -> None:
    jobs = [Job("dies", notebook("import os", "os._exit(1)", "1 + 1"), tmp_path),
            Job("lives", notebook("1 + 1"), tmp_path)]
    dies, lives = execute_all(jobs, Settings(workers=2))
    assert not dies.ok and not dies.start_failed
    assert dies.error.startswith("kernel dừng giữa chừng (kernel died): ")
    assert lives.ok and result(lives.nb, 0) == "2"
