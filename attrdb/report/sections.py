"""The report's sections: each reads its ``sql/report/*.sql`` file and renders one block.

A section whose data does not exist yet (the stage has not run, or no human judgments were
imported) says so and what to run; it never fails the report. Each builder takes the
``Context`` and returns a ``Section``; ``SECTIONS`` lists them in page order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import duckdb

from attrdb.context.scopes import DEFAULT_SCOPE
from attrdb.errors import InputError
from attrdb.ingest import ImageRoots, image_roots
from attrdb.report import html as h
from attrdb.report import images, neighbour_time_plots, plots
from attrdb.report.compare_section import compare
from attrdb.sqlfiles import run_sql_file
from attrdb.stages import command, hint, stage


@dataclass(frozen=True)
class SaliencyExamples:
    """Which (word, image) saliency pairs the report draws.

    Attributes:
        words: only maps of these words (empty: every mapped word).
        images: only maps of these product ids (empty: every mapped image).
        count: at most this many pairs, taken in turn across words so each word shows.
    """

    words: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    count: int = 6

    def __post_init__(self) -> None:
        if self.count < 1:
            raise InputError(f"the saliency example count must be at least 1, got {self.count}")


@dataclass
class Context:
    """What every section needs: the connection, the model and scope shown, sizes."""

    con: duckdb.DuckDBPyConnection
    model_id: str | None
    scope: str = DEFAULT_SCOPE
    n_words: int = 10           # words per end of the visualness table / per layer
    n_purifier_words: int = 3   # words shown with purifier images
    n_images: int = 6           # images per purifier kind
    saliency: SaliencyExamples = field(default_factory=SaliencyExamples)

    @cached_property
    def image_roots(self) -> ImageRoots:
        """The images roots ingestion recorded: images are embedded only from under them."""
        return image_roots(self.con)


def run_for(table: str) -> str:
    """"run `attrdb X`" for the stage that writes ``table``."""
    return hint(table, first=False)


def rows(ctx: Context, name: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of ``sql/report/<name>.sql`` as dicts (model and scope bound when named)."""
    bound = {"model_id": ctx.model_id, "scope": ctx.scope, **params}
    cursor = run_sql_file(ctx.con, f"report/{name}", bound)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def _no_model(section_id: str, title: str, ref: str = "") -> h.Section:
    return h.Section(section_id, title, h.absent(
        f"No CNN model is registered yet: {hint('models')}."), ref, "absent")


def overview(ctx: Context) -> h.Section:
    """Dataset, rejects and near-duplicate removal."""
    title = "Dataset and near-duplicates"
    summary = rows(ctx, "summary")[0]
    if not summary["n_products"]:
        return h.Section("dataset", title, h.absent(
            f"No products ingested yet: {run_for('products')}."), status="absent")
    facts = [
        ("products accepted", summary["n_products"]),
        ("input rows rejected", summary["n_rejected"]),
        ("shops", summary["n_shops"]),
        ("categories", summary["n_categories"]),
        ("products with an image", summary["n_with_image"]),
        ("images with activations", summary["n_activation_vectors"]),
        ("images that failed extraction", summary["n_activation_errors"]),
    ]
    blocks = [f"<h3>Input</h3>{h.key_values(facts)}"]
    if summary["n_deduplicated"]:
        removed = summary["n_duplicates_removed"]
        share = removed / summary["n_deduplicated"]
        dedup = [
            ("products grouped", summary["n_deduplicated"]),
            ("duplicate groups", summary["n_duplicate_groups"]),
            ("kept (one per group)", summary["n_kept"]),
            ("removed as near-duplicates", removed),
            ("share removed", f"{share:.1%}"),
        ]
        blocks.append(f"<h3>Near-duplicate removal</h3>{h.key_values(dedup)}")
    body = h.columns(blocks)
    if not summary["n_deduplicated"]:
        body += h.absent(f"Near-duplicates not removed yet: {run_for('duplicate_groups')}.")
    else:
        shops = rows(ctx, "shops", n=12)
        body += "<h3>Shops with the most near-duplicates removed</h3>" + h.table(
            shops, headers={"n_products": "products", "n_groups": "groups", "n_kept": "kept",
                            "n_removed": "removed", "removed_share": "share removed"})
    rejects = rows(ctx, "rejects", n=10)
    if rejects:
        body += "<h3>Why input rows were rejected</h3>" + h.table(rejects)
    return h.Section("dataset", title, body)


