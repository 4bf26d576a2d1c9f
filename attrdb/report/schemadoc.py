"""The generated reference part of ``docs/schema.md``: every table and view, from the code.

Column names and types come from a fresh in-memory database at the current schema (so
columns added by later migrations are included); descriptions come from the ``--``
comments of the migration files: the comment block right above a ``CREATE`` and the
comment at the end of (or below) a column's line. Run
``python -m attrdb.report.schemadoc docs/schema.md`` to refresh the part between the
markers; ``tests/test_report_docs.py`` fails when it is out of date.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from attrdb.connection import connect
from attrdb.migrate import available_migrations

BEGIN = "<!-- BEGIN GENERATED REFERENCE -->"
END = "<!-- END GENERATED REFERENCE -->"
# The relations the public contract (shared/CONTRACT.md) promises to keep stable.
CONTRACT = frozenset({
    "schema_version", "products", "product_rejects", "tokens", "duplicate_groups",
    "vocabulary", "splits", "models", "units", "activations", "activation_errors",
    "unit_bins", "unit_word_divergence", "prime_units", "visualness", "predictions",
    "layer_depth", "human_judgments", "human_visualness", "agreement", "saliency_maps",
    "saliency_eval", "runs",
})

# Descriptions for relations whose migration has no comment above its CREATE (the meaning
# given in the public contract, or written here).
FALLBACK = {
    "text_lines": "The text of each product split into lines / sentences per field.",
    "duplicate_groups": "Near-duplicate clusters per shop; one product kept per group.",
    "kept_products": "The products kept by near-duplicate removal (products joined with "
                     "duplicate_groups where kept).",
    "vocabulary": "Candidate attribute words of a scope (kind: adjective / tag / phrase / all).",
    "splits": "Every product's split: train / test / val.",
    "models": "A CNN and its exact weights.",
    "units": "Every unit (channel) of every tapped layer of a model.",
    "activations": "Max-pooled activation per (model, product, unit): activation_vectors "
                   "unnested, one row per unit.",
    "activation_errors": "Images that could not be processed, with why.",
    "unit_bins": "Histogram binning per unit: a value v falls in bin b when edges[b] <= v < "
                 "edges[b+1], the last bin closed (numpy.histogram semantics).",
    "unit_word_divergence": "Symmetric KL divergence (eq. 1) of every unit and word; the "
                            "split, bin count and smoothing used are in the stage's runs.params.",
    "prime_units": "The top units of each word by KL (rank 1 = highest).",
    "layer_depth": "Per word and layer, the largest KL of the layer's units and its share of "
                   "the sum over layers (eq. 4).",
    "saliency_maps": "Attribute maps per image and word (eq. 5) and the baselines.",
}

_CREATE = re.compile(r"^CREATE\s+(?:OR\s+REPLACE\s+)?(TABLE|VIEW)\s+(\w+)", re.IGNORECASE)
_COLUMN = re.compile(r"^\s+(\w+)\s+[A-Z]")
_KEYWORDS = {"PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT"}


@dataclass
class Relation:
    """One table or view as documented."""

    name: str
    kind: str
    migration: str
    description: str = ""
    columns: list[tuple[str, str, str]] = field(default_factory=list)  # name, type, note


def _comment(line: str) -> str | None:
    stripped = line.strip()
    return stripped[2:].strip() if stripped.startswith("--") else None


def _parse_migration(path: Path) -> dict[str, tuple[str, str, dict[str, str]]]:
    """name -> (kind, description, column notes) for every CREATE in one migration."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: dict[str, tuple[str, str, dict[str, str]]] = {}
    for i, line in enumerate(lines):
        match = _CREATE.match(line)
        if not match:
            continue
        above: list[str] = []
        j = i - 1
        while j >= 0 and (text := _comment(lines[j])) is not None:
            above.insert(0, text)
            j -= 1
        notes: dict[str, str] = {}
        if match.group(1).upper() == "TABLE" and not line.rstrip().endswith(";"):
            last: str | None = None
            for body in lines[i + 1:]:
                if body.startswith(")"):
                    break
                column = _COLUMN.match(body)
                if column and column.group(1).upper() not in _KEYWORDS:
                    last = column.group(1)
                    notes[last] = body.split("--", 1)[1].strip() if "--" in body else ""
                elif (text := _comment(body)) is not None and last is not None:
                    notes[last] = f"{notes[last]} {text}".strip()
        found[match.group(2)] = (match.group(1).lower(), " ".join(above), notes)
    return found


def relations() -> list[Relation]:
    """Every table and view of the current schema, in migration order."""
    parsed: dict[str, tuple[str, str, tuple[str, str, dict[str, str]]]] = {}
    for migration in available_migrations():
        for name, info in _parse_migration(migration.path).items():
            parsed.setdefault(name, (migration.path.stem, name, info))
    con = connect(":memory:", create=True)
    try:
        columns: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND NOT internal ORDER BY table_name, column_index"
        ).fetchall():
            columns.setdefault(table, []).append((column, data_type))
    finally:
        con.close()
    order = {name: i for i, name in enumerate(parsed)}
    result = []
    for name in sorted(columns, key=lambda n: (order.get(n, len(order)), n)):
        source, _, (kind, description, notes) = parsed.get(
            name, ("runner", name, ("table", "", {})))
        if name == "schema_version":
            description = "One row per applied migration."
        result.append(Relation(
            name, kind, source, description or FALLBACK.get(name, ""),
            [(c, t, notes.get(c, "")) for c, t in columns[name]],
        ))
    return result


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    """The generated reference, markers included."""
    out = [BEGIN, "", "<!-- Generated by `python -m attrdb.report.schemadoc docs/schema.md`"
           " from the migrations; do not edit by hand. -->", ""]
    index = ["| relation | kind | migration | contract |", "|---|---|---|---|"]
    for rel in relations():
        index.append(f"| [`{rel.name}`](#{rel.name}) | {rel.kind} | {rel.migration} | "
                     f"{'yes' if rel.name in CONTRACT else ''} |")
    out += index + [""]
    for rel in relations():
        tag = ", public contract" if rel.name in CONTRACT else ""
        out += [f"### {rel.name}", "", f"*{rel.kind}, migration {rel.migration}{tag}.*"]
        if rel.description:
            out += ["", _cell(rel.description)]
        out += ["", "| column | type | notes |", "|---|---|---|"]
        out += [f"| `{c}` | {_cell(t)} | {_cell(n)} |" for c, t, n in rel.columns]
        out.append("")
    out.append(END)
    return "\n".join(out)


def update(path: str | Path) -> bool:
    """Replace the generated part of ``path``; True when the file changed."""
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + render() + text[stop:]
    if new != text:
        file.write_text(new, encoding="utf-8")
    return new != text


def generated_part(path: str | Path) -> str:
    """The generated part currently in ``path``."""
    text = Path(path).read_text(encoding="utf-8")
    return text[text.index(BEGIN): text.index(END) + len(END)]


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "docs/schema.md"
    print(f"{target}: {'updated' if update(target) else 'already current'}")
