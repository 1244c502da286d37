"""Editing an existing role in real JupyterLab (notebook 01), as an operator would, by clicks.

After Run All the code cells have made ``cross-account`` (ReadOnlyAccess). Typing its name in the
wizard must load its settings into every step; ticking SecurityAudit and unticking ReadOnlyAccess
must show the detach as a red row and keep Apply off until the confirmation is ticked; the copy
buttons must really put the ARN and the switch-role URL on the clipboard. Screenshots of each
step go to ``test-artifacts/create-role-edit-*.png``.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

SOURCE = "987654329876"
ROLE = "cross-account"
ARN = f"arn:aws:iam::123456781234:role/{ROLE}"
URL = f"https://signin.aws.amazon.com/switchrole?roleName={ROLE}&account=123456781234"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SECURITY_AUDIT = "arn:aws:iam::aws:policy/SecurityAudit"


def policy_box(ui, name):
    """The checkbox of managed policy ``name`` (ipywidgets writes labels with &nbsp;: \\s)."""
    label = re.compile(rf"(?<![A-Za-z0-9]){name}\s\(AWS\)")
    row = ui.root.locator(".xacct-policy-check", has_text=label)
    return row.locator("input[type=checkbox]")


def test_edit_existing_role_in_notebook_01(notebook_ui, wizard_ui, sandbox):
    nb = notebook_ui.open("01_create_role_in_target.ipynb").run_all()
    nb.assert_clean()
    page = nb.page
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=notebook_ui.server.base_url
    )
    ui = wizard_ui(page, "xacct-create-wizard")
    ui.at("A1")
    ui.click("xacct-refresh-roles")
    assert ROLE in [row[0] for row in ui.rows("xacct-roles-table")]
    headers = ui.table("xacct-roles-table").locator("th")
    assert headers.first.evaluate("e => getComputedStyle(e).textAlign") == "left"
    ui.next("A2")

    # A2: the existing role's name loads its settings, and says so.
    ui.type("xacct-role-name", ROLE)
    ui.expect(ui.part("xacct-name-note")).to_contain_text("settings are loaded")
    ui.idle()
    ui.screenshot("create-role-edit-A2-loaded.png")
    ui.next("A3")
    ui.expect(ui.control("xacct-max-session", "select")).to_have_value(re.compile(r".+"))
    ui.next("A4")
    ui.expect(ui.control("xacct-trusted-account")).to_have_value(SOURCE)
    ui.next("A5")

    # A5: ReadOnlyAccess ticked already; a search never drops it; a click adds.
    ui.expect(policy_box(ui, "ReadOnlyAccess")).to_be_checked()
    ui.type("xacct-policy-search", "Security")
    ui.expect(policy_box(ui, "ReadOnlyAccess")).to_be_checked()
    first = ui.root.locator(".xacct-policy-check").first
    ui.expect(first).to_contain_text("ReadOnlyAccess")
    policy_box(ui, "SecurityAudit").check()
    ui.expect(policy_box(ui, "SecurityAudit")).to_be_checked()
    ui.expect(policy_box(ui, "ReadOnlyAccess")).to_be_checked()
    ui.expect(ui.part("xacct-policy-count")).to_contain_text("2 ticked")
    policy_box(ui, "ReadOnlyAccess").uncheck()  # the destructive change
    ui.expect(ui.part("xacct-policy-count")).to_contain_text("1 ticked")
    ui.screenshot("create-role-edit-A5-checkboxes.png")
    ui.next("A6", label="Review")

    # A6: the detach is a red row; Apply stays off until the confirmation is ticked.
    red = ui.root.locator(".xacct-plan-table tr.xacct-destructive")
    ui.expect(red).to_have_count(1)
    ui.expect(red).to_contain_text("detach policy")
    color = red.locator("td").first.evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(176, 0, 32)", color
    ui.expect(ui.part("xacct-plan-note")).to_contain_text("take(s) something away")
    apply = ui.part("xacct-apply")
    ui.expect(apply).to_be_disabled()
    ui.expect(ui.part("xacct-review-url")).to_contain_text(URL)
    confirm = ui.root.locator(".xacct-confirm-destructive input[type=checkbox]")
    ui.expect(confirm).to_be_visible()
    ui.screenshot("create-role-edit-A6-destructive.png")
    confirm.check()
    ui.expect(apply).to_be_enabled()
    iam = sandbox.session("target", "admin").client("iam")
    attached = iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [READ_ONLY]  # nothing written yet
    apply.click()
    ui.at("A7")
    ui.expect(ui.part("xacct-step-indicator")).to_contain_text("Role updated")

    # A7: the copy buttons put the ARN and the URL on the clipboard.
    arn_button = ui.root.locator(".xacct-arn-copy .xacct-copy-button")
    arn_button.click()
    ui.expect(arn_button).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == ARN
    url_button = ui.root.locator(".xacct-switch-url-copy .xacct-copy-button")
    url_button.click()
    ui.expect(url_button).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == URL
    box = ui.control("xacct-switch-url", "textarea")
    ui.expect(box).to_have_value(URL)
    ui.screenshot("create-role-edit-A7-copied.png")

    attached = iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [SECURITY_AUDIT]
    assert not page.page_errors, page.page_errors
