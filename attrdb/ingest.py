"""Ingestion: read a CSV, JSON Lines or Parquet catalogue into ``products``.

Every input row ends in ``products`` or in ``product_rejects`` (with its row number, the
row as read and a reason), so input rows = accepted + rejected for every file. DuckDB does
the reading and all classification (``sql/ingest/*.sql``); Python only fingerprints the
file, resolves the column mapping and asks the filesystem which image paths are files.

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

from attrdb.errors import AttrdbError, InputError, SqlError
from attrdb.ingest_config import DEFAULT_COLUMNS, FIELDS, IngestConfig
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
# JSON forbids raw control bytes, so one absent from a JSON Lines file can split nothing:
# it serves as the "field delimiter" that makes DuckDB hand over each line whole.
_CONTROL_BYTES = [b for b in range(1, 32) if b not in (9, 10, 13)]
_CHUNK = 1 << 20
_IMAGE_CHECK = "ingest_image_check"


@dataclass(frozen=True)
class FileFacts:
    """What one pass over a file's bytes tells: content hash, size and line shape."""

    sha256: str
    size: int
    has_blank_lines: bool
    free_control_byte: str | None


def file_facts(path: Path) -> FileFacts:
    """Hash a file and note whether it has blank lines and a control byte it never uses.

    Blank lines matter because DuckDB's CSV reader skips them but counts them in its
    line numbers (see ``sql/ingest/lines_exact.sql``).
    """
    digest = hashlib.sha256()
    size = 0
    blank = False
    tail = b"\n"  # a file that starts with a newline starts with a blank line
    absent = list(_CONTROL_BYTES)
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if not blank:
                joined = tail + chunk
                blank = b"\n\n" in joined or b"\n\r\n" in joined
            absent = [b for b in absent if b not in chunk]
            tail = chunk[-2:]
    return FileFacts(
        sha256=digest.hexdigest(),
        size=size,
        has_blank_lines=blank,
        free_control_byte=chr(absent[0]) if absent else None,
    )


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
            outcomes = _ingest_in_transaction(con, path, fmt, facts, config, run.run_id)
            n_rejected = sum(n for k, n in outcomes.items() if not k.startswith("accepted"))
            n_rows = sum(outcomes.values())
            summary.update(
                already_ingested=False,
                n_rows=n_rows,
                n_accepted=n_rows - n_rejected,
                n_rejected=n_rejected,
                outcomes=outcomes,
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
) -> dict[str, int]:
    """Stage, classify and write one file atomically; returns counts per outcome."""
    con.begin()
    try:
        _stage(con, path, fmt, facts)
        mapping = _resolve_mapping(con, path, fmt, config)
        run_sql_file(con, "ingest/map", _map_params(mapping, fmt, config))
        _register_image_check(con, path, config)
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
        _unregister_image_check(con)
    return outcomes


def _stage(con: duckdb.DuckDBPyConnection, path: Path, fmt: str, facts: FileFacts) -> None:
    """Read the file into ``ingest_input``: one JSON document (or raw text) per input row."""
    if fmt == "parquet":
        _read(con, path, "Parquet", "ingest/stage_parquet", {"path": str(path)})
        return
    if fmt == "jsonl":
        if facts.free_control_byte is None:
            raise InputError(f"{path}: every control byte occurs in the file; it is not JSON Lines")
        _read(
            con,
            path,
            "JSON Lines",
            "ingest/read_jsonl",
            {"path": str(path), "delimiter": facts.free_control_byte},
        )
        run_sql_file(con, "ingest/lines_dense", {"first_line": 1})
        run_sql_file(con, "ingest/stage_jsonl")
        return
    _read(con, path, "CSV", "ingest/read_csv", {"path": str(path)})
    delimiter, quote, escape, skip = query_sql_file(con, "ingest/csv_dialect", {"path": str(path)})[
        0
    ]
    header_lines = 1 + int(skip)
    if facts.has_blank_lines:
        names = [r[0] for r in query_sql_file(con, "ingest/csv_header")]
        columns = {name: "VARCHAR" for name in names}
        columns[_unused_name(names)] = "VARCHAR"
        _read(
            con,
            path,
            "CSV",
            "ingest/lines_exact",
            {
                "path": str(path),
                "delimiter": _dialect(delimiter),
                "quote": _dialect(quote),
                "escape": _dialect(escape),
                "skip": int(skip),
                "columns": columns,
            },
        )
    else:
        run_sql_file(con, "ingest/lines_dense", {"first_line": header_lines + 1})
    run_sql_file(con, "ingest/stage_csv", {"header_lines": header_lines})
    _check_numbering(con, path)


