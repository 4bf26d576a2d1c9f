"""``attrdb report``: one self-contained HTML page of everything the database holds.

The page reads only the database (and the image files ``products.image_path`` names, for
thumbnails), embeds every plot and image as a ``data:`` URI and needs no network. Sections
whose stage has not run say so; a section that fails to build shows its error instead of
breaking the page, and ``build_report`` lists such failures for the caller.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from attrdb import __version__
from attrdb.context.scopes import DEFAULT_SCOPE
from attrdb.errors import AttrdbError, InputError, first_line
from attrdb.migrate import database_schema_version
from attrdb.report import html as h
from attrdb.report.sections import SECTIONS, Context, SaliencyExamples, rows


@dataclass
class ReportResult:
    """What was written: the file, the model and scope shown, and each section's status."""

    path: Path
    model_id: str | None
    scope: str
    statuses: dict[str, str] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)


def choose_model(con: duckdb.DuckDBPyConnection, model_id: str | None, scope: str) -> str | None:
    """The model to show: the one asked for, else the one with the most results in scope."""
    models = rows(Context(con, None, scope), "models")
    known = [m["model_id"] for m in models]
    if model_id is not None:
        if model_id not in known:
            raise InputError(
                f"model {model_id!r} is not registered; known: {', '.join(known) or 'none'}")
        return model_id
    return known[0] if known else None


def render(ctx: Context, *, source: str) -> tuple[str, list[h.Section]]:
    """Build every section and the page; returns the HTML and the sections."""
    sections = []
    for builder in SECTIONS:
        try:
            sections.append(builder(ctx))
        except (AttrdbError, duckdb.Error, OSError, ValueError, KeyError, TypeError) as exc:
            name = builder.__name__.replace("_", "-")
            message = first_line(exc, with_type=True)
            print(f"report: section {name} failed: {message}", file=sys.stderr)
            sections.append(h.Section(name, name.replace("-", " ").capitalize(),
                                      h.failed(message), status="failed"))
    model = ctx.model_id or "none registered"
    subtitle = (f"{source} · model {model} · scope {ctx.scope} · schema "
                f"v{database_schema_version(ctx.con)}")
    footer = (f"Generated {datetime.now().isoformat(timespec='seconds')} by attrdb "
              f"{__version__} from the database alone; images embedded.")
    return h.page("attrdb report", subtitle, sections, footer), sections


def build_report(
    con: duckdb.DuckDBPyConnection,
    out: str | Path,
    *,
    model_id: str | None = None,
    scope: str = DEFAULT_SCOPE,
    source: str = "",
    saliency: SaliencyExamples | None = None,
) -> ReportResult:
    """Write the HTML report of the database open on ``con`` to ``out``.

    Args:
        con: an open connection (read-only is enough).
        out: the HTML file to write (replaced atomically).
        model_id: the model whose results to show; default the one with the most results.
        scope: the scope whose words to show.
        source: how the page names its database (default: the database's name).
        saliency: which saliency examples to draw (default: a few of every mapped word).

    Raises:
        InputError: ``model_id`` is not registered.
    """
    chosen = choose_model(con, model_id, scope)
    ctx = Context(con, chosen, scope, saliency=saliency or SaliencyExamples())
    label = source or con.execute("SELECT current_database()").fetchall()[0][0]
    text, sections = render(ctx, source=label)
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, target)
    return ReportResult(
        path=target,
        model_id=chosen,
        scope=scope,
        statuses={s.id: s.status for s in sections},
        failures={s.id: s.body for s in sections if s.status == "failed"},
    )


def write_report(
    db: str | Path,
    out: str | Path = "report.html",
    *,
    model_id: str | None = None,
    scope: str = DEFAULT_SCOPE,
    snapshot: bool = False,
    saliency: SaliencyExamples | None = None,
) -> ReportResult:
    """``attrdb report``: open ``db`` (or its snapshot) read-only and write the report."""
    from attrdb.snapshot import open_for_reading

    con, opened, _ = open_for_reading(db, snapshot=snapshot)
    try:
        return build_report(con, out, model_id=model_id, scope=scope, source=str(opened),
                            saliency=saliency)
    finally:
        con.close()
