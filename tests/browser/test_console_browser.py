"""The tutorial's console part in headless Chromium, offline against the sandbox: the
switch-role link's pre-filled form, "Switch Role", the console showing the role and its colour;
and the federation sign-in URL of the active role opening the console as that role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import ROLE, SOURCE, TARGET, issued_secrets, make_role

from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.sandbox.seed import CONSOLE_PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
GREEN_RGB = "rgb(183, 202, 157)"  # B7CA9D


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def no_secrets(page) -> None:
    html = page.content()
    assert not [s[:4] for s in issued_secrets() if s in html]
    assert f"value='{CONSOLE_PASSWORD}'" not in html  # shown in the note, never a field's value
    assert f'value="{CONSOLE_PASSWORD}"' not in html


@pytest.fixture
def role(fresh_sandbox):
    return make_role(fresh_sandbox)


def test_switch_role_link_form_and_console(fresh_sandbox, role, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    base = fresh_sandbox.endpoint_url
    page.goto(f"{base}/switchrole?roleName={ROLE}&account={TARGET}&displayName=prod&color=B7CA9D")
    # Not signed in yet: the sign-in form, which comes back to the link afterwards.
    page.fill("#account", SOURCE)
    page.fill("#username", "operator")
    page.fill("#password", CONSOLE_PASSWORD)
    page.fill("#mfa", fresh_sandbox.MFA_CODE)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Switch Role")).to_be_visible()
    expect(page.locator("#account")).to_have_value(TARGET)
    expect(page.locator("#roleName")).to_have_value(ROLE)
    expect(page.locator("#displayName")).to_have_value("prod")
    expect(page.locator("input[name=color][value=B7CA9D]")).to_be_checked()
    shot(page, "console-switchrole-form.png")

    page.get_by_role("button", name="Switch Role").click()
    expect(page).to_have_url(re.compile(r"/console$"))
    banner = page.locator(".xacct-console-banner")
    expect(banner).to_have_text("prod @ 1234-5678-1234")
    expect(banner).to_have_css("background-color", GREEN_RGB)
    expect(page.locator(".xacct-console-role")).to_have_text(ROLE)
    expect(page.locator(".xacct-console-display-name")).to_have_text("prod")
    expect(page.locator(".xacct-console-color")).to_contain_text("Green")
    expect(page.locator(".xacct-console-arn")).to_have_text(
        f"arn:aws:sts::{TARGET}:assumed-role/{ROLE}/operator"
    )
    expect(page.get_by_role("button", name="Back to operator")).to_be_visible()
    shot(page, "console-switched.png")
    no_secrets(page)

    page.get_by_role("button", name="Back to operator").click()
    expect(banner).to_have_text("operator @ 9876-5432-9876")
    expect(page.locator(".xacct-console-history")).to_contain_text("prod")


def test_sign_in_url_opens_the_console_as_the_active_role(fresh_sandbox, role, browser_page):
    from playwright.sync_api import expect

    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    switcher.switch(TARGET, ROLE, display_name="prod", color="Green")
    opened: list[str] = []
    switcher.open_console(opener=opened.append)  # what the widget's button does
    page = browser_page
    page.goto(opened[0])
    expect(page).to_have_url(re.compile(r"/console$"))  # the token is gone from the address
    expect(page.locator(".xacct-console-role")).to_have_text(ROLE)
    expect(page.locator(".xacct-console-account")).to_have_text("1234-5678-1234")
    expect(page.locator(".xacct-console-arn")).to_have_text(
        f"arn:aws:sts::{TARGET}:assumed-role/{ROLE}/operator"
    )
    shot(page, "console-sign-in.png")
    no_secrets(page)
    cookies = page.context.cookies()
    assert [c["httpOnly"] for c in cookies if c["name"] == "xacct-console"] == [True]
