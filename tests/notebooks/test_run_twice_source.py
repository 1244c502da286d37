"""Run All, twice, on notebooks 02 and 03 changes nothing the reader did.

The reader first makes wizard-equivalent changes - edits the role as notebook 01's wizard would
(description, a longer session, one more policy) and restricts who may switch with the
who-may-switch wizard - then every cell of the notebook runs, twice, with its default
parameters. The role and every identity policy of the source account must be exactly as the
reader left them (the runbook may only *add* what its parameters ask for).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import xacct_widgets as xw
from xacct_widgets.sandbox import Sandbox
from xacct_widgets.widgets.who_may_switch import WhoMaySwitchWizard

ROOT = Path(__file__).resolve().parents[2]
ROLE = "cross-account"
ROLE_ARN = f"arn:aws:iam::123456781234:role/{ROLE}"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SECURITY_AUDIT = "arn:aws:iam::aws:policy/SecurityAudit"
pytestmark = pytest.mark.notebooks


def _reader_changes(sandbox: Sandbox, only: set[str]) -> None:
    """What a reader does with the wizards before running the notebook's cells."""
    target = xw.TargetAccount(sandbox.session("target", "admin"))
    target.apply(xw.RoleSpec(name=ROLE, trusted_account="9876-5432-9876"))
    edited = dataclasses.replace(
        target.spec_of(ROLE),
        description="edited in the wizard",
        max_session_duration=4 * 3600,
        managed_policy_arns=(READ_ONLY, SECURITY_AUDIT),
    )
    target.apply(edited)
    wizard = WhoMaySwitchWizard(sandbox.session("source", "admin"), role_arn=ROLE_ARN)
    wizard.next_button.click()
    for (kind, name), box in wizard.choices.items():
        box.value = kind == "user" and name in only
    wizard.next_button.click()
    wizard.confirm.value = True
    assert wizard.do_apply(), wizard.error_text


def _state(sandbox: Sandbox) -> tuple[object, object]:
    role = xw.TargetAccount(sandbox.session("target", "admin")).spec_of(ROLE)
    source = xw.SourceAccount(sandbox.session("source", "admin")).snapshot()
    return role, (source.users, source.groups, source.roles)


@pytest.mark.parametrize(
    ("notebook", "only"),
    [
        # The reader let intern switch too: the notebook's default (operator only) must not
        # take that away when its cells run.
        ("02_switch_role_from_source", {"operator", "intern"}),
        ("03_onboarding_runbook", {"operator"}),  # the runbook's own choice: nothing to add
    ],
)
def test_run_all_twice_keeps_the_readers_changes(
    notebook: str,
    only: set[str],
    fresh_sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import papermill

    _reader_changes(fresh_sandbox, only)
    before = _state(fresh_sandbox)
    monkeypatch.setenv("XACCT_SANDBOX_URL", fresh_sandbox.endpoint_url)
    source = ROOT / "notebooks" / f"{notebook}.ipynb"
    for run in ("first", "second"):
        papermill.execute_notebook(
            str(source), str(tmp_path / f"{run}.ipynb"), progress_bar=False, cwd=str(tmp_path)
        )
        assert _state(fresh_sandbox) == before, f"Run All ({run}) changed the reader's setup"
    role = xw.TargetAccount(fresh_sandbox.session("target", "admin")).spec_of(ROLE)
    assert role.description == "edited in the wizard" and role.max_session_duration == 14400
    assert SECURITY_AUDIT in role.managed_policy_arns
    who = xw.SourceAccount(fresh_sandbox.session("source", "admin")).who_may_assume(ROLE_ARN)
    allowed = set(who[who["allowed"]]["name"])
    assert allowed == only | {"admin"}
