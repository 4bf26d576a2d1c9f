"""Ingestion: read a CSV, JSON Lines or Parquet catalogue into ``products``.

Every input row ends in ``products`` or in ``product_rejects`` (with its row number, the
row as read and a reason), so input rows = accepted + rejected for every file. DuckDB reads
Parquet and does all classification (``sql/ingest/*.sql``); Python fingerprints the file,
splits CSV and JSON Lines into records (``attrdb.ingest_read``: a bad record is rejected
alone), resolves the column mapping, fills image path templates and asks the filesystem
where each image path leads (only files under the images root are accepted).

One file is ingested in one transaction: a whole-file problem (unreadable file, a mapped
column that does not exist, no image found at all) raises ``InputError`` and leaves
products, rejects and sources as they were. A file whose bytes were ingested before (same
sha256, any path) adds nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from attrdb.errors import InputError, SqlError, first_line
from attrdb.ingest_config import (
    DEFAULT_COLUMNS,
    FIELDS,
    TEMPLATE_ID,
    IngestConfig,
    render_template,
    template_fields,
)
from attrdb.ingest_read import batches, csv_records, jsonl_records
from attrdb.runs import stage_run
from attrdb.sqlfiles import query_sql_file, run_sql_file

_SUFFIX_FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_COMPRESSED = {".gz", ".zst", ".bz2", ".xz", ".zip"}
_CHUNK = 1 << 20
# Registered Arrow tables (names of Python-made inputs to the SQL files).
_IMAGE_CHECK = "ingest_image_check"
_RECORD_BATCH = "ingest_record_batch"
_TEMPLATE_PATHS = "ingest_template_paths"
# Ids and paths shown when no image path of a file exists.
_N_EXAMPLES = 3


@dataclass(frozen=True)
class FileFacts:
    """What one pass over a file's bytes tells: content hash, size, only white space."""

    sha256: str
    size: int
    blank: bool


def file_facts(path: Path) -> FileFacts:
    """Hash a file and note whether it holds nothing but white space."""
    digest = hashlib.sha256()
    size = 0
    blank = True
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            blank = blank and not chunk.strip()
    return FileFacts(sha256=digest.hexdigest(), size=size, blank=blank)


def detect_format(path: Path, given: str | None = None) -> str:
    """The catalogue format: ``given``, else from the file name's suffix."""
    suffix = path.suffix.lower()
    if suffix in _COMPRESSED:
        raise InputError(f"{path}: compressed catalogues are not supported; decompress it first")
    if given:
        return given
    if suffix not in _SUFFIX_FORMATS:
        raise InputError(
            f"{path}: cannot tell the format from the suffix {suffix!r}; "
            "pass --format csv|jsonl|parquet"
        )
    return _SUFFIX_FORMATS[suffix]


def run_ingest(
    con: duckdb.DuckDBPyConnection,
    source: str | Path | None = None,
    config: IngestConfig | None = None,
) -> dict[str, Any]:
    """Ingest one catalogue file into ``products`` / ``product_rejects``.

    Args:
        con: an open attrdb database.
        source: the catalogue file; default ``config.source``.
        config: the column mapping and options (default: same-named columns).

    Returns:
        The run summary: source, format, sha256, n_rows, n_accepted, n_rejected,
        outcomes (count per reject reason, 'accepted' and 'accepted_text_only'),
        already_ingested (true when the same bytes were ingested before: nothing added),
        seconds.

    Raises:
        InputError: the file cannot be read as its format, a mapped column does not exist,
            or no image file exists for any row; the database is left unchanged.
    """
    started = time.perf_counter()
    config = config or IngestConfig()
    path = _source_path(source, config)
    fmt = detect_format(path, config.format)
    facts = file_facts(path)
    params = {**config.to_params(), "source": str(path), "format": fmt}
    with stage_run(con, "ingest", params, inputs_fingerprint=facts.sha256) as run:
        summary: dict[str, Any] = {"source": str(path), "format": fmt, "sha256": facts.sha256}
        prior = query_sql_file(con, "ingest/find_source", {"sha256": facts.sha256})
        if prior:
            earlier, run_id, _, n_accepted, n_rejected, _ = prior[0]
            summary.update(
                already_ingested=True,
                earlier_source=earlier,
                earlier_run_id=run_id,
                n_rows=0,
                n_accepted=0,
                n_rejected=0,
                outcomes={},
                message=(
                    f"{path}: same content (sha256 {facts.sha256[:12]}) already ingested from "
                    f"{earlier} in run {run_id} ({n_accepted} accepted, {n_rejected} rejected); "
                    "nothing added"
                ),
            )
        else:
            if facts.size == 0:
                raise InputError(f"{path}: empty file")
            if facts.blank:
                raise InputError(f"{path}: empty file (only white space)")
            outcomes, root = _ingest_in_transaction(con, path, fmt, facts, config, run.run_id)
            n_rejected = sum(n for k, n in outcomes.items() if not k.startswith("accepted"))
            n_rows = sum(outcomes.values())
            summary.update(
                already_ingested=False,
                n_rows=n_rows,
                n_accepted=n_rows - n_rejected,
                n_rejected=n_rejected,
                outcomes=outcomes,
                # The real images root, so readers (the report) can re-check containment.
                images_root=root,
                images_outside_root_allowed=config.allow_images_outside_root,
            )
        summary["seconds"] = round(time.perf_counter() - started, 3)
        run.summary.update(summary)
    return summary


