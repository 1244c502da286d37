"""Notebook 01 never undoes the wizard: after an edit made the wizard's way, Run All (twice)
leaves the role exactly as it was.

The issue this guards: a later cell applied the notebook's fixed spec, so a description, a
longer session and a policy chosen in the wizard were reverted (SecurityAudit detached, 4 h back
to 1 h), against a real account when ``target_profile`` is set. The kernel is a separate process
wired to this test's sandbox (``XACCT_SANDBOX_URL``); the role is read back with plain boto3,
independently of the code under test.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import READ_ONLY, ROLE, SECURITY_AUDIT

from xacct_widgets.core.policies import canonical
from xacct_widgets.core.target import TargetAccount
from xacct_widgets.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "01_create_role_in_target.ipynb"
pytestmark = pytest.mark.notebooks


def role_state(sandbox: Sandbox) -> dict[str, Any]:
    """Everything about the role, read with the admin's plain boto3 client."""
    iam = sandbox.session("target", "admin").client("iam")
    role = iam.get_role(RoleName=ROLE)["Role"]
    inline = iam.list_role_policies(RoleName=ROLE)["PolicyNames"]
    return {
        "id": role["RoleId"],
        "trust": canonical(role["AssumeRolePolicyDocument"]),
        "max_session": role["MaxSessionDuration"],
        "description": role.get("Description", ""),
        "tags": sorted((t["Key"], t["Value"]) for t in role.get("Tags", [])),
        "boundary": role.get("PermissionsBoundary"),
        "attached": sorted(
            p["PolicyArn"]
            for p in iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
        ),
        "inline": {
            p: canonical(iam.get_role_policy(RoleName=ROLE, PolicyName=p)["PolicyDocument"])
            for p in inline
        },
    }


def run_all(tmp_path: Path, name: str) -> str:
    """Run All, in a fresh kernel; what the cells printed."""
    import papermill

    output = tmp_path / name
    papermill.execute_notebook(
        str(NOTEBOOK), str(output), progress_bar=False, cwd=str(tmp_path)
    )
    text = output.read_text()
    assert "Traceback" not in text
    cells = json.loads(text)["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c["outputs"]]
    printed = "".join("".join(o.get("text", "")) for o in outputs)
    last = "".join(cells[-1]["outputs"][0]["data"]["text/plain"])
    return printed + f"\nlast: {last}"


def test_run_all_twice_keeps_the_wizards_edit(
    fresh_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XACCT_SANDBOX_URL", fresh_sandbox.endpoint_url)
    first = run_all(tmp_path, "first.ipynb")  # creates the tutorial's role
    assert "Applied: arn:aws:iam::123456781234:role/cross-account created" in first
    target = TargetAccount(fresh_sandbox.session("target", "admin"))
    assert role_state(fresh_sandbox)["attached"] == [READ_ONLY]

    # What the wizard does when an operator adds SecurityAudit, 4 h and a description.
    edited = dataclasses.replace(
        target.spec_of(ROLE),
        managed_policy_arns=[READ_ONLY, SECURITY_AUDIT],
        max_session_duration=14400,
        description="support engineers, edited in the wizard",
        tags={"team": "support"},
    )
    target.apply(edited)
    before = role_state(fresh_sandbox)
    assert before["attached"] == sorted([READ_ONLY, SECURITY_AUDIT])
    assert before["max_session"] == 14400

    for name in ("second.ipynb", "third.ipynb"):
        text = run_all(tmp_path, name)
        assert role_state(fresh_sandbox) == before, name
        # "Applied" only when something was written (issue 20, item 2): here nothing was.
        assert "Applied" not in text.replace("Not applied", "")
        assert "Nothing to change: role 'cross-account' already matches" in text
        assert text.endswith("last: True")  # the last cell: plan(spec).is_noop
