"""The Voila onboarding app (``xacct app``): both wizards on one page, no code, driven in
headless Chromium; the role is created and switched into for real in the sandbox."""

from __future__ import annotations

import re
import signal
import time

import pytest

import xacct_widgets as xw
from xacct_widgets.core.switch import RoleHistory

pytestmark = pytest.mark.browser

SOURCE = "987654329876"
TARGET = "123456781234"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
BLUE = "99BCE3"


def test_voila_onboarding_app(voila_app, browser_page, wizard_ui, sandbox):
    # Part B switches into `cross-account`: make sure it exists as the tutorial makes it,
    # whatever earlier tests did to it (this set-up may take their changes away).
    xw.TargetAccount(sandbox.session("target", "admin")).apply(
        xw.RoleSpec(name="cross-account", trusted_account=SOURCE, managed_policy_arns=[READ_ONLY]),
        allow_destructive=True,
    )
    page = browser_page
    started = time.monotonic()
    page.goto(voila_app.base_url + "/")  # once: every GET of / runs the notebook in a new kernel
    create = wizard_ui(page, "xacct-create-wizard")
    switch = wizard_ui(page, "xacct-switch-wizard")
    who = wizard_ui(page, "xacct-who-wizard")  # part 3: who may switch (its own test file)
    create.at("A1")
    switch.at("B1")
    who.at("who")
    voila_app.timings["page to wizards"] = time.monotonic() - started

    # Only the outputs: no code cell, no editor, no source text anywhere on the page.
    code = page.locator(
        ".jp-CodeCell .jp-InputArea, .jp-InputArea-editor, .jp-InputPrompt, .cm-editor, "
        ".CodeMirror, .highlight"
    )
    assert code.filter(visible=True).count() == 0
    body = page.locator("body").inner_text()
    assert "import xacct_widgets" not in body and "xw.CreateRoleWizard" not in body
    assert "Cross-account access: onboarding" in body  # the markdown is shown
    assert "Loading widget" not in body and "Traceback" not in body

    # Part A, minimal: name, trusted account, ReadOnlyAccess, review, apply.
    create.next("A2")
    create.type("xacct-role-name", "app-role")
    create.next("A3")
    create.next("A4")
    create.type("xacct-trusted-account", SOURCE)
    create.next("A5")
    create.type("xacct-policy-search", "ReadOnlyAccess")
    label = re.compile(r"(?<![A-Za-z0-9])ReadOnlyAccess\s\(AWS\)")
    box = create.root.locator(".xacct-policy-check", has_text=label).locator("input")
    box.check()
    create.expect(box).to_be_checked()
    create.next("A6", label="Review")
    actions = [(row[1], row[2]) for row in create.rows("xacct-plan-table")]
    assert ("create role", "app-role") in actions, actions
    create.click("xacct-apply", to="A7")
    assert create.rows("xacct-trust-table")[0][:2] == ["AWS account", SOURCE]
    create.expect(create.control("xacct-switch-url", "textarea")).to_have_value(
        f"https://signin.aws.amazon.com/switchrole?roleName=app-role&account={TARGET}"
    )
    create.screenshot("voila-create-role-A7.png")

    # Part B, minimal: type the role, check, switch; the badge takes the chosen colour.
    switch.next("B2-B4")
    switch.type("xacct-account", TARGET)
    switch.type("xacct-role", "cross-account")
    switch.type("xacct-display-name", "app")
    switch.control("xacct-color", "select").select_option(label=f"Blue ({BLUE})")
    switch.next("B5", label="Check")
    switch.click("xacct-switch", to="B6-B7")
    badge = switch.root.locator(".xacct-active-badge .xacct-badge-box")
    switch.expect(badge).to_contain_text("Currently active")
    switch.expect(badge).to_have_attribute("data-color", BLUE)
    switch.expect(badge).to_have_css("background-color", "rgb(153, 188, 227)")
    switch.screenshot("voila-switch-role-B6-B7.png")
    # Voila scrolls inside its own container, so a "full page" shot needs a tall viewport.
    height = page.evaluate("() => document.querySelector('body').scrollHeight")
    tallest = max(
        [
            height,
            *page.evaluate("() => [...document.querySelectorAll('*')].map(e => e.scrollHeight)"),
        ]
    )
    page.set_viewport_size({"width": 1400, "height": min(int(tallest), 8000)})
    page.screenshot(path=str(create.screenshot_dir / "voila-app-page.png"))

    # Afterwards: the role is in the target account, and the switch is in the history.
    iam = sandbox.session("target", "admin").client("iam")
    attached = iam.list_attached_role_policies(RoleName="app-role")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [READ_ONLY]
    entries = {(e.account_id, e.role_name): e for e in RoleHistory(voila_app.history).entries()}
    assert entries[(TARGET, "cross-account")].color == BLUE
    assert "Traceback" not in page.locator("body").inner_text()
    assert not page.page_errors, page.page_errors

    # `xacct app` passes SIGTERM on to Voila and exits cleanly.
    voila_app.process.send_signal(signal.SIGTERM)
    assert voila_app.process.wait(timeout=30) in (0, -signal.SIGTERM)
