"""The role as IAM has it after Apply (A7): who may switch in, the link to hand out, its policies.

Why a part of its own: this is what an operator copies and gives away (the switch-role URL and
the role ARN, each with a copy button that works in JupyterLab and Voila), so it must look the
same wherever a role is shown; the wizard only hands it the
:class:`~xacct_widgets.core.target.RoleRecord` that Apply returned.

The URL is built by the core's :class:`~xacct_widgets.core.urls.SwitchRoleLink` (which checks
the display name and colour); the tables are the core's reads of the role. The URL box is for
copying: whatever is typed into it, the correct URL comes back.
"""

from __future__ import annotations

from typing import ClassVar, Final

import ipywidgets as w
import pandas as pd

from ..core import urls
from ..core.switch.console import switch_role_page
from ..core.target import RoleRecord, TargetAccount
from ..errors import XacctError
from .base import FieldSpec, Wizard, box_html, build_fields, color_options, esc, html_table
from .copy_button import copy_button_html
from .create_role_fields import Html, build_body, html_widget

__all__ = ["RESULT_FIELDS", "RoleResult"]

#: The fields of the result (display name and colour pre-fill the console's switch-role form).
RESULT_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec(
        "display_name",
        lambda: w.Text(placeholder="e.g. prod"),
        "Display name",
        "Optional: pre-fills the label users see after switching.",
        "xacct-display-name",
    ),
    FieldSpec(
        "color",
        lambda: w.Dropdown(options=color_options(), value=""),
        "Colour",
        "Optional: pre-fills the console colour of the role.",
        "xacct-color",
    ),
    FieldSpec(
        "switch_url",
        lambda: w.Textarea(value="", rows=2),
        "Switch-role URL",
        "Copy this link (Copy URL, below) and give it to the users who may switch into the role.",
        "xacct-switch-url",
        width="100%",
    ),
)


class RoleResult:
    """A7 of ``host``: :meth:`show` reads ``record``'s role back from ``target`` and renders it."""

    #: The controls a wizard showing the result offers as its own attributes.
    exposed: ClassVar[tuple[str, ...]] = (
        "display_name",
        "color",
        "switch_url",
        "result_summary",
        "trust_table",
        "switch_link",
        "switch_url_copy",
        "arn_copy",
        "attached_table",
        "inline_table",
    )

    def __init__(self, host: Wizard, step_key: str, target: TargetAccount) -> None:
        self._host = host
        self._step_key = step_key
        self._target = target
        self.record: RoleRecord | None = None
        self.attached = pd.DataFrame()
        self.inline = pd.DataFrame()
        self._url = ""

        self.fields = build_fields(RESULT_FIELDS, self._field_changed)
        self.display_name = self.fields["display_name"].control
        self.color = self.fields["color"].control
        self.switch_url = self.fields["switch_url"].control
        self.result_summary = html_widget("xacct-result-summary")
        self.trust_table = html_widget("xacct-trust-table")
        self.switch_link = html_widget("xacct-switch-link")
        self.switch_url_copy = html_widget("xacct-switch-url-copy")
        self.arn_copy = html_widget("xacct-arn-copy")
        self.attached_table = html_widget("xacct-attached-policies-table")
        self.inline_table = html_widget("xacct-inline-policies-table")
        parts = {
            "result_summary": self.result_summary,
            "trust_table": self.trust_table,
            "switch_link": self.switch_link,
            "switch_url_copy": self.switch_url_copy,
            "arn_copy": self.arn_copy,
            "attached_table": self.attached_table,
            "inline_table": self.inline_table,
        }
        self.box = build_body(
            (
                "result_summary",
                "arn_copy",
                Html("<b>Trust relationships</b>"),
                "trust_table",
                Html("<b>Switch-role URL</b>"),
                "display_name",
                "color",
                "switch_url",
                "switch_url_copy",
                "switch_link",
                Html("<b>Attached managed policies</b>"),
                "attached_table",
                Html("<b>Inline policies</b>"),
                "inline_table",
            ),
            lambda name: self.fields[name].box if name in self.fields else parts[name],
        )

    def show(self, record: RoleRecord, headline: str = "is in place") -> None:
        """Read the role back (trust relationships, policies) and build its URL.

        ``headline`` says what Apply did ("was created", "was updated", "already matched").
        """
        self.record = record
        name = record.name
        self.result_summary.value = box_html(
            "ok", f"Role <b>{esc(name)}</b> {esc(headline)}: <code>{esc(record.arn)}</code>."
        )
        self.arn_copy.value = copy_button_html(record.arn, label="Copy ARN", css="xacct-copy-arn")
        trust = self._target.trust_relationships(name)
        self._host.show_table(self.trust_table, self._step_key, trust)
        self.attached = self._target.attached_policies(name)
        self.inline = self._target.inline_policies(name)
        self.attached_table.value = html_table(self.attached, empty="No managed policy attached.")
        self.inline_table.value = html_table(self.inline, empty="No inline policy.")
        self._update_url()

    def _field_changed(self, name: str) -> None:
        if name == "switch_url":
            if self.switch_url.value != self._url:  # typed over: put the URL back
                self.switch_url.value = self._url
        else:
            self._update_url()

    def _update_url(self) -> None:
        """Rebuild the URL from the display name and colour (core URL builder; no call)."""
        record = self.record
        display = self.fields["display_name"]
        try:
            link = (
                urls.SwitchRoleLink(
                    record.account_id,
                    record.name,
                    self.display_name.value or None,
                    self.color.value or None,
                    record.path,
                    record.partition,
                )
                if record is not None
                else None
            )
        except XacctError as err:
            display.set_error(err.message)
            return
        display.set_error(None)
        self._url = link.url if link else ""
        self.switch_url.value = self._url
        self.switch_url_copy.value = (
            copy_button_html(self._url, label="Copy URL", css="xacct-copy-url") if self._url else ""
        )
        # In sandbox mode the page is the sandbox's own (AWS's sign-in host is not the sandbox).
        page = switch_role_page(self._target.session, self._url) if self._url else ""
        self.switch_link.value = (
            f'<a href="{esc(page)}" target="_blank" rel="noopener noreferrer">'
            "Open the switch-role page</a>"
            if page
            else ""
        )
