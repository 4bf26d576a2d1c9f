"""Measure attributes over time on a real catalogue: windows, trends, incremental update.

Usage:
    python bench/bench_timewindows.py --db PIPELINE.duckdb [--field metadata.catalog_add_date]
        [--period month] [--scope default] [--divergence]

The database must have been through vocab, split and extract, and the time field must be
in products.metadata (Myntra: ingest with --metadata-columns ...,catalog_add_date,year).
``--divergence`` runs the divergence stage first (the windows use its bin edges and null);
the file is changed, so pass a copy. Steps, timed in this process:

1. Hold back the newest period: its products leave scope_products and word_products (as if
   not yet ingested), and every window is computed (first run: everything counted).
2. Put them back and run again: only the new period is counted and its window computed
   (incremental). Then a forced run recounts and recomputes every window (full recompute),
   and the two results are compared row by row (identical doubles expected).
3. Prints per-window sizes (products, words with results), the strongest rising and falling
   words (time_window_trends) and the words whose peak layer moved (time_layer_shifts).
"""

from __future__ import annotations

import argparse
import os
import time

from attrdb.connection import connect
from attrdb.divergence import resolve_model, run_divergence
from attrdb.sqlfiles import query_sql_file
from attrdb.timewindows import run_timewindows


def _results(con, window_set: str) -> list[tuple]:
    return con.execute(
        "SELECT * EXCLUDE (run_id) FROM time_window_words WHERE window_set = ? ORDER BY ALL",
        [window_set]).fetchall() + con.execute(
        "SELECT * FROM time_window_prime_units WHERE window_set = ? ORDER BY ALL",
        [window_set]).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--scope", default="default")
    parser.add_argument("--field", default="metadata.catalog_add_date")
    parser.add_argument("--period", default="month")
    parser.add_argument("--divergence", action="store_true")
    parser.add_argument("--n", type=int, default=10, help="trend words shown per direction")
    parser.add_argument("--report-only", action="store_true",
                        help="print the results of a finished run, computing nothing")
    args = parser.parse_args()
    con = connect(args.db)
    if args.report_only:
        found = query_sql_file(con, "timewindows/summary", {
            "model_id": resolve_model(con, None), "scope": args.scope,
            "window_set": args.period, "n": 5})
        report(con, args.period, [{"window": w, "n_products": p, "n_words": k, "top_words": t}
                                  for w, p, k, t in found], args.n)
        return
    if args.divergence:
        start = time.perf_counter()
        s = run_divergence(con, scope=args.scope)
        print(f"divergence: {s['n_words']} words in {time.perf_counter() - start:.1f} s")
    common = {"time_field": args.field, "period": args.period, "scope": args.scope}
    name = args.period
    # The stage's own period assignment (sql/timewindows/products.sql) finds the newest
    # period and its products, which are held back as if not yet ingested.
    query_sql_file(con, "timewindows/products", {
        "model_id": resolve_model(con, None), "scope": args.scope, "field": args.field,
        "period": args.period, "split": "all"})
    newest = con.execute("SELECT max(period) FROM tw_products").fetchall()[0][0]
    con.execute("CREATE TEMP TABLE held_products AS SELECT product_id FROM tw_products "
                "WHERE period = ?", [newest])
    held = con.execute("SELECT count(*) FROM held_products").fetchall()[0][0]
    con.execute("CREATE TEMP TABLE held_sp AS SELECT * FROM scope_products WHERE scope = ? "
                "AND product_id IN (SELECT product_id FROM held_products)", [args.scope])
    con.execute("CREATE TEMP TABLE held_wp AS SELECT * FROM word_products WHERE scope = ? "
                "AND product_id IN (SELECT product_id FROM held_products)", [args.scope])
    con.execute("DELETE FROM scope_products WHERE scope = ? AND product_id IN "
                "(SELECT product_id FROM held_products)", [args.scope])
    con.execute("DELETE FROM word_products WHERE scope = ? AND product_id IN "
                "(SELECT product_id FROM held_products)", [args.scope])
    start = time.perf_counter()
    before = run_timewindows(con, **common)
    t_before = time.perf_counter() - start
    print(f"{before['n_dated'] + held} dated products ({before['n_undated']} undated); "
          f"without the newest period {newest} ({held} products held back): "
          f"{before['n_windows']} windows, {before['n_recounted']} periods counted in "
          f"{t_before:.2f} s")
    con.execute("INSERT INTO scope_products SELECT * FROM held_sp")
    con.execute("INSERT INTO word_products SELECT * FROM held_wp")
    os.sched_yield()
    load = os.getloadavg()[0]
    start = time.perf_counter()
    inc = run_timewindows(con, **common)
    t_inc = time.perf_counter() - start
    incremental = _results(con, name)
    start = time.perf_counter()
    full = run_timewindows(con, **common, force=True)
    t_full = time.perf_counter() - start
    identical = _results(con, name) == incremental
    print(f"incremental ({newest} added): {inc['n_recounted']} period counted, "
          f"{inc['n_recomputed']} window computed, {t_inc:.2f} s {inc['seconds']}")
    print(f"full recompute: {full['n_recounted']} periods, {full['n_recomputed']} windows, "
          f"{t_full:.2f} s {full['seconds']}; ratio {t_full / t_inc:.1f}x; identical rows: "
          f"{identical} ({len(incremental)} rows); load average {load:.2f}")
    report(con, name, full["windows"], args.n)
    con.close()


def report(con, name: str, windows: list[dict], n: int) -> None:
    """Per-window sizes, the strongest trends and the peak-layer shifts of a window set."""
    print("\nwindow\tproducts\twords\ttop words (max kl_z)")
    for w in windows:
        print(f"{w['window']}\t{w['n_products']}\t{w['n_words']}\t{', '.join(w['top_words'])}")
    for direction in ("rising", "falling"):
        rows = con.execute(
            "SELECT word, n_windows, round(slope, 3), round(t, 2), round(first_value, 2), "
            "round(last_value, 2), min_n_pos FROM time_window_trends "
            "WHERE window_set = ? AND direction = ? ORDER BY abs(t) DESC LIMIT ?",
            [name, direction, n]).fetchall()
        n_dir = con.execute("SELECT count(*) FROM time_window_trends WHERE window_set = ? "
                            "AND direction = ?", [name, direction]).fetchall()[0][0]
        print(f"\n{direction}: {n_dir} words (word, windows, slope, t, first, last, min n+)")
        for row in rows:
            print("  " + "\t".join(str(x) for x in row))
    n_total, n_shifted = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE shifted) FROM time_layer_shifts "
        "WHERE window_set = ? AND n_windows >= 3", [name]).fetchall()[0]
    print(f"\npeak layer moved between first and last window: {n_shifted} of {n_total} words "
          "with >= 3 windows")
    for row in con.execute(
            "SELECT word, n_windows, first_layer, last_layer, n_layers FROM time_layer_shifts "
            "WHERE window_set = ? AND n_windows >= 3 AND shifted ORDER BY abs(layer_change) DESC, "
            "word LIMIT ?", [name, n]).fetchall():
        print("  " + "\t".join(str(x) for x in row))


if __name__ == "__main__":
    main()
