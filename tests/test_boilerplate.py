"""Boilerplate lines: the rule against a Python reference, real care lines found and
product lines kept on the sample, dropped lines out of the vocabulary and D+, CLI."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from attrdb.cli import app
from attrdb.connection import connect
from attrdb.context.boilerplate import flag_boilerplate, top_boilerplate
from attrdb.context.scopes import ScopeDefinition, define_scope


def _key(text: str) -> str:
    """line_key in Python: lower case, digit runs as 0, other non-letters as one space."""
    text = re.sub(r"\d+", "0", text.lower())
    return re.sub(r"[\W_]+", " ", text).strip()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rule_matches_a_python_reference(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    rng = np.random.default_rng(seed)
    templates = ["Warm iron", "Do not bleach", "Wash care: 30°C", "Height 6', chest 38\"",
                 "Handmade in Jaipur", "Dry in shade"]
    shops = {"big": 60, "small": 8, "other": 30}
    lines: list[tuple[str, str, int, str]] = []
    products: list[tuple[str, str]] = []
    for shop, n in shops.items():
        for i in range(n):
            pid = f"{shop}{i:03d}"
            products.append((pid, shop))
            chosen = [t for t in templates if rng.random() < {"big": 0.3, "small": 0.6,
                                                                "other": 0.1}[shop]]
            name = "".join(rng.choice(list("abcdefghij"), 8))
            own = [f"A {shop} item called {name} in {rng.choice(['red', 'blue'])}"]
            # Digits and case vary but fold to the same key.
            chosen = [t.replace("6", str(rng.integers(5, 7))).upper() if rng.random() < 0.3
                      else t for t in chosen]
            for line_no, text in enumerate(own + chosen):
                lines.append((pid, "description", line_no, text))
    con.executemany("INSERT INTO products (product_id, shop, source, source_row) "
                    "VALUES (?, ?, 't', 1)", products)
    con.executemany("INSERT INTO text_lines VALUES (?, ?, ?, ?)", lines)
    con.executemany("INSERT INTO scope_products VALUES ('s', ?)", [[p] for p, _ in products])
    definition = ScopeDefinition(boilerplate="drop", boilerplate_min_count=4,
                                 boilerplate_min_share=0.2, boilerplate_min_listings=15)
    define_scope(con, "s", definition)
    summary = flag_boilerplate(con, "s", definition)

    shop_of = dict(products)
    per_shop: dict[tuple[str, str], set[str]] = defaultdict(set)
    for pid, _, _, text in lines:
        per_shop[(shop_of[pid], _key(text))].add(pid)
    totals: dict[str, int] = defaultdict(int)
    flagged_somewhere: set[str] = set()
    for (shop, key), pids in per_shop.items():
        totals[key] += len(pids)
        if len(pids) >= 4 and len(pids) / shops[shop] >= 0.2:
            flagged_somewhere.add(key)
    expected = {k for k, n in totals.items() if k in flagged_somewhere or n >= 15}
    got = {r[0]: r[1] for r in con.execute(
        "SELECT line_key, n_products FROM boilerplate_lines WHERE scope = 's'").fetchall()}
    assert set(got) == expected and expected
    assert all(got[k] == totals[k] for k in got)
    assert not any(k.startswith("a ") for k in got)  # every own line is its listing's alone
    n_flagged = sum(1 for pid, _, _, text in lines if _key(text) in expected)
    assert summary["n_flagged_lines"] == summary["n_excluded_lines"] == n_flagged


def test_care_lines_found_and_product_lines_kept(context_db: Path) -> None:
    con = connect(context_db, read_only=True)
    try:
        keys = {r[0] for r in con.execute(
            "SELECT line_key FROM boilerplate_lines WHERE scope = 'clean'").fetchall()}
        # Lines that describe what the product looks like: they name its catalogue colour.
        describing, flagged = con.execute(
            "SELECT count(*), count(b.line_key) FROM text_lines AS l "
            "JOIN scope_products AS s ON s.product_id = l.product_id AND s.scope = 'clean' "
            "JOIN products AS p ON p.product_id = l.product_id "
            "LEFT JOIN boilerplate_product_lines AS b ON b.scope = 'clean' "
            "AND b.product_id = l.product_id AND b.field = l.field AND b.line_no = l.line_no "
            "WHERE l.field = 'description' AND list_has_any(value_words(l.text), "
            "value_words(metadata_value(p.metadata, 'base_colour')))").fetchall()[0]
        single = con.execute(
            "SELECT count(*) FROM boilerplate_lines WHERE scope = 'clean' AND n_products < 5"
        ).fetchall()[0][0]
        kept_lines = con.execute(
            "SELECT count(*) FROM boilerplate_product_lines WHERE scope = 'clean'"
        ).fetchall()[0][0]
    finally:
        con.close()
    for care in ("warm iron", "do not bleach", "wash dark colours separately",
                 "do not store in direct sunlight", "wash care", "shoe care"):
        assert care in keys, care
    assert describing > 100 and flagged == 0
    assert single == 0 and kept_lines > 1000


def test_dropped_lines_leave_the_vocabulary_and_the_positive_sets(context_db: Path) -> None:
    con = connect(context_db, read_only=True)
    try:
        # Oracle: a product holds a word in 'clean' iff it has the word on a title or a
        # description line that is not boilerplate (default keeps those lines).
        expected = con.execute(
            "SELECT DISTINCT t.word, t.product_id FROM tokens AS t "
            "JOIN scope_products AS s ON s.product_id = t.product_id AND s.scope = 'clean' "
            "JOIN vocabulary AS v ON v.word = t.word AND v.scope = 'clean' "
            "WHERE t.field IN ('title', 'description') AND NOT EXISTS (SELECT 1 FROM "
            "boilerplate_product_lines AS b WHERE b.scope = 'clean' AND b.product_id = "
            "t.product_id AND b.field = t.field AND b.line_no = t.line_no) ORDER BY ALL"
        ).fetchall()
        got = con.execute("SELECT word, product_id FROM word_products WHERE scope = 'clean' "
                          "ORDER BY ALL").fetchall()
        flags = dict(con.execute(
            "SELECT scope, bool_and(excluded) FROM boilerplate_product_lines GROUP BY scope"
        ).fetchall())
        top = {r[0] for r in con.execute(
            "SELECT word FROM vocabulary WHERE scope = ? AND rank <= 10", ["default"]
        ).fetchall()}
        top_clean = {r[0] for r in con.execute(
            "SELECT word FROM vocabulary WHERE scope = ? AND rank <= 10", ["clean"]
        ).fetchall()}
    finally:
        con.close()
    assert got == expected and len(got) > 1000
    assert flags == {"default": False, "matched": False, "clean": True, "apparel": True}
    care = {"dry", "clean", "damp", "direct", "cold", "warm"}
    assert len(care & top) > len(care & top_clean)


def test_top_lines_and_cli(context_db: Path) -> None:
    con = connect(context_db, read_only=True)
    try:
        top = top_boilerplate(con, "clean", 5)
    finally:
        con.close()
    assert [r["rank"] for r in top] == [1, 2, 3, 4, 5]
    assert all(r["excluded"] for r in top)
    assert [r["n_products"] for r in top] == sorted((r["n_products"] for r in top), reverse=True)
    result = CliRunner().invoke(app, ["--db", str(context_db), "boilerplate", "--scope",
                                      "clean", "--top", "5"])
    assert result.exit_code == 0, result.output
    rows = result.stdout.strip().splitlines()
    assert len(rows) == 5 and rows[0].split("\t")[3] == top[0]["example"]
    assert "excluded from the vocabulary" in result.stderr
