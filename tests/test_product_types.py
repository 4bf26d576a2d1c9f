"""Title-named product types (sql/text/product_types.sql) and category matching on them for
products without a category, on the bundled sample's real titles."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pytest

from attrdb.connection import connect
from attrdb.context.matched import flag_category_bound, match_line
from attrdb.context.scopes import ScopeDefinition, define_scope
from attrdb.report.sections import Context, _negatives_note, rows
from attrdb.sqlfiles import run_sql_file
from attrdb.text.tokenize import PRODUCT_TYPE_MIN_PRODUCTS
from attrdb.vocab import run_vocab
from tests.conftest import copy_db

NOUN_TAGS = {"NN", "NNS", "NNP", "NNPS"}
# Share of typed products whose type's most common category is theirs (measured 0.94
# on the sample; 0.84 over the 9,583 imaged products of the full shared Myntra set).
PURITY = 0.8


BREAKS = {",", "、", "，", "|", "｜", "(", "（", "[", "【", ":", "："}


def _types_in_python(title_tokens: list[tuple[str, int, int, str, str, bool]]) -> dict[str, str]:
    """The rules of product_types.sql written again: the last noun of the first line's first
    segment (else of the title), plural folding, size."""
    by_product: dict[str, list[tuple[int, int, str, str, bool]]] = defaultdict(list)
    for product_id, *token in title_tokens:
        by_product[product_id].append(tuple(token))  # type: ignore[arg-type]
    heads = {}
    for product_id, tokens in by_product.items():
        tokens.sort()
        first_line = tokens[0][0]
        nouns = [t for t in tokens if (t[3] in NOUN_TAGS or t[3].split("-")[0] == "名詞") and t[4]]
        segment = []
        for token in tokens:
            if token[0] != first_line or token[2] in BREAKS:
                break
            if token in nouns:
                segment.append(token)
        if segment or nouns:
            heads[product_id] = (segment or nouns)[-1][2]
    nouns = set(heads.values())

    def fold(noun: str) -> str:
        if noun.endswith("s") and noun[:-1] in nouns:
            return noun[:-1]
        if noun.endswith("es") and noun[:-2] in nouns:
            return noun[:-2]
        return noun

    typed = {product_id: fold(noun) for product_id, noun in heads.items()}
    sizes = Counter(typed.values())
    return {p: t for p, t in typed.items() if sizes[t] >= PRODUCT_TYPE_MIN_PRODUCTS}


def test_the_text_stage_names_each_products_type_by_its_titles_last_noun(text_db: Path) -> None:
    con = connect(text_db, read_only=True)
    try:
        tokens = con.execute(
            "SELECT product_id, line_no, position, word, coalesce(pos, ''), is_wordlike(word) "
            "FROM tokens WHERE field = 'title'").fetchall()
        stored = con.execute(
            "SELECT product_id, head_noun, product_type FROM product_types").fetchall()
        n_titled = con.execute(
            "SELECT count(*) FROM products WHERE title IS NOT NULL").fetchall()[0][0]
        categories = dict(con.execute("SELECT product_id, category FROM products").fetchall())
    finally:
        con.close()
    expected = _types_in_python(tokens)
    assert {p: t for p, _, t in stored if t is not None} == expected
    # Nearly every sample title ends with a noun; the untyped are the rare nouns.
    assert len(stored) >= 0.95 * n_titled
    heads = {h for _, h, _ in stored}
    by_type: dict[str, set[str]] = defaultdict(set)
    for _, head, product_type in stored:
        if product_type is not None:
            by_type[product_type].add(head)
    # Myntra titles end with the article: plural and singular titles share one type.
    assert {"shirt", "shirts"} <= heads and by_type["shirt"] >= {"shirt", "shirts"}
    common = [t for t, _ in Counter(t for _, _, t in stored if t).most_common(5)]
    assert {"shirt", "shoe"} <= set(common), common
    # A title type stands for one kind of product: most products of a type share the
    # catalogue's own category (article_type), which the types never read.
    pairs = Counter((t, categories[p]) for p, _, t in stored if t is not None)
    majority = sum(max(n for (t2, _), n in pairs.items() if t2 == t) for t in by_type)
    assert majority / sum(pairs.values()) >= PURITY, majority / sum(pairs.values())


@pytest.fixture()
def typed_db(tmp_path: Path, text_db: Path) -> Path:
    """The sample without categories for the first half of its products (by id)."""
    path = copy_db(text_db, tmp_path, "typed.duckdb")
    con = connect(path)
    con.execute(
        "UPDATE products SET category = NULL WHERE product_id IN ("
        "SELECT product_id FROM products ORDER BY product_id "
        "LIMIT (SELECT count(*) // 2 FROM products))")
    con.close()
    return path


def test_products_without_a_category_are_matched_on_their_title_type(typed_db: Path) -> None:
    con = connect(typed_db)
    try:
        definition = ScopeDefinition(negatives="category_matched", match_shop=False)
        define_scope(con, "typed", definition)
        run_vocab(con, scope="typed")
        flag_category_bound(con, "typed", definition)
        rows = con.execute(
            "SELECT wp.word, p.category, t.product_type FROM word_products AS wp "
            "JOIN products AS p ON p.product_id = wp.product_id "
            "LEFT JOIN product_types AS t ON t.product_id = wp.product_id "
            "WHERE wp.scope = 'typed'").fetchall()
        bound = {word: (n_categories, top_category, top_share) for word, n_categories,
                 top_category, top_share in con.execute(
                     "SELECT word, n_categories, top_category, top_share "
                     "FROM category_bound_words WHERE scope = 'typed'").fetchall()}
        # The universe's strata as the visualness stage numbers them.
        con.execute("CREATE TEMP TABLE visualness_universe AS SELECT product_id, "
                    "CAST(row_number() OVER (ORDER BY product_id) AS INTEGER) AS row_idx "
                    "FROM products")
        run_sql_file(con, "context/visualness_categories",
                     {"match_field": "category", "match_shop": False})
        strata = dict(con.execute(
            "SELECT u.product_id, c.category FROM visualness_categories AS c "
            "JOIN visualness_universe AS u USING (row_idx)").fetchall())
        products = con.execute(
            "SELECT p.product_id, p.category, t.product_type FROM products AS p "
            "LEFT JOIN product_types AS t USING (product_id)").fetchall()
    finally:
        con.close()
    # Each product's stratum: its category, else its title type, else '' (one stratum).
    assert strata == {p: category or product_type or "" for p, category, product_type
                      in products}
    assert any(c is None and t for _, c, t in products)
    assert any(c is not None for _, c, _ in products)
    # category_bound_words counts positives in the same categories.
    per_word: dict[str, Counter[str | None]] = defaultdict(Counter)
    for word, category, product_type in rows:
        per_word[word][category or product_type] += 1
    assert per_word and set(per_word) == set(bound)
    for word, counts in per_word.items():
        n_categories, top_category, top_share = bound[word]
        assert n_categories == len(counts), word
        assert top_share == pytest.approx(max(counts.values()) / sum(counts.values())), word
        assert counts[top_category] == max(counts.values()), word


def test_a_matched_divergence_run_says_what_its_products_were_matched_on(
    tmp_path: Path, context_db: Path
) -> None:
    from attrdb.divergence import run_divergence

    path = copy_db(context_db, tmp_path, "context.duckdb")
    con = connect(path)
    try:
        before = run_divergence(con, scope="matched")["category_matched"]
        con.execute(
            "UPDATE products SET category = NULL WHERE product_id IN ("
            "SELECT product_id FROM products ORDER BY product_id "
            "LIMIT (SELECT count(*) // 2 FROM products))")
        run_vocab(con, scope="matched")
        summary = run_divergence(con, scope="matched")
        n_typed_catalogue = con.execute(
            "SELECT count(*) FROM products AS p JOIN product_types AS t USING (product_id) "
            "WHERE p.category IS NULL AND t.product_type IS NOT NULL").fetchall()[0][0]
        # The report's visualness section says the same (sql/report/divergence_matching.sql).
        note = _negatives_note(rows(Context(con, summary["model_id"], "matched"),
                                    "divergence_matching"))
        # Neither categories nor titled types: nothing to match on, and the run says so.
        con.execute("UPDATE products SET category = NULL")
        con.execute("DELETE FROM product_types")
        run_vocab(con, scope="matched")
        unmatched_run = run_divergence(con, scope="matched")
    finally:
        con.close()
    nothing = unmatched_run["category_matched"]
    assert nothing["n_categories"] == 0 and nothing["n_products_by_category"] == 0
    assert match_line(nothing).startswith("warning: negatives are not category-matched")
    # `attrdb run` prints a summary's warnings; only the run with nothing to match on has one.
    assert unmatched_run["warnings"] == [match_line(nothing)]
    assert "warnings" not in summary
    assert match_line(before).startswith(f"negatives matched within {before['n_categories']} ")
    after = summary["category_matched"]
    assert note == (
        f"<p>Negatives: matched to the positives' category over {after['n_categories']} "
        f"categories: {after['n_products_by_category']} products by their <code>category"
        f"</code>, {after['n_products_by_title_type']} by their title's product type, "
        f"{after['n_products_unmatched']} by neither.</p>")
    # Every sample product has a category (article_type) ...
    assert before["n_products_by_title_type"] == before["n_products_unmatched"] == 0
    # ... until half lose it: they are matched on their title's type, the rest stay.
    assert n_typed_catalogue > 0
    assert after["n_products_by_title_type"] > 0
    assert after["n_products_by_category"] > 0
    assert (after["n_products_by_category"] + after["n_products_by_title_type"]
            + after["n_products_unmatched"]) == summary["n_products"]
    assert after["n_products_by_category"] < before["n_products_by_category"]


def test_auto_negatives_match_a_catalogue_without_categories_on_title_types(
    tmp_path: Path, text_db: Path
) -> None:
    from attrdb.context.scopes import resolve_negatives

    con = connect(copy_db(text_db, tmp_path, "nocategory.duckdb"))
    try:
        con.execute("UPDATE products SET category = NULL")
        assert resolve_negatives(con, "auto", "category") == "category_matched"
        con.execute("DELETE FROM product_types")
        assert resolve_negatives(con, "auto", "category") == "random"
    finally:
        con.close()


def test_product_type_rules_on_constructed_titles(con: duckdb.DuckDBPyConnection) -> None:
    """Each rule of product_types.sql on a few constructed titles (tokens rows as the text
    stage writes them): the last noun of the first line's first segment, no digits, plural
    and -es folding only when the singular is used, Sudachi nouns, the minimum size."""
    titles = {
        # product: [(line_no, position, word, pos), ...]
        "a": [(0, 0, "red", "JJ"), (0, 1, "shirt", "NN")],
        "b": [(0, 0, "blue", "NNP"), (0, 1, "shirts", "NNS")],
        "c": [(0, 0, "watches", "NNS")],
        "d": [(0, 0, "watch", "NN"), (0, 1, "black", "JJ")],
        "e": [(0, 0, "dress", "NN")],  # 'dres' is no title's noun: stays 'dress'
        "f": [(0, 0, "shoe", "NN"), (0, 1, "5pk", "NN")],  # digits: not a word
        "g": [(0, 0, "bag", "NN"), (1, 0, "wallet", "NN")],  # the first line's noun
        "j": [(0, 0, "running", "NN"), (0, 1, "shoe", "NN"), (0, 2, ",", ","),
              (0, 3, "black", "NN")],  # the first segment's noun
        "k": [(0, 0, "(", "-LRB-"), (0, 1, "new", "JJ"), (0, 2, ")", "-RRB-"),
              (0, 3, "tote", "NN")],  # no noun before the bracket: the title's last
        "h": [(0, 0, "白い", "形容詞-一般"), (0, 1, "シャツ", "名詞-普通名詞-一般")],
        "i": [(0, 0, "pretty", "JJ")],  # no noun: no row
    }
    con.execute("INSERT INTO tokens (product_id, word, pos, field, line_no, position, norm) "
                "SELECT * FROM (VALUES " + ", ".join(
                    ["(?, ?, ?, 'title', ?, ?, ?)"] * sum(map(len, titles.values()))) + ")",
                [v for p, rows in titles.items() for (line, pos_, word, tag) in rows
                 for v in (p, word, tag, line, pos_, word)])
    run_sql_file(con, "text/product_types", {"min_products": 1})
    rows = {p: (head, kind) for p, head, kind in con.execute(
        "SELECT product_id, head_noun, product_type FROM product_types").fetchall()}
    assert rows == {
        "a": ("shirt", "shirt"), "b": ("shirts", "shirt"), "c": ("watches", "watch"),
        "d": ("watch", "watch"), "e": ("dress", "dress"), "f": ("shoe", "shoe"),
        "g": ("bag", "bag"), "h": ("シャツ", "シャツ"), "j": ("shoe", "shoe"),
        "k": ("tote", "tote"),
    }
    # A type held by fewer products than the minimum is no type; the head noun stays.
    run_sql_file(con, "text/product_types", {"min_products": 2})
    typed = dict(con.execute("SELECT product_id, product_type FROM product_types").fetchall())
    assert typed == {"a": "shirt", "b": "shirt", "c": "watch", "d": "watch", "e": None,
                     "f": "shoe", "g": None, "h": None, "j": "shoe", "k": None}
