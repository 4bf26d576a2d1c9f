"""``attrdb serve``: the read-only local web explorer (docs/explorer.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from attrdb.cli.common import console_info, settings


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the app."""

    @app.command("serve")
    def serve_cmd(
        ctx: typer.Context,
        host: Annotated[str, typer.Option(
            "--host", help="Interface to listen on; 127.0.0.1 keeps it to this machine.")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8765,
        timeout: Annotated[float, typer.Option(
            "--timeout", help="Seconds a page's queries may run before they are stopped.")
        ] = 10.0,
        memory_limit: Annotated[str, typer.Option(
            "--memory-limit", help="DuckDB memory limit of each page's connection.")
        ] = "1GB",
    ) -> None:
        """Browse words, units, images, scopes and models in a local web explorer (read-only)."""
        from attrdb.explorer.server import serve

        serve(settings(ctx).db, host=host, port=port, timeout_s=timeout,
              memory_limit=memory_limit, echo=console_info)
