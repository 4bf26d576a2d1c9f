"""Benchmark `attrdb extract`: end-to-end images/s against pure model inference.

Runs, on the first N images of a folder (default: 1,000 of the real Myntra images):
  1. pure inference: the images decoded once up front, then the same batches through the
     same model (normalise + forward_units, channels-last, inference_mode), timed;
  2. end-to-end extraction (`run_extract` on a fresh database: product list from DuckDB,
     decoding, inference, Arrow writes, a commit per chunk), in a child process so its peak
     memory is its own;
  3. pure inference again (the machine is shared: the mean of 1 and 3 cancels drift).
Prints images/s, the ratio end-to-end / inference (goal >= 0.95), peak memory, and the
extraction's resident memory over time (flat = the catalogue is streamed).

    python bench/bench_extract.py [--n 1000] [--images DIR] [--batch-size 32] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_IMAGES = REPO.parent / "shared" / "data" / "myntra" / "images"


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _images(folder: Path, n: int) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    if len(files) < n:
        raise SystemExit(f"{folder} holds {len(files)} images, fewer than --n {n}")
    return files[:n]


def pure_inference(files: list[Path], batch_size: int, device: str) -> dict[str, float]:
    """Decode everything first, then time only normalise + forward on the same batches."""
    import torch

    from attrdb.cnn.images import load_rgb
    from attrdb.cnn.models import load_model

    model = load_model(device=device).to(memory_format=torch.channels_last)
    started = time.perf_counter()
    decoded = [model.resizer(load_rgb(path)) for path in files]
    decode_s = time.perf_counter() - started
    batches = [torch.stack(decoded[i : i + batch_size]) for i in range(0, len(files), batch_size)]
    with torch.inference_mode():  # warm-up: first call picks kernels
        model.forward_units(model.normalize(batches[0][:2]))
    started = time.perf_counter()
    with torch.inference_mode():
        for batch in batches:
            x = model.normalize(batch.to(model.device)).contiguous(
                memory_format=torch.channels_last
            )
            model.forward_units(x).float().cpu()
    infer_s = time.perf_counter() - started
    return {"infer_img_s": len(files) / infer_s, "decode_img_s": len(files) / decode_s}


def extract_child(files_list: Path, batch_size: int, workers: int | None, device: str) -> None:
    """Child process: fresh database, extraction timed end to end, memory sampled."""
    from attrdb.cnn.extract import run_extract
    from attrdb.connection import connect

    samples: list[tuple[float, float]] = []
    stop = threading.Event()

    def sample_rss() -> None:
        while not stop.is_set():
            samples.append((time.perf_counter(), _rss_mb()))
            stop.wait(0.5)

    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb", create=True)
        con.execute(
            "INSERT INTO products (product_id, title, image_path, source, source_row) "
            "SELECT parse_filename(f, true), 'bench', f, 'bench', row_number() OVER () "
            "FROM (SELECT unnest(?) AS f)",
            [files_list.read_text(encoding="utf-8").split("\n")],
        )
        sampler = threading.Thread(target=sample_rss, daemon=True)
        sampler.start()
        started = time.perf_counter()
        summary = run_extract(
            con,
            batch_size=batch_size,
            workers=workers,
            device=device,
            all_products=True,
            progress=False,
        )
        wall = time.perf_counter() - started
        stop.set()
        sampler.join()
        rows = con.execute("SELECT count(*) FROM activation_vectors").fetchall()[0][0]
        db_mb = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20
        con.close()
    n = summary["n_extracted"] + summary["n_errors"]
    quarter = samples[len(samples) // 4][1] if samples else float("nan")
    print(
        json.dumps(
            {
                "e2e_img_s": n / wall,
                "loop_img_s": summary["images_per_s"],
                "rows": rows,
                "errors": summary["n_errors"],
                "workers": summary["workers"],
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "peak_rss_workers_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                / 1024,
                "rss_at_25pct_mb": quarter,
                "rss_at_end_mb": samples[-1][1] if samples else float("nan"),
                "db_mb": db_mb,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=Path, default=DEFAULT_IMAGES)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        extract_child(args.child, args.batch_size, args.workers, args.device)
        return

    import torch

    files = _images(args.images, args.n)
    print(
        f"{len(files)} images from {args.images}, batch {args.batch_size}, "
        f"torch threads {torch.get_num_threads()}, cpus {os.cpu_count()}",
        flush=True,
    )
    first = pure_inference(files, args.batch_size, args.device)
    print(f"pure inference (1): {first['infer_img_s']:.2f} img/s", flush=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(str(f) for f in files))
    command = [
        sys.executable,
        __file__,
        "--child",
        listing.name,
        "--batch-size",
        str(args.batch_size),
        "--device",
        args.device,
    ]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    child = subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO)
    os.unlink(listing.name)
    e2e = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"end-to-end extract:  {e2e['e2e_img_s']:.2f} img/s", flush=True)
    second = pure_inference(files, args.batch_size, args.device)
    print(f"pure inference (2): {second['infer_img_s']:.2f} img/s", flush=True)

    infer = (first["infer_img_s"] + second["infer_img_s"]) / 2
    rows = [
        ("images", f"{len(files)}"),
        ("pure inference, img/s (mean of 2)", f"{infer:.2f}"),
        ("decode+resize only, img/s (1 process)", f"{first['decode_img_s']:.1f}"),
        ("end-to-end extract, img/s (incl. model load)", f"{e2e['e2e_img_s']:.2f}"),
        ("extract loop, img/s", f"{e2e['loop_img_s']:.2f}"),
        ("ratio end-to-end / inference", f"{e2e['e2e_img_s'] / infer:.3f}"),
        ("ratio loop / inference", f"{e2e['loop_img_s'] / infer:.3f}"),
        ("decoding workers", f"{e2e['workers']}"),
        ("rows written / errors", f"{e2e['rows']} / {e2e['errors']}"),
        ("peak RSS extract process, MB", f"{e2e['peak_rss_mb']:.0f}"),
        ("peak RSS decoding worker, MB", f"{e2e['peak_rss_workers_mb']:.0f}"),
        (
            "RSS at 25% / at end of extraction, MB",
            f"{e2e['rss_at_25pct_mb']:.0f} / {e2e['rss_at_end_mb']:.0f}",
        ),
        ("database size, MB", f"{e2e['db_mb']:.1f}"),
    ]
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
