"""Near-duplicate groups in SQL against scikit-learn single linkage on the same vectors."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from attrdb.cli import app
from attrdb.connection import connect
from attrdb.dedup import run_dedup
from attrdb.errors import InputError, StateError
from attrdb.text.tokenize import run_text
from tests.conftest import copy_db

# Real shops of the full catalogue: small, medium, template-heavy (Span: 64 listings, 32
# distinct descriptions; Deborah: 95 / 31) and one-product shops.
BRANDS = ["Jack & Jones", "Speedo", "Hush Puppies", "Span", "Deborah", "Crocs",
          "Giorgio Armani", "Carlos Moya"]

Partition = frozenset[frozenset[str]]


def sklearn_partition(con: duckdb.DuckDBPyConnection, threshold: float) -> Partition:
    """Reference: the documented binary bag (the set of alphabetic title+description words,
    lower-cased, no English stop words) built in Python; AgglomerativeClustering per shop;
    an empty bag is its own group (scipy's cosine is undefined for a zero vector)."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    rows = con.execute(
        "SELECT p.product_id, coalesce(p.shop, ''), t.word FROM products AS p "
        "LEFT JOIN tokens AS t ON t.product_id = p.product_id "
        "AND t.field IN ('title', 'description')"
    ).fetchall()
    bags: dict[str, set[str]] = defaultdict(set)
    shops: dict[str, set[str]] = defaultdict(set)
    for product_id, shop, word in rows:
        shops[shop].add(product_id)
        bags[product_id]  # noqa: B018 - creates the empty bag
        if word is not None and word.isalpha() and word not in ENGLISH_STOP_WORDS:
            bags[product_id].add(word)
    groups: set[frozenset[str]] = set()
    for members in shops.values():
        products = sorted(p for p in members if bags[p])
        groups |= {frozenset([p]) for p in members if not bags[p]}
        if len(products) < 2:
            groups |= {frozenset([p]) for p in products}
            continue
        vocab = {w: i for i, w in enumerate(sorted({w for p in products for w in bags[p]}))}
        matrix = np.zeros((len(products), len(vocab)))
        for i, product_id in enumerate(products):
            for word in bags[product_id]:
                matrix[i, vocab[word]] = 1.0
        labels = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="single", distance_threshold=threshold
        ).fit(matrix).labels_
        found: dict[int, set[str]] = defaultdict(set)
        for product_id, label in zip(products, labels, strict=True):
            found[int(label)].add(product_id)
        groups |= {frozenset(g) for g in found.values()}
    return frozenset(groups)


def sql_partition(con: duckdb.DuckDBPyConnection) -> Partition:
    found: dict[str, set[str]] = defaultdict(set)
    for product_id, group_id in con.execute(
        "SELECT product_id, group_id FROM duplicate_groups"
    ).fetchall():
        found[group_id].add(product_id)
    return frozenset(frozenset(g) for g in found.values())


def check_group_table(con: duckdb.DuckDBPyConnection) -> None:
    """Every product once, its shop, one kept per group, group_id = smallest member."""
    assert con.execute(
        "SELECT count(*) FROM products p FULL JOIN duplicate_groups g USING (product_id) "
        "WHERE p.product_id IS NULL OR g.product_id IS NULL "
        "OR p.shop IS DISTINCT FROM g.shop"
    ).fetchall()[0][0] == 0
    bad = con.execute(
        "SELECT group_id FROM duplicate_groups GROUP BY group_id "
        "HAVING count(*) FILTER (WHERE kept) <> 1 OR min(product_id) <> group_id "
        "OR count(DISTINCT coalesce(shop, '')) <> 1"
    ).fetchall()
    assert bad == []


