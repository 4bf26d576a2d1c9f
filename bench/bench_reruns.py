"""Rerunning a stage on a large catalogue: what DuckDB's COMMIT of the replaced rows costs.

A stage rerun deletes the rows it wrote last time and inserts the new ones in one
transaction. DuckDB 2 removes each deleted row's key from the table's primary-key index at
COMMIT, fetching the row's key columns one row at a time; from a DICT_FSST-compressed
string column (DuckDB's default for strings) each fetch costs tens of microseconds, so
migration 0031 stores the key columns of the tables reruns empty uncompressed.

Part 1 (always): a table shaped like ``splits`` (VARCHAR primary key, product ids as in the
paper-size database) with N rows, all deleted in one transaction; COMMIT seconds with the
key column compressed as DuckDB chooses and stored uncompressed, each in a fresh file.

Part 2 (``--db``): reruns ``attrdb split``, ``attrdb dedup`` and ``attrdb vocab --scope S``
on a database (use a copy: they replace its rows, deterministically) and reports wall and
CPU seconds per stage, each a child process.

    python bench/bench_reruns.py [--rows 25000 100000 173175] [--db COPY --scope paper]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb


def delete_commit_seconds(n_rows: int, key_compression: str | None) -> float:
    """COMMIT seconds of deleting every row of an n-row splits-shaped table."""
    using = f" USING COMPRESSION '{key_compression}'" if key_compression else ""
    with tempfile.TemporaryDirectory() as folder:
        con = duckdb.connect(str(Path(folder) / "bench.duckdb"))
        con.execute(
            f"CREATE TABLE splits (product_id VARCHAR{using} PRIMARY KEY, split VARCHAR NOT NULL)"
        )
        con.execute(
            "INSERT INTO splits SELECT i || '~' || (i % 19), 'train' FROM range(?) t(i)",
            [n_rows],
        )
        con.execute("CHECKPOINT")  # stored as a database file holds it
        con.execute("BEGIN")
        con.execute("DELETE FROM splits")
        started = time.perf_counter()
        con.execute("COMMIT")
        seconds = time.perf_counter() - started
        con.close()
    return seconds


def rerun(db: Path, *stage: str) -> dict[str, float]:
    """Wall and CPU seconds of one CLI stage in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from attrdb.cli import main; main()", "--db", str(db), "--quiet",
         *stage],
        check=True, stdout=subprocess.DEVNULL,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"wall_s": time.perf_counter() - started, "cpu_s": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[25_000, 100_000, 173_175])
    parser.add_argument("--db", type=Path, help="a copy of a migrated attrdb database")
    parser.add_argument("--scope", default="paper", help="the scope vocab reruns")
    args = parser.parse_args()
    print(f"load {os.getloadavg()[0]:.1f}; DuckDB {duckdb.__version__}")
    print("rows      DELETE commit s: key compressed / key uncompressed")
    for n_rows in args.rows:
        compressed = delete_commit_seconds(n_rows, None)
        plain = delete_commit_seconds(n_rows, "uncompressed")
        print(f"{n_rows:<9} {compressed:8.2f} / {plain:.2f}  ({compressed / plain:.0f}x)")
    if args.db:
        for stage in (("split",), ("dedup",), ("vocab", "--scope", args.scope)):
            result = rerun(args.db, *stage)
            print(f"{' '.join(stage):<22} wall {result['wall_s']:6.1f} s  "
                  f"cpu {result['cpu_s']:6.1f} s  load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
