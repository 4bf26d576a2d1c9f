"""The text stage: cleaning, English tagging, tags, resumability, hostile words, CLI."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from attrdb.cli import app
from attrdb.connection import connect
from attrdb.errors import InputError, ModelError
from attrdb.text.clean import clean_text, has_japanese, normalize_tag, split_lines
from attrdb.text.english import load_english_model
from attrdb.text.tokenize import run_text
from attrdb.vocab import run_vocab
from tests.conftest import copy_db

HOSTILE = ["o'neill", "'; drop table products; --"]


def _add_products(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    """rows: (product_id, shop, title, description, tags)."""
    con.executemany(
        "INSERT INTO products (product_id, shop, title, description, tags, source, source_row) "
        "VALUES (?, ?, ?, ?, ?, 'test', 0)",
        rows,
    )


# --- cleaning ------------------------------------------------------------------------


def test_clean_text_strips_html_emoji_and_odd_unicode() -> None:
    text = "<p>Soft&nbsp;<b>red</b> top 😀\u200b\x07 ＣＯＴＴＯＮ &lt;i&gt;x&lt;/i&gt;\ud800</p>"
    cleaned = clean_text(text)
    assert "<" not in cleaned and "😀" not in cleaned and "\u200b" not in cleaned
    assert "\ud800" not in cleaned and "\x07" not in cleaned
    assert cleaned.split() == ["Soft", "red", "top", "COTTON", "x"]
    assert clean_text(None) == "" and clean_text("") == ""


def test_split_lines_keeps_order_and_splits_sentences() -> None:
    text = "Wash Care\n\n  Machine wash cold. Do not bleach!\r\nDry in shade。乾燥機不可"
    assert split_lines(text) == [
        "Wash Care", "Machine wash cold.", "Do not bleach!", "Dry in shade。", "乾燥機不可",
    ]
    assert split_lines("   \n\t ") == []
    assert normalize_tag("  American   casual ") == "American casual"
    assert has_japanese("アメカジ") and has_japanese("可愛い") and not has_japanese("casual")


def test_missing_model_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="no English spaCy model"):
        load_english_model(("no_such_model_xyz",))


# --- the stage on the bundled sample ---------------------------------------------------


def test_sample_tokens_and_lines(text_db: Path) -> None:
    con = connect(text_db, read_only=True)
    try:
        n_products = con.execute("SELECT count(*) FROM products").fetchall()[0][0]
        done = con.execute("SELECT count(*) FROM tokenized_products").fetchall()[0][0]
        assert done == n_products == 949
        # Every token points at an existing line; words are lower-cased surfaces.
        orphans = con.execute(
            "SELECT count(*) FROM tokens t ANTI JOIN text_lines l "
            "USING (product_id, field, line_no)"
        ).fetchall()[0][0]
        assert orphans == 0
        bad_case = con.execute(
            "SELECT count(*) FROM tokens WHERE word <> lower(surface) OR norm <> word"
        ).fetchall()[0][0]
        assert bad_case == 0
        # Positions run 0..n-1 within each line.
        gaps = con.execute(
            "SELECT count(*) FROM (SELECT product_id, field, line_no, count(*) n, "
            "max(position) m FROM tokens GROUP BY ALL) WHERE m <> n - 1"
        ).fetchall()[0][0]
        assert gaps == 0
        # The wash-care line of listing 10053 is its own line, tagged by spaCy.
        line = con.execute(
            "SELECT line_no FROM text_lines WHERE product_id = '10053' AND field = 'description' "
            "AND text = 'Use mild detergent'"
        ).fetchall()
        assert line
        tags = dict(con.execute(
            "SELECT word, pos FROM tokens WHERE product_id = '10053' AND field = 'description' "
            "AND line_no = ?", [line[0][0]],
        ).fetchall())
        assert tags == {"use": "VB", "mild": "JJ", "detergent": "NN"}
        assert con.execute(
            "SELECT count(DISTINCT pos) FROM tokens WHERE pos IN ('JJ', 'JJR', 'JJS')"
        ).fetchall()[0][0] == 3
    finally:
        con.close()


def test_rerun_adds_nothing_and_resume_finishes(text_db: Path, tmp_path: Path) -> None:
    path = copy_db(text_db, tmp_path, "resume.duckdb")
    con = connect(path)
    try:
        before = con.execute("SELECT count(*) FROM tokens").fetchall()[0][0]
        assert run_text(con, progress=False)["products"] == 0
        # An interrupted run: the last 100 products were never written.
        con.execute(
            "CREATE TEMP TABLE lost AS SELECT product_id FROM tokenized_products "
            "ORDER BY product_id DESC LIMIT 100"
        )
        for table in ("tokens", "text_lines", "tokenized_products"):
            con.execute(f"DELETE FROM {table} WHERE product_id IN (SELECT product_id FROM lost)")
        summary = run_text(con, progress=False, batch_size=40)
        assert summary["products"] == 100
        assert con.execute("SELECT count(*) FROM tokens").fetchall()[0][0] == before
        assert run_text(con, progress=False)["products"] == 0
        assert con.execute("SELECT count(*) FROM tokens").fetchall()[0][0] == before
    finally:
        con.close()


# --- tags, odd input and hostile words -----------------------------------------------


def test_tags_odd_text_and_hostile_words_flow_through(db_path: Path) -> None:
    con = connect(db_path)
    try:
        _add_products(con, [
            ("p1", "shop'; --", "O'Neill cute top", "<b>Soft</b> 😀 red top.", HOSTILE),
            ("p2", "shop'; --", "O'Neill red dress", None, ["'; DROP TABLE products; --", "Red"]),
            ("p3", None, None, "\u200b\x00 ", []),
            ("p4", None, "", "", None),
        ])
        summary = run_text(con, progress=False)
        assert summary["products"] == 4
        rows = con.execute(
            "SELECT product_id, word, pos, line_no, position, surface FROM tokens "
            "WHERE field = 'tag' ORDER BY product_id, line_no"
        ).fetchall()
        assert rows == [
            ("p1", "o'neill", None, 0, 0, "o'neill"),
            ("p1", "'; drop table products; --", None, 1, 0, "'; drop table products; --"),
            ("p2", "'; drop table products; --", None, 0, 0, "'; DROP TABLE products; --"),
            ("p2", "red", None, 1, 0, "Red"),
        ]
        # Empty and invisible text gives no tokens, but the products count as done.
        assert con.execute(
            "SELECT count(*) FROM tokens WHERE product_id IN ('p3', 'p4')"
        ).fetchall()[0][0] == 0
        assert con.execute("SELECT count(*) FROM tokenized_products").fetchall()[0][0] == 4
        con.execute("INSERT INTO duplicate_groups SELECT product_id, shop, product_id, true "
                    "FROM products")
        run_vocab(con, kind="tag", min_count=1)
        vocab = dict(con.execute("SELECT word, n_products FROM vocabulary").fetchall())
        # The hostile tag is stored as data, but is no word (punctuation, no letters only),
        # so the vocabulary leaves it out like "5pk" (sql/macros/text.sql is_wordlike).
        assert vocab == {"o'neill": 1, "red": 1}
        members = con.execute(
            "SELECT product_id FROM tokens WHERE word = ? ORDER BY product_id",
            [HOSTILE[1]],
        ).fetchall()
        assert members == [("p1",), ("p2",)]
        run_vocab(con, kind="all", min_count=1, exclude=["'; DROP table products; --"])
        words = {r[0] for r in con.execute("SELECT word FROM vocabulary").fetchall()}
        assert "o'neill" in words and HOSTILE[1] not in words
        assert con.execute("SELECT count(*) FROM products").fetchall()[0][0] == 4
    finally:
        con.close()


def test_bad_lang_is_an_input_error(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(InputError, match="--lang"):
        run_text(con, lang="fr")


# --- CLI ------------------------------------------------------------------------------


def test_cli_text_and_error_paths(db_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--db", str(db_path), "text", "--quiet"])
    assert result.exit_code == 1
    assert "products" in str(result.exception) and "attrdb ingest" in str(result.exception)
    con = connect(db_path)
    _add_products(con, [("a1", "s", "Soft red cotton shirt", "A stylish shirt.", None)])
    con.close()
    result = runner.invoke(app, ["--db", str(db_path), "text", "--lang", "xx"])
    assert result.exit_code == 1 and "--lang" in str(result.exception)
    result = runner.invoke(app, ["--db", str(db_path), "text", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "1 products tagged" in result.output
    con = connect(db_path, read_only=True)
    words = con.execute("SELECT word, pos FROM tokens WHERE field = 'title'").fetchall()
    con.close()
    assert ("soft", "JJ") in words
