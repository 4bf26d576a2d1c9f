"""Stage ``visualness``: how visual is each candidate word (paper Sec. 4.2, eq. 2).

For every vocabulary word of a scope, three logistic-regression classifiers are learned from
the noisy split (D+ = products whose text has the word, D- = the scope's other products):

- ``random``: a balanced random train sample, all units;
- ``initial``: the same sample, the word's prime units only (rank <= n_prime);
- ``resample``: both sides of the train products ranked by the initial classifier's score,
  the n most confident of D+ and of D- (n = ``resample_keep`` times the balanced sample's
  size per class, so doubtful positives are dropped too), all units; its threshold is
  calibrated on the balanced train sample (half of it scores above the cut);
- ``crossfit``: every universe product (all splits) is scored once by a classifier that
  never saw it: k folds by a seeded hash, each fold scored by a balanced all-unit
  classifier learnt on the other folds (negatives matched to the positives' categories in
  a category-matched scope). It tests every positive instead of a quarter of them, and
  selects no units, so rare words cannot win by a lucky test sample or selection. The
  k-fold assignment is repeated ``crossfit_repeats`` times (seeds derived from the run's
  seed) and each product's out-of-fold scores are averaged before evaluation, so the
  result no longer depends on one draw of folds and negatives.

The paper's three methods are evaluated on a balanced random test sample of the test
split; all four store the balanced accuracy and the AUC with 95 % intervals and the test
positives and negatives behind them in ``visualness`` (V(u) = the ``resample`` accuracy in
the paper; lists rank by ``crossfit``'s lower bound, ``accuracy_low``), the classifier in
``classifiers`` and its score for every product of the scope in ``predictions`` (the
purifier; out-of-fold scores for ``crossfit``). Sample selection is SQL
(``sql/visualness/*.sql``); fitting is scikit-learn, words in parallel with joblib. The
``language_prior`` baseline is computed in SQL from the text (``attrdb.language_prior``).
Words are processed in chunks, each chunk in one transaction: an interrupted run resumes
where it stopped, and a word's results are never half written. A scope defined with
``negatives = 'category_matched'`` draws every sample with the same number of positives
and negatives of each category (``attrdb.context.matched``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from attrdb import stages
from attrdb.classifiers import (
    Hyperparameters,
    LinearClassifier,
    fit_classifier,
    load_features,
    query_arrow,
)
from attrdb.context.matched import prepare_matched_samples
from attrdb.context.scopes import DEFAULT_SCOPE, ScopeDefinition, ensure_scope_current
from attrdb.divergence import resolve_model
from attrdb.errors import InputError, StateError
from attrdb.runs import stage_run
from attrdb.scratch import scratch_dir
from attrdb.sqlfiles import query_sql_file, run_sql_file
from attrdb.stats import ScoredEvaluation, evaluate_scores

CLASSIFIER_METHODS = ("random", "initial", "resample", "crossfit")
METHODS = (*CLASSIFIER_METHODS, "language_prior")


@dataclass(frozen=True)
class VisualnessConfig:
    """Parameters of a visualness run; all of them are stored with its results.

    Attributes:
        seed: seeds the hash order that draws the balanced samples.
        C: inverse L2 strength of the logistic regressions (features standardised).
        max_iter: lbfgs iteration limit.
        n_prime: prime units (by KL rank) the ``initial`` classifier sees.
        max_per_class: cap on the positives (and negatives) per sample; None = no cap.
        min_train_pos: fewer train positives than this -> no classifier, NULL accuracy.
        min_test_pos: fewer test positives than this -> no classifier, NULL accuracy.
        n_nouns: product nouns the language prior counts.
        n_folds: cross-fitting folds of the ``crossfit`` method.
        resample_keep: share of the balanced per-class size that ``resample`` keeps of the
            most confident positives and negatives.
        negatives_per_positive: ``crossfit`` draws this many negatives per training
            positive in each stratum, weighted down to the positives' weight.
        crossfit_repeats: repetitions of the ``crossfit`` fold assignment (and negative
            draw); each product's out-of-fold scores are averaged over them. Repetition 0
            uses ``seed`` itself, so 1 gives the single cross-fit of earlier releases.
    """

    seed: int = 0
    C: float = 0.01
    max_iter: int = 1000
    n_prime: int = 100
    max_per_class: int | None = 1000
    min_train_pos: int = 10
    min_test_pos: int = 5
    n_nouns: int = 50
    n_folds: int = 5
    resample_keep: float = 0.5
    # Measured on Myntra (docs/trust.md): 1 -> 4 negatives per positive raised the
    # seed-to-seed Spearman of the ranking 0.76 -> 0.80 and colour precision@50 0.51 -> 0.59;
    # 10 added nothing more (0.81, 0.59) at a larger fit.
    negatives_per_positive: int = 4
    # Measured on Myntra (docs/trust.md, second pass; 250 words, split seeds 0/1): 1 -> 3 -> 5
    # repetitions moved the seed-to-seed Spearman 0.80 -> 0.92 -> 0.94, halved the sd of a
    # word's AUC difference (0.045 -> 0.022) and raised colour precision@50 / ceiling
    # 0.93 -> 0.96 -> 0.97, for 5R + 1 fits per word instead of 6.
    crossfit_repeats: int = 5

    def classifier_params(self, **extra: Any) -> str:
        """The JSON text stored with classifier results (compared on resume)."""
        params = asdict(self)
        params.pop("n_nouns")
        params.update(solver="lbfgs", penalty="l2", standardise=True, **extra)
        return json.dumps(params, sort_keys=True, separators=(",", ":"))

    def hyperparameters(self) -> Hyperparameters:
        """The scikit-learn settings."""
        return Hyperparameters(C=self.C, max_iter=self.max_iter)

    def validate(self) -> None:
        """Raise InputError for settings that cannot work."""
        if self.C <= 0:
            raise InputError(f"C must be positive, got {self.C}")
        if self.n_prime < 1:
            raise InputError(f"n_prime must be at least 1, got {self.n_prime}")
        if self.max_per_class is not None and self.max_per_class < 1:
            raise InputError(f"max_per_class must be at least 1, got {self.max_per_class}")
        if self.min_train_pos < 2 or self.min_test_pos < 1:
            raise InputError("min_train_pos must be at least 2 and min_test_pos at least 1")
        if self.n_nouns < 1:
            raise InputError(f"n_nouns must be at least 1, got {self.n_nouns}")
        if self.n_folds < 2:
            raise InputError(f"n_folds must be at least 2, got {self.n_folds}")
        if self.crossfit_repeats < 1:
            raise InputError(f"crossfit_repeats must be at least 1, got {self.crossfit_repeats}")
        if self.negatives_per_positive < 1:
            raise InputError(
                f"negatives_per_positive must be at least 1, got {self.negatives_per_positive}"
            )
        if not 0.0 < self.resample_keep <= 1.0:
            raise InputError(f"resample_keep must be in (0, 1], got {self.resample_keep}")


@dataclass(frozen=True)
class _Fit:
    """One method's result for one word (classifier None = too few examples)."""

    word: str
    method: str
    accuracy: float | None
    n_train: int
    n_test: int
    n_units: int | None
    classifier: LinearClassifier | None
    scores: np.ndarray | None
    evaluation: ScoredEvaluation | None = None


