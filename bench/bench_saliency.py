"""Benchmark the occlusion sweep: one sweep for every unit vs Captum's Occlusion per unit.

On real CCP street photos with the embedded EfficientNet-Lite0 (2,096 units), at the same
sweep setting (default: the model's 224 px input, patches 24/48/96, stride 16 = 394
occluded images per photo):

  1. plain batched inference: distinct images through ``forward_units`` (channels-last,
     inference mode), images/s, timed right before each sweep (the machine is shared);
  2. the attrdb sweep (``occlusion_sweep``): every unit at every position, seconds per
     photo and occluded images/s (goal: >= 0.8x plain inference);
  3. Captum's ``Occlusion`` run once per unit and patch size with the same windows,
     strides and mean-image baseline, for K = 64 units (goal: attrdb >= 50x faster).
     Captum has to repeat every forward pass for each unit; on a CPU that is tens of
     minutes, so ``--captum-units N`` times N units and scales the per-unit time to 64
     (printed as extrapolated); ``--captum-units 64`` measures all of them. Sweeps and
     Captum units alternate so both see the same load;
  4. building maps from a sweep: eq. 5 maps for 20 words x K = 1, 8, 64.

``--paper`` sweeps at the paper's setting (256 px, stride 4, 24/48/96: 7,971 passes) and
reports seconds per photo. Runs on CUDA when present (``--device``).

    python bench/bench_saliency.py [--photos 2] [--stride 16] [--captum-units 4] [--paper]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

CCP = Path(__file__).resolve().parents[2] / "shared" / "data" / "ccp"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ccp", type=Path, default=CCP)
    parser.add_argument("--photos", type=int, default=2, help="Photos swept (timed each).")
    parser.add_argument("--size", type=int, default=None, help="Sweep side [model input].")
    parser.add_argument("--stride", type=int, default=16)
    parser.add_argument("--patches", default="24,48,96")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--captum-units", type=int, default=4, help="Units Captum runs (<= 64).")
    parser.add_argument("--paper", action="store_true", help="256 px, stride 4, 24/48/96.")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads.")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    from attrdb.cnn.images import load_rgb
    from attrdb.cnn.models import load_model
    from attrdb.saliency.compute import units_forward
    from attrdb.saliency.inputs import normalised, squash
    from attrdb.saliency.maps import attribute_map, map_shape, unit_maps
    from attrdb.saliency.occlusion import Sweep, n_passes, occlusion_sweep
    from attrdb.saliency.store import _delta_bytes

    model = load_model(device=args.device)
    forward = units_forward(model)
    size = 256 if args.paper else (args.size or model.input_size)
    stride = 4 if args.paper else args.stride
    patches = (24, 48, 96) if args.paper else tuple(int(p) for p in args.patches.split(","))
    passes = n_passes(size, patches, stride)
    paths = sorted((args.ccp / "photos").glob("*.jpg"))
    photos = [normalised(model, squash(load_rgb(p), size)) for p in paths[: args.photos]]
    occluder = normalised(
        model, np.mean([squash(load_rgb(p), size) / 255.0 for p in paths[:100]], axis=0)
    )
    sync = torch.cuda.synchronize if model.device.type == "cuda" else (lambda: None)
    print(f"device {model.device}, threads {torch.get_num_threads()}, model {model.name} "
          f"({model.n_units} units), sweep {size} px, patches {patches}, stride {stride}: "
          f"{passes} occluded images per photo")

    # Plain batched inference on distinct images (the photos' inputs with a little noise so
    # no two are equal), same batch size. Timed before and after the sweeps: the machine
    # is shared, the mean of the two cancels drift.
    batch = torch.stack([photos[i % len(photos)] for i in range(args.batch_size)])
    batch = batch + 0.01 * torch.randn_like(batch)
    n_batches = max(1, min(6, passes // args.batch_size))

    def plain_rate() -> float:
        with torch.inference_mode():
            forward(batch[:8])
            sync()
            start = time.perf_counter()
            for _ in range(n_batches):
                forward(batch)
            sync()
        return n_batches * args.batch_size / (time.perf_counter() - start)

    def sweep_once(x: torch.Tensor) -> tuple[float, Sweep]:
        sync()
        start = time.perf_counter()
        result = occlusion_sweep(forward, x, occluder, patches=patches, stride=stride,
                                 batch_size=args.batch_size)
        sync()
        return time.perf_counter() - start, result

    captum_units = [] if args.paper else list(range(model.n_units - 64, model.n_units))[
        : args.captum_units]
    occlusion = None
    if captum_units:
        from captum.attr import Occlusion

        occlusion = Occlusion(lambda b: forward(b))

    def captum_unit(unit: int) -> float:
        # One unit = one Occlusion.attribute per patch size, same windows, strides and
        # mean-image baseline as the sweep.
        assert occlusion is not None
        sync()
        start = time.perf_counter()
        for p in patches:
            occlusion.attribute(photos[0].unsqueeze(0), sliding_window_shapes=(3, p, p),
                                strides=(3, stride, stride), baselines=occluder.unsqueeze(0),
                                target=unit, perturbations_per_eval=args.batch_size)
        sync()
        return time.perf_counter() - start

    # Plain inference, a sweep and a Captum unit alternate, so each comparison is between
    # timings taken under the same machine load; ratios are medians of the pairs.
    times, plains, captum_times = [], [], []
    sweep = None
    for i in range(max(len(photos), len(captum_units))):
        if i < len(photos):
            plains.append(plain_rate())
            seconds, sweep = sweep_once(photos[i])
            times.append(seconds)
        if i < len(captum_units):
            captum_times.append(captum_unit(captum_units[i]))
    assert sweep is not None
    per_photo = float(np.median(times))
    rate = (passes + 1) / per_photo
    ratio = float(np.median([(passes + 1) / t / r for t, r in zip(times, plains, strict=True)]))
    stored = sum(len(_delta_bytes(d)) for d in sweep.deltas.values())
    print(f"plain inference        {float(np.median(plains)):8.1f} img/s")
    print(f"attrdb sweep           {rate:8.1f} img/s  = {ratio:.2f}x plain (goal >= 0.8; "
          "median of paired runs)")
    print(f"attrdb sweep           {per_photo:8.1f} s/photo (all {model.n_units} units; "
          f"median of {len(times)}), stored {stored / 1e6:.1f} MB float16")
    if args.paper:
        return
    per_unit = float(np.mean(captum_times))
    captum_64 = per_unit * 64
    n_captum = len(captum_units)
    label = "measured" if n_captum == 64 else f"extrapolated from {n_captum} units"
    print(f"Captum Occlusion K=64  {captum_64:8.1f} s/photo ({label}; {per_unit:.1f} s per "
          f"unit, {3 + passes} passes)")
    print(f"speed-up               {captum_64 / per_photo:8.1f}x (goal >= 50)")

    # Maps from the sweep: 20 words x K = 1, 8, 64 (64 random units each).
    rng = np.random.default_rng(0)
    words = [rng.choice(model.n_units, size=64, replace=False) for _ in range(20)]
    start = time.perf_counter()
    needed = np.unique(np.concatenate(words))
    r = unit_maps(sweep.select(needed), size=size, stride=stride,
                  out_hw=map_shape((832, 550), 128))
    row = {int(u): i for i, u in enumerate(needed)}
    for ids in words:
        for kk in (1, 8, 64):
            attribute_map(r[[row[int(u)] for u in ids[:kk]]], np.ones(kk))
    print(f"maps from the sweep    {time.perf_counter() - start:8.2f} s for 20 words x K=1,8,64 "
          f"({len(needed)} unit maps, 128 px)")


if __name__ == "__main__":
    main()
