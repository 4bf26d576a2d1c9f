"""Benchmark `attrdb divergence`: SQL against vectorised numpy, and a run at the paper's size.

Needs a database that went through vocab, split and extract (default: the Myntra pipeline
database /tmp/myntra_pipeline.duckdb). It is copied first (and migrated); the source is never
changed. The runs use --scope (default `paper`, created on the copy with boilerplate kept
and random negatives, then `vocab` on it when missing: the stage's counts/kl path, which
category-matched scopes do not take) and --null-draws pseudo-words per word (default 1,
the stage's default; numpy counts them too, so both sides do the same work) on the
products of --split (default `train`, the paper's and the issue's; the stage's own default
is train+val), the same for SQL and numpy.

  1. Every kept word (and pseudo-word) x every unit of the training images, for each
     --bins value: the SQL stage (`run_divergence`: binning, histograms, KL, null, prime
     units, written to the database), then each --methods numpy implementation on the same
     activations and D+ sets, loaded from the database beforehand (loading not timed):
       numpy-matmul: one matrix product per bin, (words x products) @ (products x units)
                     one-hot, the lead's reference;
       numpy-bincount: per word, np.bincount of the positives' (unit, bin) codes.
     Each runs in its own process (peak memory = its VmHWM) and --repeat times, SQL and
     numpy interleaved (the machine is shared: each numpy line prints the ratio of the SQL
     binning + histogram phases to the numpy run right after it, and the load). The numpy
     KL is checked against the SQL rows (max |difference|).
  2. Scale: the activation rows (with their splits, scope and words) replicated to
     --scale products (default 173,175, the paper's Etsy size), then the SQL stage once
     (with --memory-limit as DuckDB's memory_limit; and, with --numpy-scale, numpy).

    python bench/bench_divergence.py [--db PATH] [--scope paper] [--null-draws 1] [--split train]
        [--bins 32 16] [--methods bincount matmul] [--repeat 2] [--scale 173175]
        [--scale-bins 16] [--threads 2] [--memory-limit 2.5GB] [--skip-scale]
        [--numpy-scale]

One SQL run on an existing database (as in docs/scale.md; PYTHONPATH=. so this tree's
attrdb is imported; arguments: bins, scope, pseudo-words per word, split, threads, memory
limit ("-" = none) and unit_block, default auto):

    PYTHONPATH=. python bench/bench_divergence.py --worker sql DB 16 paper 1 train 2 - 2096
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_DB = Path("/tmp/myntra_pipeline.duckdb")
PAPER_PRODUCTS = 173_175


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_gb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would include the parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024**2
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


# --- numpy implementations ----------------------------------------------------------------


def numpy_bins(acts: np.ndarray, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Equal-width bins between each unit's min and max (the stage's edges and rule)."""
    lo = acts.min(axis=0).astype(np.float64)
    hi = acts.max(axis=0).astype(np.float64)
    constant = hi - lo <= 1e-9 * np.maximum(np.abs(lo), np.abs(hi))
    width = np.where(constant, 1.0, (hi - lo) / n_bins)
    bins = np.empty(acts.shape, dtype=np.int16)
    for start in range(0, acts.shape[1], 256):  # blocks of units bound the float64 copies
        cols = slice(start, start + 256)
        values = acts[:, cols].astype(np.float64)
        low, step = lo[cols], width[cols]
        guess = np.clip(np.floor((values - low) / step), 0, n_bins - 1)
        guess -= values < low + guess * step
        guess += (guess < n_bins - 1) & (values >= low + (guess + 1) * step)
        bins[:, cols] = guess
    return bins, constant


def _kl(pos: np.ndarray, total: np.ndarray, n_pos: np.ndarray, n_all: int,
        smoothing: float) -> np.ndarray:
    n_bins = pos.shape[-1]
    shape = (-1,) + (1,) * (pos.ndim - 1)
    p = (1 - smoothing) * pos / n_pos.reshape(shape) + smoothing / n_bins
    q = (1 - smoothing) * (total - pos) / (n_all - n_pos).reshape(shape) + smoothing / n_bins
    return ((p - q) * np.log(p / q)).sum(axis=-1)