@dataclass(frozen=True)
class _Sample:
    """Row indices and labels (1 = D+) of one sample."""

    rows: np.ndarray
    labels: np.ndarray

    @property
    def n_positive(self) -> int:
        return int(self.labels.sum())


def run_visualness(
    con: duckdb.DuckDBPyConnection,
    *,
    model_id: str | None = None,
    scope: str = DEFAULT_SCOPE,
    words: Sequence[str] | None = None,
    methods: Sequence[str] = METHODS,
    config: VisualnessConfig | None = None,
    jobs: int = -1,
    chunk_size: int = 32,
    force: bool = False,
    progress: bool = True,
) -> dict[str, Any]:
    """Measure the visualness of the scope's vocabulary words (see the module docstring).

    Args:
        con: an open attrdb database.
        model_id: the CNN whose activations are the features; default: the only model.
        scope: the product subset whose vocabulary, D+/D- and products are used.
        words: restrict to these vocabulary words (default: the whole vocabulary).
        methods: any of random, initial, resample, language_prior; resample needs and so
            also computes initial.
        config: sampling and classifier settings (defaults: ``VisualnessConfig()``).
        jobs: joblib workers fitting words in parallel (-1 = every core, 1 = in process).
        chunk_size: words per transaction (the unit an interrupted run loses).
        force: recompute words that are already complete with the same settings.
        progress: show a progress bar on stderr.

    Returns:
        The run summary (also stored in ``runs.summary``).
    """
    config = config or VisualnessConfig()
    config.validate()
    chosen = _check_methods(methods)
    model_id = resolve_model(con, model_id)
    classifier_methods = [m for m in CLASSIFIER_METHODS if m in chosen]
    needed = ["vocabulary", "word_products", "scope_products", "splits", "activation_vectors"]
    stages.require(con, *needed)
    if "initial" in classifier_methods:
        stages.require(con, "prime_units")
    # The scope's definition decides how negatives are drawn (random, as in the paper, or
    # matched to the positives' categories); vocab and divergence must have used it too.
    definition = ensure_scope_current(con, scope, upstream=("vocab", "divergence"))
    run_words = _run_words(con, scope, words)
    params = {
        "scope_definition": definition.as_dict(),
        "model_id": model_id,
        "methods": chosen,
        "words": list(words) if words is not None else None,
        "jobs": jobs,
        "chunk_size": chunk_size,
        "force": force,
        **asdict(config),
    }
    started = time.perf_counter()
    with stage_run(con, "visualness", params, scope=scope) as run:
        run_sql_file(
            con, "visualness/universe", {"model_id": model_id, "scope": scope, "words": run_words}
        )
        summary: dict[str, Any] = {"model_id": model_id, "n_words": len(run_words)}
        if "language_prior" in chosen:
            from attrdb.language_prior import run_language_prior

            summary["language_prior"] = run_language_prior(
                con,
                model_id=model_id,
                scope=scope,
                words=run_words,
                n_nouns=config.n_nouns,
                run_id=run.run_id,
            )
        if classifier_methods:
            summary["negatives"] = definition.negatives
            summary.update(
                _run_classifiers(
                    con,
                    model_id=model_id,
                    scope=scope,
                    words=run_words,
                    methods=classifier_methods,
                    config=config,
                    definition=definition,
                    jobs=jobs,
                    chunk_size=chunk_size,
                    force=force,
                    progress=progress,
                    run_id=run.run_id,
                )
            )
        if _has_rows(con, "human_visualness"):
            from attrdb.human import run_agreement

            summary["agreement"] = run_agreement(con, model_id=model_id, scope=scope)
        summary["seconds"] = round(time.perf_counter() - started, 2)
        run.summary.update(summary)
    return summary


