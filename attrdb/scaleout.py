"""attrdb's SQL stages on a distributed engine (Spark), fed and drained through Parquet.

Nothing here knows what a stage computes: the SQL stages of :data:`attrdb.stages.STAGES`
(dedup, split, divergence, depth) each have one ``run(engine, params)``, which this
module calls on a Spark engine exactly as ``attrdb dedup`` and the others call it on
DuckDB (tests/test_spark.py checks both give the same rows). What a run reads and writes,
and the ``--param`` names it takes, come from the stage objects.

The usual flow: ``attrdb export --stage S --out IN`` (DuckDB -> Parquet),
``attrdb spark S --input IN --output OUT`` (on a cluster or locally), ``attrdb import
OUT`` (Parquet -> DuckDB), then the Python stages continue in DuckDB.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from attrdb.engines.base import Engine
from attrdb.errors import InputError
from attrdb.exchange import (
    export_tables,
    import_tables,
    load_exchange,
    require_exchange_tables,
    write_exchange,
)
from attrdb.resources import sql_dir
from attrdb.stages import DEFAULT_SCOPE, Params, Stage, sql_stages


def spark_sql_files() -> list[str]:
    """Names (``area/file``) of the SQL files the Spark stages may run, overrides included."""
    root = sql_dir()
    areas = [s.name for s in sql_stages()] + ["spark"]
    names = [
        path.relative_to(root).with_suffix("").as_posix()
        for area in areas
        for path in sorted((root / area).rglob("*.sql"))
    ]
    return sorted(names)


def plan_for(stage: str) -> Stage:
    """A stage that runs on Spark; InputError names the stages there are."""
    found = {s.name: s for s in sql_stages()}
    if stage not in found:
        raise InputError(f"no SQL stage {stage!r} for Spark; stages: {', '.join(found)}")
    return found[stage]


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


def stage_params(stage: Stage, values: Mapping[str, Any], scope: str) -> Params:
    """The stage's parameters from ``--param`` text (defaults and checks: the dataclass)."""
    return stage.params_class().from_text(stage.name, values, scope)


def resolve_params(stage: Stage, values: Mapping[str, Any], scope: str) -> dict[str, Any]:
    """The values a Spark run of ``stage`` binds, as its output manifest records them."""
    return stage_params(stage, values, scope).bind()


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
        targets = [stage] if dot else [
            s for s in stages if name in plan_for(s).params_class().names() and name != "scope"
        ]
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
    scope: str = DEFAULT_SCOPE,
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
    chosen = {p.name: stage_params(p, (params or {}).get(p.name, {}), scope) for p in plans}
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
        summaries = {plan.name: plan.engine_run()(engine, chosen[plan.name]) for plan in plans}
        seconds = round(time.perf_counter() - started, 3)
        run = {
            "stage": "+".join(names),
            "stages": names,
            "scope": scope if any(p.scoped for p in plans) else None,
            "params": {stage: _jsonable(p.bind()) for stage, p in chosen.items()},
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
    scope: str = DEFAULT_SCOPE,
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
