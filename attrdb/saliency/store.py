"""Database reads and writes of the saliency stage (every statement is in sql/saliency/).

Sweeps are stored one row per (image, patch size) with the drops as a float16 blob in
``n_units x n_y x n_x`` order: a unit's grid is contiguous, and float16 halves the size of
the largest table the stage writes (1.6 MB per image for EfficientNet-Lite0 at 224 px,
stride 16); its 11-bit mantissa keeps each drop to 0.05 % of its own magnitude, far below
what the smoothing and [0, 1] normalisation of a map resolve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np

from attrdb.saliency.occlusion import Sweep
from attrdb.sqlfiles import query_sql_file, run_sql_file

_DELTA_DTYPE = np.dtype("<f2")


@dataclass(frozen=True)
class Classifier:
    """A trained logistic-regression classifier on max-pooled units (see migration 0005)."""

    unit_ids: np.ndarray | None
    coef: np.ndarray
    intercept: float
    mean: np.ndarray
    scale: np.ndarray


def save_sweep(
    con: duckdb.DuckDBPyConnection,
    *,
    model_id: str,
    product_id: str,
    sweep: Sweep,
    image_hw: tuple[int, int],
) -> None:
    """Replace the stored sweep of one image at the sweep's size and stride."""
    import pyarrow as pa

    patches = sorted(sweep.deltas)
    rows = pa.table(
        {
            "model_id": [model_id] * len(patches),
            "product_id": [product_id] * len(patches),
            "size": pa.array([sweep.size] * len(patches), pa.int32()),
            "patch": pa.array(patches, pa.int32()),
            "stride": pa.array([sweep.stride] * len(patches), pa.int32()),
            "n_y": pa.array([sweep.deltas[p].shape[1] for p in patches], pa.int32()),
            "n_x": pa.array([sweep.deltas[p].shape[2] for p in patches], pa.int32()),
            "n_units": pa.array([sweep.n_units] * len(patches), pa.int32()),
            "image_height": pa.array([image_hw[0]] * len(patches), pa.int32()),
            "image_width": pa.array([image_hw[1]] * len(patches), pa.int32()),
            "base": pa.array(
                [sweep.base.astype(np.float32)] * len(patches), pa.list_(pa.float32())
            ),
            "delta": pa.array([_delta_bytes(sweep.deltas[p]) for p in patches], pa.binary()),
        }
    )
    params = {
        "model_id": model_id, "product_id": product_id, "size": sweep.size, "stride": sweep.stride
    }
    con.execute("BEGIN TRANSACTION")
    try:
        run_sql_file(con, "saliency/sweep_delete", params)
        con.register("sweep_rows", rows)
        try:
            run_sql_file(con, "saliency/sweep_insert")
        finally:
            con.unregister("sweep_rows")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _delta_bytes(delta: np.ndarray) -> bytes:
    return np.ascontiguousarray(delta, dtype=_DELTA_DTYPE).tobytes()


def as_stored(delta: np.ndarray) -> np.ndarray:
    """The drops as ``load_sweep`` will return them (rounded to float16, as float32)."""
    return np.asarray(delta, dtype=_DELTA_DTYPE).astype(np.float32)


def load_sweep(
    con: duckdb.DuckDBPyConnection, *, model_id: str, product_id: str, size: int, stride: int
) -> tuple[Sweep, tuple[int, int]] | None:
    """The stored sweep of one image and the image's (height, width), or None."""
    rows = query_sql_file(
        con,
        "saliency/sweep_rows",
        {"model_id": model_id, "product_id": product_id, "size": size, "stride": stride},
    )
    if not rows:
        return None
    deltas: dict[int, np.ndarray] = {}
    for patch, n_y, n_x, n_units, _, _, _, blob in rows:
        flat = np.frombuffer(blob, dtype=_DELTA_DTYPE).astype(np.float32)
        deltas[int(patch)] = flat.reshape(int(n_units), int(n_y), int(n_x))
    base = np.asarray(rows[0][6], dtype=np.float32)
    image_hw = (int(rows[0][4]), int(rows[0][5]))
    return Sweep(size=size, stride=stride, base=base, deltas=deltas), image_hw


def load_mean_image(con: duckdb.DuckDBPyConnection, size: int) -> np.ndarray | None:
    """The stored ``3 x size x size`` mean image in [0, 1], or None."""
    rows = query_sql_file(con, "saliency/mean_image", {"size": size})
    if not rows:
        return None
    return np.asarray(rows[0][1], dtype=np.float32).reshape(3, size, size)