def _check_methods(methods: Sequence[str]) -> list[str]:
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        choices = ", ".join(METHODS)
        raise InputError(f"unknown method(s) {', '.join(unknown)}; choose from {choices}")
    if not methods:
        raise InputError("no method chosen")
    chosen = set(methods)
    if "resample" in chosen:
        chosen.add("initial")  # resample ranks the train products by the initial classifier
    return [m for m in METHODS if m in chosen]


def _run_words(
    con: duckdb.DuckDBPyConnection, scope: str, words: Sequence[str] | None
) -> list[str]:
    vocabulary = [
        r[0]
        for r in con.execute(
            "SELECT word FROM vocabulary WHERE scope = ? ORDER BY rank, word", [scope]
        ).fetchall()
    ]
    if not vocabulary:
        raise StateError(f"scope {scope!r} has no vocabulary; {stages.hint('vocabulary')}")
    if words is None:
        return vocabulary
    known = set(vocabulary)
    unknown = [w for w in words if w not in known]
    if unknown:
        raise InputError(
            f"not in the vocabulary of scope {scope!r}: {', '.join(unknown[:10])}"
            + (f" (and {len(unknown) - 10} more)" if len(unknown) > 10 else "")
        )
    return list(dict.fromkeys(words))


def _has_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchall()[0][0])


