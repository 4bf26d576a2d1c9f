"""The synonym / translation merge table (``synonyms``), read from CSV or Sudachi's lexicon.

A merge row maps a *term* (a token's ``norm``) to a *canonical* word; the text stage writes
``tokens.word = canonical`` for matching tokens (sql/text/apply_synonyms.sql), so
vocabulary, D+ sets and every later query see merged words while ``tokens.norm`` keeps the
tagger's own form. Terms and canonicals pass through the same normalisation as tokens:
lower case for Latin text, Sudachi's normalised form for text with kana or kanji. A term
that maps to two different canonicals (``lip`` = リップ or リップクリーム) is dropped
rather than merged at random, and chains (a → b, b → c) are resolved to their end.

Pure computation: files in, an Arrow table out. The text stage (``attrdb.text.tokenize``)
writes it to the database and applies it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from attrdb.errors import InputError
from attrdb.text.clean import has_japanese, normalize_tag
from attrdb.text.japanese import normalize_japanese

# Accepted headers: a plain merge list, and Sudachi's synonym lexicon as shipped in
# shared/data/japanese (surface → the representative of the same vocabulary entry; the
# group representative would also merge different words such as バッグ and 鞄).
_FORMATS: dict[tuple[str, ...], tuple[str, str]] = {
    ("term", "canonical"): ("term", "canonical"),
    ("surface", "canonical_same_vocab"): ("surface", "canonical_same_vocab"),
}


@dataclass(frozen=True)
class SynonymTable:
    """Normalised merge rows and what was dropped while building them."""

    rows: list[tuple[str, str, str]]
    n_pairs: int
    n_ambiguous: int

    def to_arrow(self) -> pa.Table:
        """The rows as the ``synonyms`` table's columns (term, canonical, source)."""
        names = ("term", "canonical", "source")
        return pa.table(
            {name: [row[i] for row in self.rows] for i, name in enumerate(names)},
            schema=pa.schema([(name, pa.string()) for name in names]),
        )


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """(surface, canonical) pairs from a ``term,canonical`` CSV or the Sudachi lexicon TSV.

    Raises:
        InputError: the file is missing, has an unknown header, or a row lacks a value.
    """
    if not path.is_file():
        raise InputError(f"synonym file {path} not found")
    text = path.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0] if text else ""
    delimiter = "\t" if "\t" in first else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    header = tuple(reader.fieldnames or ())
    columns = next((cols for key, cols in _FORMATS.items() if set(key) <= set(header)), None)
    if columns is None:
        raise InputError(
            f"synonym file {path}: header {list(header)} has neither term,canonical "
            "nor surface,canonical_same_vocab"
        )
    pairs: list[tuple[str, str]] = []
    for line_no, row in enumerate(reader, start=2):
        term, canonical = (row.get(c) or "" for c in columns)
        if not term.strip() or not canonical.strip():
            raise InputError(f"synonym file {path}, line {line_no}: empty term or canonical")
        pairs.append((term, canonical))
    return pairs


def normalize_term(text: str) -> str:
    """The form a token with this text gets under ``--lang auto``."""
    cleaned = normalize_tag(text)
    return normalize_japanese(cleaned) if has_japanese(cleaned) else cleaned.lower()


def term_keys(text: str) -> set[str]:
    """Every ``norm`` a token of this text can have: the Latin form, and Sudachi's."""
    cleaned = normalize_tag(text)
    keys = {cleaned.lower()}
    if has_japanese(cleaned):
        keys.add(normalize_japanese(cleaned))
    keys.discard("")
    return keys


def build_table(pairs: Iterable[tuple[str, str, str]]) -> SynonymTable:
    """Normalise (surface, canonical, source) triples into unambiguous merge rows."""
    targets: dict[str, set[str]] = {}
    sources: dict[str, str] = {}
    n_pairs = 0
    for surface, canonical, source in pairs:
        n_pairs += 1
        target = normalize_term(canonical)
        if not target:
            continue
        for key in term_keys(surface) | term_keys(canonical):
            targets.setdefault(key, set()).add(target)
            sources.setdefault(key, source)
    ambiguous = {key for key, found in targets.items() if len(found) > 1}
    mapping = {
        key: next(iter(found)) for key, found in targets.items() if key not in ambiguous
    }
    rows = []
    for key in sorted(mapping):
        end = _resolve(key, mapping)
        if end != key:
            rows.append((key, end, sources[key]))
    return SynonymTable(rows, n_pairs, len(ambiguous))


def _resolve(key: str, mapping: dict[str, str]) -> str:
    seen = {key}
    current = mapping[key]
    while current in mapping and mapping[current] not in seen and mapping[current] != current:
        seen.add(current)
        current = mapping[current]
    return current


def read_table(paths: Sequence[Path]) -> SynonymTable:
    """The merge table of one or more files (``term,canonical`` CSV or Sudachi's lexicon)."""
    return build_table((s, c, str(path)) for path in paths for s, c in read_pairs(Path(path)))
