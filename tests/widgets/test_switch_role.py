"""Part B as widgets: SwitchRoleWizard and RoleSwitcherBar from Python, real sandbox calls."""

from __future__ import annotations

import logging

import pytest
from helpers import ROLE, ROLE_ARN, SOURCE, TARGET, assert_no_secrets, css_classes, make_role

from xacct_widgets.core.identity import identity_of
from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.widgets import RoleSwitcherBar, SwitchRoleWizard
from xacct_widgets.widgets.switch_role import ROOT_REASON

URL = (
    "https://signin.aws.amazon.com/switchrole?roleName=cross-account&account=123456781234"
    "&displayName=prod&color=B7CA9D"
)


@pytest.fixture
def role(fresh_sandbox):
    return make_role(fresh_sandbox)


@pytest.fixture
def operator(fresh_sandbox):
    return fresh_sandbox.session("source", "operator")


@pytest.fixture
def wizard(role, operator):
    return SwitchRoleWizard(operator, history=":memory:")


def to_form(wizard):
    assert wizard.step_key == "B1" and not wizard.next_button.disabled
    assert wizard.go_next() is True or wizard.step_key == "B2-B4"
    wizard.next_button.click() if wizard.step_key == "B1" else None
    assert wizard.step_key == "B2-B4"


# -- B1 -----------------------------------------------------------------------------------------
def test_who_am_i_shows_the_user(wizard):
    assert repr(wizard) == (
        "SwitchRoleWizard(step 1 of 5: Who am I — arn:aws:iam::987654329876:user/operator)"
    )
    assert wizard._repr_mimebundle_()["text/plain"] == repr(wizard)
    assert wizard.identity.name == "operator"
    assert (
        "operator" in wizard.identity_table.value and "xacct-table" in wizard.identity_table.value
    )
    assert list(wizard.frame.columns)[:2] == ["account_id", "role_name"]  # history table
    assert wizard.error_text == ""
    assert "Step 1 of 5 — Who am I" in wizard.indicator.value
    assert wizard.back_button.disabled and not wizard.next_button.disabled
    assert wizard.badge.value.count("no role active") == 1


def test_root_is_refused_with_the_console_reason(fresh_sandbox):
    wizard = SwitchRoleWizard(fresh_sandbox.session("source", "root"), history=":memory:")
    assert ROOT_REASON in wizard.error_text
    assert "the root user cannot switch roles; sign in as an IAM user" in wizard.error_text
    assert "Traceback" not in wizard.error.value
    assert wizard.next_button.disabled
    assert wizard.go_next() is False and wizard.step == 0
    assert repr(wizard).endswith("arn:aws:iam::987654329876:root)")


# -- B2-B5 --------------------------------------------------------------------------------------
def test_switch_from_a_pasted_url(fresh_sandbox, wizard):
    wizard.next_button.click()
    assert wizard.step_key == "B2-B4" and wizard.next_button.disabled  # empty form
    wizard.url.value = URL
    assert (wizard.account.value, wizard.role.value) == (TARGET, ROLE)
    assert (wizard.display_name.value, wizard.color.value) == ("prod", "B7CA9D")
    assert not wizard.next_button.disabled
    wizard.next_button.click()
    assert wizard.step_key == "B5", wizard.error_text
    checks = wizard.checks
    assert list(checks.columns) == ["check", "ok", "detail", "fix"]
    assert checks.set_index("check").loc["identity policy allows sts:AssumeRole", "ok"] is True
    assert "xacct-table" in wizard.preflight_table.value
    assert "No problem found" in wizard.verdict.value
    assert wizard.frame.empty  # nothing switched yet
    wizard.switch_button.click()
    assert wizard.error_text == ""
    assert wizard.step_key == "B6-B7"
    active = wizard.active
    assert active.role_arn == ROLE_ARN and active.display_name == "prod"
    assert identity_of(wizard.switcher.session).account_id == TARGET
    badge = wizard.badge.value
    assert "background:#B7CA9D" in badge and "prod" in badge and TARGET in badge
    assert ROLE in badge and "expires" in badge
    assert "xacct-active-badge" in wizard.badge._dom_classes
    assert ROLE_ARN in wizard.active_table.value
    assert wizard.back_to_user_button.description == "Back to operator"
    assert repr(wizard).endswith(f"; active: prod = {ROLE_ARN})")
    history = wizard.frame
    assert history.loc[0, "role_name"] == ROLE and history.loc[0, "use_count"] == 1
    assert_no_secrets(wizard)


