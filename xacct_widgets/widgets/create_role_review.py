"""The review of the Create-role wizard (A6): the plan, what it takes away, and the confirmations.

Why a part of its own: this is the last page before a write to a possibly real account, and the
page where the wizard used to let "detach ReadOnlyAccess" through as an ordinary row. Rows that
take something away (the core's :attr:`~xacct_widgets.core.target.Plan.destructive`) are shown
red and listed, and Apply stays off until a box saying so is ticked; so does a role with no
permissions at all. The switch-role URL users will get is shown here already, before Apply, as
the tutorial shows it on its review page.
"""

from __future__ import annotations

from typing import Any, ClassVar

import ipywidgets as w

from ..core import urls
from ..core.target import Plan
from ..errors import XacctError
from .base import box_html, classed, esc
from .copy_button import copy_box_html
from .create_role_fields import Html, build_body, html_widget, json_html, plan_note_html
from .html import marked_table_html

__all__ = ["PlanReview"]


def _confirm(css: str) -> Any:
    box = classed(w.Checkbox(value=False, indent=False), css)
    box.layout.width = "auto"
    box.layout.display = "none"
    return box


class PlanReview:
    """A6: renders a :class:`Plan`; :attr:`confirmed` says whether Apply may go ahead.

    ``on_change`` runs when a confirmation box is ticked (the wizard re-enables Apply then).
    """

    exposed: ClassVar[tuple[str, ...]] = (
        "review_summary",
        "plan_table",
        "plan_note",
        "trust_policy",
        "switch_url_preview",
        "confirm_destructive",
        "confirm_empty",
    )

    def __init__(self, on_change: Any) -> None:
        self.plan: Plan | None = None
        self.review_summary = html_widget("xacct-review-summary")
        self.plan_table = html_widget("xacct-plan-table")
        self.plan_note = html_widget("xacct-plan-note")
        self.trust_policy = html_widget("xacct-trust-policy")
        self.switch_url_preview = html_widget("xacct-switch-url-preview")
        self.empty_note = html_widget("xacct-empty-role-note")
        self.confirm_destructive = _confirm("xacct-confirm-destructive")
        self.confirm_empty = _confirm("xacct-confirm-empty")
        for box in (self.confirm_destructive, self.confirm_empty):
            box.observe(lambda _c: on_change(), "value")
        parts = {name: getattr(self, name) for name in (*self.exposed, "empty_note")}
        self.box = build_body(
            (
                "review_summary",
                Html("<b>Plan</b> (nothing written yet)"),
                "plan_table",
                "plan_note",
                "confirm_destructive",
                "empty_note",
                "confirm_empty",
                Html("<b>Trust policy</b>"),
                "trust_policy",
                Html("<b>Switch-role URL</b> (give it to the users who may switch in)"),
                "switch_url_preview",
            ),
            parts.__getitem__,
        )

    @property
    def needs_destructive(self) -> bool:
        return self.plan is not None and any(s.is_destructive for s in self.plan.steps)

    @property
    def needs_empty(self) -> bool:
        spec = self.plan.spec if self.plan is not None else None
        return spec is not None and not spec.managed_policy_arns and not spec.inline_policies

    @property
    def confirmed(self) -> bool:
        """Every confirmation the plan needs is ticked (none needed: True)."""
        return (not self.needs_destructive or bool(self.confirm_destructive.value)) and (
            not self.needs_empty or bool(self.confirm_empty.value)
        )

    def render(
        self, plan: Plan, summary_html: str, account_id: str | None, partition: str = "aws"
    ) -> None:
        """Show ``plan``; the confirmation boxes start unticked every time."""
        self.plan = plan
        self.review_summary.value = summary_html
        marked = [i for i, s in enumerate(plan.steps) if s.is_destructive]
        self.plan_table.value = marked_table_html(plan.changes, marked, empty="No changes.")
        self.plan_note.value = plan_note_html(plan)
        self.trust_policy.value = json_html(plan.trust_policy)
        removes = ", ".join(
            f"{s.action} {s.target.rsplit('/', 1)[-1]}" for s in plan.steps if s.is_destructive
        )
        self.confirm_destructive.description = (
            f"I understand this removes: {removes} (the red rows)" if removes else ""
        )
        self.empty_note.value = (
            box_html(
                "error",
                "<b>This role will have no permissions:</b> no managed or inline policy. "
                "Whoever switches into it can do nothing. Go to the <b>← Previous step</b> "
                "(Permissions), or confirm below.",
            )
            if self.needs_empty
            else ""
        )
        self.confirm_empty.description = (
            "I understand the role will have no permissions" if self.needs_empty else ""
        )
        for box, needed in (
            (self.confirm_destructive, self.needs_destructive),
            (self.confirm_empty, self.needs_empty),
        ):
            box.value = False
            box.layout.display = None if needed else "none"
        self.switch_url_preview.value = self._url_html(plan, account_id, partition)

    @staticmethod
    def _url_html(plan: Plan, account_id: str | None, partition: str = "aws") -> str:
        if not account_id:
            return "<p><i>Shown once the target account has been read (step A1).</i></p>"
        try:
            url = urls.switch_role_url(
                account_id, plan.spec.name, path=plan.spec.path, partition=partition
            )
        except XacctError as err:
            return f"<p><i>{esc(err.message)}</i></p>"
        return copy_box_html(url, label="Copy URL", css="xacct-review-url")
