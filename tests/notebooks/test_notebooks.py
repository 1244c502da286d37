"""The notebooks, really executed: nbval on the committed ones, papermill for leaks and re-runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from helpers import issued_secrets, make_role

from xacct_widgets import runbook
from xacct_widgets.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
pytestmark = pytest.mark.notebooks


#: Notebooks of part B: they switch into the role part A (notebook 01) made, and never make it.
AFTER_PART_A = ("02_",)


def _kernel_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "XACCT_SANDBOX_URL"}
    env["XACCT_HISTORY"] = str(tmp_path / "history.sqlite3")
    return env


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_nbval(notebook: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Every cell runs; cells tagged nbval-check-output reproduce their committed outputs.

    nbval starts the kernel in the notebook's folder, so it runs a copy in ``tmp_path``: what a
    notebook writes to its working directory (notebook 02's exported AWS config) never lands in
    ``notebooks/``, which the wheel ships. A part-B notebook runs in a sandbox where part A's
    role exists (made as its admin would), the others in their own embedded sandbox.
    """
    sanitize = Path(__file__).with_name("sanitize.cfg")
    env = _kernel_env(tmp_path)
    if notebook.name.startswith(AFTER_PART_A):
        sandbox = request.getfixturevalue("fresh_sandbox")
        make_role(sandbox)
        env["XACCT_SANDBOX_URL"] = sandbox.endpoint_url
    notebook = Path(shutil.copy(notebook, tmp_path / notebook.name))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            str(notebook),
            "-p",
            "no:cacheprovider",
            "-q",
            "--nbval-sanitize-with",
            str(sanitize),
            "--rootdir",
            str(tmp_path),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
    assert not list((ROOT / "notebooks").glob("xacct-aws-config*")), "a run wrote notebooks/"


def test_committed_notebooks_are_clean() -> None:
    """Only checked cells carry outputs, and none holds a widget view, a path or a secret."""
    for notebook in NOTEBOOKS + [
        p for p in (ROOT / "notebooks").glob("*.ipynb") if p not in NOTEBOOKS
    ]:
        nb = nbformat.read(notebook, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            assert "NBVAL" not in cell.source, f"{notebook.name}: an nbval comment shows"
            if "nbval-check-output" not in cell.metadata.get("tags", []):
                assert cell.outputs == [], f"{notebook.name}: unchecked cell has outputs"
            for output in cell.outputs:
                assert "application/vnd.jupyter.widget-view+json" not in output.get("data", {})
        text = notebook.read_text()
        for forbidden in ("/root/", "/tmp/", "/home/", "SecretAccessKey", "SessionToken"):
            assert forbidden not in text, f"{notebook.name} holds {forbidden!r}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_executed_notebook_holds_no_secret(
    notebook: Path, fresh_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run against the in-process sandbox, so every key and token it issued is known here."""
    import papermill

    monkeypatch.setenv("XACCT_SANDBOX_URL", fresh_sandbox.endpoint_url)
    if notebook.name.startswith(AFTER_PART_A):
        make_role(fresh_sandbox)
    output = tmp_path / notebook.name
    papermill.execute_notebook(str(notebook), str(output), progress_bar=False, cwd=str(tmp_path))
    text = output.read_text()
    secrets = issued_secrets()
    if not notebook.stem.startswith("01_"):  # all but part A assume roles: tokens were issued
        assert len(secrets) > len(fresh_sandbox.secrets())
    leaked = [s[:4] for s in secrets if s in text]
    assert not leaked, f"{notebook.name} output holds secrets starting {leaked}"
    if "console_sign_in_url()" in notebook.read_text():  # a sign-in URL is shown, token hidden
        assert "SigninToken=[redacted]" in text
    assert "Traceback" not in text


def test_runbook_twice_is_a_no_op_the_second_time(fresh_sandbox: Sandbox, tmp_path: Path) -> None:
    first = runbook.run({}, tmp_path / "first.ipynb", sandbox_url=fresh_sandbox.endpoint_url)
    steps = first.set_index("step")
    assert steps.loc["role", "changed"]
    assert steps.loc["restrict who may switch", "changed"]
    assert "allow-switch-role" in steps.loc["restrict who may switch", "detail"]  # the group
    assert steps.loc["who may switch", "detail"] == "operator, admin"
    second = runbook.run({}, tmp_path / "second.ipynb", sandbox_url=fresh_sandbox.endpoint_url)
    assert not second["changed"].any(), second.to_string()
    assert list(second["step"]) == list(first["step"])
    iam = fresh_sandbox.session("target", "admin").client("iam")
    attached = iam.list_attached_role_policies(RoleName="cross-account")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["ReadOnlyAccess"]
    src = fresh_sandbox.session("source", "admin").client("iam")
    policy = src.get_user_policy(UserName="operator", PolicyName="xacct-assume-role")
    assert policy["PolicyDocument"]["Statement"][0]["Resource"] in (
        "arn:aws:iam::123456781234:role/cross-account",
        ["arn:aws:iam::123456781234:role/cross-account"],
    )


def test_xacct_runbook_from_anywhere(tmp_path: Path) -> None:
    """The headless main job: no arguments, any working directory, summary printed."""
    done = subprocess.run(
        [sys.executable, "-m", "xacct_widgets.cli", "runbook", "-p", "role_name", "onboarded"],
        cwd=tmp_path,
        env=_kernel_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "arn:aws:iam::123456781234:role/onboarded" in done.stdout
    assert "switch as operator" in done.stdout
    written = tmp_path / "xacct-runbook-output.ipynb"
    assert json.loads(written.read_text())["metadata"]["papermill"]["parameters"]["role_name"] == (
        "onboarded"
    )


def test_xacct_runbook_help_and_typos(tmp_path: Path) -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "xacct_widgets.cli", "runbook", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    for name in (
        "target_account",
        "source_account",
        "role_name",
        "managed_policies",
        "users_to_allow",
        "target_profile",
        "source_profile",
    ):
        assert name in shown.stdout
    typo = subprocess.run(
        [sys.executable, "-m", "xacct_widgets.cli", "runbook", "-p", "role_nmae", "x"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert typo.returncode == 2
    assert "no parameter 'role_nmae'" in typo.stderr and "role_name" in typo.stderr
