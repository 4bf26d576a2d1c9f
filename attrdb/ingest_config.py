"""How a catalogue's columns map onto ``products``: options, config files, the sample mapping.

A mapping names, for each products field (id, shop, title, description, category, image,
tags), the catalogue column that fills it. Fields left out are filled from a column of the
same name when the catalogue has one (``product_id`` or ``id`` for the id, ``image_path`` or
``image`` for the image); a field mapped to ``null`` (or ``""``) is never filled. A column
named explicitly must exist, otherwise the whole file is refused: a typo in a mapping
should stop the ingestion, not quietly produce empty fields.

Image paths come from an image column or from a template such as ``{id:.3}/{id}.jpg``:
Python format syntax where ``{id}`` is the listing id and any other name a catalogue column,
each with an optional format spec. Only plain names are allowed (no ``{0}``, attribute or
index access, conversions or nested fields), so a template can read nothing but the row.

Config files are JSON (``.json``) or TOML (``.toml``); relative paths in them are resolved
against the config file's folder, so a config can travel with its catalogue.
"""

from __future__ import annotations

import dataclasses
import json
import string
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from attrdb.errors import InputError
from attrdb.resources import sample_dir

FIELDS = ("id", "shop", "title", "description", "category", "image", "tags")
FORMATS = ("csv", "jsonl", "parquet")

# Columns tried, in order, for a field the mapping leaves out.
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("product_id", "id"),
    "shop": ("shop",),
    "title": ("title",),
    "description": ("description",),
    "category": ("category",),
    "image": ("image_path", "image"),
    "tags": ("tags",),
}

_KEYS = {
    "source",
    "format",
    "columns",
    "images_root",
    "image_template",
    "tags_delimiter",
    "metadata_columns",
    "allow_text_only",
    "allow_images_outside_root",
}

# The template field that stands for the listing id (as stored: trimmed, NFC-normalised).
TEMPLATE_ID = "id"


@dataclass(frozen=True)
class IngestConfig:
    """Everything that says how to read one catalogue file into ``products``.

    Attributes:
        columns: explicit mapping products field -> catalogue column; ``None`` = no column.
        source: the catalogue file, when the config names it.
        format: csv, jsonl or parquet; ``None`` = from the file name.
        images_root: folder relative image paths are resolved against; ``None`` = the
            catalogue's own folder.
        image_template: image path built from the row when the catalogue has no image
            column: ``{id}.jpg``, ``{id:.3}/{id}.jpg``, ``{shop}/{id}.jpg`` (module docstring).
        tags_delimiter: splits a tags value held as one string. ``None``: ``,`` for CSV;
            for JSONL and Parquet a string where a list is expected is rejected.
        metadata_columns: columns kept verbatim in ``products.metadata`` (for evaluation;
            the method never reads them).
        allow_text_only: accept listings without an image file (``image_path`` NULL).
        allow_images_outside_root: accept image paths that are absolute or hold ``..`` or a
            symlink and lead outside ``images_root`` (off: such rows are rejected as
            ``image_outside_root``). Template field values never may.
    """

    columns: Mapping[str, str | None] = field(default_factory=dict)
    source: Path | None = None
    format: str | None = None
    images_root: Path | None = None
    image_template: str | None = None
    tags_delimiter: str | None = None
    metadata_columns: tuple[str, ...] = ()
    allow_text_only: bool = False
    allow_images_outside_root: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.columns) - set(FIELDS)
        if unknown:
            raise InputError(
                f"unknown products field(s) in column mapping: {', '.join(sorted(unknown))}; "
                f"fields are {', '.join(FIELDS)}"
            )
        if self.format is not None and self.format not in FORMATS:
            raise InputError(f"unknown format {self.format!r}; use one of {', '.join(FORMATS)}")
        if self.image_template is not None:
            template_fields(self.image_template)
        if self.tags_delimiter == "":
            raise InputError("the tags delimiter must not be empty")

    def with_options(
        self, *, columns: Mapping[str, str | None] | None = None, **options: Any
    ) -> IngestConfig:
        """A copy with command-line options laid over it; ``None`` options are ignored."""
        merged = dict(self.columns)
        merged.update(columns or {})
        given = {k: v for k, v in options.items() if v is not None}
        if "metadata_columns" in given:
            given["metadata_columns"] = tuple(given["metadata_columns"])
        return dataclasses.replace(self, columns=merged, **given)

    def to_params(self) -> dict[str, Any]:
        """JSON-ready form, recorded in ``runs.params``."""
        return {
            "columns": dict(self.columns),
            "source": str(self.source) if self.source else None,
            "format": self.format,
            "images_root": str(self.images_root) if self.images_root else None,
            "image_template": self.image_template,
            "tags_delimiter": self.tags_delimiter,
            "metadata_columns": list(self.metadata_columns),
            "allow_text_only": self.allow_text_only,
            "allow_images_outside_root": self.allow_images_outside_root,
        }


