"""The report's plots, drawn with matplotlib's Agg canvas and embedded as PNG ``data:`` URIs.

``matplotlib.figure.Figure`` is used directly (never pyplot), so no global backend or
figure state is touched and the report can be built from any thread or process.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

PALETTE = ["#2f5d8a", "#d9822b", "#3a9a5b", "#c23b3b", "#7b5ea7", "#8c6d46", "#d36fb5",
           "#6b7585", "#b5a33a", "#2bb3c0"]


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig


def _uri(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _style(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(True, axis="y", color="#e6e9ee", linewidth=0.8)
    ax.set_axisbelow(True)


def word_bars(words: Sequence[str], values: Sequence[float], xlabel: str) -> str:
    """Horizontal bars, first word on top (the vocabulary's most frequent words)."""
    fig = _figure(6.4, 0.2 * len(words) + 0.9)
    ax = fig.add_subplot()
    ax.barh(range(len(words)), values, color=PALETTE[0])
    ax.set_yticks(range(len(words)), labels=list(words), fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    return _uri(fig)


def accuracy_histograms(scores: Mapping[str, Sequence[float]]) -> str:
    """Distribution of visualness accuracy per method (one step histogram each)."""
    fig = _figure(6.4, 3.0)
    ax = fig.add_subplot()
    bins = [i / 40 for i in range(41)]
    for i, (method, values) in enumerate(scores.items()):
        ax.hist(values, bins=bins, histtype="step", linewidth=1.6,
                color=PALETTE[i % len(PALETTE)], label=f"{method} ({len(values)})")
    ax.axvline(0.5, color="#6b7585", linestyle=":", linewidth=1)
    ax.set_xlabel("balanced test accuracy (0.5 = chance)")
    ax.set_ylabel("words")
    ax.legend(fontsize=8, frameon=False)
    _style(ax)
    return _uri(fig)


def layer_profiles(
    layers: Sequence[tuple[int, str]],
    profiles: Mapping[str, Sequence[tuple[int, float]]],
    mean: Sequence[tuple[int, float]],
) -> str:
    """Paper Fig. 4: relative magnitude per layer for example words and the mean of all."""
    fig = _figure(7.2, 3.4)
    ax = fig.add_subplot()
    for i, (word, points) in enumerate(profiles.items()):
        xs, ys = zip(*points, strict=True) if points else ((), ())
        ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.2,
                color=PALETTE[i % len(PALETTE)], label=word)
    if mean:
        xs, ys = zip(*mean, strict=True)
        ax.plot(xs, ys, color="#1d2330", linewidth=2.6, linestyle="--", label="mean of all words")
    ax.set_xticks([i for i, _ in layers], labels=[name for _, name in layers],
                  rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("relative magnitude (eq. 4)")
    ax.legend(fontsize=8, frameon=False, ncols=2)
    _style(ax)
    return _uri(fig)


def layer_correlation(
    layers: Sequence[tuple[int, str]], series: Mapping[str, Sequence[float | None]]
) -> str:
    """Paper Fig. 5: per-layer correlation with human visualness."""
    fig = _figure(7.2, 3.2)
    ax = fig.add_subplot()
    xs = [i for i, _ in layers]
    for i, (name, values) in enumerate(series.items()):
        ys = [float("nan") if v is None else v for v in values]
        ax.plot(xs, ys, marker="o", markersize=3, color=PALETTE[i % len(PALETTE)], label=name)
    ax.axhline(0, color="#6b7585", linewidth=0.8)
    ax.set_xticks(xs, labels=[name for _, name in layers], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("correlation with human score")
    ax.legend(fontsize=8, frameon=False)
    _style(ax)
    return _uri(fig)


def saliency_curves(
    curves: Mapping[str, Sequence[tuple[int, float]]],
    baselines: Mapping[str, float],
    ylabel: str,
) -> str:
    """Paper Fig. 6: a score against K (units accumulated) per method; K-free methods dashed."""
    fig = _figure(5.2, 3.2)
    ax = fig.add_subplot()
    colour = 0
    for name, points in curves.items():
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, marker="o", markersize=4, color=PALETTE[colour % len(PALETTE)],
                label=name)
        colour += 1
    for name, value in baselines.items():
        ax.axhline(value, linestyle="--", linewidth=1.3, color=PALETTE[colour % len(PALETTE)],
                   label=name)
        colour += 1
    ks = sorted({k for points in curves.values() for k, _ in points})
    if len(ks) > 1:
        ax.set_xscale("log", base=2)
        ax.set_xticks(ks, labels=[str(k) for k in ks])
        ax.minorticks_off()
    ax.set_xlabel("K (prime units accumulated)")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, frameon=False)
    _style(ax)
    return _uri(fig)


def iou_thresholds(curves: Mapping[str, Sequence[tuple[float, float]]]) -> str:
    """Mean IoU against the threshold the map is cut at, one line per method and K."""
    fig = _figure(5.2, 3.2)
    ax = fig.add_subplot()
    for i, (name, points) in enumerate(curves.items()):
        xs, ys = zip(*sorted(points), strict=True)
        ax.plot(xs, ys, marker="o", markersize=3, color=PALETTE[i % len(PALETTE)], label=name)
    ax.set_xlabel("threshold on the map")
    ax.set_ylabel("mean IoU")
    ax.legend(fontsize=8, frameon=False)
    _style(ax)
    return _uri(fig)