def save_mean_image(con: duckdb.DuckDBPyConnection, pixels: np.ndarray, n_images: int) -> None:
    """Store a ``3 x size x size`` mean image."""
    size = int(pixels.shape[-1])
    run_sql_file(
        con,
        "saliency/mean_image_insert",
        {"size": size, "n_images": n_images, "pixels": pixels.astype(np.float32).ravel().tolist()},
    )


def mean_image_sources(con: duckdb.DuckDBPyConnection, limit: int) -> list[tuple[str, str]]:
    """(product_id, image_path) of the images to average into the mean image."""
    rows = query_sql_file(con, "saliency/mean_image_sources", {"limit": limit})
    return [(str(a), str(b)) for a, b in rows]


def top_units(
    con: duckdb.DuckDBPyConnection, *, model_id: str, scope: str, word: str, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """(unit_ids, kl) of the word's ``k`` units of highest KL, best first."""
    rows = query_sql_file(
        con, "saliency/top_units", {"model_id": model_id, "scope": scope, "word": word, "k": k}
    )
    return (
        np.asarray([r[0] for r in rows], dtype=np.int64),
        np.asarray([r[1] for r in rows], dtype=np.float64),
    )


def load_classifier(
    con: duckdb.DuckDBPyConnection, *, model_id: str, scope: str, word: str, method: str
) -> Classifier | None:
    """A word's trained classifier, or None when the visualness stage trained none."""
    rows = query_sql_file(
        con,
        "saliency/classifier",
        {"model_id": model_id, "scope": scope, "word": word, "method": method},
    )
    if not rows:
        return None
    unit_ids, coef, intercept, mean, scale = rows[0]
    return Classifier(
        unit_ids=None if unit_ids is None else np.asarray(unit_ids, dtype=np.int64),
        coef=np.asarray(coef, dtype=np.float64),
        intercept=float(intercept),
        mean=np.asarray(mean, dtype=np.float64),
        scale=np.asarray(scale, dtype=np.float64),
    )


@dataclass(frozen=True)
class MapRow:
    """One attribute map to store."""

    product_id: str
    word: str
    method: str
    k: int | None
    values: np.ndarray


def save_maps(
    con: duckdb.DuckDBPyConnection,
    maps: Sequence[MapRow],
    *,
    model_id: str,
    scope: str,
    run_id: int | None,
) -> None:
    """Replace the stored maps with the same (image, word, method, K), in one transaction."""
    import pyarrow as pa

    if not maps:
        return
    rows = pa.table(
        {
            "model_id": [model_id] * len(maps),
            "scope": [scope] * len(maps),
            "product_id": [m.product_id for m in maps],
            "word": [m.word for m in maps],
            "method": [m.method for m in maps],
            "k": pa.array([m.k for m in maps], pa.int32()),
            "height": pa.array([m.values.shape[0] for m in maps], pa.int32()),
            "width": pa.array([m.values.shape[1] for m in maps], pa.int32()),
            "map": pa.array(
                [m.values.astype(np.float32).ravel() for m in maps], pa.list_(pa.float32())
            ),
            "run_id": pa.array([run_id] * len(maps), pa.int64()),
        }
    )
    con.execute("BEGIN TRANSACTION")
    try:
        for m in maps:
            run_sql_file(
                con,
                "saliency/maps_delete",
                {"model_id": model_id, "scope": scope, "product_id": m.product_id,
                 "word": m.word, "method": m.method, "k": m.k},
            )
        con.register("map_rows", rows)
        try:
            run_sql_file(con, "saliency/maps_insert")
        finally:
            con.unregister("map_rows")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def load_map(
    con: duckdb.DuckDBPyConnection,
    *,
    model_id: str,
    scope: str,
    product_id: str,
    word: str,
    method: str,
    k: int | None,
) -> np.ndarray | None:
    """A stored map as a ``height x width`` array, or None."""
    rows = query_sql_file(
        con,
        "saliency/map",
        {"model_id": model_id, "scope": scope, "product_id": product_id, "word": word,
         "method": method, "k": k},
    )
    if not rows:
        return None
    height, width, values = rows[0]
    return np.asarray(values, dtype=np.float32).reshape(int(height), int(width))
