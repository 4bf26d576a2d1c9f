"""Stage ``extract`` on Apache Spark: the same tapped CNN inside the executors, Parquet out.

The driver works out which products are still to do (``sql/cnn/spark_pending.sql`` on the
input exchange folder, minus the partitions an earlier run already finished into the same
output folder), splits the sorted list into partitions of ``partition_size`` consecutive
images, and runs :func:`extract_partition` on each (``RDD.mapPartitions``: only ids and
paths travel through Spark, the vectors never do, so pyspark's Arrow UDFs, which would
add pandas to the dependencies, buy nothing here). Inside a python
worker the model is loaded once and kept for every later task of that worker
(``spark.python.worker.reuse``, on by default); the images are read from their paths
(``load_rgb``, as local extraction reads them), decoded one batch ahead in a thread, and
run through ``forward_units`` exactly as ``attrdb extract`` does (channels-last,
``inference_mode``, the same normalisation), so the vectors are the local ones.

Each task writes its partition itself, as one Parquet file per table
(``activation_vectors.parquet/part-<key>.parquet``, ``activation_errors.parquet/...``),
written under a temporary name and renamed when complete. The key is a hash of the
partition's product ids, so a retried task rewrites the same file instead of adding a
second one. A killed or failed job keeps every finished partition: rerunning the same
command computes only the rest. The driver then writes ``models`` and ``units`` (the
rows ``register_model`` makes) and the manifest, which makes the folder an exchange
folder that ``attrdb import`` merges by key (a product's rows are replaced, other rows
kept) and that the Spark SQL stages read like any other.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow import fs as pafs

from attrdb import __version__
from attrdb.cnn import allocator
from attrdb.cnn.images import MAX_PIXELS, ImageLoadError, load_rgb
from attrdb.errors import InputError, ModelError, StateError
from attrdb.runs import PhaseClock

if TYPE_CHECKING:
    import torch
    from pyspark.sql import SparkSession

    from attrdb.cnn.models import TappedModel
    from attrdb.engines.spark import SparkEngine

STAGE = "extract"
# Rows a Spark import replaces by key (``attrdb import``): the model's registration and
# each product's vector or error, leaving other models and products alone.
IMPORT_KEYS: dict[str, list[str]] = {
    "models": ["model_id"],
    "units": ["model_id", "unit_id"],
    "activation_vectors": ["model_id", "product_id"],
    "activation_errors": ["model_id", "product_id"],
}
# Written first: which model an output folder holds, so a resumed run cannot mix models.
MARKER = "extract.json"

VECTORS_SCHEMA = pa.schema(
    [("model_id", pa.string()), ("product_id", pa.string()), ("vals", pa.list_(pa.float32()))]
)
ERRORS_SCHEMA = pa.schema(
    [("model_id", pa.string()), ("product_id", pa.string()), ("reason", pa.string())]
)


@dataclass(frozen=True)
class SparkExtractParams:
    """Parameters of a Spark extraction (``attrdb spark extract --param KEY=VALUE``).

    Attributes:
        model: architecture name, as ``attrdb extract --arch``.
        weights: state_dict file (shipped to the executors); default: the embedded /
            cached weights, which each executor finds in its own installation.
        model_id: registry id of the network; default ``model``.
        pooling: ``max`` (the paper), ``mean`` or ``both``, as ``attrdb extract
            --pooling``; the vectors are stored under ``pooled_model_id(model_id,
            pooling)``.
        batch_size: images per forward pass.
        partition_size: images per Spark partition (rounded up to a multiple of
            ``batch_size``): the unit of work, of writing and of resuming (a killed run
            loses at most the partitions in flight).
        all_products: every product with an image, not only kept ones.
        limit: extract at most this many products in this run (the first by product_id).
        device: ``auto`` (the task's GPU when Spark assigned one, else CUDA when present,
            else CPU), ``cpu`` or ``cuda``.
        threads: torch threads per task on a CPU; default the task's cores
            (``spark.task.cpus``), so concurrent tasks do not oversubscribe the executor.
        max_pixels: refuse larger images (decompression-bomb guard).
    """

    model: str = "efficientnet_lite0"
    weights: str | None = None
    model_id: str | None = None
    pooling: str = "max"
    batch_size: int = 32
    partition_size: int = 256
    all_products: bool = False
    limit: int | None = None
    device: str = "auto"
    threads: int | None = None
    max_pixels: int = MAX_PIXELS

    def __post_init__(self) -> None:
        for name in ("batch_size", "partition_size", "max_pixels"):
            if getattr(self, name) < 1:
                raise InputError(f"extract: {name} must be at least 1, got {getattr(self, name)}")
        if self.limit is not None and self.limit < 0:
            raise InputError(f"extract: limit must be 0 or more, got {self.limit}")
        if self.threads is not None and self.threads < 1:
            raise InputError(f"extract: threads must be at least 1, got {self.threads}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise InputError(f"extract: device must be auto, cpu or cuda, not {self.device!r}")

    @property
    def feature_set(self) -> str:
        """The model id the vectors are stored under (InputError for an unknown pooling)."""
        from attrdb.cnn.extract import pooled_model_id

        return pooled_model_id(self.model_id or self.model, self.pooling)

    @classmethod
    def from_strings(cls, items: Mapping[str, str]) -> SparkExtractParams:
        """Parameters from ``--param KEY=VALUE`` strings (``extract.KEY`` also accepted)."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, text in items.items():
            name = key.removeprefix(f"{STAGE}.")
            if name not in known:
                raise InputError(f"extract has no parameter {name!r}; it takes {', '.join(known)}")
            default = known[name].default
            try:
                if isinstance(default, bool):
                    values[name] = text.lower() in ("1", "true", "yes")
                elif name in ("limit", "threads") or isinstance(default, int):
                    values[name] = int(text)
                else:
                    values[name] = text
            except ValueError:
                raise InputError(f"extract: parameter {name}={text!r} is not a number") from None
        return cls(**values)


