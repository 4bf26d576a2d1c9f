"""The stage contract: every consumer derives from attrdb.stages, so none can drift.

The CLI options of the SQL stages, the keys ``attrdb run`` accepts in their TOML tables
and the ``--param`` names ``attrdb spark`` takes are all computed here from the stage
objects and their parameters dataclasses, and compared.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import typer

from attrdb.cli import app
from attrdb.errors import InputError, StateError
from attrdb.pipeline import STAGES as PIPELINE_STAGES
from attrdb.pipeline import config_from_dict, validate_config
from attrdb.scaleout import parse_params, plan_for, stage_tables
from attrdb.stages import STAGES, Params, load, producer, sql_stages, stage

SQL_STAGES = [s.name for s in sql_stages()]
# Options a command has beside its stage's parameters: how to run, not what to compute.
RUNTIME_OPTIONS = {"progress"}
# CLI spellings of parameters (the command's option name -> the parameter).
CLI_NAMES = {"model": "model_id"}


def cli_parameters(name: str) -> dict[str, Any]:
    """Visible option name -> default of a command (hidden old spellings left out)."""
    # typer may bring its own click: the objects are read by their attributes.
    command: Any = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    return {
        CLI_NAMES.get(str(p.name), str(p.name)): p.default
        for p in command.params
        if p.param_type_name == "option" and not p.hidden and p.name not in RUNTIME_OPTIONS
    }


@pytest.mark.parametrize("name", SQL_STAGES)
def test_cli_options_and_defaults_are_the_stage_parameters(name: str) -> None:
    cls = stage(name).params_class()
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}
    assert cli_parameters(name) == defaults


@pytest.mark.parametrize("name", SQL_STAGES)
def test_toml_keys_are_the_stage_parameters(name: str, tmp_path: Any) -> None:
    cls = stage(name).params_class()
    keys = {k: v for k, v in dataclasses.asdict(cls()).items() if k != "scope"}
    validate_config(config_from_dict({name: keys}, base=tmp_path))
    with pytest.raises(InputError, match=f"unknown setting 'nope'; {name} takes"):
        validate_config(config_from_dict({name: {**keys, "nope": 1}}, base=tmp_path))


@pytest.mark.parametrize("name", SQL_STAGES)
def test_spark_parameters_are_the_stage_parameters(name: str) -> None:
    cls = stage(name).params_class()
    defaults = {f.name: f.default for f in dataclasses.fields(cls) if f.name != "scope"}
    items = [f"{n}={value}" for n, value in defaults.items() if value is not None]
    taken = parse_params([name], items)[name]
    assert set(taken) == {n for n, value in defaults.items() if value is not None}
    assert cls.from_text(name, taken, "default") == cls()


def test_one_registry() -> None:
    assert PIPELINE_STAGES is STAGES
    assert [s.name for s in sql_stages()] == ["dedup", "split", "divergence", "depth"]
    for declared in STAGES:
        if "spark" in declared.engines:
            assert callable(load(declared.function))
            assert issubclass(declared.params_class(), Params)
            assert callable(declared.engine_run())
            assert plan_for(declared.name) is declared
        else:
            with pytest.raises(StateError, match="DuckDB only"):
                declared.engine_run()


def test_reads_and_writes_chain() -> None:
    # Every table a stage reads is written by an earlier stage, or is an input of its own.
    order = [s.name for s in STAGES]
    for declared in STAGES:
        for table in declared.reads:
            made_by = producer(table)
            if made_by is not None and made_by != declared.name:
                assert order.index(made_by) < order.index(declared.name), (declared.name, table)
    needed, written = stage_tables(["divergence", "depth"])
    assert set(stage("divergence").reads) <= set(needed)
    assert written == [*stage("divergence").writes, *stage("depth").writes]


def test_scoped_stages_take_a_scope() -> None:
    for declared in sql_stages():
        assert declared.scoped == ("scope" in declared.params_class().names()), declared.name


def test_missing_inputs_name_the_stage_that_writes_them() -> None:
    from attrdb.connection import connect
    from attrdb.depth import run_depth
    from attrdb.splits import run_split

    con = connect(":memory:", create=True)
    try:
        with pytest.raises(StateError, match=r"'products' is empty; run `attrdb ingest` first"):
            run_split(con)
        with pytest.raises(
            StateError, match=r"'unit_word_divergence' is empty; run `attrdb divergence` first"
        ):
            run_depth(con)
    finally:
        con.close()


def test_finetune_table_and_cli_take_its_parameters(tmp_path: Any) -> None:
    # finetune's parameters live in FinetuneParams; the run's scope goes into it.
    from attrdb.finetune import FinetuneParams
    from attrdb.pipeline import build_kwargs, stage_function

    declared = stage("finetune")
    defaults = {f.name: f.default for f in dataclasses.fields(FinetuneParams)}
    keys = {k: v for k, v in defaults.items() if k != "scope"} | {"kind": "attribute"}
    validate_config(config_from_dict({"finetune": keys}, base=tmp_path))
    for bad, message in [({**keys, "nope": 1}, "unknown setting 'nope'; finetune takes"),
                         ({**keys, "scope": "x"}, "unknown setting 'scope'"),
                         ({"epochs": 1}, r"missing setting\(s\) kind")]:
        with pytest.raises(InputError, match=message):
            validate_config(config_from_dict({"finetune": bad}, base=tmp_path))
    kwargs = build_kwargs(declared, stage_function(declared), {"kind": "category"},
                          con=None, scope="shoes")  # type: ignore[arg-type]
    assert kwargs == {"params": FinetuneParams(kind="category", scope="shoes")}
    options = cli_parameters("finetune")
    assert set(options) == set(defaults)
    assert {k: v for k, v in options.items() if k != "kind"} == {
        k: v for k, v in defaults.items() if k != "kind"}


def test_hints_name_the_command_of_the_stage_that_writes_a_table() -> None:
    from attrdb.stages import command, hint

    assert hint("models") == "run `attrdb extract` first"
    assert hint("human_visualness") == "run `attrdb human import` first"
    assert hint("metadata_agreement", first=False) == "run `attrdb metadata-check`"
    assert command("finetune") == "`attrdb finetune`"
