"""``python -m d2lvi pdf``: the book's PDF edition (``make pdf``).

1. Jupyter Book's LaTeX builder writes ``_build/latex/book.tex`` from the same sources,
   through the warm build server like ``make html``. It reads the doctrees and the execution
   cache the HTML build left (``execute_notebooks: cache``): no cell is executed again.
2. ``latexmk`` runs XeLaTeX (one job per edition, so both editions keep their own aux files),
   stopping at the first error, which is reported on one line with the book's file and line
   (``d2lvi.export.pdf``) and the log's path.
Before LaTeX, every font family the PDF names (``d2lvi_pdf_fonts``) must be known to
fontconfig, else one line names the Debian package that has it on this release
(``d2lvi.build.debian``). A failed latexmk run forgets its database, so the next ``make pdf``
runs XeLaTeX again even when ``book.tex`` did not change (a font installed since, say).

3. The PDF is copied to ``_build/pdf/<edition file>`` through a temporary file and an atomic
   rename: a failed build never leaves a half-written PDF there, nor removes an older one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from d2lvi.build.client import build as jupyter_book_build
from d2lvi.build.debian import debian_config, fonts_of, machine_release
from d2lvi.export.pdf import (
    DEFAULT_EDITION,
    EDITION_ENV,
    EDITIONS,
    ERROR_CODE,
    PdfError,
    error_line,
    job_name,
    parse_log,
    pdf_name,
)

FONT_CODE = "PDF002"
TEX = "book.tex"  # _config.yml: latex.latex_documents.targetname
# TeX's log lines unwrapped (a message on one line, whatever its length), errors on file:line.
TEX_ENV = {"max_print_line": "100000", "error_line": "254", "half_error_line": "238",
           "FORCE_SOURCE_DATE": "1"}
SOURCE_SUFFIXES = {".md", ".ipynb", ".yml", ".bib", ".svg", ".png"}
SKIPPED_DIRS = {"_build", "node_modules", ".git", "__pycache__", "tests"}


def source_date(book: Path) -> str:
    """``SOURCE_DATE_EPOCH`` of a book: its newest source file's time (reproducible PDFs)."""
    newest = 0.0
    for root, dirs, files in os.walk(book):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".venv")]
        for name in files:
            if Path(name).suffix in SOURCE_SUFFIXES:
                newest = max(newest, (Path(root) / name).stat().st_mtime)
    return str(int(newest))


def display(path: Path) -> str:
    """A path as the user typed it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def write_latex(book: Path, edition: str, flags: list[str]) -> int:
    """Jupyter Book's LaTeX builder, for one edition; its exit status."""
    os.environ[EDITION_ENV] = edition
    os.environ.setdefault("SOURCE_DATE_EPOCH", source_date(book))
    return jupyter_book_build([str(book), "--builder", "latex", *flags])


def font_found(family: str) -> bool:
    """Whether fontconfig has a font of this family (``fc-list``; False without fontconfig)."""
    try:
        done = subprocess.run(["fc-list", f":family={family}", "family"], capture_output=True,
                              text=True, check=False)
    except FileNotFoundError:
        return False
    return bool(done.stdout.strip())


def font_errors(config_text: str, packages: dict[str, str], found=font_found) -> list[str]:
    """One line per font of ``d2lvi_pdf_fonts`` (the text of _config.yml) that is not installed,
    naming its line and the Debian package to install."""
    config = yaml.safe_load(config_text) or {}
    fonts = ((config.get("sphinx") or {}).get("config") or {}).get("d2lvi_pdf_fonts") or {}
    lines = config_text.splitlines()
    errors = []
    for family in dict.fromkeys(fonts.values()):
        if found(family):
            continue
        number = next((i for i, ln in enumerate(lines, 1)
                       if ln.strip().endswith(f": {family}")), 1)
        package = packages.get(family)
        hint = (f"cài gói Debian {package} (apt-get install {package}, hoặc `make pdf-deps`)"
                if package else "cài một gói phông có họ này (fc-list không thấy)")
        errors.append(f"_config.yml:{number}: {FONT_CODE} không tìm thấy phông «{family}» "
                      f"(font not found by fontconfig): {hint}")
    return errors


