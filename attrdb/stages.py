"""The stage contract: every pipeline stage declared once, read by every consumer.

A :class:`Stage` says what a stage is: its name, the tables it reads and writes, whether
its results belong to a scope, the engines it runs on, its parameters dataclass (every
default and every validation written once, in the stage module) and its functions. The
CLI defaults, ``attrdb run``'s TOML tables (:mod:`attrdb.pipeline`), ``attrdb spark``'s
``--param`` names (:mod:`attrdb.scaleout`), the "run X first" hints of
:func:`require_inputs` and the pipeline fingerprints all read :data:`STAGES`; a stage's
upstream stages are the stages that write what it reads.

The SQL stages (dedup, split, divergence, depth) have one ``run(engine, params)`` over the
:class:`attrdb.engines.base.Engine` interface, run by both DuckDB (the stage module's
``run_X(con, ...)`` records the run and holds the transaction) and Spark
(:func:`attrdb.scaleout.run_sql_stage_on_spark`); a statement with no Spark translation
is replaced by a file of ``sql/spark/``. The other stages wrap their existing
``run_X(con, ...)`` functions. Functions are named ``module:attribute`` and imported when
used, so reading the registry imports neither torch nor scikit-learn.
"""

from __future__ import annotations

import importlib
import typing
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import duckdb

from attrdb.connection import require_tables
from attrdb.context.scopes import DEFAULT_SCOPE
from attrdb.engines.base import Engine
from attrdb.engines.duckdb import DuckDBEngine
from attrdb.engines.transpile import query_file
from attrdb.errors import InputError, StateError
from attrdb.runs import StageRun, stage_run

__all__ = [
    "DEFAULT_SCOPE", "STAGES", "STAGE_NAMES", "Params", "Stage", "command", "hint", "load",
    "producer", "recorded", "require", "require_inputs", "resolve_model", "sql_stages", "stage",
]


@dataclass(frozen=True)
class Params:
    """Base of the SQL stages' parameters: frozen, validated in ``__post_init__``.

    ``bind()`` gives the values as the stage's SQL files bind them; ``record()`` what
    ``runs.params`` keeps. Subclasses override either where the two differ from the fields.
    """

    def bind(self) -> dict[str, Any]:
        """The values the SQL statements bind (each statement takes those it names)."""
        return asdict(self)

    def record(self) -> dict[str, Any]:
        """What ``runs.params`` records (the scope has its own column)."""
        return {k: v for k, v in asdict(self).items() if k != "scope"}

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The parameter names (``scope`` included for scoped stages)."""
        return tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    @classmethod
    def from_text(cls, stage: str, values: Mapping[str, Any], scope: str) -> Params:
        """Parameters from ``key=value`` text (``attrdb spark --param``), typed by the fields.

        Raises:
            InputError: an unknown name, or a value that is not of the field's type.
        """
        known = cls.names()
        unknown = set(values) - set(known)
        if unknown:
            taken = ", ".join(n for n in known if n != "scope") or "none"
            raise InputError(
                f"{stage} has no parameter {', '.join(sorted(unknown))}; it takes {taken}"
            )
        hints = typing.get_type_hints(cls)
        typed = {k: _coerce(stage, k, v, hints[k]) for k, v in values.items()}
        if "scope" in known:
            typed["scope"] = scope
        return cls(**typed)


def _coerce(stage: str, name: str, value: Any, kind: Any) -> Any:
    """A text value converted to a field's type (``int``, ``float``, ``str | None``...)."""
    options = [a for a in typing.get_args(kind) if a is not type(None)] or [kind]
    target = options[0]
    try:
        if isinstance(value, str) and target in (int, float):
            return target(value)
    except ValueError as exc:
        raise InputError(
            f"{stage}: parameter {name}={value!r} is not a {target.__name__}"
        ) from exc
    return value


