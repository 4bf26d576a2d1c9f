"""Stage ``extract``: pooled CNN unit activations for every product image.

Pipeline: the product list is streamed from DuckDB in product_id order (keyset pages);
DataLoader workers decode and resize images (``load_rgb``); the main process normalises
each batch on the device and runs ``forward_units`` under ``torch.inference_mode``;
results are appended in chunks as Arrow (``activation_vectors``, one FLOAT[] per image in
unit_id order; unreadable images go to ``activation_errors``), one transaction per chunk.

Resuming is free: a product is pending until it has a vector or an error row, so an
interrupted run (Ctrl-C, kill, crash) loses at most its uncommitted chunk and the next
run starts where it stopped; a finished extraction reruns as a no-op.

Pooling is a property of the stored feature set: conv maps are pooled over space by their
maximum (the paper, the default), their mean, or both (``POOLINGS``). A non-max feature set
is its own ``model_id`` (``pooled_model_id``: ``efficientnet_lite0:mean``) with the same
network and weights and ``models.pooling`` / ``units.pooling`` saying what it holds, so
every later stage, which reads ``activation_vectors`` by model id, works on it unchanged.
When the same network's ``both`` set is stored, a ``max`` or ``mean`` extraction copies its
half (the same numbers) instead of running the network again.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import torch
from torch.utils.data import DataLoader, Dataset

from attrdb import stages
from attrdb.cnn.architectures import ARCHITECTURES
from attrdb.cnn.images import MAX_PIXELS, ImageLoadError, load_rgb
from attrdb.cnn.models import POOLINGS, Resizer, TappedModel, load_model, resolve_device
from attrdb.errors import InputError, StateError
from attrdb.model_registry import register_model, registration
from attrdb.progress import is_quiet
from attrdb.runs import stage_run
from attrdb.sqlfiles import query_sql_file, run_sql_file

# Product ids are read this many at a time: enough to keep the anti-join cheap per image,
# small enough that the list never matters for memory.
PAGE_SIZE = 4096

Item = tuple[str, "torch.Tensor | None", "str | None"]


@dataclass
class _Chunk:
    """Results waiting for the next commit."""

    ids: list[str] = field(default_factory=list)
    vals: list[np.ndarray] = field(default_factory=list)
    error_ids: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids) + len(self.error_ids)


class _ImageFiles(Dataset):
    """Key (product_id, path) -> (product_id, uint8 tensor or None, error reason or None)."""

    def __init__(self, resizer: Resizer, max_pixels: int) -> None:
        self.resizer = resizer
        self.max_pixels = max_pixels

    def __getitem__(self, key: tuple[str, str]) -> Item:  # type: ignore[override]
        product_id, path = key
        try:
            image = load_rgb(path, max_pixels=self.max_pixels, real_path_only=True)
            return product_id, self.resizer(image), None
        except ImageLoadError as exc:
            return product_id, None, str(exc)


class _PendingBatches:
    """Batches of (product_id, image_path), paged from the database as the loader asks.

    The DataLoader iterates this in the main process (a few batches ahead of the model);
    each page is fetched whole before the next statement, so it interleaves safely with
    the chunk writes on the same connection.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        model_id: str,
        all_products: bool,
        batch_size: int,
        limit: int | None,
    ) -> None:
        self.con = con
        self.model_id = model_id
        self.all_products = all_products
        self.batch_size = batch_size
        self.limit = limit

    def __iter__(self) -> Iterator[list[tuple[str, str]]]:
        after: str | None = None
        remaining = self.limit if self.limit is not None else -1
        batch: list[tuple[str, str]] = []
        while remaining != 0:
            page_size = PAGE_SIZE if remaining < 0 else min(PAGE_SIZE, remaining)
            rows = query_sql_file(
                self.con,
                "cnn/pending_products",
                {
                    "model_id": self.model_id,
                    "all_products": self.all_products,
                    "after": after,
                    "page": page_size,
                },
            )
            if not rows:
                break
            after = rows[-1][0]
            remaining = remaining - len(rows) if remaining > 0 else remaining
            for product_id, path in rows:
                batch.append((product_id, path))
                if len(batch) == self.batch_size:
                    yield batch
                    batch = []
        if batch:
            yield batch