def _read(
    con: duckdb.DuckDBPyConnection, path: Path, kind: str, sql: str, params: Mapping[str, Any]
) -> None:
    """Run a reading SQL file; a reader failure is a whole-file input error."""
    try:
        run_sql_file(con, sql, params)
    except SqlError as exc:
        cause = exc.__cause__
        reason = str(cause).strip().splitlines()[0] if cause else str(exc)
        # "Invalid Input Error: Error when sniffing ..." -> "Error when sniffing ..."
        reason = re.sub(r"^[A-Za-z ]+ Error: ", "", reason)
        raise InputError(f"{path}: not a readable {kind} file: {reason}") from exc


def _dialect(value: str) -> str:
    """DuckDB's sniffer reports 'no quote/escape' as '(empty)'."""
    return "" if value == "(empty)" else value


def _unused_name(names: Sequence[str]) -> str:
    name = "attrdb_extra_column"
    while name in names:
        name += "_"
    return name


def _check_numbering(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Every parsed record got exactly one line number (guards the numbering logic)."""
    rows, lines = query_sql_file(con, "ingest/numbering_check")[0]
    if rows != lines:
        raise AttrdbError(
            f"{path}: could not number the records ({rows} records, {lines} line numbers)"
        )


def _resolve_mapping(
    con: duckdb.DuckDBPyConnection, path: Path, fmt: str, config: IngestConfig
) -> dict[str, str | None]:
    """Field -> column for this file; explicitly named columns must exist."""
    every_row = fmt == "jsonl"
    columns = [r[0] for r in query_sql_file(con, "ingest/columns", {"every_row": every_row})]
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
        "image_from_column": mapping["image"] is not None,
        "image_template": config.image_template,
        "tags_delimiter": tags_delimiter,
        "metadata_keys": list(config.metadata_columns),
        "metadata_paths": [json_path(c) for c in config.metadata_columns],
    }


def _register_image_check(con: duckdb.DuckDBPyConnection, path: Path, config: IngestConfig) -> None:
    """Look every distinct image path up on disk and expose the result to SQL."""
    import pyarrow as pa

    root = Path(config.images_root).expanduser() if config.images_root else path.parent
    if config.images_root is not None and not root.is_dir():
        raise InputError(f"{path}: images root {root} is not a folder")
    candidates = [r[0] for r in query_sql_file(con, "ingest/image_candidates")]
    resolved, kinds = check_images(candidates, root.resolve())
    if candidates and not config.allow_text_only and "file" not in kinds:
        raise InputError(
            f"{path}: none of the {len(candidates)} image paths exists (e.g. {resolved[0]}); "
            "check --images-root and the image column or template"
        )
    table = pa.table(
        {"candidate": candidates, "image_path": resolved, "kind": kinds},
        schema=pa.schema(
            [("candidate", pa.string()), ("image_path", pa.string()), ("kind", pa.string())]
        ),
    )
    con.register(_IMAGE_CHECK, table)


def _unregister_image_check(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.unregister(_IMAGE_CHECK)
    except duckdb.Error:
        pass  # never registered: the file failed before the image check


def check_images(candidates: Iterable[str], root: Path) -> tuple[list[str], list[str]]:
    """Resolve image paths against ``root`` and classify each one.

    Returns:
        (absolute normalised paths, kinds), kind one of 'file', 'missing', 'not_a_file'
        (a folder, device, ...), 'unreadable'.
    """
    resolved: list[str] = []
    kinds: list[str] = []
    base = str(root)
    for candidate in candidates:
        full = os.path.normpath(os.path.join(base, candidate))
        resolved.append(full)
        kinds.append(_path_kind(full))
    return resolved, kinds


def _path_kind(full: str) -> str:
    try:
        mode = os.stat(full).st_mode
    except PermissionError:
        return "unreadable"
    except (OSError, ValueError):  # missing, a file used as a folder, NUL in the name, ...
        return "missing"
    if not stat.S_ISREG(mode):
        return "not_a_file"
    return "file" if os.access(full, os.R_OK) else "unreadable"
