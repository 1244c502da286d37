"""The lock ./run installs is what pyproject.toml's ranges promise, and conda gets it too."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _locked() -> dict[str, str]:
    found = (PIN.match(line) for line in LOCK.read_text().splitlines())
    return {canonicalize_name(m.group(1)): m.group(2) for m in found if m}


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    texts = project["dependencies"] + [r for group in extras.values() for r in group]
    own = canonicalize_name(project["name"])
    return [r for r in map(Requirement, texts) if canonicalize_name(r.name) != own]


def test_every_declared_dependency_is_locked_inside_its_range() -> None:
    locked = _locked()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is declared in pyproject.toml but not locked: ./run lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{name}=={locked[name]} in the lock is outside pyproject.toml's {requirement}"
        )


def test_every_locked_package_has_hashes() -> None:
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text().split("\n", 2)[2])
    unhashed = [b.split()[0] for b in blocks if "==" in b and "--hash=sha256:" not in b]
    assert not unhashed


def test_environment_yml_is_written_from_the_lock() -> None:
    spec = importlib.util.spec_from_file_location(
        "sync_environment", ROOT / "requirements" / "sync_environment.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = (ROOT / "environment.yml").read_text()
    assert written == module.render(LOCK), "environment.yml is stale: ./run lock rewrites it"
    assert "moto==" in written


@pytest.mark.skipif(bool(os.environ.get("XACCT_LATEST")), reason="./run test --latest")
def test_this_environment_is_the_lock() -> None:
    """./run test tests what the lock says (a stale .venv would hide an upgrade, as moto 5.2.6's
    did); ./run test --latest is the deliberate exception."""
    locked = _locked()
    differ = {}
    for name in ("moto", "boto3", "botocore", "pandas", "ipywidgets", "jupyterlab", "nbval"):
        installed = importlib.metadata.version(name)
        if installed != locked[name]:
            differ[name] = (installed, locked[name])
    assert not differ, f"installed != locked: {differ}; ./run reinstalls from the lock"
