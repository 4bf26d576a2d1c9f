"""Image paths: format-spec templates (H&M layout), confinement to the images root, and the
re-checks before extraction and the report read a file.

Catalogue rows are real sample listings; image files are real Myntra JPEGs copied into the
folder layouts public catalogues use (the layout is constructed, the pictures are not).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from attrdb.cli import app
from attrdb.cnn.images import ImageLoadError, load_rgb
from attrdb.errors import InputError
from attrdb.ingest import image_roots, run_ingest
from attrdb.ingest_config import IngestConfig
from attrdb.report import images as report_images
from tests.conftest import memory_copy

# H&M's public articles.csv spells ids as 10 digits with leading zeros and files them under
# a folder named by the first three: images/011/0110065001.jpg.
HM_IDS = ["0110065001", "0110065002", "0123173001", "0156231001", "0189616006"]


@pytest.fixture(scope="module")
def rows(sample: Path) -> list[dict[str, Any]]:
    con = duckdb.connect()
    found = con.execute(
        "SELECT CAST(id AS VARCHAR), title, brand, description_text, article_type "
        "FROM read_parquet(?) ORDER BY id LIMIT 5",
        [str(sample / "products.parquet")],
    ).fetchall()
    con.close()
    keys = ["myntra_id", "prod_name", "brand", "detail_desc", "product_type_name"]
    return [dict(zip(keys, r, strict=True)) for r in found]


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue())
    return path


@pytest.fixture
def hm(tmp_path: Path, shared_data: Path, rows: list[dict[str, Any]]) -> Path:
    """An H&M-style catalogue: articles.csv and images/<first 3>/<article_id>.jpg."""
    for article_id, row in zip(HM_IDS, rows, strict=True):
        folder = tmp_path / "images" / article_id[:3]
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(
            shared_data / "myntra" / "images" / f"{row['myntra_id']}.jpg",
            folder / f"{article_id}.jpg",
        )
    articles = [
        {"article_id": a, **{k: v for k, v in r.items() if k != "myntra_id"}}
        for a, r in zip(HM_IDS, rows, strict=True)
    ]
    return write_csv(tmp_path / "articles.csv", articles)


def test_hm_layout_ingests_with_one_documented_command(hm: Path, tmp_path: Path) -> None:
    db = tmp_path / "hm.duckdb"
    result = CliRunner().invoke(
        app,
        [
            "--db",
            str(db),
            "ingest",
            str(hm),
            "--id-column",
            "article_id",
            "--title-column",
            "prod_name",
            "--description-column",
            "detail_desc",
            "--category-column",
            "product_type_name",
            "--shop-column",
            "brand",
            "--image-template",
            "{id:.3}/{id}.jpg",
            "--images-root",
            str(tmp_path / "images"),
        ],
    )
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(db), read_only=True)
    got = con.execute("SELECT product_id, image_path FROM products ORDER BY source_row").fetchall()
    con.close()
    assert got == [(a, str((tmp_path / "images" / a[:3] / f"{a}.jpg").resolve())) for a in HM_IDS]


def test_template_fields_are_any_column_with_format_specs(
    tmp_path: Path, shared_data: Path, rows: list[dict[str, Any]], empty_db: Path
) -> None:
    """{shop}/{id}.jpg with a shop column, and a zero-padding spec on a numeric column."""
    catalogue = []
    for row in rows:
        folder = tmp_path / "by_shop" / row["brand"]
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(
            shared_data / "myntra" / "images" / f"{row['myntra_id']}.jpg",
            folder / f"{int(row['myntra_id']):08d}.jpg",
        )
        catalogue.append({"sku": f"s{row['myntra_id']}", "num": row["myntra_id"], **row})
    path = write_csv(tmp_path / "shops.csv", catalogue)
    con = memory_copy(empty_db)
    summary = run_ingest(
        con,
        path,
        IngestConfig(
            columns={"id": "sku", "shop": "brand", "title": "prod_name"},
            image_template="{brand}/{num:0>8}.jpg",
            images_root=tmp_path / "by_shop",
        ),
    )
    assert summary["outcomes"] == {"accepted": 5}
    con.close()


def test_no_image_found_names_ids_and_the_paths_tried(
    hm: Path, tmp_path: Path, empty_db: Path
) -> None:
    con = memory_copy(empty_db)
    config = IngestConfig(
        columns={"id": "article_id", "title": "prod_name"},
        image_template="{id}.jpg",
        images_root=tmp_path / "images",
    )
    with pytest.raises(InputError) as info:
        run_ingest(con, hm, config)
    message = str(info.value)
    assert "none of the 5 image paths leads to a file" in message and "\n" not in message
    assert f"id {HM_IDS[0]} -> {tmp_path / 'images' / HM_IDS[0]}.jpg (missing)" in message
    assert HM_IDS[2] in message and HM_IDS[3] not in message  # a few, not all
    con.close()


def test_template_problems_are_named(hm: Path, tmp_path: Path, empty_db: Path) -> None:
    con = memory_copy(empty_db)
    unknown = IngestConfig(
        columns={"id": "article_id", "title": "prod_name"},
        image_template="{colour}/{id}.jpg",
        images_root=tmp_path,
    )
    with pytest.raises(InputError, match="image template field.*'colour' are not columns"):
        run_ingest(con, hm, unknown)
    numeric = IngestConfig(
        columns={"id": "article_id", "title": "prod_name"},
        image_template="{id:d}.jpg",
        images_root=tmp_path,
        allow_text_only=True,
    )
    summary = run_ingest(con, hm, numeric)
    assert summary["outcomes"] == {"image_template_error": 5}
    detail = con.execute("SELECT DISTINCT detail FROM product_rejects").fetchall()[0][0]
    assert "'{id:d}.jpg'" in detail and "Unknown format code 'd'" in detail
    con.close()


# --- Confinement to the images root ---------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path, sample: Path, rows: list[dict[str, Any]]) -> Path:
    """images/ holding the five real images, plus links in and out and a secret beside it."""
    images = tmp_path / "images"
    images.mkdir()
    for row in rows:
        shutil.copy(
            sample / "images" / f"{row['myntra_id']}.jpg", images / f"{row['myntra_id']}.jpg"
        )
    secret = tmp_path / "secret.jpg"  # a real image outside the root
    shutil.copy(sample / "images" / f"{rows[0]['myntra_id']}.jpg", secret)
    os.symlink(secret, images / "out.jpg")
    os.symlink(images / f"{rows[1]['myntra_id']}.jpg", images / "in.jpg")
    (images / "sub").mkdir()
    os.symlink(tmp_path, images / "sub" / "up")
    return images


OUTSIDE = {
    "dot-dot out": "../secret.jpg",
    "dot-dot staying in": "sub/../{first}.jpg",
    "absolute outside": "{tmp}/secret.jpg",
    "etc shadow": "/etc/shadow",
    "etc passwd by dot-dot": "../../../../../../../../etc/passwd",
    "link to a file outside": "out.jpg",
    "link to a folder outside": "sub/up/secret.jpg",
}


def _catalogue(rows: list[dict[str, Any]], images: list[str]) -> list[dict[str, Any]]:
    return [
        {"id": r["myntra_id"], "title": r["prod_name"], "image": image}
        for r, image in zip(rows, images, strict=True)
    ]


@pytest.mark.parametrize("allowed", [False, True], ids=["default", "opt-in"])
def test_paths_leading_outside_the_root_are_rejected_unless_allowed(
    root: Path, tmp_path: Path, rows: list[dict[str, Any]], allowed: bool, empty_db: Path
) -> None:
    first = rows[0]["myntra_id"]
    cases = [p.format(first=first, tmp=tmp_path) for p in OUTSIDE.values()]
    good = [f"{first}.jpg", str(root / f"{rows[1]['myntra_id']}.jpg"), "in.jpg"]
    catalogue = []
    for n, image in enumerate(good + cases):
        row = rows[n % len(rows)]
        catalogue.append({"id": f"p{n}", "title": row["prod_name"], "image": image})
    path = write_csv(tmp_path / "paths.csv", catalogue)
    con = memory_copy(empty_db)
    run_ingest(con, path, IngestConfig(images_root=root, allow_images_outside_root=allowed))
    accepted = dict(con.execute("SELECT product_id, image_path FROM products").fetchall())
    rejected = dict(con.execute("SELECT product_id, reason FROM product_rejects").fetchall())
    assert len(accepted) + len(rejected) == len(catalogue)
    # Links are stored resolved: the accepted file is the one that was checked.
    assert accepted["p2"] == str(root / f"{rows[1]['myntra_id']}.jpg")
    if not allowed:
        assert set(accepted) == {"p0", "p1", "p2"}
        assert set(rejected.values()) == {"image_outside_root"}
        details = [r[0] for r in con.execute("SELECT detail FROM product_rejects").fetchall()]
        assert any("symbolic link" in d for d in details) and any("'..'" in d for d in details)
        assert not any("shadow" in (p or "") for p in accepted.values())
    else:
        assert accepted["p9"] == str(tmp_path / "secret.jpg")  # the link, resolved
        assert rejected.get("p6") in (None, "image_missing", "image_unreadable")
        roots = image_roots(con)
        assert roots.anywhere
    con.close()


@pytest.mark.parametrize(
    "hostile_id", ["../secret", "../../../../etc/passwd", "a/../b", "/etc/shadow", "..\\secret"]
)
@pytest.mark.parametrize("allowed", [False, True], ids=["default", "opt-in"])
def test_ids_holding_dot_dot_under_a_template_are_rejected(
    root: Path, tmp_path: Path, rows: list[dict[str, Any]], hostile_id: str, allowed: bool,
    empty_db: Path,
) -> None:
    catalogue = [{"id": r["myntra_id"], "title": r["prod_name"]} for r in rows]
    catalogue[2]["id"] = hostile_id
    path = write_csv(tmp_path / "ids.csv", catalogue)
    con = memory_copy(empty_db)
    run_ingest(
        con,
        path,
        IngestConfig(
            image_template="{id}.jpg", images_root=root, allow_images_outside_root=allowed
        ),
    )
    assert con.execute("SELECT source_row, reason FROM product_rejects").fetchall() == [
        (3, "image_outside_root")
    ]
    assert con.execute("SELECT count(*) FROM products").fetchall() == [(4,)]
    detail = con.execute("SELECT detail FROM product_rejects").fetchall()[0][0]
    assert "image template field {id}" in detail
    con.close()


def test_report_and_extraction_read_only_what_passed_the_check(
    root: Path, tmp_path: Path, rows: list[dict[str, Any]], empty_db: Path
) -> None:
    path = write_csv(tmp_path / "ok.csv", _catalogue(rows, [f"{r['myntra_id']}.jpg" for r in rows]))
    con = memory_copy(empty_db)
    run_ingest(con, path, IngestConfig(images_root=root))
    roots = image_roots(con)
    assert roots.roots == (str(root),) and not roots.anywhere
    good, swapped, tampered = [
        r[0]
        for r in con.execute("SELECT image_path FROM products ORDER BY source_row").fetchall()[:3]
    ]
    assert report_images.thumbnail(good, roots=roots).startswith("data:image/jpeg;base64,")
    # After ingestion a file becomes a link out of the root; another row is edited by SQL.
    os.remove(swapped)
    os.symlink(tmp_path / "secret.jpg", swapped)
    con.execute(
        "UPDATE products SET image_path = ? WHERE image_path = ?",
        [str(tmp_path / "secret.jpg"), tampered],
    )
    assert report_images.thumbnail(swapped, roots=roots) is None
    assert report_images.thumbnail(str(tmp_path / "secret.jpg"), roots=roots) is None
    assert report_images.thumbnail("/etc/shadow", roots=roots) is None
    grey = report_images.overlay("/etc/shadow", [0.0, 1.0, 0.5, 0.2], 2, 2, roots=roots)
    assert grey is not None and grey.startswith("data:image/jpeg")
    with pytest.raises(ImageLoadError, match="symbolic link"):
        load_rgb(swapped, real_path_only=True)
    assert load_rgb(good, real_path_only=True).mode == "RGB"
    con.close()


def test_image_roots_fall_back_for_runs_that_recorded_none(
    con: duckdb.DuckDBPyConnection, sample: Path
) -> None:
    """Databases ingested before roots were recorded: the run's images_root parameter."""
    from attrdb.ingest_config import sample_config

    run_ingest(con, config=sample_config())
    con.execute("UPDATE runs SET summary = json_object('n_rows', 949)")
    assert image_roots(con).roots == (str(sample / "images"),)
    params = json.loads(con.execute("SELECT params FROM runs").fetchall()[0][0])
    assert params["allow_images_outside_root"] is False
