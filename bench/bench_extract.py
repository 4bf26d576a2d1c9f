"""Benchmark `attrdb extract`: end-to-end images/s against pure model inference.

On the first N images of a folder (default: 1,000 of the real Myntra images), split into
S segments, alternately:
  - pure inference: the segment's images decoded beforehand (untimed), then the same
    batches through the same model (normalise + forward_units, channels-last,
    inference_mode), timed;
  - end-to-end extraction of the same images (`run_extract(limit=...)` in a child
    process that holds the database: product list paged from DuckDB, decoding, inference,
    Arrow writes, a commit per chunk).
Interleaving segments makes both sides see the same machine load (the machine is shared).
Prints images/s of both, the ratio (goal >= 0.95), the extraction process's peak memory and
its resident memory after each segment (flat = nothing accumulates as the catalogue grows).

    python bench/bench_extract.py [--n 1000] [--segments 5] [--images DIR] [--batch-size 32]
                                  [--workers N] [--device auto]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attrdb.cnn.models import TappedModel

REPO = Path(__file__).resolve().parent.parent
DEFAULT_IMAGES = REPO.parent / "shared" / "data" / "myntra" / "images"


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _images(folder: Path, n: int) -> list[Path]:
    # Sorted by stem = product_id order, the order extraction processes them in.
    files = sorted(
        (p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png")),
        key=lambda p: p.stem,
    )
    if len(files) < n:
        raise SystemExit(f"{folder} holds {len(files)} images, fewer than --n {n}")
    return files[:n]


def _warm_up(model: TappedModel) -> None:
    import torch

    x = torch.zeros(2, 3, model.input_size, model.input_size, dtype=torch.uint8)
    with torch.inference_mode():  # the first call picks oneDNN kernels
        model.forward_units(model.normalize(x).contiguous(memory_format=torch.channels_last))


def child(db: Path, batch_size: int, workers: int | None, device: str) -> None:
    """Extraction server: ``extract K`` runs run_extract(limit=K); ``quit`` reports memory."""
    import torch

    from attrdb.cnn.extract import run_extract
    from attrdb.cnn.models import load_model
    from attrdb.connection import connect

    _warm_up(load_model(device=device).to(memory_format=torch.channels_last))
    con = connect(db)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = line.split()
        if command[0] == "extract":
            started = time.perf_counter()
            summary = run_extract(
                con,
                batch_size=batch_size,
                workers=workers,
                device=device,
                all_products=True,
                limit=int(command[1]),
                progress=False,
            )
            wall = time.perf_counter() - started
            print(json.dumps({**summary, "wall_s": wall, "rss_mb": _rss_mb()}), flush=True)
        elif command[0] == "quit":
            rows = con.execute("SELECT count(*) FROM activation_vectors").fetchall()[0][0]
            con.close()
            print(
                json.dumps(
                    {
                        "rows": rows,
                        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                        "peak_rss_workers_mb": resource.getrusage(
                            resource.RUSAGE_CHILDREN
                        ).ru_maxrss
                        / 1024,
                    }
                ),
                flush=True,
            )
            return


class PureInference:
    """The model alone on pre-decoded batches."""

    def __init__(self, batch_size: int, device: str) -> None:
        import torch

        from attrdb.cnn.models import load_model

        self.batch_size = batch_size
        self.model = load_model(device=device).to(memory_format=torch.channels_last)
        _warm_up(self.model)
        self.decode_s = 0.0

    def run(self, files: list[Path]) -> float:
        import torch

        from attrdb.cnn.images import load_rgb

        started = time.perf_counter()
        decoded = [self.model.resizer(load_rgb(path)) for path in files]
        self.decode_s += time.perf_counter() - started
        size = self.batch_size
        batches = [torch.stack(decoded[i : i + size]) for i in range(0, len(decoded), size)]
        started = time.perf_counter()
        with torch.inference_mode():
            for batch in batches:
                x = self.model.normalize(batch.to(self.model.device))
                units = self.model.forward_units(x.contiguous(memory_format=torch.channels_last))
                units.float().cpu().numpy()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=Path, default=DEFAULT_IMAGES)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--segments", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--child-db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_db:
        child(args.child_db, args.batch_size, args.workers, args.device)
        return

    import torch

    from attrdb.connection import connect

    files = _images(args.images, args.n)
    print(
        f"{len(files)} images from {args.images}, batch {args.batch_size}, {args.segments} "
        f"segments, torch threads {torch.get_num_threads()}, cpus {os.cpu_count()}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        con = connect(db, create=True)
        con.execute(
            "INSERT INTO products (product_id, title, image_path, source, source_row) "
            "SELECT parse_filename(f, true), 'bench', f, 'bench', row_number() OVER () "
            "FROM (SELECT unnest(?) AS f)",
            [[str(f) for f in files]],
        )
        con.close()
        command = [
            sys.executable,
            __file__,
            "--child-db",
            str(db),
            "--batch-size",
            str(args.batch_size),
            "--device",
            args.device,
        ]
        if args.workers is not None:
            command += ["--workers", str(args.workers)]
        server = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO
        )
        assert server.stdin is not None and server.stdout is not None

        def ask(line: str) -> dict:
            server.stdin.write(line + "\n")  # type: ignore[union-attr]
            server.stdin.flush()  # type: ignore[union-attr]
            return json.loads(server.stdout.readline())  # type: ignore[union-attr]

        json.loads(server.stdout.readline())  # ready
        pure = PureInference(args.batch_size, args.device)
        size = -(-len(files) // args.segments)
        pure_s = loop_s = wall_s = 0.0
        rss_after: list[float] = []
        summaries = []
        for k in range(args.segments):
            segment = files[k * size : (k + 1) * size]
            if not segment:
                break
            # Alternate which side goes first so drift in machine load hits both alike.
            first_pure = k % 2 == 0
            if first_pure:
                pure_s += pure.run(segment)
            summary = ask(f"extract {len(segment)}")
            if not first_pure:
                pure_s += pure.run(segment)
            loop_s += summary["seconds"]
            wall_s += summary["wall_s"]
            rss_after.append(summary["rss_mb"])
            summaries.append(summary)
            print(
                f"segment {k + 1}: {len(segment)} images, extract loop "
                f"{len(segment) / summary['seconds']:.2f} img/s",
                flush=True,
            )
        final = ask("quit")
        server.wait(timeout=60)
        db_mb = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20

    n = len(files)
    n_written = sum(s["n_extracted"] + s["n_errors"] for s in summaries)
    rows = [
        (
            "images",
            f"{n} (written {final['rows']}, errors {sum(s['n_errors'] for s in summaries)})",
        ),
        ("pure inference, img/s", f"{n / pure_s:.2f}"),
        ("decode+resize alone, img/s (1 process)", f"{n / pure.decode_s:.1f}"),
        ("end-to-end extract loop, img/s", f"{n_written / loop_s:.2f}"),
        ("  incl. model load per call, img/s", f"{n_written / wall_s:.2f}"),
        ("ratio extract / pure inference", f"{pure_s / loop_s:.3f}"),
        ("decoding workers", f"{summaries[0]['workers']}"),
        ("peak RSS extract process, MB", f"{final['peak_rss_mb']:.0f}"),
        ("peak RSS decoding worker, MB", f"{final['peak_rss_workers_mb']:.0f}"),
        ("RSS after each segment, MB", " ".join(f"{r:.0f}" for r in rss_after)),
        ("database size, MB", f"{db_mb:.1f}"),
    ]
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
