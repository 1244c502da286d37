"""``RoleExportPanel``: "Take these roles elsewhere" - the roles of a switcher, out to the
operator's other tools (AWS CLI profiles, the aws-extend-switch-roles extension, browser
bookmarks, the console signed in as the active role) and back in as bookmarks.

Why one panel over the switcher's history: the roles worth taking elsewhere are the ones already
switched to or bookmarked here, so the operator ticks them once (bookmarks and the active role
by default) and every format is made from the same choice by the core (:mod:`..core.profiles`).
The AWS config is the one destination written to disk, so it gets the care of part A's review
(:mod:`.profile_export`): the diff first, a separate Write, red rows for profiles that change,
a confirmation, and the backup's path. The other formats are text made on the spot: nothing is
written, the operator copies or downloads it. None of them holds a secret (account IDs, role
names, labels and colours only), so they may sit in the widget's state.
"""

from __future__ import annotations

import base64
import os
from typing import Any, Final

import ipywidgets as w

from ..core.profiles import bookmarks_html, esr_config, role_refs
from ..core.source.preflight import dashed
from ..core.switch import ActiveRole, HistoryEntry, RoleSwitcher
from ..errors import InvalidInput, XacctError
from .base import STYLE, Panel, button, classed, esc, notify, plural, register
from .bookmark_import import BookmarkImport
from .console_button import ConsoleButton, Opener
from .copy_button import copy_button_html
from .profile_export import ProfileExport

__all__ = ["BOOKMARKS_FILE", "TAB_TITLES", "RoleExportPanel", "bookmarks_link_html"]

#: The bookmarks file's name when downloaded.
BOOKMARKS_FILE: Final = "aws-roles.html"
#: The panel's sections, in tab order.
TAB_TITLES: Final = (
    "AWS CLI profiles",
    "Extension config",
    "Bookmarks file",
    "Console",
    "Import",
)

_HELP: Final = (
    "Tick the roles to take elsewhere (your bookmarks and the active role to start with), then "
    "choose where: <b>AWS CLI profiles</b> in your AWS config (for the CLI and boto3), the "
    "<b>aws-extend-switch-roles</b> browser extension's configuration, or a <b>bookmarks file</b> "
    "every browser imports (the console itself keeps only its last five roles); or open the "
    "<b>console</b> as the active role. "
    "<b>Import</b> reads the extension's configuration or a bookmarks file back as bookmarks."
)
_EXTENSION_HELP: Final = (
    "Paste this into the extension's <i>Configuration</i> page (aws-extend-switch-roles: "
    "Options → Configuration). It names accounts, roles, display names and colours only."
)
_CONSOLE_HELP: Final = (
    "Sign in to the AWS console as the active role, in a new tab of your own browser (the "
    "federation sign-in, as aws-vault and Granted do). The sign-in link works for anyone who "
    "has it, so it is made only when you ask and removed from the page a minute later."
)
_NO_ROLE: Final = (
    "<p class='xacct-empty'><i>No role is active: switch to one (the switch wizard, the bar, "
    "or <code>switcher.switch(...)</code>) to open the console as it.</i></p>"
)
_BOOKMARKS_HELP: Final = (
    "A bookmarks file (Netscape bookmark format) of the switch-role links: import it in Chrome or "
    "Edge (Bookmarks → Import bookmarks and settings), Firefox (Bookmarks → Manage bookmarks → "
    "Import and Backup) or Safari (File → Import From → Bookmarks HTML File)."
)

Role = HistoryEntry | ActiveRole


def _key(role: Role) -> str:
    """A role's place in the list: its ARN (path and partition included, so a GovCloud role
    and a commercial one of the same account number and name are two roles)."""
    return role.role_arn


def bookmarks_link_html(text: str, count: int) -> str:
    """A download link for a bookmarks file (a ``data:`` URL: no server, no file written)."""
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return (
        f'<a class="xacct-bookmarks-download" download="{BOOKMARKS_FILE}" '
        f'href="data:text/html;base64,{data}">⬇ Download {BOOKMARKS_FILE}</a> '
        f'<span class="xacct-bookmarks-count">({esc(plural(count, "bookmark"))})</span>'
    )


