"""Costs of reading results: snapshot publishing, the HTML report, the SQL check, no-op runs.

Usage: python bench/bench_report.py [--db DEMO_DB]

Without --db it first runs `attrdb demo` into a temporary folder (several minutes) and
reports each stage's time from that run. Prints one table of measured numbers.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from attrdb.adhoc import check_read_only
from attrdb.connection import connect
from attrdb.pipeline import demo_config, load_config, run_demo, run_pipeline
from attrdb.report import build_report
from attrdb.snapshot import publish

QUERIES = [
    "SELECT word, accuracy FROM visualness_ranking WHERE visual_rank <= 10",
    "WITH t AS (SELECT * FROM prime_unit_layers) SELECT layer, count(*) FROM t GROUP BY ALL",
    "DELETE FROM products",
    "COPY products TO 'x.csv'",
]


def _median(seconds: list[float]) -> float:
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, help="an existing demo database")
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            started = time.perf_counter()
            result = run_demo(Path(tmp) / "demo", echo=lambda _: None)
            rows.append(("demo, fresh folder (s)", f"{time.perf_counter() - started:.1f}"))
            rows += [(f"  stage {o.name} (s)", f"{o.seconds:.1f}") for o in result.outcomes]
            db = result.db
        con = connect(db)
        try:
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                snap = publish(con, db)
                times.append(time.perf_counter() - t0)
            rows.append(("database size (MB)", f"{db.stat().st_size / 1e6:.1f}"))
            rows.append(("publish snapshot, median of 3 (s)", f"{_median(times):.2f}"))
            rows.append(("snapshot size (MB)", f"{snap.stat().st_size / 1e6:.1f}"))
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                written = build_report(con, Path(tmp) / "report.html")
                times.append(time.perf_counter() - t0)
            rows.append(("build report, median of 3 (s)", f"{_median(times):.2f}"))
            rows.append(("report size (kB)", f"{written.path.stat().st_size / 1e3:.0f}"))
        finally:
            con.close()
        t0 = time.perf_counter()
        for _ in range(250):
            for query in QUERIES:
                try:
                    check_read_only(query)
                except Exception:  # refusals are part of what is timed
                    pass
        rows.append(("sqlglot read-only check per query (ms)",
                     f"{(time.perf_counter() - t0) / 1000 * 1e3:.2f}"))
        t0 = time.perf_counter()
        config = load_config(demo_config())
        config.publish = False
        rerun = run_pipeline(db, config, echo=lambda _: None)
        assert {o.action for o in rerun.outcomes} == {"skipped"}
        rows.append(("attrdb run with every stage unchanged (s)",
                     f"{time.perf_counter() - t0:.2f}"))
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
