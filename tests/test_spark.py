"""attrdb's SQL stages on Spark (local[2]) against DuckDB: golden rows and stage parity.

Marked ``spark``: a bare ``pytest`` leaves them out (pyproject addopts); ``tools/test.sh``, which
CI runs, selects ``-m "not slow and not gpu"`` and so runs them. One session for
all tests (conftest ``spark_engine``); the two stage runs happen once per module.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from attrdb.cli import app
from attrdb.connection import connect
from attrdb.engines import DuckDBEngine, EngineError, query_file
from attrdb.engines.spark import SparkEngine
from attrdb.engines.transpile import to_spark
from attrdb.exchange import import_tables
from attrdb.scaleout import export_for_stages, run_sql_stage_on_spark
from attrdb.sqlfiles import split_statements
from tests.conftest import copy_db, memory_copy

pytestmark = pytest.mark.spark


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


# --- the engine: DuckDB's DML on Spark session tables ---------------------------------


def test_dml_on_session_tables(spark_engine: SparkEngine) -> None:
    e = spark_engine
    e.execute(
        "CREATE OR REPLACE TABLE t (scope STRING NOT NULL DEFAULT 'default', word STRING, "
        "n BIGINT, PRIMARY KEY (word))"
    )
    e.execute("INSERT INTO t (word, n) VALUES ('a', 1), ('b', 2)")
    e.execute("INSERT INTO t (word, n, scope) SELECT :w, 3, 'x'", {"w": "c"})
    e.execute("INSERT INTO t BY NAME SELECT 4 AS n, 'd' AS word, 'y' AS scope")
    e.execute("DELETE FROM t WHERE scope = :s OR n = NULL", {"s": "x"})
    e.execute("UPDATE t SET n = n * 10 WHERE word <> 'a'")
    assert e.fetch_rows("SELECT scope, word, n FROM t ORDER BY word") == [
        {"scope": "default", "word": "a", "n": 1},
        {"scope": "default", "word": "b", "n": 20},
        {"scope": "y", "word": "d", "n": 40},
    ]
    # A view sees later writes to its table; DELETE ... USING is an anti join.
    e.execute("CREATE VIEW big AS SELECT word FROM t WHERE n > 5")
    e.execute("CREATE OR REPLACE TABLE drop_these AS SELECT 'd' AS w")
    e.execute("DELETE FROM t AS x USING drop_these AS d WHERE x.word = d.w")
    assert e.fetch_rows("SELECT word FROM big") == [{"word": "b"}]
    with pytest.raises(EngineError, match="2 values for 3 columns"):
        e.execute("INSERT INTO t SELECT 'q', 1")
    with pytest.raises(EngineError, match="already exists"):
        e.execute("CREATE TABLE t AS SELECT 1 AS one")
    e.execute("DROP TABLE t")
    e.execute("DROP TABLE IF EXISTS t")
    assert not e.table_exists("t")


def test_many_inserts_are_compacted(spark_engine: SparkEngine) -> None:
    e = spark_engine
    e.execute("CREATE OR REPLACE TABLE parts (i INT)")
    for i in range(11):
        e.execute("INSERT INTO parts VALUES (:i)", {"i": i})
    assert e.fetch_rows("SELECT count(*) AS n, sum(i) AS s FROM parts") == [{"n": 11, "s": 55}]
    e.execute("DROP TABLE parts")


def test_spark_errors_carry_the_sql(spark_engine: SparkEngine) -> None:
    with pytest.raises(EngineError) as caught:
        spark_engine.execute("SELECT * FROM no_such_table", origin="sql/x.sql")
    message = str(caught.value)
    assert message.startswith("sql/x.sql: spark AnalysisException: [TABLE_OR_VIEW_NOT_FOUND]")
    assert message.endswith("[in: SELECT * FROM no_such_table]")


# --- golden rows: the translated DuckDB idioms compute the same values ----------------

GOLDEN = [
    # md5_number as a double, bit for bit (the split hash).
    "SELECT s, md5_number(s)::DOUBLE / 2::DOUBLE ** 128 AS u FROM golden",
    "SELECT s, md5_number(s)::DOUBLE AS exact FROM golden",
    # Two lists ordered by one key stay aligned.
    "SELECT g, list(s ORDER BY s) AS l1, list(n ORDER BY s) AS l2 FROM golden GROUP BY g",
    "SELECT s, regexp_full_match(s, '\\p{L}+') AS letters FROM golden",
    # 1-based ordinality and computed list subscripts.
    "SELECT s, u.i, u.v, [10, 20, 30][u.i] AS picked "
    "FROM golden, unnest([n, n + 1, n + 2]) WITH ORDINALITY AS u(v, i)",
    # The divergence macros, inlined, on doubles as the stage binds them. (On DECIMAL
    # literals the engines round differently: Spark keeps DECIMAL arithmetic longer.)
    "SELECT s, equal_width_edge(0.0::DOUBLE, n + 1.5::DOUBLE, 16, 5) AS edge, "
    "symmetric_kl_term(smoothed_probability(n, 40, 16, 0.01::DOUBLE), 0.25::DOUBLE) AS term "
    "FROM golden",
]


def same_row(got: dict[str, Any], expected: dict[str, Any]) -> bool:
    """Equal; computed floats to 1e-12 relative (libm and Java may differ in a logarithm's
    last bit), the hash doubles u and exact bit for bit."""
    for name, value in expected.items():
        other = got[name]
        if isinstance(value, float) and isinstance(other, float) and name not in ("u", "exact"):
            if not math.isclose(other, value, rel_tol=1e-12):
                return False
        elif other != value:
            return False
    return set(got) == set(expected)


@pytest.fixture(scope="module")
def golden() -> pa.Table:
    words = ["Red", "blue", "x-1", "ünï", "", "tie", "tie2", "7"]
    strings = [f"split:{seed}:{w}{i}" for seed in (0, 1) for i, w in enumerate(words * 50)]
    return pa.table(
        {
            "s": strings,
            "g": [i % 7 for i in range(len(strings))],
            "n": [len(s) % 11 for s in strings],
        }
    )


@pytest.mark.parametrize("sql", GOLDEN)
def test_golden_rows_match_duckdb(
    spark_engine: SparkEngine, golden: pa.Table, sql: str, empty_db: Path
) -> None:
    con = memory_copy(empty_db)  # with attrdb's macros
    try:
        duck = DuckDBEngine(con)
        duck.register_arrow("golden", golden)
        expected = duck.fetch_arrow(sql).to_pylist()
    finally:
        con.close()
    spark_engine.register_arrow("golden", golden)
    translated = to_spark(split_statements(sql)[0])
    assert translated is not None
    got = spark_engine.fetch_arrow(translated.text).to_pylist()
    key = list(expected[0])[:2]
    got.sort(key=lambda r: [str(r[k]) for k in key])
    expected.sort(key=lambda r: [str(r[k]) for k in key])
    assert len(got) == len(expected) >= 7
    mismatches = [(g, e) for g, e in zip(got, expected, strict=True) if not same_row(g, e)]
    assert mismatches == []


# --- stage parity on the bundled sample -----------------------------------------------


def run_on_spark(
    engine: SparkEngine, source: Path, stages: list[str], folder: Path
) -> tuple[Path, dict[str, Any]]:
    """Export ``stages``' inputs from a copy of ``source``, run them on Spark, import back."""
    path = copy_db(source, folder, "spark.duckdb")
    con = connect(path)
    try:
        export_for_stages(con, stages, folder / "in")
        result = run_sql_stage_on_spark(stages, folder / "in", folder / "out", engine=engine)
        import_tables(con, folder / "out")
    finally:
        con.close()
    return path, result