def _run_classifiers(
    con: duckdb.DuckDBPyConnection,
    *,
    model_id: str,
    scope: str,
    words: list[str],
    methods: list[str],
    config: VisualnessConfig,
    definition: ScopeDefinition,
    jobs: int,
    chunk_size: int,
    force: bool,
    progress: bool,
    run_id: int,
) -> dict[str, Any]:
    """Fit, evaluate and store the classifier methods for every word not yet done."""
    from joblib import Parallel

    from attrdb.progress import progress as progress_bar

    split_counts = dict(
        con.execute("SELECT split, count(*) FROM visualness_universe GROUP BY split").fetchall()
    )
    if not split_counts.get("train") or not split_counts.get("test"):
        raise StateError(
            f"scope {scope!r} has no {'train' if not split_counts.get('train') else 'test'} "
            f"products with activations of model {model_id!r}; run `attrdb split` and "
            "`attrdb extract` first"
        )
    upstream = {str(stage): int(run_id) for stage, run_id in query_sql_file(
        con, "visualness/upstream_runs", {"scope": scope, "model_id": model_id}
    )}
    params = config.classifier_params(
        negatives=definition.negatives, match_field=definition.match_field,
        match_shop=definition.match_shop,
        upstream_runs=upstream,
    )
    # The SQL files that draw the samples: random negatives, or category-matched ones.
    sample_files = prepare_matched_samples(con, definition)
    done: set[str] = set()
    if not force:
        done = {
            r[0]
            for r in query_sql_file(
                con,
                "visualness/done_words",
                {
                    "model_id": model_id,
                    "scope": scope,
                    "words": words,
                    "methods": methods,
                    "params": params,
                },
            )
        }
    todo = [w for w in words if w not in done]
    summary: dict[str, Any] = {
        "n_skipped_done": len(done),
        "n_universe": int(sum(split_counts.values())),
        "n_train_products": int(split_counts["train"]),
        "n_test_products": int(split_counts["test"]),
    }
    counts = {"fitted": 0, "too_few": 0, "no_prime_units": 0, "not_converged": 0}
    timings = {"load": 0.0, "sql": 0.0, "fit": 0.0, "write": 0.0}
    if todo:
        with scratch_dir("visualness") as tmp:
            loading = time.perf_counter()
            features = _shared_features(load_features(con, model_id), jobs, Path(tmp))
            timings["load"] = time.perf_counter() - loading
            summary["n_units"] = int(features.shape[1])
            folds = strata = None
            if "crossfit" in methods:
                table = query_arrow(con, "visualness/crossfit_folds", {
                    "seed": config.seed,
                    "n_folds": config.n_folds,
                    "repeats": config.crossfit_repeats,
                    "match_field": (
                        definition.match_field
                        if definition.negatives == "category_matched" else None
                    ),
                    "match_shop": definition.match_shop,
                })
                # One row of folds per repetition; the strata repeat in each.
                folds = table.column("fold").to_numpy().astype(np.int64).reshape(
                    config.crossfit_repeats, -1
                )
                strata = table.column("stratum").to_numpy().astype(np.int64)[: folds.shape[1]]
            context = _Context(
                con,
                model_id,
                scope,
                methods,
                config,
                params,
                run_id,
                features,
                timings,
                sample_files,
                folds,
                strata,
            )
            with (
                Parallel(n_jobs=jobs, return_as="generator") as parallel,
                progress_bar(
                    total=len(todo) * len(methods), desc="visualness", unit="fit",
                    enabled=progress,
                ) as bar,
            ):
                for chunk in _chunks(todo, chunk_size):
                    for fit in _process_chunk(context, chunk, parallel):
                        bar.update(1)
                        if fit.classifier is not None:
                            counts["fitted"] += 1
                            counts["not_converged"] += int(not fit.classifier.converged)
                        elif fit.n_units == 0:
                            counts["no_prime_units"] += 1
                        else:
                            counts["too_few"] += 1
    summary.update({f"n_{k}": v for k, v in counts.items()})
    summary["seconds_by_phase"] = {k: round(v, 2) for k, v in timings.items()}
    summary["mean_accuracy"] = {
        method: value
        for method, value in con.execute(
            "SELECT method, round(avg(accuracy), 4) FROM visualness "
            "WHERE model_id = ? AND scope = ? AND list_contains(?, method) AND "
            "list_contains(?, word) GROUP BY method ORDER BY method",
            [model_id, scope, methods, words],
        ).fetchall()
    }
    return summary


@dataclass(frozen=True)
class _Context:
    con: duckdb.DuckDBPyConnection
    model_id: str
    scope: str
    methods: list[str]
    config: VisualnessConfig
    params: str
    run_id: int
    features: np.ndarray
    timings: dict[str, float]  # seconds per phase: sql (samples), fit, write
    sample_files: tuple[str, str]  # SQL files of the balanced and the resampled samples
    folds: np.ndarray | None  # crossfit: fold of every universe row, one row per repetition
    strata: np.ndarray | None  # crossfit: stratum (category number, or 0) of every row