@dataclass(frozen=True)
class Stage:
    """One pipeline stage, declared once.

    Attributes:
        name: the CLI command, the ``attrdb run`` table and the ``--from`` name.
        function: ``module:function`` run by ``attrdb run`` with a DuckDB connection first.
        reads: tables the stage reads, inputs first (they feed the fingerprint and, where
            an upstream stage writes them, :func:`require_inputs`).
        writes: tables the stage writes.
        scoped: its results belong to a scope (``scope`` parameter).
        engines: where it runs: 'duckdb', and 'spark' for the SQL stages.
        params: ``module:Dataclass`` of its parameters (SQL stages), else None: the
            function's keyword arguments are the parameters.
        run: ``module:function`` taking ``(engine, params)`` (SQL stages).
        optional: read tables that may be empty (never required by require_inputs).
        paths: config keys holding file or folder paths (resolved against the config).
        files: config keys naming input files whose SHA-256 feeds the fingerprint.
        objects: keyword argument -> ``module:Dataclass`` built from a sub-table of that
            name or from the table's keys that are fields of the dataclass.
        recorded_as: the ``runs.stage`` the function records (default ``name``).
        records_run: False when the function writes no ``runs`` row (the pipeline does).
        fresh: boolean keyword argument that makes the stage recompute finished work.
        fresh_on_inputs: also recompute when only the inputs changed (not the parameters).
        cli: the CLI command where it is not the name with '-' for '_' (``human import``).
    """

    name: str
    function: str
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    scoped: bool = False
    engines: tuple[str, ...] = ("duckdb",)
    params: str | None = None
    run: str | None = None
    optional: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    objects: Mapping[str, str] = field(default_factory=dict)
    recorded_as: str | None = None
    records_run: bool = True
    fresh: str | None = None
    fresh_on_inputs: bool = False
    cli: str | None = None

    @property
    def command(self) -> str:
        """The CLI command that runs the stage (after ``attrdb``)."""
        return self.cli or self.name.replace("_", "-")

    @property
    def run_name(self) -> str:
        """The stage name in ``runs``."""
        return self.recorded_as or self.name

    @property
    def after(self) -> tuple[str, ...]:
        """Upstream stages: those that write a table this stage reads (pipeline order)."""
        found = {producer(t) for t in self.reads if t not in self.writes}
        return tuple(s.name for s in STAGES if s.name in found and s.name != self.name)

    def params_class(self) -> type[Params]:
        """The parameters dataclass (SQL stages)."""
        if self.params is None:
            raise StateError(f"stage {self.name!r} declares no parameters dataclass")
        cls = load(self.params)
        assert isinstance(cls, type) and issubclass(cls, Params)
        return cls

    def engine_run(self) -> Callable[[Engine, Any], dict[str, Any]]:
        """The stage's ``run(engine, params)`` (SQL stages)."""
        if self.run is None:
            raise StateError(f"stage {self.name!r} runs on DuckDB only")
        return load(self.run)  # type: ignore[no-any-return]


def load(target: str) -> Any:
    """The object a ``module:attribute`` name points at.

    Raises:
        StateError: the module or attribute is not part of this attrdb installation.
    """
    module, _, name = target.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise StateError(f"{target} is not available in this attrdb ({exc})") from exc


_SQL = ("duckdb", "spark")

