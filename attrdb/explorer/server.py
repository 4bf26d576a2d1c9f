"""Run the explorer with uvicorn (``attrdb serve``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from attrdb.errors import InputError
from attrdb.explorer.source import Reader

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def serve(
    db: str | Path,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout_s: float = 10.0,
    memory_limit: str = "1GB",
    echo: Callable[[str], None] = print,
) -> None:
    """Serve the explorer of ``db`` until interrupted.

    The database is copied and opened once first (``Reader``), so a wrong path or an old
    schema is one error line before anything listens. ``host`` defaults to the loopback
    interface: the pages show the catalogue's text and images, and nothing authenticates
    a visitor.

    Raises:
        InputError: the port is out of range.
        StateError, SchemaError: the database cannot be read.
    """
    import uvicorn

    from attrdb.explorer.app import create_app

    if not 0 < port < 65536:
        raise InputError(f"port {port} is out of range (1-65535)")
    reader = Reader(db, timeout_s=timeout_s, memory_limit=memory_limit)
    try:
        reader.check()
        echo(f"attrdb explorer of {db} on http://{host}:{port}/ (Ctrl-C stops it)")
        uvicorn.run(create_app(reader), host=host, port=port, log_level="warning",
                    access_log=False)
    finally:
        reader.close()
