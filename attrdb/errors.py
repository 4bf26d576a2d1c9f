"""One exception hierarchy: the CLI turns any AttrdbError into a one-line message, exit 1."""

from __future__ import annotations


class AttrdbError(Exception):
    """Base class of every error attrdb raises on purpose (bad input, bad state)."""


class InputError(AttrdbError):
    """A user-supplied file, option or value cannot be used."""


class SchemaError(AttrdbError):
    """The database schema is missing, too old, or newer than this code."""


class MigrationError(SchemaError):
    """A migration failed; the schema version is left where it was."""


class StateError(AttrdbError):
    """A stage was asked to run before the stages it needs."""


class SqlError(AttrdbError):
    """A SQL file or statement failed; the message names the file and statement."""


class ModelError(AttrdbError):
    """A CNN, its weights or a language model cannot be loaded."""


def first_line(exc: BaseException | str, *, with_type: bool = False) -> str:
    """The first line of an exception's message, for one-line errors and table cells.

    DuckDB, Spark, PIL and torch messages run over several lines (hints, stack traces, the
    failing SQL); the first says what went wrong. An exception with an empty message gives
    its class name; an empty string gives "".

    Args:
        exc: the exception, or a message.
        with_type: prefix the class name (``"OSError: truncated file"``), where the
            message alone would not say what kind of failure it was.
    """
    text = str(exc).strip()
    line = text.splitlines()[0] if text else ""
    if isinstance(exc, str):
        return line
    name = type(exc).__name__
    if not line:
        return name
    return f"{name}: {line}" if with_type else line
