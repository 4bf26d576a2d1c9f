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


def _reference(lines: list[tuple[str, str, int, str]], shop_of: dict[str, str],
               shop_sizes: dict[str, int], stop_words: set[str], *, min_count: int,
               min_share: float, min_listings: int, constant_share: float,
               max_words: int) -> dict[str, str]:
    """The boilerplate rule in plain Python: flagged key -> reason."""
    per_shop: dict[tuple[str, str], set[str]] = defaultdict(set)
    for pid, _, _, text in lines:
        per_shop[(shop_of[pid], _key(text))].add(pid)
    totals: dict[str, int] = defaultdict(int)
    shop_rule: set[str] = set()
    constant: set[str] = set()
    for (shop, key), pids in per_shop.items():
        totals[key] += len(pids)
        share = len(pids) / shop_sizes[shop]
        if len(pids) >= min_count and share >= min_share:
            shop_rule.add(key)
        if len(pids) >= min_count and share >= constant_share:
            constant.add(key)
    recurring = {k for k, n in totals.items() if k and (k in shop_rule or n >= min_listings)}
    long = {k for k in recurring if len(k.split(" ")) > max_words}
    anchors = constant | long
    # Sections: runs of consecutive recurring lines of one listing.
    by_product: dict[str, dict[int, str]] = defaultdict(dict)
    for pid, _, line_no, text in lines:
        by_product[pid][line_no] = _key(text)
    in_template: dict[tuple[str, str], bool] = {}
    for pid, keyed in by_product.items():
        run: list[str] = []
        for line_no in [*sorted(keyed), None]:
            if line_no is not None and keyed[line_no] in recurring and (
                    not run or line_no - 1 in keyed and keyed[line_no - 1] in recurring):
                run.append(keyed[line_no])
                continue
            for key in run:
                in_template[(key, pid)] = in_template.get((key, pid), False) or bool(
                    set(run) & anchors)
            run = [keyed[line_no]] if line_no is not None and keyed[line_no] in recurring else []
    share = defaultdict(list)
    for (key, _), flag in in_template.items():
        share[key].append(flag)
    reasons = {k: "constant" for k in constant & recurring}
    reasons.update({k: "long" for k in long - constant})
    reasons.update({k: "template" for k in recurring - anchors if np.mean(share[k]) >= 0.5})

    def words(text: str) -> set[str]:
        return set(re.findall(r"[^\W\d_]+", text.lower())) - stop_words

    home: dict[str, list[bool]] = defaultdict(list)
    for _, _, _, text in lines:
        for word in words(text):
            home[word].append(_key(text) in reasons)
    key_words = {_key(text): words(text) for _, _, _, text in lines}
    for key in recurring - set(reasons):
        if key_words[key] and np.mean(
                [np.mean(home[w]) >= 0.5 for w in key_words[key]]) >= 0.5:
            reasons[key] = "template_words"
    return reasons


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rule_matches_a_python_reference(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    """Constructed shops: a care section under a header, care lines of varying wording, a
    long pasted sentence and short attribute lines; the SQL equals the Python rule."""
    rng = np.random.default_rng(seed)
    care = ["Warm iron", "Do not bleach", "Wash care: 30°C", "Dry in shade",
            "Tumble dry at low temperature", "Do not tumble dry or bleach"]
    attributes = ["Lined.", "Unlined.", "Slightly longer at the back.", "Concealed zip at back."]
    pasted = "Handmade in Jaipur by our own team of skilled craftsmen since 1990."
    shops = {"big": 60, "small": 8, "other": 30}
    lines: list[tuple[str, str, int, str]] = []
    products: list[tuple[str, str]] = []
    for shop, n in shops.items():
        for i in range(n):
            pid = f"{shop}{i:03d}"
            products.append((pid, shop))
            name = "".join(rng.choice(list("abcdefghij"), 8))
            own = [f"A {shop} item called {name} in {rng.choice(['red', 'blue'])}"]
            own += [a for a in attributes if rng.random() < 0.25]
            # The listing's own prose separates its attribute lines from the care section.
            own.append(f"Sewn by {name} in {rng.choice(['Pune', 'Agra', 'Goa'])}")
            if rng.random() < {"big": 0.8, "small": 0.3, "other": 0.2}[shop]:
                # Digits and case vary but fold to the same key; the header opens the section.
                chosen = ["Care"] + [t.replace("30", str(rng.integers(20, 40))).upper()
                                     if rng.random() < 0.3 else t
                                     for t in care if rng.random() < 0.5]
                if rng.random() < 0.3:
                    chosen.insert(2, f"Hand wash the {name} gently")
                own += chosen
            if shop == "other" and rng.random() < 0.4:
                own.append(pasted)
            for line_no, text in enumerate(own):
                lines.append((pid, "description", line_no, text))
    con.executemany("INSERT INTO products (product_id, shop, source, source_row) "
                    "VALUES (?, ?, 't', 1)", products)
    con.executemany("INSERT INTO text_lines VALUES (?, ?, ?, ?)", lines)
    con.executemany("INSERT INTO scope_products VALUES ('s', ?)", [[p] for p, _ in products])
    definition = ScopeDefinition(boilerplate="drop", boilerplate_min_count=4,
                                 boilerplate_min_share=0.2, boilerplate_min_listings=15)
    define_scope(con, "s", definition)
    summary = flag_boilerplate(con, "s", definition, constant_share=0.5,
                               max_attribute_words=8)

    stop_words = {r[0] for r in con.execute("SELECT word FROM stop_words").fetchall()}
    expected = _reference(lines, dict(products), shops, stop_words, min_count=4,
                          min_share=0.2, min_listings=15, constant_share=0.5, max_words=8)
    got = dict(con.execute(
        "SELECT line_key, reason FROM boilerplate_lines WHERE scope = 's'").fetchall())
    assert got == expected
    assert {"constant", "long", "template"} <= set(got.values())
    assert not any(k.startswith("a ") for k in got)  # every own line is its listing's alone
    # Attribute lines recur in all shops and stay.
    assert {"lined", "unlined", "slightly longer at the back"}.isdisjoint(got)
    assert summary["n_recurring_kept"] >= 3
    n_flagged = sum(1 for _, _, _, text in lines if _key(text) in expected)
    assert summary["n_flagged_lines"] == summary["n_excluded_lines"] == n_flagged
    assert summary["n_keys_by_reason"] == {
        r: sum(1 for v in expected.values() if v == r) for r in set(expected.values())}


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
