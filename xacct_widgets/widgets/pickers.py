"""Pickers several widgets share: the active-role badge and the role-history picker.

The switch wizard and the active-role bar both act on one core
:class:`~xacct_widgets.core.switch.RoleSwitcher`, so they must describe it the same way (same
badge, same history labels, same choice kept across redraws) and switch the same way: from the
signed-in user, as the console does (``RoleSwitcher.switch_entry(..., from_base=True)``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import ipywidgets as w
import pandas as pd

from ..core import ids
from ..core.source.preflight import dashed
from ..core.switch import ActiveRole, HistoryEntry, RoleHistory, RoleSwitcher
from .fields import classed
from .html import esc, html_table

__all__ = [
    "NEUTRAL",
    "HistoryPicker",
    "badge_html",
    "entry_key",
    "history_options",
    "history_table_html",
    "who_text",
]

#: Badge background when the active role has no colour, or no role is active.
NEUTRAL: Final = "EEEEEE"


def _expiry(active: ActiveRole) -> str:
    when: datetime | None = active.expiration
    if when is None:
        return "expiry unknown"
    return "expires " + when.strftime("%Y-%m-%d %H:%M:%S UTC")


def who_text(switcher: RoleSwitcher) -> str:
    """One stable line: the active role, or the base user (no times: reprs must not change)."""
    active = switcher.active
    if active is None:
        return f"no role active, signed in as {switcher.base_identity.arn}"
    return f"active: {active.label} = {active.role_arn}"


def badge_html(switcher: RoleSwitcher, *, compact: bool = False) -> str:
    """The console's "currently active" badge: display name on the chosen colour, with
    account, role and expiry; or the signed-in user when no role is active."""
    active = switcher.active
    if active is None:
        base = switcher.base_identity
        text = f"Signed in as <b>{esc(base.name)}</b>"
        if not compact:
            text += f" ({esc(base.arn)}) — no role active"
        return (
            f'<span class="xacct-badge-box xacct-badge-base" data-color="" '
            f'style="background:#{NEUTRAL}">{text}</span>'
        )
    hexcode = active.color or NEUTRAL
    text = (
        f"<b>{esc(active.label)}</b> · account {esc(dashed(active.account_id))} · "
        f"role {esc(active.role_name)}"
    )
    if not compact:
        text = f"Currently active: {text} · {esc(_expiry(active))}"
    return (
        f'<span class="xacct-badge-box xacct-badge-role" data-color="{esc(active.color or "")}" '
        f'style="background:#{esc(hexcode)}" title="{esc(active.identity_arn)}">{text}</span>'
    )


def entry_key(entry: HistoryEntry) -> str:
    """The dropdown value of a history entry: ``account/role``."""
    return f"{entry.account_id}/{entry.role_name}"


def history_options(history: RoleHistory) -> tuple[list[tuple[str, str]], dict[str, HistoryEntry]]:
    """Dropdown options for every history entry and bookmark, most recent first."""
    entries = history.entries()
    options = []
    for entry in entries:
        star = "★ " if entry.bookmarked else ""
        label = f"{star}{entry.label} — {entry.role_name} @ {dashed(entry.account_id)}"
        options.append((label, entry_key(entry)))
    return options, {entry_key(e): e for e in entries}


def history_table_html(frame: pd.DataFrame, empty: str) -> str:
    """The history (or bookmarks) table: readable times, ★ for bookmarks."""
    shown = frame.copy()
    if "last_used" in shown:
        shown["last_used"] = shown["last_used"].dt.strftime("%Y-%m-%d %H:%M:%S UTC")
    if "bookmarked" in shown:
        shown["bookmarked"] = shown["bookmarked"].map({True: "★", False: ""})
    return html_table(shown, empty=empty)


class HistoryPicker(w.Dropdown):  # type: ignore[misc]  # ipywidgets ships no type hints
    """A dropdown of the switcher's role history and bookmarks, most recent first.

    :meth:`refresh` keeps the operator's choice across redraws, else pre-selects the most
    recent entry so a re-switch is one click.
    """

    value: Any  # the chosen ``account/role`` key (a traitlet; annotated for mypy only)

    def __init__(self, switcher: RoleSwitcher, css: str, **kwargs: Any) -> None:
        super().__init__(options=[], **kwargs)
        self.switcher = switcher
        self.entries: dict[str, HistoryEntry] = {}
        classed(self, css)

    def refresh(self) -> None:
        """Re-read the history (a local read: no AWS call)."""
        options, self.entries = history_options(self.switcher.history)
        keep = self.value
        self.options = options
        self.value = keep if keep in self.entries else (options[0][1] if options else None)

    @property
    def entry(self) -> HistoryEntry | None:
        """The entry chosen, or None."""
        return self.entries.get(self.value) if self.value else None

    def select(self, account: str, role: str) -> None:
        """Choose the entry for ``account`` / ``role`` (what picking it in the list does).

        Raises:
            InvalidInput: the account ID or role name is malformed.
        """
        key = f"{ids.account_id(account)}/{ids.role_name(role)}"
        if key not in self.entries:
            self.refresh()
        self.value = key
