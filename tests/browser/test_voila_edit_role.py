"""Editing an existing role in the Voila app (``xacct app``), the page for operators who never
open a notebook: the role's settings load when its name is typed, taking a policy away is a red
row that needs a confirmation, and the copy buttons work there too."""

from __future__ import annotations

import re

import pytest

import xacct_widgets as xw

pytestmark = pytest.mark.browser

SOURCE = "987654329876"
ROLE = "cross-account"
ARN = f"arn:aws:iam::123456781234:role/{ROLE}"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SECURITY_AUDIT = "arn:aws:iam::aws:policy/SecurityAudit"


def policy_box(ui, name):
    """The checkbox of managed policy ``name`` (ipywidgets writes labels with &nbsp;: \\s)."""
    label = re.compile(rf"(?<![A-Za-z0-9]){name}\s\(AWS\)")
    return ui.root.locator(".xacct-policy-check", has_text=label).locator("input[type=checkbox]")


def tutorial_role(sandbox) -> xw.TargetAccount:
    """``cross-account`` as the tutorial makes it (whatever earlier tests did to it)."""
    target = xw.TargetAccount(sandbox.session("target", "admin"))
    spec = xw.RoleSpec(name=ROLE, trusted_account=SOURCE, managed_policy_arns=[READ_ONLY])
    target.apply(spec, allow_destructive=True)
    return target


def test_edit_existing_role_in_the_voila_app(voila_app, browser_page, wizard_ui, sandbox):
    target = tutorial_role(sandbox)
    page = browser_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=voila_app.base_url)
    page.goto(voila_app.base_url + "/")
    ui = wizard_ui(page, "xacct-create-wizard")
    ui.at("A1")
    ui.next("A2")

    ui.type("xacct-role-name", ROLE)
    ui.expect(ui.part("xacct-name-note")).to_contain_text("settings are loaded")
    ui.next("A3")
    ui.next("A4")
    ui.expect(ui.control("xacct-trusted-account")).to_have_value(SOURCE)
    ui.next("A5")
    ui.expect(policy_box(ui, "ReadOnlyAccess")).to_be_checked()
    ui.type("xacct-policy-search", "Security")
    policy_box(ui, "SecurityAudit").check()
    policy_box(ui, "ReadOnlyAccess").uncheck()
    ui.next("A6", label="Review")

    red = ui.root.locator(".xacct-plan-table tr.xacct-destructive")
    ui.expect(red).to_have_count(1)
    ui.expect(red).to_contain_text("detach policy")
    apply = ui.part("xacct-apply")
    ui.expect(apply).to_be_disabled()
    ui.screenshot("voila-edit-role-A6-destructive.png")
    assert target.role(ROLE).managed_policy_arns == (READ_ONLY,)  # nothing written yet
    ui.root.locator(".xacct-confirm-destructive input[type=checkbox]").check()
    ui.expect(apply).to_be_enabled()
    apply.click()
    ui.at("A7")
    ui.expect(ui.part("xacct-step-indicator")).to_contain_text("Role updated")

    button = ui.root.locator(".xacct-arn-copy .xacct-copy-button")
    button.click()
    ui.expect(button).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == ARN
    ui.screenshot("voila-edit-role-A7.png")
    assert target.role(ROLE).managed_policy_arns == (SECURITY_AUDIT,)
    assert not page.page_errors, page.page_errors
    tutorial_role(sandbox)  # leave it as the other tests expect
