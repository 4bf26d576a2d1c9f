"""Locate the shipped ``sql/`` and ``migrations/`` folders.

In a wheel they are package data (``attrdb/sql``, ``attrdb/migrations``); in a source
checkout or an editable install they sit at the repository's top level.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the folder ``name`` ('sql' or 'migrations'), packaged copy first."""
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"attrdb resource folder {name!r} not found near {_PACKAGE_DIR}")


def sql_dir() -> Path:
    """The folder holding attrdb's SQL files."""
    return resource_dir("sql")


def migrations_dir() -> Path:
    """The folder holding the numbered migrations."""
    return resource_dir("migrations")


def sample_dir() -> Path:
    """The bundled real sample catalogue (a Myntra subset, see its README)."""
    return _PACKAGE_DIR / "sample"
