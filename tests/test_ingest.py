"""Ingestion: every input row accepted or rejected with its reason, whole-file errors atomic.

Catalogues here are built from real rows of the bundled sample (their images exist under
``attrdb/sample/images``), with one row corrupted at a time.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from attrdb.connection import connect
from attrdb.errors import InputError
from attrdb.ingest import run_ingest
from attrdb.ingest_config import IngestConfig, load_config, sample_config
from tests.conftest import memory_copy

COLUMNS = ["id", "title", "brand", "description_text", "article_type", "base_colour"]
Row = dict[str, Any]


@pytest.fixture(scope="module")
def sample_rows(sample: Path) -> list[Row]:
    """Six real sample listings (text with newlines, quotes, commas; images on disk)."""
    con = duckdb.connect()
    rows = con.execute(
        "SELECT CAST(id AS VARCHAR), title, brand, description_text, article_type, base_colour "
        "FROM read_parquet(?) ORDER BY id LIMIT 6",
        [str(sample / "products.parquet")],
    ).fetchall()
    con.close()
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def mapping(sample: Path, **options: Any) -> IngestConfig:
    """The sample mapping for a CSV/JSONL built from sample rows."""
    settings: dict[str, Any] = {
        "columns": {
            "id": "id",
            "shop": "brand",
            "title": "title",
            "description": "description_text",
            "category": "article_type",
        },
        "image_template": "{id}.jpg",
        "images_root": sample / "images",
        "metadata_columns": ("base_colour",),
    }
    settings.update(options)
    return IngestConfig(**settings)


def csv_text(rows: list[Row], columns: list[str] | None = None) -> str:
    columns = columns or list(rows[0])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c) for c in columns])
    return out.getvalue()


def csv_lines(rows: list[Row]) -> list[str]:
    """One string per CSV record (multi-line quoted records included), header first."""
    columns = list(rows[0])
    records = []
    for row in [dict(zip(columns, columns, strict=True)), *rows]:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([row.get(c) for c in columns])
        records.append(out.getvalue())
    return records


def jsonl_text(rows: list[Any]) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)


def state(con: duckdb.DuckDBPyConnection) -> tuple[list[Any], list[Any], list[Any]]:
    """Everything ingestion writes, for 'nothing else changed' comparisons."""
    return (
        con.execute(
            "SELECT product_id, shop, title, description, category, image_path, tags, "
            "metadata, source, source_row FROM products ORDER BY product_id"
        ).fetchall(),
        con.execute(
            "SELECT source, source_row, product_id, raw, reason, detail FROM product_rejects "
            "ORDER BY source, source_row"
        ).fetchall(),
        con.execute(
            "SELECT * EXCLUDE (ingested_at) FROM ingest_sources ORDER BY sha256"
        ).fetchall(),
    )


def rejects(con: duckdb.DuckDBPyConnection, path: Path) -> list[tuple[int, str]]:
    return con.execute(
        "SELECT source_row, reason FROM product_rejects WHERE source = ? ORDER BY source_row",
        [str(path.resolve())],
    ).fetchall()


def product_ids(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT product_id FROM products WHERE source = ? ORDER BY source_row",
            [str(path.resolve())],
        ).fetchall()
    ]


def assert_accounted(con: duckdb.DuckDBPyConnection, path: Path, n_rows: int) -> None:
    """Input rows = products + rejects, in the tables and in ingest_sources."""
    source = str(path.resolve())
    accepted, rejected = con.execute(
        "SELECT (SELECT count(*) FROM products WHERE source = $s), "
        "(SELECT count(*) FROM product_rejects WHERE source = $s)",
        {"s": source},
    ).fetchall()[0]
    assert accepted + rejected == n_rows
    recorded = con.execute(
        "SELECT n_rows, n_accepted, n_rejected FROM ingest_sources WHERE source = ?", [source]
    ).fetchall()
    assert recorded == [(n_rows, accepted, rejected)]


# --- The bundled sample -----------------------------------------------------------------


def test_sample_parquet_ingests_every_listing(con: duckdb.DuckDBPyConnection, sample: Path) -> None:
    summary = run_ingest(con, config=sample_config())
    assert summary["n_rows"] == summary["n_accepted"] == 949
    assert summary["outcomes"] == {"accepted": 949}
    n, shops, with_image = con.execute(
        "SELECT count(*), count(DISTINCT shop), count(image_path) FROM products"
    ).fetchall()[0]
    assert (n, shops, with_image) == (949, 8, 949)
    paths = [Path(r[0]) for r in con.execute("SELECT image_path FROM products").fetchall()]
    assert all(p.is_absolute() and p.is_file() and p.parent == sample / "images" for p in paths)
    row = con.execute(
        "SELECT shop, category, metadata, source_row FROM products WHERE product_id = '10184'"
    ).fetchall()[0]
    metadata = json.loads(row[2])
    assert (row[0], row[1]) == ("Indigo Nation", "Shirts")
    assert list(metadata) == [
        "base_colour",
        "article_type",
        "master_category",
        "gender",
        "article_attributes",
        "colour1",
    ]
    assert metadata["base_colour"] == "White" and "Striped" in metadata["article_attributes"]
    assert row[3] == 2  # second row of the Parquet file
    assert_accounted(con, sample / "products.parquet", 949)
    status, params = con.execute(
        "SELECT status, params FROM runs WHERE stage = 'ingest'"
    ).fetchall()[0]
    assert status == "ok" and json.loads(params)["image_template"] == "{id}.jpg"


def test_same_bytes_again_add_nothing(
    con: duckdb.DuckDBPyConnection, sample: Path, tmp_path: Path
) -> None:
    run_ingest(con, config=sample_config())
    before = state(con)
    again = run_ingest(con, config=sample_config())
    copy = tmp_path / "renamed.parquet"
    shutil.copy(sample / "products.parquet", copy)
    renamed = run_ingest(con, copy, sample_config())
    assert again["already_ingested"] and renamed["already_ingested"]
    assert "nothing added" in renamed["message"] and again["n_accepted"] == 0
    assert state(con) == before
    assert [r[0] for r in con.execute("SELECT status FROM runs ORDER BY run_id").fetchall()] == [
        "ok"
    ] * 3


# --- One bad row at a time ----------------------------------------------------------------

# Each case writes a catalogue from the six sample rows with data row / line 4 spoiled and
# returns (file name, content, config options); the row must be rejected for `reason`.
Case = Callable[[list[Row]], tuple[str, str | bytes, dict[str, Any]]]


def _csv_with(change: Callable[[Row], None]) -> Case:
    def build(rows: list[Row]) -> tuple[str, str | bytes, dict[str, Any]]:
        rows = [dict(r) for r in rows]
        change(rows[3])
        return "bad.csv", csv_text(rows), {}

    return build


def _csv_record(replace: Callable[[str], str | bytes]) -> Case:
    def build(rows: list[Row]) -> tuple[str, str | bytes, dict[str, Any]]:
        records = csv_lines(rows)
        parts = [r.encode() for r in records]
        spoiled = replace(records[4])
        parts[4] = spoiled if isinstance(spoiled, bytes) else spoiled.encode()
        return "bad.csv", b"".join(parts), {}

    return build


def _jsonl_with(line4: Callable[[Row], Any], **options: Any) -> Case:
    def build(rows: list[Row]) -> tuple[str, str | bytes, dict[str, Any]]:
        lines: list[Any] = [dict(r) for r in rows]
        lines[3] = line4(dict(rows[3]))
        text = jsonl_text(lines)
        return "bad.jsonl", text.encode() if isinstance(text, str) else text, options

    return build


def _set(**values: Any) -> Callable[[Row], None]:
    return lambda row: row.update(values)


def _with(row: Row, **values: Any) -> Row:
    row.update(values)
    return row


def _duplicate_id(rows: list[Row]) -> tuple[str, str | bytes, dict[str, Any]]:
    rows = [dict(r) for r in rows]
    rows[3]["id"] = rows[0]["id"]
    return "bad.csv", csv_text(rows), {}


def _image_directory(rows: list[Row]) -> tuple[str, str | bytes, dict[str, Any]]:
    rows = [dict(r, image=f"{r['id']}.jpg") for r in rows]
    rows[3]["image"] = "."  # the images root itself: a folder
    return (
        "bad.csv",
        csv_text(rows),
        {
            "image_template": None,
            "columns": {
                "id": "id",
                "shop": "brand",
                "title": "title",
                "description": "description_text",
                "category": "article_type",
                "image": "image",
            },
        },
    )


def _jsonl_invalid_utf8(rows: list[Row]) -> tuple[str, str | bytes, dict[str, Any]]:
    lines = jsonl_text(list(rows)).encode().split(b"\n")
    lines[3] = lines[3].replace(b'"title": "', b'"title": "\xff\xfe', 1)
    return "bad.jsonl", b"\n".join(lines), {}


BAD_ROWS: dict[str, tuple[Case, str]] = {
    "missing id": (_csv_with(_set(id="")), "missing_id"),
    "blank id": (_csv_with(_set(id="   ")), "missing_id"),
    "duplicate id within file": (_duplicate_id, "duplicate_id"),
    "image missing": (_csv_with(_set(id="990000001")), "image_missing"),
    "image path is a directory": (_image_directory, "image_not_a_file"),
    "no text at all": (_csv_with(_set(title="", description_text=" \n ")), "no_text"),
    "invalid UTF-8 bytes": (
        _csv_record(lambda rec: rec.encode().replace(b",", b",\xff\xfe", 1)),
        "invalid_encoding",
    ),
    "too many columns": (_csv_record(lambda rec: rec[:-1] + ",surplus\n"), "too_many_columns"),
    "too few columns": (
        _csv_record(lambda rec: ",".join(rec.split(",")[:2]) + "\n"),
        "missing_columns",
    ),
    "malformed JSON line": (_jsonl_with(lambda r: '{"id": "1", "title": '), "malformed_json"),
    "JSON line not an object": (_jsonl_with(lambda r: [r["id"], r["title"]]), "not_an_object"),
    "invalid UTF-8 in JSON line": (_jsonl_invalid_utf8, "invalid_encoding"),
    "id is an object": (_jsonl_with(lambda r: _with(r, id={"v": r["id"]})), "invalid_id"),
    "tags not a list": (
        _jsonl_with(lambda r: _with(r, tags={"colour": "red"}), columns={"tags": "tags"}),
        "tags_not_a_list",
    ),
    "tags a string in JSON": (
        _jsonl_with(lambda r: _with(r, tags="red, striped"), columns={"tags": "tags"}),
        "tags_not_a_list",
    ),
    "tags a list of lists": (
        _jsonl_with(lambda r: _with(r, tags=[["red"]]), columns={"tags": "tags"}),
        "tags_not_a_list",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS), ids=list(BAD_ROWS))
def test_bad_row_is_rejected_with_its_reason_and_nothing_else_changes(
    case: str, sample_rows: list[Row], sample: Path, tmp_path: Path, empty_db: Path
) -> None:
    build, reason = BAD_ROWS[case]
    name, content, options = build(sample_rows)
    columns = dict(mapping(sample).columns)
    columns.update(options.pop("columns", {}))
    config = mapping(sample, columns=columns, **options)
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    con = memory_copy(empty_db)
    summary = run_ingest(con, path, config)
    assert rejects(con, path) == [(4, reason)], summary
    good = [r["id"] for i, r in enumerate(sample_rows) if i != 3]
    assert product_ids(con, path) == good
    assert summary["outcomes"] == {"accepted": 5, reason: 1}
    assert_accounted(con, path, 6)
    raw, detail = con.execute("SELECT raw, detail FROM product_rejects").fetchall()[0]
    assert raw and detail
    if reason == "duplicate_id":
        assert detail == "same id as row 1"
    if reason in ("image_missing", "image_not_a_file"):
        assert str(sample / "images") in detail
    # Accepted rows keep their text, mapping and metadata exactly.
    title, description, metadata = con.execute(
        "SELECT title, description, metadata FROM products WHERE product_id = ?", [good[-1]]
    ).fetchall()[0]
    assert (title, description) == (
        sample_rows[-1]["title"].strip(),
        sample_rows[-1]["description_text"].strip(),
    )
    assert json.loads(metadata) == {"base_colour": sample_rows[-1]["base_colour"]}
    con.close()


def test_id_already_in_products_is_rejected(
    con: duckdb.DuckDBPyConnection, sample_rows: list[Row], sample: Path, tmp_path: Path
) -> None:
    first = tmp_path / "first.csv"
    first.write_text(csv_text(sample_rows[3:4]))
    run_ingest(con, first, mapping(sample))
    before = state(con)
    second = tmp_path / "second.csv"
    second.write_text(csv_text(sample_rows))
    run_ingest(con, second, mapping(sample))
    assert rejects(con, second) == [(4, "id_in_products")]
    detail = con.execute("SELECT detail FROM product_rejects").fetchall()[0][0]
    assert detail == f"already in products from {first.resolve()} row 1"
    assert product_ids(con, second) == [r["id"] for i, r in enumerate(sample_rows) if i != 3]
    assert state(con)[0][3] == before[0][0]  # the earlier copy of the id is untouched
    assert_accounted(con, second, 6)


def test_first_acceptable_copy_of_a_duplicate_id_wins(
    con: duckdb.DuckDBPyConnection, sample_rows: list[Row], sample: Path, tmp_path: Path
) -> None:
    rows = [dict(r) for r in sample_rows]
    rows.insert(0, dict(rows[2], title="", description_text=""))  # a textless copy first
    path = tmp_path / "dup.csv"
    path.write_text(csv_text(rows))
    run_ingest(con, path, mapping(sample))
    assert rejects(con, path) == [(1, "no_text")]
    assert con.execute(
        "SELECT source_row FROM products WHERE product_id = ?", [rows[3]["id"]]
    ).fetchall() == [(4,)]


def test_text_only_listings_need_the_flag(
    sample_rows: list[Row], sample: Path, tmp_path: Path, empty_db: Path
) -> None:
    rows = [dict(r) for r in sample_rows]
    rows[1]["id"] = "990000002"
    path = tmp_path / "text_only.csv"
    path.write_text(csv_text(rows))
    strict = memory_copy(empty_db)
    assert run_ingest(strict, path, mapping(sample))["outcomes"] == {
        "accepted": 5,
        "image_missing": 1,
    }
    lenient = memory_copy(empty_db)
    summary = run_ingest(lenient, path, mapping(sample, allow_text_only=True))
    assert summary["outcomes"] == {"accepted": 5, "accepted_text_only": 1}
    assert lenient.execute(
        "SELECT product_id FROM products WHERE image_path IS NULL"
    ).fetchall() == [("990000002",)]
    assert_accounted(lenient, path, 6)
    strict.close()
    lenient.close()


def test_every_kind_of_bad_row_at_once(
    sample_rows: list[Row], sample: Path, tmp_path: Path, empty_db: Path
) -> None:
    rows = [dict(r) for r in sample_rows] * 2  # rows 7-12 repeat the ids of rows 1-6
    rows[0] = dict(rows[0], id="")
    rows[1] = dict(rows[1], id="990000003")
    rows[2] = dict(rows[2], title=None, description_text=None)
    path = tmp_path / "mixed.csv"
    records = [r.encode() for r in csv_lines(rows)]
    records[5] = records[5].replace(b",", b",\xff", 1)  # row 5: undecodable
    records[6] = records[6][:-1] + b",x\n"  # row 6: one field too many
    path.write_bytes(b"".join(records))
    con = memory_copy(empty_db)
    run_ingest(con, path, mapping(sample))
    assert rejects(con, path) == [
        (1, "missing_id"),
        (2, "image_missing"),
        (3, "no_text"),
        (5, "invalid_encoding"),
        (6, "too_many_columns"),
        (10, "duplicate_id"),
    ]
    # Row 4 is accepted; rows 7-9 and 11-12 are the first acceptable copies of their ids.
    assert product_ids(con, path) == [rows[i]["id"] for i in (3, 6, 7, 8, 10, 11)]
    assert_accounted(con, path, 12)
    con.close()


# --- Row numbers ------------------------------------------------------------------------


def test_csv_row_numbers_count_multiline_records_once_and_blank_lines(
    con: duckdb.DuckDBPyConnection, sample_rows: list[Row], sample: Path, tmp_path: Path
) -> None:
    records = [r.encode() for r in csv_lines(sample_rows)]
    assert all(b"\n" in r[:-1] for r in records[1:])  # sample descriptions span lines
    records[3] = records[3][:-1] + b",surplus\n"
    content = (
        records[0] + records[1] + b"\n" + records[2] + records[3] + b"\n\n" + b"".join(records[4:])
    )
    path = tmp_path / "blank_lines.csv"
    path.write_bytes(content)
    run_ingest(con, path, mapping(sample))
    # Records: 1, blank, 3, 4 (rejected), blank, blank, 7, 8, 9.
    assert rejects(con, path) == [(4, "too_many_columns")]
    assert con.execute(
        "SELECT product_id, source_row FROM products ORDER BY source_row"
    ).fetchall() == [(sample_rows[i]["id"], n) for i, n in ((0, 1), (1, 3), (3, 7), (4, 8), (5, 9))]
    assert_accounted(con, path, 6)


def test_csv_row_numbers_without_blank_lines(
    con: duckdb.DuckDBPyConnection, sample_rows: list[Row], sample: Path, tmp_path: Path
) -> None:
    records = [r.encode() for r in csv_lines(sample_rows)]
    records[2] = records[2][:-1] + b",surplus\n"
    path = tmp_path / "dense.csv"
    path.write_bytes(b"".join(records))
    run_ingest(con, path, mapping(sample))
    assert rejects(con, path) == [(2, "too_many_columns")]
    assert [
        r[0] for r in con.execute("SELECT source_row FROM products ORDER BY source_row").fetchall()
    ] == [1, 3, 4, 5, 6]


def test_jsonl_rows_are_line_numbers_and_blank_lines_are_not_rows(
    con: duckdb.DuckDBPyConnection, sample_rows: list[Row], sample: Path, tmp_path: Path
) -> None:
    text = (
        jsonl_text(sample_rows[:2]) + "\n   \n" + jsonl_text(["{oops", *sample_rows[2:4]]) + "\r\n"
    )
    path = tmp_path / "blank.jsonl"
    path.write_text(text)
    run_ingest(con, path, mapping(sample))
    assert rejects(con, path) == [(5, "malformed_json")]
    assert [
        r[0] for r in con.execute("SELECT source_row FROM products ORDER BY source_row").fetchall()
    ] == [1, 2, 6, 7]
    assert_accounted(con, path, 5)


# --- Tags, defaults, metadata -----------------------------------------------------------------


def test_tags_from_delimited_csv_json_lists_and_parquet_lists(
    sample_rows: list[Row], sample: Path, tmp_path: Path, empty_db: Path
) -> None:
    rows = [
        dict(r, tags=t)
        for r, t in zip(sample_rows[:3], ["red; striped ;", "", "blue"], strict=True)
    ]
    csv_path = tmp_path / "tags.csv"
    csv_path.write_text(csv_text(rows))
    jsonl_path = tmp_path / "tags.jsonl"
    jsonl_path.write_text(
        jsonl_text([dict(r, tags=[" red", "striped", "", 7]) for r in sample_rows[3:5]])
    )
    parquet_path = tmp_path / "tags.parquet"
    duckdb.sql(
        f"COPY (SELECT CAST(id AS VARCHAR) AS id, title, brand, description_text, article_type, "
        f"base_colour, ['linen', brand] AS tags FROM read_parquet('{sample / 'products.parquet'}') "
        f"ORDER BY id DESC LIMIT 2) TO '{parquet_path}' (FORMAT parquet)"
    )
    con = memory_copy(empty_db)
    columns = dict(mapping(sample).columns, tags="tags")
    run_ingest(con, csv_path, mapping(sample, columns=columns, tags_delimiter=";"))
    run_ingest(con, jsonl_path, mapping(sample, columns=columns))
    run_ingest(con, parquet_path, mapping(sample, columns=columns))
    tags = dict(con.execute("SELECT product_id, tags FROM products").fetchall())
    assert [tags[r["id"]] for r in sample_rows[:5]] == [
        ["red", "striped"],
        None,
        ["blue"],
        ["red", "striped", "7"],
        ["red", "striped", "7"],
    ]
    parquet_tags = con.execute(
        "SELECT tags, shop FROM products WHERE source = ?", [str(parquet_path)]
    ).fetchall()
    assert len(parquet_tags) == 2 and all(t == ["linen", shop] for t, shop in parquet_tags)
    con.close()


def test_string_tags_in_jsonl_are_split_when_a_delimiter_is_given(
    con: duckdb.DuckDBPyConnection, sample_rows: list[Row], sample: Path, tmp_path: Path
) -> None:
    path = tmp_path / "string_tags.jsonl"
    path.write_text(jsonl_text([dict(sample_rows[0], tags="red|striped")]))
    run_ingest(
        con,
        path,
        mapping(sample, columns=dict(mapping(sample).columns, tags="tags"), tags_delimiter="|"),
    )
    assert con.execute("SELECT tags FROM products").fetchall() == [(["red", "striped"],)]


def test_same_named_columns_need_no_mapping(
    con: duckdb.DuckDBPyConnection, sample_rows: list[Row], sample: Path, tmp_path: Path
) -> None:
    rows = [
        {
            "product_id": r["id"],
            "shop": r["brand"],
            "title": r["title"],
            "description": r["description_text"],
            "category": r["article_type"],
            "image_path": str(sample / "images" / f"{r['id']}.jpg"),
            "tags": "a,b",
        }
        for r in sample_rows[:2]
    ]
    path = tmp_path / "plain.csv"
    path.write_text(csv_text(rows))
    run_ingest(con, path, IngestConfig(images_root=sample / "images"))
    assert con.execute(
        "SELECT product_id, shop, category, image_path, tags, metadata FROM products "
        "ORDER BY source_row"
    ).fetchall() == [
        (r["product_id"], r["shop"], r["category"], r["image_path"], ["a", "b"], None) for r in rows
    ]


def test_metadata_keeps_values_verbatim_under_any_column_name(
    con: duckdb.DuckDBPyConnection, sample_rows: list[Row], sample: Path, tmp_path: Path
) -> None:
    rows = [
        dict(sample_rows[0], **{'size "EU"': 42, "fit": {"cut": "slim"}}),
        dict(sample_rows[1], **{'size "EU"': None}),
    ]
    path = tmp_path / "meta.jsonl"
    path.write_text(jsonl_text(rows))
    run_ingest(con, path, mapping(sample, metadata_columns=('size "EU"', "fit")))
    got = [
        json.loads(r[0])
        for r in con.execute("SELECT metadata FROM products ORDER BY source_row").fetchall()
    ]
    assert got == [{'size "EU"': 42, "fit": {"cut": "slim"}}, {'size "EU"': None, "fit": None}]


# --- Whole-file errors: one line naming the file, database unchanged ------------------------


def _not_csv(rows: list[Row], sample: Path, tmp: Path) -> tuple[Path, IngestConfig]:
    path = tmp / "binary.csv"
    path.write_bytes(bytes(range(256)) * 8)
    return path, mapping(sample)


def _empty(rows: list[Row], sample: Path, tmp: Path) -> tuple[Path, IngestConfig]:
    path = tmp / "empty.csv"
    path.write_bytes(b"")
    return path, mapping(sample)


def _wrong_id_column(rows: list[Row], sample: Path, tmp: Path) -> tuple[Path, IngestConfig]:
    path = tmp / "rows.csv"
    path.write_text(csv_text(rows))
    return path, mapping(sample, columns=dict(mapping(sample).columns, id="sku"))


def _missing_metadata_column(rows: list[Row], sample: Path, tmp: Path) -> tuple[Path, IngestConfig]:
    path = tmp / "rows.jsonl"
    path.write_text(jsonl_text(rows))
    return path, mapping(sample, metadata_columns=("gender",))


def _csv_named_jsonl(rows: list[Row], sample: Path, tmp: Path) -> tuple[Path, IngestConfig]:
    path = tmp / "rows.jsonl"
    path.write_text(csv_text(rows))
    return path, mapping(sample)


def _not_parquet(rows: list[Row], sample: Path, tmp: Path) -> tuple[Path, IngestConfig]:
    path = tmp / "rows.parquet"
    path.write_text(csv_text(rows))
    return path, mapping(sample)


def _wrong_images_root(rows: list[Row], sample: Path, tmp: Path) -> tuple[Path, IngestConfig]:
    path = tmp / "rows.csv"
    path.write_text(csv_text(rows))
    (tmp / "no_images").mkdir()
    return path, mapping(sample, images_root=tmp / "no_images")


def _no_image_source(rows: list[Row], sample: Path, tmp: Path) -> tuple[Path, IngestConfig]:
    path = tmp / "rows.csv"
    path.write_text(csv_text(rows))
    return path, mapping(sample, image_template=None)


def _unknown_suffix(rows: list[Row], sample: Path, tmp: Path) -> tuple[Path, IngestConfig]:
    path = tmp / "rows.txt"
    path.write_text(csv_text(rows))
    return path, mapping(sample)


WHOLE_FILE: dict[str, tuple[Callable[[list[Row], Path, Path], tuple[Path, IngestConfig]], str]] = {
    "file that is not a CSV": (_not_csv, "not a readable CSV file"),
    "empty file": (_empty, "empty file"),
    "mapped column missing": (_wrong_id_column, "column 'sku' (mapped to id) not found"),
    "metadata column missing": (_missing_metadata_column, "metadata column(s) 'gender' not found"),
    "CSV named .jsonl": (_csv_named_jsonl, "no line is a JSON object"),
    "not a Parquet file": (_not_parquet, "not a readable Parquet file"),
    "no image under the images root": (
        _wrong_images_root, "none of the 6 image paths leads to a file"
    ),
    "no image column or template": (_no_image_source, "--allow-text-only"),
    "unknown suffix": (_unknown_suffix, "cannot tell the format"),
}


@pytest.mark.parametrize("case", list(WHOLE_FILE), ids=list(WHOLE_FILE))
def test_whole_file_error_names_the_file_and_changes_nothing(
    case: str, sample_rows: list[Row], sample: Path, tmp_path: Path, empty_db: Path
) -> None:
    con = memory_copy(empty_db)
    existing = tmp_path / "existing.csv"
    existing.write_text(
        csv_text(sample_rows[:1] + sample_rows[1:2] + [dict(sample_rows[2], id="")])
    )
    run_ingest(con, existing, mapping(sample))
    before = state(con)
    assert len(before[0]) == 2 and len(before[1]) == 1
    build, message = WHOLE_FILE[case]
    path, config = build(sample_rows, sample, tmp_path)
    with pytest.raises(InputError) as info:
        run_ingest(con, path, config)
    text = str(info.value)
    assert str(path) in text and message in text and "\n" not in text
    assert state(con) == before
    last = con.execute("SELECT status, error FROM runs ORDER BY run_id DESC LIMIT 1").fetchall()
    if case != "unknown suffix":  # refused before a run starts
        assert last[0][0] == "failed" and message in last[0][1]
    con.close()


def test_failure_after_writing_rolls_everything_back(
    con: duckdb.DuckDBPyConnection, sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import attrdb.ingest as ingest

    real = ingest.query_sql_file

    def failing(c: duckdb.DuckDBPyConnection, name: str, params: Any = None) -> Any:
        if name == "ingest/summary":  # runs after products and rejects were written
            raise KeyboardInterrupt
        return real(c, name, params)

    monkeypatch.setattr(ingest, "query_sql_file", failing)
    with pytest.raises(KeyboardInterrupt):
        run_ingest(con, config=sample_config())
    assert state(con) == ([], [], [])
    assert con.execute("SELECT status FROM runs").fetchall() == [("interrupted",)]
    monkeypatch.setattr(ingest, "query_sql_file", real)
    assert run_ingest(con, config=sample_config())["n_accepted"] == 949


# --- Config files -----------------------------------------------------------------------


def test_json_and_toml_configs_agree_and_resolve_paths_next_to_them(tmp_path: Path) -> None:
    (tmp_path / "cfg.json").write_text(
        json.dumps(
            {
                "source": "data/items.csv",
                "columns": {"id": "sku", "tags": None},
                "images_root": "pics",
                "image_template": "{id}.png",
                "tags_delimiter": "|",
                "metadata_columns": ["colour", "size"],
                "allow_text_only": True,
            }
        )
    )
    (tmp_path / "cfg.toml").write_text(
        'source = "data/items.csv"\nimages_root = "pics"\nimage_template = "{id}.png"\n'
        'tags_delimiter = "|"\nmetadata_columns = "colour, size"\nallow_text_only = true\n'
        '[columns]\nid = "sku"\ntags = ""\n'
    )
    from_json = load_config(tmp_path / "cfg.json")
    assert from_json == load_config(tmp_path / "cfg.toml")
    assert from_json.source == tmp_path / "data" / "items.csv"
    assert from_json.images_root == tmp_path / "pics"
    assert from_json.columns == {"id": "sku", "tags": None}
    assert from_json.metadata_columns == ("colour", "size")


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"colums": {}}', "unknown config key(s): colums"),
        ('{"columns": {"colour": "c"}}', "unknown products field(s)"),
        ('{"image_template": "images/x.jpg"}', "has no field such as {id}"),
        ('{"image_template": "{id.__class__}.jpg"}', "must be a column name"),
        ('{"image_template": "{id!r}.jpg"}', "no conversion or nested field"),
        ('{"format": "xlsx"}', "unknown format 'xlsx'"),
        ('{"allow_text_only": "yes"}', "expected true or false"),
        ("{not json", "does not parse"),
    ],
)
def test_bad_config_is_refused_with_the_reason(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match=re.escape(message)):
        load_config(path)


def test_sample_config_is_the_documented_mapping(sample: Path) -> None:
    config = sample_config()
    assert config.source == sample / "products.parquet"
    assert config.images_root == sample / "images"
    assert config.columns["shop"] == "brand" and config.columns["description"] == "description_text"
    assert set(config.metadata_columns) == {
        "base_colour",
        "article_type",
        "master_category",
        "gender",
        "article_attributes",
        "colour1",
    }


# --- The full Myntra catalogue (slow) -----------------------------------------------------


def documented_myntra_config(myntra: Path, target: Path) -> Path:
    """The Myntra mapping exactly as docs/ingest.md shows it, with absolute paths."""
    docs = (Path(__file__).resolve().parent.parent / "docs" / "ingest.md").read_text()
    section = docs[docs.index("The full Myntra catalogue") :]
    start = section.index("```json") + len("```json")
    settings = json.loads(section[start : section.index("```", start)])
    settings.update(source=str(myntra / "styles.parquet"), images_root=str(myntra / "images"))
    target.write_text(json.dumps(settings))
    return target


@pytest.mark.slow
@pytest.mark.parametrize("text_only", [False, True], ids=["images required", "text-only allowed"])
def test_full_myntra_catalogue_is_accounted_for(
    shared_data: Path, tmp_path: Path, text_only: bool
) -> None:
    myntra = shared_data / "myntra"
    n_images = len(list((myntra / "images").glob("*.jpg")))
    con = connect(tmp_path / "myntra.duckdb", create=True)
    config = load_config(documented_myntra_config(myntra, tmp_path / "myntra.json"))
    summary = run_ingest(con, config=config.with_options(allow_text_only=text_only))
    assert summary["n_rows"] == 44441
    assert_accounted(con, myntra / "styles.parquet", 44441)
    if text_only:
        assert summary["outcomes"] == {"accepted": n_images, "accepted_text_only": 44441 - n_images}
    else:
        assert summary["outcomes"] == {"accepted": n_images, "image_missing": 44441 - n_images}
    con.close()


@pytest.mark.slow
def test_csv_row_numbers_hold_across_the_full_catalogue(shared_data: Path, tmp_path: Path) -> None:
    """44,441 Myntra rows as CSV (multi-line HTML), bad rows deep in the file, a blank line."""
    myntra = shared_data / "myntra"
    reader = duckdb.connect()
    columns = ["id", "title", "brand", "article_type", "description_html"]
    rows = reader.execute(
        f"SELECT {', '.join(columns)} FROM read_parquet(?)", [str(myntra / "styles.parquet")]
    ).fetchall()
    reader.close()
    surplus, undecodable, blank_after = {5000, 30000, 44000}, 35000, 20000
    out = io.BytesIO()
    out.write((",".join(columns) + "\n").encode())
    for number, row in enumerate(rows, start=1):
        text = io.StringIO()
        # QUOTE_ALL: some descriptions hold a bare \r, which minimal quoting leaves bare.
        csv.writer(text, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow(
            [*row, "surplus"] if number in surplus else row
        )
        record = text.getvalue().encode()
        out.write(record.replace(b",", b",\xff", 1) if number == undecodable else record)
        if number == blank_after:
            out.write(b"\n")
    path = tmp_path / "myntra.csv"
    path.write_bytes(out.getvalue())
    con = connect(":memory:", create=True)
    config = IngestConfig(
        columns={"shop": "brand", "description": "description_html", "category": "article_type"},
        image_template="{id}.jpg",
        images_root=myntra / "images",
        allow_text_only=True,
    )
    run_ingest(con, path, config)

    def shifted(number: int) -> int:
        return number + (number > blank_after)

    assert rejects(con, path) == sorted(
        [(shifted(n), "too_many_columns") for n in surplus]
        + [(shifted(undecodable), "invalid_encoding")]
    )
    bad = surplus | {undecodable}
    expected = [(str(row[0]), shifted(n)) for n, row in enumerate(rows, start=1) if n not in bad]
    assert (
        con.execute("SELECT product_id, source_row FROM products ORDER BY source_row").fetchall()
        == expected
    )
    assert_accounted(con, path, 44441)
    con.close()
