"""Scopes: named product subsets with the options that shape their results.

A scope's definition (``scopes.definition``, JSON) says which products it covers (a
category filter on ``products.category`` or a metadata key), whether boilerplate lines and
location words are dropped from the text, and how negatives are drawn (random, as in the
paper, or matched to the positives' categories). ``'default'`` is ``{}``: every kept
product with the field defaults below: boilerplate and location words dropped and negatives
matched to the positives' categories, the settings that measured best (docs/trust.md; with
random negatives, words tied to one product type — outsole, footbed, care words of one
category — lead the list). The paper's options are ``boilerplate='keep',
negatives='random', location_words='keep'``. Every stage that reads a scope
records the definition it used in its ``runs.params`` (``scope_definition``), and a stage
refuses to build on upstream results computed under another definition
(:func:`ensure_scope_current`). Redefining a scope deletes its old results from every
per-scope table, so results of two definitions never sit side by side under one name.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import duckdb

from attrdb.errors import InputError, StateError
from attrdb.identifiers import quote_identifier
from attrdb.sqlfiles import query_sql_file, run_sql_file

BOILERPLATE = ("keep", "drop")
LOCATION_WORDS = ("keep", "drop")
NEGATIVES = ("random", "category_matched")
DEFAULT_SCOPE = "default"
# A category field is products.category or a key (path) of products.metadata.
METADATA_PREFIX = "metadata."


@dataclass(frozen=True)
class ScopeDefinition:
    """What a scope covers and how its results are computed (all fields have defaults).

    Attributes:
        category_field: 'category' or 'metadata.<path>' to filter on; None = no filter.
        categories: the values of category_field the scope keeps.
        boilerplate: 'keep', or 'drop' boilerplate lines from vocabulary and D+/D-.
        boilerplate_min_count: a line is a shop's boilerplate when at least this many of the
            shop's listings hold it ...
        boilerplate_min_share: ... and they are at least this share of the shop's listings.
        boilerplate_min_listings: a line held by this many listings of the scope is
            boilerplate whichever shops they belong to.
        negatives: 'random' (the paper) or 'category_matched' (D- drawn / reweighted to the
            positives' distribution over match_field).
        match_field: the category field negatives are matched on and category-bound words
            are measured on ('category' or 'metadata.<path>').
        match_shop: with category-matched negatives, match the shop too: positives are
            compared with negatives of the same category *and shop*, so a word one shop's
            copy uses (its house style, photographed its way) is not taken for an
            attribute of the images. No effect on a one-shop catalogue.
        bound_share: a word whose largest category holds at least this share of its
            positives is flagged category-bound.
        location_words: 'drop' leaves words that say where on a product something is
            (left, front, inner, lower; macro ``is_location_word``) out of the vocabulary:
            they rank as visual because the parts placed there are. 'keep' = the paper.
    """

    category_field: str | None = None
    categories: tuple[str, ...] = field(default_factory=tuple)
    boilerplate: str = "drop"
    boilerplate_min_count: int = 5
    boilerplate_min_share: float = 0.05
    boilerplate_min_listings: int = 20
    negatives: str = "category_matched"
    match_field: str = "category"
    match_shop: bool = True
    bound_share: float = 0.9
    location_words: str = "drop"

    def validate(self) -> None:
        """Raise InputError for a definition that cannot work."""
        for name, value in (("category field", self.category_field),
                            ("match field", self.match_field)):
            if value is not None:
                check_field(value, name)
        if self.category_field is not None and not self.categories:
            raise InputError("a category filter needs at least one --category value")
        if self.category_field is None and self.categories:
            raise InputError("--category needs --category-field (category or metadata.<key>)")
        if self.boilerplate not in BOILERPLATE:
            raise InputError(f"--boilerplate must be one of {', '.join(BOILERPLATE)}, "
                             f"not {self.boilerplate!r}")
        if self.location_words not in LOCATION_WORDS:
            raise InputError(f"--location-words must be one of {', '.join(LOCATION_WORDS)}, "
                             f"not {self.location_words!r}")
        if self.negatives not in NEGATIVES:
            raise InputError(f"--negatives must be one of {', '.join(NEGATIVES)}, "
                             f"not {self.negatives!r}")
        if self.boilerplate_min_count < 2 or self.boilerplate_min_listings < 2:
            raise InputError("boilerplate counts must be at least 2 (a line in one listing "
                             "is that listing's own text)")
        if not 0.0 < self.boilerplate_min_share <= 1.0:
            raise InputError(f"boilerplate share must be in (0, 1], got "
                             f"{self.boilerplate_min_share}")
        if not 0.0 < self.bound_share <= 1.0:
            raise InputError(f"bound share must be in (0, 1], got {self.bound_share}")

    def as_dict(self) -> dict[str, Any]:
        """Every field, categories as a list (the JSON stored and recorded in runs)."""
        data = asdict(self)
        data["categories"] = list(self.categories)
        return data

    def to_json(self) -> str:
        """Canonical JSON text (sorted keys), so equal definitions compare equal as text."""
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_recorded(cls, text: str | None) -> ScopeDefinition:
        """The definition a run recorded in ``runs.params.scope_definition``.

        A run records every field, so a field missing there was added to attrdb after the
        run: it takes the value the code had before the field existed (``_BEFORE_FIELD``),
        not today's default, so an upgrade that changes a default makes the run stale.
        ``None`` (a run that recorded no definition) is the default definition.
        """
        if not text:
            return cls()
        data = json.loads(text)
        if isinstance(data, dict):
            for name, before in _BEFORE_FIELD.items():
                data.setdefault(name, before)
            text = json.dumps(data)
        return cls.from_json(text)

    @classmethod
    def from_json(cls, text: str | None) -> ScopeDefinition:
        """Parse a stored definition; missing keys take their defaults ('{}' = default).

        Raises:
            StateError: the JSON is not an object or has keys attrdb does not know.
        """
        data = json.loads(text) if text else {}
        if not isinstance(data, dict):
            raise StateError(f"scope definition is not a JSON object: {text!r}")
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(data) - known)
        if unknown:
            raise StateError(f"scope definition has unknown keys {', '.join(unknown)}: {text}")
        if "categories" in data:
            data["categories"] = tuple(data["categories"] or ())
        return cls(**data)


# Fields added after runs began recording definitions, with the behaviour before them.
_BEFORE_FIELD: dict[str, Any] = {"location_words": "keep"}


def check_field(value: str, name: str = "category field") -> None:
    """Raise InputError unless ``value`` is 'category' or 'metadata.<path>'."""
    if value == "category":
        return
    if value.startswith(METADATA_PREFIX) and value[len(METADATA_PREFIX):].strip(". "):
        return
    raise InputError(f"{name} must be 'category' or 'metadata.<key>', not {value!r}")


def scope_definition(con: duckdb.DuckDBPyConnection, scope: str) -> ScopeDefinition:
    """The definition of a scope.

    Raises:
        InputError: the scope is not defined.
    """
    rows = query_sql_file(con, "context/scope_get", {"scope": scope})
    if not rows:
        raise InputError(f"scope {scope!r} is not defined (see `attrdb scope list`)")
    return ScopeDefinition.from_json(rows[0][0])


def category_values(
    con: duckdb.DuckDBPyConnection, field_name: str, *, title_types: bool = False
) -> dict[str | None, int]:
    """Each value of a category field over all products, with its number of products.

    With ``title_types``, a product without a category counts under its title-named type
    (``product_types``), as category matching counts it.
    """
    return {value: int(n) for value, n in query_sql_file(
        con, "context/category_values", {"field": field_name, "title_types": title_types})}


def resolve_negatives(con: duckdb.DuckDBPyConnection, negatives: str, match_field: str) -> str:
    """'auto' becomes 'category_matched' when the match field has at least two values
    among the products (products without a category counted by their title's product
    type), else 'random'; other values are returned as they are."""
    if negatives != "auto":
        return negatives
    values = [v for v in category_values(con, match_field, title_types=True) if v is not None]
    return "category_matched" if len(values) >= 2 else "random"


def define_scope(
    con: duckdb.DuckDBPyConnection,
    name: str,
    definition: ScopeDefinition,
    *,
    replace_existing: bool = False,
) -> dict[str, Any]:
    """Create a scope, or redefine one (then its old results are deleted).

    Args:
        con: an open attrdb database.
        name: the scope's name (not 'default', whose definition is fixed: all products).
        definition: the definition; ``negatives='auto'`` is resolved here.
        replace_existing: allow redefining an existing scope.

    Returns:
        The stored definition, whether it replaced another, and the rows deleted per table.

    Raises:
        InputError: a bad name or definition, an existing scope without
            ``replace_existing``, or categories no product has (when products exist).
    """
    name = name.strip()
    if not name:
        raise InputError("a scope needs a name")
    if name == DEFAULT_SCOPE:
        raise InputError(f"scope {DEFAULT_SCOPE!r} is every kept product with the default options; "
                         "define a scope with another name")
    definition = replace(
        definition,
        negatives=resolve_negatives(con, definition.negatives, definition.match_field),
    )
    definition.validate()
    _check_categories(con, definition)
    existing = query_sql_file(con, "context/scope_get", {"scope": name})
    if existing and not replace_existing:
        raise InputError(f"scope {name!r} already exists; pass --replace to redefine it "
                         "(its results are deleted)")
    changed = bool(existing) and ScopeDefinition.from_json(existing[0][0]) != definition
    con.begin()
    try:
        deleted = purge_scope_results(con, name) if changed else {}
        run_sql_file(con, "context/scope_put", {"scope": name, "definition": definition.to_json()})
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return {"scope": name, "definition": definition.as_dict(), "replaced": bool(existing),
            "deleted": deleted}


def _check_categories(con: duckdb.DuckDBPyConnection, definition: ScopeDefinition) -> None:
    if definition.category_field is None:
        return
    values = category_values(con, definition.category_field)
    if not values:
        return  # no products yet: the filter is checked when the vocab stage runs
    missing = [c for c in definition.categories if c not in values]
    if missing:
        known = [str(v) for v in values if v is not None][:12]
        raise InputError(
            f"no product has {definition.category_field} = {missing[0]!r} "
            f"(most common: {', '.join(known) or 'none'})"
        )


def purge_scope_results(con: duckdb.DuckDBPyConnection, scope: str) -> dict[str, int]:
    """Delete a scope's rows from every table with a ``scope`` column (not scopes, runs).

    Table names come from the catalogue (sql/context/scope_tables.sql), never from input.
    """
    deleted: dict[str, int] = {}
    for (table,) in query_sql_file(con, "context/scope_tables"):
        n = con.execute(f"DELETE FROM {quote_identifier(str(table))} WHERE scope = ?",
                        [scope]).fetchall()[0][0]
        if n:
            deleted[str(table)] = int(n)
    return deleted


def list_scopes(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every scope: name, definition (all fields), universe size, newest vocab run."""
    return [
        {
            "scope": scope,
            "definition": ScopeDefinition.from_json(text).as_dict(),
            "created_at": created_at,
            "n_products": int(n_products),
            "vocab_run_id": vocab_run_id,
        }
        for scope, text, created_at, n_products, vocab_run_id
        in query_sql_file(con, "context/scope_list")
    ]


def ensure_scope_current(
    con: duckdb.DuckDBPyConnection, scope: str, upstream: Sequence[str]
) -> ScopeDefinition:
    """The scope's definition, after checking its upstream results were computed with it.

    For each upstream stage that has run successfully in the scope, the definition its
    newest run recorded (``runs.params.scope_definition``; a run that recorded none counts
    as the default definition) must equal the current one.

    Raises:
        InputError: the scope is not defined.
        StateError: the scope was redefined after an upstream stage ran.
    """
    current = scope_definition(con, scope)
    stages = list(upstream)
    newest = {
        stage: (run_id, recorded)
        for stage, run_id, recorded in query_sql_file(
            con, "context/scope_runs", {"scope": scope, "stages": stages}
        )
    }
    for stage in stages:  # upstream order: name the earliest stage to rerun
        if stage not in newest:
            continue
        run_id, recorded = newest[stage]
        used = ScopeDefinition.from_recorded(recorded)
        if used != current:
            then, now = used.as_dict(), current.as_dict()
            changes = ", ".join(f"{k} {then[k]!r} -> {now[k]!r}" for k in now if then[k] != now[k])
            raise StateError(
                f"scope {scope!r} is defined differently from when `attrdb {stage}` ran on it "
                f"(run {run_id}: {changes}; redefined, or a default changed in this attrdb "
                f"version); rerun `attrdb {stage} --scope {scope}` and the stages after it"
            )
    return current
