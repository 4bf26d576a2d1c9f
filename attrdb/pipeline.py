"""``attrdb run`` and ``attrdb demo``: every stage in order from one TOML config.

A config has one table per stage (``[ingest]``, ``[text]``, ...); a stage runs when its
table is present, and the table's keys are the stage's parameters: the fields of its
parameters dataclass (SQL stages) or its function's keyword arguments. The stages, their
order, upstream stages and input tables come from :data:`attrdb.stages.STAGES`.
Relative paths are resolved against the config file's folder. ``[pipeline]`` holds the
run's own options (``scope``, ``publish``) and ``[report]`` an optional report to write.

Skipping. A stage's ``runs`` rows carry, from their start, an ``inputs_fingerprint`` of
the form ``p:<16 hex>;i:<16 hex>``: ``p`` hashes the stage's config table as written, ``i``
hashes what it read: the newest successful run id of each upstream stage, the row counts
of its input tables, and the SHA-256 of its input files. On the next ``attrdb run`` a stage
whose newest run succeeded with the same fingerprint is skipped; one whose newest run
failed, was interrupted or crashed with the same fingerprint is resumed (the stages are
resumable); any other is rerun, asking the stage to recompute from scratch (its ``fresh`` option)
when its parameters changed, or its inputs changed and the stage keeps finished work.
``--from STAGE`` reruns that stage and every later one.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import json
import sys
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

import duckdb

from attrdb.connection import connect
from attrdb.errors import InputError, StateError
from attrdb.identifiers import quote_identifier
from attrdb.resources import sample_dir
from attrdb.runs import pending_fingerprint, stage_run
from attrdb.sqlfiles import query_sql_file
from attrdb.stages import DEFAULT_SCOPE, STAGE_NAMES, STAGES, Stage, load, resolve_model
from attrdb.stages import stage as stage_named

__all__ = [
    "STAGES", "STAGE_NAMES", "PipelineConfig", "PipelineResult", "Stage", "StageOutcome",
    "config_from_dict", "decide", "demo_config", "fingerprint", "load_config", "run_demo",
    "run_pipeline", "run_stages", "stage_function", "validate_config",
]


_OWN_TABLES = ("pipeline", "scope", "report")
# Keys the pipeline reads itself instead of passing them on.
_SALIENCY_WORDS = ("n_words", "words_method")


@dataclass
class PipelineConfig:
    """A parsed run config."""

    path: Path | None
    base: Path
    stages: dict[str, dict[str, Any]]
    scope: str = DEFAULT_SCOPE
    publish: bool = True
    report: dict[str, Any] | None = None
    scope_definition: dict[str, Any] | None = None
    # Each stage's table as written (paths relative to the config): what the parameters
    # part of the fingerprint hashes, so moving a config and its data keeps it.
    written: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class StageOutcome:
    """What the pipeline did with one stage."""

    name: str
    action: str          # ran / skipped / resumed / planned
    reason: str
    seconds: float = 0.0
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class PipelineResult:
    """Every stage's outcome, the database, and the report written (if any)."""

    db: Path
    outcomes: list[StageOutcome]
    report: Path | None = None
    snapshot: Path | None = None
    seconds: float = 0.0


