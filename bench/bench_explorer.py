"""Speed of `attrdb serve` pages, and serving while a stage writes.

Usage:
    python bench/bench_explorer.py pages --db DB [--repeats 5]
    python bench/bench_explorer.py during-extract --db SAMPLE_DB

``pages``: serves DB with uvicorn (in this process, on a free loopback port), requests one
URL of every page kind once to warm up (thumbnails excluded: a page's time is its HTML),
then each URL ``--repeats`` times, and prints the median per page kind and the median over
all page kinds. The goal of issue 15 is < 300 ms on the full Myntra database (a copy of
the team's base after divergence, depth and visualness). DB is opened read-only, per
request, exactly as ``attrdb serve`` does.

``during-extract``: on a copy of SAMPLE_DB (any database with activations), deletes the
activations, publishes a snapshot, starts ``attrdb extract`` in a subprocess and requests
pages every 0.25 s until it ends; prints how many pages showed the database as it is, an
older copy (its files were changing), or the published snapshot, how many failed, and
whether the stage finished ``ok``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from html import unescape
from pathlib import Path
from typing import Any

import duckdb

from attrdb.explorer.app import create_app
from attrdb.explorer.source import Reader
from attrdb.snapshot import publish_file


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """The explorer of one database, served by uvicorn in a background thread."""

    def __init__(self, db: Path) -> None:
        import uvicorn

        self.port = _free_port()
        config = uvicorn.Config(create_app(Reader(db)), host="127.0.0.1", port=self.port,
                                log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        self.base = f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> tuple[int, str, float]:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(self.base + path, timeout=60) as response:
                body = response.read().decode("utf-8", "replace")
                status = response.status
        except urllib.error.HTTPError as exc:
            body, status = exc.read().decode("utf-8", "replace"), exc.code
        return status, body, time.perf_counter() - started

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def _links(html: str, prefix: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html)
            if unescape(h).startswith(prefix)]


def _urls(served: Served) -> dict[str, list[str]]:
    """Three URLs of each page kind, found by following links as a user would."""
    _, vocabulary, _ = served.get("/vocabulary")
    words = list(dict.fromkeys(_links(vocabulary, "/word?")))[:3]
    units: list[str] = []
    images: list[str] = []
    for word in words:
        _, html, _ = served.get(word)
        units += _links(html, "/unit?")[:1]
        images += _links(html, "/image?")[:1]
    return {
        "overview": ["/"],
        "vocabulary": ["/vocabulary", "/vocabulary?sort=word&order=asc",
                       "/vocabulary?sort=max_kl"],
        "word": words,
        "unit": units,
        "image": images,
        "compare": ["/compare"],
    }


def bench_pages(db: Path, repeats: int) -> None:
    served = Served(db)
    try:
        urls = _urls(served)
        for paths in urls.values():
            for path in paths:
                status, body, _ = served.get(path)
                if status != 200:
                    raise SystemExit(f"{path}: HTTP {status}: {body[:300]}")
        per_kind: dict[str, list[float]] = {}
        for _ in range(repeats):
            for kind, paths in urls.items():
                for path in paths:
                    _, _, seconds = served.get(path)
                    per_kind.setdefault(kind, []).append(seconds * 1000)
    finally:
        served.stop()
    load = os.getloadavg()
    print(f"database {db} ({db.stat().st_size / 1e6:.0f} MB), {repeats} warm repeats, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'page':<12} {'urls':>4} {'median ms':>10} {'p90 ms':>8} {'max ms':>8}")
    for kind, times in per_kind.items():
        ordered = sorted(times)
        print(f"{kind:<12} {len(urls[kind]):>4} {statistics.median(times):>10.0f} "
              f"{ordered[int(0.9 * (len(ordered) - 1))]:>8.0f} {ordered[-1]:>8.0f}")
    medians = [statistics.median(t) for t in per_kind.values()]
    every = [t for times in per_kind.values() for t in times]
    print(f"median over page kinds: {statistics.median(medians):.0f} ms; "
          f"median over all requests: {statistics.median(every):.0f} ms; "
          f"slowest kind median: {max(medians):.0f} ms")


def bench_during_extract(sample: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "busy.duckdb"
        shutil.copy(sample, db)
        wal = sample.with_name(sample.name + ".wal")
        if wal.exists():
            shutil.copy(wal, db.with_name(db.name + ".wal"))
        con = duckdb.connect(str(db))
        con.execute("DELETE FROM activation_vectors")
        con.execute("DELETE FROM activation_errors")
        con.close()
        publish_file(db)
        served = Served(db)
        counts: dict[str, int] = {"current": 0, "older copy": 0, "snapshot": 0}
        failures: list[str] = []
        times: list[float] = []
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        # Started first: the explorer's requests must not stop a stage from opening.
        attrdb = shutil.which("attrdb") or "attrdb"
        stage = subprocess.Popen(
            [attrdb, "--db", str(db), "extract", "--workers", "0", "--device", "cpu"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        pages = ["/", "/vocabulary", "/compare"]
        started = time.perf_counter()
        i = 0
        try:
            while stage.poll() is None:
                status, body, seconds = served.get(pages[i % len(pages)])
                i += 1
                if status == 200:
                    kind = ("current" if "(current)" in body else "snapshot"
                            if "Showing the snapshot" in body else "older copy")
                    counts[kind] += 1
                    times.append(seconds * 1000)
                else:
                    failures.append(f"{status}: {re.sub(r'<[^>]+>', ' ', body)[:200]}")
                time.sleep(0.25)
            output = stage.communicate()[0]
        finally:
            served.stop()
        elapsed = time.perf_counter() - started
        con = duckdb.connect(str(db), read_only=True)
        run: Any = con.execute(
            "SELECT status, error FROM runs WHERE stage = 'extract' ORDER BY run_id DESC LIMIT 1"
        ).fetchall()
        n_vectors = con.execute("SELECT count(*) FROM activation_vectors").fetchall()[0][0]
        con.close()
    load = os.getloadavg()
    print(f"extract ran {elapsed:.1f} s, exit code {stage.returncode}, run {run}, "
          f"{n_vectors} activation vectors; load average {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}")
    print(f"pages: {counts['current']} current, {counts['older copy']} from an older copy "
          f"(files changing), {counts['snapshot']} from the published snapshot, "
          f"{len(failures)} failed; median {statistics.median(times or [0]):.0f} ms")
    for failure in failures[:5]:
        print("  failed:", failure)
    if stage.returncode != 0:
        print(output[-2000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["pages", "during-extract"])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.mode == "pages":
        bench_pages(args.db, args.repeats)
    else:
        bench_during_extract(args.db)


if __name__ == "__main__":
    main()
