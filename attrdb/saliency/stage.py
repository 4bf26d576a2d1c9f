"""``attrdb saliency``: attribute maps of words on images (eq. 5 and the gradient baseline)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import duckdb

from attrdb import stages
from attrdb.errors import InputError, StateError
from attrdb.runs import stage_run
from attrdb.saliency import store
from attrdb.saliency.compute import (
    DEFAULT_KS,
    GRADIENT,
    KL_OCCLUSION,
    METHODS,
    MapMaker,
    SweepSettings,
    WordUnits,
    word_units,
)
from attrdb.sqlfiles import query_sql_file

if TYPE_CHECKING:
    from attrdb.cnn.models import TappedModel


def resolve_model(
    con: duckdb.DuckDBPyConnection, model_id: str | None
) -> tuple[str, int, int]:
    """(model_id, n_units, input_size) of the given model, or of the only registered one.

    Which model: :func:`attrdb.stages.resolve_model`, the one lookup every stage uses.

    Raises:
        StateError: no model is registered, or several are and none was named.
        InputError: the named model is not registered.
    """
    chosen = stages.resolve_model(con, model_id)
    shapes = {str(r[0]): (int(r[1]), int(r[2])) for r in query_sql_file(con, "saliency/models")}
    return (chosen, *shapes[chosen])


def check_request(ks: Sequence[int], methods: Sequence[str], n_units: int) -> None:
    """Refuse unknown methods and K outside 1..n_units."""
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise InputError(
            f"unknown method(s) {unknown or methods}; choose from {', '.join(METHODS)}"
        )
    if KL_OCCLUSION in methods and (not ks or any(k < 1 or k > n_units for k in ks)):
        raise InputError(f"K must lie in 1..{n_units} (the model's units), got {list(ks)}")


def load_words(
    con: duckdb.DuckDBPyConnection,
    *,
    model_id: str,
    scope: str,
    words: Sequence[str],
    ks: Sequence[int],
    methods: Sequence[str],
    classifier_method: str,
) -> dict[str, WordUnits]:
    """Each word's top units (and classifier when the gradient baseline is wanted)."""
    return {
        w: word_units(
            con, model_id=model_id, scope=scope, word=w,
            k=max(ks) if KL_OCCLUSION in methods else 0,
            classifier_method=classifier_method if GRADIENT in methods else None,
        )
        for w in words
    }


def run_saliency(
    con: duckdb.DuckDBPyConnection,
    *,
    words: Sequence[str],
    products: Sequence[str] | None = None,
    scope: str = stages.DEFAULT_SCOPE,
    model_id: str | None = None,
    ks: Sequence[int] = DEFAULT_KS,
    methods: Sequence[str] = (KL_OCCLUSION, GRADIENT),
    split: str = "test",
    limit: int = 10,
    settings: SweepSettings | None = None,
    classifier_method: str = "resample",
    device: str = "cpu",
    weights: str | None = None,
    model: TappedModel | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Draw attribute maps of words on images and store them in ``saliency_maps``.

    Each image is swept once (or its stored sweep is reused); every word's eq. 5 map for
    every K, and the gradient baseline, come from that sweep and one backward pass.

    Args:
        con: open database.
        words: the words to map.
        products: images to map every word on; default: each word's first ``limit``
            positives of ``split``.
        scope: result scope the KL and classifiers come from.
        model_id: registered model (default: the only one).
        ks: numbers of units of highest KL to accumulate (eq. 5).
        methods: any of kl_occlusion, gradient, center_prior.
        split: split the default images come from.
        limit: default images per word.
        settings: sweep and map settings (default: ``SweepSettings()``).
        classifier_method: visualness method whose classifier the gradient baseline uses.
        device: torch device for the model (cpu, cuda, auto).
        weights: the model's weights file when it moved since registration.
        model: an already loaded model (tests, notebooks); skips loading.
        progress: tqdm bars on stderr.

    Returns:
        Summary: images, maps written, sweeps run and reused.
    """
    if not words:
        raise InputError("name at least one word (--word)")
    if limit < 1:
        raise InputError("limit must be >= 1")
    settings = settings or SweepSettings()
    stages.require(con, "products")
    # Every check that needs only the database runs before the model loads.
    model_id, n_units, input_size = resolve_model(
        con, model_id if model is None else model.model_id
    )
    check_request(ks, methods, n_units)
    settings.check(input_size)
    units = load_words(
        con, model_id=model_id, scope=scope, words=words, ks=ks, methods=methods,
        classifier_method=classifier_method,
    )
    jobs = image_jobs(con, scope=scope, words=words, products=products, split=split, limit=limit)
    if model is None:
        from attrdb.model_registry import model_from_db

        model = model_from_db(con, model_id, device=device, weights=weights).fold_batchnorm()
    params = {
        "words": list(words), "products": list(products) if products else None, "ks": list(ks),
        "methods": list(methods), "split": split, "limit": limit, "model_id": model_id,
        "classifier_method": classifier_method, **asdict(settings),
    }
    with stage_run(con, "saliency", params, scope=scope) as run:
        maker = MapMaker(con, model, settings, progress=progress)
        n_maps = 0
        for product_id, (image_path, image_words) in _iter(jobs, progress):
            rows = maker.image_maps(
                product_id, image_path, {w: units[w] for w in image_words}, ks=ks, methods=methods
            )
            store.save_maps(con, rows, model_id=model_id, scope=scope, run_id=run.run_id)
            n_maps += len(rows)
        run.summary.update(
            images=len(jobs), maps=n_maps, sweeps_run=maker.n_swept, sweeps_reused=maker.n_reused
        )
        return dict(run.summary)


def image_jobs(
    con: duckdb.DuckDBPyConnection,
    *,
    scope: str,
    words: Sequence[str],
    products: Sequence[str] | None,
    split: str,
    limit: int,
) -> dict[str, tuple[str, list[str]]]:
    """product_id -> (image path, words to map on it)."""
    jobs: dict[str, tuple[str, list[str]]] = {}
    if products:
        rows = query_sql_file(con, "saliency/product_images", {"product_ids": list(products)})
        found = {str(pid): str(path) for pid, path in rows}
        missing = [p for p in products if p not in found]
        if missing:
            raise InputError(
                f"product(s) without an image or not in products: {', '.join(missing[:5])}"
            )
        return {pid: (found[pid], list(words)) for pid in products}
    for word in words:
        rows = query_sql_file(
            con, "saliency/word_images",
            {"scope": scope, "word": word, "split": split, "limit": limit},
        )
        if not rows:
            raise StateError(
                f"word {word!r} has no {split} image in scope {scope!r}; pass --product"
            )
        for pid, path in rows:
            jobs.setdefault(str(pid), (str(path), []))[1].append(word)
    return jobs


def _iter(
    jobs: dict[str, tuple[str, list[str]]], progress: bool
) -> Iterator[tuple[str, tuple[str, list[str]]]]:
    from attrdb.progress import track

    return track(list(jobs.items()), desc="saliency", unit="img", enabled=progress)