def vocabulary(ctx: Context) -> h.Section:
    """The candidate attribute words of the scope."""
    title = "Vocabulary"
    words = rows(ctx, "vocabulary", n=40)
    if not words:
        return h.Section("vocabulary", title, h.absent(
            f"No vocabulary for scope {ctx.scope!r} yet: {run_for('vocabulary')}."),
            status="absent")
    kinds = rows(ctx, "vocabulary_kinds")
    top = words[:30]
    body = (
        f'<p class="lead">{words[0]["n_words"]:,} candidate words in scope '
        f"<code>{h.esc(ctx.scope)}</code>, in vocabulary rank order, each with |D+| (the "
        "products whose text holds it).</p>"
        + _location_note(rows(ctx, "vocabulary_left_out"))
        + h.word_list([(w["word"], w["n_products"]) for w in words])
        + h.columns([
            h.plot(plots.word_bars([w["word"] for w in top], [w["n_products"] for w in top],
                                   "products holding the word"), "most frequent words"),
            h.table(kinds, headers={"n_words": "words", "n_occurrences": "|D+| summed"}),
        ])
    )
    return h.Section("vocabulary", title, body)


def _location_note(found: list[dict[str, Any]]) -> str:
    """Which location words (left, front, inner) the vocabulary left out, or that it kept."""
    if not found:
        return ""
    if found[0]["location_words"] == "keep":
        return ("<p>Location words (left, front, inner, ...) are candidates, as in the paper "
                "(scope option <code>location_words</code>).</p>")
    dropped = found[0]["dropped"]
    listed = ", ".join(h.esc(w) for w in dropped) if dropped else "none occurred"
    return (f"<p>Left out as location words — they place parts on the product, they do not "
            f"describe its look (scope option <code>location_words</code>): {listed}.</p>")


def visualness(ctx: Context) -> h.Section:
    """Paper Table 2: most and least visual words per method."""
    title, ref = "Visualness", "paper Table 2"
    if ctx.model_id is None:
        return _no_model("visualness", title, ref)
    methods = rows(ctx, "visualness_methods")
    if not methods:
        return h.Section("visualness", title, h.absent(
            f"Visualness has not been measured yet: {run_for('visualness')}."), ref, "absent")
    extremes = rows(ctx, "visualness_extremes", n=ctx.n_words)
    by_method: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in extremes:
        by_method[row["method"]].append(row)
    body = (
        '<p class="lead">Balanced test accuracy of a logistic regression on the CNN units '
        "separating images whose text has the word (D+) from others (D-): 0.5 = not visual. "
        "crossfit tests every product once (k folds) and ranks by the lower end of its AUC's "
        "95 % interval, so a word scored on few images cannot lead by luck; random, initial and "
        "resample are the paper's single-split methods. Each score shows its interval and "
        "the positives and negatives it was tested on. "
        "language_prior is the text-only baseline score.</p>"
        + _negatives_note(rows(ctx, "divergence_matching"))
        + h.table(methods, headers={
            "n_words": "words", "n_without_score": "too few examples",
            "mean_accuracy": "mean", "min_accuracy": "min", "max_accuracy": "max"})
    )
    scores: dict[str, list[float]] = {
        m["method"]: [] for m in methods if m["method"] != "language_prior"}
    for row in rows(ctx, "visualness_scores"):
        if row["method"] in scores:
            scores[row["method"]].append(row["accuracy"])
    scores = {m: v for m, v in scores.items() if v}
    if scores:
        body += h.plot(plots.accuracy_histograms(scores), "accuracy per method")
    blocks = []
    for method in [m["method"] for m in methods if m["method"] in by_method]:
        ranked = by_method[method]
        most = [r for r in ranked if r["visual_rank"] <= ctx.n_words]
        least = sorted((r for r in ranked if r["nonvisual_rank"] <= ctx.n_words),
                       key=lambda r: r["nonvisual_rank"])
        for row in ranked:
            row["interval"] = _interval(row["accuracy_low"], row["accuracy_high"])
            row["auc_interval"] = _interval(row["auc_low"], row["auc_high"])
            row["tested"] = _support(row["n_test_pos"], row["n_test_neg"])
        cols = ["word", "accuracy", "interval", "auc", "auc_interval", "tested",
                "n_products"] + (
            ["h"] if any(r["h"] is not None for r in ranked) else []) + (
            ["rank_sd"] if any(r["rank_sd"] is not None for r in ranked) else [])
        labels = {"n_products": "|D+|", "h": "human", "accuracy": "score",
                  "interval": "95 % interval", "auc": "AUC", "auc_interval": "AUC 95 %",
                  "tested": "tested +/−",
                  "rank_sd": "rank sd (seeds)"}
        blocks.append(f"<h3>{h.esc(method)}</h3>" + h.columns([
            "<b>most visual</b>" + h.table(most, cols, labels),
            "<b>least visual</b>" + h.table(least, cols, labels),
        ]))
    body += h.columns(blocks)
    return h.Section("visualness", title, body, ref)


