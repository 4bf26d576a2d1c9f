"""Commands that create and upgrade the database: ``init`` and ``migrate``."""

from __future__ import annotations

import typer

from attrdb.cli.common import console_info, settings
from attrdb.connection import connect
from attrdb.migrate import code_schema_version


def register(app: typer.Typer) -> None:
    """Add ``init`` and ``migrate`` to the app."""

    @app.command("init")
    def init(ctx: typer.Context) -> None:
        """Create a database (or upgrade an existing one) at the current schema version."""
        path = settings(ctx).db
        connect(path, create=True).close()
        console_info(f"{path}: schema version {code_schema_version()}")

    @app.command("migrate")
    def migrate_cmd(
        ctx: typer.Context,
        check: bool = typer.Option(
            False, "--check",
            help="Only verify every migration row and every object the migrations create.",
        ),
    ) -> None:
        """Apply pending schema migrations to an existing database (a foreign one is refused)."""
        from attrdb.migrate import check_database

        path = settings(ctx).db
        if not check:
            connect(path, upgrade=True).close()
        console_info(check_database(path))
