"""``SwitchRoleWizard``: part B of the tutorial (B1-B7) as a guided widget.

Steps: who am I (root refused, as the console does) -> the role to switch to (paste the
switch-role URL from A6, or type it) -> preflight checks and Switch -> "currently active" and
"Back to <user>" -> the role history and bookmarks, with one-click re-switch.

Every call goes through the core (:class:`~xacct_widgets.core.source.SourceAccount` and
:class:`~xacct_widgets.core.switcher.RoleSwitcher`); the widget only collects input, validates
it with the core validators as it is typed, and renders what comes back.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
import ipywidgets as w
import pandas as pd

from ..core import ids, urls
from ..core.history import HistoryEntry, RoleHistory
from ..core.identity import Identity
from ..core.source import Preflight, SourceAccount
from ..core.switcher import ActiveRole, RoleSwitcher
from ..errors import InvalidInput, RootUserError, XacctError
from .common import (
    Step,
    Wizard,
    box_html,
    classed,
    color_options,
    esc,
    field,
    notify,
    register,
)
from .switching import badge_html, history_options

__all__ = ["ROOT_REASON", "SwitchRoleWizard"]

#: The console's reason, word for word, for refusing the root user.
ROOT_REASON = "the root user cannot switch roles; sign in as an IAM user"

_H_WHO = (
    "Who is signed in here (<code>sts:GetCallerIdentity</code>). You switch <i>from</i> this "
    "identity. As in the console, the account's <b>root user cannot switch roles</b>: sign in "
    "as an IAM user (for example <code>operator</code>). Click <b>Next</b> to choose a role."
)
_H_FORM = (
    "Paste the switch-role URL you were given (it is shown after the role is created, step A6) "
    "to fill in the form, <b>or</b> type the target account ID (12 digits, hyphens allowed) "
    "and the role name. The display name and colour only label the role here and in your "
    "history. Fill in the ExternalId or MFA fields only if the role's owner asked for them. "
    "Click <b>Check</b> to check the switch before making it."
)
_H_CHECK = (
    "Before switching, each reason AWS could refuse is checked (a red <b>False</b> comes with "
    "its fix; an empty <i>ok</i> means it cannot be checked from this account: AWS decides). "
    "Click <b>Switch role</b> to switch (<code>sts:AssumeRole</code>). Like the console, a switch "
    "starts from your own user: any role still active is replaced once the switch succeeds (if "
    "AWS refuses, the active role stays as it was)."
)
_H_ACTIVE = (
    "The role now shows as <b>currently active</b> (the coloured badge above). Every later call "
    "made with <code>wizard.switcher.session</code> acts in the target account; its keys renew "
    "themselves and are never shown. Click <b>Back to …</b> to return to your own user, or "
    "<b>History</b> for your role history and bookmarks."
)
_H_HISTORY = (
    "Every role you switched to, most recent first, with no limit (the console keeps only 5), "
    "and your bookmarks (★). Choose one and click <b>Switch to selected</b> to switch again in "
    "one click, or <b>Bookmark</b> to keep it at hand. The history is kept on disk between "
    "notebooks."
)


class SwitchRoleWizard(Wizard):
    """Switch from the signed-in user into a role in another account, in five steps.

    ``session`` is the base session (the IAM user). ``switcher`` lets several widgets (e.g. a
    :class:`RoleSwitcherBar`) share one :class:`RoleSwitcher`; ``history`` is handed to a new
    switcher (a :class:`RoleHistory`, a path, or None for the default persistent history).

    State for notebook code: ``switcher`` (use ``switcher.session`` to work as the active
    role), ``source`` (:class:`SourceAccount`), ``active``, ``identity``, ``preflight``,
    ``checks`` (the preflight table) and ``frame`` (the history table).
    """

    _css = "xacct-switch-wizard"

    def __init__(
        self,
        session: boto3.Session | None = None,
        *,
        switcher: RoleSwitcher | None = None,
        history: RoleHistory | str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__()
        if switcher is None:
            if session is None:
                raise InvalidInput(
                    "SwitchRoleWizard needs a session or a switcher.",
                    fix="Pass the signed-in user's boto3.Session, or switcher=RoleSwitcher(...).",
                )
            switcher = RoleSwitcher(session, history=history)
        self.switcher = switcher
        self.source = SourceAccount(session if session is not None else switcher.base_session)
        self.identity: Identity | None = None
        self.preflight: Preflight | None = None
        self._entries: dict[str, HistoryEntry] = {}
        register(switcher, self)

        self.badge = classed(w.HTML(""), "xacct-active-badge")

        # B1
        self.identity_table = classed(w.HTML(""), "xacct-identity-table")
        who = w.VBox([self.identity_table])

        # B2-B4
        self._url = field(
            w.Text(placeholder=f"{urls.SWITCH_ROLE_BASE}?roleName=…&account=…"),
            "Switch-role URL",
            "Optional: pasting a link fills in the fields below.",
            "xacct-url-input",
            width="60em",
        )
        self._account = field(
            w.Text(placeholder="1234-5678-1234"),
            "Account ID",
            "The target account's 12-digit ID (hyphens are fine).",
            "xacct-account",
        )
        self._role = field(
            w.Text(placeholder="cross-account"),
            "Role name",
            "The role's name in the target account, without its path.",
            "xacct-role",
        )
        self._display = field(
            w.Text(placeholder="e.g. prod"),
            "Display name",
            "Optional label for the badge and history (at most 64 characters).",
            "xacct-display-name",
        )
        self._color = field(
            w.Dropdown(options=color_options(), value=""),
            "Colour",
            "Optional: the console's colour for this role.",
            "xacct-color",
        )
        self._external = field(
            w.Text(placeholder="only if the role requires one"),
            "ExternalId",
            "Optional: the ExternalId the role's owner gave you.",
            "xacct-external-id",
        )
        self._mfa_serial = field(
            w.Text(placeholder="arn:aws:iam::987654329876:mfa/operator"),
            "MFA device",
            "Optional: your MFA device's ARN, if the role requires MFA.",
            "xacct-mfa-serial",
        )
        self._mfa_code = field(
            w.Text(placeholder="123456"),
            "MFA code",
            "The 6-digit code your MFA device shows now (used once, then cleared).",
            "xacct-mfa-code",
        )
        self.fields.update(
            url=self._url,
            account=self._account,
            role=self._role,
            display_name=self._display,
            color=self._color,
            external_id=self._external,
            mfa_serial=self._mfa_serial,
            mfa_code=self._mfa_code,
        )
        self.url = self._url.control
        self.account = self._account.control
        self.role = self._role.control
        self.display_name = self._display.control
        self.color = self._color.control
        self.external_id = self._external.control
        self.mfa_serial = self._mfa_serial.control
        self.mfa_code = self._mfa_code.control
        form = w.VBox(
            [
                self._url.box,
                w.HTML("<b>Role</b>"),
                self._account.box,
                self._role.box,
                self._display.box,
                self._color.box,
                w.HTML("<b>Only if the role's owner asked for them</b>"),
                self._external.box,
                self._mfa_serial.box,
                self._mfa_code.box,
            ]
        )
        self.url.observe(self._on_url, "value")
        for f in (
            self._account,
            self._role,
            self._display,
            self._external,
            self._mfa_serial,
            self._mfa_code,
        ):
            f.control.observe(lambda _c: self._validate_form(), "value")

        # B5
        self.target_summary = classed(w.HTML(""), "xacct-switch-summary")
        self.preflight_table = classed(w.HTML(""), "xacct-preflight-table")
        self.verdict = classed(w.HTML(""), "xacct-preflight-verdict")
        self.switch_button = classed(
            w.Button(
                description="Switch role",
                button_style="primary",
                icon="sign-in",
                tooltip="sts:AssumeRole into this role",
            ),
            "xacct-switch",
        )
        self.switch_button.on_click(lambda _b: self.do_switch())
        check = w.VBox(
            [self.target_summary, self.preflight_table, self.verdict, self.switch_button]
        )

        # B6-B7
        self.active_table = classed(w.HTML(""), "xacct-active-table")
        self.back_to_user_button = classed(
            w.Button(description="Back to your user", icon="sign-out"), "xacct-back-to-user"
        )
        self.back_to_user_button.on_click(lambda _b: self.do_back())
        active = w.VBox([self.active_table, self.back_to_user_button])

        # history
        self.history_table = classed(w.HTML(""), "xacct-history-table")
        self.bookmarks_table = classed(w.HTML(""), "xacct-bookmarks-table")
        self.history_select = classed(
            w.Dropdown(
                description="Role",
                options=[],
                style={"description_width": "4em"},
                layout={"width": "44em"},
            ),
            "xacct-history",
        )
        self.history_switch_button = classed(
            w.Button(description="Switch to selected", button_style="primary", icon="sign-in"),
            "xacct-history-switch",
        )
        self.bookmark_button = classed(w.Button(description="☆ Bookmark"), "xacct-bookmark")
        self.history_switch_button.on_click(lambda _b: self.do_history_switch())
        self.bookmark_button.on_click(lambda _b: self.do_bookmark())
        self.history_select.observe(lambda _c: self.refresh_nav(), "value")
        history_box = w.VBox(
            [
                w.HBox([self.history_select, self.history_switch_button, self.bookmark_button]),
                w.HTML("<b>History</b> (most recent first)"),
                self.history_table,
                w.HTML("<b>Bookmarks</b>"),
                self.bookmarks_table,
            ]
        )
        self._history_box = history_box

        self._setup(
            [
                Step("B1", "Who am I", _H_WHO, who, enter=self._enter_who, ready=self._can_switch),
                Step(
                    "B2-B4",
                    "Role to switch to",
                    _H_FORM,
                    form,
                    ready=self._form_ok,
                    leave=self._leave_form,
                    next_label="Check →",
                ),
                Step(
                    "B5",
                    "Check and switch",
                    _H_CHECK,
                    check,
                    enter=self._enter_check,
                    next_label=None,
                ),
                Step(
                    "B6-B7",
                    "Currently active",
                    _H_ACTIVE,
                    active,
                    enter=lambda _d: self._render_active(),
                    next_label="History →",
                ),
                Step(
                    "history",
                    "Role history and bookmarks",
                    _H_HISTORY,
                    history_box,
                    enter=lambda _d: self._render_history(),
                ),
            ],
            header=[self.badge],
        )

    # -- state ----------------------------------------------------------------------------------
    @property
    def active(self) -> ActiveRole | None:
        """The active role (as the switcher has it), or None when acting as the user."""
        return self.switcher.active

    @property
    def frame(self) -> pd.DataFrame:
        """The role history and bookmarks, most recent first (``RoleHistory.frame()``)."""
        return self.switcher.history.frame()

    @property
    def checks(self) -> pd.DataFrame:
        """The last preflight's checks (empty before the first check)."""
        if self.preflight is None:
            return pd.DataFrame(columns=["check", "ok", "detail", "fix"])
        return self.preflight.checks

    def __repr__(self) -> str:
        who = self.identity.arn if self.identity else "identity unknown"
        active = self.switcher.active
        tail = f"; active: {active.label} = {active.role_arn}" if active else ""
        return f"SwitchRoleWizard({self._where()} — {who}{tail})"

    def refresh(self) -> None:
        """Redraw the badge and the current step from the switcher (after changes elsewhere)."""
        self._render_badge()
        if self.step_key == "B6-B7":
            self._render_active()
        elif self.step_key == "history":
            self._render_history()
        self.refresh_nav()

    # -- B1 -------------------------------------------------------------------------------------
    def _enter_who(self, _direction: str) -> None:
        self.identity = self.source.whoami()
        self.show_table(self.identity_table, "B1", self.identity.frame())
        self._render_badge()
        if self.identity.is_root:
            raise RootUserError(
                f"You are signed in as {self.identity.arn}: {ROOT_REASON}.",
                code="RootUser",
                fix="Sign in as an IAM user of this account (e.g. 'operator') and open the "
                "wizard with that user's session; keep root for account emergencies.",
            )
        self.say(
            f"Signed in as {self.identity.principal_type} {self.identity.name} "
            f"in account {self.identity.account_id}.",
            "ok",
        )

    def _can_switch(self) -> bool:
        return self.identity is not None and not self.identity.is_root

    # -- B2-B4 ----------------------------------------------------------------------------------
    def _on_url(self, _change: Any) -> None:
        text = self.url.value.strip()
        if not text:
            self._url.set_error(None)
            self._validate_form()
            return
        try:
            link = urls.parse_switch_role_url(text)
        except XacctError as err:
            self._url.set_error(f"{err.message} {err.fix or ''}".strip())
            self._validate_form()
            return
        self._url.set_error(None)
        self.fill(link)
        self.say("Filled in from the URL: check the fields, then click Check.", "ok")

    def fill(self, link: urls.SwitchRoleLink) -> None:
        """Pre-fill the form from a parsed switch-role link (what pasting a URL does)."""
        self.account.value = link.account_id
        self.role.value = f"{link.path.lstrip('/')}{link.role_name}"
        self.display_name.value = link.display_name or ""
        self.color.value = link.color or ""
        self._validate_form()

    def _role_parts(self) -> tuple[str, str]:
        """The role field may carry a path (``team/cross-account``), as URLs do."""
        head, _, name = self.role.value.strip().strip("/").rpartition("/")
        return name, (f"/{head}/" if head else "/")

    def _validate_form(self) -> None:
        """Validate every field as it is typed; Next follows the result."""
        name, path = self._role_parts()
        self._account.check(lambda: ids.account_id(self.account.value))
        self._role.check(lambda: urls.SwitchRoleLink("000000000000", name, path=path))
        self._display.check(
            lambda: urls.SwitchRoleLink("000000000000", "x", self.display_name.value)
        )
        self._external.check(lambda: ids.external_id(self.external_id.value))
        self._mfa_serial.check(lambda: ids.mfa_serial(self.mfa_serial.value))
        self._mfa_code.check(lambda: ids.mfa_code(self.mfa_code.value))
        self.refresh_nav()

    def _form_ok(self) -> bool:
        fields = (
            self._url,
            self._account,
            self._role,
            self._display,
            self._external,
            self._mfa_serial,
            self._mfa_code,
        )
        if any(f.has_error for f in fields):
            return False
        if not (self.account.value.strip() and self.role.value.strip()):
            return False
        return bool(self.mfa_serial.value.strip()) == bool(self.mfa_code.value.strip())

    def link(self) -> urls.SwitchRoleLink:
        """The role the form describes (validated by the core)."""
        name, path = self._role_parts()
        return urls.SwitchRoleLink(
            self.account.value,
            name,
            self.display_name.value or None,
            self.color.value or None,
            path,
        )

    def _leave_form(self) -> None:
        self.link()  # raises with the reason if anything slipped through
        if bool(self.mfa_serial.value.strip()) != bool(self.mfa_code.value.strip()):
            raise InvalidInput(
                "The MFA device and the MFA code go together.",
                fix="Fill in both (device ARN and its current 6-digit code), or neither.",
            )

    # -- B5 -------------------------------------------------------------------------------------
    def _options(self) -> dict[str, Any]:
        return {
            "external_id": self.external_id.value.strip() or None,
            "mfa_serial": self.mfa_serial.value.strip() or None,
        }

    def _enter_check(self, _direction: str) -> None:
        link = self.link()
        colour = f" · colour #{link.color}" if link.color else ""
        self.target_summary.value = (
            f"<p>Switching to <code>{esc(link.role_arn)}</code> as "
            f"<code>{esc(self.identity.arn if self.identity else '?')}</code>"
            f"{esc(' · display name ' + link.display_name if link.display_name else '')}"
            f"{esc(colour)}.</p>"
        )
        self.preflight = None
        self.verdict.value = ""
        self.preflight = self.source.preflight(link.account_id, link.role_arn, **self._options())
        self.show_table(self.preflight_table, "B5", self.preflight.checks)
        failed = self.preflight.failed
        if failed:
            items = "".join(f"<li>{esc(c.check)}: {esc(c.fix or c.detail)}</li>" for c in failed)
            self.verdict.value = box_html(
                "warning",
                "<b>The check found problems: AWS will most likely refuse this switch.</b>"
                f"<ul>{items}</ul>",
            )
        else:
            self.verdict.value = box_html(
                "ok", "No problem found. Click <b>Switch role</b> (AWS has the last word)."
            )

    def do_switch(self) -> bool:
        """Click "Switch role": assume the role from the user, then show it as active."""
        link = self.link()
        options = self._options()
        code = self.mfa_code.value.strip() or None

        def switch() -> None:
            try:
                self.switcher.switch(
                    link.account_id,
                    link.role_name,
                    link.display_name,
                    link.color,
                    mfa_token=code,
                    path=link.path,
                    from_base=True,
                    **options,
                )
            finally:
                self.mfa_code.value = ""  # a one-time code: never leave it in the form
                self._render_badge()
                notify(self.switcher, self)

        ok = self.act(f"switching to {link.role_arn}", switch)
        if ok:
            self.go(3, "forward")
            self.say(f"Switched: you now act as {link.role_name} in {link.account_id}.", "ok")
        return ok

    # -- B6-B7 ----------------------------------------------------------------------------------
    def _render_badge(self) -> None:
        self.badge.value = badge_html(self.switcher)
        name = self.switcher.base_identity.name
        self.back_to_user_button.description = f"Back to {name}"
        self.back_to_user_button.tooltip = f"Leave the role and act as {name} again"

    def _render_active(self) -> None:
        self._render_badge()
        empty = f"No role is active: you act as {self.switcher.base_identity.arn}."
        self.show_table(self.active_table, "B6-B7", self.switcher.frame(), empty=empty)

    def do_back(self) -> bool:
        """Click "Back to <user>": leave the active role (no API call)."""

        def back() -> None:
            who = self.switcher.back()
            self._render_active()
            notify(self.switcher, self)
            self.say(f"Back to {who.name}: you act as {who.arn}.", "ok")

        return self.act("going back to your user", back)

    # -- history --------------------------------------------------------------------------------
    def _render_history(self) -> None:
        history = self.switcher.history
        frame = history.frame()
        self._frames["history"] = frame
        self.history_table.value = _history_html(frame, "No role switched to yet.")
        self.bookmarks_table.value = _history_html(
            history.bookmarks(), "No bookmarks yet: choose a role above and click Bookmark."
        )
        options, self._entries = history_options(history)
        keep = self.history_select.value
        self.history_select.options = options
        # Keep the choice; else pre-select the most recent, so a re-switch is one click.
        self.history_select.value = (
            keep if keep in self._entries else (options[0][1] if options else None)
        )
        self.sync_buttons()

    def sync_buttons(self) -> None:
        """Back-to-user only with a role active; history buttons only with an entry chosen."""
        self.back_to_user_button.disabled = self.switcher.active is None
        self.switch_button.disabled = not self._form_ok()
        entry = self.selected_entry
        self.history_switch_button.disabled = entry is None
        self.bookmark_button.disabled = entry is None
        marked = entry is not None and entry.bookmarked
        self.bookmark_button.description = "★ Remove bookmark" if marked else "☆ Bookmark"

    @property
    def selected_entry(self) -> HistoryEntry | None:
        """The history entry chosen in the dropdown."""
        value = self.history_select.value
        return self._entries.get(value) if value else None

    def select(self, account: str, role: str) -> None:
        """Choose a history entry by account and role (what picking it in the dropdown does)."""
        key = f"{ids.account_id(account)}/{ids.role_name(role)}"
        if key not in self._entries:
            self._render_history()
        self.history_select.value = key

    def do_history_switch(self) -> bool:
        """Click "Switch to selected": one-click re-switch from history or bookmarks."""
        entry = self.selected_entry
        if entry is None:
            return False

        def switch() -> None:
            try:
                self.switcher.switch_entry(entry, from_base=True)
            finally:
                self._render_badge()
                notify(self.switcher, self)

        ok = self.act(f"switching to {entry.role_arn}", switch)
        if ok:
            self.go(3, "forward")
            self.say(f"Switched again to {entry.label} from your history.", "ok")
        return ok

    def do_bookmark(self) -> bool:
        """Click Bookmark: bookmark the chosen entry, or remove its bookmark."""
        entry = self.selected_entry
        if entry is None:
            return False

        def toggle() -> None:
            history = self.switcher.history
            if entry.bookmarked:
                history.unbookmark(entry.account_id, entry.role_name)
                self.say(f"Bookmark removed: {entry.label}.")
            else:
                history.bookmark(entry.account_id, entry.role_name)
                self.say(f"Bookmarked: {entry.label}.", "ok")
            self._render_history()
            notify(self.switcher, self)

        return self.act("updating bookmarks", toggle)


def _history_html(frame: pd.DataFrame, empty: str) -> str:
    from .common import html_table

    shown = frame.copy()
    if "last_used" in shown:
        shown["last_used"] = shown["last_used"].dt.strftime("%Y-%m-%d %H:%M:%S UTC")
    if "bookmarked" in shown:
        shown["bookmarked"] = shown["bookmarked"].map({True: "★", False: ""})
    return html_table(shown, empty=empty)