def test_switch_by_typing(wizard):
    wizard.next_button.click()
    wizard.account.value = "1234-5678-1234"
    wizard.role.value = ROLE
    wizard.display_name.value = "tenant 42 (read-only)"
    wizard.color.value = "99BCE3"
    assert all(not f.has_error for f in (wizard._account, wizard._role, wizard._display))
    wizard.next_button.click()
    wizard.switch_button.click()
    assert wizard.error_text == ""
    assert wizard.active.account_id == TARGET and wizard.active.color == "99BCE3"
    assert "background:#99BCE3" in wizard.badge.value
    assert wizard.frame.loc[0, "display_name"] == "tenant 42 (read-only)"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("account", "1234-5678", "Account ID '1234-5678' is invalid"),
        ("account", "my-prod-alias", "Account ID 'my-prod-alias' is invalid"),
        ("role", "cross account!", "Role name 'cross account!' is invalid"),
        ("external_id", "x", "External ID 'x' is invalid"),
        ("mfa_code", "12345", "MFA code '12345' is invalid"),
        ("url", "https://example.com/switchrole?roleName=a&account=1", "is invalid"),
        ("url", "https://signin.aws.amazon.com/switchrole?account=123456781234", "no roleName"),
    ],
)
def test_form_validates_as_you_type(wizard, field, value, expected):
    wizard.next_button.click()
    wizard.account.value, wizard.role.value = TARGET, ROLE
    assert not wizard.next_button.disabled
    getattr(wizard, field).value = value
    assert expected in wizard.field_error(field)
    assert wizard.fields[field].error.layout.display is None
    css = {"url": "xacct-url-input"}.get(field, f"xacct-{field.replace('_', '-')}")
    assert css in getattr(wizard, field)._dom_classes
    assert wizard.next_button.disabled
    assert wizard.go_next() is False and wizard.step_key == "B2-B4"


def test_mfa_serial_and_code_go_together(fresh_sandbox, wizard):
    wizard.next_button.click()
    wizard.account.value, wizard.role.value = TARGET, ROLE
    wizard.mfa_serial.value = fresh_sandbox.principal("source", "operator")["mfa_serial"]
    assert wizard.next_button.disabled  # no code yet
    wizard.mfa_code.value = "123456"
    assert not wizard.next_button.disabled


def test_mfa_role_needs_the_code_and_the_code_is_cleared(fresh_sandbox, operator):
    make_role(fresh_sandbox, require_mfa=True)
    wizard = SwitchRoleWizard(operator, history=":memory:")
    wizard.next_button.click()
    wizard.account.value, wizard.role.value = TARGET, ROLE
    wizard.next_button.click()
    wizard.switch_button.click()
    assert wizard.active is None and "denied" in wizard.error_text
    wizard.back_button.click()  # B5 -> form
    wizard.mfa_serial.value = fresh_sandbox.principal("source", "operator")["mfa_serial"]
    wizard.mfa_code.value = fresh_sandbox.MFA_CODE
    wizard.next_button.click()
    wizard.switch_button.click()
    assert wizard.error_text == "", wizard.error_text
    assert wizard.active.mfa
    assert wizard.mfa_code.value == ""  # one-time code not left in the form


def test_external_id_role(fresh_sandbox, operator):
    make_role(fresh_sandbox, external_id="tenant-42-secret-handshake")
    wizard = SwitchRoleWizard(operator, history=":memory:")
    wizard.next_button.click()
    wizard.account.value, wizard.role.value = TARGET, ROLE
    wizard.external_id.value = "tenant-42-secret-handshake"
    wizard.next_button.click()
    wizard.switch_button.click()
    assert wizard.error_text == "" and wizard.active is not None


def test_intern_is_denied_with_reasons(fresh_sandbox, role):
    wizard = SwitchRoleWizard(fresh_sandbox.session("source", "intern"), history=":memory:")
    assert wizard.identity.name == "intern"
    wizard.next_button.click()
    wizard.url.value = URL
    wizard.next_button.click()
    checks = wizard.checks.set_index("check")
    assert checks.loc["identity policy allows sts:AssumeRole", "ok"] is False
    assert "AWS will most likely refuse" in wizard.verdict.value
    wizard.switch_button.click()
    text = wizard.error_text
    assert "denied" in text and "Reasons:" in text and "Fix:" in text
    assert "No identity policy of the caller allows sts:AssumeRole" in text
    assert "Traceback" not in wizard.error.value
    assert wizard.active is None and wizard.step_key == "B5"
    assert not wizard.switch_button.disabled  # busy state cleared after the failure
    assert wizard.frame.empty


def test_unexpected_error_is_short_and_logged(wizard, monkeypatch, caplog):
    def boom(*_a, **_k):
        raise RuntimeError("internal detail that should not reach the operator")

    wizard.next_button.click()
    wizard.url.value = URL
    wizard.next_button.click()
    monkeypatch.setattr(wizard.switcher, "switch", boom)
    with caplog.at_level(logging.ERROR, logger="xacct_widgets.widgets"):
        assert wizard.do_switch() is False
    assert "Something unexpected went wrong" in wizard.error_text
    assert "RuntimeError" in wizard.error_text
    assert "internal detail" not in wizard.error.value
    assert any(r.exc_info for r in caplog.records if r.name == "xacct_widgets.widgets")
    assert not wizard.switch_button.disabled and not wizard.back_button.disabled


