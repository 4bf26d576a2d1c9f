"""CNN extraction on Spark (local[2]) against local `attrdb extract` on the bundled sample.

Marked ``spark``: a bare ``pytest`` leaves them out (pyproject addopts); ``tools/test.sh``, which
CI runs, selects ``-m "not slow and not gpu"`` and so runs them. One session for
all tests (conftest ``spark_engine``). A few dozen images keep the module to a few minutes
on 2 shared cores; the partitions, the resume and the error rows are what is tested, and
the same code runs every partition.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from attrdb.cli import app
from attrdb.cnn.extract import run_extract
from attrdb.cnn.spark_extract import (
    SparkExtractParams,
    parse_params,
    run_extract_on_spark,
    run_extract_via_spark,
)
from attrdb.connection import connect
from attrdb.errors import InputError, ModelError, StateError
from attrdb.exchange import export_tables, import_tables
from tests.conftest import copy_db

pytestmark = pytest.mark.spark

# Small batches and partitions: several partitions and batches from a few dozen images.
BATCH = 8
FIRST, SECOND = 24, 16


def extract_on_one_thread(con: duckdb.DuckDBPyConnection, **options: Any) -> None:
    """Local `attrdb extract` of every product (``options``: limit, batch size, pooling) on
    one torch thread, as each Spark task of local[2] runs; the thread count is restored."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        run_extract(con, all_products=True, workers=0, device="cpu", progress=False, **options)
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def broken_db(tmp_path_factory: pytest.TempPathFactory, ingested_db: Path) -> Path:
    """The ingested sample plus two products whose images cannot be read; their ids sort
    first, so every limited run reaches them."""
    folder = tmp_path_factory.mktemp("spark_extract")
    path = copy_db(ingested_db, folder, "broken.duckdb")
    html = folder / "page.jpg"
    html.write_text("<html><body>Not found</body></html>", encoding="utf-8")
    con = connect(path)
    con.execute(
        "INSERT INTO products (product_id, title, image_path, source, source_row) VALUES "
        "('0000-missing', 'broken', $missing, 'test', 1), "
        "('0000-notimage', 'broken', $html, 'test', 2)",
        {"missing": str(folder / "missing.jpg"), "html": str(html)},
    )
    con.close()
    return path


@pytest.fixture(scope="module")
def local_vectors(tmp_path_factory: pytest.TempPathFactory, broken_db: Path) -> dict[str, Any]:
    """Local `attrdb extract` of the first FIRST + SECOND products, one torch thread
    (as each Spark task of local[2] runs), batches of BATCH."""
    path = copy_db(broken_db, tmp_path_factory.mktemp("local_extract"), "local.duckdb")
    con = connect(path)
    extract_on_one_thread(con, limit=FIRST + SECOND, batch_size=BATCH)
    vectors = dict(con.execute("SELECT product_id, vals FROM activation_vectors").fetchall())
    errors = dict(con.execute("SELECT product_id, reason FROM activation_errors").fetchall())
    con.close()
    return {"vectors": vectors, "errors": errors}


@pytest.fixture(scope="module")
def spark_runs(
    tmp_path_factory: pytest.TempPathFactory, broken_db: Path, spark_engine: Any
) -> Iterator[dict[str, Any]]:
    """Two Spark runs into one output folder: FIRST products, then SECOND more (a resume)."""
    folder = tmp_path_factory.mktemp("spark_runs")
    con = connect(broken_db, read_only=True)
    export_tables(con, ["products"], folder / "in")
    con.close()
    out = folder / "out"
    params = SparkExtractParams(
        all_products=True, batch_size=BATCH, partition_size=BATCH, device="cpu"
    )
    session = spark_engine.spark
    first = run_extract_on_spark(
        folder / "in",
        out,
        params=replace(params, limit=FIRST),
        session=session,
    )
    parts = {p: p.stat().st_mtime_ns for p in out.glob("*.parquet/part-*.parquet")}
    second = run_extract_on_spark(
        folder / "in",
        out,
        params=replace(params, limit=SECOND),
        session=session,
    )
    yield {"first": first, "second": second, "parts_after_first": parts, "out": out}


def test_spark_vectors_equal_local_extraction(
    spark_runs: dict[str, Any], local_vectors: dict[str, Any], broken_db: Path, tmp_path: Path
) -> None:
    path = copy_db(broken_db, tmp_path, "imported.duckdb")
    con = connect(path)
    imported = import_tables(con, spark_runs["out"])
    assert imported["tables"]["activation_vectors"] == FIRST + SECOND - 2
    vectors = dict(con.execute("SELECT product_id, vals FROM activation_vectors").fetchall())
    errors = dict(con.execute("SELECT product_id, reason FROM activation_errors").fetchall())
    n_units = con.execute("SELECT n_units FROM models").fetchall()[0][0]
    run = con.execute(
        "SELECT params->>'engine', status FROM runs WHERE stage = 'extract'"
    ).fetchall()
    con.close()
    assert set(vectors) == set(local_vectors["vectors"])
    worst = max(
        float(np.abs(np.asarray(vectors[k]) - np.asarray(local_vectors["vectors"][k])).max())
        for k in vectors
    )
    assert worst <= 1e-5, f"largest difference from local extraction {worst}"
    assert all(len(v) == n_units for v in vectors.values())
    # Failures are rows, with the same reasons as a local run gives.
    assert errors == local_vectors["errors"]
    assert set(errors) == {"0000-missing", "0000-notimage"}
    assert "file not found" in errors["0000-missing"]
    assert "not a recognised image format" in errors["0000-notimage"]
    assert run == [("spark", "ok")]