def numpy_matmul(acts: np.ndarray, members: list[np.ndarray], n_bins: int,
                 smoothing: float) -> np.ndarray:
    """KL (words x units) with one (words x products) @ (products x units) product per bin."""
    bins, constant = numpy_bins(acts, n_bins)
    n, n_units = acts.shape
    incidence = np.zeros((len(members), n), dtype=np.float32)
    for w, rows in enumerate(members):
        incidence[w, rows] = 1.0
    pos = np.empty((len(members), n_units, n_bins), dtype=np.float32)
    total = np.empty((n_units, n_bins), dtype=np.float32)
    for b in range(n_bins):
        onehot = (bins == b).astype(np.float32)
        pos[:, :, b] = incidence @ onehot
        total[:, b] = onehot.sum(axis=0)
    n_pos = incidence.sum(axis=1).astype(np.float64)
    kl = _kl(pos.astype(np.float64), total.astype(np.float64), n_pos, n, smoothing)
    kl[:, constant] = 0.0
    return kl


def numpy_bincount(acts: np.ndarray, members: list[np.ndarray], n_bins: int,
                   smoothing: float) -> np.ndarray:
    """KL (words x units) with one np.bincount of (unit, bin) codes per word."""
    bins, constant = numpy_bins(acts, n_bins)
    n, n_units = acts.shape
    codes = bins.astype(np.int32) + (np.arange(n_units, dtype=np.int32) * n_bins)
    total = np.bincount(codes.ravel(), minlength=n_units * n_bins).reshape(n_units, n_bins)
    kl = np.empty((len(members), n_units))
    for w, rows in enumerate(members):
        pos = np.bincount(codes[rows].ravel(), minlength=n_units * n_bins)
        kl[w] = _kl(pos.reshape(n_units, n_bins), total, np.array([len(rows)]), n, smoothing)
    kl[:, constant] = 0.0
    return kl


# --- workers (one process each) -----------------------------------------------------------


def worker_sql(db: str, n_bins: int, threads: int, scope: str, null_draws: int, split: str,
               memory_limit: str | None, unit_block: int | None = None) -> dict[str, Any]:
    from attrdb.connection import connect
    from attrdb.divergence import run_divergence

    con = connect(db, threads=threads, upgrade=True)
    if memory_limit:
        con.execute("SET memory_limit = ?", [memory_limit])
    started, cpu = time.perf_counter(), _cpu()
    summary = run_divergence(con, scope=scope, n_bins=n_bins, null_draws=null_draws, split=split,
                             unit_block=unit_block)
    wall, cpu = time.perf_counter() - started, _cpu() - cpu
    con.close()
    return {"wall_s": wall, "cpu_s": cpu, "peak_gb": _peak_gb(), "summary": summary}


def _load(db: str, scope: str, null_draws: int, split: str
          ) -> tuple[np.ndarray, list[np.ndarray], list[str], Any]:
    """The stage's universe and kept words (with its pseudo-words), via its own SQL files
    (not timed)."""
    from attrdb.connection import connect
    from attrdb.divergence import DEFAULT_MIN_NEGATIVES, DEFAULT_MIN_POSITIVES, resolve_model
    from attrdb.sqlfiles import query_sql_file

    con = connect(db, upgrade=True)
    model_id = resolve_model(con, None)
    query_sql_file(con, "divergence/universe",
                   {"model_id": model_id, "scope": scope, "split": split})
    table = con.execute(
        "SELECT a.vals FROM divergence_universe AS u JOIN activation_vectors AS a "
        "ON a.product_id = u.product_id AND a.model_id = ? ORDER BY u.pidx", [model_id]
    ).to_arrow_table()
    vals = table.column("vals").combine_chunks()
    acts = vals.flatten().to_numpy().reshape(len(vals), -1)
    query_sql_file(con, "divergence/words", {
        "scope": scope, "min_positives": DEFAULT_MIN_POSITIVES,
        "min_negatives": DEFAULT_MIN_NEGATIVES, "null_draws": null_draws, "null_seed": 0,
        "match_field": None, "match_shop": False,
    })
    kept = [str(r[0]) for r in con.execute(
        "SELECT word FROM divergence_words ORDER BY widx").fetchall()]
    rows = dict(con.execute(
        "SELECT word, list(pidx) FROM divergence_positives GROUP BY word"
    ).fetchall())
    members = [np.array(rows[w], dtype=np.int64) for w in kept]
    return acts, members, kept, con


