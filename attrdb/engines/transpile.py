"""attrdb's DuckDB SQL files on other engines: the one place SQL is translated and run.

:func:`run_statement` is the single execution point: it takes a statement of a SQL file
(as :func:`attrdb.sqlfiles.load_statements` returns it) and an engine, and runs it in the
engine's dialect. For Spark, statements are translated with sqlglot:

- ``$name`` parameters become Spark's ``:name`` markers (bound by ``spark.sql(args=...)``);
- calls to the DuckDB macros of ``sql/macros/*.sql`` are inlined: the macro body with its
  parameters replaced by the call's arguments (sqlglot would pass them through as unknown
  functions), and ``CREATE MACRO`` statements are dropped;
- a file with a Spark override, ``sql/spark/<same name>.sql`` (Spark SQL, ``:name``
  parameters, macros inlined as well), is used instead of its translation, for constructs
  with no translation (sql/spark/ also holds Spark-only files the stage plans call);
- DuckDB idioms sqlglot translates wrongly or not at all are rewritten first (REWRITES).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

from attrdb.engines.base import Engine, EngineError
from attrdb.resources import sql_dir
from attrdb.sqlfiles import Statement, bind, load_statements, split_statements

SPARK_OVERRIDES = "spark"


@dataclass(frozen=True)
class Macro:
    """A DuckDB scalar macro: ``CREATE MACRO name(params) AS body``."""

    name: str
    params: tuple[str, ...]
    body: exp.Expr


@lru_cache(maxsize=1)
def macros() -> dict[str, Macro]:
    """Every scalar macro of ``sql/macros/*.sql``, by lower-case name (table macros left out)."""
    found: dict[str, Macro] = {}
    for path in sorted((sql_dir() / "macros").glob("*.sql")):
        for statement in split_statements(path.read_text(encoding="utf-8")):
            tree = sqlglot.parse_one(statement.text, read="duckdb")
            if not _is_macro(tree):
                continue
            function = tree.this
            name = function.this.name
            if isinstance(tree.expression, exp.Query):
                # Table macros are not inlined: a Spark statement calling one fails with
                # Spark's "cannot resolve routine" naming it (none of the Spark stages does).
                continue
            params = tuple(p.name.lower() for p in function.expressions)
            found[name.lower()] = Macro(name, params, tree.expression)
    return found


def inline_macros(tree: exp.Expr, known: Mapping[str, Macro] | None = None) -> exp.Expr:
    """Replace every call of a DuckDB macro by its body, arguments substituted.

    Macros calling macros are expanded until none is left (a cycle raises EngineError).
    """
    table = macros() if known is None else known
    for _ in range(32):
        calls = [node for node in tree.find_all(exp.Anonymous) if str(node.this).lower() in table]
        if not calls:
            return tree
        for call in calls:
            macro = table[str(call.this).lower()]
            if len(call.expressions) != len(macro.params):
                raise EngineError(
                    f"macro {macro.name} takes {len(macro.params)} arguments, "
                    f"got {len(call.expressions)}: {call.sql('duckdb')}"
                )
            expansion = _substitute(macro, call.expressions)
            if call is tree:
                tree = expansion
            else:
                call.replace(expansion)
    raise EngineError("macros expand without end (a macro calls itself)")


def fix_temp_tables(tree: exp.Expr) -> exp.Expr:
    """Keep ``CREATE [OR REPLACE] TEMP TABLE ... AS`` a table on Spark.

    sqlglot writes it as ``CREATE TEMPORARY VIEW`` (dropping OR REPLACE), which Spark
    would recompute at every use. The Spark engine keeps every table for the session
    anyway, so the statement becomes a plain (materialised) CREATE TABLE.
    """
    if isinstance(tree, exp.Create) and str(tree.kind).upper() == "TABLE":
        properties = tree.args.get("properties")
        if properties is not None:
            kept = [p for p in properties.expressions if not isinstance(p, exp.TemporaryProperty)]
            if kept:
                properties.set("expressions", kept)
            else:
                tree.set("properties", None)
    return tree


def fix_ordered_lists(tree: exp.Expr) -> exp.Expr:
    """``list(x ORDER BY k)``: sqlglot drops the ORDER BY (``COLLECT_LIST(x)``).

    On Spark the list is collected as structs (k, x), sorted, and mapped back to x, so
    two lists ordered by the same key stay aligned. Descending keys have no translation.
    """
    for agg in list(tree.find_all(exp.ArrayAgg)):
        order = agg.this
        if not isinstance(order, exp.Order):
            continue
        keys = order.expressions
        if any(key.args.get("desc") for key in keys):
            raise EngineError(f"no Spark translation for {agg.sql('duckdb')} (descending)")
        fields: list[exp.Expr] = []
        for i, key in enumerate(keys):
            fields += [exp.Literal.string(f"k{i}"), key.this.copy()]
        fields += [exp.Literal.string("v"), order.this.copy()]
        collected = exp.ArrayAgg(this=exp.func("named_struct", *fields))
        sorted_list = exp.func("array_sort", collected)
        item = exp.to_identifier("s")
        lambda_ = exp.Lambda(
            this=exp.Dot(this=item.copy(), expression=exp.to_identifier("v")), expressions=[item]
        )
        agg.replace(exp.func("transform", sorted_list, lambda_))
    return tree


def fix_regexp_full_match(tree: exp.Expr) -> exp.Expr:
    """``regexp_full_match(s, p)`` becomes ``s RLIKE '^(?:p)$'`` (Spark has no full match)."""
    for node in list(tree.find_all(exp.RegexpFullMatch)):
        pattern = node.expression
        anchored: exp.Expr
        if isinstance(pattern, exp.Literal) and pattern.is_string:
            anchored = exp.Literal.string(f"^(?:{pattern.this})$")
        else:
            anchored = exp.DPipe(
                this=exp.DPipe(this=exp.Literal.string("^(?:"), expression=pattern.copy()),
                expression=exp.Literal.string(")$"),
            )
        node.replace(exp.RegexpLike(this=node.this.copy(), expression=anchored))
    return tree


# md5_number(x)::DOUBLE on Spark. DuckDB reads the 16 digest bytes as a little-endian
# unsigned 128-bit integer and rounds it once to a double. Spark has no 128-bit integer:
# the two 64-bit halves are read from the hex digest with their bytes reversed, as
# DECIMAL(20,0), and rounded once: exactly in DECIMAL(38,0) when hi < 2^62 (the value
# then fits), else by folding "lo is not zero" into hi's lowest bit (a sticky bit below
# the double's rounding position, so hi rounds as the whole value would).
def _half(first_byte: int) -> str:
    pairs = ", ".join(
        f"substr(h, {2 * b + 1}, 2)" for b in range(first_byte + 7, first_byte - 1, -1)
    )
    return f"CAST(conv(concat({pairs}), 16, 10) AS DECIMAL(20, 0))"


# One-element arrays and lambdas bind the digest and its halves once per row (Spark
# does not share repeated subexpressions inside a CASE).
_MD5_DOUBLE = f"""
element_at(transform(
  transform(array(md5(__arg__)), h -> named_struct('hi', {_half(8)}, 'lo', {_half(0)})),
  p -> CASE
    WHEN p.hi < 4611686018427387904
    THEN CAST(CAST(p.hi AS DECIMAL(38, 0)) * 18446744073709551616 + p.lo AS DOUBLE)
    ELSE CAST(p.hi + CASE WHEN p.lo > 0 AND p.hi % 2 = 0 THEN 1 ELSE 0 END AS DOUBLE)
      * CAST(18446744073709551616 AS DOUBLE)
  END
), 1)
"""


def fix_md5_number(tree: exp.Expr) -> exp.Expr:
    """``CAST(md5_number(x) AS DOUBLE)`` becomes the same double computed on Spark.

    Only the cast to DOUBLE is translated: a bare ``md5_number`` is a 128-bit integer,
    which Spark lacks.
    """
    template = sqlglot.parse_one(_MD5_DOUBLE, read="spark")
    for call in list(tree.find_all(exp.Anonymous)):
        if str(call.this).lower() != "md5_number":
            continue
        cast = call.parent
        if not (isinstance(cast, exp.Cast) and cast.to.is_type(exp.DataType.Type.DOUBLE)):
            raise EngineError(
                f"no Spark translation for {call.sql('duckdb')} unless cast to DOUBLE"
            )
        argument = call.expressions[0]

        def place(node: exp.Expr, argument: exp.Expr = argument) -> exp.Expr:
            if isinstance(node, exp.Column) and node.name == "__arg__":
                return exp.Paren(this=argument.copy())
            return node

        cast.replace(exp.Paren(this=template.copy().transform(place)))
    return tree


_SPARK_INTEGERS = {
    # Spark has only signed integers; the next wider type holds every value.
    exp.DataType.Type.USMALLINT: "INT",
    exp.DataType.Type.UINT: "BIGINT",
    exp.DataType.Type.UBIGINT: "DECIMAL(20, 0)",
    # No 128-bit integers either. BIGINT keeps the bit operations DuckDB SQL uses on
    # HUGEINTs (packed counters); values must then fit 63 bits: arithmetic past that
    # raises (ANSI mode) but a shift past bit 63 wraps silently, so SQL that shifts
    # HUGEINTs runs on Spark only with parameters that keep its shifts below 63 bits
    # (attrdb.scaleout packs divergence counters into 63 bits on Spark).
    exp.DataType.Type.INT128: "BIGINT",
    exp.DataType.Type.UINT128: "DECIMAL(38, 0)",
}


def fix_unsigned_types(tree: exp.Expr) -> exp.Expr:
    """DuckDB's unsigned and 128-bit integer types become Spark types (see _SPARK_INTEGERS).

    sqlglot already writes UTINYINT as SMALLINT and leaves the others unknown to Spark.
    """
    for node in list(tree.find_all(exp.DataType)):
        wider = _SPARK_INTEGERS.get(node.this)
        if wider is not None:
            node.replace(exp.DataType.build(wider, dialect="spark"))
    return tree


def fix_unnest_subscripts(tree: exp.Expr) -> exp.Expr:
    """``SELECT unnest(x), generate_subscripts(x, 1)`` becomes a ``LATERAL VIEW POSEXPLODE``.

    DuckDB unnests lists in the SELECT list and numbers their elements with
    generate_subscripts (from 1); Spark allows one generator per SELECT and has no
    generate_subscripts. Each unnested list becomes one POSEXPLODE view whose position
    (+ 1) replaces generate_subscripts of the same list. SELECTs that also aggregate are
    left alone (DuckDB's semantics differ there) and fail on Spark.
    """
    for select in list(tree.find_all(exp.Select)):
        explodes = [
            node
            for projection in select.expressions
            for node in projection.find_all(exp.Explode)
            if node.find_ancestor(exp.Select) is select
        ]
        if not explodes or select.args.get("group"):
            continue
        views: dict[str, str] = {}
        for node in explodes:
            key = node.this.sql("duckdb")
            if key not in views:
                views[key] = f"_unnest{len(views)}"
                select.append(
                    "laterals",
                    exp.Lateral(
                        this=exp.Posexplode(this=node.this.copy()),
                        view=True,
                        alias=exp.TableAlias(
                            this=exp.to_identifier(views[key]),
                            columns=[exp.to_identifier("pos"), exp.to_identifier("val")],
                        ),
                    ),
                )
            node.replace(exp.column("val", table=views[key]))
        for call in list(select.find_all(exp.Anonymous)):
            if str(call.this).lower() != "generate_subscripts" or len(call.expressions) != 2:
                continue
            key = call.expressions[0].sql("duckdb")
            if key in views and call.find_ancestor(exp.Select) is select:
                position = exp.Add(
                    this=exp.column("pos", table=views[key]), expression=exp.Literal.number(1)
                )
                call.replace(exp.Paren(this=position))
    return tree


def fix_ordinality(tree: exp.Expr) -> exp.Expr:
    """Keep DuckDB's 1-based ``WITH ORDINALITY`` numbers on Spark.

    sqlglot reads ``UNNEST(x) WITH ORDINALITY AS u(value, i)`` into the same node as
    BigQuery's 0-based ``WITH OFFSET`` and writes Spark's 0-based ``POSEXPLODE``; every
    reference to the ordinality column therefore gets ``+ 1`` here.
    """
    for unnest in list(tree.find_all(exp.Unnest)):
        offset = unnest.args.get("offset")
        if not isinstance(offset, exp.Identifier):
            continue
        alias = unnest.args.get("alias")
        alias_name = alias.name if alias is not None else ""
        scope = unnest.find_ancestor(exp.Select)
        if scope is None:
            continue
        for column in list(scope.find_all(exp.Column)):
            if column.name != offset.name or column.table not in ("", alias_name):
                continue
            if isinstance(column.parent, exp.Paren) and column.parent.meta.get("ordinality"):
                continue
            if isinstance(column.parent, exp.Add) and column.parent.parent is not None:
                if column.parent.parent.meta.get("ordinality"):
                    continue
            shifted = exp.Paren(this=exp.Add(this=column.copy(), expression=exp.Literal.number(1)))
            shifted.meta["ordinality"] = True
            if column.parent is scope and column.arg_key == "expressions":
                # A bare projection keeps its name.
                column.replace(exp.alias_(shifted, column.name))
            else:
                column.replace(shifted)
    return tree


def fix_list_indexing(tree: exp.Expr) -> exp.Expr:
    """Keep DuckDB's 1-based list subscripts on Spark for computed indexes.

    sqlglot shifts literal subscripts (``x[1]`` becomes ``x[0]``) but leaves a computed
    one such as ``x[i]`` as it is, which on Spark would read the next element. Computed
    subscripts become ``x[(i) - 1]``; string subscripts (map or struct keys) stay.
    """
    for bracket in list(tree.find_all(exp.Bracket)):
        if len(bracket.expressions) != 1:
            continue
        index = bracket.expressions[0]
        if isinstance(index, (exp.Literal, exp.Slice)) or bracket.meta.get("shifted"):
            continue
        shifted = exp.Sub(this=exp.Paren(this=index.copy()), expression=exp.Literal.number(1))
        index.replace(shifted)
        bracket.meta["shifted"] = True
    return tree


REWRITES = (
    fix_temp_tables,
    fix_unsigned_types,
    fix_unnest_subscripts,
    fix_ordered_lists,
    fix_regexp_full_match,
    fix_md5_number,
    fix_ordinality,
    fix_list_indexing,
)


def _substitute(macro: Macro, args: list[exp.Expr]) -> exp.Expr:
    values = dict(zip(macro.params, args, strict=True))

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not node.table and node.name.lower() in values:
            return exp.Paren(this=values[node.name.lower()].copy())
        return node

    return exp.Paren(this=macro.body.copy().transform(swap))


def to_spark(statement: Statement) -> Statement | None:
    """Translate one DuckDB statement to Spark SQL; None for statements Spark skips.

    ``CREATE MACRO`` is skipped: the macros are inlined where they are called.
    """
    tree = sqlglot.parse_one(statement.text, read="duckdb")
    if _is_macro(tree):
        return None
    tree = inline_macros(tree)
    for rewrite in REWRITES:
        tree = rewrite(tree)
    text = tree.sql("spark", pretty=True)
    return Statement(text, _placeholders(tree))


def override_path(name: str) -> Path:
    """Where a Spark override of ``sql/<name>.sql`` lives."""
    return sql_dir() / SPARK_OVERRIDES / f"{name}.sql"


@lru_cache(maxsize=None)
def spark_statements(name: str) -> tuple[Statement, ...]:
    """The Spark statements of ``sql/<name>.sql``: its override, else its translation."""
    override = override_path(name)
    if override.is_file():
        return read_override(name)
    return translate_file(name)


def read_override(name: str) -> tuple[Statement, ...]:
    """The statements of ``sql/spark/<name>.sql`` (Spark SQL), macros inlined."""
    # Override files may call the DuckDB macros too: the math stays in one place.
    trees = sqlglot.parse(override_path(name).read_text(encoding="utf-8"), read="spark")
    return tuple(
        Statement(inline_macros(tree).sql("spark", pretty=True), _placeholders(tree))
        for tree in trees
        if tree is not None
    )


def translate_file(name: str) -> tuple[Statement, ...]:
    """The translation of every statement of the DuckDB file ``sql/<name>.sql``."""
    translated = []
    for statement in load_statements(name):
        try:
            spark = to_spark(statement)
        except (sqlglot.errors.SqlglotError, EngineError) as exc:
            raise EngineError(f"sql/{name}.sql: no Spark translation: {exc}") from exc
        if spark is not None:
            translated.append(spark)
    return tuple(translated)


def statements_for(engine: Engine, name: str) -> tuple[Statement, ...]:
    """The statements of ``sql/<name>.sql`` in ``engine``'s dialect."""
    if engine.dialect == "duckdb":
        return load_statements(name)
    if engine.dialect == "spark":
        return spark_statements(name)
    raise EngineError(f"no SQL dialect support for engine {engine.dialect!r}")


def run_statement(
    engine: Engine,
    statement: Statement,
    params: Mapping[str, Any] | None = None,
    *,
    origin: str = "<sql>",
    fetch: bool = False,
) -> pa.Table | None:
    """Run one statement on an engine, binding only the parameters it names.

    Args:
        engine: where to run it.
        statement: the statement, already in the engine's dialect (see statements_for).
        params: named values; extra names are ignored, missing ones raise SqlError.
        origin: named in error messages (the SQL file).
        fetch: return the statement's rows as Arrow.

    Raises:
        SqlError: a parameter is missing. EngineError: the engine failed the statement.
    """
    bound = bind(statement.params, params, origin=origin)
    if fetch:
        return engine.fetch_arrow(statement.text, bound, origin=origin)
    engine.execute(statement.text, bound, origin=origin)
    return None


@dataclass(frozen=True)
class Loop:
    """Compute a table on Spark by repeating Spark SQL until nothing changes.

    ``init`` runs once; ``step`` runs until its last statement returns 0 (the number of
    rows it changed). Both are Spark-only files of ``sql/spark/``, named without that
    prefix (as overrides are: ``dedup/components_step``).
    """

    init: str
    step: str
    max_rounds: int = 1000


# On Spark, the statement of a file that creates a named table can be replaced by a file
# of sql/spark/ or a Loop computing the same table (for DuckDB statements with no Spark
# form: bitstrings, a recursive CTE with USING KEY). DuckDB ignores the replacements.
Replacements = Mapping[str, "str | Loop"]


def run_file(
    engine: Engine,
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    replace: Replacements | None = None,
) -> None:
    """Run every statement of ``sql/<name>.sql`` on ``engine``.

    Args:
        engine: where to run it.
        name: the file, e.g. 'dedup/groups'.
        params: a superset of the named values its statements bind.
        replace: on Spark, table name -> the ``sql/spark/`` file or Loop that creates that
            table instead of the file's statement.
    """
    statements = statements_for(engine, name)
    if not statements:
        raise EngineError(f"sql/{name}.sql holds no statement for {engine.dialect}")
    for statement in statements:
        replacement = _replacement(engine, statement.text, replace or {})
        if replacement is None:
            run_statement(engine, statement, params, origin=f"sql/{name}.sql")
        elif isinstance(replacement, Loop):
            _run_loop(engine, replacement, params or {})
        else:
            # Spark-only files: override_path(replacement) exists, so its text is read.
            for spark in statements_for(engine, replacement):
                run_statement(
                    engine, spark, params, origin=f"sql/{SPARK_OVERRIDES}/{replacement}.sql"
                )


def _replacement(engine: Engine, sql: str, replace: Replacements) -> str | Loop | None:
    if engine.dialect != "spark" or not replace:
        return None
    tree = sqlglot.parse_one(sql, read="spark")
    if isinstance(tree, exp.Create) and str(tree.kind).upper() == "TABLE":
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        return replace.get(target.name)
    return None


def _run_loop(engine: Engine, loop: Loop, params: Mapping[str, Any]) -> int:
    run_file(engine, loop.init, params)
    for round_no in range(1, loop.max_rounds + 1):
        changed = query_file(engine, loop.step, params).column(0)[0]
        if not changed.as_py():
            return round_no
    raise EngineError(
        f"sql/{SPARK_OVERRIDES}/{loop.step}.sql still changes rows after {loop.max_rounds} rounds"
    )


def query_file(engine: Engine, name: str, params: Mapping[str, Any] | None = None) -> pa.Table:
    """Run ``sql/<name>.sql`` on ``engine``; the last statement's rows as Arrow."""
    statements = statements_for(engine, name)
    if not statements:
        raise EngineError(f"sql/{name}.sql holds no statement for {engine.dialect}")
    origin = f"sql/{name}.sql"
    for statement in statements[:-1]:
        run_statement(engine, statement, params, origin=origin)
    result = run_statement(engine, statements[-1], params, origin=origin, fetch=True)
    assert result is not None
    return result


def _is_macro(tree: exp.Expr) -> bool:
    return isinstance(tree, exp.Create) and str(tree.kind).upper() == "MACRO"


def _placeholders(tree: exp.Expr) -> frozenset[str]:
    return frozenset(p.name for p in tree.find_all(exp.Placeholder) if p.name)
