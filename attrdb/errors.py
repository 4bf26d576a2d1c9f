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
