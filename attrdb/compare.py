"""Stage ``compare``: feature sets (networks and poolings) side by side, with their ceilings.

Every stage already works per ``model_id``, and a pooled feature set is a model id of its
own (``efficientnet_lite0:mean``), so the comparison itself is SQL views over the stored
results (migration 0026: ``compare_table1``, ``compare_floor``, ``compare_rank_correlation``,
``compare_word_depth``, ``compare_layer_magnitude``, ``compare_prime_layers``). This stage
adds the one number no view can derive: how well a metadata field the method never reads
(e.g. ``base_colour``) is recovered

- by the text-trained classifiers: precision at k of each method's surest products
  (labels ``text``), and
- by classifiers trained on the field itself with the same features and code path, the
  supervised ceiling of the representation (labels ``metadata``): the visualness stage run
  unchanged (crossfit) on a scope ``<scope>:<field>`` whose D+ of each attribute word is
  the products carrying the word's value.

Both go to ``metadata_precision`` with Jeffreys intervals and their support. The ceiling
is trained with the settings of the feature set's own text-trained crossfit results (cross-fit
repetitions, folds, negatives per positive, seed, C, ...; the scope's negatives are copied
with its definition), so a precision and its ceiling always compare like for like; a feature
set whose crossfit results mix settings is refused. The ``compare_*`` views show each row's
settings and flag any pair that differs (migration 0028).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from attrdb import stages
from attrdb.context.scopes import DEFAULT_SCOPE, define_scope, scope_definition
from attrdb.errors import InputError, StateError
from attrdb.runs import stage_run
from attrdb.sqlfiles import query_sql_file, run_sql_file

if TYPE_CHECKING:  # the visualness stage (numpy, scikit-learn) loads when a ceiling runs
    from attrdb.visualness import VisualnessConfig

# The ceiling's classifiers are the visualness stage's cross-fitted ones: every product is
# scored once by a classifier that never saw it, as the text-trained crossfit scores are.
CEILING_METHOD = "crossfit"


@dataclass(frozen=True)
class CompareParams:
    """Parameters of the compare stage.

    Attributes:
        scope: the scope whose results are compared.
        field: the metadata key the attribute words name values of (``base_colour``).
        words: the attribute words (default: every vocabulary word that lower-cases a
            value of ``field`` held by at least ``min_products`` scope products).
        k: precision at this many of a classifier's surest products.
        min_products: the least number of scope products a value needs.
        ceiling: also train and score the supervised ceiling per feature set.
        models: feature sets to compare (default: every model with predictions; a named
            one without them, e.g. a 'both' set, gets only its ceiling).
        jobs: joblib workers of the ceiling's classifiers (-1 = every core).
        crossfit_repeats: cross-fit repetitions of the ceiling of a feature set without
            text-trained crossfit results (None: the visualness default); a feature set
            with them always uses theirs, and a value given here must agree.
    """

    scope: str = DEFAULT_SCOPE
    field: str = "base_colour"
    words: tuple[str, ...] = ()
    k: int = 50
    min_products: int = 20
    ceiling: bool = True
    models: tuple[str, ...] = ()
    jobs: int = 1
    crossfit_repeats: int | None = None

    def __post_init__(self) -> None:
        if self.crossfit_repeats is not None and self.crossfit_repeats < 1:
            raise InputError(
                f"crossfit repeats must be at least 1, got {self.crossfit_repeats}")
        if self.k < 1:
            raise InputError(f"k must be at least 1, got {self.k}")
        if self.min_products < 1:
            raise InputError(f"min products must be at least 1, got {self.min_products}")
        if not self.field.strip():
            raise InputError("a metadata field is needed (e.g. base_colour)")


def ceiling_scope(scope: str, field: str) -> str:
    """The scope holding the supervised ceiling of ``scope`` for ``field``."""
    return f"{scope}:{field}"


def attribute_words(
    con: duckdb.DuckDBPyConnection, params: CompareParams
) -> list[tuple[str, str, int]]:
    """(word, value, products with the value) for the attribute words of the scope.

    Raises:
        StateError: no vocabulary word names a value of the field.
        InputError: a requested word names no value (held by ``min_products`` products).
    """
    found = [
        (str(word), str(value), int(n))
        for word, value, n in query_sql_file(
            con,
            "compare/attribute_words",
            {
                "scope": params.scope,
                "path": params.field,
                "words": list(params.words),
                "min_products": params.min_products,
            },
        )
    ]
    missing = sorted(set(params.words) - {w for w, _, _ in found})
    if missing:
        raise InputError(
            f"{missing[0]!r} names no value of {params.field} held by at least "
            f"{params.min_products} products of scope {params.scope!r}"
        )
    if not found:
        raise StateError(
            f"no vocabulary word of scope {params.scope!r} names a value of {params.field}; "
            "pass --words, or check the field with `attrdb metadata-check`"
        )
    return found


def ceiling_config(
    con: duckdb.DuckDBPyConnection, model_id: str, params: CompareParams
) -> VisualnessConfig:
    """The visualness settings of a feature set's ceiling: those of its text-trained
    crossfit results in the scope (a result stored before ``crossfit_repeats`` was
    recorded was one cross-fit), else the defaults with ``params.crossfit_repeats``.

    Raises:
        StateError: the feature set's crossfit results mix settings.
        InputError: ``params.crossfit_repeats`` disagrees with its crossfit results.
    """
    from attrdb.visualness import VisualnessConfig

    names = {f.name for f in fields(VisualnessConfig)}
    found = []
    for (text,) in query_sql_file(con, "compare/crossfit_settings",
                                  {"model_id": model_id, "scope": params.scope}):
        stored = json.loads(text)
        settings = {k: v for k, v in stored.items() if k in names}
        settings.setdefault("crossfit_repeats", 1)
        if settings not in found:
            found.append(settings)
    if not found:
        if params.crossfit_repeats is None:
            return VisualnessConfig()
        return VisualnessConfig(crossfit_repeats=params.crossfit_repeats)
    if len(found) > 1:
        differ = sorted(k for k in names if len({json.dumps(f.get(k)) for f in found}) > 1)
        raise StateError(
            f"model {model_id!r}'s crossfit results in scope {params.scope!r} mix settings "
            f"({', '.join(differ)} differ); rerun `attrdb visualness --model {model_id} "
            f"--scope {params.scope} --methods crossfit --force` with one setting first"
        )
    config = VisualnessConfig(**found[0])
    if params.crossfit_repeats is not None and params.crossfit_repeats != config.crossfit_repeats:
        raise InputError(
            f"model {model_id!r}'s text-trained crossfit used {config.crossfit_repeats} "
            f"cross-fit repetition(s); a ceiling with {params.crossfit_repeats} would not "
            "compare like for like (leave --crossfit-repeats out)"
        )
    return config


def run_compare(con: duckdb.DuckDBPyConnection, params: CompareParams) -> dict[str, Any]:
    """Precision at k against a metadata field, text-trained and supervised, per feature set.

    Returns:
        The run summary: words, models, per model the mean precision of each method, of
        the ceiling and the ceiling's cross-fit settings.

    Raises:
        StateError: no predictions in the scope (run `attrdb visualness` first), or a
            feature set's crossfit results mix settings.
        InputError: ``params.crossfit_repeats`` disagrees with a feature set's results.
    """
    stages.require(con, "vocabulary")
    available = query_sql_file(con, "compare/prediction_models", {"scope": params.scope})
    methods: dict[str, list[str]] = {}
    for model_id, method in available:
        methods.setdefault(str(model_id), []).append(str(method))
    models = list(params.models) or sorted(methods)
    # A named feature set without text-trained predictions still gets its ceiling.
    unknown = [m for m in models if m not in methods and not (params.ceiling and _has_vectors(
        con, m))]
    if unknown:
        raise StateError(
            f"model {unknown[0]!r} has no predictions in scope {params.scope!r}; run "
            f"`attrdb visualness --model {unknown[0]} --scope {params.scope}` first"
        )
    if not models:
        raise StateError(f"no predictions in scope {params.scope!r}; {stages.hint('predictions')}")
    pairs = attribute_words(con, params)
    # Every feature set's ceiling settings are settled before anything is written.
    configs = {m: ceiling_config(con, m, params) for m in models} if params.ceiling else {}
    words = [w for w, _, _ in pairs]
    values = [v for _, v, _ in pairs]
    summary: dict[str, Any] = {"words": dict(zip(words, values, strict=True)), "models": {}}
    with stage_run(con, "compare", asdict(params), scope=params.scope) as run:
        ceiling = ceiling_scope(params.scope, params.field)
        if params.ceiling:
            _prepare_ceiling(con, params, ceiling, words, values)
        for model_id in models:
            text_rows = [
                row
                for method in methods.get(model_id, [])
                for row in _precision_rows(con, model_id, params.scope, method, params,
                                           words, values)
            ]
            _write(con, model_id, params, "text", text_rows, run.run_id)
            result: dict[str, Any] = {"text": _means(text_rows)}
            if params.ceiling:
                from attrdb.visualness import run_visualness

                config = configs[model_id]
                run_visualness(con, model_id=model_id, scope=ceiling, words=words,
                               methods=[CEILING_METHOD], config=config, jobs=params.jobs,
                               progress=False)
                ceiling_rows = _precision_rows(con, model_id, ceiling, CEILING_METHOD,
                                               params, words, values)
                _write(con, model_id, params, "metadata", ceiling_rows, run.run_id)
                result["ceiling"] = _means(ceiling_rows)[CEILING_METHOD]
                result["ceiling_settings"] = {
                    "crossfit_repeats": config.crossfit_repeats, "n_folds": config.n_folds,
                    "negatives_per_positive": config.negatives_per_positive,
                    "seed": config.seed, "C": config.C,
                }
            summary["models"][model_id] = result
        run.summary.update(summary)
    return summary


def _has_vectors(con: duckdb.DuckDBPyConnection, model_id: str) -> bool:
    return bool(query_sql_file(con, "compare/has_vectors", {"model_id": model_id})[0][0])


def _prepare_ceiling(
    con: duckdb.DuckDBPyConnection,
    params: CompareParams,
    ceiling: str,
    words: Sequence[str],
    values: Sequence[str],
) -> None:
    """Define the ceiling scope like the source scope and fill its D+ from the field."""
    define_scope(con, ceiling, scope_definition(con, params.scope), replace_existing=True)
    con.execute("BEGIN TRANSACTION")
    try:
        run_sql_file(
            con,
            "compare/ceiling_scope",
            {"scope": params.scope, "ceiling": ceiling, "path": params.field,
             "words": list(words), "values": list(values)},
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _precision_rows(
    con: duckdb.DuckDBPyConnection,
    model_id: str,
    scope: str,
    method: str,
    params: CompareParams,
    words: Sequence[str],
    values: Sequence[str],
) -> list[dict[str, Any]]:
    """One row per word: precision at k with its 95% Jeffreys interval and support."""
    from scipy.stats import beta

    rows = []
    for word, value, n_ranked, n_agree, base_rate in query_sql_file(
        con,
        "compare/precision_counts",
        {"model_id": model_id, "scope": scope, "method": method, "path": params.field,
         "words": list(words), "values": list(values), "k": params.k},
    ):
        n, a = int(n_ranked), int(n_agree)
        low, high = (
            (float(beta.ppf(0.025, a + 0.5, n - a + 0.5)),
             float(beta.ppf(0.975, a + 0.5, n - a + 0.5)))
            if n else (None, None)
        )
        rows.append({
            "method": method, "word": word, "value": value, "n_ranked": n, "n_agree": a,
            "precision": a / n if n else None, "precision_low": low, "precision_high": high,
            "base_rate": base_rate,
        })
    return rows


def _write(
    con: duckdb.DuckDBPyConnection,
    model_id: str,
    params: CompareParams,
    labels: str,
    rows: list[dict[str, Any]],
    run_id: int,
) -> None:
    schema = pa.schema([
        ("method", pa.string()), ("word", pa.string()), ("value", pa.string()),
        ("n_ranked", pa.int64()), ("n_agree", pa.int64()), ("precision", pa.float64()),
        ("precision_low", pa.float64()), ("precision_high", pa.float64()),
        ("base_rate", pa.float64()),
    ])
    con.register("compare_precision_rows", pa.Table.from_pylist(rows, schema=schema))
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            run_sql_file(
                con,
                "compare/write_precision",
                {"model_id": model_id, "scope": params.scope, "labels": labels,
                 "field": params.field, "k": params.k, "run_id": run_id},
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.unregister("compare_precision_rows")


def _means(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """Mean precision over the words, per method."""
    by_method: dict[str, list[float]] = {}
    for row in rows:
        if row["precision"] is not None:
            by_method.setdefault(row["method"], []).append(row["precision"])
    return {m: round(sum(v) / len(v), 4) if v else None for m, v in by_method.items()}