def _source_path(source: str | Path | None, config: IngestConfig) -> Path:
    chosen = source if source is not None else config.source
    if chosen is None:
        raise InputError("no catalogue file given (pass a path or a config naming 'source')")
    path = Path(chosen).expanduser().resolve()
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    return path


def _ingest_in_transaction(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: str,
    facts: FileFacts,
    config: IngestConfig,
    run_id: int,
) -> tuple[dict[str, int], str]:
    """Stage, classify and write one file atomically.

    Returns:
        (count per outcome, the real path of the images root used).
    """
    root = _images_root(path, config)
    con.begin()
    try:
        header = _stage(con, path, fmt)
        mapping = _resolve_mapping(con, path, fmt, config, header)
        run_sql_file(con, "ingest/map", _map_params(mapping, fmt, config))
        if mapping["image"] is None and config.image_template is not None:
            _apply_template(con, config.image_template, mapping)
        _register_image_check(con, path, root, config)
        run_sql_file(con, "ingest/decide", {"allow_text_only": config.allow_text_only})
        run_sql_file(
            con,
            "ingest/write",
            {"source": str(path), "sha256": facts.sha256, "format": fmt, "run_id": run_id},
        )
        outcomes = {str(k): int(n) for k, n in query_sql_file(con, "ingest/summary")}
        run_sql_file(con, "ingest/cleanup")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        for name in (_IMAGE_CHECK, _TEMPLATE_PATHS, _RECORD_BATCH):
            _unregister(con, name)
    return outcomes, root