@dataclass(frozen=True)
class TaskSpec:
    """What every task needs to rebuild the model and write its partition (picklable)."""

    arch: str
    model_id: str
    pooling: str
    weights_sha256: str
    weights_file: str | None  # name given to SparkContext.addFile, or None for defaults
    batch_size: int
    device: str
    threads: int | None
    max_pixels: int
    output: str


def parse_params(items: list[str]) -> SparkExtractParams:
    """``KEY=VALUE`` items (the CLI's ``--param``) as :class:`SparkExtractParams`."""
    pairs: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param {item!r} is not KEY=VALUE")
        pairs[key.strip()] = value
    return SparkExtractParams.from_strings(pairs)


# --- executor side ------------------------------------------------------------------------

# One model per python worker process, kept across its tasks.
_MODELS: dict[tuple[str, str, str], TappedModel] = {}


def _task_device(spec: TaskSpec) -> str:
    """The task's GPU when Spark's resource scheduling gave it one, else ``spec.device``."""
    import torch
    from pyspark import TaskContext

    context = TaskContext.get()
    gpus = context.resources().get("gpu") if context is not None else None
    if spec.device != "cpu" and gpus is not None and gpus.addresses and torch.cuda.is_available():
        return f"cuda:{gpus.addresses[0]}"
    if spec.device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return spec.device


def _worker_model(spec: TaskSpec, device: str) -> TappedModel:
    import torch

    from attrdb.cnn.models import load_model

    key = (spec.model_id, spec.weights_sha256, device)
    if key not in _MODELS:
        weights = None
        if spec.weights_file is not None:
            from pyspark import SparkFiles

            weights = SparkFiles.get(spec.weights_file)
        model = load_model(spec.arch, weights, device, model_id=spec.model_id, pooling=spec.pooling)
        if model.weights_sha256 != spec.weights_sha256:
            raise ModelError(
                f"executor weights for {spec.arch} have sha256 {model.weights_sha256[:12]}..., "
                f"the driver's {spec.weights_sha256[:12]}...: install the same attrdb on "
                "every executor or pass the file with --param weights=FILE"
            )
        _MODELS[key] = model.fold_batchnorm().to(memory_format=torch.channels_last)
    return _MODELS[key]


