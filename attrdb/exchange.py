"""Move tables between an attrdb database and another engine as Parquet files.

An exchange folder holds one ``<table>.parquet`` per table (a single file when DuckDB
wrote it, a folder of part files when Spark did) and ``manifest.json``::

    {"format": 1, "producer": "duckdb" | "spark", "attrdb_version": ..., "created_at": ...,
     "tables": {name: {"rows": n, "columns": [{"name", "type", "default"}]}},
     "views": {name: "CREATE VIEW ... (DuckDB SQL)"},
     "run": {"stage", "scope", "params", "summary", "master", "seconds"}}   # Spark output

``attrdb export`` writes one from a database, the Spark stage runner reads it and writes
another with its results, and ``attrdb import`` loads that one back, replacing the rows
the stage owns (see :func:`import_tables`).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import sqlglot

from attrdb import __version__
from attrdb.context.scopes import DEFAULT_SCOPE
from attrdb.engines.base import Engine
from attrdb.engines.transpile import to_spark
from attrdb.errors import InputError, SchemaError, StateError
from attrdb.identifiers import quote_identifier
from attrdb.runs import stage_run
from attrdb.sqlfiles import Statement

MANIFEST = "manifest.json"
FORMAT = 1


def table_path(folder: str | Path, name: str) -> Path:
    """Where table ``name`` lives in an exchange folder."""
    return Path(folder) / f"{name}.parquet"


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The manifest of an exchange folder.

    Raises:
        InputError: the folder has no readable manifest of a known format.
    """
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise InputError(f"{folder}: not an attrdb exchange folder (no {MANIFEST})")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise InputError(f"{path}: exchange format {manifest.get('format')!r}, expected {FORMAT}")
    return manifest


def _prepare_folder(folder: Path, overwrite: bool) -> None:
    if (folder / MANIFEST).exists():
        if not overwrite:
            raise InputError(f"{folder} already holds an export; pass --overwrite to replace it")
        for old in read_manifest(folder).get("tables", {}):
            target = table_path(folder, old)
            shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
        (folder / MANIFEST).unlink()
    folder.mkdir(parents=True, exist_ok=True)


def _write_manifest(folder: Path, manifest: Mapping[str, Any]) -> None:
    # The manifest goes last: a folder without one is an unfinished export.
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str)
    (folder / MANIFEST).write_text(text + "\n", encoding="utf-8")


def _objects(con: duckdb.DuckDBPyConnection) -> tuple[set[str], dict[str, str]]:
    tables = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
            "AND database_name = current_database()"
        ).fetchall()
    }
    views = dict(
        con.execute(
            "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal "
            "AND schema_name = 'main' AND database_name = current_database()"
        ).fetchall()
    )
    return tables, views


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, Any]]:
    rows = con.execute(
        "SELECT column_name, data_type, column_default FROM duckdb_columns() "
        "WHERE table_name = $t AND schema_name = 'main' AND database_name = current_database() "
        "ORDER BY column_index",
        {"t": table},
    ).fetchall()
    return [{"name": n, "type": t, "default": d} for n, t, d in rows]


