"""``RoleSwitcherBar``: the console's account menu as one line above a notebook's cells.

A badge of what is active (in the role's colour) or of the signed-in user, the role history
as a dropdown with Switch, "Back to <user>", and a console sign-in link as <role> (made on a
click, opened by the operator's browser, removed a minute later: :mod:`.console_button`).
The bar follows the switcher's current session (``RoleSwitcher.observe``): a switch or Back
made anywhere - another widget or a notebook cell - redraws it and clears its stale error.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from ..core.switch import ActiveRole, HistoryEntry, RoleSwitcher
from ..errors import InvalidInput, XacctError
from .base import STYLE, Panel, classed, esc, notify, register
from .console_button import ConsoleButton, Opener
from .mfa_input import MfaInput
from .pickers import HistoryPicker, badge_html, who_text

__all__ = ["RoleSwitcherBar"]


class RoleSwitcherBar(Panel):
    """One line: active-role badge, history dropdown, MFA code, Switch, Back, console; errors
    under it.

    ``opener``, when given, opens the console's sign-in URL in the kernel (default: a link).
    """

    error_css = ("xacct-bar-error",)
    status_css = ("xacct-bar-status",)

    def __init__(self, switcher: RoleSwitcher, *, opener: Opener | None = None) -> None:
        super().__init__()
        if not isinstance(switcher, RoleSwitcher):
            raise InvalidInput(
                f"RoleSwitcherBar needs a RoleSwitcher, got {type(switcher).__name__}.",
                fix="Pass RoleSwitcher(session), or a SwitchRoleWizard's .switcher.",
            )
        self.switcher = switcher
        self.badge = classed(w.HTML(""), "xacct-bar-badge", "xacct-active-badge")
        self.history_select = HistoryPicker(
            switcher,
            "xacct-bar-history",
            description="Switch to",
            style={"description_width": "5em"},
            layout={"width": "30em"},
        )
        self.switch_button = classed(
            w.Button(
                description="Switch",
                icon="sign-in",
                button_style="primary",
                layout={"width": "7em"},
                tooltip="Switch to the role chosen in the list (from your user)",
            ),
            "xacct-bar-switch",
        )
        self.back_button = classed(
            w.Button(description="Back", icon="sign-out", layout={"width": "12em"}),
            "xacct-bar-back",
        )
        # A role that requires MFA: the code only (the device is the user's own, looked up).
        self.mfa = MfaInput(switcher, "xacct-bar")
        self.mfa_code = self.mfa.code
        self.console = ConsoleButton(self, switcher, "xacct-bar-console", opener=opener)
        self.console_button = self.console.button
        self.switch_button.on_click(lambda _b: self.do_switch())
        self.back_button.on_click(lambda _b: self.do_back())
        self.history_select.observe(lambda _c: self.refresh_controls(), "value")
        line = w.HBox(
            [
                self.badge,
                self.history_select,
                self.mfa.box,
                self.switch_button,
                self.back_button,
                self.console_button,
            ],
            layout={"align_items": "center", "flex_flow": "row wrap"},
        )
        self.children = [w.HTML(STYLE), line, self.error, self.status]
        classed(self, "xacct-switcher-bar")
        register(switcher, self)
        self._act("reading the current identity", self.refresh)

    # -- state ----------------------------------------------------------------------------------
    @property
    def active(self) -> ActiveRole | None:
        return self.switcher.active

    @property
    def selected_entry(self) -> HistoryEntry | None:
        return self.history_select.entry

    def __repr__(self) -> str:
        try:
            return f"RoleSwitcherBar({who_text(self.switcher)})"
        except XacctError:
            return "RoleSwitcherBar(identity unknown)"

    def refresh(self) -> None:
        """Redraw from the switcher: badge, history list, Back's label and state."""
        self.badge.value = badge_html(self.switcher, compact=True)
        self.history_select.refresh()
        self.back_button.description = f"Back to {self.switcher.base_identity.name}"
        self.refresh_controls()

    def sync_buttons(self) -> None:
        self.switch_button.disabled = self.selected_entry is None
        self.back_button.disabled = self.switcher.active is None
        self.console.sync()

    # -- actions --------------------------------------------------------------------------------
    def _act(self, doing: str, action: Callable[[], None]) -> bool:
        """A bar shows one line of status: the last action's, or none if it failed."""
        self.status.value = ""
        return self.act(doing, action)

    def select(self, account: str, role: str) -> None:
        """Choose a history entry by account and role (what picking it in the list does)."""
        self.history_select.select(account, role)

    def do_switch(self) -> bool:
        """Click Switch: switch (from the user) into the chosen history entry, with the MFA
        code if one is typed (used once: the box is emptied)."""
        entry = self.selected_entry
        if entry is None:
            return False

        def switch() -> None:
            try:
                mfa = self.mfa.take()
                active = self.switcher.switch_entry(entry, from_base=True, **mfa)
                self.status.value = esc(f"Switched to {active.label}.")
            finally:
                self.refresh()
                notify(self.switcher, self)

        return self._act(f"switching to {entry.role_arn}", switch)

    def do_back(self) -> bool:
        """Click "Back to <user>": leave the active role (no API call)."""

        def back() -> None:
            try:
                who = self.switcher.back()
                self.status.value = esc(f"Back to {who.name}.")
            finally:
                self.refresh()
                notify(self.switcher, self)

        return self._act("going back to your user", back)

    def do_console(self) -> bool:
        """Click "Open the console as <role>": sign in to the console as the active role."""
        self.status.value = ""
        return self.console.click()
