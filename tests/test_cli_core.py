"""The core CLI verbs (init, migrate, ingest): --db, ATTRDB_DB, error path, fast --help."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from attrdb.cli import app, main
from attrdb.migrate import code_schema_version


def _schema_version(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return int(con.execute("SELECT max(version) FROM schema_version").fetchall()[0][0])
    finally:
        con.close()


def _count(path: Path, table: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    finally:
        con.close()


def test_init_creates_the_database_named_by_db(tmp_path: Path) -> None:
    path = tmp_path / "made.duckdb"
    result = CliRunner().invoke(app, ["--db", str(path), "init"])
    assert result.exit_code == 0, result.output
    assert _schema_version(path) == code_schema_version()
    assert f"schema version {code_schema_version()}" in result.stderr


def test_attrdb_db_environment_variable_is_the_default(tmp_path: Path) -> None:
    path = tmp_path / "from_env.duckdb"
    result = CliRunner().invoke(app, ["init"], env={"ATTRDB_DB": str(path)})
    assert result.exit_code == 0, result.output
    assert path.is_file()
    migrated = CliRunner().invoke(app, ["migrate"], env={"ATTRDB_DB": str(path)})
    assert migrated.exit_code == 0, migrated.output


def test_migrate_without_a_database_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.duckdb"
    with pytest.raises(SystemExit) as info:
        main(["--db", str(missing), "migrate"])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no attrdb database" in err and str(missing) in err
    assert not missing.exists()


def test_ingest_sample_then_again_adds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "sample.duckdb"
    first = CliRunner().invoke(app, ["--db", str(path), "ingest", "--sample"])
    assert first.exit_code == 0, first.output
    assert "949 rows, 949 accepted, 0 rejected" in first.stderr
    second = CliRunner().invoke(app, ["--db", str(path), "ingest", "--sample"])
    assert second.exit_code == 0, second.output
    assert "nothing added" in second.stderr
    assert _count(path, "products") == 949


def test_ingest_csv_with_mapping_options(tmp_path: Path, sample: Path) -> None:
    con = duckdb.connect()
    rows = con.execute(
        "SELECT id, brand, title, description_text, article_type, base_colour, gender "
        "FROM read_parquet(?) ORDER BY id LIMIT 4",
        [str(sample / "products.parquet")],
    ).fetchall()
    con.close()
    catalogue = tmp_path / "shop.csv"
    with catalogue.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "store", "name", "text", "kind", "colour", "gender"])
        writer.writerows(rows)
    path = tmp_path / "options.duckdb"
    result = CliRunner().invoke(
        app,
        [
            "--db",
            str(path),
            "ingest",
            str(catalogue),
            "--id-column",
            "sku",
            "--shop-column",
            "store",
            "--title-column",
            "name",
            "--description-column",
            "text",
            "--category-column",
            "kind",
            "--image-template",
            "{id}.jpg",
            "--images-root",
            str(sample / "images"),
            "--metadata-columns",
            "colour, gender",
        ],
    )
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(path), read_only=True)
    got = con.execute(
        "SELECT product_id, shop, title, category, metadata ->> 'colour', image_path "
        "FROM products ORDER BY source_row"
    ).fetchall()
    con.close()
    assert got == [
        (str(r[0]), r[1], r[2].strip(), r[4], r[5], str(sample / "images" / f"{r[0]}.jpg"))
        for r in rows
    ]


def test_ingest_error_is_one_line_exit_1_and_leaves_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "err.duckdb"
    assert CliRunner().invoke(app, ["--db", str(path), "ingest", "--sample"]).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,name\n1,shirt\n")
    with pytest.raises(SystemExit) as info:
        main(["--db", str(path), "ingest", str(bad), "--id-column", "id"])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("error: ") and str(bad) in err and "column 'id'" in err
    assert _count(path, "products") == 949 and _count(path, "ingest_sources") == 1


def test_cli_runner_reports_the_error_with_exit_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "x.duckdb"), "ingest", str(tmp_path / "absent.csv")]
    )
    assert result.exit_code == 1
    assert "no such file" in str(result.exception)


def test_help_is_instant_and_does_not_import_torch() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from attrdb.cli import app\n"
        "result = CliRunner().invoke(app, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'ingest' in result.output\n"
        "heavy = sorted(m for m in ('torch', 'torchvision', 'sklearn', 'spacy', 'pyspark') "
        "if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "torch" not in done.stdout.split(","), f"`attrdb --help` imported: {done.stdout}"
    assert done.stdout.strip() == "", f"`attrdb --help` imported heavy modules: {done.stdout}"
