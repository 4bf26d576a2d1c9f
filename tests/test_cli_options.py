"""The CLI's shared conventions: global options anywhere, complete help, one --quiet."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from attrdb import progress
from attrdb.cli import app
from attrdb.cli.common import hoist_global_options
from attrdb.cli.extract import architecture_and_id


def _commands() -> list[tuple[list[str], Any]]:
    """(path, click command) of every command and group, hidden ones left out."""
    found: list[tuple[list[str], Any]] = []

    def walk(path: list[str], command: Any) -> None:
        found.append((path, command))
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if not sub.hidden:
                walk([*path, name], sub)

    walk([], typer.main.get_command(app))
    return found


def _flat(text: str) -> str:
    # The help formatter may break a line after a hyphen ("read-" / "only").
    return re.sub(r"\s+", " ", re.sub(r"-\n\s*", "-", text)).strip()


@pytest.mark.parametrize("path", [p for p, _ in _commands()], ids=lambda p: " ".join(p) or "-")
def test_help_shows_every_option_description_whole(path: list[str]) -> None:
    command = dict((tuple(p), c) for p, c in _commands())[tuple(path)]
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    shown = _flat(result.output)
    for sub in getattr(command, "commands", {}).values():
        if not sub.hidden:  # the command list shows each command's whole first paragraph
            assert _flat((sub.help or "").split("\n\n")[0]) in shown, sub.name
    for param in command.params:
        if getattr(param, "hidden", False) or param.name == "help":
            continue
        described = _flat(getattr(param, "help", None) or "")
        assert described, f"{' '.join(path)} {param.opts[0]}: no help text"
        # Markup (or anything else) that swallows part of a description fails here.
        assert described in shown, f"{' '.join(path)} {param.opts[0]}: help shown truncated"
        default = param.default
        if (
            param.param_type_name == "option"
            and not param.is_flag
            and default not in (None, [], ())
            and param.show_default is not False
        ):
            assert f"default: {default}" in shown, f"{' '.join(path)} {param.opts[0]}: no default"


def test_global_options_after_the_command(tmp_path: Path) -> None:
    path = tmp_path / "after.duckdb"
    result = CliRunner().invoke(app, ["init", "--db", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    assert path.is_file()
    again = CliRunner().invoke(app, ["migrate", f"--db={path}", "--debug"])
    assert again.exit_code == 0, again.output
    # The example: the query reads the database named after it.
    query = CliRunner().invoke(
        app, ["sql", "select count(*) AS n from schema_version", "--db", str(path)]
    )
    assert query.exit_code == 0, query.output
    assert "n" in query.stdout.splitlines()[0]


def test_hoisting_moves_only_global_options_and_stops_at_double_dash() -> None:
    assert hoist_global_options(["sql", "select 1", "--db", "x.duckdb", "-q"]) == [
        "--db", "x.duckdb", "-q", "sql", "select 1",
    ]
    assert hoist_global_options(["--db=a", "vocab", "--top-n", "5"]) == [
        "--db=a", "vocab", "--top-n", "5",
    ]
    assert hoist_global_options(["sql", "--", "--db"]) == ["sql", "--", "--db"]


def test_old_option_spellings_still_parse(tmp_path: Path) -> None:
    # Hidden aliases: accepted, absent from --help.
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "x.duckdb"), "boilerplate",
                                      "--top", "3"])
    assert "No such option" not in result.output
    assert "--top " not in CliRunner().invoke(app, ["boilerplate", "--help"]).output
    assert architecture_and_id(None, "alexnet", "alexnet_caffe") == ("alexnet", "alexnet_caffe")
    assert architecture_and_id(None, "vgg16", None) == ("vgg16", "vgg16")
    assert architecture_and_id("resnet50", "mine", None) == ("resnet50", "mine")
    assert architecture_and_id(None, None, None) == ("efficientnet_lite0", None)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_plain_lines_off_a_terminal() -> None:
    out = io.StringIO()
    with progress.Progress(4, desc="extract", unit="img", interval=0, stream=out) as bar:
        for _ in range(4):
            bar.update()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("extract: 1/4 img (25%)") and "img/s" in lines[0]
    assert "ETA" in lines[0]
    assert lines[-1].startswith("extract: 4/4 img in ")


def test_progress_bar_on_a_terminal_and_silence_when_quiet() -> None:
    tty = _Terminal()
    with progress.Progress(3, desc="text", unit="product", stream=tty) as bar:
        bar.update(3)
    assert "3/3" in tty.getvalue() and "product/s" in tty.getvalue()
    for stream in (_Terminal(), io.StringIO()):
        progress.set_quiet(True)
        try:
            with progress.Progress(3, desc="text", interval=0, stream=stream) as bar:
                bar.update(3)
        finally:
            progress.set_quiet(False)
        assert stream.getvalue() == ""
    nested = io.StringIO()
    with progress.Progress(3, desc="inner", interval=0, nested=True, stream=nested) as bar:
        bar.update(3)
    assert nested.getvalue() == ""


def test_quiet_flag_reaches_the_progress_module() -> None:
    CliRunner().invoke(app, ["--quiet", "models", "--help"])
    assert progress.is_quiet()
    CliRunner().invoke(app, ["models", "--help"])
    assert not progress.is_quiet()


def test_classifier_scores_of_extreme_log_odds_raise_no_warning() -> None:
    import warnings

    import numpy as np

    from attrdb.classifiers import LinearClassifier

    one = np.array([1.0])
    classifier = LinearClassifier(None, one, 0.0, np.array([0.0]), one, True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = classifier.score(np.array([[-1000.0], [0.0], [2.0], [1000.0]]))
    assert np.allclose(scores, [0.0, 0.5, 1 / (1 + np.exp(-2.0)), 1.0])


def test_usage_errors_are_one_line_naming_the_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from attrdb.cli import main

    with pytest.raises(SystemExit) as info:
        main(["vocab", "--top-n", "many"])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "'--top-n'" in err and err.startswith("error:")


def test_catalogue_walkthrough_uses_only_real_options() -> None:
    # docs/catalogue.md is a new user's first read: every `attrdb CMD --option` in it must
    # be a visible option of that command (or a global one).
    doc = (Path(__file__).resolve().parent.parent / "docs" / "catalogue.md").read_text()
    commands = {tuple(path): command for path, command in _commands()}
    root_options = {o for p in commands[()].params for o in p.opts}
    text = re.sub(r"\\\n\s*", " ", doc)  # join continued shell lines
    checked = 0
    for line in re.findall(r"attrdb [^`\n]*", text):
        words = line.split()[1:]
        path: tuple[str, ...] = ()
        while words and (*path, words[0]) in commands:
            path = (*path, words.pop(0))
        if not path:
            continue
        visible = {o for p in commands[path].params if not getattr(p, "hidden", False)
                   for o in p.opts}
        for word in words:
            option = word.split("=")[0].strip("[]`,.;:)")
            if option.startswith("--"):
                assert option in visible | root_options, f"`attrdb {' '.join(path)} {option}`"
                checked += 1
    assert checked > 10


def test_progress_of_an_empty_loop_prints_nothing() -> None:
    out = io.StringIO()
    with progress.Progress(0, desc="text", interval=0, stream=out):
        pass
    assert out.getvalue() == ""
    assert list(progress.track(iter("ab"), desc="text", enabled=False)) == ["a", "b"]


def test_list_options_read_commas_and_repeats_alike() -> None:
    from attrdb.cli.options import names

    assert names("a, b,,c") == ["a", "b", "c"]
    assert names(["a,b", " c "]) == ["a", "b", "c"]
    assert names(None) == [] and names([]) == []