#: Every stage, in pipeline order.
STAGES: tuple[Stage, ...] = (
    Stage("ingest", "attrdb.ingest:run_ingest",
          writes=("products", "product_rejects", "ingest_sources"),
          paths=("config", "source", "images_root"), files=("config", "source")),
    Stage("text", "attrdb.text.tokenize:run_text", reads=("products",),
          writes=("tokens", "text_lines", "product_types"), paths=("synonyms",),
          files=("synonyms",), fresh="rebuild"),
    Stage("dedup", "attrdb.dedup:run_dedup", reads=("tokens", "products", "stop_words"),
          writes=("duplicate_groups",), optional=("stop_words",), engines=_SQL,
          params="attrdb.dedup:DedupParams", run="attrdb.dedup:run"),
    Stage("vocab", "attrdb.vocab:run_vocab", reads=("tokens", "duplicate_groups"),
          writes=("vocabulary", "word_products", "scope_products"), scoped=True,
          paths=("exclude_file",), files=("exclude_file",)),
    Stage("split", "attrdb.splits:run_split", reads=("products",), writes=("splits",),
          engines=_SQL, params="attrdb.splits:SplitParams", run="attrdb.splits:run"),
    Stage("extract", "attrdb.cnn.extract:run_extract", reads=("products", "duplicate_groups"),
          writes=("models", "units", "activation_vectors", "activation_errors"),
          paths=("weights",), files=("weights",)),
    Stage("finetune", "attrdb.finetune:run_finetune",
          reads=("scope_products", "splits", "products", "vocabulary", "word_products"),
          writes=("models", "units", "weights_lineage", "finetune_epochs", "finetune_word_ap"),
          optional=("vocabulary", "word_products"), scoped=True, paths=("out_dir",),
          objects={"params": "attrdb.finetune:FinetuneParams"}),
    Stage("divergence", "attrdb.divergence:run_divergence",
          reads=("activation_vectors", "splits", "scope_products", "vocabulary",
                 "word_products", "models", "units", "scopes", "products", "product_types"),
          writes=("unit_bins", "unit_word_divergence", "prime_units", "unit_divergence_null",
                  "divergence_null_sizes", "layer_divergence_null"),
          optional=("models", "units", "scopes", "products", "product_types"), scoped=True,
          engines=_SQL, params="attrdb.divergence:DivergenceParams", run="attrdb.divergence:run"),
    Stage("depth", "attrdb.depth:run_depth",
          reads=("unit_word_divergence", "units", "models", "layer_divergence_null"),
          writes=("layer_depth",), optional=("layer_divergence_null",), scoped=True,
          engines=_SQL, params="attrdb.depth:DepthParams", run="attrdb.depth:run"),
    Stage("visualness", "attrdb.visualness:run_visualness",
          reads=("word_products", "splits", "activation_vectors", "prime_units"),
          writes=("visualness", "classifiers", "predictions"), scoped=True,
          objects={"config": "attrdb.visualness:VisualnessConfig"},
          fresh="force", fresh_on_inputs=True),
    Stage("metadata_check", "attrdb.context.metadata_check:run_metadata_check",
          reads=("predictions",), writes=("metadata_agreement",), scoped=True),
    Stage("human", "attrdb.human:import_human",
          writes=("human_judgments", "human_visualness"), paths=("path",), files=("path",),
          recorded_as="human_import", cli="human import"),
    Stage("agreement", "attrdb.human:run_agreement", reads=("visualness", "human_visualness"),
          writes=("agreement",), scoped=True, records_run=False),
    Stage("saliency", "attrdb.saliency.stage:run_saliency",
          reads=("activation_vectors", "prime_units", "classifiers"),
          writes=("occlusion_sweeps", "saliency_maps"), scoped=True, paths=("weights",),
          objects={"settings": "attrdb.saliency.compute:SweepSettings"}),
    Stage("evaluate", "attrdb.saliency.evaluate:run_evaluate",
          reads=("activation_vectors", "prime_units", "classifiers"),
          writes=("saliency_eval",), scoped=True,
          paths=("ccp_dir", "weights", "figures", "listings"),
          objects={"settings": "attrdb.saliency.compute:SweepSettings"}),
)
STAGE_NAMES = tuple(s.name for s in STAGES)
_BY_NAME = {s.name: s for s in STAGES}


def stage(name: str) -> Stage:
    """The stage called ``name``; InputError lists the stages there are."""
    if name not in _BY_NAME:
        raise InputError(f"unknown stage {name!r}; stages: {', '.join(STAGE_NAMES)}")
    return _BY_NAME[name]


def sql_stages() -> tuple[Stage, ...]:
    """The stages that also run on Spark."""
    return tuple(s for s in STAGES if "spark" in s.engines)


