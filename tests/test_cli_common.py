"""Shared CLI and error helpers: the with_database decorator, first_line, quote_identifier."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from attrdb.cli.common import Settings, with_database
from attrdb.errors import InputError, first_line
from attrdb.identifiers import quote_identifier


def _probe_app(seen: dict[str, object], fail: bool = False) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @with_database(create=True)
    def probe(
        con: duckdb.DuckDBPyConnection,
        ctx: typer.Context,
        word: str = typer.Option("red", "--word", help="A value to pass through."),
    ) -> None:
        seen.update(con=con, db=ctx.obj.db, word=word)
        seen["version"] = con.execute("SELECT max(version) FROM schema_version").fetchall()
        if fail:
            raise InputError("bad word")

    return app


def test_with_database_passes_con_and_options_and_closes(tmp_path: Path) -> None:
    seen: dict[str, object] = {}
    db = str(tmp_path / "probe.duckdb")
    result = CliRunner().invoke(_probe_app(seen), ["--word", "blue"], obj=Settings(db=db))
    assert result.exit_code == 0, result.output
    assert seen["db"] == db and seen["word"] == "blue" and seen["version"]
    con = seen["con"]
    assert isinstance(con, duckdb.DuckDBPyConnection)
    with pytest.raises(duckdb.ConnectionException):
        con.execute("SELECT 1")


def test_with_database_closes_on_error_and_lets_the_error_through(tmp_path: Path) -> None:
    seen: dict[str, object] = {}
    app = _probe_app(seen, fail=True)
    result = CliRunner().invoke(app, [], obj=Settings(db=str(tmp_path / "e.duckdb")))
    assert result.exit_code == 1 and isinstance(result.exception, InputError)
    con = seen["con"]
    assert isinstance(con, duckdb.DuckDBPyConnection)
    with pytest.raises(duckdb.ConnectionException):
        con.execute("SELECT 1")


def test_with_database_shows_options_not_con() -> None:
    result = CliRunner().invoke(_probe_app({}), ["--help"], obj=Settings(db="x"))
    assert result.exit_code == 0 and "--word" in result.output
    assert not {"CON", "--con", "CTX"} & set(result.output.split())


def test_first_line() -> None:
    assert first_line(ValueError("Binder Error: x\nLINE 1: SELECT")) == "Binder Error: x"
    assert first_line(OSError("  truncated\n"), with_type=True) == "OSError: truncated"
    assert first_line(KeyError()) == "KeyError"
    assert first_line("") == ""


def test_quote_identifier_doubles_quotes() -> None:
    assert quote_identifier('odd"name') == '"odd""name"'
    assert quote_identifier("odd`name", "spark") == "`odd``name`"
    con = duckdb.connect()
    name = quote_identifier('we"ird')
    con.execute(f"CREATE TABLE {name} (x INTEGER)")
    assert con.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [('we"ird',)]
