"""Scores with intervals (attrdb.stats) against scikit-learn and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score, roc_auc_score

from attrdb.stats import effective_size, evaluate_scores, weighted_auc


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_accuracy_and_auc_equal_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = rng.random(400) < 0.3
    scores = np.round(rng.random(400) * 0.8 + 0.25 * labels, 2)  # ties included
    weights = np.where(labels, 1.0, rng.random(400) * 2)
    result = evaluate_scores(scores, labels.astype(np.int8))
    assert result.accuracy == pytest.approx(balanced_accuracy_score(labels, scores >= 0.5))
    assert result.auc == pytest.approx(roc_auc_score(labels, scores))
    assert weighted_auc(scores, labels.astype(np.int8), weights) == pytest.approx(
        roc_auc_score(labels, scores, sample_weight=weights))
    assert (result.n_pos, result.n_neg) == (labels.sum(), (~labels).sum())
    assert result.accuracy_low < result.accuracy < result.accuracy_high
    assert result.auc_low < result.auc < result.auc_high


def test_intervals_shrink_with_support_and_never_collapse() -> None:
    # 6 of 6 right on both sides is perfect but weak evidence; 600 of 600 is strong.
    few = evaluate_scores(np.r_[np.full(6, 0.9), np.full(6, 0.1)], np.r_[np.ones(6), np.zeros(6)])
    many = evaluate_scores(np.r_[np.full(600, 0.9), np.full(600, 0.1)],
                           np.r_[np.ones(600), np.zeros(600)])
    assert few.accuracy == many.accuracy == 1.0
    assert few.accuracy_low < 0.85 < many.accuracy_low
    assert few.auc_low < many.auc_low <= 1.0
    # Jeffreys posteriors: the half-width for 6 + 6 perfect images is known in closed form.
    a, b = 6.5, 0.5
    var = a * b / ((a + b) ** 2 * (a + b + 1))
    # TPR and TNR have the same posterior: half-width z * sqrt(2 var) / 2.
    assert few.accuracy_low == pytest.approx(a / (a + b) - 1.959963984540054 * np.sqrt(var / 2))


def test_weighted_negatives_count_by_their_effective_number() -> None:
    weights = np.r_[np.ones(50), np.full(50, 0.0), np.full(100, 0.5)]
    assert effective_size(np.ones(10)) == 10
    assert effective_size(weights[weights > 0]) == pytest.approx(100 ** 2 / (50 + 25))
    labels = np.r_[np.ones(40), np.zeros(200)]
    scores = np.r_[np.full(40, 0.8), np.full(200, 0.2)]
    result = evaluate_scores(scores, labels, np.r_[np.ones(40), weights])
    assert result.n_neg == 150  # weight-0 negatives are not tested
