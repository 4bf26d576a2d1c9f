"""Shared fixtures: an in-memory database at the current schema, and the data paths."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from attrdb.connection import connect, register_macros
from attrdb.context.scopes import ScopeDefinition
from attrdb.ingest import run_ingest
from attrdb.ingest_config import sample_config
from attrdb.migrate import check_schema
from attrdb.resources import sample_dir
from attrdb.runs import close_stale_runs

REPO = Path(__file__).resolve().parent.parent
# The real shared data set sits beside the checkout (../shared/data); CI lays it there too.
SHARED_DATA = Path(os.environ.get("ATTRDB_SHARED_DATA", REPO.parent / "shared" / "data"))


# The paper's scope options: every line of text, random negatives. The default scope uses
# the robust options (boilerplate dropped, negatives matched on category and shop;
# docs/trust.md); tests that check the paper's maths against numpy/scipy state it.
PAPER_SCOPE = ScopeDefinition(boilerplate="keep", negatives="random")


def use_paper_default_scope(connection: duckdb.DuckDBPyConnection) -> None:
    """Give the 'default' scope of a test database the paper's options."""
    connection.execute(
        "UPDATE scopes SET definition = ? WHERE scope = 'default'", [PAPER_SCOPE.to_json()]
    )


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new database file at the current schema, made once per session: migrating a new
    database takes about a second, which every test using ``con`` or ``db_path`` would pay
    again. Copy it (``copy_db``, ``memory_copy``); never write it."""
    path = tmp_path_factory.mktemp("schema") / "empty.duckdb"
    connect(path, create=True).close()
    return path


def memory_copy(source: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory copy of a database file, set up as ``connect`` sets up a connection
    (progress bar off, memory limit, schema check, macros, stale runs); tests/test_fixtures.py
    checks that a copy of ``empty_db`` equals ``connect(":memory:", create=True)``."""
    connection = duckdb.connect(":memory:")
    try:
        connection.execute("SET enable_progress_bar = false")
        memory_limit = os.environ.get("ATTRDB_MEMORY_LIMIT")
        if memory_limit:
            connection.execute("SET memory_limit = ?", [memory_limit])
        connection.execute("ATTACH ? AS copy_source (READ_ONLY)", [str(source)])
        connection.execute("COPY FROM DATABASE copy_source TO memory")
        connection.execute("DETACH copy_source")
        check_schema(connection)
        register_macros(connection)
        close_stale_runs(connection)
    except BaseException:
        connection.close()
        raise
    return connection


