"""The who-may-switch wizard: see who may switch, choose, review (red rows), apply, re-check.

Driven as an operator would (clicks and typed values) against the sandbox; the effect is
verified with real sts:AssumeRole attempts.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from helpers import ROLE_ARN, make_role

from xacct_widgets.widgets.who_may_switch import WhoMaySwitchWizard


def can_assume(sandbox, user, role_arn=ROLE_ARN) -> bool:
    """A real sts:AssumeRole as seeded user ``user``."""
    try:
        sandbox.session("source", user).client("sts").assume_role(
            RoleArn=role_arn, RoleSessionName="probe"
        )
    except ClientError as err:
        assert err.response["Error"]["Code"] == "AccessDenied"
        return False
    return True


@pytest.fixture
def wizard(fresh_sandbox):
    make_role(fresh_sandbox)
    make_role(fresh_sandbox, "billing")
    return WhoMaySwitchWizard(fresh_sandbox.session("source", "admin"))


def _tick(wizard, kind, name, value=True):
    wizard.choices[(kind, name)].value = value


def test_who_may_switch_now(wizard):
    assert wizard.step_key == "who" and wizard.next_button.disabled
    assert wizard.load_button.disabled  # no role yet
    wizard.role_arn.value = "arn:aws:iam::123:role/x"
    assert wizard.field_error("role_arn") and wizard.load_button.disabled
    wizard.role_arn.value = ROLE_ARN
    assert not wizard.load_button.disabled
    wizard.load_button.click()
    assert not wizard.next_button.disabled
    html = wizard.who_table.value
    assert "operator" in html and "member of the group" in html and "✘" in html
    assert "white-space: normal" in html  # sentences wrap instead of scrolling sideways
    assert set(wizard.frame["name"]) >= {"operator", "intern", "admin", "role-switchers"}
    assert "WhoMaySwitchWizard(step 1 of 4" in repr(wizard)


def test_choose_review_apply_recheck(wizard, fresh_sandbox):
    wizard.role_arn.value = ROLE_ARN
    wizard.load_button.click()
    wizard.next_button.click()
    assert wizard.step_key == "choose"
    assert wizard.choices[("user", "operator")].value  # may switch now: pre-ticked
    assert not wizard.choices[("user", "intern")].value
    assert "administrator" in wizard.choices[("user", "admin")].description
    _tick(wizard, "user", "operator", False)
    _tick(wizard, "user", "intern")
    wizard.next_button.click()  # Plan
    assert wizard.step_key == "review"
    html = wizard.plan_table.value
    assert 'class="xacct-destructive"' in html and "allow-switch-role" in html
    assert "Left as is" in html and "permissions boundary" in html
    # Destructive rows: Apply waits for the confirmation.
    assert wizard.apply_button.disabled and wizard.confirm.layout.display is None
    wizard.confirm.value = True
    assert not wizard.apply_button.disabled
    wizard.apply_button.click()
    assert wizard.step_key == "check", wizard.error_text
    assert wizard.result is not None and wizard.result.changed
    after = wizard.frame.set_index("name")
    assert after.loc["intern", "allowed"] and not after.loc["operator", "allowed"]
    assert "only intern may switch" in wizard.status.value
    assert can_assume(fresh_sandbox, "intern") and not can_assume(fresh_sandbox, "operator")
    assert can_assume(fresh_sandbox, "operator", "arn:aws:iam::123456781234:role/billing")


def test_a_second_run_plans_nothing(wizard):
    wizard.role_arn.value = ROLE_ARN
    wizard.load_button.click()
    wizard.next_button.click()
    wizard.next_button.click()
    wizard.confirm.value = True
    wizard.apply_button.click()
    again = WhoMaySwitchWizard(wizard.source.session, role_arn=ROLE_ARN)
    assert not again.who.empty  # role_arn= loads at once
    again.next_button.click()
    again.next_button.click()
    assert again.plan is not None and again.plan.is_noop
    assert "Nothing to change" in again.plan_table.value
    assert again.apply_button.disabled and again.confirm.layout.display == "none"


def test_an_error_is_shown_with_its_fix(fresh_sandbox):
    wizard = WhoMaySwitchWizard(fresh_sandbox.session("source", "intern"), role_arn=ROLE_ARN)
    wizard.next_button.click()
    wizard.next_button.click()
    assert wizard.step_key == "review"
    wizard.confirm.value = True
    wizard.apply_button.click()  # intern may read IAM but not write it
    assert wizard.step_key == "review"
    assert "AccessDenied" in wizard.error_text or "not authorized" in wizard.error_text
