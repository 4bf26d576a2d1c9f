"""Attributes over time: divergence per time window, from additive histogram counts.

A *window set* puts a scope's products in periods by a time field (a value such as a year
or season, or a date truncated to year / quarter / month) and forms windows of one period
or of ``rolling`` consecutive periods. Every unit's histogram over a period's products,
and over each word's positives there, is stored per period (``time_period_*_counts``)
under the scope's fixed bin edges (``unit_bins`` of its divergence run). Histograms are
additive, so a window's D+ and D- histograms are sums of stored period counts, and the
symmetric KL per window, word and unit follows in SQL (``sql/timewindows/``), with the
null correction of the divergence stage (kl_z) when the scope has one.

Incremental by construction: each period keeps a fingerprint of its products and their
words; a run recounts only new or changed periods and recomputes only the windows holding
them. Ingesting a new month of listings (then text, dedup, vocab) therefore costs one
period's counts and the windows that contain it. ``force`` recounts everything.

Visualness per window is the visualness stage run on a window's scope (see
:func:`window_scope`), so it carries that stage's intervals. See docs/time.md.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from attrdb import stages
from attrdb.context.scopes import (
    DEFAULT_SCOPE,
    METADATA_PREFIX,
    ScopeDefinition,
    check_field,
    define_scope,
)
from attrdb.divergence import (
    DEFAULT_MIN_NEGATIVES,
    DEFAULT_MIN_POSITIVES,
    DEFAULT_SMOOTHING,
    resolve_model,
)
from attrdb.errors import InputError, StateError
from attrdb.runs import PhaseClock, stage_run
from attrdb.sqlfiles import query_sql_file, run_sql_file

PERIODS = ("value", "year", "quarter", "month")
SPLITS = ("all", "train", "test", "val")
DEFAULT_TOP_K = 20
DEFAULT_SHOWN = 5


def default_window_set(period: str, rolling: int) -> str:
    """The window set's name when none is given: the period, with the rolling length."""
    return period if rolling == 1 else f"{period}-rolling{rolling}"


