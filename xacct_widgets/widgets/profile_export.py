"""The "AWS CLI profiles" section of :class:`~.role_exports.RoleExportPanel`: diff, then write.

Why it mirrors part A's review (:mod:`.create_role_review`): the AWS config is a file the
operator's every AWS tool reads, possibly with hand-made profiles in it. So nothing is written
until the diff was shown (``export_profiles(..., dry_run=True)``); profiles that would *change*
are red and need a ticked confirmation; Write is its own button, labelled with how many profiles
it writes; and the backup the core keeps of the previous file is named afterwards. A profile the
core refuses to overwrite (one this package did not write) comes back as an error with its fix,
and only then is "take them over" offered (``overwrite=True``), their rows red like any change.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Final

import ipywidgets as w
import pandas as pd

from ..core.profiles import config_path, export_profiles
from ..errors import ProfileConflict
from .fields import button, classed, field
from .html import box_html, esc, plural
from .panel import Panel
from .readable import readable_table_html

__all__ = ["CHANGING", "DIFF_VIEW", "ProfileExport", "diff_html"]

#: Diff actions that write something.
CHANGING: Final = ("add", "update")

_HELP: Final = (
    "The chosen roles as role profiles (<code>role_arn</code> + <code>source_profile</code>) for "
    "the AWS CLI and boto3 (<code>aws --profile NAME …</code>, "
    "<code>boto3.Session(profile_name=NAME)</code>). <b>Show changes</b> reads the file and "
    "shows what would change; nothing is written until you click <b>Write</b>. The file's other "
    "profiles, comments and order are kept, and a backup of it is made first."
)


def _writes(diff: pd.DataFrame) -> int:
    return int(diff["action"].isin(CHANGING).sum()) if not diff.empty else 0


def _updates(diff: pd.DataFrame) -> list[str]:
    if diff.empty:
        return []
    return [str(p) for p in diff.loc[diff["action"] == "update", "profile"]]


#: The diff's columns as the section shows them (the frame keeps every column).
DIFF_VIEW: Final = {
    "profile": "profile",
    "action": "action",
    "role_arn": "role ARN",
    "changes": "what changes",
}


def diff_html(diff: pd.DataFrame, empty: str = "No roles chosen.") -> str:
    """The diff, readable: one row per profile, the ones that change an existing profile red."""
    shown = diff[[c for c in DIFF_VIEW if c in diff]].rename(columns=DIFF_VIEW)
    if "what changes" in shown:
        shown["what changes"] = shown["what changes"].replace("", "-")
    red = list(diff["action"].isin(["update", "updated"])) if not diff.empty else None
    return readable_table_html(shown, css="xacct-profile-diff", empty=empty, red_rows=red)


class ProfileExport:
    """Source profile and config path fields, Show changes, the diff, a confirmation, Write.

    ``chosen()`` gives the roles to export (the panel's ticks). :attr:`diff` is the last diff
    shown (None until one is, and again after any input changes), :attr:`result` the last
    write's frame and :attr:`backup` the path of the backup it made (or None).
    """

    def __init__(
        self,
        panel: Panel,
        chosen: Callable[[], list[Any]],
        *,
        path: str | os.PathLike[str] | None = None,
        source_profile: str | None = None,
    ) -> None:
        self.panel = panel
        self._chosen = chosen
        self.diff: pd.DataFrame | None = None
        self.result: pd.DataFrame | None = None
        self.backup: str | None = None
        self.source = field(
            w.Text(value=source_profile or "", placeholder="e.g. default"),
            "Source profile",
            "The profile whose credentials the exported profiles switch from (your user's).",
            "xacct-export-source-profile",
        )
        self.path = field(
            w.Text(value=str(config_path(path))),
            "AWS config file",
            "The file to update (the AWS CLI reads $AWS_CONFIG_FILE, else ~/.aws/config).",
            "xacct-export-config-path",
            width="48em",
        )
        for made in (self.source, self.path):
            made.control.observe(lambda _c: self.reset(), "value")
        self.show_button = button(
            "Show changes",
            "xacct-export-show",
            self.do_show,
            icon="search",
            tooltip="Read the config file and show what would change (nothing is written)",
        )
        self.write_button = button(
            "Write profiles",
            "xacct-export-write",
            self.do_write,
            button_style="warning",
            icon="save",
            tooltip="Write the profiles shown above (a backup of the file is made first)",
        )
        self.diff_table = classed(w.HTML(""), "xacct-profile-diff-table")
        self.confirm = classed(w.Checkbox(value=False, indent=False), "xacct-confirm-update")
        self.confirm.layout.width = "auto"
        self.confirm.layout.display = "none"
        self.confirm.observe(lambda _c: self.sync(), "value")
        self.overwrite = classed(
            w.Checkbox(
                value=False,
                indent=False,
                description="Take over the profiles named above (written by hand): show the "
                "changes, then write them",
            ),
            "xacct-export-overwrite",
        )
        self.overwrite.layout.width = "auto"
        self.overwrite.layout.display = "none"
        self.overwrite.observe(lambda _c: self._clear(), "value")
        self.note = classed(w.HTML(""), "xacct-export-note")
        self.box = w.VBox(
            [
                w.HTML(f'<div class="xacct-help-text">{_HELP}</div>'),
                self.source.box,
                self.path.box,
                self.overwrite,
                self.show_button,
                self.diff_table,
                self.confirm,
                self.write_button,
                self.note,
            ]
        )
        self.reset()

    # -- state ----------------------------------------------------------------------------------
    @property
    def source_profile(self) -> str:
        return str(self.source.control.value).strip()

    @property
    def config_file(self) -> str:
        return str(self.path.control.value).strip()

    @property
    def needs_confirmation(self) -> bool:
        """The diff changes existing profiles (red rows): Write waits for the tick."""
        return self.diff is not None and bool(_updates(self.diff))

    def reset(self) -> None:
        """Inputs changed: the diff shown no longer holds, so Write waits for a new one; an
        offer to take over hand-written profiles is withdrawn."""
        self.overwrite.value = False
        self.overwrite.layout.display = "none"
        self._clear()

    def _clear(self) -> None:
        """Forget the diff shown (Write waits for a new one)."""
        self.diff = None
        self.diff_table.value = ""
        self.confirm.value = False
        self.confirm.layout.display = "none"
        self.sync()

    def sync(self) -> None:
        """Write only after a diff with something to write, and the tick if it updates."""
        count = _writes(self.diff) if self.diff is not None else 0
        self.write_button.description = (
            f"Write {plural(count, 'profile')}" if count else "Write profiles"
        )
        self.write_button.disabled = not count or (
            self.needs_confirmation and not self.confirm.value
        )
        self.show_button.disabled = not self._chosen()

    def _export(self, *, dry_run: bool) -> pd.DataFrame:
        return export_profiles(
            self._chosen(),
            self.config_file or None,
            source_profile=self.source_profile,
            dry_run=dry_run,
            overwrite=bool(self.overwrite.value),
        )

    # -- actions --------------------------------------------------------------------------------
    def do_show(self) -> bool:
        """Click "Show changes": the diff against the file, nothing written."""

        def show() -> None:
            self._clear()
            self.note.value = ""
            diff = self._export(dry_run=True)
            self.diff = diff
            self.diff_table.value = diff_html(diff)
            updates = _updates(diff)
            self.confirm.description = (
                f"I understand this changes existing profiles: {', '.join(updates)} (the red rows)"
                if updates
                else ""
            )
            self.confirm.layout.display = None if updates else "none"
            count = _writes(diff)
            if count:
                self.panel.say(
                    f"{plural(count, 'profile')} to write in {self.config_file}; nothing "
                    "written yet.",
                    "warning" if updates else "ok",
                )
            else:
                self.panel.say("Nothing to change: the file already has these profiles.", "ok")

        ok = self.panel.act(f"reading {self.config_file}", show)
        if isinstance(self.panel.last_error, ProfileConflict):
            self.overwrite.layout.display = None  # offered only once the conflict is known
        return ok

    def do_write(self) -> bool:
        """Click "Write N profiles": write what the diff showed (a backup is made first)."""
        if self.write_button.disabled:
            return False

        def write() -> None:
            result = self._export(dry_run=False)
            self.result = result
            self.backup = _backup_of(result)
            self.reset()
            done = {"add": "added", "update": "updated"}  # the table now says what was done
            self.diff_table.value = diff_html(result.assign(action=result["action"].replace(done)))
            written = _writes(result)
            changed = result.loc[result["action"] != "unchanged", "profile"]
            example = changed.iloc[0] if not changed.empty else "NAME"
            saved = (
                f" The previous file was saved as <code>{esc(self.backup)}</code>."
                if self.backup
                else ""
            )
            self.note.value = box_html(
                "ok",
                f"Wrote {esc(plural(written, 'profile'))} to <code>{esc(self.config_file)}</code>."
                f"{saved} Try it: <code>aws --profile {esc(example)} sts get-caller-identity"
                "</code>.",
            )
            self.panel.say(f"Wrote {plural(written, 'profile')}.", "ok")

        return self.panel.act(f"writing {self.config_file}", write)


def _backup_of(result: pd.DataFrame) -> str | None:
    """The backup's path the core reports for a write (None: no previous file)."""
    found = result.attrs.get("backup")
    return str(found) if found else None
