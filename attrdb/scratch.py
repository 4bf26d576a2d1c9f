"""Scratch folders that a killed run does not leave behind for ever.

A stage that spills to a temporary folder removes it when it ends, however it ends in
Python. A process killed outright (SIGKILL, the kernel's out-of-memory killer) runs no
cleanup, and its folder stays: the visualness stage's feature copy is 4 bytes × products ×
units (1.45 GB at the paper's 173,175 products). Each folder's name therefore carries the
host and process that made it, ``attrdb-<kind>-<host>-<pid>-<random>``, and making a new
folder of a kind first removes those of the same kind and host whose process no longer
runs. Folders of other hosts (a /tmp shared between containers) are never touched.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["make_dir", "scratch_dir", "sweep_stale"]


def _host() -> str:
    """The host name with every character outside [A-Za-z0-9.] replaced, so that '-'
    separates the name's fields."""
    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname()) or "host"


def _prefix(kind: str) -> str:
    return f"attrdb-{kind}-{_host()}-"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def sweep_stale(kind: str, root: Path | None = None) -> list[Path]:
    """Remove this host's ``kind`` folders whose process no longer runs.

    Args:
        kind: the folder kind (e.g. ``'visualness'``).
        root: where the folders are (default: the system's temporary folder).

    Returns:
        The folders removed.
    """
    prefix = _prefix(kind)
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(f"{prefix}*"):
        pid = folder.name[len(prefix):].split("-", 1)[0]
        if folder.is_dir() and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def make_dir(kind: str, root: Path | None = None) -> Path:
    """A new scratch folder of ``kind`` (after :func:`sweep_stale`); the caller removes it."""
    sweep_stale(kind, root)
    return Path(tempfile.mkdtemp(prefix=f"{_prefix(kind)}{os.getpid()}-", dir=root))


@contextmanager
def scratch_dir(kind: str, root: Path | None = None) -> Iterator[Path]:
    """A new scratch folder of ``kind``, removed when the block ends."""
    path = make_dir(kind, root)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