def _shared_features(features: np.ndarray, jobs: int, folder: Path) -> np.ndarray:
    """A memory-mapped copy for worker processes (sent by reference, not pickled)."""
    if jobs == 1:
        return features
    path = folder / "features.npy"
    np.save(path, features)
    return np.load(path, mmap_mode="r")


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), max(1, size)):
        yield items[start : start + size]


def _process_chunk(context: _Context, words: list[str], parallel: Any) -> Iterator[_Fit]:
    """Fit a chunk of words and store the results in one transaction; yield each fit."""
    from joblib import delayed

    con, config, timings = context.con, context.config, context.timings
    hyper = config.hyperparameters()
    clock = time.perf_counter()
    samples = _balanced_samples(context, words)
    prime = _prime_units(context, words) if "initial" in context.methods else {}
    timings["sql"] += time.perf_counter() - clock
    first_methods = [m for m in ("random", "initial") if m in context.methods]
    split_methods = [m for m in context.methods if m != "crossfit"]
    con.execute("BEGIN TRANSACTION")
    try:
        run_sql_file(
            con,
            "visualness/clear_words",
            {
                "model_id": context.model_id,
                "scope": context.scope,
                "words": words,
                "methods": context.methods,
            },
        )
        first: list[_Fit] = []
        tasks = []
        for word in words if split_methods else []:
            train, test = samples[word]
            if _too_few(train, test, config):
                first.extend(_null_fit(word, m, train, test, None) for m in first_methods)
                continue
            specs = [(m, None if m == "random" else prime.get(word)) for m in first_methods]
            tasks.append(delayed(_fit_word)(context.features, word, train, test, specs, hyper))
        yield from first
        yield from _run_tasks(context, parallel, tasks, first)
        _write(context, first)
        if "resample" in context.methods and split_methods:
            clock = time.perf_counter()
            resampled = _resample_samples(context, words)
            timings["sql"] += time.perf_counter() - clock
            ready = {f.word for f in first if f.method == "initial" and f.classifier is not None}
            second: list[_Fit] = []
            tasks = []
            for word in words:
                train, test = samples[word]
                if word in ready and word in resampled:
                    tasks.append(
                        delayed(_fit_word)(
                            context.features, word, resampled[word], test, _RESAMPLE, hyper,
                            calibrate_on=train.rows,
                        )
                    )
                else:
                    n_units = 0 if word not in prime else None
                    second.append(_null_fit(word, "resample", train, test, n_units))
            yield from second
            yield from _run_tasks(context, parallel, tasks, second)
            _write(context, second)
        if "crossfit" in context.methods:
            yield from _crossfit_chunk(context, words, parallel)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _crossfit_chunk(context: _Context, words: list[str], parallel: Any) -> Iterator[_Fit]:
    """Cross-fit, evaluate and store a chunk of words (inside the chunk's transaction)."""
    from joblib import delayed

    assert context.folds is not None and context.strata is not None
    config, timings = context.config, context.timings
    clock = time.perf_counter()
    given = {"words": words, "n_folds": config.n_folds, "max_per_class": config.max_per_class,
             "negatives_per_positive": config.negatives_per_positive}
    training = _group_rows(
        query_arrow(context.con, "visualness/crossfit_samples", given),
        by=("word", "rep", "fold"),
    )
    positives = {
        word: np.asarray(rows, dtype=np.int64)
        for word, rows in query_sql_file(context.con, "visualness/chunk_positives", given)
    }
    # (negative weight, positive weight) per word and stratum.
    stratum_weights: dict[str, dict[int, tuple[float, float]]] = {}
    for word, stratum, weight, positive_weight in query_sql_file(
        context.con, "visualness/crossfit_weights", {"words": words}
    ):
        stratum_weights.setdefault(word, {})[int(stratum)] = (
            float(weight), float(positive_weight)
        )
    timings["sql"] += time.perf_counter() - clock
    fits: list[_Fit] = []
    tasks = []
    n_repeats, n_rows = context.folds.shape
    for word in words:
        labels = np.zeros(n_rows, dtype=np.int8)
        labels[positives.get(word, np.zeros(0, dtype=np.int64))] = 1
        n_pos = int(labels.sum())
        if n_pos < max(config.min_train_pos, config.n_folds) or n_pos == n_rows:
            fits.append(_Fit(word, "crossfit", None, 0, n_rows, None, None, None))
            continue
        by_stratum = stratum_weights.get(word, {})
        table = np.array([by_stratum.get(s, (0.0, 0.0))
                          for s in range(int(context.strata.max()) + 1)])
        weights = np.where(labels == 1, table[context.strata, 1], table[context.strata, 0])
        # Per repetition its folds' samples; the final classifier's sample (fold n_folds)
        # exists in repetition 0 only.
        samples = [
            [training.get((word, rep, fold)) for fold in range(config.n_folds)]
            for rep in range(n_repeats)
        ]
        final_sample = training.get((word, 0, config.n_folds))
        tasks.append(delayed(_crossfit_word)(
            context.features, word, samples, final_sample, context.folds, labels, weights,
            config.hyperparameters(), context.strata,
        ))
    yield from fits
    yield from _run_tasks(context, parallel, tasks, fits)
    _write(context, fits)