def test_resume_skips_finished_partitions(spark_runs: dict[str, Any]) -> None:
    first, second = spark_runs["first"]["summary"], spark_runs["second"]["summary"]
    assert (first["n_done_before"], first["n_extracted"] + first["n_errors"]) == (0, FIRST)
    assert first["partitions"] == FIRST // BATCH
    assert (second["n_done_before"], second["n_extracted"] + second["n_errors"]) == (
        FIRST,
        SECOND,
    )
    # The first run's partition files were neither rewritten nor removed.
    out: Path = spark_runs["out"]
    for part, mtime in spark_runs["parts_after_first"].items():
        assert part.stat().st_mtime_ns == mtime
    assert spark_runs["second"]["tables"]["activation_vectors"] == FIRST + SECOND - 2
    assert not list(out.glob("*.parquet/_tmp-*"))


def test_model_runs_in_the_python_workers_with_the_allocator_fix(
    spark_runs: dict[str, Any],
) -> None:
    summary = spark_runs["first"]["summary"]
    assert summary["allocator_kept_in_workers"] is True
    assert os.getpid() not in summary["worker_pids"]
    assert summary["devices"] == ["cpu"] and summary["threads_per_task"] == [1]


def test_registered_model_with_other_weights_is_refused(
    tmp_path: Path, broken_db: Path, spark_engine: Any
) -> None:
    path = copy_db(broken_db, tmp_path, "registered.duckdb")
    con = connect(path)
    con.execute(
        "INSERT INTO models (model_id, name, weights, weights_sha256, input_size, n_units) "
        "VALUES ('efficientnet_lite0', 'efficientnet_lite0', 'x.pth', 'beef', 224, 2096)"
    )
    export_tables(con, ["products", "models"], tmp_path / "in")
    con.close()
    with pytest.raises(ModelError, match="registered as efficientnet_lite0 with weights"):
        run_extract_on_spark(
            tmp_path / "in",
            tmp_path / "out",
            params=SparkExtractParams(all_products=True),
            session=spark_engine.spark,
        )


def test_extract_from_the_database_and_import(
    tmp_path: Path, broken_db: Path, spark_engine: Any
) -> None:
    """The one-shot form: pending products out, Spark, the result merged back; kept
    products only (dedup has not run: refused); a second call goes on with the next ones."""
    path = copy_db(broken_db, tmp_path, "oneshot.duckdb")
    con = connect(path)
    with pytest.raises(StateError, match="duplicate_groups is empty"):
        run_extract_via_spark(con, session=spark_engine.spark)
    params = SparkExtractParams(all_products=True, limit=4, batch_size=4, device="cpu")
    result = run_extract_via_spark(con, params=params, session=spark_engine.spark)
    assert result["imported"]["activation_vectors"] == 2
    again = run_extract_via_spark(con, params=params, session=spark_engine.spark)
    assert again["summary"]["n_pending"] == 4 and again["summary"]["n_done_before"] == 0
    rows = con.execute(
        "SELECT count(*), count(DISTINCT product_id) FROM activation_vectors"
    ).fetchall()
    con.close()
    assert rows == [(6, 6)]


def test_parameters_and_cli_errors() -> None:
    assert parse_params(["limit=5", "extract.batch_size=4", "all_products=yes"]) == (
        SparkExtractParams(limit=5, batch_size=4, all_products=True)
    )
    with pytest.raises(InputError, match="no parameter 'nope'"):
        parse_params(["nope=1"])
    with pytest.raises(InputError, match="partition_size must be at least 1"):
        SparkExtractParams(partition_size=0)
    runner = CliRunner()
    result = runner.invoke(app, ["spark", "extract", "dedup"])
    assert result.exit_code == 1 and "extract runs alone" in str(result.exception)
    result = runner.invoke(app, ["spark", "extract", "--input", "x"])
    assert result.exit_code == 1 and "pass both --input and --output" in str(result.exception)
    result = runner.invoke(app, ["spark", "extract", "--param", "batch_size=many"])
    assert result.exit_code == 1 and "batch_size='many' is not a number" in str(result.exception)


def test_mean_pooling_matches_local(tmp_path: Path, broken_db: Path, spark_engine: Any) -> None:
    spark_db = copy_db(broken_db, tmp_path, "spark.duckdb")
    local_db = copy_db(broken_db, tmp_path, "local.duckdb")
    params = SparkExtractParams(
        all_products=True, limit=4, batch_size=4, device="cpu", pooling="mean"
    )
    con = connect(spark_db)
    run_extract_via_spark(con, params=params, session=spark_engine.spark)
    spark = dict(con.execute("SELECT product_id, vals FROM activation_vectors").fetchall())
    model_ids = con.execute("SELECT DISTINCT model_id FROM activation_vectors").fetchall()
    con.close()
    con = connect(local_db)
    extract_on_one_thread(con, limit=4, batch_size=4, pooling="mean")
    local = dict(con.execute("SELECT product_id, vals FROM activation_vectors").fetchall())
    con.close()
    assert model_ids == [("efficientnet_lite0:mean",)]
    assert set(spark) == set(local) and len(spark) == 2
    worst = max(float(np.abs(np.asarray(spark[k]) - np.asarray(local[k])).max()) for k in spark)
    assert worst <= 1e-5
