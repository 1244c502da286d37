""" "Open the console as <role>": the bar's and the switch wizard's console button, against the
sandbox's federation endpoint; the sign-in URL reaches the opener and nothing else."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import ipywidgets as w
import pytest
from helpers import ROLE, ROLE_ARN, TARGET, assert_no_secrets, make_role, walk

from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.widgets import RoleSwitcherBar, SwitchRoleWizard
from xacct_widgets.widgets.console_button import NO_BROWSER_HELP
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


def test_bar_console_button_follows_the_active_role(fresh_sandbox, switcher, caplog, capsys):
    opener = Opener()
    bar = RoleSwitcherBar(switcher, opener=opener)
    assert bar.console_button.layout.display == "none" and bar.console_button.disabled
    assert bar.do_console() is False and opener.urls == []
    switcher.switch(TARGET, ROLE, display_name="prod", color="Green")
    bar.refresh()
    assert bar.console_button.layout.display is None and not bar.console_button.disabled
    assert bar.console_button.description == "Open the console as prod"
    assert "xacct-console-button" in bar.console_button._dom_classes

    bar.console_button.click()
    assert bar.error_text == "", bar.error_text
    (url,) = opener.urls
    parts = urlsplit(url)
    assert parts.netloc == urlsplit(fresh_sandbox.endpoint_url).netloc  # the sandbox's
    assert parse_qs(parts.query)["Action"] == ["login"]
    assert "Console opened as prod." in bar.status.value
    out, err = capsys.readouterr()
    assert_no_sign_in_token(opener.token, bar, texts=[caplog.text, out, err])
    assert_no_secrets(bar)

    switcher.back()
    bar.refresh()
    assert bar.console_button.layout.display == "none" and bar.console_button.disabled


def test_label_follows_a_switch_from_the_bar(switcher):
    switcher.history.record(TARGET, ROLE, "prod", "Green")
    bar = RoleSwitcherBar(switcher, opener=Opener())
    bar.select(TARGET, ROLE)
    assert bar.do_switch()
    assert bar.console_button.description == "Open the console as prod"
    assert not bar.console_button.disabled


def test_no_browser_says_how_to_open_it_elsewhere(switcher):
    opener = Opener(works=False)
    bar = RoleSwitcherBar(switcher, opener=opener)
    switcher.switch(TARGET, ROLE)
    bar.refresh()
    assert bar.console_button.description == f"Open the console as {ROLE} @ {TARGET}"
    assert bar.do_console() is False
    text = bar.status.value
    assert "was not opened" in text and "webbrowser.open(str(switcher.console_sign_in_url()))" in (
        text
    )
    assert "Console opened" not in text and bar.error_text == ""
    assert NO_BROWSER_HELP.split("<code>")[0] in text
    assert_no_sign_in_token(opener.token, bar)


def test_wizard_console_button_after_the_switch(fresh_sandbox, switcher):
    opener = Opener()
    wizard = SwitchRoleWizard(switcher=switcher, opener=opener)
    bar = RoleSwitcherBar(switcher, opener=Opener())
    assert wizard.console_button.layout.display == "none"
    wizard.next_button.click()
    wizard.url.value = URL
    wizard.next_button.click()
    wizard.switch_button.click()
    assert wizard.step_key == "B6-B7" and wizard.error_text == ""
    assert wizard.console_button in list(walk(wizard.body))  # on the "currently active" step
    assert wizard.console_button.description == "Open the console as prod"
    assert bar.console_button.description == "Open the console as prod"  # kept in sync
    wizard.console_button.click()
    assert wizard.error_text == ""
    assert "Console opened as prod." in wizard.status.value
    assert urlsplit(opener.urls[0]).netloc == urlsplit(fresh_sandbox.endpoint_url).netloc
    wizard.next_button.click()
    assert wizard.step_key == "history"
    assert wizard.console_button in list(walk(wizard.body))  # and on the last step
    assert_no_sign_in_token(opener.token, wizard, bar)
    assert_no_secrets(wizard, bar)
    wizard.go(3)
    wizard.back_to_user_button.click()
    assert wizard.console_button.layout.display == "none"
    assert bar.console_button.layout.display == "none"


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


def test_export_panel_console_tab(fresh_sandbox, switcher, tmp_path):
    opener = Opener()
    panel = RoleExportPanel(switcher, aws_config=tmp_path / "config", opener=opener)
    bar = RoleSwitcherBar(switcher, opener=Opener())
    assert panel.console_button.layout.display == "none"
    assert "No role is active" in panel.console_note.value
    switcher.history.record(TARGET, ROLE, "prod")
    bar.refresh()
    bar.select(TARGET, ROLE)
    assert bar.do_switch()  # the bar tells the panel
    assert panel.console_button.description == "Open the console as prod"
    assert panel.console_note.value == ""
    assert panel.do_console() is True
    assert "Console opened as prod." in panel.status.value
    assert urlsplit(opener.urls[0]).netloc == urlsplit(fresh_sandbox.endpoint_url).netloc
    assert_no_sign_in_token(opener.token, panel, bar)
    assert_no_secrets(panel)
