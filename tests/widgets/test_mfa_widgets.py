"""MFA first-class in the widgets (issue 20, item 1): every place a switch starts - the form,
the bar, the history and bookmarks - takes only the 6-digit code, against a sandbox role that
requires MFA; the code is used once and never stays in a widget."""

from __future__ import annotations

import json
import logging
import re

import pytest
from helpers import ROLE, ROLE_ARN, TARGET, make_role

from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.widgets import RoleSwitcherBar, SwitchRoleWizard

DENY_LISTING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "iam:ListMFADevices", "Resource": "*"}],
}


@pytest.fixture
def mfa_role(fresh_sandbox):
    return make_role(fresh_sandbox, require_mfa=True)


@pytest.fixture
def serial(fresh_sandbox):
    return fresh_sandbox.principal("source", "operator")["mfa_serial"]


@pytest.fixture
def operator(fresh_sandbox):
    return fresh_sandbox.session("source", "operator")


def deny_listing(sandbox) -> None:
    sandbox.session("source", "admin").client("iam").put_user_policy(
        UserName="operator", PolicyName="no-mfa-listing", PolicyDocument=json.dumps(DENY_LISTING)
    )


def to_form(wizard) -> None:
    wizard.next_button.click()
    assert wizard.step_key == "B2-B4", wizard.error_text
    wizard.account.value, wizard.role.value = TARGET, ROLE


def shown(control_box) -> bool:
    return control_box.layout.display != "none"


def with_history(sandbox, operator) -> RoleSwitcher:
    """A switcher whose history holds the MFA role (switched to once, then left)."""
    switcher = RoleSwitcher(operator, history=":memory:")
    switcher.switch(TARGET, ROLE, mfa_token=sandbox.MFA_CODE)
    switcher.back()
    return switcher


# -- the form -----------------------------------------------------------------------------------
def test_the_form_lists_the_device_and_the_code_alone_enables_check(
    fresh_sandbox, mfa_role, operator, serial, caplog
):
    wizard = SwitchRoleWizard(operator, history=":memory:")
    to_form(wizard)
    assert wizard.mfa_device.options == (serial,) and wizard.mfa_device.value == serial
    assert shown(wizard.fields["mfa_device"].box)
    assert not shown(wizard.fields["mfa_serial"].box)  # nothing to type: it is listed
    wizard.mfa_code.value = fresh_sandbox.MFA_CODE
    assert not wizard.next_button.disabled, wizard.mfa_note.value
    assert wizard.mfa_note.value == ""
    wizard.next_button.click()
    assert wizard.step_key == "B5"
    mfa = wizard.checks.set_index("check").loc["mfa"]
    assert mfa["ok"] is not False and serial in mfa["detail"]
    with caplog.at_level(logging.DEBUG, logger="xacct_widgets"):
        wizard.switch_button.click()
    assert wizard.error_text == "", wizard.error_text
    assert wizard.active.mfa and wizard.active.role_arn == mfa_role
    assert wizard.mfa_code.value == ""  # used once, not kept
    assert not re.search(rf"\b{fresh_sandbox.MFA_CODE}\b", caplog.text)  # never logged


def test_the_form_asks_for_the_device_when_it_cannot_be_listed(
    fresh_sandbox, mfa_role, operator, serial
):
    deny_listing(fresh_sandbox)
    wizard = SwitchRoleWizard(operator, history=":memory:")
    to_form(wizard)
    assert not shown(wizard.fields["mfa_device"].box)
    assert shown(wizard.fields["mfa_serial"].box)
    wizard.mfa_code.value = fresh_sandbox.MFA_CODE
    assert wizard.next_button.disabled  # greyed, and it says why
    note = wizard.mfa_note.value
    assert "iam:ListMFADevices was refused" in note and "MFA device ARN" in note
    assert wizard.mfa_note.layout.display is None
    wizard.mfa_serial.value = serial
    assert not wizard.next_button.disabled and wizard.mfa_note.value == ""
    wizard.next_button.click()
    wizard.switch_button.click()
    assert wizard.error_text == "" and wizard.active.mfa


def test_a_typed_device_without_its_code_says_so(fresh_sandbox, mfa_role, operator, serial):
    wizard = SwitchRoleWizard(operator, history=":memory:")
    to_form(wizard)
    wizard.mfa_serial.value = serial
    assert wizard.next_button.disabled
    assert "without its code" in wizard.mfa_note.value


def test_the_forms_refusal_without_a_code_says_the_role_requires_mfa(mfa_role, operator):
    wizard = SwitchRoleWizard(operator, history=":memory:")
    to_form(wizard)
    wizard.next_button.click()
    wizard.switch_button.click()
    text = wizard.error_text
    assert "This role most likely requires MFA" in text and "6-digit code" in text
    assert "Unknown:" not in text
    assert wizard.active is None


# -- the bar ------------------------------------------------------------------------------------
def test_the_bar_takes_the_code(fresh_sandbox, mfa_role, operator):
    bar = RoleSwitcherBar(with_history(fresh_sandbox, operator))
    assert "xacct-bar-mfa-code" in bar.mfa_code._dom_classes
    bar.select(TARGET, ROLE)
    assert bar.do_switch() is False
    assert "This role most likely requires MFA" in bar.error_text
    bar.mfa_code.value = "000000"
    assert bar.do_switch() is False
    assert "AWS rejected the MFA code" in bar.error_text
    assert bar.mfa_code.value == ""  # cleared after a failed switch too
    bar.mfa_code.value = fresh_sandbox.MFA_CODE
    bar.switch_button.click()
    assert bar.error_text == "", bar.error_text
    assert bar.active.mfa and bar.active.role_arn == ROLE_ARN
    assert bar.mfa_code.value == "" and "Switched to" in bar.status.value


def test_the_bar_asks_for_the_device_when_it_cannot_be_listed(
    fresh_sandbox, mfa_role, operator, serial
):
    switcher = with_history(fresh_sandbox, operator)
    deny_listing(fresh_sandbox)
    bar = RoleSwitcherBar(switcher)
    assert bar.mfa.serial.layout.display == "none"
    bar.select(TARGET, ROLE)
    bar.mfa_code.value = fresh_sandbox.MFA_CODE
    assert bar.do_switch() is False
    assert "could not be chosen for you" in bar.error_text
    assert "iam:ListMFADevices was refused" in bar.error_text
    assert bar.mfa.serial.layout.display is None and bar.mfa_code.value == ""
    bar.mfa.serial.value = serial
    bar.mfa_code.value = fresh_sandbox.MFA_CODE
    assert bar.do_switch() is True, bar.error_text
    assert bar.active.mfa


# -- history and bookmarks ----------------------------------------------------------------------
def test_history_and_bookmarks_take_the_code(fresh_sandbox, mfa_role, operator):
    switcher = with_history(fresh_sandbox, operator)
    switcher.history.bookmark(TARGET, ROLE)
    wizard = SwitchRoleWizard(switcher=switcher)
    wizard.select(TARGET, ROLE)
    assert wizard.selected_entry.bookmarked
    step = wizard.history_step
    assert wizard.do_history_switch() is False
    assert "This role most likely requires MFA" in wizard.error_text
    step.mfa.code.value = fresh_sandbox.MFA_CODE
    assert "xacct-history-mfa-code" in step.mfa.code._dom_classes
    assert wizard.do_history_switch() is True, wizard.error_text
    assert wizard.active.mfa and step.mfa.code.value == ""