def _stage(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> list[str] | None:
    """Read the file into ``ingest_input``: one JSON document (or raw text) per input row.

    Returns:
        The CSV header's column names; None for the other formats.
    """
    if fmt == "parquet":
        # The row order comes from DuckDB's WITH ORDINALITY column, whose name DuckDB makes
        # unique (ordinality, ordinality0, ...), so no user column can stand in for it.
        described = _read(con, path, "Parquet", "ingest/parquet_columns", {"path": str(path)})
        ordinality = described.fetchall()[-1][0]
        _read(
            con,
            path,
            "Parquet",
            "ingest/stage_parquet",
            {"path": str(path), "ordinality": ordinality},
        )
        return None
    import pyarrow as pa

    header = None
    if fmt == "jsonl":
        records = jsonl_records(path)
    else:
        try:
            header, records = csv_records(path)
        except ValueError as exc:
            raise InputError(f"{path}: not a readable CSV file: {exc}") from None
    run_sql_file(con, "ingest/create_records")
    schema = pa.schema(
        [("source_row", pa.int64())]
        + [(n, pa.string()) for n in ("text", "raw", "read_error", "read_detail")]
    )
    for batch in batches(records):
        table = pa.table(
            {
                "source_row": [r.source_row for r in batch],
                "text": [r.text for r in batch],
                "raw": [r.raw for r in batch],
                "read_error": [r.error for r in batch],
                "read_detail": [r.detail for r in batch],
            },
            schema=schema,
        )
        con.register(_RECORD_BATCH, table)
        run_sql_file(con, "ingest/append_records")
        con.unregister(_RECORD_BATCH)
    run_sql_file(con, f"ingest/stage_{fmt}")
    return header


def _read(
    con: duckdb.DuckDBPyConnection, path: Path, kind: str, sql: str, params: Mapping[str, Any]
) -> duckdb.DuckDBPyConnection:
    """Run a reading SQL file; a reader failure is a whole-file input error."""
    try:
        return run_sql_file(con, sql, params)
    except SqlError as exc:
        cause = exc.__cause__
        reason = first_line(cause) if cause else str(exc)
        # "Invalid Input Error: No magic bytes ..." -> "No magic bytes ..."
        reason = re.sub(r"^[A-Za-z ]+ Error: ", "", reason)
        raise InputError(f"{path}: not a readable {kind} file: {reason}") from exc


def _resolve_mapping(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: str,
    config: IngestConfig,
    header: list[str] | None,
) -> dict[str, str | None]:
    """Field -> column for this file; explicitly named columns must exist.

    The columns are the CSV header's, else those of the staged documents.
    """
    every_row = fmt == "jsonl"
    columns = (
        header
        if header is not None
        else [r[0] for r in query_sql_file(con, "ingest/columns", {"every_row": every_row})]
    )
    if not columns:
        if fmt == "jsonl" and _staged_rows(con):
            raise InputError(f"{path}: no line is a JSON object; it is not JSON Lines")
        return {f: config.columns.get(f) for f in FIELDS}
    available = set(columns)
    shown = ", ".join(columns[:30]) + (", ..." if len(columns) > 30 else "")
    mapping: dict[str, str | None] = {}
    for field in FIELDS:
        if field in config.columns:
            column = config.columns[field]
            if column is not None and column not in available:
                raise InputError(
                    f"{path}: column {column!r} (mapped to {field}) not found; columns are: {shown}"
                )
            mapping[field] = column
        else:
            mapping[field] = next((c for c in DEFAULT_COLUMNS[field] if c in available), None)
    missing_meta = [c for c in config.metadata_columns if c not in available]
    if missing_meta:
        raise InputError(
            f"{path}: metadata column(s) {', '.join(map(repr, missing_meta))} not found; "
            f"columns are: {shown}"
        )
    if mapping["id"] is None:
        raise InputError(f"{path}: no id column (map one with --id-column); columns are: {shown}")
    if mapping["image"] is None and config.image_template is None and not config.allow_text_only:
        raise InputError(
            f"{path}: no image column and no --image-template; pass --allow-text-only to "
            "ingest text-only listings"
        )
    if mapping["image"] is None and config.image_template is not None:
        unknown = [
            n
            for n in template_fields(config.image_template)
            if n != TEMPLATE_ID and n not in available
        ]
        if unknown:
            raise InputError(
                f"{path}: image template field(s) {', '.join(map(repr, unknown))} are not "
                f"columns ({{{TEMPLATE_ID}}} is the listing id); columns are: {shown}"
            )
    return mapping


def _staged_rows(con: duckdb.DuckDBPyConnection) -> int:
    return int(query_sql_file(con, "ingest/staged_count")[0][0])


def json_path(column: str) -> str:
    """A JSON path selecting one top-level key, whatever characters the key holds."""
    escaped = column.replace("\\", "\\\\").replace('"', '\\"')
    return f'$."{escaped}"'


def _map_params(
    mapping: Mapping[str, str | None], fmt: str, config: IngestConfig
) -> dict[str, Any]:
    # '$[0]' selects nothing in a JSON object: the path of an unmapped field.
    paths = [json_path(column) if column else "$[0]" for column in (mapping[f] for f in FIELDS)]
    # CSV cells are always text, so a CSV tags column is a delimited string by nature; in
    # typed formats a string where a list belongs is more likely a mapping mistake.
    tags_delimiter = config.tags_delimiter or ("," if fmt == "csv" else None)
    return {
        "field_paths": paths,
        "tags_delimiter": tags_delimiter,
        "metadata_keys": list(config.metadata_columns),
        "metadata_paths": [json_path(c) for c in config.metadata_columns],
    }


def _apply_template(
    con: duckdb.DuckDBPyConnection, template: str, mapping: Mapping[str, str | None]
) -> None:
    """Fill ``ingest_mapped.image_value`` from the template, row by row, in Python.

    Python's format specs (``{id:.3}``) have no SQL equivalent; the values are text as the
    catalogue holds them (the id as stored: trimmed, NFC).
    """
    import pyarrow as pa

    names = template_fields(template)
    columns = [n for n in names if n != TEMPLATE_ID]
    rows = query_sql_file(con, "ingest/template_values", {"paths": [json_path(c) for c in columns]})
    out_rows: list[int] = []
    values: list[str | None] = []
    errors: list[str | None] = []
    details: list[str | None] = []
    for source_row, product_id, column_values in rows:
        fields = dict(zip(columns, column_values or [None] * len(columns), strict=True))
        fields[TEMPLATE_ID] = product_id
        value, error, detail = template_path(template, names, fields)
        out_rows.append(int(source_row))
        values.append(value)
        errors.append(error)
        details.append(detail)
    table = pa.table(
        {
            "source_row": out_rows,
            "image_value": values,
            "image_error": errors,
            "image_detail": details,
        },
        schema=pa.schema(
            [
                ("source_row", pa.int64()),
                ("image_value", pa.string()),
                ("image_error", pa.string()),
                ("image_detail", pa.string()),
            ]
        ),
    )
    con.register(_TEMPLATE_PATHS, table)
    run_sql_file(con, "ingest/apply_template")


def template_path(
    template: str, names: Sequence[str], fields: Mapping[str, str | None]
) -> tuple[str | None, str | None, str | None]:
    """One row's image path from the template: (path, reject reason, detail).

    A field value that is empty, absolute, or holds a ``..`` component gives no path: an
    id or a column value names a file, it never climbs out of the images root.
    """
    for name in names:
        value = fields.get(name)
        if value is None or value == "":
            return None, "no_image", f"image template field {{{name}}} is empty"
        if _escapes(value):
            return (
                None,
                "image_outside_root",
                f"image template field {{{name}}} = {value!r} is absolute or holds '..'",
            )
    try:
        return render_template(template, {n: str(fields[n]) for n in names}), None, None
    except ValueError as exc:
        return None, "image_template_error", f"image template {template!r}: {exc}"


def _escapes(value: str) -> bool:
    """Absolute, NUL-holding or with a ``..`` component (``~`` and ``C:`` are plain names
    on POSIX: joined to the root they stay inside it)."""
    return (
        value.startswith(("/", "\\"))
        or "\x00" in value
        or (".." in value and ".." in re.split(r"[/\\]", value))
    )


def _images_root(path: Path, config: IngestConfig) -> str:
    """The real path of the images root (default: the catalogue's folder)."""
    root = Path(config.images_root).expanduser() if config.images_root else path.parent
    if config.images_root is not None and not root.is_dir():
        raise InputError(f"{path}: images root {root} is not a folder")
    return os.path.realpath(root)


def _register_image_check(
    con: duckdb.DuckDBPyConnection, path: Path, root: str, config: IngestConfig
) -> None:
    """Look every distinct image path up on disk and expose the result to SQL."""
    import pyarrow as pa

    candidates = [r[0] for r in query_sql_file(con, "ingest/image_candidates")]
    checks = check_images(candidates, root, allow_outside=config.allow_images_outside_root)
    if candidates and not config.allow_text_only and all(c.kind != "file" for c in checks):
        found = dict(zip(candidates, checks, strict=True))
        examples = query_sql_file(con, "ingest/image_examples", {"n": _N_EXAMPLES})
        shown = "; ".join(
            f"id {pid} -> {found[value].image_path} ({found[value].kind.replace('_', ' ')})"
            for pid, value in examples
        )
        raise InputError(
            f"{path}: none of the {len(candidates)} image paths leads to a file under the "
            f"images root {root} (e.g. {shown}); check --images-root and the image column "
            "or template"
        )
    table = pa.table(
        {
            "candidate": candidates,
            "image_path": [c.image_path for c in checks],
            "kind": [c.kind for c in checks],
            "detail": [c.detail for c in checks],
        },
        schema=pa.schema(
            [
                ("candidate", pa.string()),
                ("image_path", pa.string()),
                ("kind", pa.string()),
                ("detail", pa.string()),
            ]
        ),
    )
    con.register(_IMAGE_CHECK, table)


def _unregister(con: duckdb.DuckDBPyConnection, name: str) -> None:
    try:
        con.unregister(name)
    except duckdb.Error:
        pass  # never registered: the file failed before that step


@dataclass(frozen=True)
class ImageCheck:
    """Where an image path leads and what is there.

    Attributes:
        image_path: the real path (symbolic links resolved), or the path as joined when it
            cannot be resolved.
        kind: 'file', 'missing', 'not_a_file' (a folder, device, ...), 'unreadable' or
            'outside_root'.
        detail: why, for 'outside_root'.
    """

    image_path: str
    kind: str
    detail: str | None = None


def check_images(
    candidates: Iterable[str], root: str | Path, *, allow_outside: bool = False
) -> list[ImageCheck]:
    """Resolve image paths against ``root`` and classify each one.

    Relative paths are taken under ``root``, and then resolved to their real path (every
    symbolic link followed). Unless ``allow_outside``, a path is 'outside_root' when it
    holds a ``..`` component or its real path is not under the real ``root`` (an absolute
    path elsewhere, or a link pointing out); nothing outside is even looked at.
    """
    base = os.path.realpath(root)
    folders: dict[str, str] = {}
    return [_check_image(c, base, allow_outside, folders) for c in candidates]


def _check_image(
    candidate: str, base: str, allow_outside: bool, folders: dict[str, str]
) -> ImageCheck:
    joined = os.path.normpath(os.path.join(base, candidate))
    if "\x00" in candidate:
        return ImageCheck(joined.replace("\x00", "\\0"), "missing")
    has_dot_dot = ".." in candidate and ".." in re.split(r"[/\\]", candidate)
    if not allow_outside and has_dot_dot:
        return ImageCheck(
            joined,
            "outside_root",
            f"'..' in the image path {candidate!r} (images must be "
            f"under the images root {base}; see --allow-images-outside-root)",
        )
    # With '..' (allowed here) a lexical shortcut could skip a link: resolve it all.
    real, kind = (os.path.realpath(joined), None) if has_dot_dot else _real_path(joined, folders)
    if not allow_outside and not is_within(real, base):
        how = (
            "an absolute path"
            if os.path.isabs(candidate) and real == joined
            else f"resolves through a symbolic link to {real}"
        )
        return ImageCheck(
            real, "outside_root", f"{candidate!r} is {how} outside the images root {base}"
        )
    return ImageCheck(real, kind or _path_kind(real))


def _real_path(joined: str, folders: dict[str, str]) -> tuple[str, str | None]:
    """``os.path.realpath(joined)`` for a path without ``..``, resolving each folder once,
    and the path's kind when it is not a link (a link's target is looked at only after
    the root check).

    Catalogues keep thousands of images per folder: resolving the folder once and then
    one ``lstat`` of the file saves the per-component calls of ``realpath`` and ``stat``.
    """
    folder, name = os.path.split(joined)
    real_folder = folders.get(folder)
    if real_folder is None:
        real_folder = folders[folder] = os.path.realpath(folder)
    real = os.path.join(real_folder, name)
    try:
        mode = os.lstat(real).st_mode
    except PermissionError:
        return real, "unreadable"
    except (OSError, ValueError):  # missing, a file used as a folder, ...
        return real, "missing"
    if stat.S_ISLNK(mode):
        return os.path.realpath(real), None
    if not stat.S_ISREG(mode):
        return real, "not_a_file"
    return real, "file" if os.access(real, os.R_OK) else "unreadable"


def is_within(path: str, root: str) -> bool:
    """Whether the normalised absolute ``path`` is ``root`` or below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _path_kind(full: str) -> str:
    try:
        mode = os.stat(full).st_mode
    except PermissionError:
        return "unreadable"
    except (OSError, ValueError):  # missing, a file used as a folder, ...
        return "missing"
    if not stat.S_ISREG(mode):
        return "not_a_file"
    return "file" if os.access(full, os.R_OK) else "unreadable"


@dataclass(frozen=True)
class ImageRoots:
    """The images roots a database's products were ingested under, for re-checking paths.

    Attributes:
        roots: real paths of the roots of every ingestion that wrote rows.
        anywhere: some ingestion allowed images outside its root (then only the other
            checks apply).
    """

    roots: tuple[str, ...]
    anywhere: bool

    def admits(self, path: str) -> bool:
        """Whether ``path`` is still what ingestion accepted: absolute, its own real path
        (no link swapped in since), under a root, and a regular file."""
        if not os.path.isabs(path) or os.path.realpath(path) != path:
            return False
        if not self.anywhere and not any(is_within(path, r) for r in self.roots):
            return False
        return _path_kind(path) == "file"


def image_roots(con: duckdb.DuckDBPyConnection) -> ImageRoots:
    """The images roots recorded by the ingestions of the database open on ``con``."""
    rows = query_sql_file(con, "ingest/image_roots")
    return ImageRoots(
        roots=tuple(sorted({r for r, _ in rows if r})), anywhere=any(bool(a) for _, a in rows)
    )
