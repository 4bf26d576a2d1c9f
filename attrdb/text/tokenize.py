"""The text stage: tag every product's title, description and tags into ``tokens``.

Python only runs the taggers; everything around them is SQL (sql/text/*.sql). Products are
written in batches, each batch in one transaction together with its ``tokenized_products``
markers, so an interrupted run resumes at the first unfinished batch and a rerun adds
nothing twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from attrdb import stages
from attrdb.errors import InputError
from attrdb.runs import stage_run
from attrdb.sqlfiles import query_sql_file, run_sql_file
from attrdb.text.clean import has_japanese, normalize_tag, split_lines
from attrdb.text.english import EnglishTagger, Key, TokenRow
from attrdb.text.japanese import JapaneseTagger, morphemes
from attrdb.text.synonyms import read_table

LANGS = ("auto", "en", "ja")
TEXT_FIELDS = ("title", "description")
# A title-named product type held by fewer products is no type: a stratum that small has
# too few negatives to match a word's positives against (sql/text/product_types.sql).
PRODUCT_TYPE_MIN_PRODUCTS = 10


def load_synonyms(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> dict[str, int]:
    """Replace the ``synonyms`` table with the merged files and re-apply it to ``tokens``."""
    table = read_table(paths)
    con.register("synonym_batch", table.to_arrow())
    try:
        run_sql_file(con, "text/replace_synonyms")
    finally:
        con.unregister("synonym_batch")
    return {
        "synonym_pairs": table.n_pairs,
        "synonym_rows": len(table.rows),
        "synonym_ambiguous": table.n_ambiguous,
        "tokens_rewritten": apply_synonyms(con),
    }


def apply_synonyms(con: duckdb.DuckDBPyConnection) -> int:
    """Rewrite ``tokens.word`` from ``norm`` through ``synonyms``; returns changed rows."""
    rows = run_sql_file(con, "text/apply_synonyms").fetchall()
    return int(rows[0][0]) if rows else 0


@dataclass
class _Product:
    """One product's rows while its fields are being tagged."""

    product_id: str
    tokens: list[tuple[str, str, TokenRow]] = field(default_factory=list)  # (field, lang, row)
    lines: list[tuple[str, int, str]] = field(default_factory=list)  # (field, line_no, text)