def _decode(
    resize: Any, rows: list[tuple[str, str]], max_pixels: int
) -> tuple[list[str], list[torch.Tensor], list[tuple[str, str]]]:
    ids, tensors, errors = [], [], []
    for product_id, path in rows:
        try:
            image = load_rgb(path, max_pixels=max_pixels, real_path_only=True)
            tensors.append(resize(image))
            ids.append(product_id)
        except ImageLoadError as exc:
            errors.append((product_id, str(exc)))
    return ids, tensors, errors


def part_key(model_id: str, product_ids: list[str]) -> str:
    """A partition's file name key: the same products give the same file (retries replace)."""
    digest = hashlib.sha256(model_id.encode())
    for product_id in product_ids:
        digest.update(b"\0" + product_id.encode())
    return digest.hexdigest()[:20]


def vectors_table(model_id: str, ids: list[str], matrix: np.ndarray) -> pa.Table:
    """``activation_vectors`` rows from an (n, n_units) float32 matrix, without Python loops."""
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    n_rows = len(ids)
    width = matrix.shape[1] if matrix.ndim == 2 else 0
    offsets = pa.array(np.arange(n_rows + 1, dtype=np.int32) * width, pa.int32())
    vals = pa.ListArray.from_arrays(offsets, pa.array(matrix.reshape(-1), pa.float32()))
    return pa.Table.from_arrays(
        [pa.array([model_id] * n_rows, pa.string()), pa.array(ids, pa.string()), vals],
        schema=VECTORS_SCHEMA,
    )


def errors_table(model_id: str, errors: list[tuple[str, str]]) -> pa.Table:
    """``activation_errors`` rows: (product_id, reason) pairs of one model."""
    return pa.Table.from_arrays(
        [
            pa.array([model_id] * len(errors), pa.string()),
            pa.array([e[0] for e in errors], pa.string()),
            pa.array([e[1] for e in errors], pa.string()),
        ],
        schema=ERRORS_SCHEMA,
    )


def _filesystem(output: str) -> tuple[pafs.FileSystem, str]:
    """pyarrow's file system for a local path or a URL (hdfs://, s3://, gs://)."""
    if "://" in output:
        return pafs.FileSystem.from_uri(output)
    return pafs.LocalFileSystem(), os.path.abspath(output)


def write_part(output: str, table_name: str, key: str, table: pa.Table) -> None:
    """Write one partition's rows of a table: a temporary name first, renamed when whole.

    Names starting with ``_`` are skipped by Spark's readers and do not match DuckDB's
    ``*.parquet``, so a half-written file is never read.
    """
    filesystem, root = _filesystem(output)
    folder = f"{root}/{table_name}.parquet"
    filesystem.create_dir(folder, recursive=True)
    temporary = f"{folder}/_tmp-{key}-{os.getpid()}"
    with filesystem.open_output_stream(temporary) as stream:
        pq.write_table(table, stream)
    filesystem.move(temporary, f"{folder}/part-{key}.parquet")


def extract_partition(
    partition: Iterable[tuple[str, str]], spec: TaskSpec
) -> Iterator[dict[str, Any]]:
    """The executor's work on one partition of (product_id, image_path) rows.

    Loads (or reuses) the model, extracts every image, writes the partition's vectors and
    errors, and yields one summary (a dict): counts, seconds, the worker's pid and page
    faults, and whether the allocator setting holds in this process.
    """
    import torch

    started = time.perf_counter()
    faults = allocator.minor_faults()
    rows = sorted((str(product_id), str(path)) for product_id, path in partition)
    if not rows:
        return
    device = _task_device(spec)
    if device == "cpu":
        from pyspark import TaskContext

        context = TaskContext.get()
        torch.set_num_threads(spec.threads or (context.cpus() if context is not None else 1))
    loaded = time.perf_counter()
    model = _worker_model(spec, device)
    model_load_s = time.perf_counter() - loaded
    groups = [rows[i : i + spec.batch_size] for i in range(0, len(rows), spec.batch_size)]
    ids: list[str] = []
    outputs: list[np.ndarray] = []
    errors: list[tuple[str, str]] = []
    # Decode the next batch in a thread while the model runs (Pillow and torch release
    # the GIL); on a GPU, decoding would otherwise leave the device idle.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(_decode, model.resizer, groups[0], spec.max_pixels)
        for index in range(len(groups)):
            batch_ids, tensors, batch_errors = pending.result()
            if index + 1 < len(groups):
                pending = pool.submit(_decode, model.resizer, groups[index + 1], spec.max_pixels)
            errors.extend(batch_errors)
            if tensors:
                with torch.inference_mode():
                    x = model.normalize(torch.stack(tensors).to(model.device))
                    units = model.forward_units(x.contiguous(memory_format=torch.channels_last))
                outputs.append(units.float().cpu().numpy())
                ids.extend(batch_ids)
    key = part_key(spec.model_id, [r[0] for r in rows])
    matrix = np.concatenate(outputs) if outputs else np.zeros((0, model.n_units), np.float32)
    # Errors first: a kill between the two files leaves the vectors' products pending.
    if errors:
        write_part(spec.output, "activation_errors", key, errors_table(spec.model_id, errors))
    if ids:
        write_part(
            spec.output, "activation_vectors", key, vectors_table(spec.model_id, ids, matrix)
        )
    yield {
        "part": key,
        "n_vectors": len(ids),
        "n_errors": len(errors),
        "seconds": time.perf_counter() - started,
        "model_load_s": model_load_s,
        "pid": os.getpid(),
        "allocator_kept": allocator.is_applied(),
        "minor_faults": allocator.minor_faults() - faults,
        "threads": torch.get_num_threads(),
        "device": device,
    }


