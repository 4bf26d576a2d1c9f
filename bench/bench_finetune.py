"""Fine-tuning cost on this machine: seconds per epoch, the frozen-prefix pass, the test pass.

Runs ``attrdb finetune`` (the library function, as the CLI does) on a *copy* of a database
that has vocab and split done (default: the bundled sample, built here if no --db is
given), once per setting, and prints one JSON line per run with the load average before
and after: on a shared machine the load, not the code, sets absolute speed.

    python bench/bench_finetune.py                      # bundled sample, default settings
    python bench/bench_finetune.py --db base.duckdb --kind category --trainable-layers 2 3
    OMP_NUM_THREADS=1 python bench/bench_finetune.py --threads 1

Reported per run: images, epochs, prefix_seconds (the frozen layers' one pass over the
training images and their mirror images), seconds per epoch (trainable layers forward and
backward), train img/s per epoch, seconds per phase (load parent, decode train, train =
prefix + epochs, save, test = decode + forward of the test split + AP, register), total
seconds, device and torch threads.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _sample_db(folder: Path) -> Path:
    """The bundled sample through ingest, text, dedup, vocab and split (about a minute)."""
    from attrdb.connection import connect
    from attrdb.dedup import run_dedup
    from attrdb.ingest import run_ingest
    from attrdb.ingest_config import sample_config
    from attrdb.splits import run_split
    from attrdb.text.tokenize import run_text
    from attrdb.vocab import run_vocab

    path = folder / "sample.duckdb"
    con = connect(path, create=True)
    try:
        run_ingest(con, config=sample_config())
        run_text(con, progress=False)
        run_dedup(con)
        run_vocab(con)
        run_split(con)
    finally:
        con.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="database with vocab and split (copied)")
    parser.add_argument("--kind", default="attribute", choices=["attribute", "category"])
    parser.add_argument("--label-key", default="category")
    parser.add_argument("--parent", default="efficientnet_lite0")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--input-size", type=int, default=160)
    parser.add_argument("--trainable-layers", type=int, nargs="+", default=[3])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--limit", type=int, help="at most this many training images")
    parser.add_argument("--test-limit", type=int)
    parser.add_argument("--no-flip", action="store_true")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    parser.add_argument("--keep", type=Path, help="copy the weights of each run here")
    args = parser.parse_args()

    import torch

    from attrdb.connection import connect
    from attrdb.finetune import FinetuneParams, run_finetune

    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="attrdb-bench-finetune-") as tmp:
        folder = Path(tmp)
        source = args.db if args.db is not None else _sample_db(folder)
        for trainable in args.trainable_layers:
            path = folder / f"run{trainable}.duckdb"
            shutil.copy(source, path)
            load_before = os.getloadavg()
            started = time.perf_counter()
            con = connect(path)
            try:
                summary = run_finetune(con, FinetuneParams(
                    kind=args.kind, parent=args.parent, label_key=args.label_key,
                    epochs=args.epochs, input_size=args.input_size,
                    trainable_layers=trainable, batch_size=args.batch_size,
                    limit=args.limit, test_limit=args.test_limit, flip=not args.no_flip,
                    device=args.device, out_dir=str(folder / f"models{trainable}"),
                ), progress=False)
            finally:
                con.close()
            total = time.perf_counter() - started
            epochs = summary["epochs"]
            train_seconds = sum(e["seconds"] for e in epochs)
            if args.keep is not None:
                args.keep.mkdir(parents=True, exist_ok=True)
                for suffix in (".pth", ".head.pth"):
                    name = f"{summary['model_id']}{suffix}"
                    shutil.copy(folder / f"models{trainable}" / name, args.keep / name)
            print(json.dumps({
                "kind": args.kind,
                "parent": args.parent,
                "trainable_layers": trainable,
                "input_size": summary["input_size"],
                "flip": not args.no_flip,
                "n_train": summary["n_train"],
                "n_labels": summary["n_labels"],
                "epochs": len(epochs),
                "prefix_seconds": summary["prefix_seconds"],
                "seconds_per_epoch": summary["seconds_per_epoch"],
                "epoch_img_per_s": round(summary["n_train"] * len(epochs) / train_seconds, 1),
                "train_loss": [round(e["train_loss"], 4) for e in epochs],
                "phase_seconds": summary["phase_seconds"],
                "total_seconds": round(total, 1),
                "test": summary["test"],
                "device": summary["device"],
                "torch_threads": torch.get_num_threads(),
                "load_before": [round(x, 2) for x in load_before],
                "load_after": [round(x, 2) for x in os.getloadavg()],
                "weights_sha256": summary["weights_sha256"],
            }), flush=True)


if __name__ == "__main__":
    main()