def test_buttons_are_disabled_while_a_call_runs(wizard, monkeypatch):
    wizard.next_button.click()
    wizard.url.value = URL
    wizard.next_button.click()
    seen = {}
    real = wizard.switcher.switch

    def spy(*args, **kwargs):
        seen["switch"] = wizard.switch_button.disabled
        seen["back"] = wizard.back_button.disabled
        seen["status"] = wizard.status.value
        return real(*args, **kwargs)

    monkeypatch.setattr(wizard.switcher, "switch", spy)
    wizard.switch_button.click()
    assert seen["switch"] and seen["back"] and "Switching to" in seen["status"]
    assert not wizard.back_button.disabled


# -- B6-B7 and history ----------------------------------------------------------------------------
def test_back_to_the_user(wizard):
    wizard.next_button.click()
    wizard.url.value = URL
    wizard.next_button.click()
    wizard.switch_button.click()
    assert wizard.active is not None
    wizard.back_to_user_button.click()
    assert wizard.active is None
    assert identity_of(wizard.switcher.session).arn == f"arn:aws:iam::{SOURCE}:user/operator"
    assert "no role active" in wizard.badge.value
    assert "No role is active" in wizard.active_table.value
    assert wizard.back_to_user_button.disabled
    assert "Back to operator" in wizard.status.value
    assert "active:" not in repr(wizard)


def test_history_beyond_five_and_one_click_reswitch(fresh_sandbox, operator):
    names = [f"tenant-{i}" for i in range(7)]
    for name in names:
        make_role(fresh_sandbox, name)
    wizard = SwitchRoleWizard(operator, history=":memory:")
    wizard.next_button.click()
    for name in names:
        wizard.go(1, "jump")
        wizard.url.value = ""
        wizard.account.value, wizard.role.value = TARGET, name
        wizard.display_name.value = name.upper()
        wizard.next_button.click()
        wizard.switch_button.click()
        assert wizard.active.role_name == name, wizard.error_text
    wizard.next_button.click()
    assert wizard.step_key == "history"
    frame = wizard.frame
    assert len(frame) == 7 > 5
    assert list(frame["role_name"]) == names[::-1]  # most recent first
    assert wizard.history_table.value.count("<tr") == 8  # header + 7 rows
    assert len(wizard.history_select.options) == 7
    wizard.select(TARGET, "tenant-0")
    wizard.history_switch_button.click()
    assert wizard.error_text == ""
    assert wizard.active.role_name == "tenant-0" and wizard.active.display_name == "TENANT-0"
    assert wizard.step_key == "B6-B7"
    assert wizard.frame.loc[0, "role_name"] == "tenant-0"
    assert wizard.frame.loc[0, "use_count"] == 2


def test_bookmarks(wizard):
    wizard.next_button.click()
    wizard.url.value = URL
    wizard.next_button.click()
    wizard.switch_button.click()
    wizard.next_button.click()
    assert "No bookmarks yet" in wizard.bookmarks_table.value
    wizard.select(TARGET, ROLE)
    assert wizard.bookmark_button.description == "☆ Bookmark"
    wizard.bookmark_button.click()
    assert wizard.switcher.history.bookmarks().loc[0, "role_name"] == ROLE
    assert "prod" in wizard.bookmarks_table.value
    assert wizard.history_select.options[0][0].startswith("★ prod")
    assert wizard.bookmark_button.description == "★ Remove bookmark"
    wizard.bookmark_button.click()
    assert wizard.switcher.history.bookmarks().empty


def test_history_switch_button_disabled_without_history(wizard):
    wizard.go(4)
    assert wizard.history_select.options == ()
    assert wizard.history_switch_button.disabled and wizard.bookmark_button.disabled
    assert wizard.do_history_switch() is False


# -- the bar --------------------------------------------------------------------------------------
def test_bar_stays_in_sync_with_the_wizard(wizard):
    bar = RoleSwitcherBar(wizard.switcher)
    assert repr(bar) == (
        "RoleSwitcherBar(no role active, signed in as arn:aws:iam::987654329876:user/operator)"
    )
    assert bar.back_button.disabled and bar.switch_button.disabled
    assert bar.back_button.description == "Back to operator"
    wizard.next_button.click()
    wizard.url.value = URL
    wizard.next_button.click()
    wizard.switch_button.click()
    # The wizard's switch redrew the bar.
    assert "background:#B7CA9D" in bar.badge.value and "prod" in bar.badge.value
    assert repr(bar) == f"RoleSwitcherBar(active: prod = {ROLE_ARN})"
    assert not bar.back_button.disabled and len(bar.history_select.options) == 1
    # The bar's Back redraws the wizard.
    bar.back_button.click()
    assert bar.error.value == ""
    assert wizard.active is None and "no role active" in wizard.badge.value
    assert "no role active" not in bar.badge.value  # compact: just the user
    assert "Signed in as <b>operator</b>" in bar.badge.value
    # One-click switch from the bar's history.
    bar.select(TARGET, ROLE)
    bar.switch_button.click()
    assert bar.error.value == "" and wizard.active.role_arn == ROLE_ARN
    assert "prod" in wizard.badge.value
    assert "Switched to prod" in bar.status.value
    assert_no_secrets(bar, wizard)


