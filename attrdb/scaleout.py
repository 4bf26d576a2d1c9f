"""attrdb's SQL stages on a distributed engine (Spark), fed and drained through Parquet.

A stage plan lists the SQL files a stage runs, in order, with the parameters each gets,
the tables the stage reads and the tables it writes: the same files and order as the
stage's DuckDB function (``attrdb.dedup.run_dedup`` and so on), so both engines compute
the same rows (tests/test_spark.py checks it). Where a DuckDB statement has no Spark
form (bitstrings, a recursive CTE with ``USING KEY``), the plan swaps that one statement
for Spark SQL from ``sql/spark/`` that computes the same table, or a loop of it.

The usual flow: ``attrdb export --stage S --out IN`` (DuckDB → Parquet),
``attrdb spark S --input IN --output OUT`` (on a cluster or locally), ``attrdb import
OUT`` (Parquet → DuckDB), then the Python stages continue in DuckDB.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from attrdb import dedup, divergence, splits
from attrdb.engines.base import Engine, EngineError
from attrdb.engines.transpile import query_file, run_statement, statements_for
from attrdb.errors import InputError, StateError
from attrdb.exchange import (
    export_tables,
    import_tables,
    load_exchange,
    require_exchange_tables,
    write_exchange,
)


@dataclass(frozen=True)
class Loop:
    """Compute a table by repeating Spark SQL until nothing changes.

    ``init`` runs once; ``step`` runs until its last statement returns 0 (the number of
    rows it changed). Both are Spark SQL files under ``sql/spark/``.
    """

    init: str
    step: str
    max_rounds: int = 1000


# On Spark, the statement of a file that creates a named table can be replaced by a Spark
# SQL file (``sql/spark/<name>.sql``) or a Loop computing the same table.
Replacements = Mapping[str, "str | Loop"]


@dataclass(frozen=True)
class StagePlan:
    """One SQL stage: what it reads and writes, its parameters, and how it runs.

    ``run(engine, params)`` runs the stage's SQL files in the order the stage's DuckDB
    function does and returns its summary; ``prepare`` checks and completes the
    parameters (defaults from ``defaults``, the scope added).
    """

    stage: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    defaults: Mapping[str, Any]
    prepare: Callable[[dict[str, Any]], dict[str, Any]]
    run: Callable[[Engine, dict[str, Any]], dict[str, Any]]
    scoped: bool = False


def run_sql(
    engine: Engine,
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    replace: Replacements | None = None,
) -> None:
    """Run ``sql/<name>.sql`` on ``engine``, with Spark replacements of some statements."""
    origin = f"sql/{name}.sql"
    for statement in statements_for(engine, name):
        replacement = _replacement(engine, statement.text, replace or {})
        if replacement is None:
            run_statement(engine, statement, params, origin=origin)
        elif isinstance(replacement, Loop):
            _run_loop(engine, replacement, params or {})
        else:
            for spark in statements_for(engine, replacement):
                run_statement(engine, spark, params, origin=f"sql/spark/{replacement}.sql")


def query_rows(
    engine: Engine, name: str, params: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Run ``sql/<name>.sql`` on ``engine`` and return its last statement's rows."""
    return query_file(engine, name, params).to_pylist()


def _replacement(engine: Engine, sql: str, replace: Replacements) -> str | Loop | None:
    if engine.dialect != "spark" or not replace:
        return None
    tree = sqlglot.parse_one(sql, read="spark")
    if isinstance(tree, exp.Create) and str(tree.kind).upper() == "TABLE":
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        return replace.get(target.name)
    return None


def _run_loop(engine: Engine, loop: Loop, params: Mapping[str, Any]) -> int:
    for statement in statements_for(engine, loop.init):
        run_statement(engine, statement, params, origin=f"sql/spark/{loop.init}.sql")
    for round_no in range(1, loop.max_rounds + 1):
        changed = query_file(engine, loop.step, params).column(0)[0].as_py()
        if not changed:
            return round_no
    raise EngineError(
        f"sql/spark/{loop.step}.sql still changes rows after {loop.max_rounds} rounds"
    )


