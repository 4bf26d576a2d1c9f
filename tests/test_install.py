"""Installability: pyproject declares ranges, tools/constraints.txt pins this build inside them.

The cheap checks read the files and the installed metadata; the resolver check runs pip
(``--dry-run``, no download when the pinned releases are on disk) and is marked slow.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent
CONSTRAINTS = REPO / "tools" / "constraints.txt"


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def _declared() -> dict[str, Requirement]:
    project = _project()
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        reqs.extend(Requirement(r) for r in extra)
    return {canonicalize_name(r.name): r for r in reqs}


def _pins() -> dict[str, Version]:
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = Version(version)
    return pins


def test_dependencies_are_ranges_not_pins() -> None:
    for name, req in _declared().items():
        assert not any(s.operator == "==" for s in req.specifier), f"{name} pinned in pyproject"


def test_every_pin_lies_in_the_declared_range() -> None:
    declared = _declared()
    pins = _pins()
    assert {"torch", "torchvision"} <= pins.keys()
    for name, version in pins.items():
        assert name in declared, f"{name} is pinned but not a dependency"
        assert declared[name].specifier.contains(version, prereleases=True), (
            f"{name}=={version} outside {declared[name].specifier}"
        )
    unpinned = {n for n in declared if n not in pins} - {"captum"}  # bench extra only
    assert not unpinned, f"dependencies without a tested pin: {sorted(unpinned)}"


def test_this_interpreter_and_installed_releases_fit_the_ranges() -> None:
    python = Version(".".join(map(str, sys.version_info[:3])))
    assert SpecifierSet(_project()["requires-python"]).contains(python)
    for name in ("torch", "torchvision", "duckdb", "numpy", "typer", "sqlglot", "spacy"):
        installed = Version(metadata.version(name))
        assert _declared()[name].specifier.contains(installed, prereleases=True), name


def test_readme_test_script_and_ci_install_with_the_constraints() -> None:
    readme = (REPO / "README.md").read_text()
    assert "-c tools/constraints.txt" in readme
    assert "-c tools/constraints.txt" in (REPO / "tools" / "test.sh").read_text()
    assert "tools/test.sh" in (REPO / ".ci" / "run").read_text()


@pytest.mark.slow
def test_pip_resolves_the_package_with_the_constraints(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
         "--quiet", "--report", str(tmp_path / "report.json"), "-c", str(CONSTRAINTS),
         f"{REPO}[dev,spark]"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    import json

    chosen = {
        canonicalize_name(i["metadata"]["name"]): Version(i["metadata"]["version"])
        for i in json.loads((tmp_path / "report.json").read_text())["install"]
    }
    for name, version in _pins().items():
        assert chosen.get(name) == version, f"{name}: resolved {chosen.get(name)}"