def export_tables(
    con: duckdb.DuckDBPyConnection,
    tables: Iterable[str],
    out: str | Path,
    *,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Write tables (as Parquet) and views (as their definitions) to an exchange folder.

    Args:
        con: the attrdb database.
        tables: table and view names; a view travels as its DuckDB definition, so list
            the tables it reads too.
        out: the folder to write (created if missing).
        overwrite: replace an earlier export in ``out``.

    Returns:
        ``{"tables": {name: rows}, "views": [names], "folder": out}``.

    Raises:
        InputError: a name is neither a table nor a view, or ``out`` holds an export.
    """
    names = list(dict.fromkeys(tables))
    if not names:
        raise InputError("no tables to export; name them with --tables or --stage")
    known_tables, known_views = _objects(con)
    unknown = [n for n in names if n not in known_tables and n not in known_views]
    if unknown:
        raise InputError(f"no table or view named {', '.join(unknown)} in the database")
    folder = Path(out)
    _prepare_folder(folder, overwrite)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "producer": "duckdb",
        "attrdb_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": {},
        "views": {},
    }
    counts: dict[str, int] = {}
    for name in names:
        if name in known_views:
            manifest["views"][name] = known_views[name]
            continue
        con.execute(
            f"COPY (SELECT * FROM {quote_identifier(name)}) TO $path (FORMAT parquet)",
            {"path": str(table_path(folder, name))},
        ).fetchall()
        rows = con.execute(f"SELECT count(*) FROM {quote_identifier(name)}").fetchall()[0][0]
        counts[name] = int(rows)
        manifest["tables"][name] = {"rows": int(rows), "columns": _columns(con, name)}
    _write_manifest(folder, manifest)
    return {"tables": counts, "views": sorted(manifest["views"]), "folder": str(folder)}


def load_exchange(engine: Engine, folder: str | Path) -> list[str]:
    """Make every table and view of an exchange folder queryable on ``engine``.

    Column defaults recorded in the manifest are given to engines that fill them
    themselves (Spark); views are created from their DuckDB definitions, translated.

    Returns:
        The names loaded, tables first.
    """
    manifest = read_manifest(folder)
    loaded: list[str] = []
    for name, info in manifest.get("tables", {}).items():
        path = table_path(folder, name)
        if not path.exists():
            raise InputError(f"{folder}: manifest lists {name} but {path.name} is missing")
        engine.register_parquet(name, path)
        set_defaults = getattr(engine, "set_defaults", None)
        if set_defaults is not None:
            set_defaults(name, _spark_defaults(info.get("columns", [])))
        loaded.append(name)
    for name, sql in manifest.get("views", {}).items():
        statement = Statement(sql.rstrip().rstrip(";"), frozenset())
        if engine.dialect == "spark":
            translated = to_spark(statement)
            assert translated is not None
            statement = translated
        engine.execute(statement.text, origin=f"view {name}")
        loaded.append(name)
    return loaded


def _spark_defaults(columns: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    defaults = {}
    for column in columns:
        default = column.get("default")
        if default:
            defaults[column["name"]] = sqlglot.transpile(default, read="duckdb", write="spark")[0]
    return defaults


def write_exchange(
    engine: Engine,
    tables: Iterable[str],
    out: str | Path,
    *,
    run: Mapping[str, Any] | None = None,
    overwrite: bool = False,
) -> dict[str, int]:
    """Write tables from ``engine`` to an exchange folder (the producer's own layout).

    Args:
        engine: where the tables are.
        tables: the tables to write.
        out: the folder (created if missing).
        run: what produced them (stage, scope, params, summary), kept in the manifest so
            ``attrdb import`` records the run.
        overwrite: replace an earlier exchange in ``out``.

    Returns:
        Rows written per table.
    """
    folder = Path(out)
    _prepare_folder(folder, overwrite)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "producer": engine.dialect,
        "attrdb_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": {},
        "views": {},
    }
    if run is not None:
        manifest["run"] = dict(run)
    counts: dict[str, int] = {}
    for name in tables:
        engine.write_parquet(name, table_path(folder, name))
        quoted = quote_identifier(name, engine.dialect)
        rows = engine.fetch_rows(f"SELECT count(*) AS n FROM {quoted}")[0]["n"]
        schema = engine.fetch_arrow(f"SELECT * FROM {quoted} LIMIT 0").schema
        columns = [{"name": f.name, "type": str(f.type), "default": None} for f in schema]
        counts[name] = int(rows)
        manifest["tables"][name] = {"rows": int(rows), "columns": columns}
    _write_manifest(folder, manifest)
    return counts


def import_tables(
    con: duckdb.DuckDBPyConnection,
    folder: str | Path,
    *,
    tables: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Load an exchange folder's tables into the database, in one transaction.

    When the folder records a run with a scope, a table with a ``scope`` column gets only
    that scope's rows replaced (stages write their own scope only); a table the run lists
    under ``keys`` (``{"table": [key columns]}``, e.g. a Spark extraction's vectors by
    model and product) gets the rows with the folder's keys replaced and keeps the rest;
    other tables are replaced whole. Each stage of the run is then recorded in ``runs``
    under its own name, with ``params.engine`` saying where it ran, so later stages see it
    like a local run.

    Args:
        con: the attrdb database (opened for writing).
        folder: an exchange folder, e.g. the output of ``attrdb spark``.
        tables: import only these (default: every table in the folder).

    Returns:
        ``{"tables": {name: rows}, "stages": [...], "scope": ...}``.

    Raises:
        InputError: the folder is not an exchange folder or lacks a named table.
        SchemaError: the database has no table of that name.
    """
    manifest = read_manifest(folder)
    available = manifest.get("tables", {})
    names = list(tables) if tables is not None else list(available)
    missing = [n for n in names if n not in available]
    if missing:
        raise InputError(f"{folder}: no table {', '.join(missing)} in this exchange folder")
    if not names:
        raise InputError(f"{folder}: the exchange folder holds no table")
    known_tables, _ = _objects(con)
    absent = [n for n in names if n not in known_tables]
    if absent:
        raise SchemaError(f"the database has no table {', '.join(absent)}; run `attrdb migrate`")
    run = manifest.get("run") or {}
    scope = run.get("scope")
    keys: dict[str, list[str]] = run.get("keys") or {}
    stages = run.get("stages") or ["import"]
    counts: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        for name in names:
            counts[name] = _replace_rows(con, folder, name, scope, keys.get(name))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    for stage in stages:
        params = dict((run.get("params") or {}).get(stage) or {})
        params.update(engine=manifest.get("producer"), imported_from=str(folder))
        if run.get("master"):
            params["spark_master"] = run["master"]
        with stage_run(con, stage, params, scope=scope or DEFAULT_SCOPE) as record:
            record.summary.update((run.get("summary") or {}).get(stage) or {})
            record.summary["spark_seconds"] = run.get("seconds")
            record.summary["imported_rows"] = counts
    return {"tables": counts, "stages": stages, "scope": scope}


def _replace_rows(
    con: duckdb.DuckDBPyConnection,
    folder: str | Path,
    name: str,
    scope: str | None,
    keys: Sequence[str] | None = None,
) -> int:
    path = table_path(folder, name)
    if not path.exists():
        raise InputError(f"{folder}: manifest lists {name} but {path.name} is missing")
    source = str(path / "*.parquet") if path.is_dir() else str(path)
    columns = {c["name"] for c in _columns(con, name)}
    table = quote_identifier(name)
    if keys:
        unknown = [k for k in keys if k not in columns]
        if unknown:
            raise InputError(f"{folder}: key {', '.join(unknown)} is not a column of {name}")
        match = " AND ".join(f"t.{quote_identifier(k)} = s.{quote_identifier(k)}" for k in keys)
        listed = ", ".join(quote_identifier(k) for k in keys)
        con.execute(
            f"DELETE FROM {table} AS t USING (SELECT DISTINCT {listed} FROM read_parquet($src)) "
            f"AS s WHERE {match}",
            {"src": source},
        )
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet($src)", {"src": source}
        )
    elif scope is not None and "scope" in columns:
        con.execute(f"DELETE FROM {table} WHERE scope = $scope", {"scope": scope})
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet($src) WHERE scope = $scope",
            {"src": source, "scope": scope},
        )
    else:
        con.execute(f"DELETE FROM {table}")
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet($src)", {"src": source}
        )
    rows = con.execute("SELECT count(*) FROM read_parquet($src)", {"src": source}).fetchall()
    if scope is not None and "scope" in columns:
        rows = con.execute(
            "SELECT count(*) FROM read_parquet($src) WHERE scope = $scope",
            {"src": source, "scope": scope},
        ).fetchall()
    return int(rows[0][0])


def require_exchange_tables(folder: str | Path, names: Iterable[str], *, hint: str) -> None:
    """Raise StateError when an exchange folder lacks tables a stage reads."""
    manifest = read_manifest(folder)
    have = set(manifest.get("tables", {})) | set(manifest.get("views", {}))
    lacking = [n for n in names if n not in have]
    if lacking:
        raise StateError(f"{folder} lacks {', '.join(lacking)}; {hint}")
