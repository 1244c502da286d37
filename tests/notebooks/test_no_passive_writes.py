"""Run All writes nothing the operator did not ask for (issue 20, items 2, 3, 6 and 8).

- Notebook 01 after ReadOnlyAccess was detached in the Create-role wizard: Run All (twice)
  leaves it detached, shows the difference and the one line that would apply it, and never
  prints "Applied" (it re-attached the policy silently, and printed "Applied" on an empty plan).
- Notebook 02 opened before 01: it says to run 01 first and creates no role (its cell 2 created
  the role silently).
- Notebook 02 with the operator's own history and bookmarks: neither their real history file
  nor a bookmark's name is changed (its demo renamed the bookmark "prod" to "target (typed)",
  and sandbox switches went into the operator's real history).

Each notebook runs in a fresh kernel wired to this test's sandbox (``XACCT_SANDBOX_URL``); the
role is read back with the admin's plain boto3.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import READ_ONLY, ROLE, TARGET

from xacct_widgets.core.switch.history import RoleHistory
from xacct_widgets.core.target import RoleSpec, TargetAccount
from xacct_widgets.sandbox import Sandbox
from xacct_widgets.widgets.create_role import CreateRoleWizard

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ROLE_ARN = f"arn:aws:iam::{TARGET}:role/{ROLE}"
pytestmark = pytest.mark.notebooks


def run_all(notebook: str, output: Path) -> str:
    """Run All in a fresh kernel; everything the cells printed or displayed as text."""
    import papermill

    papermill.execute_notebook(
        str(NOTEBOOKS / notebook), str(output), progress_bar=False, cwd=str(output.parent)
    )
    return _printed(output)


def _printed(output: Path) -> str:
    cells = json.loads(output.read_text())["cells"]
    texts = []
    for cell in cells:
        for out in cell.get("outputs", []):
            texts.append("".join(out.get("text", "")))
            texts.append("".join(out.get("data", {}).get("text/plain", "")))
            texts.append("\n".join(out.get("traceback", [])))
    return "\n".join(texts)


def _attached(sandbox: Sandbox) -> list[str]:
    iam = sandbox.session("target", "admin").client("iam")
    listed = iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    return sorted(p["PolicyArn"] for p in listed)


def _detach_read_only_in_the_wizard(sandbox: Sandbox) -> None:
    """What the operator did: load the role in the wizard, untick ReadOnlyAccess, confirm the
    red row and Apply."""
    wizard = CreateRoleWizard(sandbox.session("target", "admin"))
    wizard.next_button.click()
    wizard.name.value = ROLE
    wizard.go(4)
    wizard.picker.check(READ_ONLY, False)
    wizard.next_button.click()
    assert wizard.step_key == "A6", wizard.error_text
    assert wizard.plan.destructive["action"].tolist() == ["detach policy"]
    wizard.confirm_destructive.value = True  # the red row
    wizard.confirm_empty.value = True  # no permissions left: the wizard asks for that too
    wizard.apply_button.click()
    assert wizard.step_key == "A7", wizard.error_text


def test_notebook_01_never_undoes_a_wizard_edit(
    fresh_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XACCT_SANDBOX_URL", fresh_sandbox.endpoint_url)
    first = run_all("01_create_role_in_target.ipynb", tmp_path / "first.ipynb")
    assert f"Applied: {ROLE_ARN}" in first
    assert _attached(fresh_sandbox) == [READ_ONLY]

    _detach_read_only_in_the_wizard(fresh_sandbox)
    assert _attached(fresh_sandbox) == []

    for run in ("second", "third"):
        text = run_all("01_create_role_in_target.ipynb", tmp_path / f"{run}.ipynb")
        assert _attached(fresh_sandbox) == [], f"Run All ({run}) re-attached ReadOnlyAccess"
        assert "Applied" not in text, text
        assert f"Not applied: role '{ROLE}' exists and differs" in text
        assert f"attach policy {READ_ONLY}" in text  # the difference with the live role
        assert "nothing was written" in text
        assert "    target.apply(spec)" in text  # the one line that would apply it


def test_notebook_01_second_run_says_nothing_was_changed(
    fresh_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XACCT_SANDBOX_URL", fresh_sandbox.endpoint_url)
    run_all("01_create_role_in_target.ipynb", tmp_path / "first.ipynb")
    again = run_all("01_create_role_in_target.ipynb", tmp_path / "second.ipynb")
    assert "Applied" not in again
    assert f"Nothing to change: role '{ROLE}' already matches; nothing was written." in again


def test_notebook_02_before_01_says_run_01_and_creates_nothing(
    fresh_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import papermill

    monkeypatch.setenv("XACCT_SANDBOX_URL", fresh_sandbox.endpoint_url)
    output = tmp_path / "02.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as stopped:
        papermill.execute_notebook(
            str(NOTEBOOKS / "02_switch_role_from_source.ipynb"),
            str(output),
            progress_bar=False,
            cwd=str(tmp_path),
        )
    assert stopped.value.ename == "RoleNotFound"
    assert "Run notebook 01 (01_create_role_in_target.ipynb) first" in stopped.value.evalue
    assert stopped.value.exec_count == 2  # it stops at its first cell, before any switch
    names = TargetAccount(fresh_sandbox.session("target", "admin")).roles()["name"]
    assert ROLE not in set(names), "notebook 02 created the role"
    assert "CreateRoleWizard" in _printed(output)  # offered, pre-filled; nothing written


def test_notebook_02_keeps_the_operators_history_and_bookmarks(
    fresh_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    TargetAccount(fresh_sandbox.session("target", "admin")).apply(
        RoleSpec(name=ROLE, trusted_account="9876-5432-9876", managed_policy_arns=[READ_ONLY])
    )
    real = tmp_path / "real-history.sqlite3"  # the operator's own history
    with RoleHistory(real) as history:
        history.bookmark(TARGET, ROLE, "production", "Red")
        history.record(TARGET, "billing", "bills", "Orange")
        before = history.entries()
    sandbox_history = tmp_path / "sandbox-history.sqlite3"  # what xacct lab gives its kernels
    with RoleHistory(sandbox_history) as history:
        history.bookmark(TARGET, ROLE, "production", "Red")
    monkeypatch.setenv("XACCT_SANDBOX_URL", fresh_sandbox.endpoint_url)
    monkeypatch.setenv("XACCT_HISTORY", str(real))
    monkeypatch.setenv("XACCT_SANDBOX_HISTORY", str(sandbox_history))

    run_all("02_switch_role_from_source.ipynb", tmp_path / "02.ipynb")

    with RoleHistory(real) as history:  # (a write may still sit in the file's WAL journal)
        assert history.entries() == before, "sandbox work changed the operator's real history"
    with RoleHistory(sandbox_history) as history:
        entry = history.get(TARGET, ROLE)
    assert entry is not None and entry.use_count >= 2  # the notebook's switches, counted
    assert (entry.display_name, entry.color, entry.bookmarked) == ("production", "F2B0A9", True)
