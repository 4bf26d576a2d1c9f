"""Benchmark `attrdb extract` against pure model inference, both in ONE process.

On the first N images of a folder (default: 256 of the real Myntra images), this process:

1. **Allocator, paired.** Pure inference (pre-decoded batches: normalise + forward_units,
   channels-last, inference_mode) with glibc's default handling of large blocks and with
   attrdb's setting (``attrdb.cnn.allocator``), alternating segment by segment (the order
   flips each segment): images/s, minor page faults per image (getrusage), and whether
   the outputs are identical; then the same pairing for an occlusion sweep and a full
   training step (the saliency and fine-tuning paths).
2. **Extraction / pure inference** with the setting on (the fixed baseline), for each
   configuration of torch threads x decoding workers: pure inference of all N images (by
   the baseline network and by the BatchNorm-folded one extraction runs), then
   ``run_extract`` of the same N (product list paged from DuckDB, decoding, inference,
   Arrow writes, a commit per chunk), then pure inference again, and so on for
   ``--rounds``; each extraction is compared with the mean of the pure runs just before
   and after it (the rows are deleted after each extraction, untimed).
3. The write path alone (Arrow table + insert + commit of a 256-image chunk) and decoding
   alone, per image.

The machine is shared: only ratios measured within one run, interleaved, are
comparable; ``uptime`` load is printed before and after.

    python bench/bench_extract.py [--n 256] [--segments 3] [--rounds 2] [--images DIR]
        [--batch-size 32] [--configs 1x0,1x1,2x0,2x1] [--skip-allocator]
        [--allocator-threads 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb
    import numpy as np
    import torch

    from attrdb.cnn.models import TappedModel

REPO = Path(__file__).resolve().parent.parent
DEFAULT_IMAGES = REPO.parent / "shared" / "data" / "myntra" / "images"


def _images(folder: Path, n: int) -> list[Path]:
    # Sorted by stem = product_id order, the order extraction processes them in.
    files = sorted(
        (p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png")),
        key=lambda p: p.stem,
    )
    if len(files) < n:
        raise SystemExit(f"{folder} holds {len(files)} images, fewer than --n {n}")
    return files[:n]


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class PureInference:
    """The model alone on pre-decoded batches (the decoding is done beforehand, untimed).

    ``folded``: with its BatchNorms folded into the convolutions, as extraction and saliency
    run it (``TappedModel.fold_batchnorm``); unfolded is the issue's fixed baseline.
    """

    def __init__(self, batch_size: int, *, folded: bool = False) -> None:
        import torch

        from attrdb.cnn.models import load_model

        self.batch_size = batch_size
        model = load_model(device="cpu")
        if folded:
            model.fold_batchnorm()
        self.model: TappedModel = model.to(memory_format=torch.channels_last)
        side = self.model.input_size
        self.run([torch.zeros(3, side, side, dtype=torch.uint8)] * 2)  # oneDNN picks kernels

    def decode(self, files: list[Path]) -> list[torch.Tensor]:
        from attrdb.cnn.images import load_rgb

        return [self.model.resizer(load_rgb(path)) for path in files]

    def run(self, decoded: list[torch.Tensor]) -> tuple[float, list[np.ndarray]]:
        """Seconds of inference over ``decoded`` in batches, and the outputs."""
        import torch

        size = self.batch_size
        batches = [torch.stack(decoded[i : i + size]) for i in range(0, len(decoded), size)]
        outputs = []
        started = time.perf_counter()
        with torch.inference_mode():
            for batch in batches:
                x = self.model.normalize(batch)
                units = self.model.forward_units(x.contiguous(memory_format=torch.channels_last))
                outputs.append(units.float().cpu().numpy())
        return time.perf_counter() - started, outputs


def allocator_pairs(pure: PureInference, segments: list[list[Path]]) -> list[str]:
    """Pure inference with glibc's default and with attrdb's setting, alternating."""
    import numpy as np

    from attrdb.cnn import allocator

    seconds = {False: 0.0, True: 0.0}
    faults = {False: 0, True: 0}
    rss = {False: 0.0, True: 0.0}
    images = 0
    identical = True
    for k, segment in enumerate(segments):
        decoded = pure.decode(segment)
        outputs = {}
        spent = {}
        for keep in (k % 2 == 1, k % 2 == 0):
            allocator.set_keep(keep)
            before = allocator.minor_faults()
            spent[keep], outputs[keep] = pure.run(decoded)
            faults[keep] += allocator.minor_faults() - before
            seconds[keep] += spent[keep]
            rss[keep] = max(rss[keep], _rss_mb())
        images += len(segment)
        identical &= all(
            np.array_equal(a, b) for a, b in zip(outputs[False], outputs[True], strict=True)
        )
        print(
            f"  allocator segment {k + 1}: default {len(segment) / spent[False]:.1f} img/s, "
            f"kept {len(segment) / spent[True]:.1f}",
            flush=True,
        )
    allocator.set_keep(True)
    pure.run(decoded)
    before = allocator.minor_faults()
    pure.run(decoded)
    steady = (allocator.minor_faults() - before) / len(decoded)
    return [
        f"pure inference, glibc default: {images / seconds[False]:.2f} img/s, "
        f"{faults[False] / images:.0f} minor faults/image",
        f"pure inference, attrdb setting: {images / seconds[True]:.2f} img/s, "
        f"{faults[True] / images:.1f} minor faults/image",
        f"speed-up {seconds[False] / seconds[True]:.2f}x, outputs identical: {identical}",
        f"steady state with the setting (the same images again): {steady:.1f} minor faults/image",
        f"resident memory after a segment: default {rss[False]:.0f} MB, kept {rss[True]:.0f} MB",
    ]


def allocator_other_paths(pure: PureInference, files: list[Path], rounds: int = 2) -> list[str]:
    """The same pairing on the other torch paths: an occlusion sweep and a training step.

    Sweep: every unit at patches 24/48/96, stride 48 (50 forward passes of 64 occluded
    copies at most). Training: a full backward pass and SGD step of the whole network plus
    a linear head on 16 images (the heaviest fine-tuning setting).
    """
    import torch

    from attrdb.cnn import allocator
    from attrdb.saliency.compute import units_forward
    from attrdb.saliency.occlusion import n_passes, occlusion_sweep

    decoded = pure.decode(files[:16])
    model = pure.model
    image = model.normalize(decoded[0].unsqueeze(0))[0]
    occluder = model.normalize(decoded[1].unsqueeze(0))[0]
    forward = units_forward(model)
    passes = n_passes(model.input_size, (24, 48, 96), 48)
    batch = model.normalize(torch.stack(decoded)).contiguous(memory_format=torch.channels_last)
    head = torch.nn.Linear(model.layer_sizes[-1], 50)
    targets = torch.rand(len(decoded), 50, generator=torch.Generator().manual_seed(0)) < 0.1
    parameters = [*model.net.parameters(), *head.parameters()]
    optimiser = torch.optim.SGD(parameters, lr=1e-4)

    def sweep() -> None:
        occlusion_sweep(forward, image, occluder, stride=48, batch_size=64)

    def train_step() -> None:
        for parameter in model.net.parameters():
            parameter.requires_grad_(True)
        try:
            features = model.forward_maps(batch)[-1].mean(dim=(2, 3))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                head(features), targets.float()
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        finally:
            for parameter in model.net.parameters():
                parameter.requires_grad_(False)

    lines = []
    for name, work, units, label in (
        ("occlusion sweep", sweep, passes, "forward pass"),
        ("training step", train_step, len(decoded), "image"),
    ):
        work()  # warm-up
        seconds = {False: 0.0, True: 0.0}
        faults = {False: 0, True: 0}
        for k in range(rounds):
            for keep in (k % 2 == 1, k % 2 == 0):
                allocator.set_keep(keep)
                before = allocator.minor_faults()
                started = time.perf_counter()
                work()
                seconds[keep] += time.perf_counter() - started
                faults[keep] += allocator.minor_faults() - before
        allocator.set_keep(True)
        lines.append(
            f"{name}: glibc default {seconds[False] / rounds:.2f} s, "
            f"{faults[False] / rounds / units:.0f} faults/{label}; attrdb setting "
            f"{seconds[True] / rounds:.2f} s, {faults[True] / rounds / units:.0f} "
            f"faults/{label} ({seconds[False] / seconds[True]:.2f}x)"
        )
        print(f"  {lines[-1]}", flush=True)
    return lines


def extraction_ratio(
    pure: PureInference,
    pure_folded: PureInference,
    con: duckdb.DuckDBPyConnection,
    files: list[Path],
    threads: int,
    workers: int,
    batch_size: int,
    rounds: int,
) -> str:
    """Pure inference, then run_extract, then pure inference ... on the same images.

    Each side sees all the images at once (one ``run_extract`` call: its per-call costs,
    a fresh model's first batch and the decoding worker's start, count once per run as in
    real use); pure rounds before and after each extraction bracket it in time. Every pure
    round runs the baseline network and the folded one (what extraction runs) back to back,
    so extraction is compared with both.
    """
    import torch

    from attrdb.cnn.extract import run_extract

    torch.set_num_threads(threads)
    decoded = pure.decode(files)
    pure_s = [pure.run(decoded)[0]]
    folded_s = [pure_folded.run(decoded)[0]]
    extract_s = []
    for _ in range(rounds):
        summary = run_extract(
            con,
            batch_size=batch_size,
            workers=workers,
            device="cpu",
            all_products=True,
            progress=False,
        )
        assert summary["n_extracted"] == len(files), summary
        extract_s.append(summary["seconds"])
        # The same images serve the next round and configuration (untimed).
        con.execute("DELETE FROM activation_vectors")
        pure_s.append(pure.run(decoded)[0])
        folded_s.append(pure_folded.run(decoded)[0])
    n = len(files)

    def against(reference: list[float]) -> str:
        # Each extraction against the mean of the pure runs just before and after it.
        ratios = [(reference[k] + reference[k + 1]) / 2 / extract_s[k]
                  for k in range(len(extract_s))]
        return (f"{n * len(reference) / sum(reference):.2f} img/s, ratio per round "
                + " ".join(f"{r:.3f}" for r in ratios)
                + f", mean {sum(ratios) / len(ratios):.3f}")

    return (
        f"threads {threads} workers {workers}: extract "
        f"{n * len(extract_s) / sum(extract_s):.2f} img/s; pure baseline {against(pure_s)}; "
        f"pure folded {against(folded_s)}"
    )


def write_path(con: duckdb.DuckDBPyConnection, n_units: int, chunk: int = 256) -> str:
    """Seconds per image of turning a chunk into Arrow and committing it."""
    import numpy as np

    from attrdb.cnn.extract import _Chunk, _commit

    data = _Chunk(
        ids=[f"w{i:06d}" for i in range(chunk)],
        vals=[np.random.default_rng(0).random((chunk, n_units), dtype=np.float32)],
    )
    started = time.perf_counter()
    _commit(con, "write_bench", data, 0, 0)
    spent = time.perf_counter() - started
    con.execute("DELETE FROM activation_vectors WHERE model_id = 'write_bench'")
    return f"write path: {1000 * spent / chunk:.3f} ms/image ({chunk}-image chunk, one commit)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=Path, default=DEFAULT_IMAGES)
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--segments", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--configs", default="1x0,1x1,2x0,2x1", help="THREADSxWORKERS,...")
    parser.add_argument("--rounds", type=int, default=2, help="extractions per config")
    parser.add_argument("--skip-allocator", action="store_true")
    parser.add_argument("--allocator-threads", type=int, default=2)
    args = parser.parse_args()

    import torch

    from attrdb.cnn import allocator
    from attrdb.connection import connect

    files = _images(args.images, args.n)
    size = -(-len(files) // args.segments)
    segments = [files[i : i + size] for i in range(0, len(files), size)]
    print(
        f"{len(files)} images from {args.images}, batch {args.batch_size}, "
        f"{len(segments)} segments, cpus {os.cpu_count()}, torch {torch.__version__}, "
        f"allocator setting applied at import: {allocator.is_applied()}",
        flush=True,
    )
    print(f"before: {_uptime()}", flush=True)
    pure = PureInference(args.batch_size)
    pure_folded = PureInference(args.batch_size, folded=True)
    results: list[str] = []
    if not args.skip_allocator:
        torch.set_num_threads(args.allocator_threads)
        results.append(f"allocator pairs at {args.allocator_threads} torch threads:")
        results += allocator_pairs(pure, segments)
        results += allocator_other_paths(pure, files)
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb", create=True)
        con.execute(
            "INSERT INTO products (product_id, title, image_path, source, source_row) "
            "SELECT parse_filename(f, true), 'bench', f, 'bench', row_number() OVER () "
            "FROM (SELECT unnest(?) AS f)",
            [[str(f) for f in files]],
        )
        for config in filter(None, args.configs.split(",")):
            threads, workers = (int(v) for v in config.split("x"))
            line = extraction_ratio(
                pure, pure_folded, con, files, threads, workers, args.batch_size, args.rounds
            )
            print(f"  {line}", flush=True)
            results.append(line)
        results.append(write_path(con, pure.model.n_units))
        con.close()
    started = time.perf_counter()
    pure.decode(files)
    results.append(
        f"decode + resize alone: {1000 * (time.perf_counter() - started) / len(files):.2f} "
        "ms/image (this process)"
    )
    print(f"after: {_uptime()}")
    print()
    for line in results:
        print(line)


if __name__ == "__main__":
    main()
