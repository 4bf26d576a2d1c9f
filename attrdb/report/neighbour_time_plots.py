"""Figures of the neighbourhood and time-window sections: a clustered similarity heat map
and small multiples of the strongest trends (same drawing conventions as plots.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from attrdb.report.plots import PALETTE, _figure, _style, _uri


def similarity_heatmap(words: Sequence[str], matrix: Sequence[Sequence[float]],
                       groups: Sequence[int]) -> str:
    """Word-by-word similarity in dendrogram order, with group boundaries marked."""
    import numpy as np

    values = np.asarray(matrix, dtype=float)
    size = max(4.0, 0.16 * len(words) + 1.5)
    fig = _figure(size + 1.0, size)
    ax = fig.add_subplot()
    off = values[~np.eye(len(words), dtype=bool)]
    limit = float(np.nanmax(np.abs(off))) if off.size else 1.0
    image = ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
    ax.set_xticks(range(len(words)), labels=list(words), rotation=90, fontsize=7)
    ax.set_yticks(range(len(words)), labels=list(words), fontsize=7)
    for i in range(1, len(groups)):
        if groups[i] != groups[i - 1]:
            ax.axhline(i - 0.5, color="#222222", linewidth=0.6)
            ax.axvline(i - 0.5, color="#222222", linewidth=0.6)
    fig.colorbar(image, ax=ax, shrink=0.6, label="similarity")
    return _uri(fig)


def trend_multiples(series: Mapping[str, Sequence[tuple[int, float, int]]],
                    labels: Mapping[int, str], directions: Mapping[str, str],
                    ylabel: str) -> str:
    """One small panel per word: value per window (marker size ~ positives)."""
    n = len(series)
    cols = min(3, n)
    rows = -(-n // cols)
    fig = _figure(3.0 * cols, 2.2 * rows)
    axes = fig.subplots(rows, cols, squeeze=False)
    for k, (word, points) in enumerate(series.items()):
        ax = axes[k // cols][k % cols]
        xs = [p[0] for p in points]
        colour = PALETTE[0] if directions.get(word) == "rising" else PALETTE[3]
        ax.plot(xs, [p[1] for p in points], color=colour, linewidth=1.2)
        ax.scatter(xs, [p[1] for p in points], s=[4 + 60 * min(p[2], 200) / 200 for p in points],
                   color=colour)
        ax.set_title(f"{word} ({directions.get(word, '')})", fontsize=9)
        ticks = xs[:: max(1, len(xs) // 4)]
        ax.set_xticks(ticks, labels=[labels.get(x, str(x)) for x in ticks], fontsize=7,
                      rotation=30)
        ax.tick_params(axis="y", labelsize=7)
        if k % cols == 0:
            ax.set_ylabel(ylabel, fontsize=8)
        _style(ax)
    for k in range(n, rows * cols):
        axes[k // cols][k % cols].set_visible(False)
    return _uri(fig)
