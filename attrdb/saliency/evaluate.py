"""``attrdb evaluate``: attribute maps against human regions on Clothing Co-Parsing (Fig. 6).

The database holds CCP as a tag catalogue (``attrdb.ccp``): a photo's labels are its tags,
KL and classifiers come from its train split. For the scope's most frequent tags (minus
body parts, which are in nearly every photo and are no attribute) and a few test photos of
each, every method's map is scored against the tag's pixels: pixel-wise average
precision, IoU of the map thresholded at each theta, and the pointing game. Photos are
picked from the tags alone (never from results): for each tag in frequency order, test
photos already picked for an earlier tag first, then photos showing more of the evaluated
tags, then by id, so one sweep serves several tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np

from attrdb import ccp, stages
from attrdb.context.scopes import DEFAULT_SCOPE
from attrdb.errors import InputError, StateError
from attrdb.runs import stage_run
from attrdb.saliency import store
from attrdb.saliency.compute import DEFAULT_KS, GRADIENT, METHODS, MapMaker, SweepSettings
from attrdb.saliency.maps import resize_map
from attrdb.saliency.metrics import (
    DEFAULT_THRESHOLDS,
    DEFAULT_TOLERANCE,
    average_precision,
    iou_at,
    pointing_hit,
    region_distance,
)
from attrdb.saliency.stage import check_request, load_words, resolve_model
from attrdb.sqlfiles import query_sql_file, run_sql_file

if TYPE_CHECKING:
    from attrdb.cnn.models import TappedModel

#: CCP labels left out by default: body parts in nearly every photo (skin 1,003 of 1,004,
#: hair 960), so they have almost no negatives and describe the wearer, not the clothes.
DEFAULT_EXCLUDE: tuple[str, ...] = ("skin", "hair")


def select_images(
    candidates: Sequence[tuple[str, str, str, int]], words: Sequence[str], n_images: int
) -> dict[str, list[tuple[str, str]]]:
    """word -> [(product_id, image_path)], at most ``n_images`` each (see module docstring).

    Args:
        candidates: (word, product_id, image_path, n_words) rows.
        words: evaluated words, most frequent first.
        n_images: photos per word.
    """
    by_word: dict[str, list[tuple[str, str, int]]] = {}
    for word, pid, path, n_words in candidates:
        by_word.setdefault(word, []).append((pid, path, int(n_words)))
    chosen: set[str] = set()
    out: dict[str, list[tuple[str, str]]] = {}
    for word in words:
        ranked = sorted(by_word.get(word, []), key=lambda c: (c[0] not in chosen, -c[2], c[0]))
        picked = ranked[:n_images]
        chosen.update(pid for pid, _, _ in picked)
        out[word] = [(pid, path) for pid, path, _ in picked]
    return out


def score_map(
    values: np.ndarray,
    truth: np.ndarray,
    distance: np.ndarray,
    *,
    thresholds: Sequence[float],
    tolerance: float,
) -> tuple[float, np.ndarray, float]:
    """(AP, IoU per threshold, pointing hit) of one map, resized to the region's shape.

    ``distance`` is ``region_distance(truth)``, computed once per region.
    """
    full = resize_map(np.asarray(values, dtype=np.float64), truth.shape)
    hit = float(pointing_hit(full, truth, tolerance, distance=distance))
    return average_precision(full, truth), iou_at(full, truth, thresholds), hit


def run_evaluate(
    con: duckdb.DuckDBPyConnection,
    *,
    ccp_dir: str | Path,
    scope: str = DEFAULT_SCOPE,
    model_id: str | None = None,
    n_words: int = 20,
    n_images: int = 10,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    kind: str = "tag",
    ks: Sequence[int] = DEFAULT_KS,
    methods: Sequence[str] = METHODS,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    tolerance: float = DEFAULT_TOLERANCE,
    split: str = "test",
    settings: SweepSettings | None = None,
    classifier_method: str = "resample",
    device: str = "cpu",
    weights: str | None = None,
    model: TappedModel | None = None,
    figures: str | Path | None = None,
    n_figures: int = 4,
    prepare: bool = False,
    listings: str | Path | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Score attribute maps against CCP's human regions; fill saliency_scores and saliency_eval.

    Args:
        con: a database holding CCP as a tag catalogue with KL (and classifiers for the
            gradient baseline); see ``attrdb.ccp.prepare_database``.
        ccp_dir: the CCP folder (label maps give the human regions).
        scope: result scope.
        model_id: registered model (default: the only one).
        n_words: most frequent tags evaluated.
        n_images: test photos per tag.
        exclude: tags left out (default: skin, hair).
        kind: vocabulary kind of the evaluated words.
        ks: numbers of units accumulated (eq. 5).
        methods: maps scored (kl_occlusion, gradient, center_prior).
        thresholds: IoU thresholds in [0, 1].
        tolerance: pointing-game tolerance in photo pixels.
        split: split the photos come from.
        settings: sweep and map settings.
        classifier_method: classifier the gradient baseline back-propagates.
        device: torch device.
        weights: the model's weights file when it moved since registration.
        model: an already loaded model.
        figures: folder for overlay PNGs of the first ``n_figures`` words (None: none).
        n_figures: words drawn when ``figures`` is set.
        prepare: first load CCP and run the stages it needs (``attrdb.ccp.prepare_database``;
            stages already done are skipped).
        listings: where ``prepare`` writes the generated CCP catalogue.
        progress: tqdm bars on stderr.

    Returns:
        Summary: words, photos, maps and the per-method mean AP.
    """
    root = ccp.check_ccp_dir(ccp_dir)
    if n_words < 1 or n_images < 1:
        raise InputError("n_words and n_images must be >= 1")
    if not thresholds or any(not 0 <= t <= 1 for t in thresholds):
        raise InputError(f"thresholds must lie in [0, 1], got {list(thresholds)}")
    settings = settings or SweepSettings()
    prepared = None
    if prepare:
        if listings is None:
            raise InputError("prepare needs a path for the generated CCP listings")
        prepared = ccp.prepare_database(
            con, root, listings=listings, scope=scope, device=device, progress=progress
        )
    stages.require(con, "products", "vocabulary", "splits", "unit_word_divergence",
                   note="or let --prepare build the CCP database")
    model_id, n_units, input_size = resolve_model(
        con, model_id if model is None else model.model_id
    )
    check_request(ks, methods, n_units)
    settings.check(input_size)
    labels = sorted(name for i, name in ccp.read_labels(root).items() if i != ccp.NULL_LABEL)
    words = [
        str(r[0])
        for r in query_sql_file(
            con, "saliency/eval_words",
            {"model_id": model_id, "scope": scope, "kind": kind, "exclude": list(exclude),
             "labels": labels, "need_classifier": GRADIENT in methods,
             "classifier_method": classifier_method, "n_words": n_words},
        )
    ]
    if not words:
        raise StateError(
            f"no {kind} word of scope {scope!r} is a CCP label with a KL; run divergence"
        )
    units = load_words(
        con, model_id=model_id, scope=scope, words=words, ks=ks, methods=methods,
        classifier_method=classifier_method,
    )
    candidates = query_sql_file(
        con, "saliency/eval_candidates", {"scope": scope, "words": words, "split": split}
    )
    picked = select_images(candidates, words, n_images)
    if model is None:
        from attrdb.model_registry import model_from_db

        model = model_from_db(con, model_id, device=device, weights=weights).fold_batchnorm()
    photos: dict[str, tuple[str, list[str]]] = {}
    for word, images in picked.items():
        for pid, path in images:
            photos.setdefault(pid, (path, []))[1].append(word)
    params = {
        "ccp_dir": str(root), "model_id": model_id, "words": words, "n_images": n_images,
        "exclude": list(exclude), "kind": kind, "ks": list(ks), "methods": list(methods),
        "thresholds": list(thresholds), "tolerance": tolerance, "split": split,
        "classifier_method": classifier_method, **asdict(settings),
    }
    with stage_run(con, "evaluate", params, scope=scope) as run:
        maker = MapMaker(con, model, settings, progress=progress)
        rows: list[dict[str, Any]] = []
        from attrdb.progress import track

        items = sorted(photos.items())
        for pid, (path, image_words) in track(
            items, desc="evaluate", unit="photo", enabled=progress
        ):
            maps = maker.image_maps(
                pid, path, {w: units[w] for w in image_words}, ks=ks, methods=methods
            )
            store.save_maps(con, maps, model_id=model_id, scope=scope, run_id=run.run_id)
            labelled = ccp.label_map(root, Path(path).stem)
            regions: dict[str, tuple[np.ndarray, np.ndarray]] = {}
            for m in maps:
                if m.word not in regions:
                    truth = labelled == ccp.label_id(root, m.word)
                    if not truth.any():
                        raise StateError(f"photo {pid} is tagged {m.word!r} but has no such pixel")
                    regions[m.word] = (truth, region_distance(truth))
                truth, distance = regions[m.word]
                ap, ious, hit = score_map(
                    m.values, truth, distance, thresholds=thresholds, tolerance=tolerance
                )
                base = {"word": m.word, "method": m.method, "k": m.k, "product_id": pid}
                rows.append({**base, "threshold": None, "ap": ap, "iou": None, "pointing": hit})
                rows.extend(
                    {**base, "threshold": float(t), "ap": None, "iou": float(v), "pointing": None}
                    for t, v in zip(thresholds, ious, strict=True)
                )
        _save_scores(con, rows, model_id=model_id, scope=scope, words=words, run_id=run.run_id)
        summary = {
            f"ap_{method}" + (f"_k{k}" if k is not None else ""): round(float(ap), 4)
            for method, k, ap, *_ in query_sql_file(
                con, "saliency/eval_summary", {"model_id": model_id, "scope": scope}
            )
        }
        if prepared is not None:
            run.summary["stages_run"] = [k for k, v in prepared.items() if v != "skipped"]
        run.summary.update(
            words=len(words), photos=len(photos), maps=sum(1 for r in rows if r["ap"] is not None),
            sweeps_run=maker.n_swept, sweeps_reused=maker.n_reused, **summary,
        )
        if figures is not None:
            from attrdb.saliency.figures import write_overlays

            run.summary["figures"] = write_overlays(
                con, root, Path(figures), model_id=model_id, scope=scope,
                words=words[:n_figures], picked=picked, ks=ks,
                with_gradient=GRADIENT in methods,
            )
        return dict(run.summary)


def _save_scores(
    con: duckdb.DuckDBPyConnection,
    rows: list[dict[str, Any]],
    *,
    model_id: str,
    scope: str,
    words: Sequence[str],
    run_id: int,
) -> None:
    import pyarrow as pa

    table = pa.Table.from_pylist(
        [{"model_id": model_id, "scope": scope, **r, "run_id": run_id} for r in rows],
        schema=pa.schema(
            [("model_id", pa.string()), ("scope", pa.string()), ("word", pa.string()),
             ("method", pa.string()), ("k", pa.int32()), ("product_id", pa.string()),
             ("threshold", pa.float64()), ("ap", pa.float64()), ("iou", pa.float64()),
             ("pointing", pa.float64()), ("run_id", pa.int64())]
        ),
    )
    params = {"model_id": model_id, "scope": scope, "words": list(words)}
    con.execute("BEGIN TRANSACTION")
    try:
        run_sql_file(con, "saliency/scores_delete", params)
        con.register("score_rows", table)
        try:
            run_sql_file(con, "saliency/scores_insert")
        finally:
            con.unregister("score_rows")
        run_sql_file(con, "saliency/eval_aggregate", params)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
