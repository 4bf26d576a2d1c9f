"""HTML pieces of the report: escaping, tables, image grids and the page itself.

The page is one self-contained file: inline CSS, no script, every image a ``data:`` URI,
so it opens offline and can be mailed or archived as it is. Every value from the database
(words, titles, paths) goes through ``esc``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1d2330; margin: 0; background: #f5f6f8; }
header { background: #243447; color: #fff; padding: 18px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: #c9d3df; font-size: 13px; }
nav { background: #fff; border-bottom: 1px solid #dde1e7; padding: 8px 32px; font-size: 13px;
      display: flex; flex-wrap: wrap; row-gap: 4px; }
nav a { margin-right: 14px; color: #2f5d8a; text-decoration: none; white-space: nowrap; }
main { padding: 8px 32px 40px; max-width: 1280px; }
section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; margin: 16px 0;
          padding: 4px 20px 16px; }
h2 { font-size: 18px; margin: 14px 0 2px; }
h2 small { color: #6b7585; font-weight: normal; font-size: 13px; margin-left: 8px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
p.lead { color: #4a5361; margin: 4px 0 10px; }
p.absent { color: #7a5b00; background: #fff8e1; border-left: 4px solid #f0b400;
           padding: 8px 12px; margin: 10px 0; }
p.failed { color: #8a1c1c; background: #fdecea; border-left: 4px solid #d93025;
           padding: 8px 12px; margin: 10px 0; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 13px; }
th, td { border-bottom: 1px solid #e6e9ee; padding: 3px 10px 3px 0; text-align: left;
         vertical-align: top; }
th { color: #4a5361; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.cols { display: flex; flex-wrap: wrap; gap: 28px; }
.cols > div { flex: 0 1 auto; }
img.plot { max-width: 100%; height: auto; display: block; margin: 8px 0; }
.grid { display: flex; flex-wrap: wrap; gap: 8px; margin: 4px 0 12px; }
figure { margin: 0; width: 112px; font-size: 11px; color: #4a5361; }
figure.wide { width: 168px; }
figure img { width: 100%; height: auto; display: block; border-radius: 3px;
             border: 1px solid #dde1e7; }
figcaption { margin-top: 2px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.missing { width: 100%; aspect-ratio: 1; background: #eceef2; display: flex;
           align-items: center; justify-content: center; color: #8a93a3; border-radius: 3px; }
p.words { line-height: 1.9; }
span.w { background: #eef1f5; border-radius: 10px; padding: 1px 8px; margin: 0 4px 0 0;
         white-space: nowrap; }
span.w small { color: #6b7585; }
code { background: #eef1f5; padding: 0 4px; border-radius: 3px; }
footer { color: #6b7585; font-size: 12px; padding: 0 32px 24px; }
"""


@dataclass
class Section:
    """One block of the report: its anchor id, title, paper reference and HTML body."""

    id: str
    title: str
    body: str
    ref: str = ""
    status: str = "ok"  # ok / absent / failed


def esc(value: Any) -> str:
    """Escape any value for HTML text or attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def fmt(value: Any, digits: int = 3) -> str:
    """Format a cell: numbers rounded, NULL as an em dash, lists joined."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:.{digits}f}" if abs(value) < 1e6 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    headers: Mapping[str, str] | None = None,
    digits: int = 3,
) -> str:
    """An HTML table of dict rows; numeric cells are right-aligned."""
    if not rows:
        return ""
    names = list(columns or rows[0].keys())
    labels = headers or {}
    head = "".join(f"<th>{esc(labels.get(n, n))}</th>" for n in names)
    body = []
    for row in rows:
        cells = []
        for name in names:
            value = row.get(name)
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            cls = ' class="num"' if numeric else ""
            cells.append(f"<td{cls}>{esc(fmt(value, digits))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def key_values(pairs: Iterable[tuple[str, Any]]) -> str:
    """A two-column table of labels and values."""
    rows = "".join(
        f'<tr><th>{esc(k)}</th><td class="num">{esc(fmt(v))}</td></tr>' for k, v in pairs
    )
    return f"<table><tbody>{rows}</tbody></table>"


def word_list(words: Iterable[tuple[str, Any]]) -> str:
    """Words with a count each, as a compact wrapping list."""
    items = " ".join(
        f'<span class="w">{esc(word)} <small>{esc(fmt(n))}</small></span>' for word, n in words
    )
    return f'<p class="words">{items}</p>'


def plot(uri: str, alt: str) -> str:
    """An embedded plot image."""
    return f'<img class="plot" src="{uri}" alt="{esc(alt)}">'


def figure(uri: str | None, caption: str, title: str = "", wide: bool = False) -> str:
    """One thumbnail with a caption; a grey box when the image could not be read."""
    cls = ' class="wide"' if wide else ""
    inner = (
        f'<img src="{uri}" alt="{esc(caption)}">'
        if uri
        else '<div class="missing">no image</div>'
    )
    return (
        f'<figure{cls} title="{esc(title or caption)}">{inner}'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def grid(figures: Iterable[str]) -> str:
    """Thumbnails in a wrapping row."""
    return '<div class="grid">' + "".join(figures) + "</div>"


def columns(blocks: Iterable[str]) -> str:
    """Blocks side by side, wrapping on narrow screens."""
    return '<div class="cols">' + "".join(f"<div>{b}</div>" for b in blocks) + "</div>"


def absent(message: str) -> str:
    """The note a section shows when its data does not exist yet."""
    return f'<p class="absent">{esc(message)}</p>'


def failed(message: str) -> str:
    """The note a section shows when building it failed."""
    return f'<p class="failed">This section could not be built: {esc(message)}</p>'


def page(title: str, subtitle: str, sections: Sequence[Section], footer: str) -> str:
    """The whole HTML document."""
    nav = "".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in sections)
    blocks = []
    for s in sections:
        ref = f"<small>{esc(s.ref)}</small>" if s.ref else ""
        blocks.append(
            f'<section id="{esc(s.id)}" data-status="{esc(s.status)}">'
            f"<h2>{esc(s.title)}{ref}</h2>{s.body}</section>"
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header>"
        f"<nav>{nav}</nav><main>{''.join(blocks)}</main>"
        f"<footer>{esc(footer)}</footer></body></html>\n"
    )
