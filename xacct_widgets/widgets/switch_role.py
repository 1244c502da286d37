"""``SwitchRoleWizard``: part B of the tutorial (B1-B7) as a guided widget.

Steps: who am I (root refused, as the console does) -> the role to switch to (paste the
switch-role URL from A6/A7, or type it) -> preflight checks and Switch -> "currently active" and
"Back to <user>" and "Open the console as <role>" -> the role history and bookmarks, and the
role profiles of the AWS config, with one-click re-switch.

Every call goes through the core (:class:`~xacct_widgets.core.source.SourceAccount` and
:class:`~xacct_widgets.core.switch.RoleSwitcher`); the widget only collects input, validates
it with the core validators as it is typed, and renders what comes back.
"""

from __future__ import annotations

import os
from typing import Any

import ipywidgets as w
import pandas as pd

from ..core import urls
from ..core.identity import Identity
from ..core.source import MfaDevices, Preflight, SourceAccount
from ..core.source.preflight import dashed
from ..core.switch import ActiveRole, HistoryEntry, RoleHistory, RoleSwitcher
from ..errors import InvalidInput, XacctError
from .base import Step, Wizard, button, classed, notify, register
from .console_button import ConsoleButton, Opener
from .mfa_input import MfaInput
from .pickers import badge_html
from .switch_role_fields import (
    FIELDS,
    ROOT_REASON,
    STEP_TEXT,
    active_help_html,
    active_html,
    check_summary_html,
    form_mfa,
    identity_html,
    note_html,
    preflight_html,
    role_parts,
    root_refused,
    verdict_html,
)
from .switch_role_history import HistoryStep

__all__ = ["ROOT_REASON", "SwitchRoleWizard"]