@pytest.fixture(scope="module")
def myntra_db(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    path = tmp_path_factory.mktemp("dedup") / "myntra.duckdb"
    con = connect(path, create=True)
    styles = str(shared_data / "myntra" / "styles.parquet")
    con.execute(
        "INSERT INTO products (product_id, shop, title, description, category, source, "
        "source_row) SELECT CAST(id AS VARCHAR), brand, title, description_text, article_type, "
        "'styles', row_number() OVER () FROM read_parquet(?) WHERE list_contains(?, brand)",
        [styles, BRANDS],
    )
    run_text(con, progress=False)
    con.close()
    return path


@pytest.mark.parametrize("threshold", [0.1, 0.3, 0.6])
def test_real_shops_match_sklearn(myntra_db: Path, tmp_path: Path, threshold: float) -> None:
    con = connect(copy_db(myntra_db, tmp_path, "d.duckdb"))
    try:
        summary = run_dedup(con, threshold=threshold)
        assert summary["n_shops"] == len(BRANDS)
        assert sql_partition(con) == sklearn_partition(con, threshold)
        check_group_table(con)
        if threshold == 0.1:
            # Template shops really do collapse; one-product shops are singletons.
            sizes = dict(con.execute(
                "SELECT shop, count(DISTINCT group_id) FROM duplicate_groups GROUP BY shop"
            ).fetchall())
            assert sizes["Giorgio Armani"] == sizes["Carlos Moya"] == 1
            assert sizes["Span"] < 40 and sizes["Deborah"] < 40
    finally:
        con.close()


def test_sample_matches_sklearn(text_db: Path) -> None:
    con = connect(text_db, read_only=True)
    try:
        assert sql_partition(con) == sklearn_partition(con, 0.1)
        check_group_table(con)
        removed = con.execute("SELECT count(*) FROM duplicate_groups WHERE NOT kept").fetchall()
        assert 300 < removed[0][0] < 800
    finally:
        con.close()


def test_random_bags_with_ties_match_sklearn(db_path: Path) -> None:
    """Constructed word sets: shared templates, small edits, exact copies, empty bags."""
    rng = np.random.default_rng(7)
    words = [f"w{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(40)]
    products, tokens = [], []
    for shop in range(4):
        templates = [rng.choice(words, size=rng.integers(3, 12)) for _ in range(3)]
        for k in range(30):
            pid = f"s{shop}p{k:02d}"
            bag = list(templates[k % 3])
            for _ in range(rng.integers(0, 3)):
                bag.append(str(rng.choice(words)))
            if k == 29:
                bag = []
            products.append((pid, f"shop {shop}"))
            tokens += [(pid, w, i) for i, w in enumerate(bag)]
    con = connect(db_path)
    try:
        con.executemany(
            "INSERT INTO products (product_id, shop, source, source_row) VALUES (?, ?, 't', 0)",
            products,
        )
        con.executemany(
            "INSERT INTO tokens (product_id, word, norm, pos, field, line_no, position) "
            "VALUES (?, ?, ?, 'NN', 'description', 0, ?)",
            [(p, w, w, i) for p, w, i in tokens],
        )
        con.execute("INSERT INTO tokenized_products (product_id, lang_option, n_tokens) "
                    "SELECT product_id, 'en', 0 FROM products")
        for threshold in (0.05, 0.1, 0.2, 0.4, 0.8, 1.0):
            run_dedup(con, threshold=threshold)
            assert sql_partition(con) == sklearn_partition(con, threshold), threshold
            check_group_table(con)
    finally:
        con.close()


def test_seed_is_deterministic_and_only_changes_the_kept_choice(
    text_db: Path, tmp_path: Path
) -> None:
    con = connect(copy_db(text_db, tmp_path, "seed.duckdb"))
    try:
        query = "SELECT product_id, group_id, kept FROM duplicate_groups ORDER BY product_id"
        first = con.execute(query).fetchall()
        run_dedup(con, seed=0)
        assert con.execute(query).fetchall() == first
        run_dedup(con, seed=1)
        other = con.execute(query).fetchall()
        assert [r[:2] for r in other] == [r[:2] for r in first]
        assert [r[2] for r in other] != [r[2] for r in first]
        assert con.execute(
            "SELECT count(*) FROM kept_products"
        ).fetchall()[0][0] == sum(r[2] for r in first)
        runs = con.execute(
            "SELECT params->>'seed' FROM runs WHERE stage = 'dedup' ORDER BY run_id"
        ).fetchall()
        assert [r[0] for r in runs] == ["0", "0", "1"]
    finally:
        con.close()


def test_dedup_refuses_untokenised_products_and_bad_threshold(db_path: Path) -> None:
    con = connect(db_path)
    try:
        con.execute("INSERT INTO products (product_id, title, source, source_row) "
                    "VALUES ('x', 'Red top', 't', 0)")
        with pytest.raises(StateError, match="attrdb text"):
            run_dedup(con)
        with pytest.raises(InputError, match="threshold"):
            run_dedup(con, threshold=0)
    finally:
        con.close()
    runner = CliRunner()
    result = runner.invoke(app, ["--db", str(db_path), "dedup"])
    assert result.exit_code == 1 and "attrdb text" in str(result.exception)
    assert runner.invoke(app, ["--db", str(db_path), "text", "--quiet"]).exit_code == 0
    result = runner.invoke(app, ["--db", str(db_path), "dedup", "--threshold", "0.2"])
    assert result.exit_code == 0, result.output
    assert "1 groups" in result.output
