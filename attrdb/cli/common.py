"""Shared pieces of the CLI: global settings, the database context, one-line messages."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import typer
from typer.core import TyperGroup

from attrdb.connection import connect
from attrdb.errors import first_line


@dataclass
class Settings:
    """Global options every command sees through ``ctx.obj``."""

    db: str
    debug: bool = False
    quiet: bool = False

    def open(self, *, read_only: bool = False, create: bool = False) -> duckdb.DuckDBPyConnection:
        """Open the database for a command."""
        return connect(self.db, read_only=read_only, create=create)

    @property
    def progress(self) -> bool:
        """Whether stages show progress (False under ``--quiet``)."""
        return not self.quiet


def settings(ctx: typer.Context) -> Settings:
    """The global settings of the current invocation."""
    obj = ctx.find_root().obj
    assert isinstance(obj, Settings)
    return obj


@contextmanager
def database(
    ctx: typer.Context, *, read_only: bool = False, create: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The command's database connection, closed when the block ends (also on errors).

    Errors are not caught here: ``attrdb.cli.main`` turns every ``AttrdbError`` into one
    red line and exit code 1, in one place for all commands.
    """
    con = settings(ctx).open(read_only=read_only, create=create)
    try:
        yield con
    finally:
        con.close()


def with_database(
    *, read_only: bool = False, create: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the database as its ``con`` parameter, open for the whole command.

    The decorated function declares ``con: duckdb.DuckDBPyConnection`` (and ``ctx`` only if
    it needs the settings too); typer sees ``ctx`` in place of ``con``. The connection is
    opened by ``database()`` before the body and closed after it, also on errors::

        @app.command("dedup")
        @with_database()
        def dedup_cmd(con: duckdb.DuckDBPyConnection, threshold: float = 0.1) -> None:
            ...

    Errors pass through unchanged: ``attrdb.cli.main`` turns an ``AttrdbError`` into one
    red line and exit 1 (130 for an interrupt, 2 for a usage error) in one place, and
    ``CliRunner`` tests see the exception itself.
    """

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(command, eval_str=True)
        if "con" not in signature.parameters:
            raise TypeError(f"{command.__name__} takes no 'con' parameter")
        wants_ctx = "ctx" in signature.parameters
        ctx_param = inspect.Parameter(
            "ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context
        )
        shown = [ctx_param] + [
            p for p in signature.parameters.values() if p.name not in ("con", "ctx")
        ]

        @functools.wraps(command)
        def with_con(ctx: typer.Context, **options: Any) -> Any:
            with database(ctx, read_only=read_only, create=create) as con:
                if wants_ctx:
                    options["ctx"] = ctx
                return command(con=con, **options)

        # typer reads the parameters from the signature and the annotations.
        with_con.__signature__ = signature.replace(parameters=shown)  # type: ignore[attr-defined]
        with_con.__annotations__ = {p.name: p.annotation for p in shown} | {
            "return": signature.return_annotation
        }
        return with_con

    return decorate


class CommandGroup(TyperGroup):
    """A command group whose command list shows each command's whole first paragraph.

    Click lists a command by its first sentence, cut to the terminal width: "Perceptual
    depth (eq. 4): ..." became "Perceptual depth (eq.". Here the paragraph wraps instead.
    """

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            text = command.short_help or (command.help or "").strip().split("\n\n")[0]
            rows.append((name, " ".join(text.split())))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def sub_app(help: str) -> typer.Typer:
    """A command group (``attrdb models``, ``attrdb scope``) with the app's help settings."""
    return typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None, cls=CommandGroup)


# Global options a user may write after the command too (`attrdb sql "..." --db x.duckdb`);
# the value says whether the option takes one.
GLOBAL_OPTIONS = {"--db": True, "--debug": False, "--quiet": False, "-q": False}


def hoist_global_options(args: list[str]) -> list[str]:
    """Move global options found after the command name to the front of ``args``.

    Click only parses an option at the level it is declared on. Scanning stops at ``--``,
    after which every token is an argument.
    """
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            rest.extend(args[i:])
            break
        name = token.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            takes_value = GLOBAL_OPTIONS[name]
            if takes_value and "=" not in token and i + 1 < len(args):
                front.extend(args[i : i + 2])
                i += 2
                continue
            front.append(token)
        else:
            rest.append(token)
        i += 1
    return front + rest


class AttrdbGroup(CommandGroup):
    """The root command group: global options parse wherever they are written."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> Any:  # type: ignore[override]
        return super().parse_args(ctx, hoist_global_options(list(args)))


def console_error(message: str) -> None:
    """Print a one-line red error message (the message's first line) on stderr."""
    typer.secho(f"error: {first_line(message) or 'error'}", fg=typer.colors.RED, err=True)


def console_info(message: str) -> None:
    """Print a progress or result line on stderr (stdout stays for data)."""
    typer.echo(message, err=True)