# --- driver side --------------------------------------------------------------------------


def _read_marker(filesystem: pafs.FileSystem, root: str) -> dict[str, Any] | None:
    info = filesystem.get_file_info(f"{root}/{MARKER}")
    if info.type != pafs.FileType.File:
        return None
    with filesystem.open_input_stream(f"{root}/{MARKER}") as stream:
        return dict(json.loads(stream.read().decode("utf-8")))


def _write_bytes(filesystem: pafs.FileSystem, path: str, data: bytes) -> None:
    with filesystem.open_output_stream(path) as stream:
        stream.write(data)


def _prepare_output(output: str, marker: dict[str, Any], overwrite: bool) -> None:
    """Create the output folder, or check that it holds a run of the same model to resume."""
    filesystem, root = _filesystem(output)
    info = filesystem.get_file_info(root)
    if info.type == pafs.FileType.Directory and overwrite:
        filesystem.delete_dir_contents(root)
    elif info.type == pafs.FileType.Directory:
        existing = _read_marker(filesystem, root)
        if existing is not None and existing != marker:
            raise InputError(
                f"{output} holds an extraction of {existing.get('model_id')!r} (weights "
                f"{str(existing.get('weights_sha256'))[:12]}...); use another --output, or "
                "--overwrite to start again"
            )
        if existing is None and filesystem.get_file_info(_selector(root)):
            raise InputError(
                f"{output} is not empty and holds no Spark extraction; use another --output "
                "or --overwrite"
            )
    elif info.type == pafs.FileType.File:
        raise InputError(f"{output} is a file, not a folder")
    filesystem.create_dir(root, recursive=True)
    _write_bytes(filesystem, f"{root}/{MARKER}", json.dumps(marker, sort_keys=True).encode())


def _selector(root: str) -> pafs.FileSelector:
    """Everything directly in ``root``."""
    return pafs.FileSelector(root, allow_not_found=True)


def _parts(filesystem: pafs.FileSystem, root: str, table_name: str) -> list[str]:
    folder = f"{root}/{table_name}.parquet"
    return sorted(
        info.path
        for info in filesystem.get_file_info(_selector(folder))
        if info.type == pafs.FileType.File
        and info.base_name.startswith("part-")
        and info.base_name.endswith(".parquet")
    )


def _register_done(engine: SparkEngine, output: str) -> None:
    """``extract_done``: (model_id, product_id) of every finished partition in ``output``."""
    filesystem, root = _filesystem(output)
    spark = engine.spark
    frames = []
    for table_name in ("activation_vectors", "activation_errors"):
        if _parts(filesystem, root, table_name):
            frames.append(
                spark.read.parquet(f"{output}/{table_name}.parquet").select(
                    "model_id", "product_id"
                )
            )
    if frames:
        done = frames[0]
        for frame in frames[1:]:
            done = done.unionByName(frame)
        done.createOrReplaceTempView("extract_done")
    else:
        empty = pa.table(
            {"model_id": pa.array([], pa.string()), "product_id": pa.array([], pa.string())}
        )
        spark.createDataFrame(empty).createOrReplaceTempView("extract_done")


