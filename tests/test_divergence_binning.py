"""Equal-width binning at the float edges: every activation's bin is numpy.histogram's.

sql/divergence/binned_equal.sql guesses floor((v - lo) / width) and corrects it against the
stored edges; it clamps only the top (v = max), relying on v >= lo. These tests put values
on, and one float32 step either side of, every stored edge of units of very different
scales, and compare each row's bin (not only the counts) with numpy's rule.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from attrdb.connection import connect
from attrdb.sqlfiles import query_sql_file, run_sql_file
from tests.test_divergence import ALL_UNITS, MODEL

SCALES = (1e-6, 0.37, 6.0, 1e4, -3.0)  # a negative range too: lo < 0 < hi


def _edge_values(lo: float, hi: float, n_bins: int) -> np.ndarray:
    """float32 values on and next to every edge numpy would compute for [lo, hi]."""
    edges = np.linspace(lo, hi, n_bins + 1)
    near = edges.astype(np.float32)
    values = np.concatenate([
        near,
        np.nextafter(near, np.float32(np.inf)),
        np.nextafter(near, np.float32(-np.inf)),
    ])
    return np.clip(values, np.float32(lo), np.float32(hi))


def _numpy_bins(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """numpy.histogram's bin of each value: edges[b] <= v < edges[b + 1], last bin closed."""
    bins = np.searchsorted(edges, values, side="right") - 1
    return np.where(values == edges[-1], len(edges) - 2, bins)


def test_every_row_gets_numpy_histograms_bin_next_to_the_edges() -> None:
    con = connect(":memory:", create=True)  # one database (migrations are the slow part)
    con.execute(
        "INSERT INTO models (model_id, name, weights, weights_sha256, input_size, n_units) "
        "VALUES (?, 'constructed', 'none', 'none', 224, ?)", [MODEL, len(SCALES)],
    )
    for n_bins in (3, 16, 32, 255):
        _check_bins(con, n_bins)
    con.close()


def _check_bins(con: duckdb.DuckDBPyConnection, n_bins: int) -> None:
    for table in ("activation_vectors", "splits", "scope_products", "unit_bins"):
        con.execute(f"DELETE FROM {table}")
    columns = []
    for scale in SCALES:
        lo, hi = (float(np.float32(scale)), float(np.float32(-scale / 7))) if scale < 0 else (
            0.0, float(np.float32(scale)))
        columns.append(_edge_values(min(lo, hi), max(lo, hi), n_bins))
    n = max(len(c) for c in columns)
    # Every unit gets n rows: its edge values, repeated cyclically (min and max included).
    acts = np.stack([np.resize(c, n) for c in columns], axis=1).astype(np.float32)
    ids = [f"p{i:05d}" for i in range(n)]
    con.register("vectors_in", pa.table({
        "product_id": ids, "vals": pa.array(acts.tolist(), pa.list_(pa.float32())),
    }))
    con.execute("INSERT INTO activation_vectors SELECT ?, product_id, vals FROM vectors_in",
                [MODEL])
    con.unregister("vectors_in")
    con.execute("INSERT INTO splits SELECT product_id, 'train' FROM activation_vectors")
    con.execute("INSERT INTO scope_products SELECT 'default', product_id FROM activation_vectors")
    params = {"model_id": MODEL, "scope": "default"}
    query_sql_file(con, "divergence/universe", {**params, "split": "train"})
    run_sql_file(con, "divergence/unit_bins_equal", {**params, "n_bins": n_bins})
    run_sql_file(con, "divergence/binned_equal", {**params, **ALL_UNITS, "n_bins": n_bins})
    edges = {u: np.array(e) for u, e in con.execute(
        "SELECT unit_id, edges FROM divergence_edges WHERE NOT constant").fetchall()}
    assert len(edges) == len(SCALES)
    got = np.full(acts.shape, -1)
    for pidx, unit, b in con.execute("SELECT pidx, unit, bin FROM divergence_binned").fetchall():
        got[pidx, unit] = b
    for unit, unit_edges in edges.items():
        expected = _numpy_bins(acts[:, unit].astype(np.float64), unit_edges)
        np.testing.assert_array_equal(got[:, unit], expected, err_msg=f"{n_bins} bins, unit {unit}")
        assert np.array_equal(np.bincount(expected, minlength=n_bins),
                              np.histogram(acts[:, unit].astype(np.float64), unit_edges)[0])
