"""The permissions chooser of the Create-role wizard (A5): managed policies and inline policies.

Why a separate part: AWS has over a thousand managed policies, so the list is searched and cut
to :data:`MAX_POLICY_CHOICES`, and a choice must survive a new search (chosen policies are kept
selected and listed first); inline policies are typed as JSON and checked as typed. That is a
small state machine of its own, and the next version of it (checkboxes with descriptions, scope
filters, a warning before a role with no permissions) replaces this module, not the wizard.

Every check is the core's: ``ids.managed_policy_arn`` for an ARN, ``ids.policy_name`` for an
inline policy's name, and :func:`~xacct_widgets.core.target.spec.inline_policy` for the policy
that is added (the very function :class:`~xacct_widgets.core.target.RoleSpec` runs), so the
field and the plan can never disagree. The catalogue comes from a core call passed in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final, cast

import ipywidgets as w
import pandas as pd

from ..core import ids, policies
from ..core.target import Scope
from ..core.target.spec import inline_policy
from ..errors import InvalidInput, InvalidPolicy
from .base import Field, FieldSpec, Wizard, build_fields, button, classed
from .create_role_steps import as_field_rule, html_widget

__all__ = ["EXAMPLE_INLINE", "MAX_POLICY_CHOICES", "PolicyPicker", "inline_name_rule"]

#: At most this many search matches are listed (AWS has over a thousand managed policies).
MAX_POLICY_CHOICES: Final = 200
EXAMPLE_INLINE: Final = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"},
        ],
    },
    indent=2,
)


def inline_name_rule(value: str) -> str:
    """``ids.policy_name`` (the one policy-name rule), its message naming an inline policy."""
    try:
        return ids.policy_name(value)
    except InvalidInput as err:
        raise InvalidPolicy(
            f"Inline {err.message[:1].lower()}{err.message[1:]}", fix=err.fix
        ) from err


def _document_rule(name: str | None) -> Callable[[str], object]:
    """The check of the JSON being typed: with a valid name, exactly what Add will run."""
    if name is None:  # no (valid) name yet: the document part of the same rule
        return lambda text: policies.validate_policy_document(text, kind="identity")
    return as_field_rule(lambda text: inline_policy(name, text))


#: The picker's form fields (the lists and buttons are made in :class:`PolicyPicker`).
PICKER_FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec(
        "policy_arn",
        lambda: w.Text(placeholder="arn:aws:iam::123456781234:policy/MyPolicy"),
        "Policy ARN",
        "Optional: add a managed policy by its ARN (e.g. one not in the list).",
        "xacct-policy-arn",
        rule=ids.managed_policy_arn,
    ),
    FieldSpec(
        "inline_name",
        lambda: w.Text(placeholder="e.g. list-buckets"),
        "Inline policy name",
        "1-128 characters, letters, digits and + = , . @ _ -.",
        "xacct-inline-name",
        rule=inline_name_rule,
    ),
    FieldSpec(
        "inline_document",
        lambda: w.Textarea(value="", placeholder=EXAMPLE_INLINE, rows=8),
        "Inline policy JSON",
        "An IAM policy document (Version, Statement); checked as you type.",
        "xacct-inline-document",
    ),
)


class PolicyPicker:
    """Managed and inline policies for one role, shown in step ``step_key`` of ``host``.

    ``catalog(scope)`` is the core call listing managed policies (read once per scope, when the
    step is shown). :attr:`chosen` and :attr:`inline` are what the role will get.
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
    )

    def __init__(
        self, host: Wizard, step_key: str, catalog: Callable[[Scope], pd.DataFrame]
    ) -> None:
        self._host = host
        self._step_key = step_key
        self._catalog_of = catalog
        self._catalog: dict[str, pd.DataFrame] = {}
        self._names: dict[str, str] = {}  # managed policy ARN -> name, for labels
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
            w.SelectMultiple(
                options=[],
                rows=10,
                description="Policies",
                style={"description_width": "4em"},
                layout={"width": "44em"},
            ),
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

        self.policy_scope.observe(lambda _c: self._scope_changed(), "value")
        self.policy_search.observe(lambda _c: self._filter(), "value")
        self.policies.observe(lambda _c: self._choices_changed(), "value")
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
            ]
        )

    # -- state ----------------------------------------------------------------------------------
    @property
    def chosen(self) -> tuple[str, ...]:
        """The managed policy ARNs chosen so far, in the order they were chosen."""
        return tuple(self.policies.value)

    @property
    def inline(self) -> dict[str, dict[str, Any]]:
        """The inline policies added so far (name -> document), copied."""
        return {k: dict(v) for k, v in self._inline.items()}

    def set_chosen(self, arns: tuple[str, ...] | list[str]) -> None:
        """Choose exactly ``arns`` (e.g. from a RoleSpec), keeping the current search."""
        for arn in arns:
            self._names.setdefault(arn, arn.rsplit("/", 1)[-1])
        self._set_options(list(arns), list(arns))

    def set_inline(self, documents: Mapping[str, Mapping[str, Any]]) -> None:
        """Replace the inline policies (e.g. from a RoleSpec, whose documents are checked)."""
        self._inline = {k: dict(policies.load_policy(v)) for k, v in documents.items()}
        self._render_inline_list()

    # -- managed policies -----------------------------------------------------------------------
    def load(self) -> None:
        """Read the catalogue for the scope shown (once per scope), then list the matches."""
        scope = str(self.policy_scope.value)
        if scope not in self._catalog:
            frame = self._catalog_of(cast(Scope, scope))
            self._catalog[scope] = frame
            for name, arn in zip(frame["name"], frame["arn"], strict=True):
                self._names[str(arn)] = str(name)
        self._filter()

    def _scope_changed(self) -> None:
        if self._host.step_key == self._step_key:
            self._host.act("listing managed policies", self.load)

    def _filter(self) -> None:
        """List the policies matching the search, chosen ones first and kept selected."""
        frame = self._catalog.get(str(self.policy_scope.value))
        chosen = list(self.policies.value)
        if frame is None:
            self._set_options(chosen, chosen)
            return
        needle = self.policy_search.value.strip().lower()
        names = frame["name"].astype(str)
        matches = frame[names.str.lower().str.contains(needle, regex=False)] if needle else frame
        arns = [a for a in matches["arn"].astype(str) if a not in chosen]
        shown = arns[:MAX_POLICY_CHOICES]
        self._set_options(chosen + shown, chosen)
        more = len(arns) - len(shown)
        self.policy_count.value = (
            f"<small>{len(arns)} matching polic{'y' if len(arns) == 1 else 'ies'}"
            + (f"; showing the first {len(shown)}: refine the search" if more else "")
            + (f"; {len(chosen)} chosen" if chosen else "")
            + "</small>"
        )

    def _set_options(self, arns: list[str], chosen: list[str]) -> None:
        self._updating = True
        try:
            self.policies.options = [(self._label(a, a in chosen), a) for a in arns]
            self.policies.value = tuple(chosen)
        finally:
            self._updating = False
        self._render_permissions()

    def _label(self, arn: str, chosen: bool) -> str:
        name = self._names.get(arn, arn.rsplit("/", 1)[-1])
        kind = "AWS" if ":aws:policy/" in arn else "customer"
        return f"{'✔ ' if chosen else ''}{name} ({kind})"

    def _choices_changed(self) -> None:
        if not self._updating:
            self._filter()  # relabel: the chosen ones marked and listed first, search kept

    def add_typed_arn(self) -> None:
        """Add the ARN typed in the field to the chosen policies (checked by the plan)."""
        arn = ids.managed_policy_arn(self.policy_arn.value)
        self.set_chosen([a for a in self.policies.value if a != arn] + [arn])
        self.policy_arn.value = ""
        self._filter()
        self._host.say(f"Added {arn}; it is checked when you click Review.", "ok")

    # -- inline policies ------------------------------------------------------------------------
    def _field_changed(self, name: str) -> None:
        if name in ("inline_name", "inline_document"):
            self._check_document()
        self._host.refresh_nav()

    def _check_document(self) -> None:
        name_field = self.fields["inline_name"]
        name = self.inline_name.value.strip()
        rule = _document_rule(name if name and not name_field.has_error else None)
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
            {"kind": "managed", "name": self._names.get(a, a.rsplit("/", 1)[-1]), "arn": a}
            for a in self.policies.value
        ]
        rows += [{"kind": "inline", "name": n, "arn": ""} for n in self._inline]
        self._host.show_table(
            self.permissions_table,
            self._step_key,
            pd.DataFrame(rows, columns=["kind", "name", "arn"]),
            empty="No permissions chosen yet (a role may have none, but it can do nothing).",
        )

    def sync_buttons(self) -> None:
        """Add ARN / Add inline / Remove inline enabled from the fields' state."""
        arn_field: Field = self.fields["policy_arn"]
        self.add_arn.disabled = not self.policy_arn.value.strip() or arn_field.has_error
        self.add_inline.disabled = not self._inline_ready()
        self.remove_inline.disabled = not self.inline_list.value