def _crossfit_word(
    features: np.ndarray,
    word: str,
    samples: list[list[_Sample | None]],
    final_sample: _Sample | None,
    folds: np.ndarray,
    labels: np.ndarray,
    weights: np.ndarray,
    hyper: Hyperparameters,
    strata: np.ndarray,
) -> list[_Fit]:
    """One word's cross-fitted scores, their evaluation and its final classifier.

    ``samples[r][f]`` is the training sample for fold f of repetition r (learnt without
    that fold's products; ``folds[r]`` holds every row's fold), ``final_sample`` the final
    classifier's (every product); in each stratum the negatives weigh as much as the
    positives together. A product's score is the mean of its out-of-fold scores over the
    repetitions, so it is still never scored by a classifier that saw it. Runs in a joblib
    worker.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        total = np.zeros(folds.shape[1])
        times = np.zeros(folds.shape[1])
        n_train = []
        for rep_folds, rep_samples in zip(folds, samples, strict=True):
            for fold, sample in enumerate(rep_samples):
                if (sample is None or sample.n_positive == 0
                        or sample.n_positive == len(sample.rows)):
                    continue
                held_out = rep_folds == fold
                classifier = fit_classifier(features, sample.rows, sample.labels, None, hyper,
                                            _balancing_weights(sample, strata))
                total[held_out] += classifier.score(features[held_out])
                times[held_out] += 1
                n_train.append(len(sample.rows))
        tested = times > 0
        scores = np.divide(total, times, out=np.full(len(total), np.nan), where=tested)
        if final_sample is None or not n_train or not tested.any():
            return [_Fit(word, "crossfit", None, 0, folds.shape[1], None, None, None)]
        final = fit_classifier(features, final_sample.rows, final_sample.labels, None, hyper,
                               _balancing_weights(final_sample, strata))
    evaluation = evaluate_scores(scores[tested], labels[tested], weights[tested])
    return [_Fit(
        word, "crossfit", evaluation.accuracy, int(round(float(np.mean(n_train)))),
        evaluation.n_pos + evaluation.n_neg, features.shape[1], final,
        np.where(tested, scores, final.score(features)), evaluation,
    )]


def _balancing_weights(sample: _Sample, strata: np.ndarray) -> np.ndarray:
    """Row weights: positives 1, each stratum's negatives its positives' count in total."""
    stratum = strata[sample.rows]
    positive = sample.labels == 1
    n_strata = int(strata.max()) + 1
    n_pos = np.bincount(stratum[positive], minlength=n_strata)
    n_neg = np.bincount(stratum[~positive], minlength=n_strata)
    per_negative = np.divide(n_pos, n_neg, out=np.zeros(n_strata), where=n_neg > 0)
    return np.where(positive, 1.0, per_negative[stratum])


def _prime_units(context: _Context, words: list[str]) -> dict[str, np.ndarray]:
    """Each word's prime unit ids (rank <= n_prime), best first."""
    rows = query_sql_file(
        context.con,
        "visualness/prime_units",
        {
            "model_id": context.model_id,
            "scope": context.scope,
            "words": words,
            "n_prime": context.config.n_prime,
        },
    )
    return {word: np.asarray(unit_ids, dtype=np.int64) for word, unit_ids in rows}