def _negatives_note(found: list[dict[str, Any]]) -> str:
    """What D- was drawn from in the newest divergence run: random products, or products of
    the positives' categories (and what those categories were read from)."""
    if not found or found[0]["negatives"] is None:
        return ""
    run = found[0]
    if run["negatives"] != "category_matched":
        return "<p>Negatives: random products of the scope (the paper).</p>"
    shop = " and shop" if run["match_shop"] else ""
    if run["n_categories"] is None:  # a run from before the counts were recorded
        return (f"<p>Negatives: matched to the positives' <code>{h.esc(run['match_field'])}"
                f"</code>{shop}.</p>")
    if run["n_categories"] < 2:
        return ("<p><b>Negatives are not category-matched</b>: no product has a category or "
                f"a title-named type, so every product of a shop is one stratum "
                f"({run['n_unmatched']} products).</p>")
    return (f"<p>Negatives: matched to the positives' category{shop} over "
            f"{run['n_categories']} categories: {run['n_by_category']} products by their "
            f"<code>{h.esc(run['match_field'])}</code>, {run['n_by_title_type']} by their "
            f"title's product type, {run['n_unmatched']} by neither.</p>")


def _interval(low: float | None, high: float | None) -> str:
    """A 95 % interval as text, empty where there is none."""
    return "" if low is None or high is None else f"{low:.2f}–{high:.2f}"


def _support(n_pos: int | None, n_neg: int | None) -> str:
    """Test positives and negatives as text."""
    return "" if n_pos is None or n_neg is None else f"{n_pos:,} / {n_neg:,}"


def agreement(ctx: Context) -> h.Section:
    """Paper Table 1: agreement of each method with human judgments."""
    title, ref = "Agreement with human judgments", "paper Table 1"
    if ctx.model_id is None:
        return _no_model("agreement", title, ref)
    found = rows(ctx, "agreement")
    if not found:
        return h.Section("agreement", title, h.absent(
            f"No agreement computed: import human judgments ({command('human')}) and "
            f"{run_for('agreement')}. This catalogue has no crowd votes of its own."), ref,
            "absent")
    body = (
        f'<p class="lead">Correlation between each method\'s visualness and the human score '
        f'H(u) over the words both have ({found[0]["n_human_words"]:,} words judged).</p>'
        + h.table(found, ["method", "pearson", "spearman", "n_words"], {"n_words": "words"})
    )
    return h.Section("agreement", title, body, ref)


