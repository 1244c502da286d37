"""What the switch wizard and the switcher bar share: the badge and the history choices.

Both views act on one core :class:`~xacct_widgets.core.switcher.RoleSwitcher`, so they must
describe it the same way (same badge, same history labels) and switch the same way: from the
signed-in user, as the console does (``RoleSwitcher.switch(..., from_base=True)``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from ..core.history import HistoryEntry, RoleHistory
from ..core.switcher import ActiveRole, RoleSwitcher
from .common import esc

__all__ = [
    "NEUTRAL",
    "badge_html",
    "entry_key",
    "history_options",
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
        f"<b>{esc(active.label)}</b> · account {esc(active.account_id)} · "
        f"role {esc(active.role_name)}"
    )
    if not compact:
        text = f"Currently active: {text} · {esc(_expiry(active))}"
    return (
        f'<span class="xacct-badge-box xacct-badge-role" data-color="{esc(active.color or "")}" '
        f'style="background:#{esc(hexcode)}" title="{esc(active.identity_arn)}">{text}</span>'
    )


def entry_key(entry: HistoryEntry) -> str:
    return f"{entry.account_id}/{entry.role_name}"


def history_options(history: RoleHistory) -> tuple[list[tuple[str, str]], dict[str, HistoryEntry]]:
    """Dropdown options for every history entry and bookmark, most recent first."""
    entries = history.entries()
    options = []
    for entry in entries:
        star = "★ " if entry.bookmarked else ""
        label = f"{star}{entry.label} — {entry.role_name} @ {entry.account_id}"
        options.append((label, entry_key(entry)))
    return options, {entry_key(e): e for e in entries}
