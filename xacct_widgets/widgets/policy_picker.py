"""The permissions chooser of the Create-role wizard (A5): managed policies and inline policies.

Why a separate part: AWS has over a thousand managed policies, so the list is searched and cut
to :data:`MAX_POLICY_CHOICES`, and a choice must survive a new search or scope. Like the
console, each policy is a checkbox with its description: a click adds (it never replaces, as a
plain click in a multi-select list did), ticked policies stay listed first whatever the filter,
and an empty choice is said loudly (the review then asks for a confirmation). Descriptions cost
one GetPolicy each (ListPolicies has none), so only the rows shown are described, once each
(the core remembers them). Inline policies are typed as JSON and checked as typed.

Every check is the core's: ``ids.managed_policy_arn`` for an ARN, ``ids.policy_name`` for an
inline policy's name, and :func:`~xacct_widgets.core.target.spec.inline_policy` for the policy
that is added (the very function :class:`~xacct_widgets.core.target.RoleSpec` runs), so the
field and the plan can never disagree. The catalogue comes from a core call passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final, cast

import ipywidgets as w
import pandas as pd

from ..core import ids, policies
from ..core.target import Scope
from ..core.target.spec import inline_policy
from ..errors import InvalidArn, InvalidInput, XacctError
from .base import Field, Wizard, box_html, build_fields, button, classed, esc
from .create_role_fields import html_widget
from .policy_fields import EXAMPLE_INLINE, PICKER_FIELDS, document_rule, inline_name_rule

__all__ = [
    "EXAMPLE_INLINE",
    "MAX_POLICY_CHOICES",
    "PolicyPicker",
    "inline_name_rule",
    "policy_label",
]

#: At most this many unticked search matches are listed (and described: one GetPolicy each).
MAX_POLICY_CHOICES: Final = 30


def policy_label(arn: str) -> tuple[str, str]:
    """The name and kind (``"AWS"`` or ``"customer"``) of a managed policy ARN, read by the
    core's ARN parser: the owner is the ARN's account field (``aws`` in every partition), and the
    name is the last segment of its resource (after any path)."""
    try:
        parsed = ids.parse_arn(arn)
    except InvalidArn:
        return arn, "customer"
    return parsed.name, "AWS" if parsed.account_id == "aws" else "customer"


class PolicyPicker:
    """Managed and inline policies for one role, shown in step ``step_key`` of ``host``.

    ``catalog(scope)`` is the core call listing managed policies (read once per scope, when the
    step is shown); ``describe(arns)`` the core call reading their descriptions (remembered by
    the core). :attr:`chosen` and :attr:`inline` are what the role will get; :attr:`checkboxes`
    holds one checkbox per policy listed now (:attr:`shown`).
    """

    #: The controls a wizard showing the picker offers as its own attributes.
    exposed: ClassVar[tuple[str, ...]] = (
        "policy_scope",
        "policy_search",
        "policies",
        "policy_count",
        "policy_arn",
        "add_arn",
        "inline_name",
        "inline_document",
        "add_inline",
        "inline_list",
        "remove_inline",
        "permissions_table",
        "permissions_warning",
    )

    def __init__(
        self,
        host: Wizard,
        step_key: str,
        catalog: Callable[[Scope], pd.DataFrame],
        describe: Callable[[list[str]], dict[str, str]] | None = None,
    ) -> None:
        self._host = host
        self._step_key = step_key
        self._catalog_of = catalog
        self._describe = describe
        self._catalog: dict[str, pd.DataFrame] = {}
        self._names: dict[str, str] = {}  # managed policy ARN -> name, for labels
        self._descriptions: dict[str, str] = {}
        self._chosen: list[str] = []
        self._rows: dict[str, Any] = {}  # ARN -> its row (checkbox + description), reused
        self.checkboxes: dict[str, Any] = {}
        self._inline: dict[str, dict[str, Any]] = {}
        self._updating = False

        self.fields = build_fields(PICKER_FIELDS, self._field_changed)
        self.policy_arn = self.fields["policy_arn"].control
        self.inline_name = self.fields["inline_name"].control
        self.inline_document = self.fields["inline_document"].control
        self.policy_scope = classed(
            w.ToggleButtons(
                options=[("All", "All"), ("AWS managed", "AWS"), ("Customer managed", "Local")],
                value="All",
                description="Show",
                style={"description_width": "4em", "button_width": "12em"},
            ),
            "xacct-policy-scope",
        )
        self.policy_search = classed(
            w.Text(
                placeholder="e.g. ReadOnly",
                description="Search",
                style={"description_width": "4em"},
                layout={"width": "30em"},
            ),
            "xacct-policy-search",
        )
        self.policies = classed(
            w.VBox([], layout={"max_height": "22em", "overflow": "auto", "width": "60em"}),
            "xacct-policies",
        )
        self.policy_count = html_widget("xacct-policy-count")
        self.add_arn = button(
            "Add ARN",
            "xacct-add-arn",
            lambda: host.act("adding the policy ARN", self.add_typed_arn),
            icon="plus",
        )
        self.add_inline = button(
            "Add inline policy",
            "xacct-add-inline",
            lambda: host.act("adding the inline policy", self.add_typed_inline),
            icon="plus",
        )
        self.inline_list = classed(
            w.Select(
                options=[],
                rows=3,
                description="Inline",
                style={"description_width": "4em"},
                layout={"width": "30em"},
            ),
            "xacct-inline-list",
        )
        self.remove_inline = button(
            "Remove inline policy",
            "xacct-remove-inline",
            lambda: host.act("removing the inline policy", self.remove_selected_inline),
            icon="trash",
            layout={"width": "14em"},
        )
        self.permissions_table = html_widget("xacct-permissions-table")
        self.permissions_warning = html_widget("xacct-no-permissions")

        self.policy_scope.observe(lambda _c: self._scope_changed(), "value")
        self.policy_search.observe(lambda _c: self._filter(), "value")
        self.inline_list.observe(lambda _c: host.refresh_nav(), "value")
        self.box = w.VBox(
            [
                w.HTML("<b>Managed policies</b>"),
                self.policy_scope,
                self.policy_search,
                self.policies,
                self.policy_count,
                w.HBox([self.fields["policy_arn"].box, self.add_arn]),
                w.HTML("<b>Inline policies</b>"),
                self.fields["inline_name"].box,
                self.fields["inline_document"].box,
                self.add_inline,
                w.HBox([self.inline_list, self.remove_inline]),
                w.HTML("<b>The role's permissions so far</b>"),
                self.permissions_table,
                self.permissions_warning,
            ]
        )

    # -- state ----------------------------------------------------------------------------------
    @property
    def chosen(self) -> tuple[str, ...]:
        """The managed policy ARNs chosen so far, in the order they were chosen."""
        return tuple(self._chosen)

    @property
    def shown(self) -> tuple[str, ...]:
        """The ARNs listed now: the chosen ones first, then the matches of search and scope."""
        return tuple(self.checkboxes)

    @property
    def inline(self) -> dict[str, dict[str, Any]]:
        """The inline policies added so far (name -> document), copied."""
        return {k: dict(v) for k, v in self._inline.items()}

    def set_chosen(self, arns: tuple[str, ...] | list[str]) -> None:
        """Choose exactly ``arns`` (e.g. from a RoleSpec), keeping the current search."""
        for arn in arns:
            self._names.setdefault(arn, policy_label(arn)[0])
        self._chosen = list(dict.fromkeys(arns))
        self._filter()

    def check(self, arn: str, on: bool = True) -> None:
        """Tick (or untick) ``arn``: what a click on its checkbox does; others stay as they are."""
        if on and arn not in self._chosen:
            self._chosen.append(arn)
        elif not on and arn in self._chosen:
            self._chosen.remove(arn)
        box = self.checkboxes.get(arn)
        if box is not None and box.value != on:
            self._updating = True
            try:
                box.value = on
            finally:
                self._updating = False
        self._render_count()
        self._render_permissions()

    def set_inline(self, documents: Mapping[str, Mapping[str, Any]]) -> None:
        """Replace the inline policies (e.g. from a RoleSpec, whose documents are checked)."""
        self._inline = {k: dict(policies.load_policy(v)) for k, v in documents.items()}
        self._render_inline_list()
        self._render_permissions()

    # -- managed policies -----------------------------------------------------------------------
    def load(self) -> None:
        """Read the catalogue for the scope shown (once per scope), then list the matches."""
        scope = str(self.policy_scope.value)
        if scope not in self._catalog:
            frame = self._catalog_of(cast(Scope, scope))
            self._catalog[scope] = frame
            for name, arn in zip(frame["name"], frame["arn"], strict=True):
                self._names[str(arn)] = str(name)
            if "description" in frame:
                for arn, text in zip(frame["arn"], frame["description"], strict=True):
                    if text:
                        self._descriptions[str(arn)] = str(text)
        self._filter()

    def _scope_changed(self) -> None:
        if self._host.step_key == self._step_key:
            self._host.act("listing managed policies", self.load)

    def _filter(self) -> None:
        """List the chosen policies first (whatever the filter), then the matches."""
        frame = self._catalog.get(str(self.policy_scope.value))
        others: list[str] = []
        if frame is not None:
            needle = self.policy_search.value.strip().lower()
            names = frame["name"].astype(str)
            matches = (
                frame[names.str.lower().str.contains(needle, regex=False)] if needle else frame
            )
            others = [a for a in matches["arn"].astype(str) if a not in self._chosen]
        listed = others[:MAX_POLICY_CHOICES]
        self._describe_rows([*self._chosen, *listed])
        self.checkboxes = {}
        rows = [self._row(a) for a in [*self._chosen, *listed]]
        self.policies.children = rows
        self._matches = (len(others), len(listed))
        self._render_count()
        self._render_permissions()

    def _describe_rows(self, arns: list[str]) -> None:
        missing = [a for a in arns if a not in self._descriptions]
        if not missing or self._describe is None:
            return
        try:
            self._descriptions.update(self._describe(missing))
        except XacctError as err:  # descriptions are a help, never a reason to stop
            self._host.say(f"Policy descriptions could not be read: {err.message}", "warning")
            self._descriptions.update(dict.fromkeys(missing, ""))

    def _row(self, arn: str) -> Any:
        """The row of ``arn``: built once, then reused (its checkbox set to the choice)."""
        row = self._rows.get(arn)
        if row is None:
            box = classed(
                w.Checkbox(value=False, description=self._label(arn), indent=False),
                "xacct-policy-check",
            )
            box.layout.width = "24em"
            box.observe(lambda change, a=arn: self._clicked(a, bool(change["new"])), "value")
            text = self._descriptions.get(arn, "")
            note = w.HTML(
                f'<span class="xacct-policy-description" style="color:#555;font-size:12px">'
                f"{esc(text)}</span>"  # none: nothing (issue 20, item 7: no "no description")
            )
            row = self._rows[arn] = classed(w.HBox([box, note]), "xacct-policy-row")
        box = row.children[0]
        self._updating = True
        try:
            box.value = arn in self._chosen
        finally:
            self._updating = False
        self.checkboxes[arn] = box
        return row

    def _clicked(self, arn: str, on: bool) -> None:
        if not self._updating:
            self.check(arn, on)

    def _label(self, arn: str) -> str:
        name, kind = policy_label(arn)
        return f"{self._names.get(arn, name)} ({kind})"

    def _render_count(self) -> None:
        total, listed = getattr(self, "_matches", (0, 0))
        more = total - listed
        chosen = len(self._chosen)
        # Issue 20, item 7: "N more matching" read as N hidden; say what the list shows.
        matching = f"{total} matching polic{'y' if total == 1 else 'ies'}"
        self.policy_count.value = (
            "<small>"
            + (
                f"{matching}; the first {listed} are listed below (refine the search for the rest)"
                if more
                else f"{matching}, all listed below"
            )
            + f"; <b>{chosen} ticked</b> (always listed first)</small>"
        )

    def add_typed_arn(self) -> None:
        """Add the ARN typed in the field to the chosen policies (checked by the plan)."""
        arn = ids.managed_policy_arn(self.policy_arn.value)
        self.set_chosen([a for a in self._chosen if a != arn] + [arn])
        self.policy_arn.value = ""
        self._host.say(f"Added {arn}; it is checked when you click Review.", "ok")

    # -- inline policies ------------------------------------------------------------------------
    def _field_changed(self, name: str) -> None:
        if name in ("inline_name", "inline_document"):
            self._check_document()
        self._host.refresh_nav()

    def _check_document(self) -> None:
        name_field = self.fields["inline_name"]
        name = self.inline_name.value.strip()
        rule = document_rule(name if name and not name_field.has_error else None)
        doc_field = self.fields["inline_document"]
        doc_field.check(lambda: rule(self.inline_document.value))

    def _inline_ready(self) -> bool:
        filled = self.inline_name.value.strip() and self.inline_document.value.strip()
        return bool(filled) and not any(
            self.fields[n].has_error for n in ("inline_name", "inline_document")
        )

    def add_typed_inline(self) -> None:
        """Add (or replace) the inline policy typed in the editor, checked by the core."""
        name, document = inline_policy(self.inline_name.value.strip(), self.inline_document.value)
        replaced = name in self._inline
        self._inline[name] = document
        self.inline_name.value = ""
        self.inline_document.value = ""
        self._render_inline_list()
        self._render_permissions()
        self._host.say(f"Inline policy {name!r} {'replaced' if replaced else 'added'}.", "ok")

    def remove_selected_inline(self) -> None:
        """Remove the inline policy selected in the list."""
        name = self.inline_list.value
        if not name:
            raise InvalidInput(
                "No inline policy is selected.", fix="Click one in the list, then Remove."
            )
        self._inline.pop(name, None)
        self._render_inline_list()
        self._render_permissions()
        self._host.say(f"Inline policy {name!r} removed.")

    def _render_inline_list(self) -> None:
        self.inline_list.options = list(self._inline)
        self._host.refresh_nav()

    # -- display --------------------------------------------------------------------------------
    def _render_permissions(self) -> None:
        rows = [
            {"kind": "managed", "name": self._names.get(a, policy_label(a)[0]), "arn": a}
            for a in self._chosen
        ]
        rows += [{"kind": "inline", "name": n, "arn": ""} for n in self._inline]
        self._host.show_table(
            self.permissions_table,
            self._step_key,
            pd.DataFrame(rows, columns=["kind", "name", "arn"]),
            empty="No permissions chosen yet.",
        )
        self.permissions_warning.value = (
            box_html(
                "error",
                "<b>No permissions chosen:</b> a role without policies can do nothing after "
                "the switch. Tick at least one policy (e.g. ReadOnlyAccess); the review asks "
                "you to confirm if you really want an empty role.",
            )
            if not rows
            else ""
        )

    def sync_buttons(self) -> None:
        """Add ARN / Add inline / Remove inline enabled from the fields' state."""
        arn_field: Field = self.fields["policy_arn"]
        self.add_arn.disabled = not self.policy_arn.value.strip() or arn_field.has_error
        self.add_inline.disabled = not self._inline_ready()
        self.remove_inline.disabled = not self.inline_list.value
