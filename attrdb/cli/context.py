"""Commands ``scope add|list|show``, ``boilerplate`` and ``metadata-check`` (docs/context.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from attrdb.cli import options
from attrdb.cli.common import console_info, sub_app, with_database
from attrdb.cli.options import DEFAULT_SCOPE
from attrdb.context.scopes import ScopeDefinition

_DEFAULTS = ScopeDefinition()


def register(app: typer.Typer) -> None:
    """Add the ``scope`` group, ``boilerplate`` and ``metadata-check`` to the app."""
    scope_app = sub_app(
        "Define and list scopes: product subsets with their boilerplate and negatives options."
    )
    app.add_typer(scope_app, name="scope")

    @scope_app.command("add")
    @with_database()
    def scope_add_cmd(
        con: duckdb.DuckDBPyConnection,
        name: Annotated[str, typer.Argument(help="The scope's name.")],
        category_field: Annotated[
            str | None,
            typer.Option("--category-field",
                         help="Filter on 'category' or 'metadata.<key>' (e.g. "
                              "metadata.master_category)."),
        ] = None,
        category: Annotated[
            list[str] | None,
            typer.Option("--category", help="A value of the category field to keep (repeat)."),
        ] = None,
        boilerplate: Annotated[
            str, typer.Option("--boilerplate", help="drop or keep boilerplate lines.")
        ] = "drop",
        min_share: Annotated[
            float, typer.Option("--boilerplate-min-share",
                                help="Share of a shop's listings a boilerplate line reaches.")
        ] = _DEFAULTS.boilerplate_min_share,
        min_count: Annotated[
            int, typer.Option("--boilerplate-min-count",
                              help="Listings of one shop a boilerplate line reaches.")
        ] = _DEFAULTS.boilerplate_min_count,
        min_listings: Annotated[
            int, typer.Option("--boilerplate-min-listings",
                              help="Listings of any shops that make a line boilerplate.")
        ] = _DEFAULTS.boilerplate_min_listings,
        negatives: Annotated[
            str, typer.Option("--negatives",
                              help="random, category_matched, or auto (matched when the "
                                   "match field has two or more values).")
        ] = "auto",
        match_field: Annotated[
            str, typer.Option("--match-field",
                              help="Category negatives are matched on: 'category' or "
                                   "'metadata.<key>'.")
        ] = _DEFAULTS.match_field,
        bound_share: Annotated[
            float, typer.Option("--bound-share",
                                help="A word with this share of its positives in one category "
                                     "is category-bound.")
        ] = _DEFAULTS.bound_share,
        location_words: Annotated[
            str, typer.Option("--location-words",
                              help="drop (default) or keep the words that say where on a "
                                   "product something is (left, front, inner, lower).")
        ] = _DEFAULTS.location_words,
        replace: Annotated[
            bool, typer.Option("--replace", help="Redefine an existing scope (deletes its "
                                                 "results).")
        ] = False,
    ) -> None:
        """Define a scope; run `attrdb vocab --scope NAME` and later stages on it next."""
        from attrdb.context.scopes import define_scope

        definition = ScopeDefinition(
            category_field=category_field,
            categories=tuple(category or ()),
            boilerplate=boilerplate,
            boilerplate_min_count=min_count,
            boilerplate_min_share=min_share,
            boilerplate_min_listings=min_listings,
            negatives=negatives,
            match_field=match_field,
            bound_share=bound_share,
            location_words=location_words,
        )
        result = define_scope(con, name, definition, replace_existing=replace)
        typer.echo(json.dumps(result["definition"], sort_keys=True))
        deleted = sum(result["deleted"].values())
        console_info(
            f"scope {name!r} {'redefined' if result['replaced'] else 'defined'}"
            + (f"; {deleted} result rows of the old definition deleted" if deleted else "")
            + f"; next: attrdb vocab --scope {name}"
        )

    @scope_app.command("list")
    @with_database(read_only=True)
    def scope_list_cmd(con: duckdb.DuckDBPyConnection) -> None:
        """Every scope: products in its universe, newest vocab run, definition."""
        from attrdb.context.scopes import list_scopes

        for row in list_scopes(con):
            d = row["definition"]
            subset = (f"{d['category_field']} in {', '.join(d['categories'])}"
                      if d["category_field"] else "all kept products")
            typer.echo(
                f"{row['scope']}\t{row['n_products']} products\t{subset}\t"
                f"boilerplate={d['boilerplate']}\tlocation_words={d['location_words']}\t"
                f"negatives={d['negatives']}"
                f"(match {d['match_field']})\tvocab run {row['vocab_run_id'] or '-'}"
            )

    @scope_app.command("show")
    @with_database(read_only=True)
    def scope_show_cmd(
        con: duckdb.DuckDBPyConnection,
        name: Annotated[str, typer.Argument(help="The scope's name.")],
    ) -> None:
        """A scope's full definition as JSON (defaults filled in)."""
        from attrdb.context.scopes import scope_definition

        definition = scope_definition(con, name)
        typer.echo(json.dumps(definition.as_dict(), sort_keys=True, indent=2))

    @app.command("boilerplate")
    @with_database(read_only=True)
    def boilerplate_cmd(
        con: duckdb.DuckDBPyConnection,
        scope: options.Scope = DEFAULT_SCOPE,
        top_n: Annotated[int, typer.Option("--top-n", help="How many lines.")] = 20,
        old_top: Annotated[int | None, options.hidden_alias("--top", "--top-n")] = None,
    ) -> None:
        """The scope's most common boilerplate lines (found by `attrdb vocab`)."""
        from attrdb.context.boilerplate import top_boilerplate
        from attrdb.context.scopes import scope_definition

        definition = scope_definition(con, scope)
        rows = top_boilerplate(con, scope, options.pick(top_n, old_top))
        if not rows:
            console_info(f"scope {scope!r} has no boilerplate lines (run `attrdb vocab "
                         f"--scope {scope}` first)")
        for row in rows:
            typer.echo(f"{row['rank']}\t{row['n_products']} listings\t{row['n_shops']} shops\t"
                       f"{row['example']}\t{row['reason']}")
        console_info(f"boilerplate={definition.boilerplate}: these lines are "
                     + ("excluded from the vocabulary and D+/D-" if definition.boilerplate
                        == "drop" else "flagged only"))

    @app.command("metadata-check")
    @with_database()
    def metadata_check_cmd(
        con: duckdb.DuckDBPyConnection,
        scope: options.Scope = DEFAULT_SCOPE,
        model: options.Model = None,
        attribute: Annotated[
            list[str] | None,
            typer.Option("--attribute",
                         help="name=metadata_key ('key.subkey' into nested JSON), e.g. "
                              "colour=base_colour (repeat); without it the command lists "
                              "the metadata keys."),
        ] = None,
        k: Annotated[
            list[int] | None, typer.Option("--k", help="Precision cut-off (repeat).")
        ] = None,
        map_items: Annotated[
            list[str] | None,
            typer.Option("--map", help="word=Value or word=Value1|Value2: the attribute "
                                       "values a word names (repeat)."),
        ] = None,
        map_file: Annotated[
            Path | None,
            typer.Option("--map-file", help="Word to values: a JSON object or a CSV of "
                                            "word,value rows."),
        ] = None,
        stems: Annotated[
            bool, typer.Option("--stems/--no-stems",
                               help="Also match words to values by stem (striped/Stripes).")
        ] = True,
    ) -> None:
        """Precision at k of the surest test predictions against catalogue metadata."""
        from attrdb.context.metadata_check import (
            DEFAULT_KS,
            metadata_keys,
            parse_attribute,
            parse_mapping,
            read_mapping,
            run_metadata_check,
        )

        if not attribute:
            keys = metadata_keys(con, scope)
            for key in keys:
                typer.echo(f"{key['path']}\t{key['n_products']} products\t"
                           f"{key['n_values']} values\t{', '.join(key['top_values'])}")
            console_info(f"{len(keys)} metadata keys in scope {scope!r}; check one with "
                         "--attribute NAME=KEY (e.g. --attribute colour=base_colour), "
                         "and --map word=Value where a word and a value differ")
            return
        attributes = dict(parse_attribute(a) for a in attribute)
        mapping = read_mapping(map_file) if map_file else {}
        for word, values in parse_mapping(map_items or []).items():
            mapping.setdefault(word, []).extend(values)
        result = run_metadata_check(con, scope=scope, model_id=model, attributes=attributes,
                                    mapping=mapping, stems=stems, ks=k or DEFAULT_KS)
        for name, r in result["attributes"].items():
            means = ", ".join(
                f"{key} {value:.3f} (categories alone {r['mean_category_rate'].get(key, 0):.3f})"
                for key, value in r["mean_precision"].items()
            )
            typer.echo(f"{name} ({r['path']}): {r['n_words']} words; mean precision {means}")
            if r["mapped_not_in_vocabulary"]:
                console_info(f"{name}: mapped words not in the vocabulary (not checked): "
                             + ", ".join(r["mapped_not_in_vocabulary"]))
