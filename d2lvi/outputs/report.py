"""The divergence report as one self-contained HTML page (data in, HTML text out).

Per diverging cell: where it is, its code, the stored and the new output side by side with
the changed lines and characters highlighted, and each changed figure three times: stored,
new, and their difference. The difference is drawn by the browser (the new figure blended
over the stored one with ``mix-blend-mode: difference``: black where they agree), so SVG and
PNG figures get one without a rasteriser. Images are inlined as data URIs and the style is
inline: the page loads nothing, from nowhere.
"""

from __future__ import annotations

import base64
import difflib
import html
from dataclasses import dataclass

from d2lvi.outputs.compare import Divergence, FigureChange
from d2lvi.outputs.images import Figure
from d2lvi.outputs.tolerance import align

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1400px;padding:1rem 2rem;
color:#1b1b1b;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.25rem;border-bottom:2px solid #ddd;margin-top:2rem}
h3{font-size:1.05rem;margin:1.5rem 0 .5rem;font-family:ui-monospace,monospace}
.ok{color:#1a6b2a}.bad{color:#a4161a}
pre,table.diff td{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre.source{background:#f6f8fa;border:1px solid #ddd;padding:.6rem;overflow-x:auto}
table.diff{border-collapse:collapse;width:100%;table-layout:fixed}
table.diff th{text-align:left;background:#f0f0f0;padding:.3rem .5rem}
table.diff td{vertical-align:top;white-space:pre-wrap;word-break:break-all;padding:0 .5rem;
border-left:1px solid #eee}
td.del{background:#ffebe9}td.ins{background:#e6ffec}td.gap{background:#fafafa}
del{background:#ff8182;text-decoration:none}ins{background:#4ac26b;text-decoration:none}
.figs{display:grid;grid-template-columns:repeat(3,1fr);gap:1rem;align-items:start}
.figs figure{margin:0}.figs img{max-width:100%;border:1px solid #ddd;background:#fff}
figcaption{font-size:.85rem;color:#555}
.blend{position:relative;isolation:isolate;filter:brightness(3);background:#000;
display:inline-block}
.blend img{display:block;border:0;background:#fff}
.blend img+img{position:absolute;top:0;left:0;mix-blend-mode:difference}
details pre{max-height:24rem;overflow:auto;background:#f6f8fa;padding:.5rem}
.m{color:#a4161a}.p{color:#1a6b2a}
"""


@dataclass(frozen=True)
class Entry:
    """One diverging cell as the terminal reports it, with its divergence."""

    location: str  # path:line
    message: str  # the terminal's one-line message
    divergence: Divergence


@dataclass(frozen=True)
class ChapterResult:
    """The gate's result for one chapter."""

    source: str
    stored: str
    cells: int
    entries: tuple[Entry, ...] = ()


def _e(text: str) -> str:
    """HTML-escaped text."""
    return html.escape(text, quote=True)


def _marked(old: str, new: str) -> tuple[str, str]:
    """Two changed lines with the characters that differ wrapped in del / ins."""
    a, b = [], []
    for op, i0, i1, j0, j1 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            a.append(_e(old[i0:i1]))
            b.append(_e(new[j0:j1]))
            continue
        if i1 > i0:
            a.append(f"<del>{_e(old[i0:i1])}</del>")
        if j1 > j0:
            b.append(f"<ins>{_e(new[j0:j1])}</ins>")
    return "".join(a), "".join(b)


def text_table(d: Divergence) -> str:
    """The stored and new text side by side, changed lines and characters highlighted."""
    old = d.old.text.split("\n") if d.old else []
    new = d.new.text.split("\n") if d.new else []
    rows = ['<table class="diff"><tr><th>Đã lưu (stored)</th><th>Mới (new)</th></tr>']
    for row in align(old, new, d.tolerance):
        if row.same:
            left, right, cls = _e(row.old or ""), _e(row.new or ""), ("", "")
        elif row.old is not None and row.new is not None:
            (left, right), cls = _marked(row.old, row.new), ("del", "ins")
        else:
            left, right = _e(row.old or ""), _e(row.new or "")
            cls = ("del" if row.old is not None else "gap", "ins" if row.new is not None else "gap")
        rows.append(f'<tr><td class="{cls[0]}">{left}</td><td class="{cls[1]}">{right}</td></tr>')
    rows.append("</table>")
    return "\n".join(rows)


def _img(figure: Figure, alt: str) -> str:
    """A figure inlined as a data URI (a note when its file could not be read)."""
    if not figure.data:
        return f"<p>(không đọc được tệp {_e(figure.name)}: thiếu hoặc hỏng)</p>"
    data = base64.b64encode(figure.data).decode("ascii")
    return f'<img src="data:{figure.mime};base64,{data}" alt="{_e(alt)}">'


def figure_block(change: FigureChange) -> str:
    """A changed figure: stored, new, and their difference, then its detailed diff."""
    panels = []
    if change.old:
        panels.append(f"<figure>{_img(change.old, 'đã lưu')}"
                      f"<figcaption>Đã lưu (stored): {_e(change.old.name)}</figcaption></figure>")
    if change.new:
        panels.append(f"<figure>{_img(change.new, 'mới')}"
                      "<figcaption>Mới (new)</figcaption></figure>")
    if change.old and change.new:
        panels.append('<figure><div class="blend">'
                      f"{_img(change.old, 'đã lưu')}{_img(change.new, 'mới')}</div>"
                      "<figcaption>Hiệu (difference): đen là giống nhau, sáng là khác"
                      "</figcaption></figure>")
    out = [f"<p><b>Hình {_e(change.name)}</b>: {_e(change.summary)}</p>",
           f'<div class="figs">{"".join(panels)}</div>']
    if change.detail:
        lines = "\n".join(
            f'<span class="{"m" if ln.startswith("-") else "p" if ln.startswith("+") else ""}">'
            f"{_e(ln)}</span>" for ln in change.detail)
        out.append(f"<details><summary>Các phần tử khác ({len(change.detail)} dòng diff)"
                   f"</summary><pre>{lines}</pre></details>")
    return "\n".join(out)


def entry_block(entry: Entry) -> str:
    """One diverging cell."""
    d = entry.divergence
    cell = d.new or d.old
    source = cell.source if cell and cell.source else d.first_line
    parts = [f'<section class="cell"><h3 class="bad">{_e(entry.location)}</h3>',
             f"<p>{_e(entry.message)}</p>",
             f'<pre class="source">{_e(source)}</pre>',
             f"<p>Dung sai (tolerance): {_e(str(d.tolerance))}</p>",
             text_table(d)]
    parts += [figure_block(change) for change in d.figures]
    parts.append("</section>")
    return "\n".join(parts)


def render(results: list[ChapterResult], title: str = "Cổng so sánh đầu ra") -> str:
    """The whole report page."""
    diverging = sum(len(r.entries) for r in results)
    summary = ("Mọi đầu ra khớp kết quả đã lưu (all outputs match)." if not diverging else
               f"{diverging} ô mã có đầu ra khác kết quả đã lưu (cells diverge).")
    body = [f"<h1>{_e(title)}</h1>",
            f'<p class="{"bad" if diverging else "ok"}">{_e(summary)}</p>']
    for r in results:
        state = (f"{len(r.entries)}/{r.cells} ô mã khác" if r.entries else
                 f"{r.cells} ô mã, mọi đầu ra khớp")
        body.append(f"<h2>{_e(r.source)} <small>({_e(state)}; so với {_e(r.stored)})</small></h2>")
        body += [entry_block(e) for e in r.entries]
    return ("<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width\"><title>{_e(title)}</title>"
            f"<style>{STYLE}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n")
