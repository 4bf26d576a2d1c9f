"""Symmetric KL divergence per unit and word, and prime units (paper Sec. 4.1), in SQL.

The stage bins every unit's activations over the training products of a scope
(``unit_bins``), counts, for every vocabulary word at once, the histogram of the products
whose text has the word (D+) and of the others (D-), and stores the symmetric KL divergence
of the two smoothed histograms (``unit_word_divergence``) and each word's top units
(``prime_units``). All arithmetic is in ``sql/divergence/*.sql`` and the macros of
``sql/macros/divergence.sql``; this module orders the statements and picks the packing width.
See docs/divergence.md for the algebra that makes it fast. :func:`run` is the stage's one
implementation for DuckDB and Spark (declared in :data:`attrdb.stages.STAGES`);
:func:`run_divergence` runs it on a DuckDB database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, replace
from typing import Any

import duckdb

from attrdb.context.matched import match_line, matched_divergence
from attrdb.context.scopes import ScopeDefinition, ensure_scope_current, scope_definition
from attrdb.engines.base import Engine
from attrdb.engines.duckdb import DuckDBEngine
from attrdb.engines.transpile import query_file, run_file
from attrdb.errors import InputError, StateError
from attrdb.progress import track
from attrdb.runs import PhaseClock
from attrdb.stages import (
    DEFAULT_SCOPE,
    Params,
    one_transaction,
    recorded,
    require_inputs,
    resolve_model,
)

DEFAULT_BINS = 16
DEFAULT_SMOOTHING = 0.01
DEFAULT_MIN_POSITIVES = 5
DEFAULT_MIN_NEGATIVES = 5
DEFAULT_TOP_K = 100
# One pseudo-word per word measures the chance-level divergence (sql/divergence/null.sql):
# pooled per unit over all words' pseudo-words, this costs one more pass over the words.
DEFAULT_NULL_DRAWS = 1
# Pseudo-negatives shrinking a category x shop stratum's negative histogram towards its
# category's (sql/context/matched_words.sql). Off by default: on Myntra a prior of 20 raised
# the prime units' seed-to-seed overlap by 0.02 (0.07 for clearly visual words) but cost
# 25 % more time and 60 % more peak memory (docs/trust.md, "Prime units").
DEFAULT_NEGATIVE_PRIOR = 0.0
BINNINGS = ("equal", "quantile")
SPLITS = ("train", "test", "val")
# Divergence reads the training and validation splits: every visualness method that tests
# on held-out products tests on `test`, and none reads `val`, so prime units learn from
# 1.5 times the images without seeing a test product (docs/trust.md, "Prime units").
DEFAULT_SPLIT = "train+val"
MAX_BINS = 255  # bin indices are stored as UTINYINT
# Counters are packed into signed 128-bit integers on DuckDB (HUGEINT) and 64-bit ones on
# Spark (BIGINT); the top bit stays clear.
PACK_BITS = 127
COUNTER_BITS = {"duckdb": PACK_BITS, "spark": 63}
# Keys of (word, unit) groups fit a perfect hash table up to this many bits (about 1,000
# words x 16,000 units); DuckDB's default (12) would send them to a general hash table.
PERFECT_HASH_BITS = 24
SKIPPED_IN_SUMMARY = 50
# Binned rows (products x units) per unit block by default: one block up to 30,500 products
# at 2,096 units. Measured at the paper's size (86,892 training images; docs/divergence.md,
# "Unit blocks"): 1 / 2 / 3 / 6 blocks peaked at 4.07 / 3.86 / 3.30 / 3.49 GB for 135 / 146 /
# 154 / 217 CPU s; this value makes 3 blocks there, under 4 GB with a margin for +14% CPU.
BLOCK_ROWS = 64_000_000


__all__ = [
    "DivergenceParams", "packing", "resolve_model", "run", "run_divergence", "unit_blocks",
]


@dataclass(frozen=True)
class DivergenceParams(Params):
    """Parameters of the divergence stage (validated on creation; errors name the CLI option).

    Attributes:
        scope: the scope whose universe (``scope_products``) and D+ sets are used.
        model_id: the CNN whose activations are binned; default the only registered model.
        n_bins: histogram bins per unit.
        binning: 'equal' (equal width between the unit's min and max over the split) or
            'quantile' (edges at the unit's quantiles, about equally filled bins; DuckDB).
        smoothing: weight of the uniform distribution mixed into every histogram,
            P = (1 - smoothing) * count / n + smoothing / n_bins; in (0, 1).
        min_positives: a word needs this many positives in the split, else it is skipped.
        min_negatives: likewise for negatives.
        top_k: prime units kept per word.
        split: the split whose products define the bins and histograms, or several joined
            by '+' (default 'train+val'; the paper's is 'train').
        null_draws: pseudo-words (random D+ of the word's size and category mix) per word;
            their divergences give ``kl_null``, ``kl_null_sd`` and ``kl_z`` of every row,
            by which prime units rank. 0 = none (prime units by raw KL, as in the paper).
        null_seed: seeds the pseudo-words' draws.
        negative_prior: category-matched scopes: pseudo-negatives shrinking each
            category × shop stratum's negative histogram towards its category's; 0 = none.
        unit_block: units binned, counted and scored per block (results do not depend on
            it); None = as many as keep a block within :data:`BLOCK_ROWS` binned rows (all
            units in one block below 30,500 products). Each block's working tables are
            freed when the next block replaces them, so the block bounds the stage's memory
            (docs/divergence.md, "Unit blocks"). Category-matched scopes bin all units at
            once.
    """

    scope: str = DEFAULT_SCOPE
    model_id: str | None = None
    n_bins: int = DEFAULT_BINS
    binning: str = "equal"
    smoothing: float = DEFAULT_SMOOTHING
    min_positives: int = DEFAULT_MIN_POSITIVES
    min_negatives: int = DEFAULT_MIN_NEGATIVES
    top_k: int = DEFAULT_TOP_K
    split: str = DEFAULT_SPLIT
    null_draws: int = DEFAULT_NULL_DRAWS
    null_seed: int = 0
    negative_prior: float = DEFAULT_NEGATIVE_PRIOR
    unit_block: int | None = None

    def __post_init__(self) -> None:
        if not 2 <= self.n_bins <= MAX_BINS:
            raise InputError(f"--n-bins must be between 2 and {MAX_BINS}, got {self.n_bins}")
        if self.binning not in BINNINGS:
            raise InputError(
                f"--binning must be one of {', '.join(BINNINGS)}, not {self.binning!r}"
            )
        if not 0.0 < self.smoothing < 1.0:
            raise InputError(f"--smoothing must be strictly between 0 and 1, got {self.smoothing}")
        if self.min_positives < 1 or self.min_negatives < 1:
            raise InputError("--min-positives and --min-negatives must be at least 1")
        if self.top_k < 1:
            raise InputError(f"--top-k must be at least 1, got {self.top_k}")
        parts = self.split.split("+")
        if any(part not in SPLITS for part in parts) or len(set(parts)) < len(parts):
            raise InputError(
                f"--split must be one of {', '.join(SPLITS)} or several joined by '+' "
                f"(e.g. train+val), not {self.split!r}"
            )
        if self.negative_prior < 0:
            raise InputError(f"--negative-prior must be 0 or more, got {self.negative_prior}")
        if self.null_draws < 0:
            raise InputError(f"--null-draws must be 0 or more, got {self.null_draws}")
        if self.unit_block is not None and self.unit_block < 1:
            raise InputError(f"unit_block must be at least 1, got {self.unit_block}")

    def record(self) -> dict[str, Any]:
        return {
            **super().record(),
            "smoothing_kind": "uniform mixture: (1 - smoothing) * count / n + smoothing / n_bins",
        }


def packing(n_bins: int, largest_side: int, bits: int = PACK_BITS) -> tuple[int, int, int]:
    """Field width, bins per counter and number of counters (chunks) per histogram.

    A bin's count never exceeds the number of products it is counted over, so fields of
    ``largest_side.bit_length()`` bits never carry into their neighbour. ``bits`` is the
    counter's usable width (:data:`COUNTER_BITS` of the engine).

    Raises:
        InputError: one count does not fit the counter.
    """
    field_bits = max(1, int(largest_side).bit_length())
    if field_bits > bits:
        raise InputError(f"a side of {largest_side} products does not fit a {bits}-bit counter")
    bins_per_chunk = max(1, bits // field_bits)
    return field_bits, bins_per_chunk, -(-n_bins // bins_per_chunk)


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


class _BlockClock(PhaseClock):
    """A :class:`PhaseClock` whose repeated phases (one lap per unit block) add up."""

    def lap(self, phase: str) -> None:
        before = self.seconds.get(phase, 0.0)
        super().lap(phase)
        self.seconds[phase] = round(before + self.seconds[phase], 3)


def unit_blocks(
    n_units: int, unit_block: int | None, n_products: int
) -> list[tuple[int, int]]:
    """The half-open unit ranges [lo, hi) the stage bins and counts one after another;
    ``unit_block`` None: as many units as keep a block's binned rows (products x units)
    within :data:`BLOCK_ROWS`."""
    size = unit_block or max(1, BLOCK_ROWS // max(n_products, 1))
    return [(lo, min(lo + size, n_units)) for lo in range(0, max(n_units, 1), size)]


def _definition(engine: Engine, scope: str) -> ScopeDefinition:
    """The scope's definition; Spark reads only how it draws negatives (sql/spark/)."""
    if isinstance(engine, DuckDBEngine):
        return scope_definition(engine.con, scope)
    rows = query_file(engine, "divergence/negatives", {"scope": scope}).to_pylist()
    return ScopeDefinition(negatives=rows[0]["negatives"] if rows else "random")


def run(
    engine: Engine,
    params: DivergenceParams,
    *,
    progress: bool = False,
    writes: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> dict[str, Any]:
    """Bin units, compute the symmetric KL of every word and unit, pick prime units.

    The one implementation for every engine: the statements of ``sql/divergence/`` in
    order (Spark runs the overrides of ``sql/spark/divergence/``). Category-matched
    negatives (:mod:`attrdb.context.matched`) and quantile bins run on DuckDB only.

    The bins and every unit block's KL rows are built in temp tables; the contract tables
    (``unit_bins``, ``unit_word_divergence``, the null tables, ``prime_units``) are written
    at the end, inside ``writes()`` (:func:`run_divergence`: one DuckDB transaction, so the
    blocks' working tables are freed between blocks and an interrupted run leaves the
    previous results). A category-matched scope writes ``unit_bins`` before its KL (which
    reads them), so its caller holds the whole run in one transaction.

    Returns:
        Summary: counts of products, units, constant units, words, skipped words (and the
        first of them with their counts), rows written, packing and seconds per phase.

    Raises:
        InputError: the model is unknown, or the scope or binning has no form on Spark.
        StateError: the split has no products of the scope with activations.
    """
    clock = _BlockClock()
    model_id = resolve_model(engine, params.model_id)
    scope, split, n_bins = params.scope, params.split, params.n_bins
    base = {"model_id": model_id, "scope": scope}
    definition = _definition(engine, scope)
    matched = definition.negatives == "category_matched"
    if not isinstance(engine, DuckDBEngine):
        if matched:
            raise InputError(
                f"scope {scope!r} draws {definition.negatives} negatives, "
                "which only the DuckDB divergence stage computes"
            )
        if params.binning != "equal":
            raise InputError(
                "only binning=equal has a Spark translation (quantile: see docs/spark.md)"
            )
    universe = query_file(engine, "divergence/universe", {**base, "split": split})
    n_products = int(universe.column(0)[0].as_py())
    if not n_products:
        raise StateError(
            f"scope {scope!r} has no {split} products with activations of model "
            f"{model_id!r}; run `attrdb vocab`, `attrdb split` and `attrdb extract` first"
        )
    # Words before bins: the pseudo-words' draw is the largest working set before the blocks,
    # and the activation vectors' pages, cached once the bins have read them, add to it.
    words = query_file(engine, "divergence/words", {
        **params.bind(),
        "match_field": definition.match_field if matched else None,
        "match_shop": definition.match_shop,
    }).to_pylist()
    kept = [(w["n_pos"], w["n_neg"]) for w in words if w["kept"]]
    skipped = [
        {"word": w["word"], "n_pos": int(w["n_pos"]), "n_neg": int(w["n_neg"])}
        for w in words
        if not w["kept"]
    ]
    largest_side = max((min(p, n) for p, n in kept), default=1)
    field_bits, per_chunk, n_chunks = packing(
        n_bins, largest_side, COUNTER_BITS[engine.dialect]
    )
    # Every file gets the same superset; each statement binds only what it names.
    step = {
        **base, "n_bins": n_bins, "smoothing": params.smoothing, "top_k": params.top_k,
        "bins_per_chunk": per_chunk, "field_bits": field_bits,
        "field_mask": (1 << field_bits) - 1,
    }
    run_file(engine, "divergence/sides", step)
    run_file(engine, "divergence/results")
    clock.lap("words")
    n_units = int(query_file(
        engine, f"divergence/unit_bins_{params.binning}", {**base, "n_bins": n_bins}
    ).column(0)[0].as_py())
    # Category-matched negatives (attrdb.context.matched) read every unit's binned rows.
    blocks = unit_blocks(n_units, n_units if matched else params.unit_block, n_products)
    if matched:
        run_file(engine, "divergence/publish_bins", base)  # context/matched_kl.sql reads them
    clock.lap("binning")
    summary: dict[str, Any] = {}
    # Binning, histograms and KL per unit block (each block's working tables hold only its
    # units); the null model and prime units below need all units.
    for lo, hi in track(blocks, desc="divergence", unit="block", enabled=progress):
        block = {**step, "unit_lo": lo, "unit_hi": hi}
        run_file(engine, f"divergence/binned_{params.binning}", block)
        run_file(engine, "divergence/block", block)
        clock.lap("binning")
        if matched and isinstance(engine, DuckDBEngine):
            # D- reweighted to D+'s categories (attrdb.context.matched, sql/context).
            summary["category_matched"] = matched_divergence(
                engine.con, model_id=model_id, scope=scope, definition=definition,
                n_bins=n_bins, smoothing=params.smoothing,
                min_positives=params.min_positives, min_negatives=params.min_negatives,
                negative_prior=params.negative_prior,
            )
            if summary["category_matched"]["n_categories"] < 2:
                # `attrdb run` prints a summary's warnings; `attrdb divergence` its match line.
                summary["warnings"] = [match_line(summary["category_matched"])]
        else:
            for chunk in range(n_chunks):
                run_file(engine, "divergence/counts", {**block, "chunk": chunk})
            clock.lap("histograms")
            run_file(engine, "divergence/kl", block)
        clock.lap("kl")
    with writes():
        if not matched:
            run_file(engine, "divergence/publish_bins", base)
            run_file(engine, "divergence/publish_kl", base)
        if params.null_draws:
            run_file(engine, "divergence/null", base)
            clock.lap("null")
        run_file(engine, "divergence/prime_units", step)
        clock.lap("prime_units")
    # By position: Spark names every unaliased scalar subquery alike.
    counts = query_file(engine, "divergence/summary", base)
    n_units, n_constant, n_rows, n_prime = (int(c[0].as_py()) for c in counts.columns)
    run_file(engine, "divergence/cleanup")
    summary.update(
        model_id=model_id,
        n_products=n_products,
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
        n_unit_blocks=len(blocks),
        seconds=clock.seconds,
    )
    return summary


def run_divergence(
    con: duckdb.DuckDBPyConnection, *, progress: bool = False, **params: Any
) -> dict[str, Any]:
    """Run the divergence stage on a DuckDB database (:func:`run`, recorded in ``runs``).

    Replaces the scope's and model's rows of ``unit_bins``, ``unit_word_divergence``,
    the null tables and ``prime_units`` in one transaction at the end of the run (an
    interrupted or failed run leaves the previous results, and ``runs`` says how it ended);
    the unit blocks before it work in temp tables outside any transaction, so each block's
    tables are freed when the next replaces them.

    Args:
        con: an open attrdb database after ``vocab``, ``split`` and ``extract``.
        progress: show a progress bar over the bin chunks.
        **params: fields of :class:`DivergenceParams`.

    Returns:
        The summary of :func:`run`.

    Raises:
        InputError: a parameter is out of range or the model is unknown.
        StateError: an input stage has not run, the scope was redefined since its
            vocabulary was chosen, or the split has no products of the scope with
            activations.
    """
    chosen = DivergenceParams(**params)
    require_inputs(con, "divergence")
    chosen = replace(chosen, model_id=resolve_model(con, chosen.model_id))
    # Refuses a scope redefined since its vocabulary was chosen (attrdb.context.scopes).
    definition = ensure_scope_current(con, chosen.scope, upstream=("vocab",))
    record = {**chosen.record(), "scope_definition": definition.as_dict()}
    # A category-matched run writes unit_bins before its KL: all of it in one transaction.
    whole = definition.negatives == "category_matched"
    with _tuned(con), recorded(
        con, "divergence", record, scope=chosen.scope, transaction=whole
    ) as (engine, run_):
        if whole:
            run_.summary.update(run(engine, chosen, progress=progress))
        else:
            try:
                run_.summary.update(run(
                    engine, chosen, progress=progress, writes=lambda: one_transaction(con)
                ))
            finally:
                # Outside a transaction, a failed run's working tables would outlive it.
                run_file(engine, "divergence/cleanup")
    return dict(run_.summary)