def _run_tasks(
    context: _Context, parallel: Any, tasks: list[Any], into: list[_Fit]
) -> Iterator[_Fit]:
    """Run fitting tasks in parallel, collecting and yielding each fit as it arrives."""
    clock = time.perf_counter()
    for result in parallel(tasks):
        for fit in result:
            into.append(fit)
            yield fit
    context.timings["fit"] += time.perf_counter() - clock


_RESAMPLE: list[tuple[str, np.ndarray | None]] = [("resample", None)]


def _too_few(train: _Sample, test: _Sample, config: VisualnessConfig) -> bool:
    return train.n_positive < config.min_train_pos or test.n_positive < config.min_test_pos


def _null_fit(word: str, method: str, train: _Sample, test: _Sample, n_units: int | None) -> _Fit:
    return _Fit(word, method, None, len(train.rows), len(test.rows), n_units, None, None)


def _fit_word(
    features: np.ndarray,
    word: str,
    train: _Sample,
    test: _Sample,
    specs: list[tuple[str, np.ndarray | None]],
    hyper: Hyperparameters,
    calibrate_on: np.ndarray | None = None,
) -> list[_Fit]:
    """Fit one word's classifiers (runs in a joblib worker).

    ``calibrate_on``: rows of a balanced sample on which the fitted classifier's cut is
    moved to the median score (half above, half below), as ``resample`` needs.
    """
    from threadpoolctl import threadpool_limits

    # One BLAS thread per fit: the parallelism is across words, and multi-threaded BLAS on
    # these small problems was measured 4-15x slower on a busy 2-core machine.
    with threadpool_limits(limits=1):
        return [
            _fit_one(features, word, train, test, method, unit_ids, hyper, calibrate_on)
            for method, unit_ids in specs
        ]


def _fit_one(
    features: np.ndarray,
    word: str,
    train: _Sample,
    test: _Sample,
    method: str,
    unit_ids: np.ndarray | None,
    hyper: Hyperparameters,
    calibrate_on: np.ndarray | None = None,
) -> _Fit:
    """Fit one classifier, score every product and evaluate it on the test sample."""
    if method == "initial" and (unit_ids is None or len(unit_ids) == 0):
        return _null_fit(word, method, train, test, 0)
    classifier = fit_classifier(features, train.rows, train.labels, unit_ids, hyper)
    if calibrate_on is not None and len(calibrate_on):
        # Trained on the most confident images only, the classifier's 0.5 cut sits too
        # close to the negatives (measured: 94.5 % of test positives accepted): move it to
        # the median decision value of the balanced sample.
        shift = float(np.median(classifier.decision(features[calibrate_on])))
        classifier = replace(classifier, intercept=classifier.intercept - shift)
    scores = classifier.score(features)
    evaluation = evaluate_scores(scores[test.rows], test.labels)
    n_units = features.shape[1] if unit_ids is None else len(unit_ids)
    n_train, n_test = len(train.rows), len(test.rows)
    return _Fit(
        word, method, evaluation.accuracy, n_train, n_test, n_units, classifier, scores,
        evaluation,
    )


def _balanced_samples(context: _Context, words: list[str]) -> dict[str, tuple[_Sample, _Sample]]:
    """Each word's (train, test) balanced samples from ``balanced_samples.sql``."""
    table = query_arrow(
        context.con,
        context.sample_files[0],
        {
            "words": words,
            "seed": context.config.seed,
            "max_per_class": context.config.max_per_class,
        },
    )
    grouped = _group_rows(table, by=("word", "split"))
    empty = _Sample(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int8))
    return {w: (grouped.get((w, "train"), empty), grouped.get((w, "test"), empty)) for w in words}


def _resample_samples(context: _Context, words: list[str]) -> dict[str, _Sample]:
    """Each word's resampled training sample from ``resample_train.sql``."""
    table = query_arrow(
        context.con,
        context.sample_files[1],
        {
            "model_id": context.model_id,
            "scope": context.scope,
            "words": words,
            "max_per_class": context.config.max_per_class,
            "resample_keep": context.config.resample_keep,
        },
    )
    return {key[0]: sample for key, sample in _group_rows(table, by=("word",)).items()}


