"""Vocabulary, scope universe, D+ sets and splits on the bundled sample (text_db)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from attrdb.connection import connect


@pytest.fixture
def text_con(text_db: Path) -> duckdb.DuckDBPyConnection:
    con = connect(text_db, read_only=True)
    yield con
    con.close()


def test_vocabulary_is_top_adjectives_of_kept_products(text_con: duckdb.DuckDBPyConnection) -> None:
    rows = text_con.execute(
        "SELECT word, n_products, n_kind, rank, kind FROM vocabulary WHERE scope = 'default' "
        "ORDER BY rank"
    ).fetchall()
    assert 50 <= len(rows) <= 250
    assert [r[3] for r in rows] == list(range(1, len(rows) + 1))
    assert {r[4] for r in rows} == {"adjective"}
    assert all(r[2] >= 5 and r[1] >= r[2] for r in rows)
    words = {r[0] for r in rows}
    assert {"black", "casual", "soft"} <= words
    assert "-" not in words  # punctuation tagged JJ is not a word
