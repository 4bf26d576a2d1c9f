"""A corpus of hostile inputs: broken files, odd ids, paths that climb out, odd images, text.

Every file is built here from real sample listings (``attrdb/sample/products.parquet``)
with one thing spoiled, so nothing large is committed. Catalogue cases all go into one
shared database (ids are prefixed per case so files do not collide); for each, the rows
that must be rejected are named with their reason, every input row must end in products
or product_rejects, and nothing but a one-line ``InputError`` may come out (no traceback).
"""

from __future__ import annotations

import csv
import io
import json
import os
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from attrdb.cnn.images import ImageLoadError, load_rgb
from attrdb.errors import InputError
from attrdb.ingest import run_ingest
from attrdb.ingest_config import IngestConfig
from tests.conftest import memory_copy

Row = dict[str, Any]
BIG = 2 * 1024 * 1024 + 1000  # just over the 2 MB record limit


@dataclass
class Case:
    """A catalogue file with its expected outcome.

    Attributes:
        build: (real rows, images root) -> (file suffix, content).
        rejects: (source_row, reason) of every rejected row; None when the file is refused.
        n_rows: input rows in the file (default: len(rows)).
        error: the whole-file message expected instead.
        options: IngestConfig fields laid over the default mapping.
    """

    build: Callable[[list[Row], Path], tuple[str, bytes]]
    rejects: list[tuple[int, str]] | None = None
    n_rows: int | None = None
    error: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


COLUMNS = ["id", "title", "brand", "description_text", "article_type", "image_id"]


@pytest.fixture(scope="module")
def real_rows(sample: Path) -> list[Row]:
    con = duckdb.connect()
    found = con.execute(
        "SELECT CAST(id AS VARCHAR), title, brand, description_text, article_type, "
        "CAST(id AS VARCHAR) FROM read_parquet(?) ORDER BY id LIMIT 41",
        [str(sample / "products.parquet")],
    ).fetchall()
    con.close()
    return [dict(zip(COLUMNS, r, strict=True)) for r in found]


@pytest.fixture(scope="module")
def images_root(
    tmp_path_factory: pytest.TempPathFactory, sample: Path, real_rows: list[Row]
) -> Path:
    """Real images plus hostile entries: links out, a folder, a FIFO, a link loop."""
    root = tmp_path_factory.mktemp("hostile") / "images"
    root.mkdir()
    for row in real_rows:
        (root / f"{row['image_id']}.jpg").write_bytes(
            (sample / "images" / f"{row['image_id']}.jpg").read_bytes()
        )
    os.symlink("/etc/passwd", root / "link_out.jpg")
    (root / "folder.jpg").mkdir()
    os.mkfifo(root / "pipe.jpg")
    os.symlink(root / "loop_b.jpg", root / "loop_a.jpg")
    os.symlink(root / "loop_a.jpg", root / "loop_b.jpg")
    return root