def run_text(
    con: duckdb.DuckDBPyConnection,
    *,
    lang: str = "auto",
    synonyms: Sequence[str | Path] = (),
    batch_size: int = 500,
    n_process: int = 1,
    rebuild: bool = False,
    progress: bool = True,
) -> dict[str, Any]:
    """Tokenise every product not yet tokenised; optionally (re)load the synonym table.

    Args:
        con: an open attrdb database.
        lang: 'en' (spaCy), 'ja' (Sudachi) or 'auto' (Sudachi for a field or tag holding
            kana/kanji, spaCy otherwise).
        synonyms: merge files (``term,canonical`` CSV or the Sudachi lexicon TSV); when
            given they replace the ``synonyms`` table and are re-applied to all tokens.
        batch_size: products written per transaction (the resume granularity).
        n_process: spaCy worker processes.
        rebuild: forget all tokens first and tokenise every product again.
        progress: show a progress bar on stderr.

    Returns:
        The run summary (products, tokens, lines written; seconds; products per second).

    Raises:
        InputError: unknown ``lang`` or a bad synonym file. StateError: no products.
        ModelError: the spaCy or Sudachi model is missing.
    """
    if lang not in LANGS:
        raise InputError(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
    if batch_size < 1 or n_process < 1:
        raise InputError("--batch-size and --n-process must be at least 1")
    stages.require(con, "products")
    params = {
        "lang": lang,
        "synonyms": [str(p) for p in synonyms],
        "batch_size": batch_size,
        "n_process": n_process,
        "rebuild": rebuild,
    }
    with stage_run(con, "text", params) as run:
        if rebuild:
            run_sql_file(con, "text/reset")
        if synonyms:
            run.summary.update(load_synonyms(con, [Path(p) for p in synonyms]))
        pending = query_sql_file(con, "text/pending_products")
        started = time.perf_counter()
        counts = _tokenise(con, pending, lang, run.run_id, batch_size, n_process, progress)
        seconds = time.perf_counter() - started
        run.summary.update(counts)
        run.summary["seconds"] = round(seconds, 2)
        run.summary["products_per_second"] = (
            round(counts["products"] / seconds, 1) if counts["products"] and seconds else None
        )
        run.summary["products_total"] = con.execute(
            "SELECT count(*) FROM tokenized_products"
        ).fetchall()[0][0]
        # Types depend on every title (their sizes, which plurals join), so they are
        # recomputed whole after each run, incremental or not.
        run_sql_file(con, "text/product_types", {"min_products": PRODUCT_TYPE_MIN_PRODUCTS})
        run.summary["product_types"] = con.execute(
            "SELECT count(DISTINCT product_type) FROM product_types"
        ).fetchall()[0][0]
        return dict(run.summary)


def _tokenise(
    con: duckdb.DuckDBPyConnection,
    pending: list[tuple[Any, ...]],
    lang: str,
    run_id: int,
    batch_size: int,
    n_process: int,
    progress: bool,
) -> dict[str, Any]:
    from attrdb.progress import progress as progress_bar

    english = _english_tagger(pending, lang, n_process)
    tag = english.tag if english is not None else _no_english
    needs_japanese = lang == "ja" or (lang == "auto" and _any_japanese(pending))
    japanese = JapaneseTagger() if needs_japanese else None
    open_products: dict[str, _Product] = {}
    jobs = _jobs(pending, lang, japanese, open_products)
    batch: list[_Product] = []
    counts: dict[str, Any] = {"products": 0, "tokens": 0, "lines": 0,
                              "english_model": english.model_name if english else None}
    with progress_bar(len(pending), desc="text", unit="product", enabled=progress) as bar:
        for (product_id, field_name), rows in tag(jobs):
            product = open_products[product_id]
            if field_name is not None:
                product.tokens.extend((field_name, "en", row) for row in rows)
                continue
            batch.append(open_products.pop(product_id))
            if len(batch) >= batch_size:
                _write(con, batch, lang, run_id, counts)
                bar.update(len(batch))
                batch = []
        if batch:
            _write(con, batch, lang, run_id, counts)
            bar.update(len(batch))
    return counts


def _english_tagger(
    pending: list[tuple[Any, ...]], lang: str, n_process: int
) -> EnglishTagger | None:
    if lang == "ja" or not pending:
        return None
    if lang == "auto" and not any(
        not has_japanese(text or "") for row in pending for text in (row[1], row[2]) if text
    ):
        return None
    return EnglishTagger(n_process=n_process)


def _any_japanese(pending: list[tuple[Any, ...]]) -> bool:
    return any(
        has_japanese(text or "")
        for product_id, title, description, tags in pending
        for text in (title, description, *(tags or []))
    )


def _no_english(jobs: Iterable[tuple[Key, list[str]]]) -> Iterator[tuple[Key, list[TokenRow]]]:
    for key, lines in jobs:
        assert not lines, "an English field reached the run without an English tagger"
        yield key, []


def _jobs(
    pending: list[tuple[Any, ...]],
    lang: str,
    japanese: JapaneseTagger | None,
    open_products: dict[str, _Product],
) -> Iterator[tuple[tuple[str, str | None], list[str]]]:
    """English fields for spaCy, then an end marker ``(product_id, None)`` per product.

    Japanese fields and all tags are handled here, in the main process; spaCy (maybe in
    worker processes) returns results in input order, so a product is complete when its
    end marker comes back.
    """
    for product_id, title, description, tags in pending:
        product = _Product(str(product_id))
        open_products[product.product_id] = product
        for field_name, text in zip(TEXT_FIELDS, (title, description), strict=True):
            lines = split_lines(text)
            if not lines:
                continue
            product.lines.extend((field_name, i, line) for i, line in enumerate(lines))
            if _is_japanese(lang, " ".join(lines)):
                assert japanese is not None
                for _key, rows in japanese.tag([(field_name, lines)]):
                    product.tokens.extend((field_name, "ja", row) for row in rows)
            else:
                yield (product.product_id, field_name), lines
        _add_tags(product, tags or [], lang)
        yield (product.product_id, None), []


def _is_japanese(lang: str, text: str) -> bool:
    return lang == "ja" or (lang == "auto" and has_japanese(text))


def _add_tags(product: _Product, tags: list[str], lang: str) -> None:
    """One token per tag (field 'tag', line_no = the tag's index among non-empty tags)."""
    line_no = 0
    for raw in tags:
        tag = normalize_tag(raw)
        if not tag:
            continue
        if _is_japanese(lang, tag):
            parts = morphemes(tag)
            norm = "".join(part[1] for part in parts) or tag
            # A compound tag's POS is its last morpheme's (the head in Japanese).
            row: TokenRow = (line_no, 0, tag, norm, parts[-1][2] if parts else None)
            product.tokens.append(("tag", "ja", row))
        else:
            product.tokens.append(("tag", "en", (line_no, 0, tag, tag.lower(), None)))
        product.lines.append(("tag", line_no, tag))
        line_no += 1


def _write(
    con: duckdb.DuckDBPyConnection,
    batch: list[_Product],
    lang: str,
    run_id: int,
    counts: dict[str, Any],
) -> None:
    """Insert one batch's tokens, lines and done markers in one transaction."""
    import pyarrow as pa

    token_names = ("product_id", "field", "line_no", "position", "surface", "norm", "pos", "lang")
    token_cols: dict[str, list[Any]] = {k: [] for k in token_names}
    line_cols: dict[str, list[Any]] = {k: [] for k in ("product_id", "field", "line_no", "text")}
    done_cols: dict[str, list[Any]] = {"product_id": [], "n_tokens": []}
    for product in batch:
        for field_name, token_lang, (line_no, position, surface, norm, pos) in product.tokens:
            token_cols["product_id"].append(product.product_id)
            token_cols["field"].append(field_name)
            token_cols["line_no"].append(line_no)
            token_cols["position"].append(position)
            token_cols["surface"].append(surface)
            token_cols["norm"].append(norm)
            token_cols["pos"].append(pos)
            token_cols["lang"].append(token_lang)
        for field_name, line_no, text in product.lines:
            line_cols["product_id"].append(product.product_id)
            line_cols["field"].append(field_name)
            line_cols["line_no"].append(line_no)
            line_cols["text"].append(text)
        done_cols["product_id"].append(product.product_id)
        done_cols["n_tokens"].append(len(product.tokens))
    text_type, int_type = pa.string(), pa.int32()
    tables = {
        "token_batch": pa.table(
            token_cols,
            schema=pa.schema([
                ("product_id", text_type), ("field", text_type), ("line_no", int_type),
                ("position", int_type), ("surface", text_type), ("norm", text_type),
                ("pos", text_type), ("lang", text_type),
            ]),
        ),
        "line_batch": pa.table(
            line_cols,
            schema=pa.schema([
                ("product_id", text_type), ("field", text_type), ("line_no", int_type),
                ("text", text_type),
            ]),
        ),
        "done_batch": pa.table(
            done_cols, schema=pa.schema([("product_id", text_type), ("n_tokens", int_type)])
        ),
    }
    for name, table in tables.items():
        con.register(name, table)
    try:
        con.begin()
        try:
            run_sql_file(con, "text/insert_batch", {"lang_option": lang, "run_id": run_id})
            con.commit()
        except BaseException:
            con.rollback()
            raise
    finally:
        for name in tables:
            con.unregister(name)
    counts["products"] += len(batch)
    counts["tokens"] += len(token_cols["product_id"])
    counts["lines"] += len(line_cols["product_id"])
