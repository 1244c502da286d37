""" "Open the console as <role>": the bar's, the switch wizard's and the export panel's console
button, against the sandbox's federation endpoint. By default a click shows a sign-in link that
the operator's browser opens (issue 20, item 4: never ``webbrowser.open`` in the kernel), removed
after a while, at a refresh or a session change; with ``opener=`` the URL reaches the opener
and nothing else."""

from __future__ import annotations

import html
import json
import re
import time
import webbrowser
from urllib.parse import parse_qs, urlsplit

import ipywidgets as w
import pytest
from helpers import ROLE, ROLE_ARN, TARGET, assert_no_secrets, make_role, walk

from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.errors import InvalidInput
from xacct_widgets.widgets import RoleSwitcherBar, SwitchRoleWizard
from xacct_widgets.widgets.console_button import (
    LINK_CSS,
    LINK_SECONDS,
    NO_BROWSER_HELP,
    link_seconds_default,
)
from xacct_widgets.widgets.role_exports import RoleExportPanel

URL = (
    "https://signin.aws.amazon.com/switchrole?roleName=cross-account&account=123456781234"
    "&displayName=prod&color=B7CA9D"
)


class Opener:
    """Stands in for ``webbrowser.open``: keeps the URLs it was given, answers ``works``."""

    def __init__(self, works: bool = True) -> None:
        self.urls: list[str] = []
        self.works = works

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        return self.works

    @property
    def token(self) -> str:
        (url,) = self.urls
        return parse_qs(urlsplit(url).query)["SigninToken"][0]


@pytest.fixture
def switcher(fresh_sandbox):
    make_role(fresh_sandbox)
    return RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")


def all_widgets(*roots):
    """Every widget under ``roots`` (children, step bodies) and every live widget model."""
    found = {}
    for root in roots:
        for body in [root, *(step.body for step in getattr(root, "steps", ()))]:
            for node in walk(body):
                found[node.model_id] = node
    found.update(w.widgets.widget._instances)
    return list(found.values())


def assert_no_sign_in_token(token, *roots, texts=()):
    """No widget's state (what a front end gets and a notebook saves) holds the sign-in URL."""
    assert token and len(token) > 16
    for node in all_widgets(*roots):
        state = json.dumps(node.get_state(), default=str)
        assert token not in state, f"{type(node).__name__} holds the sign-in token"
        assert "SigninToken=" not in state, f"{type(node).__name__} holds a sign-in URL"
    for root in roots:
        shown = repr(root) + str(root._repr_mimebundle_())
        assert token not in shown and "SigninToken=" not in shown
    for text in texts:
        assert token not in text and "SigninToken=" not in text


@pytest.fixture
def browser_calls(monkeypatch):
    """Every ``webbrowser.open`` call made in the kernel (none should be, by default)."""
    calls: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: calls.append(url) or True)
    return calls


def shown_link(panel) -> str:
    """The sign-in URL of the link in ``panel``'s status line (what the browser opens)."""
    (href,) = re.findall(rf'<a class="{LINK_CSS}" href="([^"]+)"', panel.status.value)
    assert 'target="_blank" rel="noopener noreferrer"' in panel.status.value
    return html.unescape(href)


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["SigninToken"][0]


def test_bar_shows_a_sign_in_link_opened_by_the_browser(
    fresh_sandbox, switcher, browser_calls, caplog, capsys
):
    bar = RoleSwitcherBar(switcher)
    assert bar.console_button.layout.display == "none" and bar.console_button.disabled
    assert bar.do_console() is False and LINK_CSS not in bar.status.value
    switcher.switch(TARGET, ROLE, display_name="prod", color="Green")
    bar.refresh()
    assert bar.console_button.layout.display is None and not bar.console_button.disabled
    assert bar.console_button.description == "Get console link as prod"
    assert "xacct-console-button" in bar.console_button._dom_classes
    assert LINK_CSS not in bar.status.value  # made only when asked

    bar.console_button.click()
    assert bar.error_text == "", bar.error_text
    url = shown_link(bar)
    parts = urlsplit(url)
    assert parts.netloc == urlsplit(fresh_sandbox.endpoint_url).netloc  # the sandbox's
    assert parse_qs(parts.query)["Action"] == ["login"]
    assert "Open the console as prod" in bar.status.value
    assert browser_calls == []  # nothing opened on the kernel's machine
    assert bar.console.link_shown and bar.console.link_seconds == LINK_SECONDS
    token = token_of(url)
    out, err = capsys.readouterr()
    for text in (caplog.text, out, err, repr(bar)):
        assert token not in text and "SigninToken=" not in text

    bar.console.expire()  # what the timer does
    assert not bar.console.link_shown and bar.status.value == ""
    assert_no_sign_in_token(token, bar)
    assert_no_secrets(bar)

    switcher.back()
    bar.refresh()
    assert bar.console_button.layout.display == "none" and bar.console_button.disabled


def test_the_link_is_removed_after_its_time(switcher, browser_calls):
    bar = RoleSwitcherBar(switcher)
    bar.console.link_seconds = 0.3
    switcher.switch(TARGET, ROLE, display_name="prod")
    bar.refresh()
    assert bar.do_console() is True
    token = token_of(shown_link(bar))
    deadline = time.monotonic() + 10
    while bar.console.link_shown and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not bar.console.link_shown
    assert_no_sign_in_token(token, bar)
    assert browser_calls == []