def _collate(items: list[Item]) -> tuple[list[str], torch.Tensor | None, list[tuple[str, str]]]:
    ids = [pid for pid, tensor, _ in items if tensor is not None]
    tensors = [tensor for _, tensor, _ in items if tensor is not None]
    errors = [(pid, reason) for pid, tensor, reason in items if tensor is None and reason]
    return ids, (torch.stack(tensors) if tensors else None), errors


def default_workers(device: torch.device) -> int:
    """Decoding processes: many on a GPU (decoding is the bottleneck), none on a CPU.

    On a CPU the model takes the cores and decoding a product photo costs a few percent of
    a forward pass, while a decoding process preempts the model's threads (an intra-op
    barrier then waits for the preempted one): measured idle in one process on 2 cores,
    extraction / pure inference of the same network 0.93 (1 torch thread) and 0.86 (2
    threads) decoding in-process, 0.81-0.86 with a worker (docs/extract.md). ``--workers
    N`` can help on machines with cores to spare, with large photos whose decoding rivals
    the model (on 2 cores it did not).
    """
    cores = os.cpu_count() or 1
    if device.type == "cuda":
        return max(1, min(8, cores - 1))
    return 0


def pooled_model_id(model_id: str, pooling: str) -> str:
    """The id a feature set is stored under: the model id, ``:mean`` / ``:both`` appended.

    Max pooling (the paper's) keeps the plain id, so databases extracted before pooling
    became an option read as they did. An id already carrying the suffix is kept as it is.
    """
    if pooling not in POOLINGS:
        raise InputError(f"unknown pooling {pooling!r}; use one of {', '.join(POOLINGS)}")
    suffix = f":{pooling}"
    if pooling == "max" or model_id.endswith(suffix):
        return model_id
    return model_id + suffix