def test_bar_refresh_after_direct_core_calls(role, operator):
    switcher = RoleSwitcher(operator, history=":memory:")
    bar = RoleSwitcherBar(switcher)
    switcher.switch(TARGET, ROLE, display_name="prod", color="Red")
    assert "no role" not in repr(bar)  # repr reads the switcher live
    assert "background:#F2B0A9" in bar.badge.value  # it follows the switcher (issue 20, 5)
    bar.refresh()  # still harmless
    assert "background:#F2B0A9" in bar.badge.value
    assert not bar.back_button.disabled and bar.history_select.options


def test_bar_shows_denials(fresh_sandbox, role):
    switcher = RoleSwitcher(fresh_sandbox.session("source", "intern"), history=":memory:")
    switcher.history.record(TARGET, ROLE, "prod")
    bar = RoleSwitcherBar(switcher)
    bar.select(TARGET, ROLE)
    assert bar.do_switch() is False
    assert "denied" in bar.error.value and "Fix:" in bar.error.value
    assert bar.active is None and not bar.switch_button.disabled
    assert bar.back_button.disabled


def test_a_refused_switch_keeps_the_active_role(fresh_sandbox, wizard):
    """The widgets switch from the user, but leave the active role only once AWS said yes."""
    make_role(fresh_sandbox, "untrusting", trusted="111122223333")
    bar = RoleSwitcherBar(wizard.switcher)
    wizard.next_button.click()
    wizard.url.value = URL
    wizard.next_button.click()
    wizard.switch_button.click()
    assert wizard.active.role_arn == ROLE_ARN
    # The bar: a history entry AWS refuses.
    wizard.switcher.history.record(TARGET, "untrusting", "nope")
    bar.refresh()
    bar.select(TARGET, "untrusting")
    assert bar.do_switch() is False
    assert "denied" in bar.error.value
    assert bar.active.role_arn == ROLE_ARN and len(wizard.switcher.stack) == 1
    assert "prod" in bar.badge.value and not bar.back_button.disabled
    # The wizard's form, then its history: refused too, and still the same role.
    wizard.go(1, "jump")
    wizard.url.value = ""
    wizard.account.value, wizard.role.value = TARGET, "untrusting"
    wizard.next_button.click()
    assert wizard.do_switch() is False
    assert wizard.active.role_arn == ROLE_ARN and "prod" in wizard.badge.value
    wizard.go(4, "jump")
    wizard.select(TARGET, "untrusting")
    assert wizard.do_history_switch() is False
    assert wizard.active.role_arn == ROLE_ARN and len(wizard.switcher.stack) == 1
    # An accepted switch from the bar replaces the role (from the user: not chained).
    bar.select(TARGET, ROLE)
    assert bar.do_switch() is True
    assert [a.role_arn for a in wizard.switcher.stack] == [ROLE_ARN]
    assert not wizard.active.chained
    assert wizard.active.source_arn == f"arn:aws:iam::{SOURCE}:user/operator"


def test_bar_needs_a_switcher(operator):
    from xacct_widgets.errors import InvalidInput

    with pytest.raises(InvalidInput, match="RoleSwitcherBar needs a RoleSwitcher"):
        RoleSwitcherBar(operator)


def test_wizard_and_bar_css_classes(wizard):
    bar = RoleSwitcherBar(wizard.switcher)
    classes = css_classes(wizard)
    for css in (
        "xacct-wizard",
        "xacct-switch-wizard",
        "xacct-step-indicator",
        "xacct-next",
        "xacct-back",
        "xacct-error",
        "xacct-status",
        "xacct-active-badge",
        "xacct-url-input",
        "xacct-account",
        "xacct-role",
        "xacct-display-name",
        "xacct-color",
        "xacct-switch",
        "xacct-preflight-table",
        "xacct-back-to-user",
        "xacct-history",
        "xacct-history-switch",
        "xacct-bookmark",
        "xacct-history-table",
    ):
        assert css in classes, css
    bar_classes = css_classes(bar)
    assert {"xacct-switcher-bar", "xacct-bar-badge", "xacct-bar-switch", "xacct-bar-back"} <= (
        bar_classes
    )