def _ensure_tables(engine: SparkEngine, loaded: list[str], all_products: bool) -> None:
    """Empty stand-ins for the optional inputs the pending query reads."""
    spark = engine.spark
    if "activation_vectors" not in loaded:
        spark.createDataFrame(
            vectors_table("", [], np.zeros((0, 0), np.float32))
        ).createOrReplaceTempView("activation_vectors")
    if "activation_errors" not in loaded:
        spark.createDataFrame(errors_table("", [])).createOrReplaceTempView("activation_errors")
    if "kept_products" not in loaded:
        if not all_products:
            raise StateError(
                "the input has no kept_products (near-duplicate groups): export "
                "duplicate_groups and kept_products too, or pass --param all_products=true"
            )
        spark.createDataFrame(
            pa.table({"product_id": pa.array([], pa.string())})
        ).createOrReplaceTempView("kept_products")


def _check_registered(engine: SparkEngine, loaded: list[str], model: TappedModel) -> None:
    """Refuse a model id the input's database registered with other weights."""
    if "models" not in loaded:
        return
    rows = engine.fetch_rows(
        "SELECT name, weights_sha256 FROM models WHERE model_id = :m", {"m": model.model_id}
    )
    if rows and (
        rows[0]["weights_sha256"] != model.weights_sha256 or rows[0]["name"] != model.name
    ):
        raise ModelError(
            f"model id {model.model_id!r} is registered as {rows[0]['name']} with weights "
            f"sha256 {str(rows[0]['weights_sha256'])[:12]}...; these are {model.name} "
            f"{model.weights_sha256[:12]}... Pass --param model_id=NEW"
        )


def _registration(model: TappedModel) -> dict[str, pa.Table]:
    """The ``models`` and ``units`` rows ``register_model`` writes, as Arrow tables."""
    from attrdb.connection import connect
    from attrdb.model_registry import register_model

    con = connect(":memory:", create=True)
    try:
        register_model(con, model)
        return {
            name: con.sql(f"SELECT * FROM {name} ORDER BY ALL").to_arrow_table()
            for name in ("models", "units")
        }
    finally:
        con.close()


def _finish_output(output: str, model: TappedModel, run: dict[str, Any]) -> dict[str, int]:
    """Write models, units, empty stand-ins for tables without parts, and the manifest."""
    filesystem, root = _filesystem(output)
    counts: dict[str, int] = {}
    columns: dict[str, list[dict[str, Any]]] = {}
    for name, table in _registration(model).items():
        path = f"{root}/{name}.parquet"
        with filesystem.open_output_stream(path) as stream:
            pq.write_table(table, stream)
        counts[name] = table.num_rows
        columns[name] = [
            {"name": f.name, "type": str(f.type), "default": None} for f in table.schema
        ]
    for name, schema in (
        ("activation_vectors", VECTORS_SCHEMA),
        ("activation_errors", ERRORS_SCHEMA),
    ):
        parts = _parts(filesystem, root, name)
        if not parts:
            # Readers need one file to know the columns; an empty part keeps the folder valid.
            write_part(output, name, "empty", schema.empty_table())
            parts = _parts(filesystem, root, name)
        counts[name] = sum(
            pq.ParquetFile(p, filesystem=filesystem).metadata.num_rows for p in parts
        )
        columns[name] = [{"name": f.name, "type": str(f.type), "default": None} for f in schema]
    manifest = {
        "format": 1,
        "producer": "spark",
        "attrdb_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": {name: {"rows": counts[name], "columns": columns[name]} for name in counts},
        "views": {},
        "run": run,
    }
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n"
    _write_bytes(filesystem, f"{root}/manifest.json", text.encode("utf-8"))
    return counts


