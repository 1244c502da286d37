"""The rollout wizard driven as an operator would: tick accounts, type the role, plan (blocked rows
with reasons, a destructive row needing its tick), apply with progress, result, roll back.

Against the sandbox's organization with rollout realism (seed_rollout: one member under an SCP
denying iam:CreateRole, one without the execution role); the effect is read back from IAM.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import READ_ONLY, SECURITY_AUDIT, SOURCE

import xacct_widgets as xw
from xacct_widgets.core.query import clear_credential_cache
from xacct_widgets.core.sessions import assumed_session
from xacct_widgets.core.target import RoleSpec, TargetAccount, reads
from xacct_widgets.sandbox import Sandbox
from xacct_widgets.sandbox.seed import MEMBER_ROLE, seed_rollout
from xacct_widgets.widgets.rollout_wizard import RolloutWizard

ROLLED = "org-reader"


@pytest.fixture(name="org")
def org_fixture(fresh_sandbox: Sandbox) -> Iterator[tuple[Sandbox, object]]:
    clear_credential_cache()
    realism = seed_rollout(fresh_sandbox.member_account_ids)
    yield fresh_sandbox, realism
    fresh_sandbox.reset()
    clear_credential_cache()


def member(sb: Sandbox, account: str) -> TargetAccount:
    mgmt = sb.session("management", "admin")
    return TargetAccount(
        assumed_session(mgmt, f"arn:aws:iam::{account}:role/{MEMBER_ROLE}", "wizard-test")
    )


def planned(sb: Sandbox, **kwargs: object) -> RolloutWizard:
    wizard = RolloutWizard(sb.session("management", "admin"), **kwargs)  # type: ignore[arg-type]
    assert wizard.step_key == "accounts"
    assert wizard.next_button.disabled is False  # every account ticked at first
    assert wizard.go_next() and wizard.step_key == "spec"
    wizard.role_name.value = ROLLED
    wizard.trusted_account.value = SOURCE
    wizard.managed_policies.value = READ_ONLY
    assert wizard.go_next(), wizard.error_text
    assert wizard.step_key == "plan"
    return wizard


def test_accounts_step_marks_the_management_account(org) -> None:
    sb, _ = org
    wizard = RolloutWizard(sb.session("management", "admin"))
    assert set(wizard.account_boxes) == {Sandbox.MANAGEMENT, *sb.member_account_ids}
    management = wizard.account_boxes[Sandbox.MANAGEMENT]
    assert "management account" in management.description
    assert "xacct-rollout-management" in management._dom_classes
    for account in sb.member_account_ids:
        assert "management" not in wizard.account_boxes[account].description
        wizard.account_boxes[account].value = False
    management.value = False
    assert wizard.next_button.disabled  # nothing ticked: no Plan
    assert wizard.selected == []


def test_plan_apply_result_rollback(org) -> None:
    sb, realism = org
    ok = sb.member_account_ids[0]
    wizard = planned(sb)

    actions = dict(zip(wizard.frame["account_id"], wizard.frame["action"], strict=True))
    assert actions == {
        Sandbox.MANAGEMENT: "create",
        ok: "create",
        realism.no_execution_role: "blocked",
        realism.scp_denied: "blocked",
    }
    reasons = dict(zip(wizard.frame["account_id"], wizard.frame["reason"], strict=True))
    assert "iam:CreateRole" in reasons[realism.scp_denied]
    assert "iam:CreateRole" in wizard.plan_table.value  # the reason in words, on screen
    assert MEMBER_ROLE in reasons[realism.no_execution_role]
    assert wizard.destructive_ticks == {}
    assert not wizard.apply_button.disabled

    assert wizard.do_apply(), wizard.error_text
    assert wizard.step_key == "result"
    statuses = dict(zip(wizard.frame["account_id"], wizard.frame["status"], strict=True))
    assert statuses[ok] == "applied" and statuses[Sandbox.MANAGEMENT] == "applied"
    assert statuses[realism.scp_denied] == "skipped"
    assert wizard.progress.value == wizard.progress.max == 2  # the two accounts applied
    assert "applied" in wizard.live_table.value
    # The same bar on the result step: the final counts, next to the result table.
    assert wizard.progress_bar.text == "2 applied · 0 failed · 0 skipped of 2"
    assert wizard.progress_bar.widget in wizard.body.children[0].children
    assert reads.role_state(member(sb, ok).iam, ROLLED) is not None
    assert "applied" in wizard.result_table.value

    assert not wizard.rollback_button.disabled
    assert wizard.do_rollback(), wizard.error_text
    assert wizard.rollback_result is not None
    assert set(wizard.rollback_result.frame["status"]) == {"rolled_back"}
    assert reads.role_state(member(sb, ok).iam, ROLLED) is None
    assert wizard.rollback_button.disabled  # once


def test_destructive_row_needs_its_tick(org) -> None:
    sb, _ = org
    ok = sb.member_account_ids[0]
    member(sb, ok).apply(
        RoleSpec(name=ROLLED, trusted_account=SOURCE, managed_policy_arns=(SECURITY_AUDIT,))
    )
    wizard = planned(sb)
    assert list(wizard.plan.destructive["account_id"]) == [ok]  # type: ignore[union-attr]
    assert set(wizard.destructive_ticks) == {ok}
    assert wizard.plan_table.value.count('<tr class="xacct-destructive"') == 1
    assert wizard.apply_button.disabled  # the red row is not ticked
    assert wizard.do_apply() is False
    assert reads.role_state(member(sb, ok).iam, ROLLED).record.managed_policy_arns == (  # type: ignore[union-attr]
        SECURITY_AUDIT,
    )

    wizard.destructive_ticks[ok].value = True
    assert not wizard.apply_button.disabled
    assert wizard.do_apply(), wizard.error_text
    after = reads.role_state(member(sb, ok).iam, ROLLED)
    assert after is not None and after.record.managed_policy_arns == (READ_ONLY,)


def test_replan_after_apply_is_noop(org) -> None:
    sb, realism = org
    wizard = planned(sb)
    for account in (realism.no_execution_role, realism.scp_denied):
        wizard.account_boxes[account].value = False
    wizard.go_back()
    assert wizard.go_next(), wizard.error_text
    assert wizard.do_apply(), wizard.error_text

    again = planned(sb)
    for account in (realism.no_execution_role, realism.scp_denied):
        again.account_boxes[account].value = False
    again.go_back()
    again.go_back()
    assert again.step_key == "accounts"
    assert again.go_next() and again.go_next(), again.error_text
    assert set(again.frame["action"]) == {"noop"}
    assert again.apply_button.disabled
    assert "Nothing to change" in again.status.value


def test_bad_role_stays_on_the_spec_step(org) -> None:
    sb, _ = org
    wizard = RolloutWizard(sb.session("management", "admin"))
    wizard.go_next()
    wizard.role_name.value = ROLLED
    wizard.trusted_account.value = "12345"
    assert wizard.go_next() is False
    assert wizard.step_key == "spec"
    assert "12345" in wizard.error_text


def test_exported() -> None:
    assert xw.RolloutWizard is RolloutWizard


def test_plan_rows_coloured_by_action(org) -> None:
    sb, _ = org
    wizard = planned(sb)
    html = wizard.plan_table.value
    assert html.count('class="xacct-action xacct-action-create"') == 2
    assert html.count('class="xacct-action xacct-action-blocked"') == 2
    assert ".xacct-action-blocked { color: #b00020; }" in html


def test_existing_role_as_template_keeps_its_other_settings(org) -> None:
    sb, _ = org
    mgmt = sb.session("management", "admin")
    template = RoleSpec(
        name="template-role",
        trusted_account=SOURCE,
        managed_policy_arns=(SECURITY_AUDIT,),
        description="kept from the template",
        tags={"team": "platform"},
    )
    TargetAccount(mgmt).apply(template)
    wizard = RolloutWizard(mgmt)
    wizard.go_next()
    wizard.template_name.value = "template-role"
    assert wizard.do_load_template(), wizard.error_text
    assert wizard.role_name.value == "template-role"
    assert wizard.trusted_account.value == SOURCE
    assert wizard.managed_policies.value == SECURITY_AUDIT

    wizard.role_name.value = ROLLED
    spec = wizard.role_spec()
    assert spec.name == ROLLED
    assert spec.description == "kept from the template"
    assert dict(spec.tags) == {"team": "platform"}

    wizard.template_name.value = "no-such-role"
    assert wizard.do_load_template() is False
    assert "no-such-role" in wizard.error_text