def run_extract(
    con: duckdb.DuckDBPyConnection,
    *,
    model: str = "efficientnet_lite0",
    weights: str | Path | None = None,
    model_id: str | None = None,
    pooling: str = "max",
    batch_size: int = 32,
    workers: int | None = None,
    device: str = "auto",
    limit: int | None = None,
    all_products: bool = False,
    chunk_size: int = 256,
    channels_last: bool = True,
    max_pixels: int = MAX_PIXELS,
    progress: bool = True,
) -> dict[str, Any]:
    """Extract pooled unit activations of every pending product image.

    Args:
        con: attrdb database (read-write).
        model: architecture name (``ARCHITECTURES``), or the id of a registered model
            (``attrdb models list``; its architecture and weights file are used).
        weights: state_dict file; default the embedded / cached weights of ``model``.
        model_id: registry id of the network; default ``model``. Other weights need
            another id. The feature set is stored as ``pooled_model_id(model_id, pooling)``.
        pooling: ``max`` (the paper), ``mean`` or ``both`` (max units, then mean units).
        batch_size: images per forward pass.
        workers: DataLoader decoding processes; default ``default_workers(device)``.
        device: ``auto`` (CUDA when present), ``cpu`` or ``cuda``.
        limit: process at most this many products in this run.
        all_products: read ``products`` instead of ``kept_products`` (no dedup needed).
        chunk_size: images per committed transaction (the most an interruption loses).
        channels_last: run convolutions in NHWC (faster with oneDNN and cuDNN).
        max_pixels: refuse larger images (decompression-bomb guard).
        progress: show a bar on a terminal, else one stderr line per committed chunk.

    Returns:
        Summary: model_id, n_units, n_extracted, n_errors, n_done_before, seconds,
        images_per_s.

    Raises:
        StateError: no products, or dedup has not run and ``all_products`` is false.
        ModelError: unknown model, missing or mismatched weights, unavailable device.
        InputError: a bad option value.
    """
    for label, value in (("batch size", batch_size), ("chunk size", chunk_size)):
        if value < 1:
            raise InputError(f"{label} must be at least 1, got {value}")
    if limit is not None and limit < 0:
        raise InputError(f"limit must be 0 or more, got {limit}")
    if workers is not None and workers < 0:
        raise InputError(f"workers must be 0 or more, got {workers}")
    feature_set = pooled_model_id(model_id or model, pooling)  # checks the pooling first
    stages.require(con, "products")
    if not all_products and not _has_rows(con, "duplicate_groups"):
        raise StateError(
            "duplicate_groups is empty: run `attrdb dedup` first, or pass --all-products "
            "to extract every product (near-duplicates included)"
        )
    target = resolve_device(device)
    network_id = model_id or model
    if weights is None and model not in ARCHITECTURES:
        # A registered network (e.g. fine-tuned) is extracted from its recorded weights.
        registered = registration(con, network_id)
        if registered is not None:
            model, weights = registered.name, registered.weights
    params = {
        "model": model,
        "weights": str(weights) if weights else None,
        "model_id": feature_set,
        "pooling": pooling,
        "batch_size": batch_size,
        "device": str(target),
        "limit": limit,
        "all_products": all_products,
        "chunk_size": chunk_size,
    }
    with stage_run(con, "extract", params) as run:
        tapped = load_model(model, weights, target, model_id=feature_set, pooling=pooling)
        tapped.fold_batchnorm()
        register_model(con, tapped)
        n_copied = _copy_from_both(con, tapped, pooled_model_id(network_id, "both"), all_products)
        n_pending, n_done = query_sql_file(
            con, "cnn/pending_count", {"model_id": tapped.model_id, "all_products": all_products}
        )[0]
        total = n_pending if limit is None else min(limit, n_pending)
        n_workers = default_workers(target) if workers is None else workers
        run.summary.update(
            model_id=tapped.model_id,
            pooling=tapped.pooling,
            n_units=tapped.n_units,
            weights_sha256=tapped.weights_sha256,
            n_done_before=int(n_done) - n_copied,
            n_copied_from_both=n_copied,
            workers=n_workers,
        )
        counts = _extract(
            con,
            tapped,
            batches=_PendingBatches(con, tapped.model_id, all_products, batch_size, limit),
            total=int(total),
            workers=n_workers,
            chunk_size=chunk_size,
            channels_last=channels_last,
            max_pixels=max_pixels,
            progress=progress,
        )
        run.summary.update(counts)
        return dict(run.summary)


def _extract(
    con: duckdb.DuckDBPyConnection,
    model: TappedModel,
    *,
    batches: _PendingBatches,
    total: int,
    workers: int,
    chunk_size: int,
    channels_last: bool,
    max_pixels: int,
    progress: bool,
) -> dict[str, Any]:
    device = model.device
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    model.to(memory_format=memory_format)
    loader = DataLoader(
        _ImageFiles(model.resizer, max_pixels),
        batch_sampler=batches,
        num_workers=workers,
        collate_fn=_collate,
        pin_memory=device.type == "cuda",
    )
    reporter = _Progress(total, enabled=progress)
    chunk = _Chunk()
    n_extracted = n_errors = 0
    started = time.perf_counter()
    try:
        for ids, batch, errors in loader:
            if batch is not None:
                with torch.inference_mode():
                    x = model.normalize(batch.to(device, non_blocking=True))
                    units = model.forward_units(x.contiguous(memory_format=memory_format))
                chunk.ids.extend(ids)
                chunk.vals.append(units.float().cpu().numpy())
            for product_id, reason in errors:
                chunk.error_ids.append(product_id)
                chunk.reasons.append(reason)
            reporter.advance(len(ids) + len(errors))
            if len(chunk) >= chunk_size:
                n_extracted, n_errors = _commit(con, model.model_id, chunk, n_extracted, n_errors)
                chunk = _Chunk()
                reporter.committed(n_extracted + n_errors)
        if len(chunk):
            n_extracted, n_errors = _commit(con, model.model_id, chunk, n_extracted, n_errors)
            reporter.committed(n_extracted + n_errors)
    finally:
        reporter.close()
    seconds = time.perf_counter() - started
    return {
        "n_extracted": n_extracted,
        "n_errors": n_errors,
        "seconds": round(seconds, 3),
        "images_per_s": round((n_extracted + n_errors) / seconds, 2) if seconds > 0 else None,
    }


