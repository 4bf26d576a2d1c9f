"""Benchmark the divergence stage on Spark (local) against DuckDB, from Myntra size upwards.

Needs a database that went through vocab, split and extract (default: the Myntra pipeline
database /tmp/myntra_pipeline.duckdb, 4,637 images with activations). It is copied; the
source is never changed. For each size (the database as it is, then its activation rows,
splits, scope membership and words replicated to each --sizes value, as
bench/bench_divergence.py does for the paper's scale):

  duckdb   attrdb.divergence.run_divergence in this process (DuckDB, 2 threads);
  export   attrdb export of what the Spark plan reads (Parquet);
  spark    attrdb.scaleout.run_sql_stage_on_spark on one local[2] session (started once,
           its start-up timed apart), written to Parquet;

and checks Spark's KL against DuckDB's (largest |difference|, and whether every prime
unit agrees). CPU seconds count this process (DuckDB) or the Spark JVM (Spark).

    python bench/bench_spark.py [--db PATH] [--sizes 20000 173175] [--driver-memory 8g]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

DEFAULT_DB = Path("/tmp/myntra_pipeline.duckdb")


def _jvm_cpu() -> float:
    """CPU seconds of this process's child processes still running (the Spark JVM)."""
    me, total = os.getpid(), 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def replicate(db: Path, n_products: int) -> int:
    """Replicate the activation rows (with split, scope membership, words) to n_products."""
    con = duckdb.connect(str(db))
    n_base = con.execute("SELECT count(*) FROM activation_vectors").fetchall()[0][0]
    con.execute(
        "CREATE TEMP TABLE replicas AS "
        "SELECT b.product_id, b.product_id || '~' || r.r AS copy_id FROM "
        "(SELECT product_id, row_number() OVER (ORDER BY product_id) - 1 AS i "
        " FROM activation_vectors) AS b, range(1, ?) AS r(r) WHERE r.r * ? + b.i < ?",
        [-(-n_products // n_base), n_base, n_products],
    )
    for sql in (
        "INSERT INTO activation_vectors SELECT a.model_id, r.copy_id, a.vals "
        "FROM activation_vectors AS a JOIN replicas AS r USING (product_id)",
        "INSERT INTO splits SELECT r.copy_id, s.split FROM splits AS s "
        "JOIN replicas AS r USING (product_id)",
        "INSERT INTO scope_products SELECT s.scope, r.copy_id FROM scope_products AS s "
        "JOIN replicas AS r USING (product_id)",
        "INSERT INTO word_products SELECT w.scope, w.word, r.copy_id "
        "FROM word_products AS w JOIN replicas AS r USING (product_id)",
    ):
        con.execute(sql)
    n = con.execute("SELECT count(*) FROM activation_vectors").fetchall()[0][0]
    con.execute("CHECKPOINT")
    con.close()
    return int(n)


def run_duckdb(db: Path) -> dict[str, Any]:
    from attrdb.connection import connect
    from attrdb.divergence import run_divergence

    con = connect(db, threads=2)
    cpu, started = _own_cpu(), time.perf_counter()
    summary = run_divergence(con)
    wall = time.perf_counter() - started
    con.close()
    return {"wall_s": wall, "cpu_s": _own_cpu() - cpu, "n_products": summary["n_products"]}


def run_spark(engine: Any, db: Path, work: Path) -> dict[str, Any]:
    from attrdb.connection import connect
    from attrdb.scaleout import export_for_stages, run_sql_stage_on_spark

    con = connect(db, read_only=True)
    started = time.perf_counter()
    export_for_stages(con, ["divergence"], work / "in", overwrite=True)
    export_s = time.perf_counter() - started
    con.close()
    cpu, started = _jvm_cpu(), time.perf_counter()
    run_sql_stage_on_spark(["divergence"], work / "in", work / "out", engine=engine, overwrite=True)
    return {
        "wall_s": time.perf_counter() - started,
        "cpu_s": _jvm_cpu() - cpu,
        "export_s": export_s,
    }


def compare(db: Path, out: Path) -> tuple[float, bool]:
    """Largest |KL difference| Spark vs DuckDB, and whether all prime units agree."""
    con = duckdb.connect(str(db), read_only=True)
    kl = con.execute(
        "SELECT max(abs(d.kl - s.kl)), count(*) = (SELECT count(*) FROM unit_word_divergence) "
        "FROM unit_word_divergence AS d "
        "JOIN read_parquet(? || '/unit_word_divergence.parquet/*.parquet') AS s "
        "USING (model_id, scope, word, unit_id)",
        [str(out)],
    ).fetchall()[0]
    primes = con.execute(
        "SELECT count(*) FROM prime_units AS d "
        "FULL JOIN read_parquet(? || '/prime_units.parquet/*.parquet') AS s "
        "USING (model_id, scope, word, rank) WHERE d.unit_id IS DISTINCT FROM s.unit_id",
        [str(out)],
    ).fetchall()[0][0]
    con.close()
    return float(kl[0]), bool(kl[1]) and primes == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--sizes", type=int, nargs="*", default=[20_000, 173_175])
    parser.add_argument("--driver-memory", default="8g")
    args = parser.parse_args()
    if not args.db.is_file():
        raise SystemExit(f"{args.db} not found: run the pipeline through extract first")
    from attrdb.engines.spark import SparkEngine

    with tempfile.TemporaryDirectory(prefix="bench-spark-") as tmp:
        work = Path(tmp)
        db = work / "bench.duckdb"
        shutil.copy(args.db, db)
        from attrdb.connection import connect

        connect(db, upgrade=True).close()
        started = time.perf_counter()
        engine = SparkEngine.start(
            "local[2]", conf={"spark.driver.memory": args.driver_memory}, app_name="bench"
        )
        start_s = time.perf_counter() - started
        print(f"Spark local[2] session start: {start_s:.1f} s (load {os.getloadavg()[0]:.1f})")
        print(
            f"{'products':>9} {'train':>7} {'duckdb s':>9} {'cpu s':>7} {'export s':>9} "
            f"{'spark s':>8} {'jvm cpu':>8} {'ratio':>6} {'max|dKL|':>9} primes"
        )
        try:
            for size in [0, *args.sizes]:
                n = replicate(db, size) if size else None
                duck = run_duckdb(db)
                spark = run_spark(engine, db, work)
                diff, same = compare(db, work / "out")
                label = n or duckdb.connect(str(db), read_only=True).execute(
                    "SELECT count(*) FROM activation_vectors"
                ).fetchall()[0][0]
                print(
                    f"{label:>9} {duck['n_products']:>7} {duck['wall_s']:>9.1f} "
                    f"{duck['cpu_s']:>7.1f} {spark['export_s']:>9.1f} {spark['wall_s']:>8.1f} "
                    f"{spark['cpu_s']:>8.1f} {spark['wall_s'] / duck['wall_s']:>6.1f} "
                    f"{diff:>9.1e} {'same' if same else 'DIFFER'}  "
                    f"(load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )
        finally:
            engine.close()


if __name__ == "__main__":
    main()
