"""Command ``neighbours``: which words the network perceives alike, and their groups."""

from __future__ import annotations

from typing import Annotated

import duckdb
import typer

from attrdb.cli import options
from attrdb.cli.common import console_info, with_database
from attrdb.cli.options import DEFAULT_SCOPE
from attrdb.divergence import DEFAULT_TOP_K
from attrdb.neighbours import (
    DEFAULT_LINKAGE,
    DEFAULT_METHOD,
    DEFAULT_N_GROUPS,
    DEFAULT_NEIGHBOURS,
)

_SHOWN_WORDS = 8


def register(app: typer.Typer) -> None:
    """Add ``neighbours`` to the app."""

    @app.command("neighbours")
    @with_database()
    def neighbours_cmd(
        con: duckdb.DuckDBPyConnection,
        model: options.Model = None,
        scope: options.Scope = DEFAULT_SCOPE,
        method: Annotated[
            str,
            typer.Option("--method", help="cosine (profiles less the common profile), "
                         "spearman (rank correlation of KL profiles) or prime_jaccard "
                         "(shared prime units)."),
        ] = DEFAULT_METHOD,
        n_groups: Annotated[
            int, typer.Option("--n-groups", help="Groups the vocabulary is clustered into.")
        ] = DEFAULT_N_GROUPS,
        top_k: Annotated[
            int, typer.Option("--top-k", help="Prime units compared per word (prime_jaccard).")
        ] = DEFAULT_TOP_K,
        value: Annotated[
            str,
            typer.Option("--value", help="kl_z (null-corrected divergence), kl (raw) or auto "
                         "(kl_z when the divergence run stored it)."),
        ] = "auto",
        linkage: Annotated[
            str, typer.Option("--linkage", help="complete, average or single.")
        ] = DEFAULT_LINKAGE,
        n_neighbours: Annotated[
            int, typer.Option("--n-neighbours", help="Nearest neighbours printed per word.")
        ] = DEFAULT_NEIGHBOURS,
    ) -> None:
        """Similarity of every pair of words from their divergence profiles; word groups."""
        from attrdb.neighbours import run_neighbours

        summary = run_neighbours(con, scope=scope, model_id=model, method=method,
                                 n_groups=n_groups, top_k=top_k, n_neighbours=n_neighbours,
                                 value=value, linkage=linkage)
        console_info(
            f"neighbours ({method} of {summary['value']}): {summary['n_words']} words, "
            f"{summary['n_pairs']} pairs, "
            f"{len(summary['groups'])} groups, model {summary['model_id']!r}, scope {scope!r}"
        )
        typer.echo("group\tsize\twords")
        for group in summary["groups"]:
            words = group["words"]
            more = f" (+{len(words) - _SHOWN_WORDS})" if len(words) > _SHOWN_WORDS else ""
            typer.echo(f"{group['group_id']}\t{group['size']}\t"
                       f"{', '.join(words[:_SHOWN_WORDS])}{more}")
