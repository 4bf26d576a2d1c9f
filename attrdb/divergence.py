"""Symmetric KL divergence per unit and word, and prime units (paper Sec. 4.1), in SQL.

The stage bins every unit's activations over the training products of a scope
(``unit_bins``), counts, for every vocabulary word at once, the histogram of the products
whose text has the word (D+) and of the others (D-), and stores the symmetric KL divergence
of the two smoothed histograms (``unit_word_divergence``) and each word's top units
(``prime_units``). All arithmetic is in ``sql/divergence/*.sql`` and the macros of
``sql/macros/divergence.sql``; this module orders the statements and picks the packing width.
See docs/divergence.md for the algebra that makes it fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from attrdb.connection import require_tables
from attrdb.context.matched import matched_divergence
from attrdb.context.scopes import ensure_scope_current
from attrdb.errors import InputError, StateError
from attrdb.progress import track
from attrdb.runs import PhaseClock, stage_run
from attrdb.sqlfiles import query_sql_file, run_sql_file

DEFAULT_BINS = 16
DEFAULT_SMOOTHING = 0.01
DEFAULT_MIN_POSITIVES = 5
DEFAULT_MIN_NEGATIVES = 5
DEFAULT_TOP_K = 100
# One pseudo-word per word measures the chance-level divergence (sql/divergence/null.sql):
# pooled per unit over all words' pseudo-words, this costs one more pass over the words.
DEFAULT_NULL_DRAWS = 1
BINNINGS = ("equal", "quantile")
SPLITS = ("train", "test", "val")
MAX_BINS = 255  # bin indices are stored as UTINYINT
# Counters are packed into signed 128-bit integers; the top bit stays clear.
PACK_BITS = 127
# Keys of (word, unit) groups fit a perfect hash table up to this many bits (about 1,000
# words x 16,000 units); DuckDB's default (12) would send them to a general hash table.
PERFECT_HASH_BITS = 24
SKIPPED_IN_SUMMARY = 50


def resolve_model(con: duckdb.DuckDBPyConnection, model_id: str | None) -> str:
    """The given model, or the only registered one.

    Raises:
        StateError: no model is registered, or several and none was named.
        InputError: the named model is not registered.
    """
    models = [str(r[0]) for r in query_sql_file(con, "divergence/models")]
    if model_id is None:
        if len(models) == 1:
            return models[0]
        if not models:
            raise StateError("no CNN model is registered; run `attrdb extract` first")
        raise StateError(f"several models are registered ({', '.join(models)}); pass --model")
    if model_id not in models:
        raise InputError(
            f"model {model_id!r} is not registered (registered: {', '.join(models) or 'none'})"
        )
    return model_id


def packing(n_bins: int, largest_side: int) -> tuple[int, int, int]:
    """Field width, bins per 128-bit counter and number of counters (chunks) per histogram.

    A bin's count never exceeds the number of products it is counted over, so fields of
    ``largest_side.bit_length()`` bits never carry into their neighbour.
    """
    field_bits = max(1, int(largest_side).bit_length())
    bins_per_chunk = max(1, PACK_BITS // field_bits)
    return field_bits, bins_per_chunk, -(-n_bins // bins_per_chunk)


def _validate(n_bins: int, binning: str, smoothing: float, min_pos: int, min_neg: int,
              top_k: int, split: str, null_draws: int) -> None:
    if not 2 <= n_bins <= MAX_BINS:
        raise InputError(f"--bins must be between 2 and {MAX_BINS}, got {n_bins}")
    if binning not in BINNINGS:
        raise InputError(f"--binning must be one of {', '.join(BINNINGS)}, not {binning!r}")
    if not 0.0 < smoothing < 1.0:
        raise InputError(f"--smoothing must be strictly between 0 and 1, got {smoothing}")
    if min_pos < 1 or min_neg < 1:
        raise InputError("--min-positives and --min-negatives must be at least 1")
    if top_k < 1:
        raise InputError(f"--top-k must be at least 1, got {top_k}")
    if split not in SPLITS:
        raise InputError(f"--split must be one of {', '.join(SPLITS)}, not {split!r}")
    if null_draws < 0:
        raise InputError(f"--null-draws must be 0 or more, got {null_draws}")


@contextmanager
def _tuned(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Settings the histogram aggregation needs, restored afterwards.

    A perfect hash table for the (word, unit) groups, and no partial aggregate pushdown: it
    pre-aggregates the activation rows below the join per (product, unit), which for these
    one-row groups only adds work (measured 5x slower with BIGINT or DOUBLE counters).
    """
    threshold, disabled = con.execute(
        "SELECT current_setting('perfect_ht_threshold'), current_setting('disabled_optimizers')"
    ).fetchall()[0]
    optimizers = [o for o in str(disabled or "").split(",") if o.strip()]
    con.execute(f"SET perfect_ht_threshold = {max(int(threshold), PERFECT_HASH_BITS)}")
    con.execute(
        "SET disabled_optimizers = ?",
        [",".join(sorted({*optimizers, "partial_aggregate_pushdown"}))],
    )
    try:
        yield
    finally:
        con.execute(f"SET perfect_ht_threshold = {int(threshold)}")
        con.execute("SET disabled_optimizers = ?", [",".join(optimizers)])


