"""Metadata agreement: precision at k of the surest test predictions against the
catalogue's base_colour / Pattern, recomputed in Python; word-to-value matching (stems,
mappings) on real words and values; no default column, misspelt keys, CLI and errors; the
context package imports no stage module."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attrdb.cli import app, main
from attrdb.connection import connect
from attrdb.context.metadata_check import (
    metadata_keys,
    parse_attribute,
    parse_mapping,
    read_mapping,
    run_metadata_check,
    stems_match,
    word_values,
)
from attrdb.errors import InputError
from tests.conftest import copy_db

ATTRIBUTES = {"colour": "base_colour", "pattern": "article_attributes.Pattern"}


def test_precision_matches_a_python_recount(visualness_db: Path, tmp_path: Path) -> None:
    con = connect(copy_db(visualness_db, tmp_path, "meta.duckdb"))
    try:
        # 'casual' names no Pattern value: the mapping makes it name 'Solid' (a check that
        # mapped words are counted like the others, not a claim about the catalogue).
        result = run_metadata_check(con, attributes=ATTRIBUTES, mapping={"casual": ["solid"]},
                                    ks=(5, 20))
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
    assert result["attributes"]["pattern"]["matches"]["casual"] == ["Solid"]
    checked = 0
    for attribute, get in paths.items():
        values = {pid: (get(json.loads(meta or "{}")) or "").strip()
                  for pid, _, meta, _ in products}
        values = {pid: v for pid, v in values.items() if v}
        test = {pid for pid, split, _, _ in products if split == "test" and pid in values}
        category = {pid: c or "" for pid, _, _, c in products}
        # Word -> values: recomputed from the distinct values with the module's matcher.
        names = word_values(vocabulary, set(values.values()), mapping={"casual": ["Solid"]})
        assert names == result["attributes"][attribute]["matches"]
        for (method, attr, word, k), row in stored.items():
            if attr != attribute:
                continue
            assert word in names
            ranked = sorted(((-s, pid) for m, w, pid, s in predictions
                             if m == method and w == word and pid in test))[:k]
            agree = sum(1 for _, pid in ranked if values[pid] in names[word])
            base = sum(1 for pid in test if values[pid] in names[word]) / len(test)
            text_members = [pid for w, pid in positives if w == word and pid in test]
            text = (sum(1 for pid in text_members if values[pid] in names[word])
                    / len(text_members) if text_members else None)
            in_category = {c: [pid for pid in test if category[pid] == c]
                           for c in {category[pid] for _, pid in ranked}}
            explained = sum(
                sum(1 for q in in_category[category[pid]] if values[q] in names[word])
                / len(in_category[category[pid]]) for _, pid in ranked) / len(ranked)
            assert row[5] == pytest.approx(explained)
            assert row[:2] == [len(ranked), agree]
            assert row[2] == pytest.approx(agree / len(ranked))
            assert row[3] == pytest.approx(base)
            assert row[4] == (pytest.approx(text) if text is not None else None)
            checked += 1
    assert checked >= 12  # >= 2 colour words x 3 methods x 2 cut-offs


def test_words_match_values_by_stem_and_mapping() -> None:
    """Real pairs from the issue and from Myntra's Pattern / Print or Pattern Type / Neck
    values; short stems match only exactly."""
    for a, b in [("striped", "stripe"), ("striped", "stripes"), ("patterned", "pattern"),
                 ("embroidered", "embroidery"), ("checked", "checks"), ("printed", "print"),
                 ("dotted", "dots"), ("hooded", "hood"), ("checkered", "checks")]:
        assert stems_match(a, b), (a, b)
    for a, b in [("tan", "tangerine"), ("red", "reddish"), ("white", "whitewash"),
                 ("solid", "soldier"), ("black", "blue")]:
        assert not stems_match(a, b), (a, b)
    values = ["Solid", "Printed", "Striped", "Checked", "Self Design", "Embellished",
              "Horizontal Stripes", "Vertical Stripes", "Polka Dots", "Navy Blue", "Hood"]
    words = ["striped", "solid", "blue", "navy", "dotted", "hooded", "embroidered", "red",
             "checked"]
    assert word_values(words, values) == {
        "striped": ["Horizontal Stripes", "Striped", "Vertical Stripes"], "solid": ["Solid"],
        "blue": ["Navy Blue"], "navy": ["Navy Blue"], "dotted": ["Polka Dots"],
        "hooded": ["Hood"], "checked": ["Checked"]}
    assert word_values(words, values, use_stems=False) == {
        "striped": ["Striped"], "solid": ["Solid"], "blue": ["Navy Blue"],
        "navy": ["Navy Blue"], "checked": ["Checked"]}
    # A mapping overrides the automatic match of its words (case-insensitive values).
    mapped = word_values(words, values, mapping={"checked": ["self design", "nowhere"]})
    assert mapped["checked"] == ["Self Design"] and mapped["solid"] == ["Solid"]


def test_mapping_options(tmp_path: Path) -> None:
    assert parse_mapping(["Checked=Checks|Check", "dotted=Polka Dots"]) == {
        "checked": ["Checks", "Check"], "dotted": ["Polka Dots"]}
    with pytest.raises(InputError, match="word=Value"):
        parse_mapping(["checked"])
    as_json = tmp_path / "map.json"
    as_json.write_text('{"Checked": ["Checks"], "dotted": "Polka Dots"}', encoding="utf-8")
    assert read_mapping(as_json) == {"checked": ["Checks"], "dotted": ["Polka Dots"]}
    as_csv = tmp_path / "map.csv"
    as_csv.write_text("word,value\nchecked,Checks\nchecked,Check\n", encoding="utf-8")
    assert read_mapping(as_csv) == {"checked": ["Checks", "Check"]}
    as_csv.write_text("checked,Checks\nbroken\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2: expected word,value"):
        read_mapping(as_csv)
    as_json.write_text('{"checked": 3}', encoding="utf-8")
    with pytest.raises(InputError, match="'checked' must map to a string"):
        read_mapping(as_json)
    with pytest.raises(InputError, match="not found"):
        read_mapping(tmp_path / "missing.json")


def test_context_imports_no_stage_module() -> None:
    """attrdb.context sits below the stages: it may not import them (layering)."""
    stages = {"attrdb.visualness", "attrdb.divergence", "attrdb.vocab", "attrdb.pipeline",
              "attrdb.depth", "attrdb.classifiers"}
    folder = Path(__file__).resolve().parent.parent / "attrdb" / "context"
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module not in stages, (path.name, node.module)
            if isinstance(node, ast.Import):
                assert not {a.name for a in node.names} & stages, path.name


def test_cli_and_errors(visualness_db: Path, tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    path = copy_db(visualness_db, tmp_path, "meta_cli.duckdb")
    runner = CliRunner()
    # No option: the metadata keys with their values, and what to pass.
    listed = runner.invoke(app, ["--db", str(path), "metadata-check"])
    assert listed.exit_code == 0, listed.output
    keys = {line.split("\t")[0]: line for line in listed.stdout.splitlines()}
    assert {"base_colour", "article_attributes.Pattern", "article_type"} <= set(keys)
    assert "Solid" in keys["article_attributes.Pattern"]
    assert "--attribute NAME=KEY" in listed.stderr
    result = runner.invoke(app, ["--db", str(path), "metadata-check", "--k", "10",
                                 "--attribute", "colour=base_colour", "--map", "casual=Blue",
                                 "--no-stems"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("colour (base_colour): ") and "random@10" in result.stdout
    con = connect(path, read_only=True)
    try:
        stored = con.execute(
            "SELECT DISTINCT path FROM metadata_agreement WHERE attribute = 'colour'").fetchall()
        params = json.loads(con.execute(
            "SELECT params FROM runs WHERE stage = 'metadata_check' ORDER BY run_id DESC "
            "LIMIT 1").fetchall()[0][0])
    finally:
        con.close()
    assert stored == [("base_colour",)]
    assert params["mapping"] == {"casual": ["Blue"]} and params["stems"] is False
    # A misspelt key is named, with the close matches.
    with pytest.raises(SystemExit) as info:
        main(["--db", str(path), "metadata-check", "--attribute", "colour=base_color"])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err == ("error: attribute 'colour': no product of scope 'default' has metadata "
                   "key 'base_color'; did you mean base_colour?")
    con = connect(path)
    try:
        with pytest.raises(InputError, match="name the catalogue column to check.*"
                                             "base_colour"):
            run_metadata_check(con)
        # A key none of whose values a vocabulary word names (found, not assumed).
        words = [r[0] for r in con.execute(
            "SELECT word FROM vocabulary WHERE scope = 'default'").fetchall()]
        unnamed = [k["path"] for k in metadata_keys(con) if not word_values(words, [
            r[0] for r in con.execute(
                "SELECT DISTINCT trim(metadata_value(metadata, ?)) FROM products "
                "WHERE metadata_value(metadata, ?) IS NOT NULL", [k["path"], k["path"]]
            ).fetchall()])]
        assert unnamed
        with pytest.raises(InputError, match=f"no vocabulary word .* names a value of "
                                             f"{re.escape(unnamed[0])} .*--map word=Value"):
            run_metadata_check(con, attributes={"other": unnamed[0]})
    finally:
        con.close()
    with pytest.raises(InputError, match="name=metadata_key"):
        parse_attribute("base_colour")