def _layers(found: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return sorted({(r["layer_index"], r["layer"]) for r in found})


def layers(ctx: Context) -> h.Section:
    """Paper Table 3: the most salient words of each layer."""
    title, ref = "Most salient words per layer", "paper Table 3"
    if ctx.model_id is None:
        return _no_model("layers", title, ref)
    found = rows(ctx, "layer_words", n=ctx.n_words)
    if not found:
        return h.Section("layers", title, h.absent(
            f"No layer depth yet: {run_for('unit_word_divergence')} and "
            f"{command('depth')}."), ref, "absent")
    by_layer: dict[tuple[int, str], list[str]] = defaultdict(list)
    for row in found:
        by_layer[(row["layer_index"], row["layer"])].append(
            f"{row['word']} ({row['relative']:.2f})")
    table_rows = [{"layer": name, "words (relative magnitude)": ", ".join(words)}
                  for (_, name), words in sorted(by_layer.items())]
    peaks = rows(ctx, "depth_peaks")
    body = (
        '<p class="lead">Words ranked within each layer by relative magnitude (eq. 4): the '
        "share of a word's largest KL divergence that sits in the layer. Where divergence "
        "measured a null, the magnitude is chance-corrected: each layer's largest KL above "
        "what random words of the same size reach there (a layer of many units, or a rare "
        "word, no longer wins by chance).</p>"
        + h.table(table_rows)
        + "<h3>Where words peak</h3>"
        + h.table(peaks, ["peak_layer", "n_words", "example_words"],
                  {"peak_layer": "layer", "n_words": "words peaking here",
                   "example_words": "examples"})
    )
    return h.Section("layers", title, body, ref)


def layer_magnitude(ctx: Context) -> h.Section:
    """Paper Fig. 4: relative layer magnitude."""
    title, ref = "Relative layer magnitude", "paper Fig. 4"
    if ctx.model_id is None:
        return _no_model("layer-magnitude", title, ref)
    mean = rows(ctx, "layer_magnitude")
    if not mean:
        return h.Section("layer-magnitude", title, h.absent(
            f"No layer depth yet: {run_for('layer_depth')}."), ref, "absent")
    profiles: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for row in rows(ctx, "layer_profiles", n=6):
        profiles[row["word"]].append((row["layer_index"], row["relative"]))
    uri = plots.layer_profiles(
        _layers(mean), profiles, [(r["layer_index"], r["mean_relative"]) for r in mean])
    body = (
        '<p class="lead">Relative magnitude per layer of the most visual words, and the mean '
        f"over all {max(r['n_words'] for r in mean):,} words (dashed).</p>"
        + h.plot(uri, "relative layer magnitude")
        + h.table(mean, ["layer", "mean_relative", "sd_relative", "mean_max_kl", "n_words"],
                  {"mean_relative": "mean relative magnitude", "sd_relative": "sd",
                   "mean_max_kl": "mean max KL", "n_words": "words"})
    )
    return h.Section("layer-magnitude", title, body, ref)


def layer_correlation(ctx: Context) -> h.Section:
    """Paper Fig. 5: per-layer correlation with human visualness."""
    title, ref = "Per-layer correlation with human scores", "paper Fig. 5"
    if ctx.model_id is None:
        return _no_model("layer-correlation", title, ref)
    found = [r for r in rows(ctx, "layer_correlation") if r["n_words"] >= 3]
    if not found:
        return h.Section("layer-correlation", title, h.absent(
            "No human visualness scores for words with layer depth: import human judgments "
            f"({command('human')}) to see this figure."), ref, "absent")
    series = {
        "Pearson, max KL": [r["pearson_max_kl"] for r in found],
        "Spearman, max KL": [r["spearman_max_kl"] for r in found],
        "Pearson, relative": [r["pearson_relative"] for r in found],
    }
    body = h.plot(plots.layer_correlation(_layers(found), series), "per-layer correlation")
    body += h.table(found, ["layer", "pearson_max_kl", "spearman_max_kl", "pearson_relative",
                            "n_words"],
                    {"pearson_max_kl": "Pearson (max KL)", "spearman_max_kl": "Spearman (max KL)",
                     "pearson_relative": "Pearson (relative)", "n_words": "words"})
    return h.Section("layer-correlation", title, body, ref)


_KIND_NOTES = {
    "confident positive": "D+, highest score",
    "likely false positive": "D+, lowest score",
    "confident negative": "D-, lowest score",
    "likely false negative": "D-, highest score",
}


def purifier(ctx: Context) -> h.Section:
    """Paper Figs. 2-3: most and least confident images per word in D+ and D-."""
    title, ref = "Most and least confident images", "paper Figs. 2-3"
    if ctx.model_id is None:
        return _no_model("purifier", title, ref)
    words = rows(ctx, "purifier_words", n=ctx.n_purifier_words)
    if not words:
        return h.Section("purifier", title, h.absent(
            f"No classifier predictions yet: {run_for('predictions')}."), ref, "absent")
    body = (
        '<p class="lead">For the most visual words, the images the classifier is surest about '
        "and those it doubts: doubted D+ images are likely false positives of the text, "
        "accepted D- images likely false negatives.</p>"
    )
    for word in words:
        examples = rows(ctx, "purifier_examples", word=word["word"], method=word["method"],
                        n=ctx.n_images)
        interval = _interval(word["accuracy_low"], word["accuracy_high"])
        support = _support(word["n_test_pos"], word["n_test_neg"])
        body += (f"<h3>{h.esc(word['word'])} <small>({h.esc(word['method'])}, accuracy "
                 f"{word['accuracy']:.3f}" + (f", 95 % {interval}" if interval else "")
                 + (f", tested on {support} +/−" if support else "") + ")</small></h3>")
        by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in examples:
            by_kind[row["kind"]].append(row)
        for kind, note in _KIND_NOTES.items():
            if not by_kind.get(kind):
                continue
            figures = [
                h.figure(images.thumbnail(r["image_path"], roots=ctx.image_roots),
                         f"{r['score']:.2f} · {r['product_id']}",
                         r["title"] or r["product_id"])
                for r in by_kind[kind]
            ]
            body += f"<b>{h.esc(kind)}</b> <small>({h.esc(note)})</small>" + h.grid(figures)
    return h.Section("purifier", title, body, ref)


def metadata(ctx: Context) -> h.Section:
    """Do the surest predictions agree with catalogue attributes the method never read?"""
    title = "Agreement with catalogue metadata"
    if ctx.model_id is None:
        return _no_model("metadata", title)
    summary = rows(ctx, "metadata_agreement")
    if not summary:
        return h.Section("metadata", title, h.absent(
            f"No metadata check yet: {run_for('metadata_agreement')} (needs catalogue "
            "attributes "
            "such as base colour in products.metadata)."), status="absent")
    words = rows(ctx, "metadata_words")
    columns = _metadata_columns(ctx)
    labels = {"n_words": "words", "mean_precision": "precision", "mean_base_rate": "base rate",
              "mean_text_precision": "text", "pooled_precision": "pooled", "n_ranked": "ranked",
              "precision": "precision", "base_rate": "base rate", "text_precision": "text",
              "n_text": "text products"}
    body = (
        '<p class="lead">Of the k test images each classifier scores highest for a word that '
        "names an attribute value (e.g. <i>black</i> in base colour Black), the share whose "
        "catalogue value holds the word, against its share among all test images (base rate) "
        "and among those whose text has the word (text).</p>"
        + columns
        + h.table(summary, ["attribute", "method", "k", "n_words", "mean_precision",
                            "mean_base_rate", "mean_text_precision", "pooled_precision"], labels)
    )
    if words:
        body += (f"<h3>Per word ({h.esc(words[0]['method'])}, k = {words[0]['k']})</h3>"
                 + h.table(words, ["attribute", "word", "n_ranked", "precision", "base_rate",
                                   "text_precision", "n_text"], labels))
    return h.Section("metadata", title, body)


def _metadata_columns(ctx: Context) -> str:
    """Which catalogue column each attribute was checked against, and the words mapped."""
    import json

    checked = {r["attribute"]: r for r in rows(ctx, "metadata_columns")}
    run = rows(ctx, "metadata_run")
    # The run's parameters also name attributes that matched no vocabulary word.
    paths: dict[str, str] = json.loads(run[0]["attributes"] or "{}") if run else {}
    paths.update({name: r["path"] for name, r in checked.items()})
    table = []
    for name, path in sorted(paths.items()):
        found = checked.get(name)
        table.append({
            "attribute": name,
            "column": path,
            "n_words": found["n_words"] if found else 0,
            "words": found["words"] if found else "none: no vocabulary word names a value",
        })
    match = run[0]["match_field"] if run else None
    note = ("A product agrees with a word when its value in the column holds the word "
            "(<i>blue</i> in <i>Navy Blue</i>)"
            + (f"; the category baseline matches on <code>{h.esc(match)}</code>." if match
               else "."))
    labels = {"attribute": "attribute", "column": "catalogue column (products.metadata key)",
              "n_words": "words", "words": "vocabulary words mapped to its values"}
    return (f"<h3>Columns checked</h3><p>{note}</p>"
            + h.table(table, ["attribute", "column", "n_words", "words"], labels))


def saliency(ctx: Context) -> h.Section:
    """Paper Figs. 7-8: saliency maps over their images."""
    title, ref = "Saliency maps", "paper Figs. 7-8"
    if ctx.model_id is None:
        return _no_model("saliency", title, ref)
    chosen = ctx.saliency
    found = rows(ctx, "saliency_examples", n=chosen.count, words=list(chosen.words),
                 products=list(chosen.images))
    if not found:
        asked = chosen.words or chosen.images
        return h.Section("saliency", title, h.absent(
            "No saliency maps of the chosen words and images: run "
            f"`attrdb {stage('saliency').command} --word W --product P` for them, or widen the "
            "report's --saliency-words/--saliency-images."
            if asked else f"No saliency maps yet: {run_for('saliency_maps')}."), ref, "absent")
    pairs: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in found:
        pairs[(row["word"], row["product_id"])].append(row)
    body = ('<p class="lead">Where in the image the word\'s evidence lies: KL-weighted '
            "occlusion maps of the K units of highest KL (eq. 5) beside the baselines; each "
            "map is stretched to its own range (red = its highest value).</p>")
    for (word, product_id), maps in pairs.items():
        first = maps[0]
        figures = [h.figure(images.thumbnail(first["image_path"], 168, roots=ctx.image_roots),
                            "image",
                            first["title"] or product_id, wide=True)]
        for m in maps:
            label = m["method"] + (f", K={m['k']}" if m["k"] is not None else "")
            figures.append(h.figure(
                images.overlay(m["image_path"], m["map"], m["height"], m["width"],
                               roots=ctx.image_roots), label,
                wide=True))
        body += f"<h3>{h.esc(word)} <small>· {h.esc(product_id)}</small></h3>" + h.grid(figures)
    return h.Section("saliency", title, body, ref)


def saliency_curves(ctx: Context) -> h.Section:
    """Paper Fig. 6: AP and IoU against K."""
    title, ref = "Saliency evaluation: AP and IoU against K", "paper Fig. 6"
    if ctx.model_id is None:
        return _no_model("saliency-curves", title, ref)
    found = rows(ctx, "saliency_curves")
    if not found:
        return h.Section("saliency-curves", title, h.absent(
            f"No saliency evaluation yet: {run_for('saliency_eval')} (needs images with "
            "human "
            "regions, e.g. the CCP street photos)."), ref, "absent")
    summary = _saliency_summary(found)
    ap = {key: r["mean_ap"] for key, r in summary.items() if r["mean_ap"] is not None}
    iou = {key: r["best_iou"] for key, r in summary.items() if r["best_iou"] is not None}
    blocks = [
        h.plot(plots.saliency_curves(*_by_k(values), ylabel), ylabel)
        for values, ylabel in ((ap, "mean average precision"),
                               (iou, "mean IoU at its best threshold"))
        if values
    ]
    thresholds: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in found:
        if r["threshold"] is not None and r["mean_iou"] is not None:
            name = r["method"] + (f", K={r['k']}" if r["k"] is not None else "")
            thresholds[name].append((r["threshold"], r["mean_iou"]))
    if thresholds:
        blocks.append(h.plot(plots.iou_thresholds(thresholds), "IoU against threshold"))
    n_words = max(r["n_words"] for r in found)
    body = (
        f'<p class="lead">Maps scored against the human-drawn regions of {n_words} words: '
        "average precision of the map's pixels (threshold-free), IoU of the map thresholded "
        "at each level, and the pointing game (does the map's maximum fall in the region).</p>"
        + h.columns(blocks)
        + h.table(list(summary.values()),
                  ["method", "k", "mean_ap", "best_iou", "best_threshold", "mean_pointing",
                   "n_words", "n_images"],
                  {"mean_ap": "AP", "best_iou": "IoU (best threshold)",
                   "best_threshold": "threshold", "mean_pointing": "pointing",
                   "n_words": "words", "n_images": "images"})
    )
    return h.Section("saliency-curves", title, body, ref)


def _saliency_summary(found: list[dict[str, Any]]) -> dict[tuple[str, int | None], dict[str, Any]]:
    """One row per (method, K): threshold-free scores and the IoU at the best threshold."""
    summary: dict[tuple[str, int | None], dict[str, Any]] = {}
    for r in found:
        row = summary.setdefault((r["method"], r["k"]), {
            "method": r["method"], "k": r["k"], "mean_ap": None, "mean_pointing": None,
            "best_iou": None, "best_threshold": None, "n_words": r["n_words"],
            "n_images": r["n_images"]})
        if r["threshold"] is None:
            row.update(mean_ap=r["mean_ap"], mean_pointing=r["mean_pointing"],
                       n_images=r["n_images"])
        elif r["mean_iou"] is not None and (row["best_iou"] is None
                                            or r["mean_iou"] > row["best_iou"]):
            row.update(best_iou=r["mean_iou"], best_threshold=r["threshold"])
    return summary


def _by_k(
    values: dict[tuple[str, int | None], float],
) -> tuple[dict[str, list[tuple[int, float]]], dict[str, float]]:
    """Curves over K per method, and the K-free methods as constant baselines."""
    curves: dict[str, list[tuple[int, float]]] = defaultdict(list)
    baselines: dict[str, float] = {}
    for (method, k), value in sorted(values.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        if k is None:
            baselines[method] = value
        else:
            curves[method].append((k, value))
    return curves, baselines


def runs(ctx: Context) -> h.Section:
    """Provenance: the newest run of every stage."""
    found = rows(ctx, "runs")
    if not found:
        return h.Section("runs", "Stage runs", h.absent("No stage has run yet."),
                         status="absent")
    return h.Section("runs", "Stage runs", h.table(
        found, ["stage", "scope", "run_id", "status", "finished_at", "seconds", "error"],
        digits=1))


# --- Attribute neighbourhoods and attributes over time (docs/neighbours.md, docs/time.md) ---

HEATMAP_WORDS = 40   # words in the similarity heat map (most positives)
GROUP_WORDS = 18     # words listed per group
TREND_WORDS = 12     # words in the trend table
TREND_PANELS = 6     # small multiples
PHRASE_ROWS = 25     # phrases listed


def neighbours(ctx: Context) -> h.Section:
    """Attribute neighbourhoods: groups, clustered heat map, nearest neighbours."""
    title = "Attribute neighbourhoods"
    if ctx.model_id is None:
        return _no_model("neighbours", title)
    groups = rows(ctx, "neighbour_groups")
    if not groups:
        return h.Section("neighbours", title, h.absent(
            "No word similarities yet: run `attrdb neighbours` "
            f"(after {command('divergence')})."),
            status="absent")
    method = str(groups[0]["method"])
    cells = rows(ctx, "neighbour_matrix", method=method, n=HEATMAP_WORDS)
    order: dict[str, tuple[int, int]] = {}
    for c in cells:
        order[c["word"]] = (c["leaf_order"], c["group_id"])
    words = sorted(order, key=lambda w: order[w][0])
    index = {w: i for i, w in enumerate(words)}
    matrix = [[1.0 if i == j else 0.0 for j in range(len(words))] for i in range(len(words))]
    for c in cells:
        matrix[index[c["word"]]][index[c["neighbour"]]] = float(c["similarity"])
    examples = rows(ctx, "neighbour_examples", method=method, n=ctx.n_words, k=5)
    table_rows = [{"group": g["group_id"], "words": g["n_words"],
                   "members (dendrogram order)": ", ".join(g["words"][:GROUP_WORDS])
                   + (" …" if len(g["words"]) > GROUP_WORDS else "")} for g in groups]
    body = (
        f'<p class="lead">Words compared by their divergence profiles over the units '
        f"(method <code>{h.esc(method)}</code>): similar profiles mean the network separates "
        "their images with the same units. Groups: hierarchical clustering on 1 − "
        "similarity.</p>"
    )
    if len(words) >= 2:
        heatmap = neighbour_time_plots.similarity_heatmap(
            words, matrix, [order[w][1] for w in words])
        body += h.plot(heatmap, "word similarity heat map")
    body += (
        "<h3>Nearest neighbours of the most visual words</h3>"
        + h.table(examples, ["word", "n_pos", "neighbours"],
                  {"n_pos": "positives", "neighbours": "5 nearest (similarity, positives)"})
        + "<h3>Groups</h3>" + h.table(table_rows)
    )
    return h.Section("neighbours", title, body)


def phrases(ctx: Context) -> h.Section:
    """Phrase attributes: the two-word phrases in the vocabulary, with support and scores."""
    title = "Phrase attributes"
    if ctx.model_id is None:
        return _no_model("phrases", title)
    found = rows(ctx, "phrases", n=PHRASE_ROWS)
    if not found:
        return h.Section("phrases", title, h.absent(
            f"No phrases in the vocabulary: run `attrdb {stage('vocab').command} --phrases 50`."),
            status="absent")
    body = (
        '<p class="lead">Adjective/noun + noun bigrams within a sentence, ranked by the '
        "products using them with those tags (n_kind), kept when PMI &gt; 0 and the "
        "log-likelihood ratio G² passes its threshold; every later stage treats them as "
        "words. Visualness with its 95 % interval and test positives when scored.</p>"
        + h.table(found, ["phrase", "n_products", "n_kind", "pmi", "llr", "method",
                          "accuracy", "accuracy_low", "accuracy_high", "n_test_pos"],
                  {"n_products": "products", "n_kind": "as adj/noun + noun", "llr": "G²",
                   "accuracy_low": "low", "accuracy_high": "high",
                   "n_test_pos": "test positives"}, digits=2)
    )
    return h.Section("phrases", title, body)


def time_trends(ctx: Context) -> h.Section:
    """Attributes over time: windows, the strongest trends as small multiples."""
    title = "Attributes over time"
    if ctx.model_id is None:
        return _no_model("time-trends", title)
    sets = rows(ctx, "time_windows")
    if not sets:
        return h.Section("time-trends", title, h.absent(
            "No time windows yet: run `attrdb time windows --field metadata.<date key>`."),
            status="absent")
    info = sets[0]
    trends = rows(ctx, "time_trends", n=TREND_WORDS)
    body = (
        f'<p class="lead">Window set <code>{h.esc(info["window_set"])}</code>: '
        f"{info['n_windows']} windows of {info['min_products']}–{info['max_products']} "
        f"products ({info['n_products']} in all), {info['n_words']} words scored in at least "
        "one. A trend is the least-squares slope of the mean kl − kl_null (divergence beyond "
        "chance, free of the window's size) of a word's top units over "
        "the windows, significant when |t| exceeds Student's 5 % critical value. Peak layer "
        f"moved between first and last window for {info['n_shifted']} of "
        f"{info['n_with_3_windows']} words with 3 or more windows.</p>"
    )
    if not trends:
        return h.Section("time-trends", title, body + h.absent(
            "No word's divergence rises or falls significantly across the windows."))
    panel_words = [str(t["word"]) for t in trends[:TREND_PANELS]]
    series: dict[str, list[tuple[int, float, int]]] = defaultdict(list)
    labels: dict[int, str] = {}
    for r in rows(ctx, "time_series", window_set=info["window_set"], words=panel_words):
        series[r["word"]].append((r["window_index"], float(r["value"]), int(r["n_pos"])))
        labels[r["window_index"]] = str(r["time_window"])
    directions = {str(t["word"]): str(t["direction"]) for t in trends}
    multiples = neighbour_time_plots.trend_multiples(
        {w: series[w] for w in panel_words if w in series}, labels, directions,
        "mean top KL excess")
    body += h.plot(multiples, "strongest trends")
    body += h.table(trends, ["word", "direction", "n_windows", "slope", "t", "first_value",
                             "last_value", "min_n_pos", "total_n_pos"],
                    {"n_windows": "windows", "first_value": "first", "last_value": "last",
                     "min_n_pos": "fewest positives", "total_n_pos": "positives"}, digits=2)
    return h.Section("time-trends", title, body)


SECTIONS: list[Callable[[Context], h.Section]] = [
    overview, vocabulary, visualness, agreement, layers, layer_magnitude, layer_correlation,
    purifier, metadata, compare, saliency, saliency_curves, phrases, neighbours, time_trends,
    runs,
]
