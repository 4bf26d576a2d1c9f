"""Shared fixtures: an in-memory database at the current schema, and the data paths."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from attrdb.connection import connect
from attrdb.resources import sample_dir

REPO = Path(__file__).resolve().parent.parent
# The real shared data set sits beside the checkout (../shared/data); CI lays it there too.
SHARED_DATA = Path(os.environ.get("ATTRDB_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """In-memory DuckDB with every migration and macro applied."""
    connection = connect(":memory:", create=True)
    yield connection
    connection.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh on-disk database at the current schema."""
    path = tmp_path / "test.duckdb"
    connect(path, create=True).close()
    return path


@pytest.fixture(scope="session")
def sample() -> Path:
    """The bundled real sample catalogue."""
    return sample_dir()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data; tests needing it are skipped with a reason when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA
