"""Scopes: definitions, category filters, results kept apart, the redefinition guard, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from attrdb.cli import app, main
from attrdb.connection import connect
from attrdb.context.scopes import (
    ScopeDefinition,
    define_scope,
    ensure_scope_current,
    list_scopes,
    scope_definition,
)
from attrdb.divergence import run_divergence
from attrdb.errors import InputError, StateError
from attrdb.vocab import run_vocab
from tests.conftest import copy_db


def test_default_scope_is_the_robust_setting(con: duckdb.DuckDBPyConnection) -> None:
    # Boilerplate dropped, negatives matched on category and shop (docs/trust.md); the
    # paper's options are a scope of their own.
    default = scope_definition(con, "default")
    assert default == ScopeDefinition()
    assert (default.category_field, default.boilerplate, default.negatives,
            default.match_shop) == (None, "drop", "category_matched", True)
    with pytest.raises(InputError, match="scope 'default' is every kept product"):
        define_scope(con, "default", ScopeDefinition(boilerplate="drop"))
    with pytest.raises(InputError, match="scope 'nope' is not defined"):
        scope_definition(con, "nope")


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (ScopeDefinition(category_field="colour", categories=("x",)), "'category' or 'metadata"),
        (ScopeDefinition(category_field="category"), "at least one --category"),
        (ScopeDefinition(categories=("Shirts",)), "--category needs --category-field"),
        (ScopeDefinition(boilerplate="strip"), "--boilerplate must be one of keep, drop"),
        (ScopeDefinition(negatives="hard"), "--negatives must be one of"),
        (ScopeDefinition(boilerplate_min_count=1), "at least 2"),
        (ScopeDefinition(boilerplate_min_share=0.0), "share must be in"),
        (ScopeDefinition(match_field="metadata."), "'category' or 'metadata"),
    ],
)
def test_bad_definitions_are_refused(
    con: duckdb.DuckDBPyConnection, definition: ScopeDefinition, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        define_scope(con, "s", definition)
    assert [s["scope"] for s in list_scopes(con)] == ["default"]


def test_definitions_round_trip_and_auto_negatives(ingested_db: Path, tmp_path: Path) -> None:
    con = connect(copy_db(ingested_db, tmp_path, "scopes.duckdb"))
    try:
        result = define_scope(con, "shoes", ScopeDefinition(
            category_field="category", categories=("Heels", "Flats"), boilerplate="drop",
            negatives="auto"))
        # The sample maps article_type to products.category: two or more values, so 'auto'
        # becomes category-matched negatives.
        assert result["definition"]["negatives"] == "category_matched"
        stored = con.execute(
            "SELECT definition FROM scopes WHERE scope = 'shoes'").fetchall()[0][0]
        assert json.loads(stored) == result["definition"]
        assert scope_definition(con, "shoes").categories == ("Heels", "Flats")
        with pytest.raises(InputError, match="already exists; pass --replace"):
            define_scope(con, "shoes", ScopeDefinition())
        with pytest.raises(InputError, match="no product has metadata.master_category = "
                                             "'Aparel' .most common: Accessories"):
            define_scope(con, "typo", ScopeDefinition(
                category_field="metadata.master_category", categories=("Aparel",)))
    finally:
        con.close()


def test_category_filters_narrow_the_universe(context_db: Path) -> None:
    con = connect(context_db, read_only=True)
    try:
        apparel = {r[0] for r in con.execute(
            "SELECT product_id FROM scope_products WHERE scope = 'apparel'").fetchall()}
        expected = {r[0] for r in con.execute(
            "SELECT product_id FROM kept_products "
            "WHERE metadata ->> 'master_category' = 'Apparel'").fetchall()}
        everything = {r[0] for r in con.execute(
            "SELECT product_id FROM scope_products WHERE scope = 'default'").fetchall()}
        words_outside = con.execute(
            "SELECT count(*) FROM word_products WHERE scope = 'apparel' AND product_id NOT IN "
            "(SELECT product_id FROM scope_products WHERE scope = 'apparel')").fetchall()[0][0]
    finally:
        con.close()
    assert apparel == expected and 0 < len(apparel) < len(everything)
    assert words_outside == 0


def test_scopes_keep_their_results_apart(context_db: Path, divergence_db: Path) -> None:
    con = connect(context_db, read_only=True)
    try:
        per_scope = dict(con.execute(
            "SELECT scope, count(DISTINCT word) FROM unit_word_divergence GROUP BY scope"
        ).fetchall())
        default_now = con.execute(
            "SELECT bit_xor(hash(word, unit_id, kl)), count(*) FROM unit_word_divergence "
                "WHERE scope = 'default'"
        ).fetchall()[0]
        recorded = {scope: json.loads(d) for scope, d in con.execute(
            "SELECT scope, params ->> 'scope_definition' FROM runs "
            "WHERE stage = 'divergence' AND status = 'ok' AND scope <> 'default'").fetchall()}
        dry = dict(con.execute(
            "SELECT scope, n_products FROM vocabulary WHERE word = 'dry'").fetchall())
    finally:
        con.close()
    before = connect(divergence_db, read_only=True)
    try:
        default_before = before.execute(
            "SELECT bit_xor(hash(word, unit_id, kl)), count(*) FROM unit_word_divergence "
                "WHERE scope = 'default'"
        ).fetchall()[0]
    finally:
        before.close()
    assert set(per_scope) == {"default", "clean", "matched", "apparel"}
    assert default_now == default_before  # other scopes' runs never touched default's rows
    assert recorded["matched"]["negatives"] == "category_matched"
    assert recorded["apparel"]["categories"] == ["Apparel"]
    # 'dry' is mostly care text ("Dry in shade"): dropping boilerplate shrinks its D+.
    assert dry["default"] > dry.get("clean", 0)


def test_redefining_purges_results_and_stages_refuse_stale_upstream(
    context_db: Path, tmp_path: Path
) -> None:
    con = connect(copy_db(context_db, tmp_path, "redefine.duckdb"))
    try:
        result = define_scope(con, "matched", ScopeDefinition(
            boilerplate="drop", negatives="category_matched"), replace_existing=True)
        assert result["deleted"]["unit_word_divergence"] > 0
        assert result["deleted"]["vocabulary"] > 0
        left = con.execute(
            "SELECT count(*) FROM unit_word_divergence WHERE scope = 'matched'").fetchall()[0][0]
        assert left == 0
        with pytest.raises(StateError, match="scope 'matched' is defined differently from "
                                             "when `attrdb vocab` ran on it .*boilerplate "
                                             "'keep' -> 'drop'.* rerun `attrdb vocab"):
            run_divergence(con, scope="matched", progress=False)
        run_vocab(con, scope="matched")
        assert ensure_scope_current(con, "matched", ("vocab",)).boilerplate == "drop"
        run_divergence(con, scope="matched", progress=False)
        # A definition changed behind attrdb's back (plain SQL) is caught as well.
        con.execute("UPDATE scopes SET definition = '{\"negatives\": \"random\", "
                    "\"boilerplate\": \"keep\"}' WHERE scope = 'clean'")
        with pytest.raises(StateError, match="'clean' is defined differently"):
            ensure_scope_current(con, "clean", ("vocab", "divergence"))
    finally:
        con.close()


def test_scope_cli(ingested_db: Path, tmp_path: Path,
                   capsys: pytest.CaptureFixture[str]) -> None:
    path = copy_db(ingested_db, tmp_path, "cli.duckdb")
    runner = CliRunner()
    added = runner.invoke(app, ["--db", str(path), "scope", "add", "apparel",
                                "--category-field", "metadata.master_category",
                                "--category", "Apparel", "--negatives", "random"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["categories"] == ["Apparel"]
    assert "next: attrdb vocab --scope apparel" in added.stderr
    listed = runner.invoke(app, ["--db", str(path), "scope", "list"])
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.strip().splitlines()
    assert lines[0].startswith("default\t") and lines[1].startswith("apparel\t")
    assert "metadata.master_category in Apparel" in lines[1] and "boilerplate=drop" in lines[1]
    shown = runner.invoke(app, ["--db", str(path), "scope", "show", "apparel"])
    assert json.loads(shown.stdout)["negatives"] == "random"
    with pytest.raises(SystemExit) as info:
        main(["--db", str(path), "scope", "add", "apparel", "--negatives", "random"])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: scope 'apparel' already exists") and "\n" not in err
