"""The report's cross-model section: networks and poolings compared (docs/compare.md).

It reads the ``compare_*`` views (migration 0026) through ``sql/report/compare_*.sql``
and needs at least two feature sets with visualness results in the report's scope.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from attrdb.report import html as h
from attrdb.report import plots
from attrdb.sqlfiles import run_sql_file

if TYPE_CHECKING:
    from attrdb.report.sections import Context

SECTION_ID = "compare"
TITLE = "Networks and poolings compared"
REF = "paper Table 1, Table 3, Fig. 4 across models"
# Words whose depth is compared across feature sets.
N_DEPTH_WORDS = 12


def _rows(ctx: Context, name: str, **params: Any) -> list[dict[str, Any]]:
    cursor = run_sql_file(ctx.con, f"report/{name}", {"scope": ctx.scope, **params})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def _interval(row: dict[str, Any], value: str, low: str, high: str) -> str:
    """``value [low, high]`` as text, empty when the value is missing."""
    if row.get(value) is None:
        return ""
    if row.get(low) is None or row.get(high) is None:
        return f"{row[value]:.3f}"
    return f"{row[value]:.3f} [{row[low]:.3f}, {row[high]:.3f}]"


def compare(ctx: Context) -> h.Section:
    """Table 1 rows per feature set, the random-network floor, ranking agreement, depth."""
    sets = _rows(ctx, "compare_feature_sets")
    if len(sets) < 2:
        return h.Section(SECTION_ID, TITLE, h.absent(
            "Fewer than two feature sets have visualness results in this scope: extract "
            "another network or pooling (`attrdb extract --pooling mean`, `--arch "
            "efficientnet_lite0_random`, a fine-tuned model) and run divergence, depth and "
            "visualness with `--model` on it; `attrdb compare` adds the metadata ceiling."),
            REF, "absent")
    body = (
        '<p class="lead">Each feature set is a network (architecture and exact weights) '
        "with a spatial pooling of its conv maps; every stage ran on each unchanged. "
        "Intervals are 95 %: of the mean over words (mean ± 1.96 sd/√n), Fisher z for "
        "Spearman correlations.</p>"
        + h.table(sets, ["model_id", "name", "pooling", "kind", "parent_model_id", "n_units",
                         "n_images"],
                  {"model_id": "feature set", "name": "architecture", "kind": "weights",
                   "parent_model_id": "fine-tuned from", "n_units": "units",
                   "n_images": "images"})
    )
    body += _table1(ctx) + _floor(ctx) + _correlation(ctx) + _depth(ctx) + _prime(ctx)
    return h.Section(SECTION_ID, TITLE, body, REF)


def _table1(ctx: Context) -> str:
    found = _rows(ctx, "compare_table1")
    shown = [{
        "feature set": r["model_id"],
        "method": r["method"],
        "settings": r["settings"],
        "words": r["n_words"],
        "mean V(u) [95 %]": _interval(r, "mean_accuracy", "mean_accuracy_low",
                                      "mean_accuracy_high"),
        "mean AUC [95 %]": _interval(r, "mean_auc", "mean_auc_low", "mean_auc_high"),
        "human r": r["human_pearson"],
        "field": f"{r['field']} P@{r['k']} ({r['n_attribute_words']} words)"
                 if r["field"] else "",
        "text-trained": _interval(r, "mean_precision", "mean_precision_low",
                                  "mean_precision_high"),
        "ceiling": _interval(r, "ceiling_precision", "ceiling_low", "ceiling_high"),
        "share": r["share_of_ceiling"] if r["ceiling_comparable"] else r["ceiling_note"],
    } for r in found]
    settings = sorted({r["settings"] for r in found if r["method"] == "crossfit"
                       and r["settings"]})
    return (
        "<h3>Table 1 per feature set</h3>"
        '<p class="lead">Mean balanced accuracy and AUC of each method over the scored '
        "words; human agreement where judgments were imported; precision at k of the "
        "surest products against a metadata field the method never reads, next to the "
        "ceiling: classifiers of the same features and code path trained on the field "
        "itself (`attrdb compare`), with the settings of the row's own crossfit results; "
        "a share is shown only for a crossfit row and a ceiling of the same settings, "
        "otherwise why not. Intervals: Student t over the words, clipped to [0, 1].</p>"
        + (h.absent("The crossfit rows were computed with different settings ("
                    + "; ".join(settings) + "): their means are not "
                    "like for like; rerun `attrdb visualness --methods crossfit --force` "
                    "with one setting.") if len(settings) > 1 else "")
        + h.table(shown)
    )


def _floor(ctx: Context) -> str:
    found = _rows(ctx, "compare_floor")
    if not found:
        return h.absent("No randomly initialised network to compare with: extract "
                        "`--arch efficientnet_lite0_random` and score it.")
    shown = [{
        "feature set": r["model_id"],
        "floor": r["floor_model_id"],
        "method": r["method"],
        "settings": r["settings"],
        "words": r["n_words"],
        "unlike words left out": r["n_unlike_words"],
        "Δ accuracy [95 %]": _interval(r, "mean_d_accuracy", "mean_d_accuracy_low",
                                       "mean_d_accuracy_high"),
        "Δ AUC [95 %]": _interval(r, "mean_d_auc", "mean_d_auc_low", "mean_d_auc_high"),
        "words above": r["share_words_above"],
    } for r in found]
    return (
        "<h3>Above the floor of a random network</h3>"
        '<p class="lead">Paired over the words both scored with the same settings: how much '
        "each feature set's visualness exceeds that of the randomly initialised network "
        "with the same pooling.</p>" + h.table(shown)
    )


def _correlation(ctx: Context) -> str:
    found = _rows(ctx, "compare_rank_correlation", method="crossfit")
    method = "crossfit"
    if not found:
        found = _rows(ctx, "compare_rank_correlation", method="resample")
        method = "resample"
    if not found:
        return ""
    shown = [{
        "feature set A": r["model_a"], "feature set B": r["model_b"], "words": r["n_words"],
        "Spearman [95 %]": _interval(r, "spearman", "spearman_low", "spearman_high"),
        "top 30 shared": r["top30_shared"],
        "left out (other settings)": r["n_unlike_words"],
    } for r in found]
    return (f"<h3>Do they rank the words alike? ({method})</h3>" + h.table(shown))


def _depth(ctx: Context) -> str:
    magnitude = _rows(ctx, "compare_layer_magnitude")
    if not magnitude:
        return ""
    profiles: dict[str, list[tuple[int, float]]] = defaultdict(list)
    layers: dict[int, str] = {}
    for r in magnitude:
        if r["magnitude"] is not None:
            profiles[r["model_id"]].append((r["layer_index"], r["magnitude"]))
        layers.setdefault(r["layer_index"], r["layer"])
    uri = plots.layer_profiles(sorted(layers.items()), profiles, [])
    reference = ctx.model_id or next(iter(profiles))
    words = [r["word"] for r in _rows(ctx, "compare_depth_words", model_id=reference,
                                      n=N_DEPTH_WORDS)]
    peaks: dict[str, dict[str, Any]] = defaultdict(dict)
    for r in _rows(ctx, "compare_word_depth", words=words):
        peaks[r["word"]][r["model_id"]] = r["peak_layer"]
    models = sorted({m for by_model in peaks.values() for m in by_model})
    table_rows = [{"word": w, **{m: peaks[w].get(m, "") for m in models}}
                  for w in words if w in peaks]
    return (
        "<h3>Depth across networks (Fig. 4 and Table 3 per feature set)</h3>"
        '<p class="lead">Mean relative magnitude per layer of each feature set (chance-'
        "corrected where the divergence measured a null), and the peak layer of the most "
        f"visual words of {h.esc(reference)} in every feature set.</p>"
        + h.plot(uri, "relative layer magnitude per feature set")
        + h.table(table_rows)
    )


def _prime(ctx: Context) -> str:
    found = _rows(ctx, "compare_prime_layers")
    if not found:
        return ""
    by_set: dict[str, dict[str, Any]] = {}
    layer_names: dict[int, str] = {}
    for r in found:
        key = r["model_id"]
        if r["pooling"] == "both":
            key += f" ({r['unit_pooling']} units)"
        row = by_set.setdefault(key, {"feature set (units)": key})
        row[r["layer"]] = f"{r['prime_share']:.2f} ({r['enrichment']:.1f}×)"
        layer_names[r["layer_index"]] = r["layer"]
    columns = ["feature set (units)"] + [layer_names[i] for i in sorted(layer_names)]
    return (
        "<h3>Where the prime units sit</h3>"
        '<p class="lead">Share of all prime units in each layer (in brackets: that share '
        "over the layer's share of the units; above 1, the layer holds more prime units "
        "than its size explains). A 'both' set is split into its max and mean units.</p>"
        + h.table(list(by_set.values()), columns)
    )
