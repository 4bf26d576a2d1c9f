"""Shared pieces of the CLI: global settings and one-line messages."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import typer

from attrdb.connection import connect


@dataclass
class Settings:
    """Global options every command sees through ``ctx.obj``."""

    db: str
    debug: bool = False

    def open(self, *, read_only: bool = False, create: bool = False) -> duckdb.DuckDBPyConnection:
        """Open the database for a command."""
        return connect(self.db, read_only=read_only, create=create)


def settings(ctx: typer.Context) -> Settings:
    """The global settings of the current invocation."""
    obj = ctx.find_root().obj
    assert isinstance(obj, Settings)
    return obj


def console_error(message: str) -> None:
    """Print a one-line red error message on stderr."""
    first = message.strip().splitlines()[0] if message.strip() else "error"
    typer.secho(f"error: {first}", fg=typer.colors.RED, err=True)


def console_info(message: str) -> None:
    """Print a progress or result line on stderr (stdout stays for data)."""
    typer.echo(message, err=True)
