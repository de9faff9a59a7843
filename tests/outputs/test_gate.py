"""The output gate on real executions: fixture chapters run in a fresh seeded kernel."""

import shutil
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


def run_gate(fixture: str, capsys: pytest.CaptureFixture[str],
             expected: Path = EXPECTED) -> tuple[int, str]:
    """Execute a fixture chapter and compare it with a base chapter's stored outputs."""
    chapter = gate.Chapter(DATA / fixture, expected, DATA / "no-cache")
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


TOLERANCE = DATA / "gate-tolerance-base.outputs.txt"


def test_floats_moving_inside_the_declared_tolerance_are_accepted(capsys):
    code, out = run_gate("gate-tolerance-pass-inside.md", capsys, TOLERANCE)
    assert code == 0, out


def test_floats_moving_outside_the_declared_tolerance_are_caught(capsys):
    code, out = run_gate("gate-tolerance-fail-outside.md", capsys, TOLERANCE)
    assert code == 1
    assert "+array([0.206, 0.506, 3.006])" in out  # abs 1e-3 in cell 2
    assert "+12962.2 mẫu/giây" in out  # rel 1 % in cell 3
    assert "+0.300000000001" in out  # cell 4 declares nothing: exact


def test_a_changed_first_code_line_is_changed_code_even_with_the_same_outputs(capsys):
    code, out = run_gate("gate-tolerance-fail-first-line.md", capsys, TOLERANCE)
    assert code == 1
    assert ("ô mã 2 `x = s + np.array([0.1, 0.25, 1.5])`: mã của ô đã đổi (the cell's code "
            "changed)") in out
    assert "đầu ra khác" not in out  # the only divergence is that cell's


def test_the_text_around_numbers_stays_exact_under_a_tolerance(capsys):
    code, out = run_gate("gate-tolerance-fail-text.md", capsys, TOLERANCE)
    assert code == 1
    assert "-mất mát (loss): 1.85" in out and "+loss: 1.85" in out
    assert "+array" not in out  # its numbers did not move


def gate_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``python -m d2lvi`` as a user runs it."""
    return subprocess.run([sys.executable, "-m", "d2lvi", *args], capture_output=True,
                          text=True, cwd=cwd)


def chapter_copy(tmp_path: Path, fixture: str, option: str | None = None) -> Path:
    """A fixture chapter with the tolerance base's stored outputs beside it."""
    source = tmp_path / "c.md"
    text = (DATA / fixture).read_text(encoding="utf-8")
    if option is not None:
        text = text.replace(":tolerance: 1e-3", option)
    source.write_text(text, encoding="utf-8")
    (tmp_path / "c.outputs.txt").write_text(TOLERANCE.read_text(encoding="utf-8"))
    return source


@pytest.mark.parametrize("option, reason", [
    (":tolerance: nhỏ", "not a number"),
    (":tolerance: -1e-3", "must be a finite number >= 0"),
    (":tolerance: {abs: 1e-3, absolute: 1}", "unknown key"),
])
def test_a_malformed_tolerance_is_one_located_line(tmp_path, option, reason):
    source = chapter_copy(tmp_path, "gate-tolerance-base.md", option)
    proc = gate_cli("gate", "--fresh", str(source), "--build-dir", str(tmp_path / "_build"))
    line = source.read_text().split("\n").index(option) + 1
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == proc.stderr.strip().split("\n")[0]  # one line
    assert proc.stderr.startswith(f"{source}:{line}: OUT002 :tolerance: không hợp lệ")
    assert reason in proc.stderr


def test_update_outputs_refuses_a_malformed_tolerance_and_writes_nothing(tmp_path):
    source = chapter_copy(tmp_path, "gate-tolerance-fail-outside.md", ":tolerance: {rel: -1}")
    before = (tmp_path / "c.outputs.txt").read_text()
    proc = gate_cli("update-outputs", str(source), "--build-dir", str(tmp_path / "_build"))
    assert proc.returncode == 2 and "OUT002" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "c.outputs.txt").read_text() == before


