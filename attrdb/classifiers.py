"""Per-word logistic-regression classifiers on CNN unit activations (paper Sec. 4.2).

The feature matrix is loaded once (activation vectors flattened through Arrow into one
float32 numpy matrix); each classifier sees a sample of its rows and, optionally, a subset
of its columns (the word's prime units). Features are standardised on the training sample;
the fitted weights are kept in the standardised space, so a stored classifier is fully
described by (unit_ids, coef, intercept, mean, scale).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from attrdb.errors import SqlError, StateError, first_line
from attrdb.sqlfiles import execute_statement, load_statements


@dataclass(frozen=True)
class Hyperparameters:
    """Settings of every classifier of a run (recorded with its results).

    Attributes:
        C: inverse L2 regularisation strength of the logistic regression.
        max_iter: lbfgs iteration limit.
    """

    C: float = 0.01
    max_iter: int = 1000


@dataclass(frozen=True)
class LinearClassifier:
    """A standardised logistic-regression classifier over some units.

    score(x) = sigmoid(((x[unit_ids] - mean) / scale) @ coef + intercept).
    """

    unit_ids: np.ndarray | None  # column indices; None = every unit
    coef: np.ndarray
    intercept: float
    mean: np.ndarray
    scale: np.ndarray
    converged: bool

    def decision(self, features: np.ndarray) -> np.ndarray:
        """The linear score (log-odds) of every row of the full feature matrix."""
        x = features if self.unit_ids is None else features[:, self.unit_ids]
        # (x - mean) / scale @ coef == x @ (coef / scale) - mean @ (coef / scale): avoids
        # materialising a standardised copy of the whole matrix.
        weights = self.coef / self.scale
        return x.astype(np.float64, copy=False) @ weights + (self.intercept - self.mean @ weights)

    def score(self, features: np.ndarray) -> np.ndarray:
        """Probability of the word for every row of the full feature matrix."""
        # sigmoid(d) = exp(-log(1 + exp(-d))): logaddexp never overflows, where exp(-d)
        # does for strongly negative log-odds (a RuntimeWarning, though the result was 0).
        return np.exp(-np.logaddexp(0.0, -self.decision(features)))


def query_arrow(
    con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None
) -> pa.Table:
    """Run ``sql/<name>.sql`` and return its last statement's rows as an Arrow table.

    The last statement goes through ``con.sql`` (a relation), which hands Arrow over
    without the extra copy a DB-API cursor makes.
    """
    statements = load_statements(name)
    given = dict(params or {})
    for statement in statements[:-1]:
        execute_statement(con, statement, given, origin=f"sql/{name}.sql")
    last = statements[-1]
    bound = {k: v for k, v in given.items() if k in last.params}
    try:
        return con.sql(last.text, params=bound or None).to_arrow_table()
    except duckdb.Error as exc:
        raise SqlError(f"sql/{name}.sql: {first_line(exc, with_type=True)}") from exc


def load_features(con: duckdb.DuckDBPyConnection, model_id: str) -> np.ndarray:
    """The run's feature matrix: one float32 row per ``visualness_universe`` product
    (``sql/visualness/features.sql`` through ``feature_matrix``).

    Raises:
        StateError: an activation vector's length differs from the model's unit count.
    """
    table = query_arrow(con, "visualness/features", {"model_id": model_id})
    return feature_matrix(table, model_id)


def feature_matrix(table: pa.Table, model_id: str) -> np.ndarray:
    """One float32 row per row of ``table``'s FLOAT[] column ``vals``.

    Flattened through Arrow, so no Python object is made per value.

    Raises:
        StateError: the vectors differ in length (named by ``model_id``).
    """
    n_rows = table.num_rows
    if n_rows == 0:
        return np.zeros((0, 0), dtype=np.float32)
    vals = table.column("vals").combine_chunks()
    lengths = vals.value_lengths().to_numpy(zero_copy_only=False)
    n_units = int(lengths[0])
    if not (lengths == n_units).all():
        bad = int(np.flatnonzero(lengths != n_units)[0])
        raise StateError(
            f"activation vectors of model {model_id!r} differ in length ({n_units} vs "
            f"{int(lengths[bad])} units); rerun `attrdb extract`"
        )
    flat = vals.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
    return flat.reshape(n_rows, n_units)


def fit_classifier(
    features: np.ndarray,
    rows: np.ndarray,
    labels: np.ndarray,
    unit_ids: np.ndarray | None,
    hyper: Hyperparameters,
    sample_weight: np.ndarray | None = None,
) -> LinearClassifier:
    """Standardise the sample's features and fit an L2 logistic regression.

    Args:
        features: the full feature matrix (products x units).
        rows: row indices of the training sample.
        labels: 1 for D+ (word present), 0 for D-.
        unit_ids: the columns to use, or None for all.
        hyper: regularisation and iteration settings.
        sample_weight: weight of each training row (None = all 1).
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x = features[rows] if unit_ids is None else features[np.ix_(rows, unit_ids)]
    # Fit in float64 like LinearClassifier.decision scores, so stored weights reproduce the
    # fitted model's probabilities exactly (float32 would differ from the 7th digit).
    x = x.astype(np.float64)
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=hyper.C, max_iter=hyper.max_iter, solver="lbfgs")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(scaler.transform(x), labels, sample_weight=sample_weight)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return LinearClassifier(
        unit_ids=None if unit_ids is None else np.asarray(unit_ids, dtype=np.int64),
        coef=model.coef_[0].astype(np.float64),
        intercept=float(model.intercept_[0]),
        mean=scaler.mean_.astype(np.float64),
        scale=scaler.scale_.astype(np.float64),
        converged=converged,
    )


def balanced_accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Mean of the true-positive and true-negative rates at the 0.5 probability cut."""
    predicted = scores >= 0.5
    positive = labels.astype(bool)
    tpr = float(predicted[positive].mean())
    tnr = float((~predicted[~positive]).mean())
    return (tpr + tnr) / 2.0
