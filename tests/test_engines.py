"""The engine layer on DuckDB, the Parquet exchange and the export/import commands.

No Spark here (tests/test_spark.py has those): the DuckDB engine, the run_file path that
the Spark plans share, and export -> import round trips on the sample pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from attrdb.cli import app
from attrdb.connection import connect
from attrdb.engines import DuckDBEngine, EngineError, query_file, run_file
from attrdb.engines.base import engine_error
from attrdb.errors import InputError, SchemaError
from attrdb.exchange import MANIFEST, export_tables, import_tables, read_manifest
from attrdb.scaleout import (
    export_for_stages,
    parse_conf,
    parse_params,
    plan_for,
    resolve_params,
    stage_tables,
)
from attrdb.sqlfiles import query_sql_file
from tests.conftest import copy_db


@pytest.fixture
def engine() -> DuckDBEngine:
    return DuckDBEngine(duckdb.connect(), owned=True)


def test_execute_binds_named_parameters_and_fetches_arrow(engine: DuckDBEngine) -> None:
    engine.execute("CREATE TABLE t (word VARCHAR, n INTEGER)")
    engine.execute("INSERT INTO t VALUES ($w, $n)", {"w": "it's", "n": 3})
    table = engine.fetch_arrow("SELECT * FROM t WHERE word = $w", {"w": "it's"})
    assert table.to_pylist() == [{"word": "it's", "n": 3}]
    assert engine.fetch_rows("SELECT count(*) AS c FROM t") == [{"c": 1}]


def test_errors_name_engine_origin_and_sql(engine: DuckDBEngine) -> None:
    with pytest.raises(EngineError) as caught:
        engine.execute("SELECT * FROM no_such_table", origin="sql/x/y.sql")
    message = str(caught.value)
    assert message.startswith("sql/x/y.sql: duckdb CatalogException")
    assert "[in: SELECT * FROM no_such_table]" in message
    assert "\n" not in message


def test_error_wrapper_shows_the_java_cause_of_py4j_errors() -> None:
    exc = RuntimeError("An error occurred while calling o1.count.\n: java.lang.OutOfMemoryError")
    error = engine_error("spark", exc, "SELECT  1\n FROM t", "f.sql")
    assert (
        str(error) == "f.sql: spark RuntimeError: java.lang.OutOfMemoryError [in: SELECT 1 FROM t]"
    )


def test_arrow_and_parquet_in_and_out(engine: DuckDBEngine, tmp_path: Path) -> None:
    engine.register_arrow("a", pa.table({"x": [1, 2, 3]}))
    assert engine.table_exists("a") and not engine.table_exists("b")
    engine.execute("CREATE TABLE b AS SELECT x * 2 AS y FROM a")
    engine.write_parquet("b", tmp_path / "b.parquet")
    engine.register_parquet("c", tmp_path / "b.parquet")
    assert engine.fetch_rows("SELECT sum(y) AS s FROM c") == [{"s": 12}]
    # A folder of part files (what Spark writes) reads the same.
    (tmp_path / "parts").mkdir()
    engine.write_parquet("b", tmp_path / "parts" / "part-0.parquet")
    engine.register_parquet("d", tmp_path / "parts")
    assert engine.fetch_rows("SELECT count(*) AS n FROM d") == [{"n": 3}]


def test_run_file_on_duckdb_is_the_stage_sql(text_db: Path, tmp_path: Path) -> None:
    con = connect(copy_db(text_db, tmp_path, "t.duckdb"))
    try:
        before = query_sql_file(con, "split/summary")
        run_file(DuckDBEngine(con), "split/assign", {"seed": "0", "train": 0.5, "test": 0.25})
        after = query_file(DuckDBEngine(con), "split/summary")
        assert [(r["split"], r["n_products"]) for r in after.to_pylist()] == before
    finally:
        con.close()


def test_plans_list_tables_in_the_schema(con: duckdb.DuckDBPyConnection) -> None:
    needed, written = stage_tables(["dedup", "split", "divergence", "depth"])
    names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    names |= {r[0] for r in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
    assert set(needed) <= names
    assert written == [
        "duplicate_groups",
        "splits",
        "unit_bins",
        "unit_word_divergence",
        "prime_units",
        "unit_divergence_null",  # the chance-level divergence (docs/trust.md)
        "divergence_null_sizes",
        "layer_divergence_null",
        "layer_depth",
    ]
    # Tables a stage writes that a later stage reads are not needed from outside twice.
    assert needed.count("splits") == 1


def test_params_resolve_with_defaults_and_types() -> None:
    params = parse_params(["dedup", "split"], ["seed=7", "dedup.threshold=0.2"])
    assert params == {"dedup": {"seed": "7", "threshold": "0.2"}, "split": {"seed": "7"}}
    dedup = resolve_params(plan_for("dedup"), params["dedup"], "default")
    assert dedup == {"threshold": 0.2, "seed": "7"}
    with pytest.raises(InputError, match="none of dedup takes 'bins'"):
        parse_params(["dedup"], ["bins=3"])
    with pytest.raises(InputError, match="has no parameter"):
        resolve_params(plan_for("split"), {"nope": "1"}, "default")
    with pytest.raises(InputError, match="sum to 1"):
        resolve_params(plan_for("split"), {"train": "0.9"}, "default")
    with pytest.raises(InputError, match="no SQL stage 'vocab'"):
        plan_for("vocab")
    assert parse_conf(["spark.executor.memory=4g"]) == {"spark.executor.memory": "4g"}


def test_export_import_round_trip(text_db: Path, tmp_path: Path) -> None:
    path = copy_db(text_db, tmp_path, "t.duckdb")
    con = connect(path)
    try:
        reference = con.execute("SELECT * FROM splits ORDER BY product_id").fetchall()
        summary = export_for_stages(con, ["split"], tmp_path / "x")
        assert summary["tables"] == {"products": 949, "splits": 949}
        manifest = read_manifest(tmp_path / "x")
        columns = [c["name"] for c in manifest["tables"]["splits"]["columns"]]
        assert columns == ["product_id", "split"]
        con.execute("DELETE FROM splits")
        result = import_tables(con, tmp_path / "x", tables=["splits"])
        assert result["tables"] == {"splits": 949}
        assert con.execute("SELECT * FROM splits ORDER BY product_id").fetchall() == reference
        # A folder without a recorded run is recorded as an import.
        stage, status = con.execute(
            "SELECT stage, status FROM runs ORDER BY run_id DESC LIMIT 1"
        ).fetchall()[0]
        assert (stage, status) == ("import", "ok")
    finally:
        con.close()


def test_import_replaces_only_the_runs_scope(text_db: Path, tmp_path: Path) -> None:
    path = copy_db(text_db, tmp_path, "t.duckdb")
    con = connect(path)
    try:
        export_tables(con, ["scope_products"], tmp_path / "x")
        n = con.execute("SELECT count(*) FROM scope_products").fetchall()[0][0]
        con.execute("INSERT INTO scope_products SELECT 'other', product_id FROM scope_products")
        con.execute("DELETE FROM scope_products WHERE scope = 'default' AND product_id < '2'")
        manifest = json.loads((tmp_path / "x" / MANIFEST).read_text())
        manifest["run"] = {"stages": ["vocab"], "scope": "default", "params": {}, "summary": {}}
        (tmp_path / "x" / MANIFEST).write_text(json.dumps(manifest))
        import_tables(con, tmp_path / "x")
        counts = dict(
            con.execute("SELECT scope, count(*) FROM scope_products GROUP BY scope").fetchall()
        )
        assert counts == {"default": n, "other": n}
        params = con.execute(
            "SELECT params FROM runs WHERE stage = 'vocab' ORDER BY run_id DESC LIMIT 1"
        ).fetchall()[0][0]
        assert json.loads(params)["engine"] == "duckdb"
    finally:
        con.close()


def test_export_refuses_unknown_tables_and_overwriting(db_path: Path, tmp_path: Path) -> None:
    con = connect(db_path)
    try:
        with pytest.raises(InputError, match="no table or view named nope"):
            export_tables(con, ["nope"], tmp_path / "x")
        export_tables(con, ["splits"], tmp_path / "x")
        with pytest.raises(InputError, match="--overwrite"):
            export_tables(con, ["splits"], tmp_path / "x")
        export_tables(con, ["products"], tmp_path / "x", overwrite=True)
        assert set(read_manifest(tmp_path / "x")["tables"]) == {"products"}
        assert not (tmp_path / "x" / "splits.parquet").exists()
    finally:
        con.close()


def test_import_refuses_a_table_the_database_lacks(db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "x"
    con = connect(db_path)
    try:
        export_tables(con, ["splits"], folder)
        manifest = read_manifest(folder)
        manifest["tables"]["not_here"] = manifest["tables"]["splits"]
        (folder / MANIFEST).write_text(json.dumps(manifest))
        (folder / "splits.parquet").rename(folder / "not_here.parquet")
        with pytest.raises(SchemaError, match="no table not_here"):
            import_tables(con, folder, tables=["not_here"])
    finally:
        con.close()


def test_cli_export_and_import(text_db: Path, tmp_path: Path) -> None:
    path = copy_db(text_db, tmp_path, "t.duckdb")
    runner = CliRunner()
    out = tmp_path / "x"
    result = runner.invoke(
        app, ["--db", str(path), "export", "--stage", "split", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "2 tables (1898 rows)" in result.output
    result = runner.invoke(app, ["--db", str(path), "import", str(out), "--tables", "splits"])
    assert result.exit_code == 0, result.output
    assert "splits 949" in result.output


def test_cli_error_paths(db_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--db", str(db_path), "import", str(tmp_path)])
    assert result.exit_code == 1
    assert "not an attrdb exchange folder" in str(result.exception)
    result = runner.invoke(
        app, ["--db", str(db_path), "spark", "vocab", "--input", str(tmp_path), "--output", "o"]
    )
    assert result.exit_code == 1
    assert "no SQL stage 'vocab'" in str(result.exception)
    result = runner.invoke(app, ["--db", str(db_path), "spark", "split", "--input", str(tmp_path)])
    assert result.exit_code == 1
    assert "pass both --input and --output" in str(result.exception)