def worker_numpy(db: str, n_bins: int, method: str, scope: str, null_draws: int, split: str
                 ) -> dict[str, Any]:
    from attrdb.divergence import DEFAULT_SMOOTHING

    started = time.perf_counter()
    acts, members, words, con = _load(db, scope, null_draws, split)
    load_s = time.perf_counter() - started
    compute = {"matmul": numpy_matmul, "bincount": numpy_bincount}[method]
    started, cpu = time.perf_counter(), _cpu()
    kl = compute(acts, members, n_bins, DEFAULT_SMOOTHING)
    wall, cpu = time.perf_counter() - started, _cpu() - cpu
    sql = con.execute(
        "SELECT word, unit_id, kl FROM unit_word_divergence WHERE scope = ? "
        "ORDER BY word, unit_id", [scope]
    ).fetchnumpy()
    con.close()
    diff = None
    index = {w: i for i, w in enumerate(words)}
    if len(sql["kl"]) and all(w in index for w in sql["word"]):
        rows = np.array([index[w] for w in sql["word"]])
        diff = float(np.abs(kl[rows, sql["unit_id"]] - sql["kl"]).max())
    return {"wall_s": wall, "cpu_s": cpu, "peak_gb": _peak_gb(), "load_s": load_s,
            "max_abs_diff_vs_sql": diff, "n_products": int(acts.shape[0]),
            "n_units": int(acts.shape[1]), "n_words": len(words)}


