"""Turn the bilingual comment convention into MyST directives, keeping every line in place.

Each body pair ``<!--`` / English / ``-->`` / blank / Vietnamese / blank becomes::

    ::::::{d2lvi-pair}
    English
    -->

    Vietnamese
    ::::::

and each heading pair's comment becomes a ``d2lvi-title`` directive. A pair still waiting
for its translation becomes a ``d2lvi-untranslated`` directive instead (the English is shown
in place, marked "chưa dịch"), and an untranslated heading takes its English title. The
rewrite replaces lines one for one, so Sphinx's warnings still point at the contributor's lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from d2lvi.source.convert import d2l_to_myst
from d2lvi.source.pairs import Pair, parse

PAIR_FENCE = "::::::"
SEPARATOR = "-->"


@dataclass(frozen=True)
class Problem:
    """A pair that could not be prepared for rendering."""

    line: int
    message: str


def rewrite(text: str) -> tuple[str, list[Problem]]:
    """Return the source with every pair turned into directives, and the pairs left alone."""
    chapter = parse(text)
    lines = list(chapter.lines)
    problems: list[Problem] = []
    for pair in chapter.pairs:
        if pair.is_heading:
            _heading(pair, lines)
            continue
        name = "d2lvi-untranslated" if pair.untranslated else "d2lvi-pair"
        if not pair.vi_blocks and pair.untranslated:
            # No translation at all (not even a placeholder): the English alone, in place.
            lines[pair.en_start - 1] = PAIR_FENCE + "{" + name + "}"
            lines[pair.en_end - 1] = PAIR_FENCE
            continue
        closing = _closing_line(pair, lines)
        if closing is None:
            problems.append(Problem(pair.vi_end or pair.en_end, _NO_BLANK))
            continue
        lines[pair.en_start - 1] = PAIR_FENCE + "{" + name + "}"
        lines[closing] = PAIR_FENCE
    return "\n".join(lines), problems


def _heading(pair: Pair, lines: list[str]) -> None:
    """A heading pair: its English title on demand, or in place while it is untranslated."""
    if not pair.untranslated:
        lines[pair.en_start - 1] = ":::{d2lvi-title}"
        lines[pair.en_end - 1] = ":::"
        return
    heading = next((b for b in pair.vi_blocks if b.kind == "heading"), None)
    if heading is None or heading.start != heading.end:
        return  # no one-line heading to retitle: the checker reports it (TR001/TR002)
    title = d2l_to_myst(pair.en.strip().lstrip("#").strip(), {})
    lines[heading.start - 1] = "#" * heading.level + " " + title
    lines[pair.en_start - 1] = ":::{d2lvi-untranslated-title}"
    lines[pair.en_end - 1] = ":::"


_NO_BLANK = "bản dịch phải kết thúc bằng một dòng trống (translation must end with a blank line)"


def _closing_line(pair: Pair, lines: list[str]) -> int | None:
    """The 0-based index of the blank line after the translation, if there is one."""
    index = pair.vi_end  # 1-based last line == 0-based index of the next line
    if index is None:
        return None
    if index < len(lines) and not lines[index].strip():
        return index
    if index == len(lines):
        lines.append("")
        return index
    return None