class SwitchRoleWizard(Wizard):
    """Switch from the signed-in user into a role in another account, in five steps.

    ``session`` is the base session (the IAM user). ``switcher`` lets several widgets (e.g. a
    :class:`RoleSwitcherBar`) share one :class:`RoleSwitcher`; ``history`` is handed to a new
    switcher (a :class:`RoleHistory`, a path, or None for the default persistent history).
    ``aws_config`` is the AWS config file whose role profiles the last step lists (None: the
    AWS CLI's own); ``opener``, when given, opens the console's sign-in URL in the kernel
    (default: a link the operator's browser opens).

    State for notebook code: ``switcher`` (use ``switcher.session`` to work as the active
    role), ``source`` (:class:`SourceAccount`), ``active``, ``identity``, ``preflight``,
    ``checks`` (the preflight table) and ``frame`` (the history table).
    """

    _css = "xacct-switch-wizard"

    def __init__(
        self,
        session: Any = None,
        *,
        switcher: RoleSwitcher | None = None,
        history: RoleHistory | str | os.PathLike[str] | None = None,
        aws_config: str | os.PathLike[str] | None = None,
        opener: Opener | None = None,
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
        register(switcher, self)

        self.badge = classed(w.HTML(""), "xacct-active-badge")

        # B1
        self.identity_table = classed(w.HTML(""), "xacct-identity-table")
        who = w.VBox([self.identity_table])

        # B2-B4 (the MFA device is listed for the user on entering: only the code is asked for)
        self.mfa_devices: MfaDevices | None = None
        self.mfa_note = classed(w.HTML("", layout={"display": "none"}), "xacct-mfa-note")
        fields = self.add_fields(FIELDS, lambda _name: self.refresh_nav())
        self._account, self._role, self._display = (
            fields[n] for n in ("account", "role", "display_name")
        )
        form = w.VBox(
            [
                fields["url"].box,
                w.HTML("<b>Role</b>"),
                *(fields[n].box for n in ("account", "role", "display_name", "color")),
                w.HTML("<b>Only if the role's owner asked for them</b>"),
                *(fields[n].box for n in ("external_id", "mfa_code", "mfa_device", "mfa_serial")),
                self.mfa_note,
            ]
        )
        self.url.observe(self._on_url, "value")

        # B5
        self.target_summary = classed(w.HTML(""), "xacct-switch-summary")
        self.preflight_table = classed(w.HTML(""), "xacct-preflight-table")
        self.verdict = classed(w.HTML(""), "xacct-preflight-verdict")
        self.switch_button = button(
            "Switch role",
            "xacct-switch",
            self.do_switch,
            button_style="primary",
            icon="sign-in",
            tooltip="sts:AssumeRole into this role",
        )
        check = w.VBox(
            [self.target_summary, self.preflight_table, self.verdict, self.switch_button]
        )

        # B6-B7
        self.active_table = classed(w.HTML(""), "xacct-active-table")
        self.back_to_user_button = button(
            "Back to your user", "xacct-back-to-user", self.do_back, icon="sign-out"
        )
        self.console = ConsoleButton(self, switcher, "xacct-switch-console", opener=opener)
        self.console_button = self.console.button
        active = w.VBox(
            [self.active_table, w.HBox([self.back_to_user_button, self.console_button])]
        )

        # history, bookmarks, the AWS config's role profiles
        self.history_step = HistoryStep(
            switcher, self._switch_again, self.do_bookmark, self.console, aws_config=aws_config
        )
        part = self.history_step
        self.history_table, self.bookmarks_table = part.history_table, part.bookmarks_table
        self.history_select = part.history_select
        self.history_switch_button = part.history_switch_button
        self.bookmark_button = part.bookmark_button
        self.history_select.observe(lambda _c: self.refresh_nav(), "value")
        self.profiles = part.profiles
        history = part.box

        def step(key: str, body: Any, **hooks: Any) -> Step:
            return Step(key, *STEP_TEXT[key], body, **hooks)

        form_hooks = {"enter": self._enter_form, "leave": self._leave_form, "ready": self._form_ok}
        steps = [
            step("B1", who, enter=self._enter_who, ready=self._can_switch),
            step("B2-B4", form, **form_hooks, next_label="Check →"),
            step("B5", check, enter=self._enter_check, next_label=None),
            step("B6-B7", active, enter=lambda _d: self._render_active(), next_label="History →"),
            step("history", history, enter=lambda _d: self._render_history()),
        ]
        self._setup(steps, header=[self.badge])

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
        self._frames["B1"] = self.identity.frame()
        self.identity_table.value = identity_html(self.identity)
        self._render_badge()
        if self.identity.is_root:
            raise root_refused(self.identity)
        self.say(
            f"Signed in as {self.identity.principal_type} {self.identity.name} "
            f"in account {dashed(self.identity.account_id)}.",
            "ok",
        )

    def _can_switch(self) -> bool:
        return self.identity is not None and not self.identity.is_root

    # -- B2-B4 ----------------------------------------------------------------------------------
    def _on_url(self, _change: Any) -> None:
        text = self.url.value.strip()
        if not text:
            self.fields["url"].set_error(None)
            self.refresh_nav()
            return
        try:
            link = urls.parse_switch_role_url(text)
        except XacctError as err:
            self.fields["url"].set_error(f"{err.message} {err.fix or ''}".strip())
            self.refresh_nav()
            return
        self.fields["url"].set_error(None)
        self.fill(link)
        self.say("Filled in from the URL: check the fields, then click Check.", "ok")

    def fill(self, link: urls.SwitchRoleLink) -> None:
        """Pre-fill the form from a parsed switch-role link (what pasting a URL does)."""
        self.account.value = link.account_id
        self.role.value = f"{link.path.lstrip('/')}{link.role_name}"
        self.display_name.value = link.display_name or ""
        self.color.value = link.color or ""
        self.refresh_nav()

    def _enter_form(self, _direction: str) -> None:
        """List the user's MFA devices (once): a role requiring MFA then asks only for the code;
        the device's ARN is asked for only when they cannot be listed."""
        devices = self.mfa_devices = self.mfa_devices or self.source.mfa_devices()
        if tuple(self.mfa_device.options) != devices.serials:
            self.mfa_device.options = devices.serials
            self.mfa_device.value = devices.serials[0] if devices.serials else None
        self.fields["mfa_device"].box.layout.display = None if devices.serials else "none"
        self.fields["mfa_serial"].box.layout.display = None if devices.must_type else "none"
        self.refresh_nav()

    def _mfa(self) -> tuple[str | None, str | None]:
        """(device, code): both or neither, each well formed (:func:`form_mfa`)."""
        device = self.mfa_device.value
        return form_mfa(
            self.mfa_code.value, self.mfa_serial.value, device and str(device), self.mfa_devices
        )

    def _form_ok(self) -> bool:
        problem = None
        ok = not any(f.has_error for f in self.fields.values())
        if ok:  # a malformed code or ARN already says so under its own field
            try:
                self._mfa()
            except XacctError as err:
                problem, ok = f"{err.message} {err.fix or ''}".strip(), False
        self.mfa_note.value = note_html(problem)
        self.mfa_note.layout.display = None if problem else "none"
        return ok and bool(self.account.value.strip() and self.role.value.strip())

    def link(self) -> urls.SwitchRoleLink:
        """The role the form describes (validated by the core)."""
        name, path = role_parts(self.role.value)
        label, color = self.display_name.value or None, self.color.value or None
        return urls.SwitchRoleLink(self.account.value, name, label, color, path)

    def _leave_form(self) -> None:
        self.link()  # raises with the reason if anything slipped through
        self._mfa()

    # -- B5 -------------------------------------------------------------------------------------
    def _options(self) -> dict[str, Any]:
        return {
            "external_id": self.external_id.value.strip() or None,
            "mfa_serial": self._mfa()[0],  # the device chosen or typed, only with a code
        }

    def _enter_check(self, _direction: str) -> None:
        link = self.link()
        caller = self.identity.arn if self.identity else "?"
        self.target_summary.value = check_summary_html(link, caller)
        self.preflight = None
        self.verdict.value = ""
        self.preflight = self.source.preflight(link.account_id, link.role_arn, **self._options())
        self._frames["B5"] = self.preflight.table
        self.preflight_table.value = preflight_html(self.preflight)
        self.verdict.value = verdict_html(self.preflight)

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
            where = dashed(link.account_id)
            self.say(f"Switched: you now act as {link.role_name} in {where}.", "ok")
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
        self._frames["B6-B7"] = self.switcher.frame()
        self.active_table.value = active_html(self._frames["B6-B7"], empty)
        if self.step_key == "B6-B7":  # the help follows the session (Back here or in a cell)
            self.help.value = active_help_html(not self._frames["B6-B7"].empty)

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
        self._frames["history"] = self.history_step.render()
        self.sync_buttons()

    def sync_buttons(self) -> None:
        """Back-to-user and the console only with a role active; history buttons only with an
        entry chosen."""
        self.back_to_user_button.disabled = self.switcher.active is None
        self.switch_button.disabled = not self._form_ok()
        self.console.sync()
        self.history_step.sync()

    @property
    def selected_entry(self) -> HistoryEntry | None:
        """The history entry chosen in the dropdown."""
        return self.history_step.entry

    def select(self, account: str, role: str) -> None:
        """Choose a history entry by account and role (what picking it in the dropdown does)."""
        self._render_history()
        self.history_select.select(account, role)

    def do_history_switch(self) -> bool:
        """Click "Switch to selected": one-click re-switch from history or bookmarks."""
        return self.history_step.do_switch()

    def do_profile_switch(self) -> bool:
        """Click "Switch to profile": switch into the role of the chosen AWS config profile."""
        return self.profiles.do_switch()

    def _switch_again(
        self, target: Any, label: str, *, mfa: MfaInput | None = None, **overrides: Any
    ) -> bool:
        """Switch (from the user) into a history entry or a config profile's row; ``mfa``'s
        code (if typed) is used once."""

        def switch() -> None:
            try:
                extra = mfa.take() if mfa is not None else {}
                self.switcher.switch_entry(target, from_base=True, **overrides, **extra)
            finally:
                self._render_badge()
                notify(self.switcher, self)

        ok = self.act(f"switching to {label}", switch)
        if ok:
            self.go(3, "forward")
            self.say(f"Switched to {label}.", "ok")
        return ok

    def do_bookmark(self) -> bool:
        """Click Bookmark: bookmark the chosen entry, or remove its bookmark."""
        entry = self.selected_entry
        if entry is None:
            return False

        def toggle() -> None:
            self.say(*self.history_step.toggle_bookmark(entry))
            self._render_history()
            notify(self.switcher, self)

        return self.act("updating bookmarks", toggle)