def _spawn(*args: str, threads: int) -> dict[str, Any]:
    # numpy's BLAS gets as many threads as DuckDB: the same cores for both.
    env = {**os.environ, "OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
    out = subprocess.run(
        [sys.executable, __file__, "--worker", *args], check=True, capture_output=True,
        text=True, env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- scale database -----------------------------------------------------------------------


def build_scale_db(source: Path, target: Path, n_products: int) -> dict[str, Any]:
    """Copy ``source`` and replicate its activation rows (with split, scope membership and
    words) to ``n_products`` products: replica r of product p is named 'p~r'."""
    from attrdb.connection import connect

    shutil.copy(source, target)
    con = connect(target, upgrade=True)
    started = time.perf_counter()
    n_base = con.execute("SELECT count(*) FROM activation_vectors").fetchall()[0][0]
    con.execute(
        "CREATE TEMP TABLE replicas AS "
        "SELECT b.product_id, b.product_id || '~' || r.r AS copy_id FROM "
        "(SELECT product_id, row_number() OVER (ORDER BY product_id) - 1 AS i "
        " FROM activation_vectors) AS b, range(1, ?) AS r(r) WHERE r.r * ? + b.i < ?",
        [-(-n_products // n_base), n_base, n_products],
    )
    con.execute(
        "INSERT INTO activation_vectors SELECT a.model_id, r.copy_id, a.vals "
        "FROM activation_vectors AS a JOIN replicas AS r USING (product_id)"
    )
    con.execute("INSERT INTO splits SELECT r.copy_id, s.split FROM splits AS s "
                "JOIN replicas AS r USING (product_id)")
    con.execute("INSERT INTO scope_products SELECT s.scope, r.copy_id FROM scope_products AS s "
                "JOIN replicas AS r USING (product_id)")
    con.execute("INSERT INTO word_products SELECT w.scope, w.word, r.copy_id "
                "FROM word_products AS w JOIN replicas AS r USING (product_id)")
    n_total = con.execute("SELECT count(*) FROM activation_vectors").fetchall()[0][0]
    con.execute("CHECKPOINT")
    con.close()
    return {"n_base": int(n_base), "n_products": int(n_total),
            "build_s": time.perf_counter() - started}


# --- main ---------------------------------------------------------------------------------


def _row(label: str, result: dict[str, Any], extra: str = "") -> str:
    return (f"{label:<24} {result['wall_s']:>8.2f} {result['cpu_s']:>8.2f} "
            f"{result['peak_gb']:>8.2f}  {extra}")


def _numpy_note(result: dict[str, Any]) -> str:
    diff = result["max_abs_diff_vs_sql"]
    shown = "n/a (word sets differ)" if diff is None else f"{diff:.2e}"
    return f"load {result['load_s']:.1f} s (not timed), max |KL - SQL| {shown}"


def prepare(db: Path, scope: str) -> None:
    """Migrate the copy and give it ``scope`` (boilerplate kept, random negatives: the
    paper's setting, whose histograms are the stage's counts/kl path) with its vocabulary."""
    from attrdb.connection import connect
    from attrdb.context.scopes import ScopeDefinition, define_scope
    from attrdb.vocab import run_vocab

    con = connect(db, upgrade=True)
    if scope != "default" and not con.execute(
        "SELECT 1 FROM scopes WHERE scope = ?", [scope]
    ).fetchall():
        define_scope(con, scope, ScopeDefinition(boilerplate="keep", negatives="random",
                                                 location_words="keep"))
        run_vocab(con, scope=scope)
    con.close()


def _phases(summary: dict[str, Any]) -> float:
    """Seconds of the binning and histogram phases (the part numpy-bincount replaces)."""
    seconds = summary["seconds"]
    return float(seconds.get("binning", 0.0) + seconds.get("histograms", 0.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--scope", default="paper",
                        help="scope to run on; created (random negatives) when missing")
    parser.add_argument("--null-draws", type=int, default=1,
                        help="pseudo-words per word (numpy counts them too)")
    parser.add_argument("--split", default="train",
                        help="split(s) of the universe, e.g. train or train+val")
    parser.add_argument("--bins", type=int, nargs="+", default=[32, 16])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--methods", nargs="+", default=["bincount", "matmul"])
    parser.add_argument("--scale", type=int, default=PAPER_PRODUCTS)
    parser.add_argument("--scale-bins", type=int, default=16, help="bins of the scale run")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--numpy-scale", action="store_true", help="also numpy at scale")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 6GB")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, db, n_bins, scope, null_draws, split, *rest = args.worker
        if kind == "sql":
            # rest: threads [memory_limit or "-" [unit_block]]
            limit = rest[1] if len(rest) > 1 and rest[1] != "-" else None
            block = int(rest[2]) if len(rest) > 2 else None
            result = worker_sql(db, int(n_bins), int(rest[0]), scope, int(null_draws), split,
                                limit, block)
        else:
            result = worker_numpy(db, int(n_bins), rest[0], scope, int(null_draws), split)
        print(json.dumps(result, default=str))
        return
    if not args.db.is_file():
        raise SystemExit(f"{args.db} not found: run ingest, text, dedup, vocab, split and "
                         "extract on /work/shared/data/myntra first")
    mem = [args.memory_limit] if args.memory_limit else []
    common = [args.scope, str(args.null_draws), args.split]
    with tempfile.TemporaryDirectory(prefix="bench_divergence_") as tmp:
        work = Path(tmp) / "work.duckdb"
        shutil.copy(args.db, work)
        prepare(work, args.scope)
        print(f"{'run':<24} {'wall s':>8} {'cpu s':>8} {'peak GB':>8}  notes", flush=True)
        for n_bins in args.bins:
            for attempt in range(args.repeat):
                # Interleaved, SQL then each numpy method: a pair shares the machine's load.
                sql = _spawn("sql", str(work), str(n_bins), *common, str(args.threads), *mem,
                             threads=args.threads)
                s = sql["summary"]
                print(_row(f"sql bins={n_bins} #{attempt + 1}", sql,
                           f"{s['n_products']} products x {s['n_units']} units x "
                           f"{s['n_words']} words, phases {s['seconds']}, "
                           f"load {os.getloadavg()[0]:.1f}"), flush=True)
                for method in args.methods:
                    res = _spawn("numpy", str(work), str(n_bins), *common, method,
                                 threads=args.threads)
                    print(_row(f"numpy-{method} bins={n_bins} #{attempt + 1}", res,
                               _numpy_note(res) + f"; SQL binning+histograms "
                               f"{_phases(s):.2f} s = {_phases(s) / res['wall_s']:.2f}x"),
                          flush=True)
        if args.skip_scale:
            return
        scale = Path(tmp) / "scale.duckdb"
        built = build_scale_db(work, scale, args.scale)
        print(f"scale database: {built['n_base']} activation rows replicated to "
              f"{built['n_products']} products in {built['build_s']:.0f} s", flush=True)
        sql = _spawn("sql", str(scale), str(args.scale_bins), *common, str(args.threads),
                     *mem, threads=args.threads)
        s = sql["summary"]
        print(_row(f"sql scale bins={args.scale_bins}", sql,
                   f"{s['n_products']} train products x {s['n_units']} units x "
                   f"{s['n_words']} words, phases {s['seconds']}, "
                   f"load {os.getloadavg()[0]:.1f}"), flush=True)
        if args.numpy_scale:
            for method in args.methods:
                res = _spawn("numpy", str(scale), str(args.scale_bins), *common, method,
                             threads=args.threads)
                print(_row(f"numpy-{method} scale bins={args.scale_bins}", res,
                           _numpy_note(res)), flush=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