@pytest.fixture
def con(empty_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """In-memory DuckDB with every migration and macro applied (a copy of ``empty_db``)."""
    connection = memory_copy(empty_db)
    yield connection
    connection.close()


@pytest.fixture
def db_path(tmp_path: Path, empty_db: Path) -> Path:
    """A fresh on-disk database at the current schema (a copy of ``empty_db``)."""
    return copy_db(empty_db, tmp_path, "test.duckdb")


@pytest.fixture(scope="session")
def sample() -> Path:
    """The bundled real sample catalogue."""
    return sample_dir()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data; tests needing it are skipped with a reason when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


# --- Pipeline fixtures -----------------------------------------------------------------
# Each stage's fixture copies the previous stage's database file and runs its stage on the
# bundled sample once per test session, so later stages' tests share the work. Tests that
# write must copy the file they get (``copy_db``) rather than change it.


def copy_db(source: Path, target_dir: Path, name: str) -> Path:
    """Copy a fixture database (and its WAL, if any) so a test may change it freely."""
    target = target_dir / name
    shutil.copy(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copy(wal, target.with_name(target.name + ".wal"))
    return target


@pytest.fixture(scope="session")
def ingested_db(tmp_path_factory: pytest.TempPathFactory, sample: Path) -> Path:
    """The bundled sample's listings in ``products`` (stage: ingest)."""
    path = tmp_path_factory.mktemp("pipeline") / "ingested.duckdb"
    con = connect(path, create=True)
    run_ingest(con, config=sample_config())
    con.close()
    return path


@pytest.fixture(scope="session")
def text_db(tmp_path_factory: pytest.TempPathFactory, ingested_db: Path) -> Path:
    """Stages text, dedup, vocab (adjectives, top 250) and split, defaults, on the sample,
    with the paper's options in the default scope (the oracle tests recompute its maths)."""
    from attrdb.dedup import run_dedup
    from attrdb.splits import run_split
    from attrdb.text.tokenize import run_text
    from attrdb.vocab import run_vocab

    path = copy_db(ingested_db, tmp_path_factory.mktemp("pipeline_text"), "text.duckdb")
    con = connect(path)
    run_text(con, progress=False)
    run_dedup(con)
    use_paper_default_scope(con)
    run_vocab(con)
    run_split(con)
    con.close()
    return path


@pytest.fixture(scope="session")
def extracted_db(tmp_path_factory: pytest.TempPathFactory, text_db: Path) -> Path:
    """text_db plus EfficientNet-Lite0 activations of every kept product (stage: extract)."""
    from attrdb.cnn.extract import run_extract

    path = copy_db(text_db, tmp_path_factory.mktemp("pipeline_cnn"), "extracted.duckdb")
    con = connect(path)
    # In-process decoding (workers=0): no worker start-up, and decoding 224 px JPEGs is ~2%
    # of the forward pass; torch keeps its default threads (one per core).
    run_extract(con, device="cpu", workers=0, batch_size=32, progress=False)
    con.close()
    return path


@pytest.fixture(scope="session")
def divergence_db(tmp_path_factory: pytest.TempPathFactory, extracted_db: Path) -> Path:
    """extracted_db plus stages divergence (unit_bins, unit_word_divergence, prime_units) and
    depth (layer_depth), defaults."""
    from attrdb.depth import run_depth
    from attrdb.divergence import run_divergence

    folder = tmp_path_factory.mktemp("pipeline_divergence")
    path = copy_db(extracted_db, folder, "divergence.duckdb")
    con = connect(path)
    run_divergence(con)
    run_depth(con)
    con.close()
    return path


@pytest.fixture(scope="session")
def visualness_db(tmp_path_factory: pytest.TempPathFactory, divergence_db: Path) -> Path:
    """divergence_db plus stage visualness (the paper's methods and language_prior) for
    the ten most frequent words with prime units and the colour/pattern words among them."""
    from attrdb.visualness import run_visualness

    folder = tmp_path_factory.mktemp("pipeline_visualness")
    path = copy_db(divergence_db, folder, "visualness.duckdb")
    con = connect(path)
    words = [
        r[0]
        for r in con.execute(
            "SELECT v.word FROM vocabulary AS v WHERE v.scope = 'default' AND EXISTS "
            "(SELECT 1 FROM prime_units AS p WHERE p.scope = v.scope AND p.word = v.word) "
            "QUALIFY row_number() OVER (ORDER BY v.rank) <= 10 OR v.word IN "
            "('black', 'white', 'blue', 'red', 'striped', 'printed', 'checked') ORDER BY v.rank"
        ).fetchall()
    ]
    # The paper's methods (the cross-fitted one has oracle tests of its own).
    run_visualness(con, words=words, jobs=1, progress=False,
                   methods=["random", "initial", "resample", "language_prior"])
    con.close()
    return path


@pytest.fixture(scope="session")
def ccp_db(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """The first 150 CCP street photos as a tag catalogue, prepared for the saliency
    evaluation: ingest, text, dedup, vocab (tags), split, extract, divergence, visualness
    (resample classifiers), defaults."""
    from attrdb.ccp import prepare_database

    folder = tmp_path_factory.mktemp("pipeline_ccp")
    path = folder / "ccp.duckdb"
    con = connect(path, create=True)
    prepare_database(con, shared_data / "ccp", listings=folder / "ccp.parquet", device="cpu",
                     n_photos=150, progress=False)
    con.close()
    return path


@pytest.fixture(scope="session")
def context_db(tmp_path_factory: pytest.TempPathFactory, divergence_db: Path) -> Path:
    """divergence_db plus three scopes, each through vocab and divergence: 'clean'
    (boilerplate dropped, random negatives), 'matched' (boilerplate kept, negatives matched on
    the category only) and 'apparel' (master_category Apparel, boilerplate dropped, negatives
    matched on category and shop)."""
    from attrdb.context.scopes import ScopeDefinition, define_scope
    from attrdb.divergence import run_divergence
    from attrdb.vocab import run_vocab

    folder = tmp_path_factory.mktemp("pipeline_context")
    path = copy_db(divergence_db, folder, "context.duckdb")
    con = connect(path)
    scopes = {
        "clean": ScopeDefinition(boilerplate="drop", negatives="random"),
        # Matched on the category only: the oracle tests recompute that weighting.
        "matched": ScopeDefinition(boilerplate="keep", negatives="category_matched",
                                   match_shop=False),
        "apparel": ScopeDefinition(category_field="metadata.master_category",
                                   categories=("Apparel",), boilerplate="drop",
                                   negatives="category_matched"),
    }
    for name, definition in scopes.items():
        define_scope(con, name, definition)
        run_vocab(con, scope=name)
        run_divergence(con, scope=name)
    con.close()
    return path


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[object]:
    """One local Spark session (local[2], UI off) shared by every test marked ``spark``."""
    from attrdb.engines.spark import SparkEngine

    engine = SparkEngine.start("local[2]", app_name="attrdb-tests")
    yield engine
    engine.close()
