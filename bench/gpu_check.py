"""GPU check: extraction, saliency sweep and fine-tuning throughput on CUDA, in minutes.

A short prepared script for a machine with an accelerator (CI never has one). Without a
CUDA device it prints that it skipped and exits 0. With one, on the bundled sample's
images (or ``--images DIR``), it measures in this process:

1. extraction: ``run_extract(device="cuda")`` end to end (DuckDB paging, decoding workers,
   inference, writes) against pure inference of the same batches on the GPU, and the
   largest difference between CPU and GPU vectors of the same images (cuDNN's TF32
   convolutions make them differ slightly);
2. the saliency sweep: ``occlusion_sweep`` of every unit at the default settings
   (224 px, patches 24/48/96, stride 16), seconds per image and forward passes per second;
3. fine-tuning: ``attrdb.cnn.finetune.train`` (attribute kind, one epoch, default
   trainable layers) on random labels, images per second of training.

Results print as lines and, when ``$OUT`` is set (the device runner collects it), go to
``$OUT/gpu_check.json`` too. Exit 1 if a part failed (its traceback is printed; the
other parts still run).

    python bench/gpu_check.py [--n 512] [--images DIR] [--batch-size 64] [--sweeps 3]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SAMPLE_IMAGES = REPO / "attrdb" / "sample" / "images"


def _images(folder: Path, n: int) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    return files[:n]


def _sync() -> None:
    import torch

    torch.cuda.synchronize()


def check_extraction(files: list[Path], batch_size: int) -> dict[str, Any]:
    """End-to-end extraction on CUDA vs pure GPU inference; CPU/GPU agreement."""
    import numpy as np
    import torch

    from attrdb.cnn.extract import default_workers, run_extract
    from attrdb.cnn.images import load_rgb
    from attrdb.cnn.models import load_model
    from attrdb.connection import connect

    model = load_model(device="cuda").to(memory_format=torch.channels_last)
    decoded = [model.resizer(load_rgb(path)) for path in files]
    batches = [torch.stack(decoded[i : i + batch_size]) for i in range(0, len(decoded), batch_size)]

    def infer(device_model: Any, batch: torch.Tensor) -> np.ndarray:
        with torch.inference_mode():
            x = device_model.normalize(batch.to(device_model.device, non_blocking=True))
            units = device_model.forward_units(x.contiguous(memory_format=torch.channels_last))
            return units.float().cpu().numpy()

    infer(model, batches[0])  # cuDNN picks its kernels
    _sync()
    started = time.perf_counter()
    gpu = [infer(model, batch) for batch in batches]
    _sync()
    pure_s = time.perf_counter() - started
    # Extraction runs the network with its BatchNorms folded (TappedModel.fold_batchnorm).
    folded = load_model(device="cuda").fold_batchnorm().to(memory_format=torch.channels_last)
    infer(folded, batches[0])
    _sync()
    started = time.perf_counter()
    for batch in batches:
        infer(folded, batch)
    _sync()
    folded_s = time.perf_counter() - started
    cpu_model = load_model(device="cpu").to(memory_format=torch.channels_last)
    cpu = infer(cpu_model, batches[0])
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "gpu.duckdb", create=True)
        con.execute(
            "INSERT INTO products (product_id, title, image_path, source, source_row) "
            "SELECT parse_filename(f, true), 'gpu', f, 'gpu', row_number() OVER () "
            "FROM (SELECT unnest(?) AS f)",
            [[str(f) for f in files]],
        )
        summary = run_extract(
            con, device="cuda", batch_size=batch_size, all_products=True, progress=False
        )
        con.close()
    return {
        "images": len(files),
        "pure_inference_img_s": round(len(files) / pure_s, 1),
        "extract_img_s": summary["images_per_s"],
        "ratio_extract_to_pure": round(pure_s / summary["seconds"], 3),
        "pure_folded_img_s": round(len(files) / folded_s, 1),
        "ratio_extract_to_pure_folded": round(folded_s / summary["seconds"], 3),
        "decoding_workers": default_workers(torch.device("cuda")),
        "max_abs_diff_cpu_vs_gpu": float(np.abs(cpu - gpu[0]).max()),
        "max_abs_activation": float(np.abs(cpu).max()),
    }


def check_saliency(files: list[Path], sweeps: int) -> dict[str, Any]:
    """Occlusion sweeps of every unit at the default settings, on CUDA."""
    import torch

    from attrdb.cnn.images import load_rgb
    from attrdb.cnn.models import load_model
    from attrdb.saliency.compute import units_forward
    from attrdb.saliency.inputs import normalised, squash
    from attrdb.saliency.occlusion import DEFAULT_STRIDE, PAPER_PATCHES, n_passes, occlusion_sweep

    model = load_model(device="cuda")
    forward = units_forward(model)
    size = model.input_size
    occluder = normalised(model, squash(load_rgb(files[-1]), size))
    inputs = [normalised(model, squash(load_rgb(path), size)) for path in files[:sweeps]]
    occlusion_sweep(forward, inputs[0], occluder, batch_size=128)  # warm-up
    _sync()
    started = time.perf_counter()
    for x in inputs:
        occlusion_sweep(forward, x, occluder, patches=PAPER_PATCHES, batch_size=128)
    _sync()
    seconds = (time.perf_counter() - started) / len(inputs)
    passes = n_passes(size, PAPER_PATCHES, DEFAULT_STRIDE)
    return {
        "sweeps": len(inputs),
        "seconds_per_image": round(seconds, 3),
        "forward_passes_per_image": passes,
        "passes_per_s": round(passes / seconds, 1),
        "on_device": str(torch.device(model.device)),
    }


def check_finetune(files: list[Path], batch_size: int) -> dict[str, Any]:
    """One attribute-tuning epoch on random labels, on CUDA."""
    import torch

    from attrdb.cnn.finetune import TrainSettings, train
    from attrdb.cnn.images import load_rgb
    from attrdb.cnn.models import Resizer, load_model

    settings = TrainSettings(kind="attribute", epochs=1, batch_size=batch_size, input_size=224)
    resize = Resizer(settings.input_size)
    images = torch.stack([resize(load_rgb(path)) for path in files])
    generator = torch.Generator().manual_seed(0)
    targets = (torch.rand(len(files), 50, generator=generator) < 0.1).float()
    model = load_model(device="cuda")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = train(
            model,
            images,
            targets,
            settings,
            checkpoint=Path(tmp) / "check.pt",
            identity={"check": "gpu"},
        )
        _sync()
        wall = time.perf_counter() - started
    epoch = result.epochs[-1]
    return {
        "images": len(files),
        "epoch_seconds": round(epoch.seconds, 3),
        "train_img_s": round(epoch.n_images / epoch.seconds, 1),
        "frozen_prefix_seconds": round(result.prefix_seconds, 3),
        "wall_seconds": round(wall, 3),
        "trainable_layers": settings.trainable_layers,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=Path, default=SAMPLE_IMAGES)
    parser.add_argument("--n", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--sweeps", type=int, default=3)
    args = parser.parse_args()

    import torch

    if not torch.cuda.is_available():
        print(
            f"gpu_check: skipped: no CUDA device here (torch {torch.__version__}, "
            f"built with CUDA {torch.version.cuda or 'none'})"
        )
        return 0
    files = _images(args.images, args.n)
    results: dict[str, Any] = {
        "device": torch.cuda.get_device_name(0),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
    }
    checks: dict[str, Callable[[], dict[str, Any]]] = {
        "extraction": lambda: check_extraction(files, args.batch_size),
        "saliency_sweep": lambda: check_saliency(files, args.sweeps),
        "finetune": lambda: check_finetune(files, args.batch_size),
    }
    failed = False
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            results[name] = check()
        except Exception:  # noqa: BLE001 - report every part, fail at the end
            traceback.print_exc()
            results[name] = {"error": traceback.format_exc().strip().splitlines()[-1]}
            failed = True
        print(f"{name} ({time.perf_counter() - started:.0f} s): {results[name]}", flush=True)
    out = os.environ.get("OUT")
    if out:
        Path(out, "gpu_check.json").write_text(json.dumps(results, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
