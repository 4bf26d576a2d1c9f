"""Metadata agreement: precision at k of the surest test predictions against the
catalogue's base_colour / Pattern, recomputed in Python; CLI and error path."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attrdb.cli import app, main
from attrdb.connection import connect
from attrdb.context.metadata_check import parse_attribute, run_metadata_check
from attrdb.errors import InputError
from tests.conftest import copy_db


def _value_words(value: str | None) -> list[str]:
    return [w for w in re.split(r"[^a-z]+", (value or "").lower()) if w]


def test_precision_matches_a_python_recount(visualness_db: Path, tmp_path: Path) -> None:
    con = connect(copy_db(visualness_db, tmp_path, "meta.duckdb"))
    try:
        result = run_metadata_check(con, ks=(5, 20))
        stored = {(m, a, w, k): rest for m, a, w, k, *rest in con.execute(
            "SELECT method, attribute, word, k, n_ranked, n_agree, precision, base_rate, "
            "text_precision, category_rate FROM metadata_agreement").fetchall()}
        products = con.execute(
            "SELECT p.product_id, s.split, p.metadata, p.category FROM products AS p "
            "JOIN scope_products "
            "AS sp ON sp.product_id = p.product_id AND sp.scope = 'default' "
            "LEFT JOIN splits AS s ON s.product_id = p.product_id").fetchall()
        vocabulary = {r[0] for r in con.execute(
            "SELECT word FROM vocabulary WHERE scope = 'default'").fetchall()}
        predictions = con.execute(
            "SELECT method, word, product_id, score FROM predictions WHERE scope = 'default'"
        ).fetchall()
        positives = con.execute(
            "SELECT word, product_id FROM word_products WHERE scope = 'default'").fetchall()
    finally:
        con.close()
    paths = {"colour": lambda m: m.get("base_colour"),
             "pattern": lambda m: json.loads(m.get("article_attributes") or "{}").get("Pattern")}
    assert result["attributes"]["colour"]["n_words"] > 0
    checked = 0
    for attribute, get in paths.items():
        values = {pid: _value_words(get(json.loads(meta or "{}"))) for pid, _, meta, _ in products}
        values = {pid: v for pid, v in values.items() if v}
        test = {pid for pid, split, _, _ in products if split == "test" and pid in values}
        category = {pid: c or "" for pid, _, _, c in products}
        words = {w for w in vocabulary if any(w in v for v in values.values())}
        for (method, attr, word, k), row in stored.items():
            if attr != attribute:
                continue
            assert word in words
            ranked = sorted(((-s, pid) for m, w, pid, s in predictions
                             if m == method and w == word and pid in test))[:k]
            agree = sum(1 for _, pid in ranked if word in values[pid])
            base = sum(1 for pid in test if word in values[pid]) / len(test)
            text_members = [pid for w, pid in positives if w == word and pid in test]
            text = (sum(1 for pid in text_members if word in values[pid]) / len(text_members)
                    if text_members else None)
            in_category = {c: [pid for pid in test if category[pid] == c]
                           for c in {category[pid] for _, pid in ranked}}
            explained = sum(
                sum(1 for q in in_category[category[pid]] if word in values[q])
                / len(in_category[category[pid]]) for _, pid in ranked) / len(ranked)
            assert row[5] == pytest.approx(explained)
            assert row[:2] == [len(ranked), agree]
            assert row[2] == pytest.approx(agree / len(ranked))
            assert row[3] == pytest.approx(base)
            assert row[4] == (pytest.approx(text) if text is not None else None)
            checked += 1
    assert checked >= 12  # >= 2 colour words x 3 methods x 2 cut-offs


def test_cli_and_errors(visualness_db: Path, tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    path = copy_db(visualness_db, tmp_path, "meta_cli.duckdb")
    result = CliRunner().invoke(app, ["--db", str(path), "metadata-check", "--k", "10"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("colour (base_colour): ") and "random@10" in result.stdout
    with pytest.raises(SystemExit) as info:
        main(["--db", str(path), "metadata-check", "--attribute", "season=no_such_key"])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: no vocabulary word of scope 'default' names a value of "
                          "no_such_key") and "\n" not in err
    with pytest.raises(InputError, match="name=metadata_key"):
        parse_attribute("base_colour")
