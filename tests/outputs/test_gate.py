"""The output gate on real executions: fixture chapters run in a fresh seeded kernel."""

import subprocess
import sys
from pathlib import Path

import pytest

from d2lvi.outputs import gate
from d2lvi.outputs.execute import execute, read_chapter
from d2lvi.outputs.store import cells_from_notebook

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]
EXPECTED = DATA / "gate-base.outputs.txt"


def run_gate(fixture: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Execute a fixture chapter and compare it with the base chapter's stored outputs."""
    chapter = gate.Chapter(DATA / fixture, EXPECTED, DATA / "no-cache")
    code = gate.check(chapter, fresh=True)
    return code, capsys.readouterr().out


def test_identical_outputs_pass(capsys):
    code, out = run_gate("gate-pass-identical.md", capsys)
    assert code == 0, out


def test_changed_number_fails_naming_the_cell_with_a_diff(capsys):
    code, out = run_gate("gate-fail-changed-number.md", capsys)
    assert code == 1
    assert "gate-fail-changed-number.md:18: OUT001 ô mã 2 `X = np.array([[0, 1], [2, 3]])`" in out
    assert "-array([[0, 2]," in out and "+array([[0, 3]," in out


def test_removed_output_fails(capsys):
    code, out = run_gate("gate-fail-removed-output.md", capsys)
    assert code == 1
    assert "ô mã 2" in out and "+(no output)" in out


def test_extra_cell_fails_as_added(capsys):
    code, out = run_gate("gate-fail-extra-cell.md", capsys)
    assert code == 1
    assert "ô mã 3 `X.shape`: ô mã mới chưa có kết quả lưu (cell added)" in out
    assert "+(2, 2)" in out


def test_raising_cell_fails_with_the_error(capsys):
    code, out = run_gate("gate-fail-raising-cell.md", capsys)
    assert code == 1
    assert "ô mã 2" in out
    assert "+NameError: name 'undefined_name' is not defined" in out


def test_edited_expected_output_fails(tmp_path, capsys):
    edited = tmp_path / "edited.outputs.txt"
    edited.write_text(EXPECTED.read_text().replace("tổng: 6", "tổng: 7"))
    code = gate.check(gate.Chapter(DATA / "gate-base.md", edited, tmp_path), fresh=True)
    out = capsys.readouterr().out
    assert code == 1 and "-tổng: 7" in out and "+tổng: 6" in out


def test_seeded_kernels_give_identical_random_numbers():
    runs = [cells_from_notebook(execute(read_chapter(DATA / "gate-random.md"), DATA))
            for _ in range(2)]
    assert runs[0] == runs[1]
    assert "[stdout]" in runs[0][0].body  # the cell really printed numbers


def test_update_outputs_writes_the_new_outputs_and_reports_the_change(tmp_path, capsys):
    source = tmp_path / "c.md"
    source.write_text((DATA / "gate-fail-changed-number.md").read_text())
    stored = tmp_path / "c.outputs.txt"
    stored.write_text(EXPECTED.read_text())
    assert gate.update(gate.Chapter.at(source, tmp_path)) == 0
    out = capsys.readouterr().out
    assert "+array([[0, 3]," in out
    assert "array([[0, 3]," in stored.read_text()
    assert gate.check(gate.Chapter.at(source, tmp_path), fresh=True) == 0


def test_missing_stored_outputs_is_one_line_not_a_traceback(tmp_path):
    source = tmp_path / "c.md"
    source.write_text((DATA / "gate-base.md").read_text())
    proc = subprocess.run([sys.executable, "-m", "d2lvi", "gate", "--fresh", str(source)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "c.outputs.txt" in proc.stderr


def test_the_real_chapter_passes_the_gate_on_a_fresh_run():
    proc = subprocess.run([sys.executable, "-m", "d2lvi", "gate", "--fresh"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "11 ô mã" in proc.stdout