def _commit(
    con: duckdb.DuckDBPyConnection, model_id: str, chunk: _Chunk, n_extracted: int, n_errors: int
) -> tuple[int, int]:
    vectors = _vectors_table(model_id, chunk)
    errors = pa.table(
        {
            "model_id": pa.array([model_id] * len(chunk.error_ids), pa.string()),
            "product_id": pa.array(chunk.error_ids, pa.string()),
            "reason": pa.array(chunk.reasons, pa.string()),
        }
    )
    con.register("extract_chunk_vectors", vectors)
    con.register("extract_chunk_errors", errors)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            run_sql_file(con, "cnn/write_chunk")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.unregister("extract_chunk_vectors")
        con.unregister("extract_chunk_errors")
    return n_extracted + len(chunk.ids), n_errors + len(chunk.error_ids)


def _vectors_table(model_id: str, chunk: _Chunk) -> pa.Table:
    if chunk.vals:
        matrix = np.ascontiguousarray(np.concatenate(chunk.vals), dtype=np.float32)
    else:
        matrix = np.zeros((0, 0), dtype=np.float32)
    n_rows, width = matrix.shape
    offsets = pa.array(np.arange(n_rows + 1, dtype=np.int32) * width, pa.int32())
    vals = pa.ListArray.from_arrays(offsets, pa.array(matrix.reshape(-1), pa.float32()))
    return pa.table(
        {
            "model_id": pa.array([model_id] * n_rows, pa.string()),
            "product_id": pa.array(chunk.ids, pa.string()),
            "vals": vals,
        }
    )


def _copy_from_both(
    con: duckdb.DuckDBPyConnection, model: TappedModel, source: str, all_products: bool
) -> int:
    """Copy the max or mean half of the same network's stored ``both`` set; rows copied.

    Only a ``both`` set of the same architecture and weights (sha256) qualifies: its
    halves are what this extraction would compute.
    """
    if model.pooling == "both" or source == model.model_id:
        return 0
    rows = query_sql_file(con, "cnn/model_get", {"model_id": source})
    if not rows:
        return 0
    name, _weights, sha, _input_size, _n_units, pooling = rows[0]
    if (name, sha, pooling) != (model.name, model.weights_sha256, "both"):
        return 0
    before = _count_done(con, model.model_id, all_products)
    con.execute("BEGIN TRANSACTION")
    try:
        run_sql_file(
            con,
            "cnn/copy_pooled_half",
            {
                "source": source,
                "target": model.model_id,
                "pooling": model.pooling,
                "n_units": model.n_units,
                "all_products": all_products,
            },
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return _count_done(con, model.model_id, all_products) - before


def _count_done(con: duckdb.DuckDBPyConnection, model_id: str, all_products: bool) -> int:
    rows = query_sql_file(
        con, "cnn/pending_count", {"model_id": model_id, "all_products": all_products}
    )
    return int(rows[0][1])


def _has_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchall()[0][0])


class _Progress:
    """A tqdm bar (images/s) on a terminal; elsewhere one stderr line per committed chunk.

    Unlike ``attrdb.progress``'s timed lines, the plain lines here follow commits: they say
    how much an interruption would keep. ``attrdb --quiet`` silences both.
    """

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and not is_quiet()
        self.started = time.perf_counter()
        self.bar = None
        if self.enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="img", desc="extract", file=sys.stderr)

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def committed(self, n_done: int) -> None:
        if self.enabled and self.bar is None:
            rate = n_done / max(time.perf_counter() - self.started, 1e-9)
            print(
                f"extract: {n_done}/{self.total} images committed ({rate:.1f} img/s)",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
