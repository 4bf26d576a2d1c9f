"""DuckDB -> Spark SQL translation: snapshots of every file the Spark plans run, the rewrites.

Snapshots live in tests/snapshots/spark/<area>/<file>.sql; a sqlglot upgrade or an edited
SQL file shows up as a diff. Regenerate them with
``ATTRDB_UPDATE_SNAPSHOTS=1 pytest tests/test_transpile.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from attrdb.engines.base import EngineError
from attrdb.engines.transpile import (
    Macro,
    inline_macros,
    macros,
    read_override,
    spark_statements,
    to_spark,
    translate_file,
)
from attrdb.resources import sql_dir
from attrdb.scaleout import spark_sql_files
from attrdb.sqlfiles import Statement, split_statements
from attrdb.stages import sql_stages

SNAPSHOTS = Path(__file__).parent / "snapshots" / "spark"
UPDATE = os.environ.get("ATTRDB_UPDATE_SNAPSHOTS") == "1"


def spark_text(name: str) -> str:
    """What Spark runs for a file: the translation, or the override as sqlglot reads it."""
    if name.startswith("spark/"):
        statements = read_override(name.removeprefix("spark/"))
    else:
        try:
            statements = translate_file(name)
        except EngineError as exc:
            return f"-- no Spark translation: {exc}\n"
    return "".join(f"{s.text};\n\n" for s in statements)


@pytest.mark.parametrize("name", spark_sql_files())
def test_spark_translation_matches_snapshot(name: str) -> None:
    snapshot = SNAPSHOTS / f"{name}.sql"
    text = spark_text(name)
    if UPDATE:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(text, encoding="utf-8")
    assert snapshot.is_file(), f"no snapshot for {name}; run with ATTRDB_UPDATE_SNAPSHOTS=1"
    assert text == snapshot.read_text(encoding="utf-8"), (
        f"Spark SQL of sql/{name}.sql changed; review and regenerate with ATTRDB_UPDATE_SNAPSHOTS=1"
    )


def test_no_stale_snapshots() -> None:
    expected = {f"{name}.sql" for name in spark_sql_files()}
    found = {p.relative_to(SNAPSHOTS).as_posix() for p in SNAPSHOTS.rglob("*.sql")}
    assert found - expected == set(), "snapshots of SQL files that no longer exist"


def test_every_spark_file_translates_and_parses_back() -> None:
    # What the plans run must be Spark SQL sqlglot can read again (the engine parses it).
    for name in spark_sql_files():
        if name.startswith("spark/") or name.startswith("divergence/binned_quantile"):
            continue
        for statement in spark_statements(name):
            sqlglot.parse_one(statement.text, read="spark")


def test_parameters_become_named_markers() -> None:
    statement = split_statements("SELECT * FROM t WHERE a = $word AND b < $n")[0]
    spark = to_spark(statement)
    assert spark is not None
    assert ":word" in spark.text and ":n" in spark.text and "$" not in spark.text
    assert spark.params == frozenset({"word", "n"})


def test_macros_are_inlined_with_their_arguments() -> None:
    known = {
        "plus_one": Macro("plus_one", ("x",), sqlglot.parse_one("x + 1", read="duckdb")),
        "twice": Macro("twice", ("y",), sqlglot.parse_one("plus_one(y) * 2", read="duckdb")),
    }
    tree = sqlglot.parse_one("SELECT twice(a.v) FROM a", read="duckdb")
    inlined = inline_macros(tree, known).sql("spark")
    assert "TWICE" not in inlined.upper() and "PLUS_ONE" not in inlined.upper()
    assert inlined == "SELECT ((((a.v)) + 1) * 2) FROM a"


def test_every_real_macro_is_known_and_its_ddl_dropped() -> None:
    names = set(macros())
    assert {"smoothed_probability", "symmetric_kl_term", "equal_width_edge"} <= names
    ddl = split_statements((sql_dir() / "macros" / "divergence.sql").read_text())
    assert all(to_spark(s) is None for s in ddl)
    # Inlining finds calls as unknown functions: a macro named like a function sqlglot
    # knows would be missed.
    for macro in macros().values():
        args = ", ".join(["1"] * len(macro.params))
        call = sqlglot.parse_one(f"SELECT {macro.name}({args})", read="duckdb").expressions[0]
        assert isinstance(call, exp.Anonymous), macro.name


def test_a_macro_call_with_wrong_arity_is_refused() -> None:
    tree = sqlglot.parse_one("SELECT symmetric_kl_term(1) FROM t", read="duckdb")
    with pytest.raises(EngineError, match="takes 2 arguments"):
        inline_macros(tree)


def test_ordinality_stays_one_based() -> None:
    sql = "SELECT u.i FROM t, unnest(t.vals) WITH ORDINALITY AS u(value, i)"
    text = to_spark(split_statements(sql)[0]).text  # type: ignore[union-attr]
    assert "POSEXPLODE" in text and "u.i + 1" in " ".join(text.split())


def test_computed_list_subscripts_shift_and_literals_stay_to_sqlglot() -> None:
    text = " ".join(to_spark(split_statements("SELECT x[i], x[1] FROM t")[0]).text.split())  # type: ignore[union-attr]
    assert "x[( i ) - 1]" in text and "x[0]" in text


def test_ordered_lists_stay_aligned() -> None:
    sql = "SELECT list(w ORDER BY w), list(n ORDER BY w) FROM t"
    text = to_spark(split_statements(sql)[0]).text  # type: ignore[union-attr]
    assert text.count("ARRAY_SORT(COLLECT_LIST(NAMED_STRUCT('k0', w") == 2


def test_descending_ordered_list_is_refused() -> None:
    with pytest.raises(EngineError, match="descending"):
        to_spark(split_statements("SELECT list(w ORDER BY w DESC) FROM t")[0])


def test_temp_tables_stay_tables() -> None:
    text = to_spark(split_statements("CREATE OR REPLACE TEMP TABLE x AS SELECT 1")[0]).text  # type: ignore[union-attr]
    assert text.startswith("CREATE OR REPLACE TABLE x AS")


def test_unnest_with_subscripts_becomes_one_posexplode() -> None:
    sql = "SELECT generate_subscripts(a.vals, 1) AS i, unnest(a.vals) AS v FROM a"
    tree = sqlglot.parse_one(to_spark(split_statements(sql)[0]).text, read="spark")  # type: ignore[union-attr]
    laterals = tree.args.get("laterals") or []
    assert len(laterals) == 1 and isinstance(laterals[0].this, exp.Posexplode)
    assert "_unnest0.pos + 1" in tree.sql("spark")


def test_md5_number_only_as_double() -> None:
    text = to_spark(split_statements("SELECT md5_number(x)::DOUBLE FROM t")[0]).text  # type: ignore[union-attr]
    assert "MD5_NUMBER" not in text.upper() and "CONV(" in text.upper()
    with pytest.raises(EngineError, match="unless cast to DOUBLE"):
        to_spark(split_statements("SELECT md5_number(x) % 10 FROM t")[0])


def test_unsigned_and_huge_integers_get_spark_types() -> None:
    sql = "CREATE TABLE t (a UTINYINT, b USMALLINT, c UINTEGER, d UBIGINT, e HUGEINT)"
    text = " ".join(to_spark(split_statements(sql)[0]).text.split())  # type: ignore[union-attr]
    assert "a SMALLINT, b INT, c BIGINT, d DECIMAL(20, 0), e BIGINT" in text


def test_stage_plans_name_only_existing_files() -> None:
    files = set(spark_sql_files())
    for name in ("dedup/components_init", "dedup/components_step", "dedup/rep", "dedup/edges"):
        assert f"spark/{name}" in files
    assert {s.name for s in sql_stages()} == {"dedup", "split", "divergence", "depth"}


def test_statement_from_plain_text() -> None:
    spark = to_spark(Statement("SELECT 1 AS one", frozenset()))
    assert spark is not None and spark.params == frozenset()
