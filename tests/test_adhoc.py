"""attrdb sql: only one read-only statement runs; every other kind is refused by name."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from attrdb.adhoc import check_read_only, format_table
from attrdb.cli import app, main
from attrdb.errors import InputError

# (statement, the kind the one-line refusal must name)
REFUSED = [
    ("INSERT INTO products (product_id) VALUES ('x')", "INSERT"),
    ("INSERT OR REPLACE INTO splits VALUES ('x', 'train')", "INSERT"),
    ("UPDATE products SET title = 'x'", "UPDATE"),
    ("DELETE FROM products", "DELETE"),
    ("MERGE INTO splits USING splits AS s ON true WHEN MATCHED THEN DELETE", "MERGE"),
    ("CREATE TABLE t AS SELECT 1", "CREATE TABLE"),
    ("CREATE OR REPLACE VIEW v AS SELECT 1", "CREATE VIEW"),
    ("CREATE MACRO m(a) AS a", "CREATE MACRO"),
    ("CREATE SECRET (TYPE s3)", "CREATE SECRET"),
    ("DROP TABLE products", "DROP TABLE"),
    ("ALTER TABLE products ADD COLUMN x INT", "ALTER TABLE"),
    ("TRUNCATE products", "TRUNCATE"),
    ("COMMENT ON TABLE products IS 'x'", "COMMENT TABLE"),
    ("ATTACH 'other.duckdb' AS other", "ATTACH"),
    ("DETACH other", "DETACH"),
    ("COPY products TO 'out.csv'", "COPY TO"),
    ("COPY (SELECT 1) TO 'out.parquet' (FORMAT parquet)", "COPY TO"),
    ("COPY products FROM 'in.csv'", "COPY FROM"),
    ("EXPORT DATABASE 'dump'", "EXPORT DATABASE"),
    ("IMPORT DATABASE 'dump'", "IMPORT DATABASE"),
    ("INSTALL httpfs", "INSTALL"),
    ("FORCE INSTALL httpfs", "INSTALL"),
    ("LOAD httpfs", "LOAD"),
    ("UPDATE EXTENSIONS", "UPDATE"),
    ("PRAGMA database_size", "PRAGMA"),
    ("SET threads = 1", "SET"),
    ("SET VARIABLE x = 1", "SET"),
    ("RESET threads", "RESET"),
    ("CALL pragma_version()", "CALL"),
    ("USE memory", "USE"),
    ("CHECKPOINT", "CHECKPOINT"),
    ("VACUUM", "VACUUM"),
    ("ANALYZE", "ANALYZE"),
    ("BEGIN TRANSACTION", "BEGIN"),
    ("COMMIT", "COMMIT"),
    ("ROLLBACK", "ROLLBACK"),
    ("WITH x AS (SELECT 1 AS a) INSERT INTO splits SELECT 'p', 'train' FROM x", "INSERT"),
    ("EXPLAIN ANALYZE DELETE FROM products", "DELETE"),
    ("SELECT 1; SELECT 2", "multiple statements (SELECT, SELECT)"),
    ("SELECT 1; DROP TABLE products", "multiple statements (SELECT, DROP TABLE)"),
]

ALLOWED = [
    "SELECT count(*) FROM products",
    "FROM products SELECT title LIMIT 1",
    "WITH t AS (SELECT 1 AS a) SELECT a FROM t",
    "SELECT 1 UNION ALL SELECT 2",
    "(SELECT 1) UNION ALL (SELECT 2)",
    "VALUES (1), (2)",
    "DESCRIBE products",
    "SHOW TABLES",
    "SUMMARIZE products",
    "EXPLAIN SELECT 1",
    "SELECT * EXCLUDE (description) FROM products QUALIFY row_number() OVER () = 1",
    "SELECT 'a;b' AS text_with_semicolon;",
    "SELECT title FROM products WHERE title = 'it''s'",
]


@pytest.mark.parametrize(("statement", "kind"), REFUSED, ids=[r[0][:30] for r in REFUSED])
def test_refused_statement_names_its_kind(statement: str, kind: str) -> None:
    with pytest.raises(InputError) as info:
        check_read_only(statement)
    message = str(info.value)
    assert message.startswith("refused: ")
    assert kind in message
    assert "\n" not in message


@pytest.mark.parametrize("statement", ALLOWED)
def test_reads_are_allowed(statement: str) -> None:
    assert check_read_only(statement).rstrip(";").strip()


@pytest.mark.parametrize("text", ["", "   ", "-- just a comment", ";"])
def test_empty_query_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="empty"):
        check_read_only(text)


def test_unparseable_read_is_refused_not_run() -> None:
    with pytest.raises(InputError, match="could not be checked by sqlglot"):
        check_read_only("SELECT (1 FROM products")


def test_sql_command_prints_a_table(ingested_db: Path) -> None:
    result = CliRunner().invoke(
        app, ["--db", str(ingested_db), "sql", "SELECT count(*) AS n FROM products"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].strip() == "n"
    assert lines[2].strip() == "949"
    assert lines[-1] == "(1 row)"


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_sql_command_writes_each_format(ingested_db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"result.{fmt}"
    query = "SELECT product_id, shop, tags FROM products ORDER BY product_id LIMIT 5"
    result = CliRunner().invoke(
        app, ["--db", str(ingested_db), "sql", query, "--format", fmt, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    expected = duckdb.connect(str(ingested_db), read_only=True)
    try:
        rows = expected.execute(query).fetchall()
    finally:
        expected.close()
    if fmt == "csv":
        lines = out.read_text().splitlines()
        assert lines[0] == "product_id,shop,tags"
        assert [line.split(",")[0] for line in lines[1:]] == [r[0] for r in rows]
    elif fmt == "json":
        records = json.loads(out.read_text())
        assert [(r["product_id"], r["shop"]) for r in records] == [(r[0], r[1]) for r in rows]
    else:
        table = pq.read_table(out)
        assert table.column("product_id").to_pylist() == [r[0] for r in rows]


def test_sql_reads_query_from_file_and_stdin(ingested_db: Path, tmp_path: Path) -> None:
    query_file = tmp_path / "q.sql"
    query_file.write_text("-- shops\nSELECT count(DISTINCT shop) AS shops FROM products;\n")
    from_file = CliRunner().invoke(
        app, ["--db", str(ingested_db), "sql", "--file", str(query_file), "--format", "csv"]
    )
    from_stdin = CliRunner().invoke(
        app, ["--db", str(ingested_db), "sql", "-", "--format", "csv"],
        input="SELECT count(DISTINCT shop) AS shops FROM products",
    )
    assert from_file.exit_code == 0 and from_stdin.exit_code == 0
    assert from_file.stdout == from_stdin.stdout == "shops\n8\n"


def test_sql_refusal_is_one_line_and_exit_1(
    ingested_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--db", str(ingested_db), "sql", "DELETE FROM products"])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: refused: DELETE") and "\n" not in err
    con = duckdb.connect(str(ingested_db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM products").fetchall()[0][0] == 949
    finally:
        con.close()


def test_parquet_needs_out(ingested_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--db", str(ingested_db), "sql", "SELECT 1", "--format", "parquet"])
    assert info.value.code == 1
    assert "--out" in capsys.readouterr().err


def test_failing_query_is_one_line(ingested_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--db", str(ingested_db), "sql", "SELECT no_such_column FROM products"])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: query failed") and "no_such_column" in err


def test_table_format_truncates_rows_and_cells() -> None:
    import pyarrow as pa

    table = pa.table({"word": ["red", "x" * 100, None], "n": [3, 2, 1]})
    text = format_table(table, max_rows=2, max_width=10)
    lines = text.splitlines()
    assert lines[0].split("|")[0].strip() == "word"
    assert lines[3].startswith("xxxxxxxxx…")
    assert "NULL" not in text  # the third row is not shown
    assert lines[-1] == "(3 rows)"