def run_timewindows(
    con: duckdb.DuckDBPyConnection,
    *,
    time_field: str,
    period: str = "month",
    rolling: int = 1,
    window_set: str | None = None,
    scope: str = DEFAULT_SCOPE,
    model_id: str | None = None,
    split: str = "all",
    min_positives: int = DEFAULT_MIN_POSITIVES,
    min_negatives: int = DEFAULT_MIN_NEGATIVES,
    smoothing: float = DEFAULT_SMOOTHING,
    top_k: int = DEFAULT_TOP_K,
    force: bool = False,
) -> dict[str, Any]:
    """Count new or changed periods and compute the divergence of every affected window.

    Args:
        con: an open attrdb database after ``attrdb divergence`` on the scope (its bin
            edges are the windows' edges).
        time_field: 'category' or 'metadata.<key>' holding each product's time, e.g.
            'metadata.catalog_add_date' (unix seconds) or 'metadata.year'.
        period: 'value' (the field's value is the period), or 'year' / 'quarter' / 'month'
            of a date (a number is unix seconds, text an ISO date).
        rolling: periods per window (1 = one window per period).
        window_set: the set's name; default the period (and rolling length).
        scope: the scope whose products, words and bin edges are used.
        model_id: the CNN; default the only registered model.
        split: 'all' or one split: which of the scope's products the windows count.
        min_positives: a word needs this many positives in a window, else it is skipped.
        min_negatives: likewise for negatives.
        smoothing: the divergence stage's uniform mixture weight.
        top_k: prime units kept per window and word.
        force: recount every period and recompute every window.

    Returns:
        Summary: periods (total, recounted, removed), windows (total, recomputed), products
        dated and undated, seconds per phase, and per window its size and top words.

    Raises:
        InputError: a bad parameter or model.
        StateError: the scope has no divergence bins for the model, or no dated product.
    """
    check_field(time_field, "time field")
    if period not in PERIODS:
        raise InputError(f"--period must be one of {', '.join(PERIODS)}, not {period!r}")
    if split not in SPLITS:
        raise InputError(f"--split must be one of {', '.join(SPLITS)}, not {split!r}")
    if rolling < 1 or top_k < 1 or min_positives < 1 or min_negatives < 1:
        raise InputError("--rolling, --top-k, --min-positives and --min-negatives must be >= 1")
    if not 0.0 < smoothing < 1.0:
        raise InputError(f"--smoothing must be strictly between 0 and 1, got {smoothing}")
    stages.require(con, "activation_vectors", "word_products")
    stages.require(con, "unit_bins", note="on this scope: its bin edges are used")
    model_id = resolve_model(con, model_id)
    name = window_set or default_window_set(period, rolling)
    base = {"model_id": model_id, "scope": scope, "window_set": name}
    stored, stored_edges, edges, n_units, null = query_sql_file(con, "timewindows/set_get", base)[0]
    if not n_units:
        raise StateError(f"scope {scope!r} has no divergence bins for model {model_id!r}; "
                         "run `attrdb divergence` first (the windows use its bin edges)")
    counting = {"time_field": time_field, "period": period, "split": split}
    windowing = {"rolling": rolling, "min_positives": min_positives,
                 "min_negatives": min_negatives, "smoothing": smoothing, "top_k": top_k,
                 "null_fingerprint": int(null)}
    before = json.loads(stored) if stored else {}
    recount_all = force or before.get("counting") != counting or stored_edges != edges
    recompute_all = recount_all or before.get("windowing") != windowing
    params = {"model_id": model_id, "window_set": name, **counting, **windowing,
              "force": force}
    with stage_run(con, "timewindows", params, scope=scope) as run:
        clock = PhaseClock()
        lap, seconds = clock.lap, clock.seconds

        con.begin()
        try:
            n_dated, n_undated = query_sql_file(con, "timewindows/products", {
                "model_id": model_id, "scope": scope, "field": time_field, "period": period,
                "split": split})[0]
            if not n_dated:
                raise StateError(
                    f"no product of scope {scope!r} with activations has a value of "
                    f"{time_field!r} usable as a {period} ({n_undated} products without)")
            run_sql_file(con, "timewindows/fingerprints", {**base, "recount_all": recount_all})
            n_periods, n_recount, n_removed = query_sql_file(con, "timewindows/changes")[0]
            run_sql_file(con, "timewindows/count", {**base, "run_id": run.run_id})
            lap("count")
            n_windows, n_affected = query_sql_file(con, "timewindows/windows", {
                **base, "rolling": rolling, "recompute_all": recompute_all,
                "run_id": run.run_id})[0]
            run_sql_file(con, "timewindows/divergence", {
                **base, "min_positives": min_positives, "min_negatives": min_negatives,
                "smoothing": smoothing, "top_k": top_k, "run_id": run.run_id})
            lap("divergence")
            run_sql_file(con, "timewindows/set_put", {
                **base, "definition": json.dumps({"counting": counting, "windowing": windowing}),
                "edges_fingerprint": edges, "run_id": run.run_id})
            run_sql_file(con, "timewindows/cleanup")
            con.commit()
        except BaseException:
            con.rollback()
            raise
        windows = [
            {"window": w, "n_products": int(n), "n_words": int(k), "top_words": list(top)}
            for w, n, k, top in query_sql_file(
                con, "timewindows/summary", {**base, "n": DEFAULT_SHOWN})
        ]
        run.summary.update(
            model_id=model_id, window_set=name, n_dated=int(n_dated),
            n_undated=int(n_undated), n_periods=int(n_periods),
            n_recounted=int(n_recount), n_removed=int(n_removed), n_windows=int(n_windows),
            n_recomputed=int(n_affected), seconds=seconds, windows=windows,
        )
        return dict(run.summary)


def window_scope(
    con: duckdb.DuckDBPyConnection,
    time_field: str,
    values: list[str],
    name: str | None = None,
    base: ScopeDefinition | None = None,
) -> str:
    """Define (or keep) a scope holding the products whose time field has one of ``values``.

    A window as a scope: its vocabulary, divergence and visualness are then the ordinary
    stages run with ``--scope``, so per-window visualness carries the same intervals and
    support as the whole catalogue's. Only 'value' windows (e.g. a year column) can be
    expressed this way, since a scope filters on a field's values.

    Args:
        con: an open attrdb database.
        time_field: 'metadata.<key>' or 'category'.
        values: the field's values the window holds.
        name: the scope's name; default '<key>=<values joined by +>'.
        base: other options of the scope (boilerplate, negatives); default the defaults.

    Returns:
        The scope's name.
    """
    check_field(time_field, "time field")
    if not values:
        raise InputError("a window scope needs at least one value")
    key = time_field.removeprefix(METADATA_PREFIX)
    scope = name or f"{key}={'+'.join(values)}"
    definition = ScopeDefinition(**{
        **(base or ScopeDefinition()).as_dict(),
        "category_field": time_field,
        "categories": tuple(values),
    })
    existing = query_sql_file(con, "context/scope_get", {"scope": scope})
    if not existing or ScopeDefinition.from_json(existing[0][0]) != definition:
        define_scope(con, scope, definition, replace_existing=True)
    return scope