def check_fonts(book: Path) -> list[str]:
    """The missing-font lines of a book on this machine (its release's font packages)."""
    packages = fonts_of(debian_config(book), machine_release())
    return font_errors((book / "_config.yml").read_text(encoding="utf-8"), packages)


def run_latexmk(latex_dir: Path, job: str) -> subprocess.CompletedProcess[str]:
    """XeLaTeX through latexmk, stopping at the first error; its output kept in a log file."""
    command = ["latexmk", "-pdfxe", "-interaction=nonstopmode", "-halt-on-error",
               "-file-line-error", f"-jobname={job}", TEX]
    try:
        done = subprocess.run(command, cwd=latex_dir, env={**os.environ, **TEX_ENV},
                              capture_output=True, text=True, errors="replace", check=False)
    except FileNotFoundError as err:
        raise PdfError("không tìm thấy latexmk/XeLaTeX: chạy `make pdf` (cài TeX bằng apt-get) "
                       "hoặc `make pdf-deps`") from err
    (latex_dir / f"{job}.latexmk.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode != 0:
        # latexmk decides what to rerun from its database of the last run's inputs: after a
        # failure that no input of book.tex caused (a font installed since), it would answer
        # "Nothing to do" and the old error would be reported again.
        (latex_dir / f"{job}.fdb_latexmk").unlink(missing_ok=True)
    return done


def _read(path: Path) -> str | None:
    """A source file's text, or None."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def failure(book: Path, latex_dir: Path, job: str, status: int) -> str:
    """The one line that says where LaTeX failed."""
    log = latex_dir / f"{job}.log"
    tex = latex_dir / TEX
    found = parse_log(log.read_text(encoding="utf-8", errors="replace")) if log.exists() else None
    if found is None:
        latexmk_log = latex_dir / f"{job}.latexmk.log"
        return (f"{display(tex)}: {ERROR_CODE} latexmk thất bại (mã {status}) "
                f"(nhật ký: {display(latexmk_log)})")
    line = error_line(found, TEX, tex.read_text(encoding="utf-8", errors="replace"), display(log),
                      read=lambda path: _read(book / path))
    # A preamble or package error has no source marker above it: name the generated file.
    if line.startswith(f"./{TEX}:") or line.startswith(f"{TEX}:"):
        line = display(tex) + line[line.index(":"):]
    return line


def publish(built: Path, final: Path) -> None:
    """Put the built PDF at its final path atomically (a reader never sees half a file)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(final.name + ".partial")
    try:
        shutil.copyfile(built, partial)
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)


def build_pdf(book: Path, edition: str, build_dir: Path, flags: list[str]) -> int:
    """The whole PDF build of one edition; its exit status."""
    name = pdf_name(edition)
    missing = check_fonts(book)
    if missing:
        print("\n".join(missing), file=sys.stderr)
        return 1
    status = write_latex(book, edition, flags)
    if status:
        print(f"lỗi: dựng LaTeX thất bại (mã {status}), xem các thông báo ở trên",
              file=sys.stderr)
        return status
    latex_dir = build_dir / "latex"
    job = job_name(edition)
    done = run_latexmk(latex_dir, job)
    if done.returncode != 0:
        print(failure(book, latex_dir, job, done.returncode), file=sys.stderr)
        return 1
    final = build_dir / "pdf" / name
    publish(latex_dir / f"{job}.pdf", final)
    size = final.stat().st_size
    print(f"PDF ({edition}): {display(final)} ({size // 1024} KiB)")
    return 0


def main(argv: list[str]) -> int:
    """Command line: ``python -m d2lvi pdf [--edition vi|song-ngu] [jupyter-book flags]``."""
    parser = argparse.ArgumentParser(prog="python -m d2lvi pdf", description=__doc__)
    parser.add_argument("--edition", default=DEFAULT_EDITION,
                        help=f"{' | '.join(EDITIONS)} (vi: bản tiếng Việt; song-ngu: kèm "
                             "bản gốc tiếng Anh)")
    parser.add_argument("--book", default=".", help="the book's folder")
    ns, flags = parser.parse_known_args(argv)
    book = Path(ns.book)
    try:
        pdf_name(ns.edition)  # an unknown edition: one line, before any build
        return build_pdf(book, ns.edition, book / "_build", flags)
    except (PdfError, OSError) as err:
        print(f"lỗi: {err}", file=sys.stderr)
        return 2