class RoleExportPanel(Panel):
    """Take the switcher's roles elsewhere (AWS CLI profiles, extension config, bookmarks file),
    and import the extension's config or a bookmarks file back as bookmarks.

    ``aws_config`` is the AWS config file to write (None: the AWS CLI's own, shown in the panel);
    ``source_profile`` the profile the exported role profiles start from (None: the switcher's
    base session's profile); ``opener``, when given, opens the console's sign-in URL in
    the kernel (default: a link opened by your own browser, :mod:`.console_button`).

    State for notebook code: :attr:`chosen` (the ticked roles), ``profiles`` (its
    :class:`ProfileExport`: ``diff``, ``result``, ``backup``), :attr:`extension_config`,
    :attr:`bookmarks_file`, ``importer`` (its :class:`BookmarkImport`: ``found``).
    """

    def __init__(
        self,
        switcher: RoleSwitcher,
        *,
        aws_config: str | os.PathLike[str] | None = None,
        source_profile: str | None = None,
        opener: Opener | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(switcher, RoleSwitcher):
            raise InvalidInput(
                f"RoleExportPanel needs a RoleSwitcher, got {type(switcher).__name__}.",
                fix="Pass RoleSwitcher(session), or a SwitchRoleWizard's .switcher.",
            )
        self.switcher = switcher
        self.roles: dict[str, Role] = {}
        self.picks: dict[str, Any] = {}
        self.extension_config = ""
        self.bookmarks_file = ""

        self.roles_box = classed(w.VBox([]), "xacct-export-roles")
        self.choice_note = classed(w.HTML(""), "xacct-export-choice")
        self.all_button = button("All", "xacct-export-all", lambda: self.choose(all_=True))
        self.default_button = button(
            "Bookmarks and active", "xacct-export-default", lambda: self.choose()
        )
        self.none_button = button("None", "xacct-export-none", lambda: self.choose(none=True))
        for b in (self.all_button, self.default_button, self.none_button):
            b.layout.width = "auto"

        base = switcher.base_session.profile_name
        self.profiles = ProfileExport(
            self, self.chosen_roles, path=aws_config, source_profile=source_profile or base
        )

        self.extension_text = classed(
            w.Textarea(value="", disabled=True, layout={"width": "60em", "height": "14em"}),
            "xacct-extension-config",
        )
        self.extension_copy = classed(w.HTML(""), "xacct-extension-copy")
        extension = w.VBox([w.HTML(_EXTENSION_HELP), self.extension_copy, self.extension_text])

        self.bookmarks_link = classed(w.HTML(""), "xacct-bookmarks-link")
        bookmarks = w.VBox([w.HTML(_BOOKMARKS_HELP), self.bookmarks_link])

        self.console = ConsoleButton(self, switcher, "xacct-export-console", opener=opener)
        self.console_button = self.console.button
        self.console_note = classed(w.HTML(""), "xacct-export-console-note")
        console = w.VBox([w.HTML(_CONSOLE_HELP), self.console_button, self.console_note])

        self.importer = BookmarkImport(self, switcher.history, self._imported)

        self.tabs = classed(
            w.Tab(children=[self.profiles.box, extension, bookmarks, console, self.importer.box]),
            "xacct-export-tabs",
        )
        self.tabs.titles = TAB_TITLES
        self.children = [
            w.HTML(STYLE),
            w.HTML("<h4 style='margin:4px 0'>Take these roles elsewhere</h4>"),
            classed(w.HTML(f'<div class="xacct-help-text">{_HELP}</div>'), "xacct-help"),
            self.roles_box,
            w.HBox([w.HTML("Choose: "), self.all_button, self.default_button, self.none_button]),
            self.choice_note,
            self.tabs,
            self.error,
            self.status,
        ]
        classed(self, "xacct-wizard", "xacct-role-exports")
        register(switcher, self)
        self.act("reading your role history", self.refresh)

    # -- state ----------------------------------------------------------------------------------
    def __repr__(self) -> str:
        chosen = len(self.chosen_roles())
        return f"RoleExportPanel({chosen} of {plural(len(self.roles), 'role')} chosen)"

    def chosen_roles(self) -> list[Role]:
        """The ticked roles, in the list's order (history order, the active role first)."""
        return [role for key, role in self.roles.items() if self.picks[key].value]

    @property
    def chosen(self) -> list[Role]:
        """The ticked roles: what every export takes (``xw.export_profiles(panel.chosen, …)``)."""
        return self.chosen_roles()

    # -- the roles to take ----------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the history and the active role (a local read); ticks kept, new roles ticked
        if bookmarked or active."""
        active = self.switcher.active
        roles: dict[str, Role] = {}
        if active is not None:
            roles[_key(active)] = active
        for entry in self.switcher.history.entries():
            roles[_key(entry)] = entry  # an entry carries its bookmark; keeps the active's place
        picks: dict[str, Any] = {}
        for key, role in roles.items():
            marked = isinstance(role, HistoryEntry) and role.bookmarked
            is_active = active is not None and key == _key(active)
            label = (
                f"{'★ ' if marked else ''}{role.label} — {role.role_name} @ "
                f"{dashed(role.account_id)}" + (" · active" if is_active else "")
            )
            box = self.picks.get(key)
            if box is None:
                box = classed(w.Checkbox(value=marked or is_active, indent=False), "xacct-pick")
                box.observe(lambda _c: self._changed(), "value")
            box.description = label
            box.layout.width = "auto"
            picks[key] = box
        self.roles, self.picks = roles, picks
        self.roles_box.children = list(picks.values()) or [
            w.HTML(
                "<p class='xacct-empty'><i>No role yet: switch to a role or bookmark one (or "
                "import bookmarks below).</i></p>"
            )
        ]
        self._changed()

    def choose(self, *, all_: bool = False, none: bool = False) -> None:
        """Tick every role (``all_``), none, or the default: bookmarks and the active role."""
        active = self.switcher.active
        for key, box in self.picks.items():
            role = self.roles[key]
            default = (isinstance(role, HistoryEntry) and role.bookmarked) or (
                active is not None and key == _key(active)
            )
            box.value = all_ or (not none and default)
        self._changed()

    def select(self, *keys: tuple[str, str]) -> None:
        """Tick exactly these ``(account, role)`` roles (what ticking them by hand does)."""
        wanted = set(keys)
        for key, box in self.picks.items():
            role = self.roles[key]
            box.value = (role.account_id, role.role_name) in wanted
        self._changed()

    def _changed(self) -> None:
        """The choice changed: every export is made again (the profile diff must be re-shown)."""
        chosen = self.chosen_roles()
        self.choice_note.value = esc(f"{len(chosen)} of {plural(len(self.roles), 'role')} chosen.")
        self.profiles.reset()
        try:
            refs = role_refs(chosen) if chosen else []
            self.extension_config = esr_config(refs) if refs else ""
            self.bookmarks_file = bookmarks_html(refs) if refs else ""
        except XacctError as err:
            self.show_error(err, doing="making the exports")
            refs = []
            self.extension_config = self.bookmarks_file = ""
        self.extension_text.value = self.extension_config
        self.extension_copy.value = (
            copy_button_html(self.extension_config, label="Copy config", css="xacct-extension")
            if self.extension_config
            else "<p class='xacct-empty'><i>Choose at least one role above.</i></p>"
        )
        self.bookmarks_link.value = (
            bookmarks_link_html(self.bookmarks_file, len(refs))
            if self.bookmarks_file
            else "<p class='xacct-empty'><i>Choose at least one role above.</i></p>"
        )
        self.refresh_controls()

    def sync_buttons(self) -> None:
        self.profiles.sync()
        self.importer.sync()
        self.console.sync()
        self.console_note.value = "" if self.switcher.active is not None else _NO_ROLE

    def do_console(self) -> bool:
        """Click "Open the console as <role>": sign in to the console as the active role."""
        return self.console.click()

    def _imported(self) -> None:
        """After an import: show the new bookmarks (ticked) and tell the switcher's other views."""
        self.refresh()
        notify(self.switcher, self)
