"""Foreign databases are left untouched; `attrdb migrate --check` finds hand-made changes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from attrdb.cli import main
from attrdb.connection import connect
from attrdb.errors import SchemaError
from attrdb.migrate import available_migrations, verify_schema


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = 0
    try:
        main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


@pytest.fixture
def foreign_db(tmp_path: Path) -> Path:
    path = tmp_path / "someone_else.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE secrets AS SELECT 42 AS answer")
    con.execute("CREATE VIEW v AS SELECT * FROM secrets")
    con.close()
    return path


@pytest.mark.parametrize("command", [["migrate"], ["init"], ["migrate", "--check"]])
def test_foreign_database_is_refused_and_left_byte_identical(
    foreign_db: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = hashlib.sha256(foreign_db.read_bytes()).hexdigest()
    code, err = _run(["--db", str(foreign_db), *command], capsys)
    assert code == 1
    assert err.startswith("error: ") and "not an attrdb database" in err
    assert err.count("\n") == 1
    assert hashlib.sha256(foreign_db.read_bytes()).hexdigest() == before
    assert not foreign_db.with_name(foreign_db.name + ".wal").exists()


def test_fresh_database_passes_the_check(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["--db", str(db_path), "migrate", "--check"], capsys)
    assert code == 0, err
    assert f"{len(available_migrations())} migration rows" in err


def test_check_reports_a_deleted_row_a_dropped_view_and_column(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    con = duckdb.connect(str(db_path))
    con.execute("DELETE FROM schema_version WHERE version = 3")
    con.execute("DROP VIEW kept_products")
    con.execute("ALTER TABLE products DROP COLUMN tags")
    assert sorted(verify_schema(con)) == [
        "column products.tags is missing",
        "schema_version row 3 (cnn) is missing",
        "view kept_products is missing",
    ]
    con.close()
    code, err = _run(["--db", str(db_path), "migrate", "--check"], capsys)
    assert code == 1 and err.count("\n") == 1
    assert "3 problems" in err and "view kept_products is missing" in err
    # Every normal open notices the missing row too (cheaply) and points to the check.
    with pytest.raises(SchemaError, match="no row for migration 3.*migrate --check"):
        connect(db_path)


def test_check_reports_a_view_broken_by_a_dropped_table(db_path: Path) -> None:
    con = duckdb.connect(str(db_path))
    con.execute("DROP TABLE duplicate_groups")
    problems = verify_schema(con)
    con.close()
    assert "table duplicate_groups is missing" in problems
    assert any(p.startswith("view kept_products cannot be read") for p in problems)


def test_migrate_after_a_dropped_view_says_so(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    con = duckdb.connect(str(db_path))
    con.execute("DROP VIEW kept_products")
    con.close()
    code, err = _run(["--db", str(db_path), "migrate"], capsys)
    assert code == 1 and "view kept_products is missing" in err