def plot_copy(tmp_path: Path) -> Path:
    """The plot fixture with its stored outputs and figure files, in a scratch folder."""
    shutil.copy(DATA / "gate-plot-base.md", tmp_path / "p.md")
    text = (DATA / "gate-plot-base.outputs.txt").read_text(encoding="utf-8")
    (tmp_path / "p.outputs.txt").write_text(text.replace("gate-plot-base.outputs/", "p.outputs/"))
    shutil.copytree(DATA / "gate-plot-base.outputs", tmp_path / "p.outputs")
    return tmp_path / "p.md"


def figure_line(source: Path, name: str) -> int:
    """The line of a figure's reference in the stored text form."""
    lines = source.with_name("p.outputs.txt").read_text().split("\n")
    return next(k for k, line in enumerate(lines, 1) if line.endswith(name))


@pytest.mark.parametrize("damage, reason", [
    (lambda p: p.unlink(), "không có tệp này (stored figure missing)"),
    (lambda p: p.write_bytes(p.read_bytes()[:500]), "không đọc được SVG"),
    (lambda p: p.write_bytes(b""), "tệp rỗng"),
])
def test_a_missing_or_corrupt_stored_figure_is_one_located_line(tmp_path, damage, reason):
    source = plot_copy(tmp_path)
    damage(tmp_path / "p.outputs" / "cell-04-1.svg")
    proc = gate_cli("gate", "--fresh", str(source), "--build-dir", str(tmp_path / "_build"))
    line = figure_line(source, "cell-04-1.svg")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
    assert proc.stderr.startswith(f"{tmp_path / 'p.outputs.txt'}:{line}: OUT003 tệp hình "
                                  "p.outputs/cell-04-1.svg: ")
    assert reason in proc.stderr


def test_a_malformed_book_wide_tolerance_is_located_in_config(tmp_path):
    source = chapter_copy(tmp_path, "gate-tolerance-base.md")
    (tmp_path / "_config.yml").write_text("title: x\nsphinx:\n  config:\n    language: vi\n"
                                          "    d2lvi_output_tolerance: {rel: many}\n")
    proc = gate_cli("gate", "--fresh", source.name, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("_config.yml:5: OUT002 d2lvi_output_tolerance không hợp lệ")


def test_the_gate_writes_the_html_report_of_what_diverged(tmp_path):
    source = chapter_copy(tmp_path, "gate-tolerance-fail-outside.md")
    build = tmp_path / "_build"
    proc = gate_cli("gate", "--fresh", str(source), "--build-dir", str(build))
    assert proc.returncode == 1
    report = build / "check" / "index.html"
    assert f"Báo cáo HTML (HTML report): {report}" in proc.stderr
    html = report.read_text(encoding="utf-8")
    assert "3/4 ô mã khác" in html and "<del>" in html and "<ins>" in html


def test_update_outputs_shows_figures_before_writing_them(tmp_path):
    source = plot_copy(tmp_path)
    variant = (DATA / "gate-plot-fail-changed-figures.md").read_text(encoding="utf-8")
    source.write_text(variant, encoding="utf-8")
    stale = tmp_path / "p.outputs" / "cell-99-1.svg"
    stale.write_bytes((tmp_path / "p.outputs" / "cell-02-1.svg").read_bytes())
    dry = gate_cli("update-outputs", "--dry-run", str(source), "--build-dir", str(tmp_path / "b"))
    assert dry.returncode == 0, dry.stderr
    assert "hình p.outputs/cell-03-1.svg: 1 phần tử khác" in dry.stdout
    assert f"ghi hình (write figure): {tmp_path / 'p.outputs' / 'cell-03-1.svg'}" in dry.stdout
    assert "xoá hình không còn dùng (remove unused figure)" in dry.stdout
    assert stale.exists() and "(dry run)" in dry.stdout  # nothing written
    assert gate.check(gate.Chapter.at(source, tmp_path), fresh=True) == 1
    accepted = gate_cli("update-outputs", str(source), "--build-dir", str(tmp_path / "b"))
    assert accepted.returncode == 0, accepted.stderr
    assert not stale.exists()
    assert gate.check(gate.Chapter.at(source, tmp_path), fresh=True) == 0
