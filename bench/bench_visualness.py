"""Benchmark the visualness stage: all words on a real catalogue, and how time scales with
the number of units and of products.

Usage:
    python bench/bench_visualness.py --db MYNTRA.duckdb [--model M] [--scope S] [--jobs 2]
        [--scaling-words 24] [--skip-full]

The database must have been through ingest, text, dedup, vocab, split, extract and
divergence. It is copied to a temporary folder first (the benchmark writes results and
scaled variants). Each measurement runs in a fresh Python process so its peak memory
(ru_maxrss of that process; joblib workers read the features through a memory map and are
not counted) is its own. Prints one table row per measurement.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    from attrdb.connection import connect
    from attrdb.visualness import VisualnessConfig, run_visualness
    args = json.loads(sys.argv[1])
    con = connect(args["db"])
    started = time.perf_counter()
    summary = run_visualness(
        con, model_id=args["model"], scope=args["scope"], words=args["words"],
        jobs=args["jobs"], progress=False, force=True, config=VisualnessConfig(),
    )
    n_predictions = con.execute(
        "SELECT count(*) FROM predictions WHERE model_id = ? AND scope = ? "
        "AND (? IS NULL OR list_contains(?, word))",
        [args["model"], args["scope"], args["words"], args["words"]],
    ).fetchall()[0][0]
    con.close()
    print(json.dumps({
        "seconds": time.perf_counter() - started,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "n_predictions": n_predictions,
        "summary": summary,
    }))
    """
)


