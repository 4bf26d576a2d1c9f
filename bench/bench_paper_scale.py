"""The paper's size end to end: every SQL stage on 173,175 products, on DuckDB and on Spark.

Builds a database of --products listings (default 173,175, the paper's Etsy size) from the
real Myntra rows of a base database (default /work/team/myntra_base.duckdb, copied; never
written), then runs the SQL stages on it, each in its own process, on DuckDB and on Spark
``local[2]``, and reports wall seconds, CPU seconds and peak memory per stage.

How the rows are replicated (deterministic):

- products: every base product (all ingested rows, near-duplicates included, so dedup sees
  the catalogue's real duplicate structure) is copied into replicas r = 1, 2, ... until
  --products rows exist; replica r of product p is ``p~r`` in shop ``shop~r`` (dedup is per
  shop, so replicas never merge with their originals: each replica shop has the original
  shop's structure). Replica 0 is the base row itself. Title, description, category,
  metadata and image path are the original's.
- tokens, text_lines, tokenized_products: the original's rows under the replica's id (spaCy is
  not rerun).
- activation_vectors: every product gets one, as ``attrdb extract --all-products`` would:
  the original's vector, or, for a base product that has none (it was removed as a
  near-duplicate before extraction), the vector of its duplicate group's kept product;
  replicas r >= 1 multiply each value by (1 + --noise * e), e ~ N(0, 1) from
  numpy.random.default_rng([--seed, r]) (zeros stay zeros, so ReLU sparsity is kept).

Stages (--stages): dedup, vocab, split, divergence, depth run on DuckDB (each a child
process running the CLI in-process; peak = its VmHWM, CPU = its user + system time).
vocab, divergence and depth use the scope ``paper`` (boilerplate kept, random negatives:
the paper's settings and the only divergence the Spark plan computes). Then the Spark
stages (dedup, split, divergence, depth; vocab has no Spark plan) run from an export of the
DuckDB database, in one child process holding one local[2] session, one stage at a time;
per stage: wall, CPU of the JVM and of the Python driver, and the JVM's peak resident
memory (VmHWM, reset between stages through /proc/PID/clear_refs). Every result is
appended to <out>/results.jsonl as soon as it is measured, so a long Spark run leaves its
finished stages behind.

    python bench/bench_paper_scale.py [--base PATH] [--products 173175] [--work DIR]
        [--out /work/team/bench/scale] [--engines duckdb spark] [--stages ...]
        [--skip-build] [--spark-stages divergence depth split dedup]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_BASE = Path("/work/team/myntra_base.duckdb")
DEFAULT_WORK = Path("/tmp/paper_scale")
DEFAULT_OUT = Path("/work/team/bench/scale")
PAPER_PRODUCTS = 173_175
SCOPE = "paper"
DUCKDB_STAGES = ("dedup", "vocab", "split", "divergence", "depth")
SPARK_STAGES = ("divergence", "depth", "split", "dedup")
REPLICATED = ("products", "tokens", "text_lines", "tokenized_products")


# --- measurement ----------------------------------------------------------------------


def _status_kb(pid: int | str, field: str) -> int:
    """A ``kB`` field of /proc/PID/status (0 when the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _descendants(root: int) -> list[int]:
    """Processes below ``root`` (the Spark JVM and its helpers)."""
    parents: dict[int, list[int]] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _record(out: Path, row: dict[str, Any]) -> None:
    row = {**row, "load": os.getloadavg()[0], "at": time.strftime("%H:%M:%S")}
    with (out / "results.jsonl").open("a") as f:
        f.write(json.dumps(row, default=str) + "\n")
    print(json.dumps(row, default=str), flush=True)


# --- build ----------------------------------------------------------------------------


def build(base: Path, target: Path, n_products: int, noise: float, seed: int) -> dict[str, Any]:
    """Copy ``base`` and replicate its listings to ``n_products`` (module docstring)."""
    import pyarrow as pa

    from attrdb.connection import connect

    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(base, target)
    con = connect(target, upgrade=True)
    n_base = con.execute("SELECT count(*) FROM products").fetchall()[0][0]
    n_replicas = -(-n_products // n_base)
    con.execute(
        "CREATE TEMP TABLE replicas AS "
        "SELECT b.product_id, r.r, b.product_id || '~' || r.r AS copy_id FROM "
        "(SELECT product_id, row_number() OVER (ORDER BY product_id) - 1 AS i FROM products) "
        "AS b, range(1, ?) AS r(r) WHERE r.r * ? + b.i < ?",
        [n_replicas, n_base, n_products],
    )
    con.execute(
        "INSERT INTO products SELECT p.* REPLACE (r.copy_id AS product_id, "
        "p.shop || '~' || r.r AS shop) FROM products AS p JOIN replicas AS r USING (product_id)"
    )
    for table in REPLICATED[1:]:
        con.execute(
            f"INSERT INTO {table} SELECT t.* REPLACE (r.copy_id AS product_id) "
            f"FROM {table} AS t JOIN replicas AS r USING (product_id)"
        )
    # The source vector of every base product: its own, else its duplicate group's kept one.
    model_id = con.execute("SELECT model_id FROM models").fetchall()[0][0]
    sources = con.execute(
        "SELECT g.product_id, coalesce(own.vals, kept.vals) AS vals "
        "FROM duplicate_groups AS g "
        "LEFT JOIN activation_vectors AS own ON own.product_id = g.product_id "
        "AND own.model_id = ? "
        "LEFT JOIN duplicate_groups AS k ON k.group_id = g.group_id AND k.kept "
        "LEFT JOIN activation_vectors AS kept ON kept.product_id = k.product_id "
        "AND kept.model_id = ? ORDER BY g.product_id",
        [model_id, model_id],
    ).to_arrow_table()
    missing = sources.column("vals").null_count
    sources = sources.filter(sources.column("vals").is_valid())
    ids = sources.column("product_id").to_pylist()
    vals = sources.column("vals").combine_chunks()
    base_acts = vals.flatten().to_numpy().reshape(len(vals), -1).astype(np.float32)
    have = set(con.execute(
        "SELECT product_id FROM activation_vectors WHERE model_id = ?", [model_id]
    ).fetchall())
    index = {pid: i for i, pid in enumerate(ids)}
    replicas = con.execute("SELECT product_id, r, copy_id FROM replicas ORDER BY r").fetchall()
    by_replica: dict[int, list[tuple[str, str]]] = {0: [(p, p) for p in ids if (p,) not in have]}
    for pid, r, copy_id in replicas:
        if pid in index:
            by_replica.setdefault(int(r), []).append((pid, copy_id))
    n_units = base_acts.shape[1]
    for r, rows in sorted(by_replica.items()):
        if not rows:
            continue
        take = np.array([index[p] for p, _ in rows])
        acts = base_acts[take]
        if r:
            rng = np.random.default_rng([seed, r])
            acts = acts * (1 + noise * rng.standard_normal(acts.shape, dtype=np.float32))
        table = pa.table({
            "product_id": [c for _, c in rows],
            "vals": pa.ListArray.from_arrays(
                pa.array(np.arange(0, acts.size + 1, n_units, dtype=np.int32)),
                pa.array(acts.astype(np.float32).ravel()),
            ),
        })
        con.register("new_vectors", table)
        con.execute("INSERT INTO activation_vectors SELECT ?, product_id, vals FROM new_vectors",
                    [model_id])
        con.unregister("new_vectors")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
              for t in (*REPLICATED, "activation_vectors")}
    con.execute("CHECKPOINT")
    con.close()
    return {"stage": "build", "engine": "-", "n_base_products": int(n_base),
            "n_replicas": int(n_replicas), "rows": counts, "base_without_vector": int(missing),
            "noise": noise, "seed": seed, "wall_s": round(time.perf_counter() - started, 1),
            "db_bytes": target.stat().st_size}


# --- DuckDB stages (child processes) ----------------------------------------------------


def duckdb_args(stage: str, db: Path) -> list[str]:
    """The CLI arguments of a DuckDB stage on the scale database."""
    scoped = ["--scope", SCOPE] if stage in ("vocab", "divergence", "depth") else []
    return ["--db", str(db), "--quiet", stage, *scoped]


def child_cli(argv: list[str]) -> None:
    """Run one CLI command in this process, then print its wall, CPU and VmHWM."""
    from attrdb.cli import main as cli_main

    started, cpu = time.perf_counter(), _self_cpu()
    code = 0
    try:
        cli_main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    print(json.dumps({"exit": code, "wall_s": round(time.perf_counter() - started, 2),
                      "cpu_s": round(_self_cpu() - cpu, 2),
                      "peak_gb": round(_status_kb("self", "VmHWM") / 1024**2, 3)}))


def run_duckdb(db: Path, stages: list[str], out: Path, memory_limit: str | None) -> None:
    from attrdb.connection import connect
    from attrdb.context.scopes import ScopeDefinition, define_scope

    env = {**os.environ}
    if memory_limit:
        env["ATTRDB_MEMORY_LIMIT"] = memory_limit
    con = connect(db, upgrade=True)
    if not con.execute("SELECT 1 FROM scopes WHERE scope = ?", [SCOPE]).fetchall():
        define_scope(con, SCOPE, ScopeDefinition(boilerplate="keep", negatives="random",
                                                 location_words="keep"))
    con.close()
    for stage in stages:
        connect(db, upgrade=True).close()  # other work may have added a migration meanwhile
        proc = subprocess.run(
            [sys.executable, __file__, "--child-cli", *duckdb_args(stage, db)],
            capture_output=True, text=True, env=env,
        )
        lines = proc.stdout.strip().splitlines()
        result = json.loads(lines[-1]) if lines else {"exit": proc.returncode}
        _record(out, {"stage": stage, "engine": "duckdb", **result,
                      "memory_limit": memory_limit, "output": lines[:-1][-3:],
                      "error": proc.stderr.strip().splitlines()[-1:] if result["exit"] else []})


# --- Spark stages (one child process, one session) -------------------------------------


def child_spark(exchange: Path, work: Path, stages: list[str], out: Path, master: str,
                driver_memory: str) -> None:
    """Run the Spark stages one at a time in one session, recording each as it finishes."""
    from attrdb.engines.spark import SparkEngine
    from attrdb.scaleout import run_sql_stage_on_spark

    started = time.perf_counter()
    engine = SparkEngine.start(master, conf={"spark.driver.memory": driver_memory})
    me = os.getpid()
    _record(out, {"stage": "session_start", "engine": "spark",
                  "wall_s": round(time.perf_counter() - started, 1)})
    try:
        for stage in stages:
            jvms = _descendants(me)
            for pid in jvms:  # reset each JVM's peak RSS so the peak is this stage's
                try:
                    Path(f"/proc/{pid}/clear_refs").write_text("5")
                except OSError:
                    pass
            jvm_cpu = sum(_proc_cpu(p) for p in jvms)
            cpu, wall = _self_cpu(), time.perf_counter()
            row: dict[str, Any] = {"stage": stage, "engine": "spark", "master": master}
            try:
                result = run_sql_stage_on_spark(
                    [stage], exchange, work / f"spark_out_{stage}", engine=engine,
                    scope=SCOPE, overwrite=True,
                )
                summary = result["stages"].get(stage, {})
                row["summary"] = {k: v for k, v in summary.items() if k != "skipped"}
                row["exit"] = 0
            except Exception as exc:  # recorded, and the next stage still runs
                row.update(exit=1, error=f"{type(exc).__name__}: {str(exc)[:300]}")
            jvms = _descendants(me)
            row.update(
                wall_s=round(time.perf_counter() - wall, 1),
                cpu_s=round(sum(_proc_cpu(p) for p in jvms) - jvm_cpu + _self_cpu() - cpu, 1),
                jvm_peak_gb=round(sum(_status_kb(p, "VmHWM") for p in jvms) / 1024**2, 3),
                driver_peak_gb=round(_status_kb("self", "VmHWM") / 1024**2, 3),
            )
            _record(out, row)
    finally:
        engine.close()


def export_for_spark(db: Path, exchange: Path, out: Path) -> None:
    from attrdb.connection import connect
    from attrdb.scaleout import export_for_stages

    started = time.perf_counter()
    con = connect(db, upgrade=True, read_only=False)
    export_for_stages(con, list(SPARK_STAGES), exchange, overwrite=True)
    con.close()
    _record(out, {"stage": "export", "engine": "spark",
                  "wall_s": round(time.perf_counter() - started, 1),
                  "bytes": sum(f.stat().st_size for f in exchange.rglob("*") if f.is_file())})


# --- main -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=DEFAULT_BASE)
    parser.add_argument("--products", type=int, default=PAPER_PRODUCTS)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark"])
    parser.add_argument("--stages", nargs="+", default=list(DUCKDB_STAGES))
    parser.add_argument("--spark-stages", nargs="+", default=list(SPARK_STAGES))
    parser.add_argument("--noise", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--memory-limit", default=None, help="ATTRDB_MEMORY_LIMIT for DuckDB")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="6g")
    parser.add_argument("--child-cli", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.add_argument("--child-spark", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_cli is not None:
        child_cli(args.child_cli)
        return
    db, exchange = args.work / "scale.duckdb", args.work / "exchange"
    args.out.mkdir(parents=True, exist_ok=True)
    if args.child_spark:
        child_spark(exchange, args.work, args.spark_stages, args.out, args.master,
                    args.driver_memory)
        return
    if not args.skip_build:
        if not args.base.is_file():
            raise SystemExit(f"{args.base} not found (the lead's Myntra base database)")
        _record(args.out, build(args.base, db, args.products, args.noise, args.seed))
    if "duckdb" in args.engines:
        run_duckdb(db, args.stages, args.out, args.memory_limit)
    if "spark" in args.engines:
        export_for_spark(db, exchange, args.out)
        subprocess.run([sys.executable, __file__, "--child-spark", "--work", str(args.work),
                        "--out", str(args.out), "--master", args.master,
                        "--driver-memory", args.driver_memory,
                        "--spark-stages", *args.spark_stages], check=False)


if __name__ == "__main__":
    main()
