"""The Switch-role wizard's last step: role history, bookmarks and the AWS config's role profiles.

Why the AWS config is here: an operator's roles are rarely only the ones switched to in this
notebook; the ones they use from the AWS CLI are role profiles in ``~/.aws/config`` (``role_arn``
with ``source_profile``; the AWS CLI's "Use an IAM role", https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-role.html).
Listing them beside the history makes them one click away too. The file is read by the core
(:func:`~xacct_widgets.core.profiles.aws_config_profiles`), once per visit of the step; a machine
with no AWS config simply has no such section (a quiet note, not an error).

Kept apart from :mod:`.switch_role` so the wizard class reads as its steps; the switching itself
stays the wizard's (one way to switch, from the signed-in user, as the console does).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Final

import ipywidgets as w
import pandas as pd

from ..core.profiles import aws_config_profiles
from ..core.source.preflight import dashed
from ..core.switch import HistoryEntry, RoleSwitcher
from ..errors import XacctError
from .base import button, classed, esc
from .console_button import ConsoleButton
from .mfa_input import MfaInput
from .pickers import HistoryPicker, history_table_html

__all__ = ["PROFILE_VIEW", "ConfigProfiles", "HistoryStep"]

#: The config profiles' columns as the step shows them.
PROFILE_VIEW: Final = {
    "profile": "profile",
    "account_id": "account",
    "role_name": "role",
    "color": "colour",
    "source_profile": "source profile",
}

#: Switches to a history entry or a profile row (the wizard's), labelled for its messages;
#: keyword arguments go to ``RoleSwitcher.switch_entry`` (e.g. ``mfa_token``).
Switch = Callable[..., bool]


class ConfigProfiles:
    """ "From your AWS config": the config's role profiles, each switchable like a history entry.

    ``path`` is the config file (None: ``$AWS_CONFIG_FILE`` or ``~/.aws/config``, as the AWS CLI
    reads it). :attr:`frame` holds what was found (the core's columns).
    """

    def __init__(self, switch: Switch, path: str | os.PathLike[str] | None = None) -> None:
        self.path = path
        self._switch = switch
        self.frame = pd.DataFrame()
        self.note = classed(w.HTML(""), "xacct-config-profiles-note")
        self.table = classed(w.HTML(""), "xacct-config-profiles-table")
        self.select = classed(
            w.Dropdown(
                options=[],
                description="Profile",
                style={"description_width": "4em"},
                layout={"width": "44em"},
            ),
            "xacct-config-profile",
        )
        self.switch_button = button(
            "Switch to profile",
            "xacct-config-profile-switch",
            self.do_switch,
            button_style="primary",
            icon="sign-in",
            tooltip="Switch (from your user) into the role this profile names",
        )
        # A profile with mfa_serial needs the device's current code, as the AWS CLI asks for it.
        self.mfa_code = classed(
            w.Text(
                value="",
                placeholder="e.g. 123456",
                description="MFA code",
                style={"description_width": "5em"},
                layout={"width": "14em", "display": "none"},
            ),
            "xacct-config-profile-mfa-code",
        )
        self.select.observe(lambda _c: self.sync(), "value")
        self.mfa_code.observe(lambda _c: self.sync(), "value")
        self.section = w.VBox(
            [
                w.HTML("<b>From your AWS config</b> (role profiles)"),
                w.HBox([self.select, self.mfa_code, self.switch_button]),
                self.table,
            ]
        )
        self.box = w.VBox([self.section, self.note])

    def render(self) -> None:
        """Read the config again; no role profile (or no file): a quiet note instead."""
        try:
            self.frame = aws_config_profiles(self.path)
        except (XacctError, OSError) as err:
            self.frame = pd.DataFrame()
            reason = err.message if isinstance(err, XacctError) else type(err).__name__
            self._quiet(f"Your AWS config could not be read ({reason}).")
            return
        if self.frame.empty:
            where = f" ({self.path})" if self.path else ""
            self._quiet(f"No role profiles in your AWS config{where}.")
            return
        self.section.layout.display = None
        self.note.value = ""
        view = self.frame[[c for c in PROFILE_VIEW if c in self.frame]].rename(columns=PROFILE_VIEW)
        self.table.value = history_table_html(view.fillna(""), "")
        keep = self.select.value
        self.select.options = [
            (f"{r.profile} — {r.role_name} @ {dashed(str(r.account_id))}", r.profile)
            for r in self.frame.itertuples(index=False)
        ]
        names = list(self.frame["profile"])
        self.select.value = keep if keep in names else names[0]
        self.sync()

    def _quiet(self, text: str) -> None:
        self.section.layout.display = "none"
        self.select.options = []
        self.note.value = f'<p class="xacct-empty" style="color:#777"><i>{esc(text)}</i></p>'
        self.sync()

    @property
    def row(self) -> pd.Series | None:
        """The chosen profile's row, or None."""
        if self.frame.empty or not self.select.value:
            return None
        found = self.frame[self.frame["profile"] == self.select.value]
        return None if found.empty else found.iloc[0]

    @property
    def needs_mfa(self) -> bool:
        """The chosen profile names an MFA device (``mfa_serial``): a code is asked for."""
        row = self.row
        return (
            row is not None and isinstance(row.get("mfa_serial"), str) and bool(row["mfa_serial"])
        )

    def sync(self) -> None:
        needs = self.needs_mfa
        self.mfa_code.layout.display = None if needs else "none"
        code = str(self.mfa_code.value).strip()
        self.switch_button.disabled = self.row is None or (needs and not code)

    def do_switch(self) -> bool:
        """Click "Switch to profile": switch into the chosen profile's role (with its
        ExternalId, MFA device and duration; the MFA code typed is used once, then cleared)."""
        row = self.row
        if row is None:
            return False
        extra = {"mfa_token": str(self.mfa_code.value).strip()} if self.needs_mfa else {}
        try:
            return self._switch(row, f"profile {row['profile']}", **extra)
        finally:
            self.mfa_code.value = ""


class HistoryStep:
    """The step's body: history and bookmarks (switch again, bookmark), the config's profiles,
    and the console button (shared with the "currently active" step)."""

    def __init__(
        self,
        switcher: RoleSwitcher,
        switch: Switch,
        bookmark: Callable[[], object],
        console: ConsoleButton,
        *,
        aws_config: str | os.PathLike[str] | None = None,
    ) -> None:
        self.switcher = switcher
        self._switch = switch
        self.history_table = classed(w.HTML(""), "xacct-history-table")
        self.bookmarks_table = classed(w.HTML(""), "xacct-bookmarks-table")
        self.history_select = HistoryPicker(
            switcher,
            "xacct-history",
            description="Role",
            style={"description_width": "4em"},
            layout={"width": "44em"},
        )
        self.history_switch_button = button(
            "Switch to selected",
            "xacct-history-switch",
            self.do_switch,
            button_style="primary",
            icon="sign-in",
        )
        self.bookmark_button = button("☆ Bookmark", "xacct-bookmark", bookmark)
        # History and bookmarks alike: a role that requires MFA takes the code here.
        self.mfa = MfaInput(switcher, "xacct-history")
        self.profiles = ConfigProfiles(switch, aws_config)
        self.box = w.VBox(
            [
                w.HBox([self.history_select, self.history_switch_button, self.bookmark_button]),
                self.mfa.box,
                console.button,
                w.HTML("<b>History</b> (most recent first)"),
                self.history_table,
                w.HTML("<b>Bookmarks</b>"),
                self.bookmarks_table,
                self.profiles.box,
            ]
        )

    @property
    def entry(self) -> HistoryEntry | None:
        """The history entry chosen in the dropdown."""
        return self.history_select.entry

    def render(self) -> pd.DataFrame:
        """Redraw history, bookmarks and profiles (local reads only); the history frame."""
        history = self.switcher.history
        frame = history.frame()
        self.history_table.value = history_table_html(frame, "No role switched to yet.")
        self.bookmarks_table.value = history_table_html(
            history.bookmarks(), "No bookmarks yet: choose a role above and click Bookmark."
        )
        self.history_select.refresh()
        self.profiles.render()
        return frame

    def sync(self) -> None:
        """History buttons only with an entry chosen; the bookmark button says what it does."""
        entry = self.entry
        self.history_switch_button.disabled = entry is None
        self.bookmark_button.disabled = entry is None
        marked = entry is not None and entry.bookmarked
        self.bookmark_button.description = "★ Remove bookmark" if marked else "☆ Bookmark"
        self.profiles.sync()

    def do_switch(self) -> bool:
        """Switch into the chosen entry (history or bookmark), with the MFA code if typed."""
        entry = self.entry
        if entry is None:
            return False
        return self._switch(entry, f"{entry.label} from your history", mfa=self.mfa)

    def toggle_bookmark(self, entry: HistoryEntry) -> tuple[str, str]:
        """Bookmark ``entry``, or remove its bookmark; the status line and its kind."""
        history = self.switcher.history
        if entry.bookmarked:
            history.unbookmark(entry.account_id, entry.role_name)
            return f"Bookmark removed: {entry.label}.", ""
        history.bookmark(entry.account_id, entry.role_name)
        return f"Bookmarked: {entry.label}.", "ok"
