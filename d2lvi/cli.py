"""Command-line adapter: ``python -m d2lvi <command>``. Each command is a thin wrapper."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

from d2lvi.config import chapters


def cmd_gate(ns: argparse.Namespace) -> int:
    """Compare outputs with the stored ones (sections without code have none); a fresh run
    writes the HTML report to <build-dir>/check/."""
    from d2lvi.outputs import verdicts
    from d2lvi.outputs.gate import Chapter, book_settings, check_many

    build, settings = Path(ns.build_dir), book_settings()
    gated = [c for c in (Chapter.at(p, build) for p in chapters(ns.files)) if c.has_outputs]
    if ns.fresh:
        return check_many(gated, True, settings, build / "check")
    # Against the build's cache: a pass remembered by the build is not compared again.
    return max((verdicts.check(c, settings) for c in gated), default=0)


def cmd_update_outputs(ns: argparse.Namespace) -> int:
    """Accept new outputs on purpose, showing what changes first."""
    from d2lvi.outputs.gate import Chapter, book_settings, update

    settings, report = book_settings(), Path(ns.build_dir) / "check"
    gated = [c for c in (Chapter.at(p) for p in chapters(ns.files)) if c.has_outputs]
    return max((update(c, ns.dry_run, settings, report) for c in gated), default=0)


def executing(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A command that runs kernels: a kernel that fails to start is one line, exit status 2."""
    def run(ns: argparse.Namespace) -> int:
        try:
            return command(ns)
        except RuntimeError as err:
            # Imported only here: a gate answered from remembered passes loads no kernel code.
            from d2lvi.outputs.kernels import ExecutionError

            if not isinstance(err, ExecutionError):
                raise
            print(f"lỗi: {err}", file=sys.stderr)
            return 2
    return run


# Commands whose module parses its own arguments: name -> (module, function, help).
# Imported lazily so `check` runs without the kernel stack (no MXNet, no Sphinx).
DELEGATED = {
    "check": ("d2lvi.translation.cli", "check_main", "kiểm tra bản dịch (translation checker)"),
    "stale": ("d2lvi.translation.cli", "stale_main", "so với bản tiếng Anh mới: đoạn nào lỗi thời"),
    "status": ("d2lvi.translation.cli", "status_main", "tiến độ dịch theo từng phần"),
    "import": ("d2lvi.project.cli", "import_main", "nhập một mục d2l-vn (import a section)"),
    "notebooks": ("d2lvi.export.notebook", "main", "generate the Colab notebooks"),
    "figure": ("d2lvi.figures.trans_conv", "main", "generate img/trans_conv.svg"),
    "build": ("d2lvi.build.client", "build", "jupyter-book build, through the warm build server"),
    "server": ("d2lvi.build.client", "server_main", "the build server: stop | status"),
    "pdf": ("d2lvi.build.pdf", "main", "the PDF edition: _build/pdf/book.pdf (make pdf)"),
}


def build_parser() -> argparse.ArgumentParser:
    """All subcommands."""
    parser = argparse.ArgumentParser(prog="python -m d2lvi", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    gate = sub.add_parser("gate", help="compare cell outputs with the stored ones")
    gate.add_argument("files", nargs="*")
    gate.add_argument("--fresh", action="store_true", help="execute now in a fresh kernel")
    gate.add_argument("--build-dir", default="_build")
    gate.set_defaults(func=executing(cmd_gate))
    upd = sub.add_parser("update-outputs", help="execute and store the new outputs")
    upd.add_argument("files", nargs="*")
    upd.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    upd.add_argument("--build-dir", default="_build")
    upd.set_defaults(func=executing(cmd_update_outputs))
    for name, (_, _, help_text) in DELEGATED.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; I/O problems become one line and exit status 2."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        return _run(argv)
    except KeyboardInterrupt as stop:  # Ctrl-C: one line, never a traceback
        print(str(stop) or "đã ngắt (interrupted, Ctrl-C)", file=sys.stderr)
        return 130


def _run(argv: list[str]) -> int:
    """One command's exit status."""
    if argv and argv[0] in DELEGATED:
        module, function, _ = DELEGATED[argv[0]]
        return getattr(importlib.import_module(module), function)(argv[1:])
    ns = build_parser().parse_args(argv)
    from d2lvi.outputs.gate import GateError  # a light import: no kernel stack

    try:
        return ns.func(ns)
    except GateError as err:  # already located: path:line: CODE message
        print(err, file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError, ValueError) as err:
        print(f"lỗi: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
