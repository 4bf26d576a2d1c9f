"""attrdb's SQL stages on a distributed engine (Spark), fed and drained through Parquet.

A stage plan lists the SQL files a stage runs, in order, with the parameters each gets,
the tables the stage reads and the tables it writes: the same files and order as the
stage's DuckDB function (``attrdb.dedup.run_dedup`` and so on), so both engines compute
the same rows (tests/test_spark_parity.py checks it). Where a DuckDB statement has no
Spark form (a recursive CTE with ``USING KEY``), the plan swaps that one statement for a
loop over Spark SQL files in ``sql/spark/`` that computes the same table.

The usual flow: ``attrdb export --stage S --out IN`` (DuckDB → Parquet),
``attrdb spark S --input IN --output OUT`` (on a cluster or locally), ``attrdb import
OUT`` (Parquet → DuckDB), then the Python stages continue in DuckDB.
"""

from __future__ import annotations

import math
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

from attrdb.engines.base import Engine, EngineError
from attrdb.engines.transpile import query_file, run_statement, statements_for
from attrdb.errors import InputError
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


@dataclass(frozen=True)
class SqlStep:
    """Run one SQL file with some of the stage's parameters.

    Args:
        file: the file under ``sql/`` (without ``.sql``).
        params: the stage parameters it binds.
        spark_loops: on Spark, the statement creating each named table is replaced by a
            :class:`Loop`.
    """

    file: str
    params: tuple[str, ...] = ()
    spark_loops: Mapping[str, Loop] = field(default_factory=dict)


@dataclass(frozen=True)
class ArrowStep:
    """Register an Arrow table built from the stage's parameters (a bound list of words)."""

    name: str
    build: Callable[[Mapping[str, Any]], pa.Table]


@dataclass(frozen=True)
class StagePlan:
    """What one SQL stage reads, writes, runs and reports."""

    stage: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    steps: tuple[SqlStep | ArrowStep, ...]
    defaults: Mapping[str, Any]
    prepare: Callable[[dict[str, Any]], dict[str, Any]]
    summary: str
    scoped: bool = False


def _dedup_params(params: dict[str, Any]) -> dict[str, Any]:
    if not 0 < float(params["threshold"]) <= 1:
        raise InputError(f"threshold must be in (0, 1], not {params['threshold']}")
    return {"threshold": float(params["threshold"]), "seed": str(params["seed"])}


def _split_params(params: dict[str, Any]) -> dict[str, Any]:
    train, test, val = (float(params[k]) for k in ("train", "test", "val"))
    if min(train, test, val) < 0 or not math.isclose(train + test + val, 1.0, abs_tol=1e-9):
        raise InputError(f"split fractions must be >= 0 and sum to 1, not {train}/{test}/{val}")
    return {"seed": str(params["seed"]), "train": train, "test": test}


def _vocab_params(params: dict[str, Any]) -> dict[str, Any]:
    if params["kind"] not in ("adjective", "tag", "all"):
        raise InputError(f"kind must be adjective, tag or all, not {params['kind']!r}")
    prepared = {k: params[k] for k in ("scope", "kind")}
    prepared.update(top_n=int(params["top_n"]), min_count=int(params["min_count"]))
    words = params.get("exclude") or []
    if isinstance(words, str):
        words = [w for w in words.split(",")]
    # The form of English tokens.word (NFKC, lower case), as attrdb.vocab does.
    prepared["exclude"] = sorted(
        {unicodedata.normalize("NFKC", w).strip().lower() for w in words} - {""}
    )
    return prepared


def _exclusions(params: Mapping[str, Any]) -> pa.Table:
    return pa.table({"word": pa.array(params["exclude"], type=pa.string())})


PLANS: dict[str, StagePlan] = {
    "dedup": StagePlan(
        stage="dedup",
        reads=("products", "tokens", "stop_words"),
        writes=("duplicate_groups",),
        steps=(
            SqlStep("dedup/bags"),
            SqlStep(
                "dedup/groups",
                ("threshold", "seed"),
                spark_loops={
                    "dedup_components": Loop("dedup/components_init", "dedup/components_step")
                },
            ),
        ),
        defaults={"threshold": 0.1, "seed": 0},
        prepare=_dedup_params,
        summary="dedup/summary",
    ),
    "vocab": StagePlan(
        stage="vocab",
        reads=("products", "duplicate_groups", "kept_products", "scopes", "tokens"),
        writes=("scope_products", "vocabulary", "word_products"),
        steps=(
            ArrowStep("vocab_exclude", _exclusions),
            SqlStep("vocab/scope_products", ("scope",)),
            SqlStep("vocab/vocabulary", ("scope", "kind", "top_n", "min_count")),
        ),
        defaults={"kind": "adjective", "top_n": 250, "min_count": 5, "exclude": []},
        prepare=_vocab_params,
        summary="vocab/summary",
        scoped=True,
    ),
    "split": StagePlan(
        stage="split",
        reads=("products",),
        writes=("splits",),
        steps=(SqlStep("split/assign", ("seed", "train", "test")),),
        defaults={"seed": 0, "train": 0.5, "test": 0.25, "val": 0.25},
        prepare=_split_params,
        summary="split/summary",
    ),
}


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
        if isinstance(value, str) and not isinstance(default, str) and default is not None:
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
        raise InputError(
            f"{stage}: parameter {name}={value!r} is not a {type(default).__name__}"
        ) from exc
    return value


def run_plan(engine: Engine, plan: StagePlan, params: Mapping[str, Any]) -> dict[str, Any]:
    """Run a stage plan's steps on ``engine``; returns the summary file's first row."""
    for step in plan.steps:
        if isinstance(step, ArrowStep):
            engine.register_arrow(step.name, step.build(params))
            continue
        bound = {k: params[k] for k in step.params}
        origin = f"sql/{step.file}.sql"
        for statement in statements_for(engine, step.file):
            loop = _loop_for(engine, statement.text, step.spark_loops)
            if loop is None:
                run_statement(engine, statement, bound, origin=origin)
            else:
                _run_loop(engine, loop, bound)
    rows = query_file(engine, plan.summary, params).to_pylist()
    if plan.summary == "split/summary":
        return {row["split"]: row["n_products"] for row in rows}
    return dict(rows[0]) if rows else {}


def _loop_for(engine: Engine, sql: str, loops: Mapping[str, Loop]) -> Loop | None:
    if engine.dialect != "spark" or not loops:
        return None
    tree = sqlglot.parse_one(sql, read="spark")
    if isinstance(tree, exp.Create) and str(tree.kind).upper() == "TABLE":
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        return loops.get(target.name)
    return None


def _run_loop(engine: Engine, loop: Loop, params: Mapping[str, Any]) -> int:
    query_or_run = statements_for(engine, loop.init)
    for statement in query_or_run:
        run_statement(engine, statement, params, origin=f"sql/spark/{loop.init}.sql")
    for round_no in range(1, loop.max_rounds + 1):
        changed = query_file(engine, loop.step, params).column(0)[0].as_py()
        if not changed:
            return round_no
    raise EngineError(
        f"sql/spark/{loop.step}.sql still changes rows after {loop.max_rounds} rounds"
    )


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
            read what earlier ones wrote): dedup, vocab, split, ...
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

        engine = SparkEngine.start(master, conf=conf)
    try:
        started = time.perf_counter()
        load_exchange(engine, input_dir)
        summaries = {plan.stage: run_plan(engine, plan, resolved[plan.stage]) for plan in plans}
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
