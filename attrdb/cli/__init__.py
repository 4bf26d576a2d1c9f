"""The ``attrdb`` command line (typer).

Thin by design: each command builds its settings and calls one library function, so the
CLI and the Python API take the same path. Commands live in one module per stage group in
this package; each module exposes ``register(app)``. Heavy libraries (torch, sklearn,
spacy, pyspark) are imported inside the library functions, so ``attrdb --help`` is instant.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from typing import NoReturn

import typer

from attrdb.cli.common import AttrdbGroup, Settings, console_error
from attrdb.connection import default_db_path
from attrdb.errors import AttrdbError
from attrdb.progress import set_quiet
from attrdb.runs import is_interrupt

# Modules of this package that hold shared pieces, not commands.
_HELPER_MODULES = {"common", "options", "spark_extract"}  # spark_extract: via `spark`

app = typer.Typer(
    name="attrdb",
    help="Discover visual attributes in image-text collections with CNN neurons, in DuckDB.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=AttrdbGroup,
    # Plain help: rich markup would eat every "[...]" in help texts (e.g. "[default: x]").
    rich_markup_mode=None,
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    db: str = typer.Option(
        None,
        "--db",
        envvar="ATTRDB_DB",
        help="Database file (default: attrdb.duckdb in the working directory).",
        show_default=False,
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="No progress bars or progress lines (results still print)."
    ),
) -> None:
    """Global options; they may also be written after the command."""
    set_quiet(quiet)
    ctx.obj = Settings(db=db or default_db_path(), debug=debug, quiet=quiet)


def _register_commands() -> None:
    package = sys.modules[__name__]
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module.name in _HELPER_MODULES:
            continue
        importlib.import_module(f"{__name__}.{module.name}").register(app)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: every error becomes one red line and an exit code.

    Exit 1 for an ``AttrdbError`` (bad input or state) or an abort, 2 for a usage error,
    130 for an interrupt (Ctrl-C, or DuckDB's "query interrupted", also when the SQL layer
    wrapped it); ``--debug`` adds the traceback. Commands let errors through to here, so
    this is the one place that turns them into messages.
    """
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        code = app(args=argv, standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        console_error("aborted")
        sys.exit(1)
    except typer.TyperException as exc:  # usage errors: unknown command, option or value
        # format_message names the option a bad value was given to.
        format_message = getattr(exc, "format_message", None)
        message = format_message() if format_message else str(exc)
        console_error(f"{message} (see `attrdb --help` or `attrdb COMMAND --help`)")
        sys.exit(getattr(exc, "exit_code", 2))
    except (KeyboardInterrupt, Exception) as exc:
        if not (isinstance(exc, AttrdbError) or is_interrupt(exc)):
            raise
        if debug:
            traceback.print_exc()
        if is_interrupt(exc):
            _exit_interrupted()
        console_error(str(exc))
        sys.exit(1)
    # Without standalone mode typer returns (not raises) the exit code of an interrupt.
    if code == 130:
        _exit_interrupted()
    if isinstance(code, int) and code:
        sys.exit(code)


def _exit_interrupted() -> NoReturn:
    console_error("interrupted; rerun the same command to resume")
    sys.exit(130)