def load_config(path: str | Path) -> PipelineConfig:
    """Read a run config (TOML).

    Raises:
        InputError: the file is missing or does not parse, or names an unknown stage.
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{file}: cannot read the run config: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{file}: the run config does not parse: {exc}") from exc
    return config_from_dict(data, base=file.resolve().parent, path=file)


def config_from_dict(
    data: Mapping[str, Any], *, base: Path, path: Path | None = None
) -> PipelineConfig:
    """Build a config from parsed TOML; relative paths resolve against ``base``."""
    where = str(path) if path else "run config"
    unknown = [k for k in data if k not in STAGE_NAMES and k not in _OWN_TABLES]
    if unknown:
        raise InputError(
            f"{where}: unknown table(s) {', '.join(unknown)}; stages are "
            f"{', '.join(STAGE_NAMES)} (plus [pipeline], [scope] and [report])"
        )
    for key, value in data.items():
        if not isinstance(value, dict):
            raise InputError(f"{where}: [{key}] must be a table of settings")
    options = dict(data.get("pipeline", {}))
    extra = set(options) - {"scope", "publish"}
    if extra:
        raise InputError(f"{where}: unknown [pipeline] key(s): {', '.join(sorted(extra))}")
    stages = {
        name: _resolve_paths(dict(data[name]), stage_named(name).paths, base)
        for name in STAGE_NAMES if name in data
    }
    report = dict(data["report"]) if "report" in data else None
    if report is not None:
        report = _resolve_paths(report, ("out",), base)
    scope = str(options.get("scope", DEFAULT_SCOPE))
    definition = dict(data["scope"]) if "scope" in data else None
    if definition is not None and scope == DEFAULT_SCOPE:
        raise InputError(
            f"{where}: [scope] defines a named scope; name it with [pipeline] scope = \"...\" "
            f"({DEFAULT_SCOPE!r} is every kept product and cannot be redefined)"
        )
    return PipelineConfig(
        path=path, base=base, stages=stages, scope=scope,
        publish=bool(options.get("publish", True)), report=report, scope_definition=definition,
        written={name: copy.deepcopy(dict(data[name])) for name in stages},
    )


def _resolve_paths(section: dict[str, Any], keys: tuple[str, ...], base: Path) -> dict[str, Any]:
    for key in keys:
        value = section.get(key)
        if isinstance(value, str) and value:
            section[key] = str((base / value).resolve())
        elif isinstance(value, list):
            section[key] = [str((base / v).resolve()) for v in value]
    return section


def stage_function(declared: Stage) -> Callable[..., Any]:
    """The stage's library function (its DuckDB entry point).

    Raises:
        StateError: the module is not part of this attrdb installation.
    """
    return load(declared.function)  # type: ignore[no-any-return]


def _dataclass_arg(target: str, values: Mapping[str, Any], stage: str) -> Any:
    cls = load(target)
    assert isinstance(cls, type) and is_dataclass(cls)
    names = {f.name: f for f in fields(cls)}
    unknown = set(values) - set(names)
    if unknown:
        raise InputError(f"[{stage}]: unknown setting(s) {', '.join(sorted(unknown))}")
    missing = [n for n, f in names.items()
               if f.default is MISSING and f.default_factory is MISSING and n not in values]
    if missing:
        raise InputError(f"[{stage}]: missing setting(s) {', '.join(missing)}")
    converted = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    return cls(**converted)


def build_kwargs(
    stage: Stage,
    function: Callable[..., Any],
    section: Mapping[str, Any],
    *,
    con: duckdb.DuckDBPyConnection,
    scope: str,
) -> dict[str, Any]:
    """The keyword arguments of one stage call from its config table.

    Raises:
        InputError: a key is neither a parameter of the function nor a field of one of its
            settings objects.
    """
    section = dict(section)
    if stage.name == "ingest":
        return _ingest_kwargs(section)
    if stage.name == "saliency":
        section = _saliency_words(section, con=con, scope=scope)
    if stage.name == "agreement" and section.get("model_id") is None:
        section["model_id"] = resolve_model(con, None)
    kwargs = _route(stage, function, section, scope=scope)
    if stage.scoped and "scope" in inspect.signature(function).parameters:
        kwargs["scope"] = scope
    return kwargs


def _route(
    stage: Stage, function: Callable[..., Any], section: Mapping[str, Any], *, scope: str
) -> dict[str, Any]:
    """Map config keys to parameters and settings objects; refuse unknown keys.

    A stage with a parameters dataclass takes its fields; any other stage its function's
    keyword arguments. A scoped stage whose function takes no ``scope`` gets the run's scope
    in the settings object that has a ``scope`` field (finetune's ``FinetuneParams``); a
    table never sets it (``[pipeline] scope`` does).
    """
    if stage.params is not None:
        parameters: Mapping[str, Any] = dict.fromkeys(stage.params_class().names())
    else:
        parameters = inspect.signature(function).parameters
    kwargs: dict[str, Any] = {}
    object_values: dict[str, dict[str, Any]] = {name: {} for name in stage.objects}
    object_fields = {
        name: {f.name for f in fields(load(target))} for name, target in stage.objects.items()
    }
    scope_owner = None
    if stage.scoped and "scope" not in parameters:
        scope_owner = next((n for n, f in object_fields.items() if "scope" in f), None)
    for key, value in section.items():
        if key in stage.objects and isinstance(value, dict):
            object_values[key].update(value)
        elif key in parameters and key not in ("con", "scope"):
            kwargs[key] = value
        elif key != "scope" and (
            owner := next((n for n, f in object_fields.items() if key in f), None)
        ):
            object_values[owner][key] = value
        else:
            taken = [p for p in parameters if p not in ("con", "scope", *stage.objects)]
            taken += [f for n in stage.objects for f in sorted(object_fields[n]) if f != "scope"]
            raise InputError(
                f"[{stage.name}]: unknown setting {key!r}; {stage.name} takes {', '.join(taken)}"
            )
    if scope_owner is not None:
        object_values[scope_owner]["scope"] = scope
    for name, values in object_values.items():
        if values:
            kwargs[name] = _dataclass_arg(stage.objects[name], values, stage.name)
    return kwargs


def validate_config(config: PipelineConfig) -> None:
    """Check every configured stage exists and takes every key, before anything runs.

    Raises:
        StateError: a configured stage is not part of this attrdb.
        InputError: a key is unknown to its stage (typos stop the run before it starts).
    """
    if config.scope_definition is not None:
        _scope_definition(config.scope_definition)
    for name, section in config.stages.items():
        declared = stage_named(name)
        function = stage_function(declared)
        if name == "ingest":
            _ingest_kwargs(dict(section))
            continue
        _route(declared, function, {k: v for k, v in section.items() if k not in _SALIENCY_WORDS},
               scope=config.scope)


def _scope_definition(values: Mapping[str, Any]) -> Any:
    """The ``ScopeDefinition`` of a ``[scope]`` table (``negatives = "auto"`` allowed)."""
    return _dataclass_arg("attrdb.context.scopes:ScopeDefinition", values, "scope")


def _define_scope(
    con: duckdb.DuckDBPyConnection, config: PipelineConfig, say: Callable[[str], None]
) -> None:
    """Create or update the configured scope; a changed definition deletes its old results
    (``define_scope``), and the new definition text reruns the scoped stages."""
    if config.scope_definition is None:
        return
    from attrdb.context.scopes import define_scope

    result = define_scope(con, config.scope, _scope_definition(config.scope_definition),
                          replace_existing=True)
    if not result["replaced"]:
        say(f"scope {config.scope!r} defined")
    elif result["deleted"]:
        say(f"scope {config.scope!r} redefined; {sum(result['deleted'].values())} result rows "
            "of the old definition deleted")


def _ingest_kwargs(section: dict[str, Any]) -> dict[str, Any]:
    from attrdb.ingest_config import IngestConfig
    from attrdb.ingest_config import load_config as load_ingest_config

    mapping = section.pop("config", None)
    base = load_ingest_config(mapping) if mapping else IngestConfig()
    columns = section.pop("columns", None)
    paths = {k: Path(section.pop(k)) for k in ("source", "images_root") if section.get(k)}
    allowed = {f.name for f in fields(IngestConfig)}
    unknown = set(section) - allowed
    if unknown:
        raise InputError(f"[ingest]: unknown setting(s) {', '.join(sorted(unknown))}")
    return {"config": base.with_options(columns=columns, **paths, **section)}


def _ingest_files(kwargs: Mapping[str, Any]) -> list[str]:
    config = kwargs["config"]
    return [str(config.source)] if config.source else []


def _saliency_words(
    section: dict[str, Any], *, con: duckdb.DuckDBPyConnection, scope: str
) -> dict[str, Any]:
    """``n_words = N``: map the N most visual words of ``words_method``; by default the
    cross-fitted ranking (its lower bound) where it was computed, else resample."""
    n_words = section.pop("n_words", None)
    chosen = section.pop("words_method", None)
    if n_words is None:
        return section
    if "words" in section:
        raise InputError("[saliency]: give either words or n_words, not both")
    model_id = resolve_model(con, section.get("model_id"))
    for method in [chosen] if chosen else ["crossfit", "resample"]:
        found = query_sql_file(
            con, "report/top_visual_words",
            {"model_id": model_id, "scope": scope, "method": method, "n": int(n_words)},
        )
        if found:
            break
    if not found:
        raise StateError(
            f"[saliency]: no {method} visualness scores in scope {scope!r} to pick words from; "
            "run the visualness stage first or list the words"
        )
    section["words"] = [r[0] for r in found]
    # The gradient baseline back-propagates the classifier of the method that chose the
    # words: every word it ranked has one.
    section.setdefault("classifier_method", method)
    return section


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise InputError(f"cannot read input file {path}: {exc.strerror}") from exc
    return digest.hexdigest()


def _latest_run(
    con: duckdb.DuckDBPyConnection, stage: str, scope: str, *, ok_only: bool
) -> tuple[int, str, str | None] | None:
    rows = query_sql_file(
        con, "report/stage_latest_run", {"stage": stage, "scope": scope, "ok_only": ok_only}
    )
    return (int(rows[0][0]), str(rows[0][1]), rows[0][2]) if rows else None


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))


def fingerprint(
    con: duckdb.DuckDBPyConnection,
    declared: Stage,
    section: Mapping[str, Any],
    *,
    scope: str,
    run_scope: Mapping[str, str],
    files: list[str],
) -> str:
    """``p:<params hash>;i:<inputs hash>`` of one stage (see the module docstring).

    ``scope`` is the scope the stage's runs are recorded under ('default' for the
    catalogue-wide stages), so a run in another scope never invalidates them.
    """
    params = hashlib.sha256(_canonical(section).encode()).hexdigest()[:16]
    upstream = {}
    for name in declared.after:
        latest = _latest_run(con, stage_named(name).run_name, run_scope[name], ok_only=True)
        upstream[name] = latest[0] if latest else None
    counts = {
        # Table names come from attrdb.stages.STAGES, never from the config.
        table: con.execute(f"SELECT count(*) FROM {quote_identifier(table)}").fetchall()[0][0]
        for table in declared.reads
    }
    # Contents only, not paths: a moved catalogue with the same bytes is the same input.
    hashes = sorted(_sha256(path) for path in files)
    definition = query_sql_file(con, "report/scope_definition", {"scope": scope})
    inputs = {"scope": scope, "definition": definition[0][0] if definition else None,
              "upstream": upstream, "rows": counts, "files": hashes}
    if declared.scoped and definition:
        from attrdb.context.scopes import ScopeDefinition

        # The definition as this attrdb reads it (defaults filled in): the stored text of
        # 'default' is '{}' whatever the defaults are, so an upgrade that changes one (e.g.
        # location_words) must still rerun the scope's stages. Catalogue-wide stages keep
        # their fingerprints.
        inputs["effective_definition"] = ScopeDefinition.from_json(definition[0][0]).to_json()
    return f"p:{params};i:{hashlib.sha256(_canonical(inputs).encode()).hexdigest()[:16]}"


def _input_files(stage: Stage, section: Mapping[str, Any], kwargs: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for key in stage.files:
        value = section.get(key)
        if isinstance(value, str) and value:
            found.append(value)
        elif isinstance(value, list):
            found.extend(value)
    if stage.name == "ingest":
        found.extend(f for f in _ingest_files(kwargs) if f not in found)
    return found


def decide(
    previous: tuple[int, str, str | None] | None, current: str, forced: bool
) -> tuple[str, str, bool]:
    """(action, reason, fresh) for a stage given its newest run (id, status, fingerprint)."""
    if forced:
        return "ran", "forced by --from", True
    if previous is None:
        return "ran", "never run", False
    run_id, status, seen = previous
    if seen == current:
        if status == "ok":
            return "skipped", f"unchanged since run {run_id}", False
        return "resumed", f"run {run_id} ended {status}; resuming", False
    if seen is None or not seen.startswith("p:"):
        return "ran", f"run {run_id} was not made by `attrdb run`", True
    if seen.split(";")[0] != current.split(";")[0]:
        return "ran", "parameters changed", True
    return "ran", "inputs changed", False


def run_pipeline(
    db: str | Path,
    config: PipelineConfig,
    *,
    from_stage: str | None = None,
    dry_run: bool = False,
    report_out: str | Path | None = None,
    echo: Callable[[str], None] | None = None,
) -> PipelineResult:
    """Run every configured stage in order, skipping those already done (``attrdb run``).

    Args:
        db: the database file (created when missing).
        config: the parsed run config.
        from_stage: rerun this stage and every later one even if unchanged.
        dry_run: only say what would run (inputs of later stages may still change).
        report_out: write the HTML report here at the end (overrides ``[report] out``).
        echo: receives one progress line per stage (default: stderr).

    Returns:
        The outcome of every stage, the report and snapshot written.

    Raises:
        InputError: unknown ``from_stage`` or a bad config value. Any stage's own errors
            propagate after its failure is recorded in ``runs``.
    """
    say = echo or (lambda line: print(line, file=sys.stderr, flush=True))
    if from_stage is not None and from_stage not in STAGE_NAMES:
        known = ", ".join(STAGE_NAMES)
        raise InputError(f"unknown stage {from_stage!r} for --from; stages: {known}")
    validate_config(config)
    started = time.perf_counter()
    # A dry run never creates the database: with none yet, every stage is planned.
    missing = dry_run and str(db) != ":memory:" and not Path(db).exists()
    con = connect(":memory:" if missing else db, create=not dry_run or missing)
    result = PipelineResult(db=Path(db), outcomes=[])
    try:
        _run_stages(con, db, config, from_stage, dry_run, say, result)
        out = report_out or (config.report or {}).get("out")
        if out and not dry_run:
            from attrdb.report import build_report

            options = {k: v for k, v in (config.report or {}).items() if k != "out"}
            written = build_report(con, out, scope=config.scope, source=str(db), **options)
            result.report = written.path
        if config.publish and not dry_run and str(db) != ":memory:":
            from attrdb.snapshot import publish

            result.snapshot = publish(con, db)
    finally:
        con.close()
    result.seconds = time.perf_counter() - started
    return result


def run_stages(
    con: duckdb.DuckDBPyConnection,
    config: PipelineConfig,
    *,
    echo: Callable[[str], None] | None = None,
) -> list[StageOutcome]:
    """Run a config's stages on an open database, skipping those already done.

    The same stages, order, skipping and recording as :func:`run_pipeline`, for a caller
    that holds the connection (a preset such as :func:`attrdb.ccp.prepare_database`);
    nothing is published and no report is written.
    """
    say = echo or (lambda line: print(line, file=sys.stderr, flush=True))
    validate_config(config)
    result = PipelineResult(db=Path(":memory:"), outcomes=[])
    _run_stages(con, None, config, None, False, say, result)
    return result.outcomes


def _run_stages(
    con: duckdb.DuckDBPyConnection,
    db: str | Path | None,
    config: PipelineConfig,
    from_stage: str | None,
    dry_run: bool,
    say: Callable[[str], None],
    result: PipelineResult,
) -> None:
    forcing = False
    # The scope each stage's runs are recorded under: the run's scope for stages that take
    # one, 'default' for catalogue-wide stages (ingest, text, dedup, split, extract).
    run_scope = {s.name: config.scope if s.scoped else DEFAULT_SCOPE for s in STAGES}
    if not dry_run:
        _define_scope(con, config, say)
    for stage in STAGES:
        forcing = forcing or stage.name == from_stage
        if stage.name not in config.stages:
            continue
        section = config.stages[stage.name]
        function = stage_function(stage)
        scope = run_scope[stage.name]
        kwargs = build_kwargs(stage, function, section, con=con, scope=config.scope)
        files = _input_files(stage, section, kwargs)
        current = fingerprint(con, stage, config.written.get(stage.name, section), scope=scope,
                              run_scope=run_scope, files=files)
        previous = _latest_run(con, stage.run_name, scope, ok_only=False)
        action, reason, fresh = decide(previous, current, forcing)
        if action == "skipped" or dry_run:
            outcome = StageOutcome(stage.name, action if action == "skipped" else "planned", reason)
            result.outcomes.append(outcome)
            continue
        if stage.fresh and stage.fresh in inspect.signature(function).parameters:
            wants_fresh = fresh or (stage.fresh_on_inputs and action == "ran")
            kwargs[stage.fresh] = bool(kwargs.get(stage.fresh)) or wants_fresh
        say(f"{stage.name}: running ({reason})")
        t0 = time.perf_counter()
        summary = _call(con, stage, function, kwargs, scope=scope, stamp=current)
        outcome = StageOutcome(stage.name, action, reason, time.perf_counter() - t0,
                               summary if isinstance(summary, dict) else {})
        result.outcomes.append(outcome)
        say(f"{stage.name}: {action} in {outcome.seconds:.1f} s")
        for warning in outcome.summary.get("warnings", []):
            say(f"{stage.name}: {warning}")
        if db is not None and config.publish and str(db) != ":memory:":
            from attrdb.snapshot import publish

            result.snapshot = publish(con, db)


def _call(
    con: duckdb.DuckDBPyConnection,
    stage: Stage,
    function: Callable[..., Any],
    kwargs: dict[str, Any],
    *,
    scope: str,
    stamp: str,
) -> Any:
    """Call a stage; every ``runs`` row it writes carries its fingerprint from the start.

    The fingerprint is on the row while the stage runs (``pending_fingerprint``), not added
    afterwards, so a stage killed half-way is *resumed* by the next ``attrdb run`` (same
    fingerprint, status crashed/interrupted) instead of recomputed from scratch.
    """
    with pending_fingerprint(stage.run_name, stamp):
        if stage.records_run:
            return function(con, **kwargs)
        params = {k: v for k, v in kwargs.items() if k != "scope"}
        with stage_run(con, stage.run_name, params, scope=scope) as run:
            summary = function(con, **kwargs)
            run.summary.update(summary if isinstance(summary, dict) else {})
        return summary


def demo_config() -> Path:
    """The bundled demo config (``attrdb/sample/demo.toml``)."""
    return sample_dir() / "demo.toml"


def run_demo(
    out_dir: str | Path = "attrdb-demo",
    *,
    from_stage: str | None = None,
    echo: Callable[[str], None] | None = None,
) -> PipelineResult:
    """``attrdb demo``: the whole pipeline on the bundled sample, then the report.

    Writes ``<out_dir>/demo.duckdb``, its snapshot and ``<out_dir>/report.html``. Running it
    again skips every stage that is already done.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return run_pipeline(
        folder / "demo.duckdb", load_config(demo_config()), from_stage=from_stage,
        report_out=folder / "report.html", echo=echo,
    )
