"""The Debian packages the project installs, by what the machine's release provides.

Debian splits the same fonts differently between releases: Noto Sans Mono is in
``fonts-noto-mono`` on Debian 12 and in ``fonts-noto-core`` on Debian 13. ``[tool.d2lvi.debian]``
of pyproject.toml lists the packages of each job and, per release, the package of each font
the PDF names; this module answers for the running machine (``/etc/debian_version``).

``python -m d2lvi.build.debian GROUP`` prints the packages of a group (``test``, ``pdf``) for the
Makefile. It needs only the standard library: the Makefile calls it before any venv exists.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

DEBIAN_VERSION = Path("/etc/debian_version")


def release(version_text: str) -> str:
    """The major release of ``/etc/debian_version``'s text (``12.11`` -> ``12``; a testing
    image's ``trixie/sid`` -> ``trixie``)."""
    text = version_text.strip()
    m = re.match(r"(\d+)", text)
    return m.group(1) if m else text.split("/")[0]


def machine_release(path: Path = DEBIAN_VERSION) -> str:
    """This machine's Debian release ("" when it is not Debian)."""
    try:
        return release(path.read_text(encoding="utf-8"))
    except OSError:
        return ""


def debian_config(root: Path = Path(".")) -> dict:
    """``[tool.d2lvi.debian]`` of ``root``'s pyproject.toml."""
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    return data.get("tool", {}).get("d2lvi", {}).get("debian", {})


def fonts_of(config: dict, release_name: str) -> dict[str, str]:
    """Font family -> Debian package on a release; a release the table does not know (a newer
    one, or a codename) takes the newest numbered release's table."""
    table = config.get("fonts", {})
    if release_name in table:
        return dict(table[release_name])
    numbered = sorted((k for k in table if k.isdigit()), key=int)
    return dict(table[numbered[-1]]) if numbered else {}


def packages(config: dict, group: str, release_name: str) -> list[str]:
    """The Debian packages of a group on a release (the PDF group gets its fonts' packages)."""
    names = list(config.get(group, []))
    if group == "pdf":
        names += fonts_of(config, release_name).values()
    return list(dict.fromkeys(names))


def main(argv: list[str]) -> int:
    """Command line: print a group's packages for this machine, space-separated."""
    if len(argv) != 1:
        print("dùng: python -m d2lvi.build.debian test|pdf", file=sys.stderr)
        return 2
    print(" ".join(packages(debian_config(), argv[0], machine_release())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