@pytest.fixture(scope="module")
def dedup_split_run(
    spark_engine: SparkEngine, text_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    return run_on_spark(
        spark_engine, text_db, ["dedup", "split"], tmp_path_factory.mktemp("spark_text")
    )


@pytest.fixture(scope="module")
def divergence_run(
    spark_engine: SparkEngine, divergence_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    return run_on_spark(
        spark_engine, divergence_db, ["divergence", "depth"], tmp_path_factory.mktemp("spark_div")
    )


@pytest.mark.parametrize(
    ("table", "order"), [("duplicate_groups", "product_id"), ("splits", "product_id")]
)
def test_groups_and_splits_are_exactly_duckdbs(
    dedup_split_run: tuple[Path, dict[str, Any]], text_db: Path, table: str, order: str
) -> None:
    path, _ = dedup_split_run
    reference = duckdb.connect(str(text_db), read_only=True)
    spark = duckdb.connect(str(path), read_only=True)
    try:
        expected = rows(reference, f"SELECT * FROM {table} ORDER BY {order}")
        assert len(expected) == 949
        assert rows(spark, f"SELECT * FROM {table} ORDER BY {order}") == expected
    finally:
        reference.close()
        spark.close()


def test_spark_runs_are_recorded(dedup_split_run: tuple[Path, dict[str, Any]]) -> None:
    path, result = dedup_split_run
    con = duckdb.connect(str(path), read_only=True)
    try:
        recorded = rows(
            con,
            "SELECT stage, status, params->>'engine', summary->>'n_groups' FROM runs "
            "WHERE params->>'engine' = 'spark' ORDER BY run_id",
        )
        groups = rows(con, "SELECT count(DISTINCT group_id) FROM duplicate_groups")[0][0]
    finally:
        con.close()
    assert [r[:3] for r in recorded] == [("dedup", "ok", "spark"), ("split", "ok", "spark")]
    assert int(recorded[0][3]) == groups == result["stages"]["dedup"]["n_groups"]
    assert sum(result["stages"]["split"].values()) == 949


def test_bins_are_exactly_duckdbs(
    divergence_run: tuple[Path, dict[str, Any]], divergence_db: Path
) -> None:
    path, _ = divergence_run
    sql = "SELECT * FROM unit_bins ORDER BY model_id, scope, unit_id"
    reference = duckdb.connect(str(divergence_db), read_only=True)
    spark = duckdb.connect(str(path), read_only=True)
    try:
        expected = rows(reference, sql)
        assert len(expected) == 2096
        assert rows(spark, sql) == expected
    finally:
        reference.close()
        spark.close()


@pytest.mark.parametrize(
    ("table", "key", "value"),
    [
        ("unit_word_divergence", "model_id, scope, word, unit_id, n_pos, n_neg", "kl"),
        ("layer_depth", "model_id, scope, word, layer, layer_index", "max_kl, relative"),
    ],
)
def test_divergences_match_duckdb_to_1e9(
    divergence_run: tuple[Path, dict[str, Any]],
    divergence_db: Path,
    table: str,
    key: str,
    value: str,
) -> None:
    path, _ = divergence_run
    sql = f"SELECT {key}, {value} FROM {table} ORDER BY {key}"
    reference = duckdb.connect(str(divergence_db), read_only=True)
    spark = duckdb.connect(str(path), read_only=True)
    try:
        expected, got = rows(reference, sql), rows(spark, sql)
    finally:
        reference.close()
        spark.close()
    n_key = len(key.split(","))
    assert len(got) == len(expected) > 1000
    assert [r[:n_key] for r in got] == [r[:n_key] for r in expected]
    for a, b in zip(got, expected, strict=True):
        for x, y in zip(a[n_key:], b[n_key:], strict=True):
            assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12), (a, b)


def test_prime_units_match_duckdb_up_to_ties(
    divergence_run: tuple[Path, dict[str, Any]], divergence_db: Path
) -> None:
    path, result = divergence_run
    sql = "SELECT word, rank, unit_id, kl FROM prime_units ORDER BY word, rank"
    reference = duckdb.connect(str(divergence_db), read_only=True)
    spark = duckdb.connect(str(path), read_only=True)
    try:
        expected, got = rows(reference, sql), rows(spark, sql)
    finally:
        reference.close()
        spark.close()
    assert len(got) == len(expected) == result["stages"]["divergence"]["n_prime_unit_rows"]
    for a, b in zip(got, expected, strict=True):
        assert a[:2] == b[:2] and math.isclose(a[3], b[3], rel_tol=1e-9)
        # A different unit at a rank only where two units' KLs tie to 1e-9.
        if a[2] != b[2]:
            assert math.isclose(a[3], b[3], rel_tol=1e-9)
    same = sum(a[2] == b[2] for a, b in zip(got, expected, strict=True))
    assert same >= 0.99 * len(expected)


def test_cli_runs_a_stage_on_the_database(
    spark_engine: SparkEngine, text_db: Path, tmp_path: Path
) -> None:
    path = copy_db(text_db, tmp_path, "cli.duckdb")
    con = connect(path)
    expected = rows(con, "SELECT * FROM splits ORDER BY product_id")
    con.execute("DELETE FROM splits")
    con.close()
    # The command joins the test's running session (and leaves it running).
    result = CliRunner().invoke(
        app, ["--db", str(path), "spark", "split", "--master", "local[2]", "--param", "seed=0"]
    )
    assert result.exit_code == 0, result.output
    assert "splits 949" in result.output
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert rows(con, "SELECT * FROM splits ORDER BY product_id") == expected
    finally:
        con.close()
    assert spark_engine.fetch_rows("SELECT 1 AS alive") == [{"alive": 1}]


def test_summary_queries_agree(
    divergence_run: tuple[Path, dict[str, Any]], divergence_db: Path
) -> None:
    # The same summary file on both engines over the same tables.
    path, result = divergence_run
    con = connect(path)
    try:
        summary = query_file(
            DuckDBEngine(con),
            "divergence/summary",
            {"model_id": "efficientnet_lite0", "scope": "default"},
        )
    finally:
        con.close()
    n_units, _, n_rows, n_prime = (c[0].as_py() for c in summary.columns)
    stage = result["stages"]["divergence"]
    assert (n_units, n_rows, n_prime) == (
        stage["n_units"],
        stage["n_divergence_rows"],
        stage["n_prime_unit_rows"],
    )
