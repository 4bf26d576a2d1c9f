"""Japanese text and tags: Sudachi normalisation and the real synonym lexicon as merge table."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from attrdb.connection import connect
from attrdb.errors import InputError
from attrdb.text.japanese import morphemes, normalize_japanese
from attrdb.text.synonyms import build_table, normalize_term, read_pairs
from attrdb.text.tokenize import run_text

LEXICON = "japanese/fashion_surface_to_canonical.tsv"


@pytest.fixture(scope="module")
def lexicon(shared_data: Path) -> Path:
    return shared_data / LEXICON


def _lexicon_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_spelling_variants_share_one_normal_form() -> None:
    assert {normalize_japanese(w) for w in ("カワイイ", "かわいい", "可愛い")} == {"可愛い"}
    surface, norm, pos = morphemes("かわいい")[0]
    assert (surface, norm) == ("かわいい", "可愛い") and pos.startswith("形容詞")
    # Mode C keeps the long unit; Sudachi itself maps the English form.
    assert normalize_japanese("アメリカンカジュアル") == "アメリカンカジュアル"
    assert normalize_japanese("American casual") == "アメリカンカジュアル"


def test_lexicon_variants_merge_through_the_table(lexicon: Path) -> None:
    rows = _lexicon_rows(lexicon)
    table = build_table((r["surface"], r["canonical_same_vocab"], "lexicon") for r in rows)
    merge = {term: canonical for term, canonical, _ in table.rows}
    canon = normalize_term("アメリカンカジュアル")

    def merged(text: str) -> str:
        key = normalize_term(text)
        return merge.get(key, key)

    # Abbreviation, English form and the representative all land on one word.
    assert merged("アメカジ") == merged("American casual") == canon
    assert merged("アメリカンカジュアル") == canon
    assert merged("カーデ") == merged("cardigan") == merged("カーディガン")
    assert merged("ワンピ") == merged("one-piece") == merged("ワンピース")
    # Spelling variants (異表記) of real lexicon groups merge with their representative.
    variants = [r for r in rows if r["hyouki_yure"] == "異表記・表記ゆれ"]
    assert len(variants) > 50
    ambiguous_surfaces = {
        s for s in {r["surface"] for r in rows}
        if len({r["canonical_same_vocab"] for r in rows if r["surface"] == s}) > 1
    }
    checked = 0
    for row in variants:
        if row["surface"] in ambiguous_surfaces:
            continue
        assert merged(row["surface"]) == merged(row["canonical_same_vocab"]), row
        checked += 1
    assert checked > 50
    # A surface with two meanings (lip = リップ / リップクリーム / ...) is not merged.
    assert table.n_ambiguous > 0
    assert "lip" not in merge


def test_read_pairs_rejects_bad_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_pairs(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\nx,y\n", encoding="utf-8")
    with pytest.raises(InputError, match="header"):
        read_pairs(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text("term,canonical\nx,\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        read_pairs(empty)


def test_japanese_tags_and_text_merge_in_tokens(db_path: Path, lexicon: Path) -> None:
    con = connect(db_path)
    try:
        con.executemany(
            "INSERT INTO products (product_id, shop, title, description, tags, source, source_row) "
            "VALUES (?, 'wear', ?, ?, ?, 'test', 0)",
            [
                ("j1", "カワイイ アメカジ コーデ", "シンプルでかわいいカーデです。",
                 ["アメカジ", "カーデ"]),
                ("j2", "American casual style", "Soft cotton.", ["American casual", "cardigan"]),
                ("j3", "可愛いワンピ", None, ["アメリカンカジュアル", "ワンピ", "白コーデ"]),
            ],
        )
        run_text(con, lang="auto", progress=False)
        tags_before = con.execute(
            "SELECT product_id, line_no, norm, lang FROM tokens WHERE field = 'tag' "
            "ORDER BY product_id, line_no"
        ).fetchall()
        assert tags_before[:2] == [("j1", 0, "アメカジ", "ja"), ("j1", 1, "カーデ", "ja")]
        assert ("j2", 0, "american casual", "en") in tags_before
        summary = run_text(con, synonyms=[lexicon], progress=False)
        assert summary["products"] == 0 and summary["tokens_rewritten"] > 0
        tags = con.execute(
            "SELECT product_id, word FROM tokens WHERE field = 'tag' ORDER BY product_id, line_no"
        ).fetchall()
        american = normalize_term("アメリカンカジュアル")
        cardigan = normalize_term("カーディガン")
        assert tags == [
            ("j1", american), ("j1", cardigan),
            ("j2", american), ("j2", cardigan),
            ("j3", american), ("j3", normalize_term("ワンピース")),
            ("j3", normalize_japanese("白コーデ")),
        ]
        # Japanese description: adjectives from Sudachi, spelling variants merged.
        adjectives = con.execute(
            "SELECT word FROM tokens WHERE product_id = 'j1' AND field = 'description' "
            "AND is_adjective(pos) ORDER BY position"
        ).fetchall()
        assert adjectives == [("シンプル",), ("可愛い",)]
        titles = {r[0] for r in con.execute(
            "SELECT word FROM tokens WHERE field = 'title' AND product_id IN ('j1', 'j3')"
        ).fetchall()}
        assert {"可愛い", american} <= titles
        # English titles keep spaCy; English words inside lang=ja text go through Sudachi.
        assert con.execute(
            "SELECT lang FROM tokens WHERE product_id = 'j2' AND field = 'title' LIMIT 1"
        ).fetchall() == [("en",)]
        # Dropping the synonym table restores the tagger's own forms.
        con.execute("DELETE FROM synonyms")
        run_text(con, progress=False)
        from attrdb.text.tokenize import apply_synonyms

        apply_synonyms(con)
        assert con.execute("SELECT count(*) FROM tokens WHERE word <> norm").fetchall()[0][0] == 0
    finally:
        con.close()


def test_forced_japanese_runs_without_spacy(db_path: Path) -> None:
    con = connect(db_path)
    try:
        con.execute(
            "INSERT INTO products (product_id, title, description, source, source_row) "
            "VALUES ('k1', 'Cute カワイイ bag', 'かわいい', 'test', 0)"
        )
        summary = run_text(con, lang="ja", progress=False)
        assert summary["english_model"] is None
        words = con.execute(
            "SELECT DISTINCT lang FROM tokens"
        ).fetchall()
        assert words == [("ja",)]
        assert con.execute(
            "SELECT count(*) FROM tokens WHERE word = '可愛い'"
        ).fetchall()[0][0] == 2
    finally:
        con.close()