def _first(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return dict(rows[0]) if rows else {}


# --- dedup and split (attrdb.dedup, attrdb.splits) ------------------------------------


def _dedup_params(params: dict[str, Any]) -> dict[str, Any]:
    if not 0 < float(params["threshold"]) <= 1:
        raise InputError(f"threshold must be in (0, 1], not {params['threshold']}")
    return {"threshold": float(params["threshold"]), "seed": str(params["seed"])}


def _run_dedup(engine: Engine, params: dict[str, Any]) -> dict[str, Any]:
    width = query_file(engine, "dedup/bags").column(0)[0].as_py()
    replace: dict[str, str | Loop] = {
        "dedup_rep": "dedup/rep",
        "dedup_edges": "dedup/edges",
        "dedup_components": Loop("dedup/components_init", "dedup/components_step"),
    }
    run_sql(engine, "dedup/groups", {**params, "width": width}, replace=replace)
    summary = _first(query_rows(engine, "dedup/summary"))
    n = summary.get("n_products") or 0
    summary["removed_share"] = round(summary["n_removed"] / n, 4) if n else 0.0
    return summary


def _split_params(params: dict[str, Any]) -> dict[str, Any]:
    train, test, val = (float(params[k]) for k in ("train", "test", "val"))
    if min(train, test, val) < 0 or not math.isclose(train + test + val, 1.0, abs_tol=1e-9):
        raise InputError(f"split fractions must be >= 0 and sum to 1, not {train}/{test}/{val}")
    return {"seed": str(params["seed"]), "train": train, "test": test}


def _run_split(engine: Engine, params: dict[str, Any]) -> dict[str, Any]:
    run_sql(engine, "split/assign", params)
    return {row["split"]: row["n_products"] for row in query_rows(engine, "split/summary")}


# --- divergence and depth (attrdb.divergence, attrdb.depth) ----------------------------


def _divergence_params(params: dict[str, Any]) -> dict[str, Any]:
    max_bins, split_names = divergence.MAX_BINS, divergence.SPLITS
    prepared = dict(params)
    for name in ("n_bins", "min_positives", "min_negatives", "top_k", "null_draws", "null_seed"):
        prepared[name] = int(prepared[name])
    prepared["smoothing"] = float(prepared["smoothing"])
    if not 2 <= prepared["n_bins"] <= max_bins:
        raise InputError(f"n_bins must be between 2 and {max_bins}, got {prepared['n_bins']}")
    if not 0.0 < prepared["smoothing"] < 1.0:
        raise InputError(f"smoothing must be strictly between 0 and 1, got {prepared['smoothing']}")
    if min(prepared["min_positives"], prepared["min_negatives"], prepared["top_k"]) < 1:
        raise InputError("min_positives, min_negatives and top_k must be at least 1")
    if prepared["null_draws"] < 0:
        raise InputError(f"null_draws must be 0 or more, got {prepared['null_draws']}")
    if prepared["split"] not in split_names:
        raise InputError(
            f"split must be one of {', '.join(split_names)}, not {prepared['split']!r}"
        )
    if prepared["binning"] != "equal":
        raise InputError("only binning=equal has a Spark translation (quantile: see docs/spark.md)")
    return prepared


def _model(engine: Engine, model_id: str | None) -> str:
    models = [row["model_id"] for row in query_rows(engine, "divergence/models")]
    if model_id is None and len(models) == 1:
        return str(models[0])
    if model_id is None:
        raise StateError(f"{len(models)} models are registered; pass model_id")
    if model_id not in models:
        raise InputError(f"model {model_id!r} is not registered")
    return model_id


# DuckDB packs a chunk's bin counts into 127 bits (HUGEINT); Spark's BIGINT has 63.
SPARK_PACK_BITS = 63


def spark_packing(n_bins: int, largest_side: int) -> tuple[int, int, int]:
    """attrdb.divergence.packing for 63-bit counters: field bits, bins per chunk, chunks."""
    field_bits = max(1, int(largest_side).bit_length())
    bins_per_chunk = max(1, SPARK_PACK_BITS // field_bits)
    if field_bits * min(bins_per_chunk, n_bins) > SPARK_PACK_BITS:
        raise InputError(f"a side of {largest_side} products does not fit a 63-bit counter")
    return field_bits, bins_per_chunk, -(-n_bins // bins_per_chunk)


def _run_divergence(engine: Engine, params: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    model_id = _model(engine, params.get("model_id"))
    base = {"model_id": model_id, "scope": params["scope"]}
    negatives = query_rows(engine, "divergence/negatives", base)
    if negatives and negatives[0]["negatives"] != "random":
        raise InputError(
            f"scope {params['scope']!r} draws {negatives[0]['negatives']} negatives, "
            "which only the DuckDB divergence stage computes"
        )
    n_bins = params["n_bins"]
    universe = query_file(engine, "divergence/universe", {**base, "split": params["split"]})
    n_products = int(universe.column(0)[0].as_py())
    if not n_products:
        raise StateError(
            f"scope {params['scope']!r} has no {params['split']} products with activations"
        )
    run_sql(engine, f"divergence/unit_bins_{params['binning']}", {**base, "n_bins": n_bins})
    run_sql(engine, f"divergence/binned_{params['binning']}", {**base, "n_bins": n_bins})
    # Random negatives only (checked above): one stratum for the pseudo-words.
    words = query_rows(engine, "divergence/words", {
        **params, "match_field": None, "match_shop": False,
    })
    kept = [(w["n_pos"], w["n_neg"]) for w in words if w["kept"]]
    largest_side = max((min(p, n) for p, n in kept), default=1)
    pack = spark_packing if engine.dialect == "spark" else divergence.packing
    field_bits, per_chunk, n_chunks = pack(n_bins, largest_side)
    # Every file gets the same superset; each statement binds only what it names.
    step = {**base, "n_bins": n_bins, "smoothing": params["smoothing"], "top_k": params["top_k"]}
    step.update(bins_per_chunk=per_chunk, field_bits=field_bits, field_mask=(1 << field_bits) - 1)
    run_sql(engine, "divergence/sides", step)
    for chunk in range(n_chunks):
        run_sql(engine, "divergence/counts", {**step, "chunk": chunk})
    run_sql(engine, "divergence/kl", step)
    if params["null_draws"]:
        run_sql(engine, "divergence/null", base)
    run_sql(engine, "divergence/prime_units", step)
    # By position: Spark names every unaliased scalar subquery alike.
    summary = query_file(engine, "divergence/summary", base)
    n_units, n_constant, n_rows, n_prime = (int(c[0].as_py()) for c in summary.columns)
    run_sql(engine, "divergence/cleanup")
    return {
        "model_id": model_id,
        "n_products": n_products,
        "n_units": n_units,
        "n_constant_units": n_constant,
        "n_words": len(kept),
        "n_skipped": len(words) - len(kept),
        "skipped": [
            {"word": w["word"], "n_pos": int(w["n_pos"]), "n_neg": int(w["n_neg"])}
            for w in words
            if not w["kept"]
        ][: divergence.SKIPPED_IN_SUMMARY],
        "n_divergence_rows": n_rows,
        "n_prime_unit_rows": n_prime,
        "field_bits": field_bits,
        "bins_per_chunk": per_chunk,
        "n_chunks": n_chunks,
        "seconds": {engine.dialect: round(time.perf_counter() - started, 3)},
    }


def _depth_params(params: dict[str, Any]) -> dict[str, Any]:
    return {"scope": params["scope"], "model_id": params.get("model_id")}


def _run_depth(engine: Engine, params: dict[str, Any]) -> dict[str, Any]:
    base = {"model_id": _model(engine, params.get("model_id")), "scope": params["scope"]}
    if not query_file(engine, "depth/divergence_exists", base).column(0)[0].as_py():
        raise StateError(f"no divergences for model {base['model_id']!r}; run divergence first")
    run_sql(engine, "depth/layer_depth", base)
    summary = _first(query_rows(engine, "depth/summary", base))
    return {"model_id": base["model_id"], **summary}


PLANS: dict[str, StagePlan] = {
    "dedup": StagePlan(
        stage="dedup",
        reads=("products", "tokens", "stop_words"),
        writes=("duplicate_groups",),
        defaults={"threshold": dedup.DEFAULT_THRESHOLD, "seed": dedup.DEFAULT_SEED},
        prepare=_dedup_params,
        run=_run_dedup,
    ),
    "split": StagePlan(
        stage="split",
        reads=("products",),
        writes=("splits",),
        defaults={
            "seed": 0,
            **dict(zip(("train", "test", "val"), splits.DEFAULT_FRACTIONS, strict=True)),
        },
        prepare=_split_params,
        run=_run_split,
    ),
    "divergence": StagePlan(
        stage="divergence",
        reads=(
            "models",
            "scopes",
            "activation_vectors",
            "splits",
            "scope_products",
            "vocabulary",
            "word_products",
            "units",
            "products",
        ),
        writes=("unit_bins", "unit_word_divergence", "prime_units", "unit_divergence_null",
                "divergence_null_sizes", "layer_divergence_null"),
        defaults={
            "model_id": None,
            "n_bins": divergence.DEFAULT_BINS,
            "binning": "equal",
            "smoothing": divergence.DEFAULT_SMOOTHING,
            "min_positives": divergence.DEFAULT_MIN_POSITIVES,
            "min_negatives": divergence.DEFAULT_MIN_NEGATIVES,
            "top_k": divergence.DEFAULT_TOP_K,
            "split": "train",
            "null_draws": divergence.DEFAULT_NULL_DRAWS,
            "null_seed": 0,
        },
        prepare=_divergence_params,
        run=_run_divergence,
        scoped=True,
    ),
    "depth": StagePlan(
        stage="depth",
        reads=("models", "units", "unit_word_divergence", "layer_divergence_null"),
        writes=("layer_depth",),
        defaults={"model_id": None},
        prepare=_depth_params,
        run=_run_depth,
        scoped=True,
    ),
}


# The sql/ folders the Spark plans run files from (the snapshot tests cover them all).
SPARK_SQL_AREAS = ("dedup", "split", "divergence", "depth")


def spark_sql_files() -> list[str]:
    """Names (``area/file``) of the SQL files the Spark plans may run, overrides included."""
    from attrdb.resources import sql_dir

    root = sql_dir()
    names = [
        path.relative_to(root).with_suffix("").as_posix()
        for area in (*SPARK_SQL_AREAS, "spark")
        for path in sorted((root / area).rglob("*.sql"))
    ]
    return sorted(names)


def plan_for(stage: str) -> StagePlan:
    """The plan of a SQL stage; InputError names the stages there are."""
    if stage not in PLANS:
        raise InputError(f"no SQL stage {stage!r} for Spark; stages: {', '.join(PLANS)}")
    return PLANS[stage]


def stage_tables(stages: Sequence[str]) -> tuple[list[str], list[str]]:
    """Tables a run of ``stages`` (in order) needs from outside, and the tables it writes."""
    needed: list[str] = []
    written: list[str] = []
    for stage in stages:
        plan = plan_for(stage)
        needed += [t for t in plan.reads if t not in written and t not in needed]
        written += [t for t in plan.writes if t not in written]
    # A stage deletes and inserts its own rows, so the tables it writes come in too.
    needed += [t for t in written if t not in needed]
    return needed, written


def resolve_params(plan: StagePlan, params: Mapping[str, Any], scope: str) -> dict[str, Any]:
    """The plan's defaults overridden by ``params`` (strings coerced to the default's type)."""
    unknown = set(params) - set(plan.defaults)
    if unknown:
        raise InputError(
            f"{plan.stage} has no parameter {', '.join(sorted(unknown))}; "
            f"it takes {', '.join(plan.defaults) or 'none'}"
        )
    resolved: dict[str, Any] = {}
    for name, default in plan.defaults.items():
        value = params.get(name, default)
        if isinstance(value, str) and default is not None and not isinstance(default, str):
            value = _coerce(plan.stage, name, value, default)
        resolved[name] = value
    resolved["scope"] = scope
    return plan.prepare(resolved)


def _coerce(stage: str, name: str, value: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return value.lower() in ("1", "true", "yes")
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, list):
            return [v for v in value.split(",") if v]
    except ValueError as exc:
        kind = type(default).__name__
        raise InputError(f"{stage}: parameter {name}={value!r} is not a {kind}") from exc
    return value


def parse_params(stages: Sequence[str], items: Iterable[str]) -> dict[str, dict[str, str]]:
    """Per-stage parameters from ``key=value`` or ``stage.key=value`` items (the CLI's).

    A bare key goes to every stage among ``stages`` that takes it (``seed`` to both dedup
    and split); a key no stage takes raises InputError.
    """
    result: dict[str, dict[str, str]] = {stage: {} for stage in stages}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param {item!r} is not KEY=VALUE or STAGE.KEY=VALUE")
        stage, dot, name = key.strip().rpartition(".")
        targets = [stage] if dot else [s for s in stages if name in plan_for(s).defaults]
        if dot and stage not in result:
            raise InputError(f"--param {item!r}: stage {stage!r} is not being run")
        if not targets:
            raise InputError(f"--param {item!r}: none of {', '.join(stages)} takes {name!r}")
        for target in targets:
            result[target][name] = value
    return result


def parse_conf(items: Iterable[str]) -> dict[str, str]:
    """Spark settings from ``key=value`` items (``--spark-conf``)."""
    conf: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--spark-conf {item!r} is not KEY=VALUE")
        conf[key.strip()] = value
    return conf


def run_sql_stage_on_spark(
    stages: str | Sequence[str],
    input_dir: str | Path,
    output_dir: str | Path,
    *,
    master: str = "local[2]",
    scope: str = "default",
    params: Mapping[str, Mapping[str, Any]] | None = None,
    conf: Mapping[str, str] | None = None,
    engine: Engine | None = None,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Run SQL stages on Spark: read an exchange folder, write the stages' tables to another.

    Args:
        stages: a stage name or several, run in order in one Spark session (later stages
            read what earlier ones wrote): dedup, split, divergence, depth.
        input_dir: an exchange folder from ``attrdb export`` holding what they read.
        output_dir: where the written tables go, for ``attrdb import``.
        master: Spark master URL (``local[2]``, ``spark://host:7077``, ``yarn``...).
        scope: the scope scoped stages write.
        params: per-stage parameters, e.g. ``{"dedup": {"threshold": 0.1}}``.
        conf: extra Spark settings.
        engine: an engine to use instead of starting a session (tests; not closed).
        overwrite: replace an earlier result in ``output_dir``.

    Returns:
        ``{"stages": {stage: summary}, "tables": {name: rows}, "seconds": s}``.

    Raises:
        InputError: unknown stage or parameter, or an input table missing.
        EngineError: Spark failed a statement (the message holds the SQL).
    """
    names = [stages] if isinstance(stages, str) else list(stages)
    plans = [plan_for(s) for s in names]
    resolved = {p.stage: resolve_params(p, (params or {}).get(p.stage, {}), scope) for p in plans}
    needed, written = stage_tables(names)
    require_exchange_tables(
        input_dir, needed, hint=f"export them with `attrdb export --stage {names[0]}`"
    )
    own = engine is None
    if engine is None:
        from attrdb.engines.spark import SparkEngine

        # A cluster's executors must reach the scratch folder: the output folder's storage.
        scratch = None if master.startswith("local") else f"{output_dir}/_scratch"
        engine = SparkEngine.start(master, conf=conf, scratch=scratch)
    try:
        started = time.perf_counter()
        load_exchange(engine, input_dir)
        summaries = {plan.stage: plan.run(engine, resolved[plan.stage]) for plan in plans}
        seconds = round(time.perf_counter() - started, 3)
        run = {
            "stage": "+".join(names),
            "stages": names,
            "scope": scope if any(p.scoped for p in plans) else None,
            "params": {stage: _jsonable(p) for stage, p in resolved.items()},
            "summary": summaries,
            "master": master,
            "seconds": seconds,
        }
        counts = write_exchange(engine, written, output_dir, run=run, overwrite=overwrite)
    finally:
        if own:
            engine.close()
    return {"stages": summaries, "tables": counts, "seconds": seconds}


def run_stages_via_spark(
    con: duckdb.DuckDBPyConnection,
    stages: Sequence[str],
    *,
    master: str = "local[2]",
    scope: str = "default",
    params: Mapping[str, Mapping[str, Any]] | None = None,
    conf: Mapping[str, str] | None = None,
    work_dir: str | Path | None = None,
    engine: Engine | None = None,
) -> dict[str, Any]:
    """Export, run on Spark and import back in one call (``--engine spark``).

    The exchange folders go under ``work_dir`` (default: a temporary folder removed
    afterwards); on a cluster, pass a folder every executor can read (HDFS, S3, NFS).
    """
    needed, _ = stage_tables(stages)
    with tempfile.TemporaryDirectory(prefix="attrdb-spark-") as scratch:
        base = Path(work_dir) if work_dir is not None else Path(scratch)
        export_tables(con, needed, base / "input", overwrite=True)
        result = run_sql_stage_on_spark(
            stages,
            base / "input",
            base / "output",
            master=master,
            scope=scope,
            params=params,
            conf=conf,
            engine=engine,
            overwrite=True,
        )
        imported = import_tables(con, base / "output")
    result["imported"] = imported["tables"]
    return result


def export_for_stages(
    con: duckdb.DuckDBPyConnection,
    stages: Iterable[str],
    out: str | Path,
    *,
    extra: Iterable[str] = (),
    overwrite: bool = False,
) -> dict[str, Any]:
    """Export what ``stages`` read and write (plus ``extra`` tables) for a Spark run."""
    needed, _ = stage_tables(list(stages))
    return export_tables(con, [*needed, *extra], out, overwrite=overwrite)


def _jsonable(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}
