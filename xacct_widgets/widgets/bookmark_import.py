"""The "Import" section of :class:`~.role_exports.RoleExportPanel`: roles kept elsewhere, back
in as bookmarks.

An operator arriving with years of roles in the aws-extend-switch-roles extension or in browser
bookmarks should not retype them. Either text goes in (pasted, or a file uploaded), the core reads
it (:func:`~xacct_widgets.core.profiles.parse_esr_config` or
:func:`~xacct_widgets.core.profiles.parse_bookmarks_html`, whichever the text is), the roles
found are previewed, and only "Add as bookmarks" records them, through
:meth:`RoleHistory.bookmark` (so re-importing the same file changes nothing).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import ipywidgets as w
import pandas as pd

from ..core.profiles import parse_bookmarks_html, parse_esr_config, role_refs
from ..core.switch import RoleHistory
from ..errors import InvalidInput
from .fields import button, classed
from .html import html_table, plural
from .panel import Panel

__all__ = ["PREVIEW_COLUMNS", "BookmarkImport", "parse_roles_text"]

#: The preview's columns (from the core's import frame).
PREVIEW_COLUMNS: Final = ("display_name", "account_id", "role_name", "path", "color", "partition")
_HTML_RE: Final = re.compile(r"<!DOCTYPE\s+NETSCAPE-Bookmark-file|<\s*(a|dl|dt|html)\b", re.I)

_HELP: Final = (
    "Paste the aws-extend-switch-roles extension's configuration, <b>or</b> upload it or a "
    "bookmarks file exported from your browser (HTML). <b>Preview</b> shows the roles found; "
    "<b>Add as bookmarks</b> adds them to your role history's bookmarks."
)


def parse_roles_text(text: str) -> tuple[str, pd.DataFrame]:
    """(what it was, the roles found): a bookmarks file (HTML) or the extension's config."""
    if not text.strip():
        raise InvalidInput(
            "Nothing to import: the text is empty.",
            fix="Paste the extension's configuration, or upload a config or bookmarks file.",
        )
    if _HTML_RE.search(text):
        return "bookmarks file", parse_bookmarks_html(text)
    return "extension config", parse_esr_config(text)


def _uploaded(upload: Any) -> tuple[str, str] | None:
    """(file name, text) of the uploaded file, or None (ipywidgets 8: a tuple of dicts)."""
    files = list(upload.value or ())
    if not files:
        return None
    first = files[0]
    content = bytes(first["content"])
    try:
        return str(first["name"]), content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InvalidInput(
            f"{first['name']} is not UTF-8 text.",
            fix="Upload the bookmarks file (HTML) or the extension's config as exported.",
        ) from err


class BookmarkImport:
    """Paste box, file upload, Preview, the roles found, "Add N as bookmarks".

    ``history`` receives the bookmarks; ``after()`` runs once they are added (the panel redraws).
    :attr:`found` is the last preview's frame (the core's import columns), None before one.
    """

    def __init__(self, panel: Panel, history: RoleHistory, after: Callable[[], None]) -> None:
        self.panel = panel
        self.history = history
        self._after = after
        self.found: pd.DataFrame | None = None
        self.source = ""
        self.paste = classed(
            w.Textarea(
                value="",
                placeholder="[profile prod]\naws_account_id = 123456781234\nrole_name = …",
                layout={"width": "60em", "height": "10em"},
            ),
            "xacct-import-text",
        )
        self.upload = classed(
            w.FileUpload(accept=".html,.htm,.txt,.ini,.cfg,.conf", multiple=False),
            "xacct-import-file",
        )
        self.upload.description = "Upload a file"
        self.preview_button = button(
            "Preview", "xacct-import-preview", self.do_preview, icon="search"
        )
        self.add_button = button(
            "Add as bookmarks",
            "xacct-import-add",
            self.do_add,
            button_style="primary",
            icon="star",
        )
        self.preview_table = classed(w.HTML(""), "xacct-import-preview-table")
        for control in (self.paste, self.upload):
            control.observe(lambda _c: self.reset(), "value")
        self.box = w.VBox(
            [
                w.HTML(f'<div class="xacct-help-text">{_HELP}</div>'),
                self.paste,
                w.HBox([self.upload, self.preview_button]),
                self.preview_table,
                self.add_button,
            ]
        )
        self.reset()

    def text(self) -> tuple[str, str]:
        """(where from, text): an uploaded file wins over pasted text."""
        uploaded = _uploaded(self.upload)
        return uploaded if uploaded is not None else ("pasted text", str(self.paste.value))

    def reset(self) -> None:
        """The input changed: the preview no longer holds."""
        self.found = None
        self.preview_table.value = ""
        self.sync()

    def sync(self) -> None:
        count = 0 if self.found is None else len(self.found)
        self.add_button.description = (
            f"Add {plural(count, 'role')} as bookmarks" if count else "Add as bookmarks"
        )
        self.add_button.disabled = not count
        self.preview_button.disabled = not (str(self.paste.value).strip() or self.upload.value)

    def do_preview(self) -> bool:
        """Click Preview: read the text (or file) and show the roles found; nothing is added."""

        def preview() -> None:
            self.reset()
            where, text = self.text()
            kind, found = parse_roles_text(text)
            self.found, self.source = found, where
            columns = [c for c in PREVIEW_COLUMNS if c in found]
            self.preview_table.value = html_table(
                found[columns], empty=f"No role found in the {kind}."
            )
            self.panel.say(
                f"{plural(len(found), 'role')} found in the {kind} ({where}); nothing added yet.",
                "ok" if len(found) else "warning",
            )

        return self.panel.act("reading the roles to import", preview)

    def do_add(self) -> bool:
        """Click "Add N as bookmarks": bookmark every role previewed."""
        found = self.found
        if found is None or found.empty:
            return False

        def add() -> None:
            refs = role_refs(found)
            for ref in refs:
                self.history.bookmark(
                    ref.account_id,
                    ref.role_name,
                    ref.display_name,
                    ref.color,
                    ref.path,
                    partition=ref.partition,
                )
            self.reset()
            self._after()
            self.panel.say(f"Added {plural(len(refs), 'bookmark')} from the {self.source}.", "ok")

        return self.panel.act("adding bookmarks", add)
