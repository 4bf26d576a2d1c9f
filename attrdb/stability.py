"""Stage ``stability``: how much the ranked list of visual words moves under a reshuffle.

A word's visualness depends on random draws: the train/test/val split, the balanced
samples, the cross-fitting folds. This stage repeats the split-dependent stages (split ->
divergence -> visualness) once per seed, each in a scratch copy of the database so the
user's results stay as they are, and stores per word and method the spread of its rank
over the seeds (``visualness_stability``), with the pairwise Spearman correlations of the
rankings, the overlap of their top lists and of the words' prime units in the run summary.
Lists rank by each method's ranking score: the lower 95 % bound of the balanced accuracy
for ``crossfit`` (``accuracy_low``), the balanced accuracy for the paper's methods.
"""

from __future__ import annotations

import itertools
import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from attrdb.context.scopes import DEFAULT_SCOPE
from attrdb.errors import InputError, StateError
from attrdb.runs import stage_run
from attrdb.scratch import scratch_dir
from attrdb.sqlfiles import query_sql_file, run_sql_file
from attrdb.stages import hint

DEFAULT_SEEDS = (0, 1)
DEFAULT_METHODS = ("crossfit",)
DEFAULT_TOP = 30


def run_stability(
    con: duckdb.DuckDBPyConnection,
    *,
    db_path: str | Path,
    scope: str = DEFAULT_SCOPE,
    model_id: str | None = None,
    seeds: Sequence[int] = DEFAULT_SEEDS,
    methods: Sequence[str] = DEFAULT_METHODS,
    top: int = DEFAULT_TOP,
    jobs: int = -1,
    progress: bool = True,
) -> dict[str, Any]:
    """Repeat split, divergence and visualness for every seed and store the rank spread.

    Args:
        con: the open database (its file is copied once per seed, after a checkpoint).
        db_path: the database file of ``con``.
        scope: the scope whose vocabulary is ranked.
        model_id: the CNN; default the only registered model.
        seeds: the seeds of the split and of the visualness samples and folds.
        methods: visualness methods to repeat (crossfit, random, initial, resample).
        top: the size of the top lists whose overlap the summary reports.
        jobs: joblib workers of the visualness stage.
        progress: show the visualness progress bars.

    Returns:
        The run summary: per method the Spearman correlation and top-``top`` overlap of
        every pair of seeds, and the mean share of a word's prime units that two seeds
        share, for the stored ranking (kl_z) and for the raw KL (the paper's).
    """
    from attrdb.connection import connect
    from attrdb.divergence import resolve_model, run_divergence
    from attrdb.splits import run_split
    from attrdb.visualness import CLASSIFIER_METHODS, VisualnessConfig, run_visualness

    seeds = list(dict.fromkeys(int(s) for s in seeds))
    if len(seeds) < 2:
        raise InputError("--seeds needs at least two different seeds")
    unknown = sorted(set(methods) - set(CLASSIFIER_METHODS))
    if unknown or not methods:
        raise InputError(
            f"unknown method(s) {', '.join(unknown) or '(none)'}; choose from "
            f"{', '.join(CLASSIFIER_METHODS)}"
        )
    if top < 1:
        raise InputError(f"--top must be at least 1, got {top}")
    model_id = resolve_model(con, model_id)
    divergence_params, visualness_params = _latest_params(con, scope)
    base_config = VisualnessConfig(**{
        k: v for k, v in visualness_params.items() if k in VisualnessConfig.__dataclass_fields__
    })
    params = {"model_id": model_id, "seeds": seeds, "methods": list(methods), "top": top,
              "divergence": divergence_params, "visualness": visualness_params}
    with stage_run(con, "stability", params, scope=scope) as run:
        con.execute("CHECKPOINT")
        scores: dict[int, dict[str, dict[str, float]]] = {}
        prime: dict[int, dict[str, dict[str, set[int]]]] = {}
        started = time.perf_counter()
        with scratch_dir("stability") as tmp:
            for seed in seeds:
                copy = Path(tmp) / f"seed{seed}.duckdb"
                shutil.copy(db_path, copy)
                scratch = connect(copy)
                try:
                    run_split(scratch, seed=seed)
                    run_divergence(scratch, scope=scope, model_id=model_id, **divergence_params)
                    run_visualness(
                        scratch, model_id=model_id, scope=scope, methods=list(methods),
                        config=replace(base_config, seed=seed), jobs=jobs, progress=progress,
                    )
                    scores[seed] = _ranking_scores(scratch, model_id, scope, methods)
                    prime[seed] = _prime_units(scratch, model_id, scope)
                finally:
                    scratch.close()
                    copy.unlink(missing_ok=True)
        summary = _compare(scores, prime, seeds, methods, top)
        _store(con, model_id, scope, scores, seeds, methods, run.run_id)
        summary["seconds"] = round(time.perf_counter() - started, 1)
        run.summary.update(summary)
    return summary