def producer(table: str) -> str | None:
    """The first stage (pipeline order) that writes ``table``; None for none."""
    return next((s.name for s in STAGES if table in s.writes), None)


def command(name: str) -> str:
    """"`attrdb X`": the quoted CLI command of stage ``name``, for messages."""
    return f"`attrdb {stage(name).command}`"


def hint(*tables: str, first: bool = True) -> str:
    """"run `attrdb X` first" naming the stages that write ``tables``, in pipeline order
    (without "first" if not ``first``)."""
    made_by = {producer(t) for t in tables}
    commands = [command(s.name) for s in STAGES if s.name in made_by]
    if not commands:
        return "load it first"
    listed = " and ".join([", ".join(commands[:-1]), commands[-1]] if commands[:-1] else commands)
    return f"run {listed}" + (" first" if first else "")


def require(con: duckdb.DuckDBPyConnection, *tables: str, note: str = "") -> None:
    """Refuse empty ``tables``: name the first and the stages that write all empty ones.

    ``note`` adds why a table is needed, e.g. "on the scope: its bin edges are used".

    Raises:
        StateError: names the first empty table and the stages to run first.
        SchemaError: a table is missing (an old database: ``attrdb migrate``).
    """
    empty = []
    for table in tables:
        try:
            require_tables(con, table, hint="")
        except StateError:
            empty.append(table)
    if empty:
        require_tables(con, *empty, hint=hint(*empty) + (f" ({note})" if note else ""))


def require_inputs(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Refuse a run whose input tables (written by an upstream stage) are empty.

    Raises:
        StateError: names the first empty table and the stage to run first.
        SchemaError: a table is missing (an old database: ``attrdb migrate``).
    """
    declared = stage(name)
    for table in declared.reads:
        if table in declared.optional or table in declared.writes or producer(table) is None:
            continue
        require(con, table)


def resolve_model(source: Engine | duckdb.DuckDBPyConnection, model_id: str | None) -> str:
    """The given model, or the only registered one (on any engine).

    Raises:
        StateError: no model is registered, or several and none was named.
        InputError: the named model is not registered.
    """
    engine = source if isinstance(source, Engine) else DuckDBEngine(source)
    models = [str(m) for m in query_file(engine, "divergence/models").column(0).to_pylist()]
    if model_id is None:
        if len(models) == 1:
            return models[0]
        if not models:
            raise StateError(f"no CNN model is registered; {hint('models')}")
        raise StateError(f"several models are registered ({', '.join(models)}); pass --model")
    if model_id not in models:
        raise InputError(
            f"model {model_id!r} is not registered (registered: {', '.join(models) or 'none'})"
        )
    return model_id


@contextmanager
def one_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The block's writes in one DuckDB transaction: committed at its end, rolled back on
    any error (Ctrl-C included)."""
    con.begin()
    try:
        yield
        con.commit()
    except BaseException:
        con.rollback()
        raise


@contextmanager
def recorded(
    con: duckdb.DuckDBPyConnection,
    name: str,
    record: Mapping[str, Any],
    *,
    scope: str | None,
    transaction: bool = True,
) -> Iterator[tuple[DuckDBEngine, StageRun]]:
    """A DuckDB run of a SQL stage: recorded in ``runs``, all its writes in one transaction.

    Yields the engine to run the stage on and the run record (whose summary the caller
    fills); an error rolls the writes back and records the run as failed. With
    ``transaction=False`` the stage opens its own transaction (:func:`one_transaction`)
    around its writes to contract tables: DuckDB frees a replaced or dropped table only
    when the transaction that replaced it ends, so a stage that streams through large
    working tables (divergence's unit blocks) builds them outside it.
    """
    kwargs = {"scope": scope} if scope is not None else {}
    with stage_run(con, stage(name).run_name, dict(record), **kwargs) as run, (
        one_transaction(con) if transaction else nullcontext()
    ):
        yield DuckDBEngine(con), run

