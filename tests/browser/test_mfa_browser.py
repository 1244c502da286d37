"""MFA and panels that stay true, in a real browser (issue 20, items 1 and 5): the Voila app's
switch wizard into a role that requires MFA, typing only the code, then Back.

Screenshots go to ``test-artifacts/`` (voila-mfa-*.png).
"""

from __future__ import annotations

import pytest
from helpers import make_role

pytestmark = pytest.mark.browser

TARGET = "123456781234"


def _mfa_role(sandbox) -> None:
    make_role(sandbox, require_mfa=True, policy_arns=())


def test_the_code_alone_switches_into_an_mfa_role_in_the_voila_app(
    fresh_sandbox, voila_app, browser_page, wizard_ui
):
    _mfa_role(fresh_sandbox)
    serial = fresh_sandbox.principal("source", "operator")["mfa_serial"]
    page = browser_page
    page.goto(voila_app.base_url + "/")
    ui = wizard_ui(page, "xacct-switch-wizard")
    ui.at("B1")
    ui.next("B2-B4")
    ui.type("xacct-account", TARGET)
    ui.type("xacct-role", "cross-account")
    device = ui.control("xacct-mfa-device", "select")
    ui.expect(device).to_have_value(serial)  # listed for the operator: nothing to type
    ui.expect(ui.control("xacct-mfa-serial")).to_be_hidden()
    ui.type("xacct-mfa-code", fresh_sandbox.MFA_CODE)
    ui.expect(ui.part("xacct-next")).to_be_enabled()  # the code alone enables Check
    ui.expect(ui.part("xacct-mfa-note")).to_be_hidden()
    ui.screenshot("voila-mfa-form.png")
    ui.next("B5", label="Check")
    ui.click("xacct-switch", to="B6-B7")
    ui.expect(ui.part("xacct-active-badge")).to_contain_text("cross-account")
    ui.expect(ui.part("xacct-help")).to_contain_text("currently active")
    ui.screenshot("voila-mfa-active.png")
    ui.click("xacct-back-to-user")
    ui.expect(ui.part("xacct-active-badge")).to_contain_text("no role active")
    ui.expect(ui.part("xacct-help")).to_contain_text("No role is active now")
    ui.expect(ui.part("xacct-help")).not_to_contain_text("now shows as currently active")
    ui.screenshot("voila-mfa-back.png")
    ui.part("xacct-back").click()  # to the form: the code was used once and is gone
    ui.at("B5")
    ui.part("xacct-back").click()
    ui.at("B2-B4")
    ui.expect(ui.control("xacct-mfa-code")).to_have_value("")
    assert "Traceback" not in page.locator("body").inner_text()
    assert not page.page_errors, page.page_errors
