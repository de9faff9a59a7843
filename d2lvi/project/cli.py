"""``python -m d2lvi import SRC [--into chapter_…]``: bring one d2l-vn section into the book."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from d2lvi.project.importer import RefusedError, plan


def import_main(argv: list[str]) -> int:
    """Import a template (or a plain d2l-en section); 0 done or unchanged, 2 refused."""
    parser = argparse.ArgumentParser(
        prog="python -m d2lvi import",
        description="Nhập một mục d2l-vn (mẫu dịch *_vn.md hoặc mục d2l tiếng Anh) vào sách.")
    parser.add_argument("source", type=Path, help="mẫu dịch, ví dụ chapter_…/pooling_vn.md")
    parser.add_argument("--into", help="thư mục chương trong sách (mặc định: thư mục của mẫu)")
    parser.add_argument("--no-execute", action="store_true",
                        help="không chạy mã khi nhập (không lưu đầu ra)")
    parser.add_argument("--root", type=Path, default=Path("."), help="thư mục gốc của sách")
    ns = parser.parse_args(argv)
    try:
        result = plan(ns.root, ns.source, ns.into, execute=not ns.no_execute)
    except RefusedError as err:
        print(f"lỗi: không nhập được (import refused):\n{err}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError, ValueError) as err:
        print(f"lỗi: {ns.source}: {err}", file=sys.stderr)
        return 2
    for line in result.report:
        print(line)
    if result.unchanged:
        return 0
    result.apply(ns.root)
    written = ", ".join(sorted(str(p) for p in result.writes))
    print(f"đã nhập {result.chapter} (written: {written})")
    print("Tiếp theo: `make html` để xem trang, `make lint` / `make status` để dịch.")
    return 0