@pytest.fixture(scope="module")
def shared_con(empty_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = memory_copy(empty_db)
    yield con
    con.close()


def base_config(root: Path, **options: Any) -> IngestConfig:
    settings: dict[str, Any] = {
        "columns": {
            "id": "id",
            "shop": "brand",
            "title": "title",
            "description": "description_text",
            "category": "article_type",
        },
        "image_template": "{image_id}.jpg",
        "images_root": root,
    }
    if "columns" in options:
        settings["columns"] = {**settings["columns"], **options.pop("columns")}
    settings.update(options)
    return IngestConfig(**settings)


# --- Builders ---------------------------------------------------------------------------------


def four(rows: list[Row]) -> list[Row]:
    return [dict(r) for r in rows[:4]]


def csv_bytes(
    rows: list[Row],
    *,
    quoting: int = csv.QUOTE_MINIMAL,
    delimiter: str = ",",
    terminator: str = "\n",
    header: list[str] | None = None,
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=quoting, delimiter=delimiter, lineterminator=terminator)
    columns = list(rows[0])
    writer.writerow(header or columns)
    for row in rows:
        writer.writerow([row[c] for c in columns])
    return out.getvalue().encode()


def records(rows: list[Row], **kw: Any) -> list[bytes]:
    """The CSV as [header, record 1, ...] (records may span lines)."""
    return [_record(list(rows[0]), **kw)] + [_record(list(r.values()), **kw) for r in rows]


def _record(
    values: list[Any],
    *,
    quoting: int = csv.QUOTE_MINIMAL,
    delimiter: str = ",",
    terminator: str = "\n",
) -> bytes:
    out = io.StringIO()
    csv.writer(out, quoting=quoting, delimiter=delimiter, lineterminator=terminator).writerow(
        values
    )
    return out.getvalue().encode()


def spoil_csv(
    change: Callable[[list[Row]], None], **kw: Any
) -> Callable[[list[Row], Path], tuple[str, bytes]]:
    def build(rows: list[Row], root: Path) -> tuple[str, bytes]:
        chosen = four(rows)
        change(chosen)
        return ".csv", csv_bytes(chosen, **kw)

    return build


def spoil_record(
    index: int, replace: Callable[[bytes, Row], bytes], n: int = 4, **kw: Any
) -> Callable[[list[Row], Path], tuple[str, bytes]]:
    """Replace the bytes of CSV record ``index`` (0-based) among ``n`` rows."""

    def build(rows: list[Row], root: Path) -> tuple[str, bytes]:
        chosen = [dict(r) for r in rows[:n]]
        parts = records(chosen, **kw)
        parts[index + 1] = replace(parts[index + 1], chosen[index])
        return ".csv", b"".join(parts)

    return build


def setter(index: int, **values: Any) -> Callable[[list[Row]], None]:
    return lambda rows: rows[index].update(values)


def unclosed(record: bytes, row: Row) -> bytes:
    fields = [row["id"], f'"{row["title"]} broken', row["brand"], "x", row["article_type"]]
    return (",".join([*fields, row["image_id"]]) + "\n").encode()


def jsonl(change: Callable[[list[Any]], None]) -> Callable[[list[Row], Path], tuple[str, bytes]]:
    def build(rows: list[Row], root: Path) -> tuple[str, bytes]:
        lines: list[Any] = four(rows)
        change(lines)
        text = b"".join(
            (line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n"
            for line in lines
        )
        return ".jsonl", text

    return build


def line(index: int, value: Any) -> Callable[[list[Any]], None]:
    def change(lines: list[Any]) -> None:
        lines[index] = value(lines[index]) if callable(value) else value

    return change


def parquet(
    change: Callable[[pa.Table], pa.Table],
) -> Callable[[list[Row], Path], tuple[str, bytes]]:
    def build(rows: list[Row], root: Path) -> tuple[str, bytes]:
        table = change(pa.Table.from_pylist(four(rows)))
        sink = io.BytesIO()
        pq.write_table(table, sink)
        return ".parquet", sink.getvalue()

    return build


def with_column(name: str, values: list[Any]) -> Callable[[pa.Table], pa.Table]:
    return lambda t: t.append_column(name, pa.array(values))


def raw(suffix: str, content: bytes) -> Callable[[list[Row], Path], tuple[str, bytes]]:
    return lambda rows, root: (suffix, content)


def image_path(
    index: int, value: Callable[[Path, str], str] | str
) -> Callable[[list[Row], Path], tuple[str, bytes]]:
    """Rows whose image column names each real file; row ``index`` gets ``value``."""

    def build(rows: list[Row], root: Path) -> tuple[str, bytes]:
        chosen = [{**r, "image": f"{r['image_id']}.jpg"} for r in four(rows)]
        own = chosen[index]["image"]
        chosen[index]["image"] = value(root, own) if callable(value) else value
        return ".csv", csv_bytes(chosen)

    return build


def _rowid_and_duplicate(lines: list[Any]) -> None:
    for i, row in enumerate(lines):
        row["rowid"] = 9 - i
    lines[3]["id"] = lines[1]["id"]


IMAGE_COLUMN = {"image_template": None, "columns": {"image": "image"}}


def dup_with(column: str) -> Callable[[list[Row], Path], tuple[str, bytes]]:
    """A user column named like an internal row number, descending, and a duplicate id."""

    def build(rows: list[Row], root: Path) -> tuple[str, bytes]:
        chosen = [{column: str(100 - i), **r} for i, r in enumerate(four(rows))]
        chosen[3]["id"] = chosen[1]["id"]
        return ".csv", csv_bytes(chosen)

    return build


# --- The catalogue corpus ------------------------------------------------------------------------

CATALOGUE: dict[str, Case] = {
    # CSV framing and quoting
    "csv unclosed quote among 40 well-quoted rows": Case(
        spoil_record(20, unclosed, n=41, quoting=csv.QUOTE_ALL),
        [(21, "malformed_quoting")],
        n_rows=41,
    ),
    "csv unclosed quote, minimal quoting": Case(
        spoil_record(2, unclosed), [(3, "malformed_quoting")]
    ),
    "csv unclosed quote in the last row": Case(
        spoil_record(3, unclosed), [(4, "malformed_quoting")]
    ),
    "csv row over 2 MB first": Case(
        spoil_csv(setter(0, title="word " * (BIG // 5))), [(1, "line_size_over_maximum")]
    ),
    "csv row over 2 MB deep": Case(
        spoil_csv(setter(3, description_text="w " * (BIG // 2))), [(4, "line_size_over_maximum")]
    ),
    "csv multi-line field over 2 MB": Case(
        spoil_csv(setter(2, description_text="a long line of text\n" * (BIG // 20))),
        [(3, "line_size_over_maximum")],
    ),
    # Python's csv writer leaves a carriage return bare when the line terminator is \n.
    "csv bare carriage return in a field": Case(spoil_csv(setter(1, title="two\rparts")), []),
    "csv column rowid": Case(dup_with("rowid"), [(4, "duplicate_id")]),
    "csv column ROWID": Case(dup_with("ROWID"), [(4, "duplicate_id")]),
    "csv column file_row_number": Case(dup_with("file_row_number"), [(4, "duplicate_id")]),
    "csv UTF-8 byte order mark": Case(
        lambda r, root: (".csv", b"\xef\xbb\xbf" + csv_bytes(four(r))), []
    ),
    "csv CRLF line ends": Case(lambda r, root: (".csv", csv_bytes(four(r), terminator="\r\n")), []),
    "csv old Mac line ends (bare CR)": Case(
        lambda r, root: (".csv", csv_bytes(four(r), quoting=csv.QUOTE_ALL).replace(b"\n", b"\r")),
        [],
    ),
    "csv semicolons": Case(lambda r, root: (".csv", csv_bytes(four(r), delimiter=";")), []),
    "tsv": Case(lambda r, root: (".tsv", csv_bytes(four(r), delimiter="\t")), []),
    "csv repeated header names": Case(
        lambda r, root: (
            ".csv",
            csv_bytes([{**x, "extra": "?"} for x in four(r)], header=[*COLUMNS, "title"]),
        ),
        [],
    ),
    "csv empty header name": Case(
        lambda r, root: (".csv", csv_bytes([{**x, "": "?"} for x in four(r)])), []
    ),
    "csv white space only": Case(
        raw(".csv", b" \n\t\r\n  \n"), error="empty file (only white space)"
    ),
    "csv header only": Case(
        lambda r, root: (".csv", csv_bytes(four(r)).split(b"\n")[0] + b"\n"), [], n_rows=0
    ),
    "csv invalid UTF-8": Case(
        spoil_record(2, lambda b, r: b.replace(b",", b",\xff\xfe", 1)), [(3, "invalid_encoding")]
    ),
    "csv NUL byte in a title": Case(spoil_csv(setter(2, title="nul\x00here")), []),
    "csv too many columns": Case(
        spoil_record(2, lambda b, r: b[:-1] + b",extra\n"), [(3, "too_many_columns")]
    ),
    "csv missing columns": Case(
        spoil_record(2, lambda b, r: b.split(b",")[0] + b",x\n"), [(3, "missing_columns")]
    ),
    "csv quote inside an unquoted field": Case(
        spoil_record(
            2,
            lambda b, r: (
                f'{r["id"]},Shirt 5" wide,{r["brand"]},plain,{r["article_type"]},{r["image_id"]}\n'
            ).encode(),
        ),
        [],
    ),
    "csv backslash-escaped quote": Case(
        spoil_record(
            2, lambda b, r: f'{r["id"]},"say \\"hi\\" now",b,c,d,{r["image_id"]}\n'.encode()
        ),
        [(3, "malformed_quoting")],
    ),
    "csv a row of delimiters": Case(spoil_record(2, lambda b, r: b",,,,,\n"), [(3, "missing_id")]),
    "csv blank and white-space lines between rows": Case(
        spoil_record(1, lambda b, r: b + b"   \n\n"), [], n_rows=4
    ),
    "csv binary file": Case(raw(".csv", bytes(range(256)) * 4), error="not a readable CSV file"),
    "csv 1 MB field is fine": Case(spoil_csv(setter(1, description_text="fine " * 200_000)), []),
    "csv every row broken": Case(
        lambda r, root: (
            ".csv",
            b"".join(p if i == 0 else p[:-1] + b",x\n" for i, p in enumerate(records(four(r)))),
        ),
        [(n, "too_many_columns") for n in range(1, 5)],
    ),
    "csv script and HTML in text": Case(
        spoil_csv(setter(1, title="<script>alert(1)</script> <b>Shirt</b> &amp;")), []
    ),
    # JSON Lines
    "jsonl raw control byte": Case(
        jsonl(line(2, lambda r: json.dumps(r)[:-1].encode() + b', "note": "a\x01b"}')),
        [(3, "malformed_json")],
    ),
    "jsonl every control byte in one line": Case(
        jsonl(
            line(
                2,
                lambda r: (
                    json.dumps(r)[:-1].encode()
                    + b', "x": "'
                    + bytes(b for b in range(1, 32) if b != 10)
                    + b'"}'
                ),
            )
        ),
        [(3, "malformed_json")],
    ),
    "jsonl valid line over 2 MB": Case(
        jsonl(line(2, lambda r: {**r, "description_text": "w " * (BIG // 2)})),
        [(3, "line_size_over_maximum")],
    ),
    "jsonl invalid UTF-8": Case(
        jsonl(
            line(
                2, lambda r: json.dumps(r).encode().replace(b'"title": "', b'"title": "\xc3\x28', 1)
            )
        ),
        [(3, "invalid_encoding")],
    ),
    "jsonl array line": Case(jsonl(line(2, [1, 2])), [(3, "not_an_object")]),
    "jsonl scalar line": Case(jsonl(line(2, 42)), [(3, "not_an_object")]),
    "jsonl null line": Case(jsonl(line(2, None)), [(3, "not_an_object")]),
    "jsonl truncated object": Case(
        jsonl(line(2, b'{"id": "x", "title": ')), [(3, "malformed_json")]
    ),
    "jsonl deeply nested value": Case(
        jsonl(
            line(
                2,
                lambda r: (
                    json.dumps(r)[:-1].encode() + b', "deep": ' + b"[" * 3000 + b"]" * 3000 + b"}"
                ),
            )
        ),
        [],
    ),
    "jsonl duplicate keys": Case(
        jsonl(line(2, lambda r: json.dumps(r)[:-1].encode() + b', "id": "other"}')), []
    ),
    "jsonl lone surrogate escape": Case(
        jsonl(line(2, lambda r: {**r, "title": "\ud800"})), [(3, "malformed_json")]
    ),
    "jsonl byte order mark": Case(
        lambda r, root: (".jsonl", b"\xef\xbb\xbf" + jsonl(line(0, r[0]))(r, root)[1]), []
    ),
    "jsonl CRLF line ends": Case(
        lambda r, root: (".jsonl", jsonl(line(0, r[0]))(r, root)[1].replace(b"\n", b"\r\n")), []
    ),
    "jsonl key rowid": Case(jsonl(_rowid_and_duplicate), [(4, "duplicate_id")]),
    "jsonl white space only": Case(
        raw(".jsonl", b"\n \n\t\n"), error="empty file (only white space)"
    ),
    "jsonl escaped NUL in a title": Case(jsonl(line(2, lambda r: {**r, "title": "a\u0000b"})), []),
    # Parquet
    "parquet column file_row_number": Case(
        parquet(with_column("file_row_number", [9, 8, 7, 6])), []
    ),
    "parquet column ROWID and a duplicate id": Case(
        parquet(
            lambda t: with_column("ROWID", [4, 3, 2, 1])(
                t.set_column(
                    0,
                    "id",
                    pa.array(
                        [
                            t["id"][0].as_py(),
                            t["id"][1].as_py(),
                            t["id"][2].as_py(),
                            t["id"][1].as_py(),
                        ]
                    ),
                )
            )
        ),
        [(4, "duplicate_id")],
    ),
    "parquet column ordinality": Case(parquet(with_column("ordinality", ["a", "b", "c", "d"])), []),
    "parquet integer ids": Case(
        parquet(
            lambda t: t.set_column(
                0,
                "id",
                pa.array([int(v.lstrip("h").replace("_", "")) for v in t["id"].to_pylist()]),
            )
        ),
        [],
    ),
    "parquet null ids": Case(
        parquet(lambda t: t.set_column(0, "id", pa.nulls(4, pa.string()))),
        [(n, "missing_id") for n in range(1, 5)],
    ),
    # Ids
    "id with a zero-width space": Case(
        spoil_csv(lambda rs: rs[2].update(id=rs[2]["id"] + "\u200b")), [(3, "invalid_id_character")]
    ),
    "id with a byte order mark inside": Case(
        spoil_csv(lambda rs: rs[2].update(id="A\ufeff" + rs[2]["id"])),
        [(3, "invalid_id_character")],
    ),
    "ids equal after NFC": Case(
        spoil_csv(lambda rs: (rs[1].update(id="caf\u00e9"), rs[3].update(id="cafe\u0301"))),
        [(4, "duplicate_id")],
    ),
    "id with a no-break space inside": Case(
        spoil_csv(lambda rs: rs[2].update(id="A\u00a0B")), [(3, "invalid_id_character")]
    ),
    "id with a right-to-left override": Case(
        spoil_csv(lambda rs: rs[2].update(id="\u202eAB")), [(3, "invalid_id_character")]
    ),
    "id with a bell control": Case(
        spoil_csv(lambda rs: rs[2].update(id="A\x07B")), [(3, "invalid_id_character")]
    ),
    "id with a soft hyphen": Case(
        spoil_csv(lambda rs: rs[2].update(id="A\u00adB")), [(3, "invalid_id_character")]
    ),
    "id wrapped in ideographic spaces": Case(
        spoil_csv(lambda rs: rs[2].update(id="\u3000" + rs[2]["id"] + "\u3000")), []
    ),
    "id empty": Case(spoil_csv(setter(2, id="")), [(3, "missing_id")]),
    "id of 10,000 characters": Case(spoil_csv(setter(2, id="9" * 10_000)), []),
    "id is a JSON object": Case(
        jsonl(line(2, lambda r: {**r, "id": {"v": 1}})), [(3, "invalid_id")]
    ),
    "template value climbing out": Case(
        spoil_csv(setter(2, image_id="../../../../etc/passwd")), [(3, "image_outside_root")]
    ),
    "template value absolute": Case(
        spoil_csv(setter(2, image_id="/etc/shadow")), [(3, "image_outside_root")]
    ),
    "template value with a dot-dot inside": Case(
        spoil_csv(setter(2, image_id="a/../b")), [(3, "image_outside_root")]
    ),
    "template value empty": Case(spoil_csv(setter(2, image_id="")), [(3, "no_image")]),
    # Image paths from a column
    "image path climbing out": Case(
        image_path(2, "../../../etc/passwd"), [(3, "image_outside_root")], options=IMAGE_COLUMN
    ),
    "image path /etc/shadow": Case(
        image_path(2, "/etc/shadow"), [(3, "image_outside_root")], options=IMAGE_COLUMN
    ),
    "image path a link out of the root": Case(
        image_path(2, "link_out.jpg"), [(3, "image_outside_root")], options=IMAGE_COLUMN
    ),
    "image path absolute inside the root": Case(
        image_path(2, lambda root, own: str(root / own)), [], options=IMAGE_COLUMN
    ),
    "image path a folder": Case(
        image_path(2, "folder.jpg"), [(3, "image_not_a_file")], options=IMAGE_COLUMN
    ),
    "image path a FIFO": Case(
        image_path(2, "pipe.jpg"), [(3, "image_not_a_file")], options=IMAGE_COLUMN
    ),
    "image path with NUL": Case(
        image_path(2, "a\x00b.jpg"), [(3, "image_missing")], options=IMAGE_COLUMN
    ),
    "image path a link loop": Case(
        image_path(2, "loop_a.jpg"), [(3, "image_missing")], options=IMAGE_COLUMN
    ),
    "image path of 5,000 characters": Case(
        image_path(2, "x" * 5000), [(3, "image_missing")], options=IMAGE_COLUMN
    ),
    "image path with a tilde": Case(
        image_path(2, "~/.ssh/id_rsa"), [(3, "image_missing")], options=IMAGE_COLUMN
    ),
    "image path a file URL": Case(
        image_path(2, "file:///etc/passwd"), [(3, "image_missing")], options=IMAGE_COLUMN
    ),
}


@pytest.mark.parametrize("name", list(CATALOGUE), ids=list(CATALOGUE))
def test_hostile_catalogue(
    name: str,
    shared_con: duckdb.DuckDBPyConnection,
    real_rows: list[Row],
    images_root: Path,
    tmp_path: Path,
) -> None:
    case = CATALOGUE[name]
    number = list(CATALOGUE).index(name)
    rows = [{**r, "id": f"h{number}_{r['id']}"} for r in real_rows]
    suffix, content = case.build(rows, images_root)
    path = tmp_path / f"case{number}{suffix}"
    path.write_bytes(content)
    config = base_config(
        images_root, **{k: (dict(v) if isinstance(v, dict) else v) for k, v in case.options.items()}
    )
    if case.error:
        with pytest.raises(InputError) as info:
            run_ingest(shared_con, path, config)
        assert case.error in str(info.value) and "\n" not in str(info.value)
        return
    summary = run_ingest(shared_con, path, config)
    source = str(path.resolve())
    n_rows = case.n_rows if case.n_rows is not None else 4
    accepted, rejected = shared_con.execute(
        "SELECT (SELECT count(*) FROM products WHERE source = $s), "
        "(SELECT count(*) FROM product_rejects WHERE source = $s)",
        {"s": source},
    ).fetchall()[0]
    assert accepted + rejected == summary["n_rows"] == n_rows, summary
    found = shared_con.execute(
        "SELECT source_row, reason FROM product_rejects WHERE source = ? ORDER BY source_row",
        [source],
    ).fetchall()
    if case.rejects is not None:
        assert found == case.rejects, summary
    details = shared_con.execute(
        "SELECT detail FROM product_rejects WHERE source = ?", [source]
    ).fetchall()
    assert all(d and "\n" not in d[0][:200] for (d,) in [(r,) for r in details])
    assert shared_con.execute(
        "SELECT count(*) FROM products WHERE source = ? AND image_path IS NOT NULL "
        "AND NOT starts_with(image_path, ?)",
        [source, str(images_root) + "/"],
    ).fetchall() == [(0,)]


def test_corpus_size() -> None:
    assert len(CATALOGUE) + len(IMAGES) + len(TEXTS) >= 60


# --- Odd image files: an RGB image or a one-line ImageLoadError, nothing else -----------------


def _png(
    width: int, height: int, depth: int, colour: int, raw_rows: bytes, crc_ok: bool = True
) -> bytes:
    def chunk(tag: bytes, data: bytes, ok: bool = True) -> bytes:
        crc = zlib.crc32(tag + data) if ok else 0
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw_rows), crc_ok)
        + chunk(b"IEND", b"")
    )


def _save(
    array: np.ndarray, suffix: str, mode: str | None = None, **kw: Any
) -> Callable[[np.ndarray], tuple[str, bytes]]:
    def build(photo: np.ndarray) -> tuple[str, bytes]:
        out = io.BytesIO()
        Image.fromarray(array if array.size else photo, mode=mode).save(out, format=suffix, **kw)
        return suffix, out.getvalue()

    return build


IMAGES: dict[str, Callable[[np.ndarray], tuple[str, bytes]]] = {
    "1x1 pixel": lambda p: _save(p[:1, :1], "PNG")(p),
    "1x3000 strip": lambda p: _save(np.repeat(p[:1, :1], 3000, axis=1), "PNG")(p),
    "truncated PNG": lambda p: ("PNG", _save(p, "PNG")(p)[1][:300]),
    "truncated JPEG": lambda p: ("JPEG", _save(p, "JPEG")(p)[1][:500]),
    "bad PNG checksum": lambda p: ("PNG", _png(4, 4, 8, 0, b"\x00" * 20, crc_ok=False)),
    "header claims 100000 x 100000": lambda p: ("PNG", _png(100_000, 100_000, 8, 0, b"\x00" * 8)),
    "zero bytes": lambda p: ("JPEG", b""),
    "HTML named .jpg": lambda p: ("JPEG", b"<html><body>404 Not Found</body></html>"),
    "float image with NaN": lambda p: _save(
        np.where(p[..., 0] > 128, np.nan, p[..., 0]).astype(np.float32), "TIFF", "F"
    )(p),
    "32-bit image with negative values": lambda p: _save(
        (p[..., 0].astype(np.int32) - 128) * 1000, "TIFF", "I"
    )(p),
    "16-bit RGB PNG": lambda p: (
        "PNG",
        _png(
            p.shape[1],
            p.shape[0],
            16,
            2,
            b"".join(b"\x00" + (row.astype(">u2") * 257).tobytes() for row in p),
        ),
    ),
    "animated GIF": lambda p: ("GIF", _gif(p)),
    "1-bit image": lambda p: _save(p[..., 0] > 128, "PNG")(p),
    "LA grayscale with alpha": lambda p: _save(np.dstack([p[..., 0], p[..., 1]]), "PNG", "LA")(p),
}


def _gif(photo: np.ndarray) -> bytes:
    out = io.BytesIO()
    frames = [Image.fromarray(photo), Image.fromarray(255 - photo)]
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    return out.getvalue()


@pytest.fixture(scope="module")
def photo(sample: Path, real_rows: list[Row]) -> np.ndarray:
    with Image.open(sample / "images" / f"{real_rows[0]['image_id']}.jpg") as image:
        return np.asarray(image.convert("RGB"))


@pytest.mark.parametrize("name", list(IMAGES), ids=list(IMAGES))
def test_hostile_image(name: str, photo: np.ndarray, tmp_path: Path) -> None:
    kind, content = IMAGES[name](photo)
    path = tmp_path / f"odd.{kind.lower()}"
    path.write_bytes(content)
    try:
        image = load_rgb(path, real_path_only=True)
    except ImageLoadError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
    else:
        assert image.mode == "RGB" and image.width * image.height > 0


# --- Odd text through the text stage ------------------------------------------------------

TEXTS: dict[str, str] = {
    "emoji only": "👗👠✨🔥",
    "right-to-left script": "فستان أحمر جميل \u200f مع أكمام",
    "stacked combining marks": "re\u0301\u0301\u0301d dre\u0308\u0308ss " * 20,
    "over the tagger's piece size": "A lovely red dress with long sleeves. " * 300,
    "punctuation only": "!!! ??? ... --- ;;; ,,,",
    "Japanese": "赤いワンピース、長袖でかわいい。",
    "control characters": "red\x00dress\x07with\x1bbells\x0b",
    "HTML and entities": "<p>Soft &amp; <b>warm</b> knit</p><script>x()</script>",
    "one word longer than a piece": "x" * 12_000,
    "zero-width joiners in words": "bl\u200dack str\u200cipe\u2060d shirt",
}


def test_hostile_text_is_tokenised_without_error(
    real_rows: list[Row], images_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    empty_db: Path,
) -> None:
    """The tagger's piece size is lowered to 5,000 characters so long lines are cut here
    as a 100,000+ character line is (``line_pieces``; tests/test_text_chunking.py runs it at
    full size without the tagger)."""
    from attrdb.text import english
    from attrdb.text.tokenize import run_text

    monkeypatch.setattr(english, "_MAX_DOC_CHARS", 5_000)

    rows = [
        {**real_rows[i], "id": f"t{i}", "description_text": text}
        for i, text in enumerate(TEXTS.values())
    ]
    path = tmp_path / "texts.csv"
    path.write_bytes(csv_bytes(rows))
    con = memory_copy(empty_db)
    assert run_ingest(con, path, base_config(images_root))["n_accepted"] == len(TEXTS)
    summary = run_text(con, lang="en", progress=False)
    assert summary["products_total"] == len(TEXTS)
    long_words = {
        w
        for (w,) in con.execute(
            "SELECT DISTINCT word FROM tokens WHERE product_id = 't3' AND field = 'description'"
        ).fetchall()
    }
    assert long_words <= {"a", "lovely", "red", "dress", "with", "long", "sleeves", "."}
    con.close()
