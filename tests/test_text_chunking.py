"""Long lines reach the English tagger in pieces cut at sentence ends or white space."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from attrdb.text.english import _MAX_DOC_CHARS, _chunks, line_pieces


@pytest.fixture(scope="module")
def descriptions(sample: Path) -> list[str]:
    con = duckdb.connect()
    found = con.execute(
        "SELECT description_text FROM read_parquet(?) WHERE description_text <> '' "
        "ORDER BY id LIMIT 400",
        [str(sample / "products.parquet")],
    ).fetchall()
    con.close()
    return [r[0].replace("\n", " ") for r in found]


def test_a_line_over_the_limit_is_cut_only_between_words(descriptions: list[str]) -> None:
    line = " ".join(descriptions)
    while len(line) <= 2 * _MAX_DOC_CHARS:
        line += " " + line
    pieces = list(line_pieces(line, _MAX_DOC_CHARS))
    assert len(pieces) >= 3 and "".join(p for _, p in pieces) == line
    assert [offset for offset, _ in pieces] == [
        sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))
    ]
    words = set(line.split())
    for _, piece in pieces:
        assert len(piece) <= _MAX_DOC_CHARS
        assert set(piece.split()) <= words  # no word cut in two ("lovely" -> "lovel", "y")
    # Real descriptions have sentence ends, so every cut but the last falls after one.
    assert all(p.rstrip()[-1] in ".!?" for _, p in pieces[:-1])


def test_without_sentence_ends_cuts_at_white_space_and_a_word_run_where_it_must() -> None:
    words = "lovely " * 30_000
    pieces = [p for _, p in line_pieces(words, _MAX_DOC_CHARS)]
    assert all(set(p.split()) == {"lovely"} for p in pieces) and "".join(pieces) == words
    run = "x" * (2 * _MAX_DOC_CHARS + 5)
    assert [len(p) for _, p in line_pieces(run, _MAX_DOC_CHARS)] == [
        _MAX_DOC_CHARS, _MAX_DOC_CHARS, 5,
    ]


def test_chunks_map_pieces_back_to_their_line(descriptions: list[str]) -> None:
    long_line = " ".join(descriptions) * 3
    docs = list(_chunks([("p", ["short first line", long_line])]))
    assert all(len(text) <= _MAX_DOC_CHARS for text, _ in docs)
    line_nos = [n for _, (_, _, numbers, _) in docs for n in numbers]
    assert line_nos[0] == 0 and set(line_nos[1:]) == {1}