def template_fields(template: str) -> tuple[str, ...]:
    """The distinct field names of an image template, in order; refuses unsafe templates.

    Raises:
        InputError: the template does not parse, has no field, or uses a positional field,
            attribute or index access, a conversion (``!r``) or a nested field in a spec.
    """
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise InputError(f"image template {template!r} does not parse: {exc}") from None
    names: list[str] = []
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if not name or name.isdigit() or any(c in name for c in ".[]"):
            raise InputError(
                f"image template {template!r}: field {{{name}}} must be a column name "
                "(no positional fields, attribute or index access)"
            )
        if conversion is not None or (spec and "{" in spec):
            raise InputError(
                f"image template {template!r}: field {{{name}}} may carry a format spec "
                "but no conversion or nested field"
            )
        if name not in names:
            names.append(name)
    if not names:
        raise InputError(f"image template {template!r} has no field such as {{id}}")
    return tuple(names)


def render_template(template: str, values: Mapping[str, str]) -> str:
    """Fill ``template`` (checked by ``template_fields``) with text values.

    Raises:
        ValueError: a format spec does not apply to text (e.g. ``{id:d}``).
    """
    out: list[str] = []
    for literal, name, spec in _parts(template):
        out.append(literal)
        if name is not None:
            out.append(format(values[name], spec))
    return "".join(out)


@lru_cache(maxsize=16)
def _parts(template: str) -> tuple[tuple[str, str | None, str], ...]:
    """The template parsed once (it is rendered for every row)."""
    parsed = string.Formatter().parse(template)
    return tuple((literal, name, spec or "") for literal, name, spec, _ in parsed)


def load_config(path: str | Path) -> IngestConfig:
    """Read a JSON or TOML ingest config (see docs/ingest.md for the keys).

    Raises:
        InputError: the file is missing, does not parse, or has unknown keys or bad values.
    """
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read config: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text.decode("utf-8")) if path.suffix == ".toml" else json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: config does not parse: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: config must be an object of settings")
    unknown = set(data) - _KEYS
    if unknown:
        raise InputError(f"{path}: unknown config key(s): {', '.join(sorted(unknown))}")
    base = path.resolve().parent
    try:
        return IngestConfig(
            columns=_columns(data.get("columns", {})),
            source=_path(data.get("source"), base),
            format=_text(data.get("format")),
            images_root=_path(data.get("images_root"), base),
            image_template=_text(data.get("image_template")),
            tags_delimiter=_text(data.get("tags_delimiter"), empty_is_none=False),
            metadata_columns=tuple(_names(data.get("metadata_columns", []))),
            allow_text_only=_flag(data.get("allow_text_only", False)),
            allow_images_outside_root=_flag(data.get("allow_images_outside_root", False)),
        )
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from exc


def sample_config() -> IngestConfig:
    """The mapping of the bundled sample (``attrdb/sample/ingest.json``)."""
    return load_config(sample_dir() / "ingest.json")


def parse_column_list(text: str | None) -> list[str] | None:
    """Split a comma-separated option (``a,b , c``) into names; ``None`` stays ``None``."""
    if text is None:
        return None
    return [name.strip() for name in text.split(",") if name.strip()]


def _columns(value: Any) -> dict[str, str | None]:
    if not isinstance(value, dict):
        raise InputError("'columns' must map products fields to column names")
    return {str(k): _text(v) for k, v in value.items()}


def _text(value: Any, *, empty_is_none: bool = True) -> str | None:
    if value is None or (empty_is_none and value == ""):
        return None
    if not isinstance(value, str):
        raise InputError(f"expected text, got {value!r}")
    return value


def _names(value: Any) -> Sequence[str]:
    if isinstance(value, str):
        return parse_column_list(value) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError("'metadata_columns' must be a list of column names")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"expected true or false, got {value!r}")
    return value


def _path(value: Any, base: Path) -> Path | None:
    text = _text(value)
    return None if text is None else base / Path(text).expanduser()
