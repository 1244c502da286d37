"""The runbook and a role that requires MFA (issue 20, item 1): it checks everything it needs -
the MFA code included - before its first write, and always ends with its summary."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from helpers import READ_ONLY, ROLE, SECURITY_AUDIT, make_role

from xacct_widgets import runbook
from xacct_widgets.errors import RunbookFailed
from xacct_widgets.sandbox import Sandbox

pytestmark = pytest.mark.notebooks


def attached(sandbox: Sandbox) -> list[str]:
    iam = sandbox.session("target", "admin").client("iam")
    return [
        p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    ]


def source_user_policies(sandbox: Sandbox) -> list[str]:
    iam = sandbox.session("source", "admin").client("iam")
    return iam.list_user_policies(UserName="operator")["PolicyNames"]


def test_no_code_fails_before_any_write_and_prints_the_summary(
    fresh_sandbox: Sandbox, tmp_path: Path
) -> None:
    make_role(fresh_sandbox, require_mfa=True)
    before = source_user_policies(fresh_sandbox)
    output = tmp_path / "runbook.ipynb"
    with pytest.raises(RunbookFailed) as failed:
        runbook.run(
            {"managed_policies": [READ_ONLY, SECURITY_AUDIT]},
            output,
            sandbox_url=fresh_sandbox.endpoint_url,
        )
    summary = failed.value.summary.set_index("step")
    check = summary.loc["check before writing", "detail"]
    assert check.startswith("FAILED: Role cross-account requires MFA, and no mfa_code was given")
    assert "-p mfa_code" in check
    assert not summary["changed"].any()
    for step in ("role", "restrict who may switch", "switch as each user"):
        assert summary.loc[step, "detail"] == "not run: an earlier step failed"
    assert "InvalidInput" in failed.value.message
    # nothing was written: the role did not get SecurityAudit, nobody's access was narrowed
    assert attached(fresh_sandbox) == [READ_ONLY]
    assert source_user_policies(fresh_sandbox) == before
    # the executed notebook shows the summary before the failure
    nb = nbformat.read(output, as_version=4)
    shown = [
        cell
        for cell in nb.cells
        if cell.cell_type == "code"
        and "nbval-check-output" in cell.metadata.get("tags", [])
        and cell.source.startswith("summary")
    ]
    assert "FAILED: Role cross-account requires MFA" in str(shown[0].outputs)


def test_a_malformed_code_fails_before_creating_the_role(
    fresh_sandbox: Sandbox, tmp_path: Path
) -> None:
    with pytest.raises(RunbookFailed) as failed:
        runbook.run(
            {"require_mfa": True, "mfa_code": "12345"},
            tmp_path / "runbook.ipynb",
            sandbox_url=fresh_sandbox.endpoint_url,
        )
    detail = failed.value.summary.set_index("step").loc["check before writing", "detail"]
    assert "MFA code '12345' is invalid" in detail
    iam = fresh_sandbox.session("target", "admin").client("iam")
    assert ROLE not in [r["RoleName"] for r in iam.list_roles()["Roles"]]


def test_with_the_code_the_runbook_switches_with_mfa(
    fresh_sandbox: Sandbox, tmp_path: Path
) -> None:
    summary = runbook.run(
        {"require_mfa": True, "mfa_code": fresh_sandbox.MFA_CODE},
        tmp_path / "runbook.ipynb",
        sandbox_url=fresh_sandbox.endpoint_url,
    ).set_index("step")
    assert summary.loc["role", "changed"]
    assert summary.loc["switch as operator", "detail"].endswith(":assumed-role/cross-account")
    assert not summary["detail"].str.startswith("FAILED").any()
    trust = fresh_sandbox.session("target", "admin").client("iam").get_role(RoleName=ROLE)
    assert "aws:MultiFactorAuthPresent" in str(trust["Role"]["AssumeRolePolicyDocument"])


def test_parameters_declare_their_types() -> None:
    params = runbook.runbook_parameters()
    assert params["mfa_code"]["inferred_type_name"] == "Optional[str]"
    assert params["require_mfa"]["inferred_type_name"] == "bool"
    assert runbook.parse_parameters(["mfa_code", "012345"], params) == {"mfa_code": "012345"}


def test_the_cli_prints_the_summary_of_a_failed_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import pandas as pd

    from xacct_widgets import cli

    table = pd.DataFrame(
        [{"step": "check before writing", "changed": False, "detail": "FAILED: x"}]
    )

    def stopped(*_args: object, **_kwargs: object) -> pd.DataFrame:
        raise RunbookFailed("The runbook stopped: InvalidInput: x", summary=table)

    monkeypatch.setattr(runbook, "run", stopped)
    out = tmp_path / "out.ipynb"
    code = cli.main(["runbook", "-p", "target_profile", "admin", "-o", str(out)])
    printed = capsys.readouterr()
    assert code != 0
    assert "check before writing" in printed.out and "FAILED: x" in printed.out
    assert "The runbook stopped" in printed.err