def run_divergence(
    con: duckdb.DuckDBPyConnection,
    *,
    scope: str = "default",
    model_id: str | None = None,
    n_bins: int = DEFAULT_BINS,
    binning: str = "equal",
    smoothing: float = DEFAULT_SMOOTHING,
    min_positives: int = DEFAULT_MIN_POSITIVES,
    min_negatives: int = DEFAULT_MIN_NEGATIVES,
    top_k: int = DEFAULT_TOP_K,
    split: str = "train",
    null_draws: int = DEFAULT_NULL_DRAWS,
    null_seed: int = 0,
    progress: bool = False,
) -> dict[str, Any]:
    """Bin units, compute the symmetric KL of every vocabulary word and unit, pick prime units.

    Replaces the scope's and model's rows of ``unit_bins``, ``unit_word_divergence`` and
    ``prime_units`` in one transaction (an interrupted run leaves the previous results).

    Args:
        con: an open attrdb database after ``vocab``, ``split`` and ``extract``.
        scope: the scope whose universe (``scope_products``) and D+ sets are used.
        model_id: the CNN whose activations are binned; default the only registered model.
        n_bins: histogram bins per unit.
        binning: 'equal' (equal width between the unit's min and max over the split) or
            'quantile' (edges at the unit's quantiles, about equally filled bins).
        smoothing: weight of the uniform distribution mixed into every histogram,
            P = (1 - smoothing) * count / n + smoothing / n_bins; in (0, 1).
        min_positives: a word needs this many positives in the split, else it is skipped.
        min_negatives: likewise for negatives.
        top_k: prime units kept per word.
        split: the split whose products define the bins and histograms.
        null_draws: pseudo-words (random D+ of the word's size and category mix) per word;
            their divergences give ``kl_null``, ``kl_null_sd`` and ``kl_z`` of every row,
            by which prime units rank. 0 = none (prime units by raw KL, as in the paper).
        null_seed: seeds the pseudo-words' draws.
        progress: show a progress bar over the bin chunks.

    Returns:
        Summary: counts of products, units, constant units, words, skipped words (and the
        first of them with their counts), rows written, packing and seconds per phase.

    Raises:
        InputError: a parameter is out of range or the model is unknown.
        StateError: an input stage has not run, or the split has no products of the scope
            with activations.
    """
    _validate(n_bins, binning, smoothing, min_positives, min_negatives, top_k, split,
              null_draws)
    hint = "run `attrdb vocab`, `attrdb split` and `attrdb extract` first"
    require_tables(con, "activation_vectors", "splits", "scope_products", "vocabulary",
                   "word_products", hint=hint)
    model_id = resolve_model(con, model_id)
    # Refuses a scope redefined since its vocabulary was chosen (attrdb.context.scopes).
    definition = ensure_scope_current(con, scope, upstream=("vocab",))
    params = {
        "model_id": model_id,
        "split": split,
        "n_bins": n_bins,
        "binning": binning,
        "smoothing": smoothing,
        "smoothing_kind": "uniform mixture: (1 - smoothing) * count / n + smoothing / n_bins",
        "min_positives": min_positives,
        "min_negatives": min_negatives,
        "top_k": top_k,
        "null_draws": null_draws,
        "null_seed": null_seed,
        "scope_definition": definition.as_dict(),
    }
    base = {"model_id": model_id, "scope": scope}
    with stage_run(con, "divergence", params, scope=scope) as run, _tuned(con):
        clock = PhaseClock()
        lap, seconds = clock.lap, clock.seconds

        con.begin()
        try:
            n_products = query_sql_file(con, "divergence/universe", {**base, "split": split})[0][0]
            if not n_products:
                raise StateError(
                    f"scope {scope!r} has no {split} products with activations of model "
                    f"{model_id!r}; {hint}"
                )
            run_sql_file(con, f"divergence/unit_bins_{binning}", {**base, "n_bins": n_bins})
            run_sql_file(con, f"divergence/binned_{binning}", {**base, "n_bins": n_bins})
            lap("binning")
            matched = definition.negatives == "category_matched"
            words = query_sql_file(con, "divergence/words", {
                "scope": scope, "min_positives": min_positives, "min_negatives": min_negatives,
                "null_draws": null_draws, "null_seed": null_seed,
                "match_field": definition.match_field if matched else None,
                "match_shop": definition.match_shop,
            })
            kept = [(n_pos, n_neg) for _, n_pos, n_neg, ok in words if ok]
            skipped = [
                {"word": w, "n_pos": int(p), "n_neg": int(n)} for w, p, n, ok in words if not ok
            ]
            largest_side = max((min(p, n) for p, n in kept), default=1)
            field_bits, per_chunk, n_chunks = packing(n_bins, largest_side)
            run_sql_file(con, "divergence/sides", {
                **base, "bins_per_chunk": per_chunk, "field_bits": field_bits,
            })
            lap("words")
            if matched:
                # D- reweighted to D+'s categories (attrdb.context.matched, sql/context).
                run.summary["category_matched"] = matched_divergence(
                    con, model_id=model_id, scope=scope, definition=definition, n_bins=n_bins,
                    smoothing=smoothing, min_positives=min_positives,
                    min_negatives=min_negatives,
                )
            else:
                for chunk in track(range(n_chunks), desc="divergence", unit="chunk",
                                   enabled=progress):
                    run_sql_file(con, "divergence/counts", {
                        "chunk": chunk, "bins_per_chunk": per_chunk, "field_bits": field_bits,
                    })
                lap("histograms")
                run_sql_file(con, "divergence/kl", {
                    **base, "n_bins": n_bins, "smoothing": smoothing,
                    "field_mask": (1 << field_bits) - 1,
                })
            lap("kl")
            if null_draws:
                run_sql_file(con, "divergence/null", base)
                lap("null")
            run_sql_file(con, "divergence/prime_units", {**base, "top_k": top_k})
            lap("prime_units")
            counts = query_sql_file(con, "divergence/summary", base)[0]
            run_sql_file(con, "divergence/cleanup")
            con.commit()
        except BaseException:
            con.rollback()
            raise
        n_units, n_constant, n_rows, n_prime = (int(x) for x in counts)
        run.summary.update(
            model_id=model_id,
            n_products=int(n_products),
            n_units=n_units,
            n_constant_units=n_constant,
            n_words=len(kept),
            n_skipped=len(skipped),
            skipped=skipped[:SKIPPED_IN_SUMMARY],
            n_divergence_rows=n_rows,
            n_prime_unit_rows=n_prime,
            field_bits=field_bits,
            bins_per_chunk=per_chunk,
            n_chunks=n_chunks,
            seconds=seconds,
        )
        return dict(run.summary)