def _group_rows(table: pa.Table, by: tuple[str, ...]) -> dict[tuple[Any, ...], _Sample]:
    """Split a (key..., row_idx, label) result, sorted by its keys, into samples."""
    if table.num_rows == 0:
        return {}
    keys = list(zip(*(table.column(k).to_pylist() for k in by), strict=True))
    rows = table.column("row_idx").to_numpy().astype(np.int64)
    labels = table.column("label").to_numpy(zero_copy_only=False).astype(np.int8)
    groups: dict[tuple[Any, ...], _Sample] = {}
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            groups[keys[start]] = _Sample(rows[start:i], labels[start:i])
            start = i
    return groups


def _write(context: _Context, fits: list[_Fit]) -> None:
    """Store fits through three registered Arrow tables and ``write_results.sql``."""
    con = context.con
    fitted = [f for f in fits if f.classifier is not None]
    models = _classifiers(fitted)
    visualness = pa.table(
        {
            "word": pa.array([f.word for f in fits], pa.string()),
            "method": pa.array([f.method for f in fits], pa.string()),
            "accuracy": pa.array([f.accuracy for f in fits], pa.float64()),
            "n_train": pa.array([f.n_train for f in fits], pa.int64()),
            "n_test": pa.array([f.n_test for f in fits], pa.int64()),
            "n_units": pa.array([f.n_units for f in fits], pa.int32()),
            **{
                column: pa.array(
                    [None if f.evaluation is None else getattr(f.evaluation, field)
                     for f in fits],
                    kind,
                )
                for column, field, kind in _EVALUATION_COLUMNS
            },
        }
    )
    classifiers = pa.table(
        {
            "word": pa.array([f.word for f in fitted], pa.string()),
            "method": pa.array([f.method for f in fitted], pa.string()),
            "unit_ids": pa.array(
                [None if c.unit_ids is None else c.unit_ids.tolist() for c in models],
                pa.list_(pa.int32()),
            ),
            "coef": pa.array([c.coef.tolist() for c in models], pa.list_(pa.float64())),
            "intercept": pa.array([c.intercept for c in models], pa.float64()),
            "mean": pa.array([c.mean.tolist() for c in models], pa.list_(pa.float64())),
            "scale": pa.array([c.scale.tolist() for c in models], pa.list_(pa.float64())),
            "n_train": pa.array([f.n_train for f in fitted], pa.int64()),
        }
    )
    clock = time.perf_counter()
    con.register("visualness_batch", visualness)
    con.register("classifier_batch", classifiers)
    con.register("score_batch", _score_table(fitted))
    try:
        run_sql_file(
            con,
            "visualness/write_results",
            {
                "model_id": context.model_id,
                "scope": context.scope,
                "seed": context.config.seed,
                "params": context.params,
                "run_id": context.run_id,
            },
        )
    finally:
        for name in ("visualness_batch", "classifier_batch", "score_batch"):
            con.unregister(name)
    context.timings["write"] += time.perf_counter() - clock


# visualness column, ScoredEvaluation field, Arrow type.
_EVALUATION_COLUMNS = (
    ("auc", "auc", pa.float64()),
    ("accuracy_low", "accuracy_low", pa.float64()),
    ("accuracy_high", "accuracy_high", pa.float64()),
    ("auc_low", "auc_low", pa.float64()),
    ("auc_high", "auc_high", pa.float64()),
    ("n_test_pos", "n_pos", pa.int64()),
    ("n_test_neg", "n_neg", pa.int64()),
)


def _score_table(fitted: list[_Fit]) -> pa.Table:
    """Every fitted classifier's score for every universe row, one Arrow table."""
    n_rows = len(fitted[0].scores) if fitted and fitted[0].scores is not None else 0
    # Dictionary-encoded words and methods: a few distinct strings repeated per row.
    words = pa.array([f.word for f in fitted], pa.string())
    methods = pa.array([f.method for f in fitted], pa.string())
    index = pa.array(np.repeat(np.arange(len(fitted), dtype=np.int32), n_rows))
    scores = [f.scores for f in fitted if f.scores is not None]
    return pa.table(
        {
            "word": pa.DictionaryArray.from_arrays(index, words).cast(pa.string()),
            "method": pa.DictionaryArray.from_arrays(index, methods).cast(pa.string()),
            "row_idx": pa.array(np.tile(np.arange(n_rows, dtype=np.int32), len(fitted))),
            "score": pa.array(np.concatenate(scores) if scores else np.zeros(0), pa.float64()),
        }
    )


def _classifiers(fits: list[_Fit]) -> list[LinearClassifier]:
    return [f.classifier for f in fits if f.classifier is not None]