def measure(db: Path, model: str, scope: str, words: list[str] | None, jobs: int) -> dict:
    """Run the stage once in a fresh process and return its timings and summary."""
    payload = json.dumps(
        {"db": str(db), "model": model, "scope": scope, "words": words, "jobs": jobs}
    )
    done = subprocess.run([sys.executable, "-c", _CHILD, payload], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"benchmark run failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def scaled_units(db: Path, model: str, scope: str, n_units: int) -> str:
    """Register a copy of the model restricted to its first n_units units."""
    import duckdb

    new = f"{model}__u{n_units}"
    con = duckdb.connect(str(db))
    con.execute("BEGIN TRANSACTION")
    con.execute(
        "INSERT INTO models (model_id, name, weights, weights_sha256, input_size, n_units) "
        "SELECT ?, name, weights, weights_sha256, input_size, ? FROM models WHERE model_id = ?",
        [new, n_units, model],
    )
    con.execute(
        "INSERT INTO units (model_id, unit_id, layer, layer_index, channel) "
        "SELECT ?, unit_id, layer, layer_index, channel FROM units "
        "WHERE model_id = ? AND unit_id < ?",
        [new, model, n_units],
    )
    con.execute(
        "INSERT INTO activation_vectors (model_id, product_id, vals) "
        "SELECT ?, product_id, vals[1:?] FROM activation_vectors WHERE model_id = ?",
        [new, n_units, model],
    )
    # Prime units among the kept units, re-ranked by KL.
    con.execute(
        "INSERT INTO prime_units (model_id, scope, word, unit_id, rank, kl) "
        "SELECT ?, scope, word, unit_id, "
        "row_number() OVER (PARTITION BY scope, word ORDER BY rank), kl FROM prime_units "
        "WHERE model_id = ? AND scope = ? AND unit_id < ?",
        [new, model, scope, n_units],
    )
    con.execute("COMMIT")
    con.close()
    return new


def scaled_products(db: Path, scope: str, fraction: float) -> str:
    """A scope holding a fixed hash-ordered fraction of the scope's products."""
    import duckdb

    new = f"{scope}__p{round(fraction * 100)}"
    con = duckdb.connect(str(db))
    con.execute("BEGIN TRANSACTION")
    con.execute(
        "INSERT INTO scopes (scope, definition) SELECT ?, definition FROM scopes WHERE scope = ?",
        [new, scope],
    )
    con.execute(
        "INSERT INTO scope_products (scope, product_id) SELECT ?, product_id FROM scope_products "
        "WHERE scope = ? AND md5_number(product_id) % 1000 < ?",
        [new, scope, round(fraction * 1000)],
    )
    con.execute(
        "INSERT INTO word_products (scope, word, product_id) SELECT ?, wp.word, wp.product_id "
        "FROM word_products AS wp JOIN scope_products AS sp "
        "ON sp.product_id = wp.product_id AND sp.scope = ? WHERE wp.scope = ?",
        [new, new, scope],
    )
    con.execute(
        "INSERT INTO vocabulary (scope, word, n_products, n_kind, rank, kind) "
        "SELECT ?, word, n_products, n_kind, rank, kind FROM vocabulary WHERE scope = ?",
        [new, scope],
    )
    con.execute(
        "INSERT INTO prime_units (model_id, scope, word, unit_id, rank, kl) "
        "SELECT model_id, ?, word, unit_id, rank, kl FROM prime_units WHERE scope = ?",
        [new, scope],
    )
    con.execute("COMMIT")
    con.close()
    return new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--model", default="efficientnet_lite0")
    parser.add_argument("--scope", default="default")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--scaling-words", type=int, default=24)
    parser.add_argument("--skip-full", action="store_true")
    args = parser.parse_args()

    import duckdb

    with tempfile.TemporaryDirectory(prefix="bench-visualness-") as tmp:
        db = Path(tmp) / "bench.duckdb"
        shutil.copy(args.db, db)
        con = duckdb.connect(str(db), read_only=True)
        # Scaling words: the most frequent words that have prime units.
        words = [
            r[0]
            for r in con.execute(
                "SELECT v.word FROM vocabulary AS v WHERE v.scope = ? AND EXISTS ("
                "SELECT 1 FROM prime_units AS p WHERE p.scope = v.scope AND p.word = v.word "
                "AND p.model_id = ?) ORDER BY v.rank LIMIT ?",
                [args.scope, args.model, args.scaling_words],
            ).fetchall()
        ]
        n_units = con.execute(
            "SELECT n_units FROM models WHERE model_id = ?", [args.model]
        ).fetchall()[0][0]
        con.close()

        header = (
            f"{'measurement':<28}{'products':>9}{'units':>7}{'words':>7}{'fits':>6}"
            f"{'seconds':>9}{'s/fit':>7}{'load s':>8}{'sql s':>7}{'fit s':>7}{'write s':>8}"
            f"{'peak MB':>9}{'pred. rows':>12}"
        )
        print(header)
        print("-" * len(header))

        def row(label: str, result: dict, units: int) -> None:
            s = result["summary"]
            phases = s.get("seconds_by_phase", {})
            fits = s.get("n_fitted", 0)
            per_fit = result["seconds"] / fits if fits else float("nan")
            print(
                f"{label:<28}{s.get('n_universe', 0):>9}{units:>7}{s['n_words']:>7}{fits:>6}"
                f"{result['seconds']:>9.1f}{per_fit:>7.2f}{phases.get('load', 0):>8.1f}"
                f"{phases.get('sql', 0):>7.1f}{phases.get('fit', 0):>7.1f}"
                f"{phases.get('write', 0):>8.1f}{result['peak_mb']:>9.0f}"
                f"{result['n_predictions']:>12,}",
                flush=True,
            )

        if not args.skip_full:
            row("all words", measure(db, args.model, args.scope, None, args.jobs), n_units)
        for units in sorted({n_units // 8, n_units // 4, n_units // 2, n_units}):
            model = (
                args.model if units == n_units else scaled_units(db, args.model, args.scope, units)
            )
            row(
                f"{len(words)} words, units",
                measure(db, model, args.scope, words, args.jobs),
                units,
            )
        for fraction in (0.25, 0.5):
            scope = scaled_products(db, args.scope, fraction)
            label = f"{len(words)} words, {round(fraction * 100)}% products"
            row(label, measure(db, args.model, scope, words, args.jobs), n_units)


if __name__ == "__main__":
    main()
