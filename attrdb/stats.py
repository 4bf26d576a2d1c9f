"""Scores with their uncertainty: balanced accuracy and AUC with 95 % intervals.

Compute only (numpy arrays in, floats out). The visualness stage evaluates cross-fitted
scores with these; negatives may carry weights (category-matched scopes reweight them to
the positives' category mix), and their effective number (Kish) sets the interval width.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Z_95 = 1.959963984540054  # two-sided 95 % normal quantile


@dataclass(frozen=True)
class ScoredEvaluation:
    """A classifier's test performance with intervals and support.

    Attributes:
        accuracy: balanced accuracy at the decision threshold, (TPR + TNR) / 2.
        accuracy_low, accuracy_high: its 95 % interval: TPR and TNR get Jeffreys Beta
            posteriors (so a perfect score on few images still has width), combined by
            their variances.
        auc: area under the ROC curve (weighted Mann-Whitney statistic, ties count half).
        auc_low, auc_high: its 95 % interval (Hanley & McNeil variance).
        n_pos: positives tested.
        n_neg: negatives tested (with a positive weight).
        n_neg_effective: the negatives' effective number, (sum w)^2 / sum w^2.
    """

    accuracy: float
    accuracy_low: float
    accuracy_high: float
    auc: float
    auc_low: float
    auc_high: float
    n_pos: int
    n_neg: int
    n_neg_effective: float


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of weighted observations."""
    total = float(weights.sum())
    squares = float((weights * weights).sum())
    return total * total / squares if squares > 0 else 0.0


def _beta_moments(successes: float, n: float) -> tuple[float, float]:
    """Mean and variance of the Jeffreys posterior Beta(successes + 1/2, failures + 1/2)."""
    a, b = successes + 0.5, n - successes + 0.5
    total = a + b
    return a / total, a * b / (total * total * (total + 1.0))


def weighted_auc(scores: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> float:
    """P(score of a random positive > score of a weighted random negative), ties half."""
    positive = labels.astype(bool)
    pos_scores = scores[positive]
    neg_order = np.argsort(scores[~positive], kind="mergesort")
    neg_scores = scores[~positive][neg_order]
    neg_weights = weights[~positive][neg_order]
    cumulative = np.concatenate(([0.0], np.cumsum(neg_weights)))
    below = cumulative[np.searchsorted(neg_scores, pos_scores, side="left")]
    at_or_below = cumulative[np.searchsorted(neg_scores, pos_scores, side="right")]
    total = cumulative[-1]
    if total <= 0 or len(pos_scores) == 0:
        return float("nan")
    return float(((below + at_or_below) / 2.0).sum() / (total * len(pos_scores)))


def evaluate_scores(
    scores: np.ndarray,
    labels: np.ndarray,
    weights: np.ndarray | None = None,
    threshold: float = 0.5,
) -> ScoredEvaluation:
    """Balanced accuracy and AUC of scores against labels, with 95 % intervals.

    Args:
        scores: probability of the word per tested product.
        labels: 1 for positives (D+), 0 for negatives.
        weights: per-product weights: of a negative, how much it counts; of a positive, 1 or
            0 (0 = not tested); None = every product weighs 1. Products of weight 0 are not
            counted.
        threshold: the decision cut for the balanced accuracy.
    """
    labels = labels.astype(bool)
    if weights is None:
        weights = np.ones(len(scores), dtype=np.float64)
    weights = np.where(labels, np.minimum(weights, 1.0), weights).astype(np.float64)
    keep = weights > 0
    scores, labels, weights = scores[keep], labels[keep], weights[keep]
    predicted = scores >= threshold
    n_pos = int(labels.sum())
    neg_weights = weights[~labels]
    n_neg_eff = effective_size(neg_weights)
    tp = float(predicted[labels].sum())
    tpr = tp / n_pos if n_pos else float("nan")
    neg_total = float(neg_weights.sum())
    tnr = float(neg_weights[~predicted[~labels]].sum()) / neg_total if neg_total else float("nan")
    mean_tpr, var_tpr = _beta_moments(tp, n_pos)
    mean_tnr, var_tnr = _beta_moments(tnr * n_neg_eff, n_neg_eff)
    centre = (mean_tpr + mean_tnr) / 2.0
    half = Z_95 * float(np.sqrt(var_tpr + var_tnr)) / 2.0
    auc = weighted_auc(scores, labels.astype(np.int8), weights)
    auc_half = Z_95 * _hanley_mcneil_sd(auc, n_pos, n_neg_eff)
    return ScoredEvaluation(
        accuracy=(tpr + tnr) / 2.0,
        accuracy_low=max(0.0, centre - half),
        accuracy_high=min(1.0, centre + half),
        auc=auc,
        auc_low=max(0.0, auc - auc_half),
        auc_high=min(1.0, auc + auc_half),
        n_pos=n_pos,
        n_neg=int(len(neg_weights)),
        n_neg_effective=n_neg_eff,
    )


def _hanley_mcneil_sd(auc: float, n_pos: float, n_neg: float) -> float:
    """Standard error of an AUC (Hanley & McNeil 1982), never below that of AUC 0.5 ties."""
    if not np.isfinite(auc) or n_pos < 1 or n_neg < 1:
        return float("nan")
    # An AUC of exactly 1 would get variance 0 from few images: bound it away from the edge
    # by half an observation, as the Jeffreys posteriors do for the accuracy.
    a = min(max(auc, 0.5 / (n_pos * n_neg)), 1.0 - 0.5 / (n_pos * n_neg))
    q1 = a / (2.0 - a)
    q2 = 2.0 * a * a / (1.0 + a)
    variance = (a * (1 - a) + (n_pos - 1) * (q1 - a * a) + (n_neg - 1) * (q2 - a * a)) / (
        n_pos * n_neg
    )
    return float(np.sqrt(max(variance, 0.0)))
