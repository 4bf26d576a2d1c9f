"""Options shared by several commands, declared once with one help text each.

A command writes ``model: options.Model = None`` or ``scope: options.Scope = DEFAULT_SCOPE``
instead of declaring ``--model`` again, so a flag means the same thing in every command.
Old spellings that users may have in scripts stay accepted as hidden aliases
(:func:`hidden_alias`); ``--help`` shows only the current name.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

import typer

from attrdb.context.scopes import DEFAULT_SCOPE

__all__ = [
    "DEFAULT_SCOPE", "Architecture", "Device", "Force", "Jobs", "Model", "NewModel", "Scope",
    "ShownModel", "Snapshot", "defaults_of", "hidden_alias", "names", "pick",
]

T = TypeVar("T")

Model = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="Registered model id, see `attrdb models list` (default: the only registered "
        "model).",
        show_default=False,
    ),
]

Scope = Annotated[
    str,
    typer.Option(
        "--scope",
        help="Scope: a product subset with its own vocabulary and results, see "
        "`attrdb scope list`.",
    ),
]

ShownModel = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="Registered model id whose results to show (default: the one with the most "
        "results in the scope).",
        show_default=False,
    ),
]

NewModel = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="Model id to register the model under (default: the architecture name).",
        show_default=False,
    ),
]

Architecture = Annotated[
    str | None,
    typer.Option(
        "--arch",
        help="CNN architecture: efficientnet_lite0 (embedded weights), efficientnet_lite1, "
        "efficientnet_lite2, efficientnet_lite0_random (seeded, no learning), alexnet, vgg16, "
        "resnet50 (default: the --model id, else efficientnet_lite0).",
        show_default=False,
    ),
]

Jobs = Annotated[int, typer.Option("--jobs", help="Workers (-1 = every core).")]

Force = Annotated[
    bool,
    typer.Option("--force", help="Recompute results that already exist instead of keeping them."),
]

Device = Annotated[
    str, typer.Option("--device", help="auto (CUDA when present), cpu or cuda.")
]

Snapshot = Annotated[
    bool,
    typer.Option(
        "--snapshot", help="Read the published snapshot <db>.snapshot.duckdb, not the database."
    ),
]


def hidden_alias(flag: str, current: str) -> Any:
    """A hidden option that keeps an old spelling working (``--bins`` for ``--n-bins``)."""
    return typer.Option(flag, hidden=True, help=f"Old spelling of {current}.")


def names(values: str | Sequence[str] | None) -> list[str]:
    """Names from an option that is comma-separated, repeated, or both (``a,b`` ``--x c``)."""
    items = [values] if isinstance(values, str) else list(values or [])
    return [name.strip() for item in items for name in item.split(",") if name.strip()]


def pick(current: T, old: T | None) -> T:
    """The value of an option given under its current name or its hidden old spelling."""
    return current if old is None else old


def defaults_of(function: Callable[..., Any]) -> dict[str, Any]:
    """A stage function's keyword defaults, so a command shows them without copying them."""
    return {
        name: p.default
        for name, p in inspect.signature(function).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