def run_extract_on_spark(
    input_dir: str | Path,
    output_dir: str | Path,
    *,
    params: SparkExtractParams | None = None,
    master: str = "local[2]",
    conf: Mapping[str, str] | None = None,
    session: SparkSession | None = None,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Extract activations on Spark from an exchange folder into another.

    Args:
        input_dir: an exchange folder holding ``products`` (and, unless
            ``params.all_products``, ``duplicate_groups`` + ``kept_products``); optional
            ``models``/``units`` (a registered model id is checked against the weights)
            and ``activation_vectors``/``activation_errors`` (products done are skipped).
            ``attrdb export --tables products,duplicate_groups,kept_products,models,units``.
        output_dir: where the partitions, ``models``, ``units`` and the manifest go (a
            local path, or a URL every executor can write: hdfs://, s3://). A folder that
            holds an unfinished or finished run of the same model is resumed.
        params: the extraction's parameters.
        master: Spark master URL.
        conf: extra Spark settings.
        session: a running SparkSession to use (tests); not stopped.
        overwrite: clear ``output_dir`` first instead of resuming.

    Returns:
        ``{"tables": {name: rows}, "seconds": s, "summary": {...}}``.

    Raises:
        InputError, StateError: bad parameters, input or output folder.
        ModelError: weights missing or registered differently.
        EngineError: Spark failed.
    """
    from attrdb.cnn.models import load_model
    from attrdb.engines.spark import SparkEngine
    from attrdb.engines.transpile import run_file
    from attrdb.exchange import load_exchange, require_exchange_tables

    p = params or SparkExtractParams()
    output = str(output_dir)
    require_exchange_tables(input_dir, ["products"], hint="export products with `attrdb export`")
    model = load_model(p.model, p.weights, "cpu", model_id=p.feature_set, pooling=p.pooling)
    marker = {"model_id": model.model_id, "weights_sha256": model.weights_sha256}
    started = time.perf_counter()
    clock = PhaseClock()
    engine = (
        SparkEngine(session)
        if session is not None
        else SparkEngine.start(
            master,
            conf=conf,
            scratch=None if master.startswith("local") else f"{output}/_scratch",
        )
    )
    try:
        clock.lap("start_spark")
        loaded = load_exchange(engine, input_dir)
        _check_registered(engine, loaded, model)
        _ensure_tables(engine, loaded, p.all_products)
        _prepare_output(output, marker, overwrite)
        _register_done(engine, output)
        done_before = engine.fetch_rows(
            "SELECT count(*) AS n FROM extract_done WHERE model_id = :m", {"m": model.model_id}
        )[0]["n"]
        run_file(
            engine,
            "cnn/spark_pending",
            {"model_id": model.model_id, "all_products": p.all_products},
        )
        pending = engine.frame("extract_pending")
        if p.limit is not None:
            pending = pending.orderBy("product_id").limit(p.limit)
        n_pending = pending.count()
        clock.lap("pending")
        weights_file = None
        if p.weights is not None:
            engine.spark.sparkContext.addFile(str(Path(p.weights).resolve()))
            weights_file = Path(p.weights).name
        spec = TaskSpec(
            arch=model.name,
            model_id=model.model_id,
            pooling=p.pooling,
            weights_sha256=model.weights_sha256,
            weights_file=weights_file,
            batch_size=p.batch_size,
            device=p.device,
            threads=p.threads,
            max_pixels=p.max_pixels,
            output=output,
        )
        tasks: list[dict[str, Any]] = []
        if n_pending:
            # Partitions are consecutive runs of the sorted pending list, cut at multiples
            # of the batch size: each batch then holds the very images local extraction
            # batches together (the same float summation order, so the same vectors).
            size = math.ceil(p.partition_size / p.batch_size) * p.batch_size
            parts = math.ceil(n_pending / size)
            keyed = (
                pending.select("product_id", "image_path")
                .orderBy("product_id")
                .rdd.zipWithIndex()
                .map(lambda pair: (pair[1] // size, (pair[0][0], pair[0][1])))
            )
            tasks = (
                keyed.partitionBy(parts, lambda part: part)
                .mapPartitions(lambda rows: extract_partition((row for _, row in rows), spec))
                .collect()
            )
        clock.lap("extract")
        seconds = round(time.perf_counter() - started, 3)
        summary = _summary(model, tasks, int(done_before), n_pending, seconds)
        summary["phase_seconds"] = clock.seconds
        run = {
            "stage": STAGE,
            "stages": [STAGE],
            "scope": None,
            "params": {STAGE: {**asdict(p), "model_id": model.model_id, "engine": "spark"}},
            "summary": {STAGE: summary},
            "master": master,
            "seconds": seconds,
            "keys": IMPORT_KEYS,
        }
        counts = _finish_output(output, model, run)
    finally:
        engine.close()
    return {"tables": counts, "seconds": seconds, "summary": summary}


def _summary(
    model: TappedModel,
    tasks: list[dict[str, Any]],
    done_before: int,
    n_pending: int,
    seconds: float,
) -> dict[str, Any]:
    n_vectors = sum(t["n_vectors"] for t in tasks)
    n_errors = sum(t["n_errors"] for t in tasks)
    images = n_vectors + n_errors
    return {
        "model_id": model.model_id,
        "n_units": model.n_units,
        "weights_sha256": model.weights_sha256,
        "n_done_before": done_before,
        "n_pending": n_pending,
        "n_extracted": n_vectors,
        "n_errors": n_errors,
        "partitions": len(tasks),
        "worker_pids": sorted({int(t["pid"]) for t in tasks}),
        "allocator_kept_in_workers": all(t["allocator_kept"] for t in tasks) if tasks else None,
        "minor_faults_per_image": round(sum(t["minor_faults"] for t in tasks) / images, 1)
        if images
        else None,
        "task_seconds": round(sum(t["seconds"] for t in tasks), 3),
        "model_load_seconds": round(sum(t["model_load_s"] for t in tasks), 3),
        "devices": sorted({t["device"] for t in tasks}),
        "threads_per_task": sorted({int(t["threads"]) for t in tasks}),
        "seconds": seconds,
        "images_per_s": round(images / seconds, 2) if seconds > 0 else None,
    }


def run_extract_via_spark(
    con: duckdb.DuckDBPyConnection,
    *,
    params: SparkExtractParams | None = None,
    master: str = "local[2]",
    conf: Mapping[str, str] | None = None,
    work_dir: str | Path | None = None,
    session: SparkSession | None = None,
) -> dict[str, Any]:
    """Extract the database's pending products on Spark and import the result.

    The pending products (``sql/cnn/pending_all.sql``) go to ``work_dir/input`` as an
    exchange folder, Spark writes ``work_dir/output``, and ``attrdb import`` merges it.
    With a ``work_dir`` kept between runs, an interrupted run resumes by partition; by
    default a temporary folder is used (the database itself then is what resumes:
    imported products are no longer pending).

    Raises:
        StateError: no products, or dedup has not run and ``all_products`` is false.
    """
    from attrdb import stages
    from attrdb.cnn.models import load_model
    from attrdb.engines import DuckDBEngine, query_file
    from attrdb.exchange import import_tables
    from attrdb.model_registry import register_model

    p = params or SparkExtractParams()
    stages.require(con, "products")
    has_groups = con.execute("SELECT EXISTS (SELECT 1 FROM duplicate_groups)").fetchall()[0][0]
    if not p.all_products and not has_groups:
        raise StateError(
            "duplicate_groups is empty: run `attrdb dedup` first, or pass "
            "--param all_products=true to extract every product"
        )
    # Registering here checks the id against the database's weights before Spark starts.
    register_model(
        con, load_model(p.model, p.weights, "cpu", model_id=p.feature_set, pooling=p.pooling)
    )
    pending = query_file(
        DuckDBEngine(con),
        "cnn/pending_all",
        {"model_id": p.feature_set, "all_products": p.all_products},
    )
    with tempfile.TemporaryDirectory(prefix="attrdb-spark-extract-") as scratch:
        base = Path(work_dir) if work_dir is not None else Path(scratch)
        folder = base / "input"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pending, folder / "products.parquet")
        manifest = {
            "format": 1,
            "producer": "duckdb",
            "attrdb_version": __version__,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "tables": {
                "products": {
                    "rows": pending.num_rows,
                    "columns": [
                        {"name": f.name, "type": str(f.type), "default": None}
                        for f in pending.schema
                    ],
                }
            },
            "views": {},
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
        result = run_extract_on_spark(
            folder,
            base / "output",
            params=replace(p, all_products=True),
            master=master,
            conf=conf,
            session=session,
        )
        imported = import_tables(con, base / "output")
    result["imported"] = imported["tables"]
    return result
