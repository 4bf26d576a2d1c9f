"""SQL identifiers made from names: tables and databases found in the catalogue."""

from __future__ import annotations


def quote_identifier(name: str, dialect: str = "duckdb") -> str:
    """``name`` as one quoted SQL identifier, any quote inside it doubled.

    For names read from the catalogue (tables, databases), which statements cannot bind as
    parameters; user values (words, shops, paths) are bound, never quoted into SQL.

    Args:
        name: the identifier.
        dialect: ``"duckdb"`` (double quotes) or ``"spark"`` (backticks).
    """
    quote = "`" if dialect == "spark" else '"'
    return quote + name.replace(quote, quote * 2) + quote
