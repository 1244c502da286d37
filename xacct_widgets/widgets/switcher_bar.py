"""``RoleSwitcherBar``: the console's account menu as one line above a notebook's cells.

A badge of what is active (in the role's colour) or of the signed-in user, the role history
as a dropdown with Switch, and "Back to <user>". The core switcher has no callbacks, so the bar
redraws itself after its own actions, other xacct widgets sharing the switcher redraw it after
theirs, and notebook code that switches directly calls :meth:`RoleSwitcherBar.refresh`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..core.history import HistoryEntry
from ..core.switcher import ActiveRole, RoleSwitcher
from ..errors import InvalidInput, XacctError
from .common import STYLE, classed, error_html, esc, notify, register
from .switching import badge_html, history_options, who_text

__all__ = ["RoleSwitcherBar"]

log = logging.getLogger("xacct_widgets.widgets")


class RoleSwitcherBar(w.VBox):  # type: ignore[misc]  # ipywidgets ships no type hints
    """One line: active-role badge, history dropdown + Switch, Back; errors show under it."""

    def __init__(self, switcher: RoleSwitcher) -> None:
        super().__init__()
        if not isinstance(switcher, RoleSwitcher):
            raise InvalidInput(
                f"RoleSwitcherBar needs a RoleSwitcher, got {type(switcher).__name__}.",
                fix="Pass RoleSwitcher(session), or a SwitchRoleWizard's .switcher.",
            )
        self.switcher = switcher
        self._entries: dict[str, HistoryEntry] = {}
        self.badge = classed(w.HTML(""), "xacct-bar-badge", "xacct-active-badge")
        self.history_select = classed(
            w.Dropdown(
                options=[],
                description="Switch to",
                style={"description_width": "5em"},
                layout={"width": "30em"},
            ),
            "xacct-bar-history",
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
        self.error = classed(w.HTML(""), "xacct-bar-error")
        self.error.layout.display = "none"
        self.status = classed(w.HTML(""), "xacct-bar-status")
        self.switch_button.on_click(lambda _b: self.do_switch())
        self.back_button.on_click(lambda _b: self.do_back())
        self.history_select.observe(lambda _c: self._sync_buttons(), "value")
        line = w.HBox(
            [self.badge, self.history_select, self.switch_button, self.back_button],
            layout={"align_items": "center", "flex_flow": "row wrap"},
        )
        self.children = [w.HTML(STYLE), line, self.error, self.status]
        classed(self, "xacct-switcher-bar")
        self._busy = False
        register(switcher, self)
        self._run("reading the current identity", self.refresh)

    # -- state ----------------------------------------------------------------------------------
    @property
    def active(self) -> ActiveRole | None:
        return self.switcher.active

    @property
    def selected_entry(self) -> HistoryEntry | None:
        value = self.history_select.value
        return self._entries.get(value) if value else None

    def __repr__(self) -> str:
        try:
            return f"RoleSwitcherBar({who_text(self.switcher)})"
        except XacctError:
            return "RoleSwitcherBar(identity unknown)"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        data: dict[str, Any] = super()._repr_mimebundle_(**kwargs) or {}
        data["text/plain"] = repr(self)
        return data

    def refresh(self) -> None:
        """Redraw from the switcher: badge, history list, Back's label and state."""
        self.badge.value = badge_html(self.switcher, compact=True)
        options, self._entries = history_options(self.switcher.history)
        keep = self.history_select.value
        self.history_select.options = options
        # Keep the choice; else pre-select the most recent, so a re-switch is one click.
        self.history_select.value = (
            keep if keep in self._entries else (options[0][1] if options else None)
        )
        name = self.switcher.base_identity.name
        self.back_button.description = f"Back to {name}"
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        if self._busy:
            return
        self.switch_button.disabled = self.selected_entry is None
        self.back_button.disabled = self.switcher.active is None

    # -- actions --------------------------------------------------------------------------------
    def _run(self, doing: str, action: Callable[[], None]) -> bool:
        """Busy (buttons off) while ``action`` runs; errors shown under the bar, as in wizards."""
        self.error.value = ""
        self.error.layout.display = "none"
        before = [(b, b.disabled) for b in (self.switch_button, self.back_button)]
        self._busy = True
        for b, _ in before:
            b.disabled = True
        self.status.value = f"⏳ {esc(doing)}…"
        try:
            action()
        except Exception as err:
            if not isinstance(err, XacctError):
                log.error("%s failed (%s)", doing, type(err).__name__, exc_info=err)
            self.error.value = error_html(err, doing=doing)
            self.error.layout.display = None
            return False
        finally:
            for b, was in before:
                b.disabled = was
            self._busy = False
            if self.status.value.startswith("⏳"):
                self.status.value = ""
            self._sync_buttons()
        return True

    def select(self, account: str, role: str) -> None:
        """Choose a history entry by account and role (what picking it in the list does)."""
        match = next(
            (
                key
                for key, e in self._entries.items()
                if e.account_id == account.replace("-", "").strip() and e.role_name == role
            ),
            None,
        )
        if match is None:
            self.refresh()
            match = f"{account.replace('-', '').strip()}/{role}"
        self.history_select.value = match

    def do_switch(self) -> bool:
        """Click Switch: switch (from the user) into the chosen history entry."""
        entry = self.selected_entry
        if entry is None:
            return False

        def switch() -> None:
            try:
                active = self.switcher.switch_entry(entry, from_base=True)
                self.status.value = esc(f"Switched to {active.label}.")
            finally:
                self.refresh()
                notify(self.switcher, self)

        return self._run(f"switching to {entry.role_arn}", switch)

    def do_back(self) -> bool:
        """Click "Back to <user>": leave the active role (no API call)."""

        def back() -> None:
            try:
                who = self.switcher.back()
                self.status.value = esc(f"Back to {who.name}.")
            finally:
                self.refresh()
                notify(self.switcher, self)

        return self._run("going back to your user", back)