def _latest_params(con: duckdb.DuckDBPyConnection, scope: str) -> tuple[dict, dict]:
    """The parameters of the scope's latest divergence and visualness runs, to repeat them."""
    found: dict[str, dict[str, Any]] = {}
    for stage, params in query_sql_file(con, "stability/latest_params", {"scope": scope}):
        found[str(stage)] = json.loads(params) if params else {}
    if "divergence" not in found:
        raise StateError(f"scope {scope!r} has no divergence run; {hint('unit_bins')}")
    divergence = {
        k: found["divergence"][k]
        for k in ("n_bins", "binning", "smoothing", "min_positives", "min_negatives", "top_k",
                  "split", "null_draws", "null_seed")
        if k in found["divergence"]
    }
    return divergence, found.get("visualness", {})


def _ranking_scores(
    con: duckdb.DuckDBPyConnection, model_id: str, scope: str, methods: Sequence[str]
) -> dict[str, dict[str, float]]:
    """method -> word -> the score the method's list ranks by (NULL scores left out)."""
    result: dict[str, dict[str, float]] = {m: {} for m in methods}
    for method, word, score in query_sql_file(
        con, "stability/ranking_scores",
        {"model_id": model_id, "scope": scope, "methods": list(methods)},
    ):
        result[str(method)][str(word)] = float(score)
    return result


def _prime_units(
    con: duckdb.DuckDBPyConnection, model_id: str, scope: str
) -> dict[str, dict[str, set[int]]]:
    """ranking ('kl_z' as stored, 'kl' the paper's) -> word -> its prime units."""
    result: dict[str, dict[str, set[int]]] = {"kl_z": {}, "kl": {}}
    for word, by_z, by_kl in query_sql_file(
        con, "stability/prime_units", {"model_id": model_id, "scope": scope}
    ):
        result["kl_z"][str(word)] = set(by_z)
        result["kl"][str(word)] = set(by_kl)
    return result


def _ranks(scores: dict[str, float], words: list[str]) -> np.ndarray:
    """Rank 1 = highest score; ties share the average rank."""
    from scipy.stats import rankdata

    return rankdata([-scores[w] for w in words], method="average")


def _compare(
    scores: dict[int, dict[str, dict[str, float]]],
    prime: dict[int, dict[str, dict[str, set[int]]]],
    seeds: list[int],
    methods: Sequence[str],
    top: int,
) -> dict[str, Any]:
    from scipy.stats import spearmanr

    pairs: dict[str, list[dict[str, Any]]] = {}
    for method in methods:
        for a, b in itertools.combinations(seeds, 2):
            common = sorted(set(scores[a][method]) & set(scores[b][method]))
            if len(common) < 3:
                continue
            ra, rb = _ranks(scores[a][method], common), _ranks(scores[b][method], common)
            top_a = set(np.array(common)[np.argsort(ra, kind="stable")[:top]])
            top_b = set(np.array(common)[np.argsort(rb, kind="stable")[:top]])
            pairs.setdefault(method, []).append({
                "seeds": [a, b],
                "n_words": len(common),
                "spearman": round(float(spearmanr(ra, rb).statistic), 4),
                f"top{top}_overlap": len(top_a & top_b),
            })
    overlap: dict[str, float | None] = {}
    for ranking in ("kl_z", "kl"):
        shares = [
            len(prime[a][ranking][word] & prime[b][ranking][word])
            / max(len(prime[a][ranking][word]), len(prime[b][ranking][word]))
            for a, b in itertools.combinations(seeds, 2)
            for word in set(prime[a][ranking]) & set(prime[b][ranking])
            if prime[a][ranking][word] or prime[b][ranking][word]
        ]
        overlap[ranking] = round(float(np.mean(shares)), 4) if shares else None
    return {"pairs": pairs, "prime_unit_overlap": overlap}


def _store(
    con: duckdb.DuckDBPyConnection,
    model_id: str,
    scope: str,
    scores: dict[int, dict[str, dict[str, float]]],
    seeds: list[int],
    methods: Sequence[str],
    run_id: int,
) -> None:
    """Write every word's rank per seed to a temp table; SQL turns it into the spread."""
    rows = []
    for seed in seeds:
        for method in methods:
            words = sorted(scores[seed][method])
            if not words:
                continue
            for word, rank in zip(words, _ranks(scores[seed][method], words), strict=True):
                rows.append((seed, method, word, float(rank), scores[seed][method][word]))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stability_ranks "
        "(seed INTEGER, method VARCHAR, word VARCHAR, rank DOUBLE, score DOUBLE)"
    )
    if rows:
        con.executemany("INSERT INTO stability_ranks VALUES (?, ?, ?, ?, ?)", rows)
    run_sql_file(con, "stability/store", {
        "model_id": model_id, "scope": scope, "methods": list(methods), "seeds": seeds,
        "run_id": run_id,
    })
