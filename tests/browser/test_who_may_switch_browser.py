"""Who may switch, in a real browser: the Voila app's third part and notebook 02 in JupyterLab.

Driven by clicks: the table of who may switch now and why, the checkboxes, the plan with its
red (destructive) rows, the confirmation that Apply waits for, and the re-check. The effect is
then verified with real sts:AssumeRole attempts in the sandbox. Screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.browser

SOURCE = "987654329876"
TARGET = "123456781234"
ROLE_ARN = f"arn:aws:iam::{TARGET}:role/cross-account"


def _roles(sandbox) -> None:
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    iam = sandbox.session("target", "admin").client("iam")
    for name in ("cross-account", "billing"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)


def _can_assume(sandbox, user, role=ROLE_ARN) -> bool:
    try:
        sandbox.session("source", user).client("sts").assume_role(
            RoleArn=role, RoleSessionName="browser-check"
        )
    except ClientError:
        return False
    return True


def _walk(ui, page, prefix: str) -> None:
    """Who -> choose (intern instead of operator) -> review (red row, confirm) -> check."""
    ui.at("who")
    rows = {r[0]: r for r in ui.rows("xacct-who-table")}
    assert rows["operator"][2] == "✔" and rows["intern"][2] == "✘", rows
    assert "administrator policy" in rows["admin"][3]
    ui.screenshot(f"{prefix}-who-may-switch.png")
    ui.next("choose")
    operator = ui.root.locator(".xacct-who-choice", has_text="user operator").locator("input")
    intern = ui.root.locator(".xacct-who-choice", has_text="user intern").locator("input")
    ui.expect(operator).to_be_checked()
    operator.uncheck()
    intern.check()
    ui.next("review", label="Plan")
    red = ui.root.locator(".xacct-restrict-plan tr.xacct-destructive")
    ui.expect(red.first).to_be_visible()
    assert "allow-switch-role" in red.first.inner_text()
    assert red.first.evaluate("e => getComputedStyle(e.cells[0]).backgroundColor") == (
        "rgb(253, 236, 238)"
    )
    ui.expect(ui.part("xacct-restrict-apply")).to_be_disabled()
    ui.screenshot(f"{prefix}-restrict-plan.png")
    ui.control("xacct-confirm-destructive").check()
    ui.click("xacct-restrict-apply", to="check")
    after = {r[0]: r for r in ui.rows("xacct-who-after")}
    assert after["intern"][2] == "✔" and after["operator"][2] == "✘", after
    ui.screenshot(f"{prefix}-who-after.png")
    assert "Traceback" not in page.locator("body").inner_text()


def test_who_may_switch_in_the_voila_app(fresh_sandbox, voila_app, browser_page, wizard_ui):
    _roles(fresh_sandbox)
    page = browser_page
    page.goto(voila_app.base_url + "/")
    ui = wizard_ui(page, "xacct-who-wizard")
    _walk(ui, page, "voila")
    assert _can_assume(fresh_sandbox, "intern") and not _can_assume(fresh_sandbox, "operator")
    billing = f"arn:aws:iam::{TARGET}:role/billing"
    assert _can_assume(fresh_sandbox, "operator", billing)  # other roles unchanged
    assert not page.page_errors, page.page_errors


def test_notebook_02_preflight_and_who_may_switch_in_lab(fresh_sandbox, notebook_ui, wizard_ui):
    _roles(fresh_sandbox)
    nb = notebook_ui.open("02_switch_role_from_source.ipynb").run_all()
    nb.assert_clean()
    page = nb.page

    # The readable preflight: check | ✔/✘/? | what it means | what to do; Python folded away.
    switch = wizard_ui(page, "xacct-switch-wizard")
    switch.at("B1")
    identity = switch.part("xacct-identity-table").inner_text()
    assert "user_id" not in identity and "None" not in identity
    switch.next("B2-B4")
    switch.type("xacct-account", TARGET)
    switch.type("xacct-role", "cross-account")
    switch.next("B5", label="Check")
    table = switch.part("xacct-preflight-table")
    headers = table.locator("table.xacct-preflight-checks th").all_inner_texts()
    assert headers == ["check", "result", "what it means", "what to do", "answered by"]
    assert "None" not in table.locator("table.xacct-preflight-checks").inner_text()
    admin = table.locator("details")
    switch.expect(admin.locator("table")).to_be_hidden()
    admin.locator("summary").click()
    switch.expect(admin.locator("table")).to_be_visible()
    switch.screenshot("lab-switch-role-B5-preflight.png")

    ui = wizard_ui(page, "xacct-who-wizard")
    ui.root.scroll_into_view_if_needed()
    _walk(ui, page, "lab")
    assert _can_assume(fresh_sandbox, "intern") and not _can_assume(fresh_sandbox, "operator")
