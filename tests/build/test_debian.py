"""The Debian packages by release (d2lvi.build.debian) and the PDF's font check
(d2lvi.build.pdf.font_errors)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from d2lvi.build.debian import (
    debian_config,
    fonts_of,
    machine_release,
    packages,
    release,
)
from d2lvi.build.pdf import font_errors

ROOT = Path(__file__).resolve().parents[2]
CONFIG = {
    "pdf": ["latexmk", "poppler-utils"],
    "fonts": {"12": {"Serif A": "fonts-a", "Mono A": "fonts-a-mono"},
              "13": {"Serif A": "fonts-a", "Mono A": "fonts-a"}},
}


def test_the_release_is_the_major_number_of_debian_version():
    assert release("12.11\n") == "12"
    assert release("13.0") == "13"
    assert release("trixie/sid\n") == "trixie"


def test_each_release_gets_the_font_packages_it_provides():
    assert packages(CONFIG, "pdf", "12") == ["latexmk", "poppler-utils", "fonts-a",
                                             "fonts-a-mono"]
    assert packages(CONFIG, "pdf", "13") == ["latexmk", "poppler-utils", "fonts-a"]


def test_an_unknown_release_takes_the_newest_table():
    assert fonts_of(CONFIG, "14") == CONFIG["fonts"]["13"]
    assert fonts_of(CONFIG, "trixie") == CONFIG["fonts"]["13"]


def test_a_group_without_fonts_is_its_list():
    assert packages({"test": ["chromium"], **CONFIG}, "test", "12") == ["chromium"]


def test_every_configured_pdf_font_has_a_package_on_every_listed_release():
    families = set(yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
                   ["sphinx"]["config"]["d2lvi_pdf_fonts"].values())
    table = debian_config(ROOT)["fonts"]
    assert {"12", "13"} <= set(table)
    for name, fonts in table.items():
        assert families <= set(fonts), f"Debian {name}: no package for {families - set(fonts)}"


CONFIG_YML = """\
sphinx:
  config:
    d2lvi_pdf_fonts:
      serif: Serif A
      sans: Serif A
      mono: Mono A
"""


def test_a_missing_font_is_one_line_naming_its_config_line_and_package():
    errors = font_errors(CONFIG_YML, CONFIG["fonts"]["12"], found=lambda f: f != "Mono A")
    assert errors == ["_config.yml:6: PDF002 không tìm thấy phông «Mono A» (font not found by "
                      "fontconfig): cài gói Debian fonts-a-mono (apt-get install fonts-a-mono, "
                      "hoặc `make pdf-deps`)"]


def test_installed_fonts_give_no_error():
    assert font_errors(CONFIG_YML, CONFIG["fonts"]["12"], found=lambda f: True) == []


def test_this_release_s_table_names_the_package_that_really_has_each_font():
    """On this machine (make test installed the PDF packages): the file fontconfig finds for
    each configured family belongs to the package the release's table names."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    table = fonts_of(debian_config(ROOT), machine_release())
    for family in config["sphinx"]["config"]["d2lvi_pdf_fonts"].values():
        found = subprocess.run(["fc-match", "--format=%{family}\n%{file}", family],
                               capture_output=True, text=True, check=True).stdout.split("\n")
        assert family in found[0].split(","), f"fontconfig has no {family}"
        owner = subprocess.run(["dpkg", "-S", found[1]], capture_output=True, text=True,
                               check=True).stdout.split(":")[0]
        assert owner == table[family], f"{family}: {found[1]} is in {owner}"