def test_the_link_goes_at_another_action_or_a_session_change(switcher, browser_calls):
    bar = RoleSwitcherBar(switcher)
    switcher.switch(TARGET, ROLE, display_name="prod")
    bar.refresh()
    assert bar.do_console()
    first = token_of(shown_link(bar))
    bar.refresh()  # a redraw of the same session keeps it
    assert bar.console.link_shown
    bar.select(TARGET, ROLE)
    assert bar.do_switch()  # another action: its status replaces the link
    assert not bar.console.link_shown
    assert bar.do_console()
    second = token_of(shown_link(bar))
    switcher.back()  # from a code cell: the bar follows, the link for that role goes
    assert not bar.console.link_shown
    assert_no_sign_in_token(first, bar)
    assert_no_sign_in_token(second, bar)
    assert_no_secrets(bar)
    assert browser_calls == []


def test_label_follows_a_switch_from_the_bar(switcher):
    switcher.history.record(TARGET, ROLE, "prod", "Green")
    bar = RoleSwitcherBar(switcher)
    bar.select(TARGET, ROLE)
    assert bar.do_switch()
    assert bar.console_button.description == "Get console link as prod"
    assert not bar.console_button.disabled


def test_an_opener_still_opens_in_the_kernel_and_says_when_it_cannot(switcher):
    opener = Opener(works=False)
    bar = RoleSwitcherBar(switcher, opener=opener)
    switcher.switch(TARGET, ROLE)
    bar.refresh()
    assert bar.console_button.description == f"Get console link as {ROLE} @ {TARGET}"
    assert bar.do_console() is False
    text = bar.status.value
    assert "was not opened" in text and "without <code>opener=</code>" in text
    assert "Console opened" not in text and bar.error_text == "" and LINK_CSS not in text
    assert NO_BROWSER_HELP.split("<code>")[0] in text
    assert_no_sign_in_token(opener.token, bar)
    bar.console.opener = Opener()
    assert bar.do_console() is True and "Console opened as" in bar.status.value


def test_wizard_console_button_after_the_switch(fresh_sandbox, switcher, browser_calls):
    wizard = SwitchRoleWizard(switcher=switcher)
    bar = RoleSwitcherBar(switcher)
    assert wizard.console_button.layout.display == "none"
    wizard.next_button.click()
    wizard.url.value = URL
    wizard.next_button.click()
    wizard.switch_button.click()
    assert wizard.step_key == "B6-B7" and wizard.error_text == ""
    assert wizard.console_button in list(walk(wizard.body))  # on the "currently active" step
    assert wizard.console_button.description == "Get console link as prod"
    assert bar.console_button.description == "Get console link as prod"  # kept in sync
    wizard.console_button.click()
    assert wizard.error_text == ""
    url = shown_link(wizard)
    assert urlsplit(url).netloc == urlsplit(fresh_sandbox.endpoint_url).netloc
    assert not bar.console.link_shown  # only where it was asked for
    wizard.console.expire()
    wizard.next_button.click()
    assert wizard.step_key == "history"
    assert wizard.console_button in list(walk(wizard.body))  # and on the last step
    assert_no_sign_in_token(token_of(url), wizard, bar)
    assert_no_secrets(wizard, bar)
    wizard.go(3)
    wizard.back_to_user_button.click()
    assert wizard.console_button.layout.display == "none"
    assert bar.console_button.layout.display == "none"
    assert browser_calls == []


def test_console_errors_are_shown_with_the_fix(fresh_sandbox, switcher):
    """Credentials the federation endpoint refuses: an error with its fix, the opener untouched."""
    opener = Opener()
    bar = RoleSwitcherBar(switcher, opener=opener)
    switcher.switch(TARGET, ROLE, display_name="prod")
    bar.refresh()

    def refuse(_url):
        raise RuntimeError("browser crashed")

    bar.console.opener = refuse
    assert bar.do_console() is False
    assert "Something unexpected went wrong" in bar.error_text
    assert "Console opened" not in bar.status.value
    assert not bar.console_button.disabled  # busy state cleared
    assert switcher.active.role_arn == ROLE_ARN


def test_export_panel_console_tab(fresh_sandbox, switcher, tmp_path, browser_calls):
    panel = RoleExportPanel(switcher, aws_config=tmp_path / "config")
    bar = RoleSwitcherBar(switcher)
    assert panel.console_button.layout.display == "none"
    assert "No role is active" in panel.console_note.value
    switcher.history.record(TARGET, ROLE, "prod")
    bar.refresh()
    bar.select(TARGET, ROLE)
    assert bar.do_switch()  # the bar tells the panel
    assert panel.console_button.description == "Get console link as prod"
    assert panel.console_note.value == ""
    assert panel.do_console() is True
    url = shown_link(panel)
    assert urlsplit(url).netloc == urlsplit(fresh_sandbox.endpoint_url).netloc
    panel.console.expire()
    assert_no_sign_in_token(token_of(url), panel, bar)
    assert_no_secrets(panel)
    assert browser_calls == []


@pytest.mark.parametrize(("raw", "seconds"), [("", 60.0), ("30", 30.0), (" 2.5 ", 2.5)])
def test_the_link_lifetime_follows_the_environment(monkeypatch, raw, seconds) -> None:
    monkeypatch.setenv("XACCT_CONSOLE_LINK_SECONDS", raw)
    assert link_seconds_default() == seconds


@pytest.mark.parametrize("raw", ["soon", "0", "-5", "3600"])
def test_a_bad_link_lifetime_is_refused_by_name(monkeypatch, raw) -> None:
    monkeypatch.setenv("XACCT_CONSOLE_LINK_SECONDS", raw)
    with pytest.raises(InvalidInput, match="XACCT_CONSOLE_LINK_SECONDS"):
        link_seconds_default()
