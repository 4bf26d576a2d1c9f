"""Metadata agreement check: do the surest predictions match the catalogue's own labels?

Catalogues often hold structured attributes that the method never reads (kept in
``products.metadata``: Myntra's ``base_colour`` or the Pattern of ``article_attributes``).
For the vocabulary words that name a value of such an attribute, the precision at k of a
classifier's highest-scored test images against that attribute measures whether a word
found "visual" is recognised as the attribute rather than as a context that co-occurs with
it. Because catalogue attributes correlate with product types (most formal shoes are
black), each precision comes with ``category_rate``: the precision the ranked products'
categories alone would give, so a gain over it is the part the product type cannot explain
(``sql/context/metadata_agreement.sql``, table ``metadata_agreement``).

Which attribute to check is the user's choice: there is no default column. Words are
mapped to values here (string work on the few distinct values): a word names a value when
it is one of the value's words or shares its stem (Snowball English, plus a short suffix
allowance: striped/Stripes, patterned/Patterned, embroidered/Embroidery), or when a given
mapping says so ("checked" -> "Checks"). SQL then counts agreement over the products.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from attrdb import stages
from attrdb.context.scopes import DEFAULT_SCOPE, scope_definition
from attrdb.errors import InputError, StateError
from attrdb.runs import stage_run
from attrdb.sqlfiles import query_sql_file

DEFAULT_KS = (50, 100)
# Keys named in a one-line error before the list is cut (the CLI lists them all).
KEYS_IN_ERROR = 12
# Two stems also match when the shorter, at least this long, starts the longer and the
# longer has at most MAX_EXTRA more letters: Snowball leaves embroidered -> 'embroid' but
# embroidery -> 'embroideri', checked -> 'check' but checkered -> 'checker'. Short stems
# (red, tan) match only exactly, so tan never matches tangerine.
MIN_PREFIX_STEM = 4
MAX_EXTRA = 3
_WORD = re.compile(r"[^\W\d_]+")


def parse_attribute(text: str) -> tuple[str, str]:
    """'name=path' (path: a metadata key, or 'key.subkey') -> (name, path).

    Raises:
        InputError: the text is not of that form.
    """
    name, sep, path = text.partition("=")
    if not sep or not name.strip() or not path.strip(" ."):
        raise InputError(f"--attribute must look like name=metadata_key, not {text!r}")
    return name.strip(), path.strip()


def parse_mapping(items: Iterable[str]) -> dict[str, list[str]]:
    """Inline mappings 'word=Value' or 'word=Value1|Value2' -> word -> values.

    Raises:
        InputError: an item is not of that form.
    """
    mapping: dict[str, list[str]] = {}
    for item in items:
        word, sep, values = item.partition("=")
        chosen = [v.strip() for v in values.split("|") if v.strip()]
        if not sep or not word.strip() or not chosen:
            raise InputError(f"--map must look like word=Value or word=Value1|Value2, "
                             f"not {item!r}")
        mapping.setdefault(word.strip().lower(), []).extend(chosen)
    return mapping


def read_mapping(path: str | Path) -> dict[str, list[str]]:
    """A word -> values mapping file: a JSON object (word: value or list of values), or a
    CSV of 'word,value' rows (a 'word,value' header is skipped).

    Raises:
        InputError: the file is missing or malformed (the error names the row).
    """
    file = Path(path)
    if not file.is_file():
        raise InputError(f"mapping file {file} not found")
    text = file.read_text(encoding="utf-8-sig")
    mapping: dict[str, list[str]] = {}
    if file.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"mapping file {file}: not JSON ({exc.msg}, line {exc.lineno})"
                             ) from exc
        if not isinstance(data, dict):
            raise InputError(f"mapping file {file}: must be a JSON object word -> values")
        for word, values in data.items():
            listed = [values] if isinstance(values, str) else values
            if not isinstance(listed, list) or not all(isinstance(v, str) for v in listed):
                raise InputError(f"mapping file {file}: {word!r} must map to a string or a "
                                 "list of strings")
            mapping.setdefault(str(word).strip().lower(), []).extend(v.strip() for v in listed)
        return mapping
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or (number == 1 and [c.strip().lower() for c in row] == ["word", "value"]):
            continue
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise InputError(f"mapping file {file}, row {number}: expected word,value")
        mapping.setdefault(row[0].strip().lower(), []).append(row[1].strip())
    return mapping


@lru_cache(maxsize=1)
def _english_stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """The Snowball English stem of a lower-case word."""
    return str(_english_stemmer().stemWord(word))


def stems_match(a: str, b: str) -> bool:
    """Whether two words name the same thing up to inflection (see MIN_PREFIX_STEM)."""
    if a == b:
        return True
    short, long = sorted((stem(a), stem(b)), key=len)
    return short == long or (len(short) >= MIN_PREFIX_STEM and long.startswith(short)
                             and len(long) - len(short) <= MAX_EXTRA)


def word_values(
    words: Iterable[str],
    values: Iterable[str],
    *,
    mapping: Mapping[str, Sequence[str]] | None = None,
    use_stems: bool = True,
) -> dict[str, list[str]]:
    """Which attribute values each vocabulary word names.

    A mapped word names exactly its mapped values (compared case-insensitively with the
    attribute's values); any other word names a value when it is one of the value's words
    ('blue' of 'Navy Blue') or, with ``use_stems``, matches one by stem ('striped' of
    'Stripes').

    Returns:
        word -> the values it names (words naming none are left out).
    """
    value_list = list(values)
    lowered = {v.lower(): v for v in value_list}
    value_words = {v: set(_WORD.findall(v.lower())) for v in value_list}
    mapped = {w.lower(): [lowered[m.lower()] for m in ms if m.lower() in lowered]
              for w, ms in (mapping or {}).items()}
    found: dict[str, list[str]] = {}
    for word in words:
        if word in mapped:
            named = mapped[word]
        else:
            named = [v for v in value_list
                     if word in value_words[v]
                     or (use_stems and any(stems_match(word, w) for w in value_words[v]))]
        if named:
            found[word] = sorted(set(named))
    return found


def metadata_keys(
    con: duckdb.DuckDBPyConnection, scope: str = DEFAULT_SCOPE
) -> list[dict[str, Any]]:
    """The metadata keys of a scope's products ('key.subkey' into nested JSON), with the
    products holding a value, the number of distinct values and the commonest three."""
    names = ("path", "n_products", "n_values", "top_values")
    return [dict(zip(names, row, strict=True))
            for row in query_sql_file(con, "context/metadata_keys", {"scope": scope})]


def _resolve_model(con: duckdb.DuckDBPyConnection, scope: str, model_id: str | None) -> str:
    models = [str(r[0]) for r in query_sql_file(con, "context/metadata_models",
                                                {"scope": scope})]
    if not models:
        raise StateError(f"scope {scope!r} has no classifier predictions; run "
                         f"`attrdb visualness --scope {scope}` first")
    if model_id is None:
        if len(models) > 1:
            raise StateError(f"several models have predictions in scope {scope!r} "
                             f"({', '.join(models)}); pass --model")
        return models[0]
    if model_id not in models:
        raise InputError(f"model {model_id!r} has no predictions in scope {scope!r} "
                         f"(models with predictions: {', '.join(models)})")
    return model_id


def _key_listing(keys: list[dict[str, Any]]) -> str:
    shown = sorted(keys, key=lambda k: -k["n_products"])[:KEYS_IN_ERROR]
    more = len(keys) - len(shown)
    return (", ".join(f"{k['path']} ({k['n_products']} products, e.g. "
                      f"{', '.join(k['top_values'][:2])})" for k in shown)
            + (f" and {more} more" if more else ""))


def run_metadata_check(
    con: duckdb.DuckDBPyConnection,
    *,
    scope: str = DEFAULT_SCOPE,
    model_id: str | None = None,
    attributes: Mapping[str, str] | None = None,
    mapping: Mapping[str, Sequence[str]] | None = None,
    stems: bool = True,
    ks: Sequence[int] = DEFAULT_KS,
) -> dict[str, Any]:
    """Measure precision at k of every classifier method against metadata attributes.

    Args:
        con: an open attrdb database after the visualness stage.
        scope: the scope whose predictions, vocabulary and test products are used.
        model_id: the CNN; default the only model with predictions in the scope.
        attributes: name -> metadata key ('key.subkey' into a nested JSON value), e.g.
            {"colour": "base_colour"}; required (``metadata_keys`` lists the keys).
        mapping: word -> the attribute values it names ("checked" -> ["Checks"]); words not
            in it are matched by value words and stems.
        stems: also match words to value words by stem (striped / Stripes).
        ks: the cut-offs (products ranked per word and method).

    Returns:
        Per attribute: the key checked, words checked, the values each word was matched to,
        mapped words that are not vocabulary words (not checked) and the mean precision
        per method and k.

    Raises:
        InputError: no attribute, a key no scope product has (named, with close matches),
            a k below 1, an unknown model.
        StateError: the visualness stage has not run in the scope.
    """
    cutoffs = sorted({int(k) for k in ks})
    if not cutoffs or cutoffs[0] < 1:
        raise InputError("every --k must be at least 1")
    stages.require(con, "predictions", "splits", "vocabulary")
    keys = metadata_keys(con, scope)
    if not attributes:
        raise InputError(
            "name the catalogue column to check: --attribute NAME=KEY (e.g. colour=KEY); "
            f"metadata keys of scope {scope!r}: {_key_listing(keys) or 'none'}")
    known = {k["path"] for k in keys}
    for name, path in attributes.items():
        if path not in known:
            close = difflib.get_close_matches(path, sorted(known), n=3, cutoff=0.6)
            hint = (f"did you mean {', '.join(close)}?" if close
                    else f"keys: {_key_listing(keys) or 'none'}")
            raise InputError(f"attribute {name!r}: no product of scope {scope!r} has metadata "
                             f"key {path!r}; {hint}")
    model_id = _resolve_model(con, scope, model_id)
    match_field = scope_definition(con, scope).match_field
    chosen = dict(attributes)
    clean_mapping = {w.lower(): list(v) for w, v in (mapping or {}).items()}
    params = {"model_id": model_id, "attributes": chosen, "ks": cutoffs,
              "match_field": match_field, "mapping": clean_mapping, "stems": stems}
    import pyarrow as pa

    with stage_run(con, "metadata_check", params, scope=scope) as run:
        results: dict[str, Any] = {}
        con.begin()
        try:
            for name, path in chosen.items():
                values, words = query_sql_file(con, "context/metadata_values",
                                               {"scope": scope, "path": path})[0]
                matches = word_values(words, [v["value"] for v in values],
                                      mapping=clean_mapping, use_stems=stems)
                pairs = [(w, v) for w, vs in matches.items() for v in vs]
                con.register("metadata_word_values", pa.table({
                    "word": pa.array([w for w, _ in pairs], type=pa.string()),
                    "value": pa.array([v for _, v in pairs], type=pa.string()),
                }))
                try:
                    n_rows, n_words = query_sql_file(con, "context/metadata_agreement", {
                        "model_id": model_id, "scope": scope, "attribute": name,
                        "path": path, "match_field": match_field, "ks": cutoffs,
                        "run_id": run.run_id,
                    })[0]
                finally:
                    con.unregister("metadata_word_values")
                results[name] = {"path": path, "n_words": int(n_words), "n_rows": int(n_rows),
                                 "matches": matches,
                                 "mapped_not_in_vocabulary": sorted(set(clean_mapping)
                                                                    - set(words))}
            con.commit()
        except BaseException:
            con.rollback()
            raise
        empty = [name for name, r in results.items() if not r["n_words"]]
        if len(empty) == len(results):
            raise InputError(
                f"no vocabulary word of scope {scope!r} names a value of "
                f"{', '.join(chosen[n] for n in empty)} in products.metadata (or no test "
                "predictions exist); map words to values with --map word=Value"
            )
        for name in results:
            means = query_sql_file(con, "context/metadata_means", {
                "model_id": model_id, "scope": scope, "attribute": name})
            results[name]["mean_precision"] = {
                f"{method}@{k}": round(float(p), 4) for method, k, p, _ in means if p is not None
            }
            results[name]["mean_category_rate"] = {
                f"{method}@{k}": round(float(c), 4) for method, k, _, c in means if c is not None
            }
        run.summary.update(model_id=model_id, attributes=results)
        return {"model_id": model_id, "scope": scope, "attributes": results}
