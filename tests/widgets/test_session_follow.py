"""Panels that stay true (issue 20, item 5): the bar, the switch wizard and its history follow
the switcher's one current session, whether a switch came from a widget or a notebook cell, and
keep no stale badge, error or help text; who-may-switch never shows an applied plan as pending."""

from __future__ import annotations

import gc

import pytest
from helpers import ROLE, ROLE_ARN, TARGET, make_role

from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.widgets import RoleSwitcherBar, SwitchRoleWizard
from xacct_widgets.widgets.switch_role_fields import H_NO_ROLE
from xacct_widgets.widgets.who_may_switch import WhoMaySwitchWizard


@pytest.fixture
def switcher(fresh_sandbox):
    make_role(fresh_sandbox)
    make_role(fresh_sandbox, "gone")
    return RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")


def test_a_switch_from_a_cell_reaches_the_bar_the_wizard_and_the_history(switcher):
    wizard = SwitchRoleWizard(switcher=switcher)
    bar = RoleSwitcherBar(switcher)
    wizard.go(4)  # the history step
    assert "No role switched to yet" in wizard.history_table.value
    switcher.switch(TARGET, ROLE, display_name="prod", color="B7CA9D")  # a notebook cell
    for badge in (bar.badge.value, wizard.badge.value):
        assert "background:#B7CA9D" in badge and "prod" in badge
    assert ROLE in wizard.history_table.value  # the history table refreshed by itself
    assert [label for label, _ in bar.history_select.options if ROLE in label]
    assert not bar.back_button.disabled
    switcher.back()  # a cell again
    assert "no role active" in wizard.badge.value
    assert "Signed in as" in bar.badge.value and bar.back_button.disabled


def test_a_refusal_in_the_bar_goes_once_a_switch_works(fresh_sandbox, switcher):
    switcher.switch(TARGET, "gone")
    switcher.back()
    fresh_sandbox.session("target", "admin").client("iam").detach_role_policy(
        RoleName="gone", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
    )
    fresh_sandbox.session("target", "admin").client("iam").delete_role(RoleName="gone")
    bar = RoleSwitcherBar(switcher)
    bar.select(TARGET, "gone")
    assert bar.do_switch() is False and "denied" in bar.error_text
    wizard = SwitchRoleWizard(switcher=switcher)
    wizard.next_button.click()
    wizard.account.value, wizard.role.value = TARGET, ROLE
    wizard.next_button.click()
    wizard.switch_button.click()  # another widget switches: the bar's red error is stale
    assert wizard.active.role_arn == ROLE_ARN
    assert bar.error_text == "" and bar.error.layout.display == "none"
    assert ROLE in bar.badge.value


def test_back_anywhere_leaves_no_currently_active_text(switcher):
    wizard = SwitchRoleWizard(switcher=switcher)
    wizard.next_button.click()
    wizard.account.value, wizard.role.value = TARGET, ROLE
    wizard.next_button.click()
    wizard.switch_button.click()
    assert wizard.step_key == "B6-B7" and "currently active" in wizard.help.value
    assert "Switched" in wizard.status.value
    switcher.back()  # from a cell, while the wizard shows B6-B7
    assert "currently active" not in wizard.help.value
    assert H_NO_ROLE in wizard.help.value
    assert "No role is active" in wizard.active_table.value
    assert wizard.back_to_user_button.disabled
    assert wizard.status.value == ""  # "Switched: you now act as ..." is no longer true
    wizard.go(3)  # entering the step again says the same
    assert H_NO_ROLE in wizard.help.value


def test_a_view_that_is_gone_does_not_stop_a_switch(switcher):
    RoleSwitcherBar(switcher)  # not kept: collected
    gc.collect()
    kept = RoleSwitcherBar(switcher)
    switcher.switch(TARGET, ROLE)
    assert ROLE in kept.badge.value


def test_back_after_apply_in_who_may_switch_shows_nothing_pending(fresh_sandbox):
    make_role(fresh_sandbox)
    wizard = WhoMaySwitchWizard(fresh_sandbox.session("source", "admin"), role_arn=ROLE_ARN)
    wizard.next_button.click()  # choose: operator is pre-ticked
    wizard.next_button.click()  # plan
    applied = wizard.plan
    assert wizard.step_key == "review" and not applied.is_noop
    wizard.confirm.value = True
    wizard.apply_button.click()
    assert wizard.step_key == "check", wizard.error_text
    wizard.back_button.click()  # back to the review: the applied plan is not pending any more
    assert wizard.step_key == "review"
    assert wizard.plan is not applied and wizard.plan.is_noop
    assert "Nothing to change" in wizard.status.value
    assert wizard.apply_button.disabled
