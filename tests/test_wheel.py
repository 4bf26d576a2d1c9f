"""The wheel ships the SQL files, the migrations and the bundled sample inside the package.

``sql/`` and ``migrations/`` live at the repository's top level; an installed attrdb finds
them only if the build copies them into ``attrdb/``. Builds the wheel once (the build
backend, hatchling, comes from the package index when it is not installed).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the working tree (what the wheel is built from)."""
    tree = tmp_path_factory.mktemp("wheel") / "src"
    shutil.copytree(
        REPO, tree,
        ignore=shutil.ignore_patterns(
            ".git", "__pycache__", "*.duckdb", "*.duckdb.wal", ".pytest_cache", ".ruff_cache",
            ".mypy_cache", ".hypothesis", ".benchmarks", "build", "dist", "*.egg-info",
        ),
    )
    return tree


@pytest.fixture(scope="module")
def wheel(tree: Path) -> Path:
    """The wheel built from ``tree``."""
    out = tree.parent / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(tree)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (built,) = out.glob("attrdb-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_files(wheel: Path) -> set[str]:
    """Names of the files inside the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_wheel_ships_sql_files(tree: Path, wheel_files: set[str]) -> None:
    sql = tree / "sql"
    expected = {f"attrdb/sql/{p.relative_to(sql).as_posix()}" for p in sql.rglob("*.sql")}
    assert "attrdb/sql/ingest/decide.sql" in expected
    assert expected <= wheel_files


def test_wheel_ships_every_migration(tree: Path, wheel_files: set[str]) -> None:
    expected = {f"attrdb/migrations/{p.name}" for p in (tree / "migrations").glob("*.sql")}
    assert "attrdb/migrations/0001_core.sql" in expected
    assert expected <= wheel_files


def test_wheel_ships_the_sample_and_its_mapping(wheel_files: set[str]) -> None:
    assert {"attrdb/sample/products.parquet", "attrdb/sample/ingest.json"} <= wheel_files
    images = [n for n in wheel_files if n.startswith("attrdb/sample/images/")]
    assert len(images) == 949 and all(n.endswith(".jpg") for n in images)


def test_wheel_has_the_console_script(wheel: Path, wheel_files: set[str]) -> None:
    (name,) = [n for n in wheel_files if n.endswith(".dist-info/entry_points.txt")]
    with zipfile.ZipFile(wheel) as archive:
        entry_points = archive.read(name).decode()
    assert "attrdb = attrdb.cli:main" in entry_points
