"""Ingestion speed and outcome counts on the full Myntra catalogue (44,441 listings).

    python bench/bench_ingest.py [--myntra DIR] [--formats parquet,csv,jsonl]

Each case ingests into a fresh database in its own process (peak RSS = that process's
ru_maxrss): the bundled sample; styles.parquet with images required (the documented
mapping, docs/ingest.md); the same with --allow-text-only; and, for CSV and JSON Lines, the
same catalogue exported by DuckDB to those formats. Prints time, rows, accepted, rejected
by reason, wall and CPU seconds (the machine is shared: CPU time is the steadier
number), peak memory and the database size.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_MYNTRA = Path(__file__).resolve().parents[2] / "shared" / "data" / "myntra"


def _case(source: str, images: str | None, text_only: bool, db: str, queue: Any) -> None:
    try:
        queue.put(_measure(source, images, text_only, db))
    except Exception as exc:  # reported by the parent, which would otherwise wait forever
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def _measure(source: str, images: str | None, text_only: bool, db: str) -> dict[str, Any]:
    import dataclasses

    from attrdb.connection import connect
    from attrdb.ingest import run_ingest
    from attrdb.ingest_config import sample_config

    config = dataclasses.replace(sample_config(), format=None)  # format from the suffix
    if images is not None:
        config = config.with_options(images_root=Path(images), allow_text_only=text_only)
    con = connect(db, create=True)
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    started = time.perf_counter()
    summary = run_ingest(con, Path(source), config)
    seconds = time.perf_counter() - started
    con.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    return {
        **summary,
        "wall": seconds,
        "cpu": cpu,
        "peak_mb": peak_mb,
        "db_mb": Path(db).stat().st_size / 2**20,
    }


def run_case(
    source: Path, images: Path | None, text_only: bool, work: Path, name: str
) -> dict[str, Any]:
    """Ingest one catalogue in a child process and return its summary and costs."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    db = work / f"{name}.duckdb"
    proc = ctx.Process(
        target=_case, args=(str(source), str(images) if images else None, text_only, str(db), queue)
    )
    proc.start()
    result = queue.get()
    proc.join()
    if "error" in result:
        sys.exit(f"{name}: {result['error']}")
    return {"case": name, **result}


def export(styles: Path, fmt: str, work: Path) -> Path:
    """The catalogue in another format, written by DuckDB (ids and text unchanged)."""
    import duckdb

    target = work / f"styles.{fmt}"
    option = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT json"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_parquet(?)) TO '{target}' ({option})", [str(styles)])
    con.close()
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--myntra", type=Path, default=DEFAULT_MYNTRA)
    parser.add_argument("--formats", default="parquet,csv,jsonl")
    args = parser.parse_args()
    from attrdb.resources import sample_dir

    styles, images = args.myntra / "styles.parquet", args.myntra / "images"
    if not styles.is_file():
        sys.exit(f"no Myntra catalogue at {styles}")
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        work = Path(tmp)
        rows.append(
            run_case(sample_dir() / "products.parquet", None, False, work, "sample parquet")
        )
        for fmt in formats:
            source = styles if fmt == "parquet" else export(styles, fmt, work)
            rows.append(run_case(source, images, False, work, f"myntra {fmt}"))
            if fmt == "parquet":
                rows.append(run_case(source, images, True, work, "myntra parquet, text-only"))
    print(
        f"{'case':28s} {'rows':>7s} {'accepted':>9s} {'rejected':>9s} {'wall s':>7s} "
        f"{'cpu s':>6s} {'peak MB':>8s} {'db MB':>6s}  outcomes"
    )
    for r in rows:
        print(
            f"{r['case']:28s} {r['n_rows']:7d} {r['n_accepted']:9d} {r['n_rejected']:9d} "
            f"{r['wall']:7.2f} {r['cpu']:6.2f} {r['peak_mb']:8.0f} {r['db_mb']:6.1f}  "
            f"{json.dumps(r['outcomes'])}"
        )


if __name__ == "__main__":
    main()
