"""``CreateRoleWizard``: part A of the tutorial (A1-A7) as a guided widget, in the target account.

Steps, one per tutorial step: the existing roles -> the role name -> the role type and its
options (ExternalId, MFA, session length) -> the trusted account -> permissions (managed
policies with search, inline policies) -> the review (plan and trust policy, nothing written
yet) and Apply -> the result read back (trust relationships, switch-role URL, policies).

Why a plan before Apply: the console shows a review page before it writes anything, and an
operator re-running the wizard on an existing role must see that only the differences will be
applied. The plan and the apply are the core's (:class:`~xacct_widgets.core.target.TargetAccount`);
the widget only gathers a :class:`~xacct_widgets.core.target.RoleSpec` and renders the answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final, cast

import boto3
import ipywidgets as w
import pandas as pd

from ..core import ids, policies, urls
from ..core.target import Plan, RoleRecord, RoleSpec, Scope, TargetAccount
from ..errors import InvalidInput, InvalidPolicy, InvalidRoleSpec, PolicyNotFound, XacctError
from .common import Step, Wizard, box_html, classed, color_options, esc, field, html_table

__all__ = ["MAX_POLICY_CHOICES", "CreateRoleWizard"]

#: At most this many search matches are listed (AWS has over a thousand managed policies).
MAX_POLICY_CHOICES: Final = 200
_POLICY_NAME_RE: Final = re.compile(r"[\w+=,.@-]{1,128}", re.ASCII)
_EXAMPLE_INLINE: Final = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"},
        ],
    },
    indent=2,
)

_H_ROLES = (
    "You are in the <b>target account</b>, where the role will live (IAM → Roles). These are "
    "its existing roles. The tutorial creates a role named <code>cross-account</code>; if it "
    "is already listed, the wizard will show what would change and apply only that. "
    "Click <b>Next</b> to name the role."
)
_H_NAME = (
    "Type the role's name: 1-64 characters, letters, digits and <code>+ = , . @ _ -</code> "
    "(no spaces). It is checked as you type; <b>Next</b> stays off until it is valid."
)
_H_TYPE = (
    "Role type: <b>cross-account access — another AWS account</b>. Users of the account you "
    "trust (next step) will be able to switch into this role. Optionally require an "
    "<b>ExternalId</b> (a shared value the switcher must give, for third parties) or "
    "<b>MFA</b>, and set how long a switched session may last (1 hour is the console's default)."
)
_H_ACCOUNT = (
    "Type the ID of the account whose users may switch into this role (the <b>source</b> "
    "account, <code>9876-5432-9876</code> in the tutorial). 12 digits; hyphens are fine. "
    "The trust policy it produces is shown below as you type."
)
_H_PERMS = (
    "Choose what the role may do. Type in <b>Search</b> to find managed policies, then click "
    "(Ctrl/⌘-click for several) in the list: chosen policies stay selected and listed first. "
    "You can also add a policy by its ARN, or write an <b>inline policy</b> (name + JSON) and "
    "click <b>Add inline policy</b>. Permissions can be changed later: a re-run applies only "
    "the differences. Click <b>Review</b> to see the plan; nothing is written yet."
)
_H_REVIEW = (
    "Review what <b>Apply</b> will do in the target account: the plan (one row per change) and "
    "the trust policy. Nothing has been written yet. Click <b>Apply</b> to create or update the "
    "role; if any step fails, everything done so far is rolled back. Use <b>Back</b> to change "
    "anything first."
)
_H_RESULT = (
    "The role as IAM now has it. <b>Trust relationships</b> lists who may switch in. Give the "
    "<b>switch-role URL</b> to the users who may switch (copy it from the box; set a display "
    "name and colour to have them pre-filled). The attached and inline policies are listed "
    "below. To switch into the role, use the switch-role wizard in the source account."
)


def _hours(seconds: int) -> str:
    hours = seconds / 3600
    text = f"{hours:g} hour" + ("" if hours == 1 else "s")
    return text + (" (default)" if seconds == 3600 else "")


class CreateRoleWizard(Wizard):
    """Create (or converge) a cross-account role in the target account, in seven steps.

    ``session`` is a boto3 session in the target account (or a ready ``TargetAccount``);
    ``spec`` pre-fills every field from a :class:`RoleSpec` (e.g. a runbook's parameters).

    State for notebook code: ``target`` (the core ``TargetAccount``), ``spec`` (the RoleSpec the
    fields describe now, or None while incomplete), ``plan`` (the last plan shown), ``record``
    (the role as read back after Apply) and ``frame`` (the table of the current step).
    """

    _css = "xacct-create-wizard"

    def __init__(
        self, session: boto3.Session | TargetAccount, *, spec: RoleSpec | None = None
    ) -> None:
        super().__init__()
        self.target = session if isinstance(session, TargetAccount) else TargetAccount(session)
        self.plan: Plan | None = None
        self.record: RoleRecord | None = None
        self._initial = spec
        self._existing: set[str] = set()
        self._catalog: dict[str, pd.DataFrame] = {}
        self._names: dict[str, str] = {}  # managed policy ARN -> name, for labels
        self._inline: dict[str, dict[str, Any]] = {}
        self._updating = False
        self._url_value = ""
        self.attached = pd.DataFrame()
        self.inline = pd.DataFrame()

        # A1
        self.roles_table = classed(w.HTML(""), "xacct-roles-table")
        self.refresh_roles_button = classed(
            w.Button(description="Refresh", icon="refresh", tooltip="Read the roles again"),
            "xacct-refresh-roles",
        )
        self.refresh_roles_button.on_click(
            lambda _b: self.act("reading the roles", self._load_roles)
        )
        roles_box = w.VBox([self.roles_table, self.refresh_roles_button])

        # A2
        self._name = field(
            w.Text(placeholder="cross-account"),
            "Role name",
            "Letters, digits and + = , . @ _ - only; at most 64 characters.",
            "xacct-role-name",
        )
        self._description = field(
            w.Text(placeholder="optional"),
            "Description",
            "Optional: what the role is for (shown in IAM).",
            "xacct-role-description",
        )
        self.name = self._name.control
        self.role_description = self._description.control
        self.name_note = classed(w.HTML(""), "xacct-name-note")
        name_box = w.VBox([self._name.box, self.name_note, self._description.box])

        # A3
        self._external = field(
            w.Text(placeholder="leave empty unless a third party asks for one"),
            "ExternalId",
            "Optional: 2-1224 characters, letters, digits and + = , . @ : / _ -.",
            "xacct-external-id",
        )
        self._mfa = field(
            w.Checkbox(value=False, indent=False),
            "Require MFA",
            "Only sessions signed in with MFA may switch into the role.",
            "xacct-require-mfa",
        )
        self._max_session = field(
            w.Dropdown(options=[(_hours(h * 3600), h * 3600) for h in range(1, 13)], value=3600),
            "Max session",
            "How long a switched session may last before it must be renewed.",
            "xacct-max-session",
        )
        self.external_id = self._external.control
        self.require_mfa = self._mfa.control
        self.max_session = self._max_session.control
        type_box = w.VBox(
            [
                w.HTML(
                    "<p>🔁 <b>Another AWS account</b> — cross-account access between AWS "
                    "accounts you own.</p>"
                ),
                self._external.box,
                self._mfa.box,
                self._max_session.box,
            ]
        )

        # A4
        self._trusted = field(
            w.Text(placeholder="9876-5432-9876"),
            "Trusted account ID",
            "The 12-digit ID of the account users switch from; hyphens are fine.",
            "xacct-trusted-account",
        )
        self.trusted_account = self._trusted.control
        self.trust_preview = classed(w.HTML(""), "xacct-trust-preview")
        account_box = w.VBox([self._trusted.box, self.trust_preview])

        # A5
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
        self.policy_count = classed(w.HTML(""), "xacct-policy-count")
        self._arn = field(
            w.Text(placeholder="arn:aws:iam::123456781234:policy/MyPolicy"),
            "Policy ARN",
            "Optional: add a managed policy by its ARN (e.g. one not in the list).",
            "xacct-policy-arn",
        )
        self.policy_arn = self._arn.control
        self.add_arn = classed(w.Button(description="Add ARN", icon="plus"), "xacct-add-arn")
        self._inline_name = field(
            w.Text(placeholder="e.g. list-buckets"),
            "Inline policy name",
            "1-128 characters, letters, digits and + = , . @ _ -.",
            "xacct-inline-name",
        )
        self._inline_doc = field(
            w.Textarea(value="", placeholder=_EXAMPLE_INLINE, rows=8),
            "Inline policy JSON",
            "An IAM policy document (Version, Statement); checked as you type.",
            "xacct-inline-document",
        )
        self.inline_name = self._inline_name.control
        self.inline_document = self._inline_doc.control
        self.add_inline = classed(
            w.Button(description="Add inline policy", icon="plus"), "xacct-add-inline"
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
        self.remove_inline = classed(
            w.Button(description="Remove inline policy", icon="trash", layout={"width": "14em"}),
            "xacct-remove-inline",
        )
        self.permissions_table = classed(w.HTML(""), "xacct-permissions-table")
        self.policy_scope.observe(lambda _c: self._scope_changed(), "value")
        self.policy_search.observe(lambda _c: self._filter_policies(), "value")
        self.policies.observe(lambda _c: self._choices_changed(), "value")
        self.policy_arn.observe(lambda _c: self._validate_arn(), "value")
        self.add_arn.on_click(lambda _b: self.act("adding the policy ARN", self._add_arn))
        self.inline_name.observe(lambda _c: self._validate_inline(), "value")
        self.inline_document.observe(lambda _c: self._validate_inline(), "value")
        self.add_inline.on_click(lambda _b: self.act("adding the inline policy", self._add_inline))
        self.remove_inline.on_click(
            lambda _b: self.act("removing the inline policy", self._remove_inline)
        )
        self.inline_list.observe(lambda _c: self.refresh_nav(), "value")
        perms_box = w.VBox(
            [
                w.HTML("<b>Managed policies</b>"),
                self.policy_scope,
                self.policy_search,
                self.policies,
                self.policy_count,
                w.HBox([self._arn.box, self.add_arn]),
                w.HTML("<b>Inline policies</b>"),
                self._inline_name.box,
                self._inline_doc.box,
                self.add_inline,
                w.HBox([self.inline_list, self.remove_inline]),
                w.HTML("<b>The role's permissions so far</b>"),
                self.permissions_table,
            ]
        )

        # A6
        self.review_summary = classed(w.HTML(""), "xacct-review-summary")
        self.plan_table = classed(w.HTML(""), "xacct-plan-table")
        self.plan_note = classed(w.HTML(""), "xacct-plan-note")
        self.trust_policy = classed(w.HTML(""), "xacct-trust-policy")
        self.apply_button = classed(
            w.Button(
                description="Apply",
                button_style="success",
                icon="check",
                tooltip="Create or update the role in the target account",
            ),
            "xacct-apply",
        )
        self.apply_button.on_click(lambda _b: self.do_apply())
        review_box = w.VBox(
            [
                self.review_summary,
                w.HTML("<b>Plan</b> (nothing written yet)"),
                self.plan_table,
                self.plan_note,
                w.HTML("<b>Trust policy</b>"),
                self.trust_policy,
                self.apply_button,
            ]
        )

        # A7
        self.result_summary = classed(w.HTML(""), "xacct-result-summary")
        self.trust_table = classed(w.HTML(""), "xacct-trust-table")
        self._display = field(
            w.Text(placeholder="e.g. prod"),
            "Display name",
            "Optional: pre-fills the label users see after switching.",
            "xacct-display-name",
        )
        self._color = field(
            w.Dropdown(options=color_options(), value=""),
            "Colour",
            "Optional: pre-fills the console colour of the role.",
            "xacct-color",
        )
        self._url = field(
            w.Text(value=""),
            "Switch-role URL",
            "Copy this link and give it to the users who may switch into the role.",
            "xacct-switch-url",
            width="60em",
        )
        self.display_name = self._display.control
        self.color = self._color.control
        self.switch_url = self._url.control
        self.switch_link = classed(w.HTML(""), "xacct-switch-link")
        self.attached_table = classed(w.HTML(""), "xacct-attached-policies-table")
        self.inline_table = classed(w.HTML(""), "xacct-inline-policies-table")
        self.display_name.observe(lambda _c: self._update_url(), "value")
        self.color.observe(lambda _c: self._update_url(), "value")
        self.switch_url.observe(lambda _c: self._keep_url(), "value")
        result_box = w.VBox(
            [
                self.result_summary,
                w.HTML("<b>Trust relationships</b>"),
                self.trust_table,
                w.HTML("<b>Switch-role URL</b>"),
                self._display.box,
                self._color.box,
                self._url.box,
                self.switch_link,
                w.HTML("<b>Attached managed policies</b>"),
                self.attached_table,
                w.HTML("<b>Inline policies</b>"),
                self.inline_table,
            ]
        )

        self.fields.update(
            name=self._name,
            role_description=self._description,
            external_id=self._external,
            require_mfa=self._mfa,
            max_session=self._max_session,
            trusted_account=self._trusted,
            policy_arn=self._arn,
            inline_name=self._inline_name,
            inline_document=self._inline_doc,
            display_name=self._display,
            color=self._color,
            switch_url=self._url,
        )
        self.name.observe(lambda _c: self._validate_name(), "value")
        self.role_description.observe(lambda _c: self._validate_description(), "value")
        self.external_id.observe(lambda _c: self._validate_external(), "value")
        self.trusted_account.observe(lambda _c: self._validate_trusted(), "value")
        for control in (self.external_id, self.require_mfa):
            control.observe(lambda _c: self._preview_trust(), "value")
        if spec is not None:
            self._prefill(spec)

        self._setup(
            [
                Step("A1", "Existing roles", _H_ROLES, roles_box, enter=self._enter_roles),
                Step("A2", "Role name", _H_NAME, name_box, ready=self._name_ok),
                Step(
                    "A3",
                    "Role type and options",
                    _H_TYPE,
                    type_box,
                    ready=lambda: not self._external.has_error,
                ),
                Step(
                    "A4",
                    "Trusted account",
                    _H_ACCOUNT,
                    account_box,
                    enter=lambda _d: self._preview_trust(),
                    ready=self._trusted_ok,
                ),
                Step(
                    "A5",
                    "Permissions",
                    _H_PERMS,
                    perms_box,
                    enter=self._enter_permissions,
                    leave=self._make_plan,
                    next_label="Review →",
                    leave_doing="planning the changes",
                ),
                Step(
                    "A6",
                    "Review and apply",
                    _H_REVIEW,
                    review_box,
                    enter=self._enter_review,
                    next_label=None,
                ),
                Step("A7", "Role created", _H_RESULT, result_box, enter=self._enter_result),
            ]
        )

    # -- state ----------------------------------------------------------------------------------
    @property
    def spec(self) -> RoleSpec | None:
        """The RoleSpec the fields describe now, or None while something is missing or invalid."""
        try:
            return self.build_spec()
        except XacctError:
            return None

    def build_spec(self) -> RoleSpec:
        """The RoleSpec from the fields; raises the core's validation error naming the problem."""
        base = self._initial
        return RoleSpec(
            name=self.name.value.strip(),
            trusted_account=self.trusted_account.value.strip(),
            managed_policy_arns=self.chosen_policies,
            inline_policies=dict(self._inline),
            external_id=self.external_id.value.strip() or None,
            require_mfa=bool(self.require_mfa.value),
            max_session_duration=int(self.max_session.value),
            path=base.path if base is not None else "/",
            description=self.role_description.value.strip(),
            tags=dict(base.tags) if base is not None else {},
            trusted_principals=base.trusted_principals if base is not None else (),
        )

    @property
    def chosen_policies(self) -> tuple[str, ...]:
        """The managed policy ARNs chosen so far, in the order they were chosen."""
        return tuple(self.policies.value)

    @property
    def inline_policies(self) -> dict[str, dict[str, Any]]:
        """The inline policies added so far (name -> document)."""
        return {k: dict(v) for k, v in self._inline.items()}

    def __repr__(self) -> str:
        name = self.name.value.strip()
        role = f", role {name!r}" if name and not self._name.has_error else ""
        done = ", applied" if self.record is not None else ""
        account = self.target.__dict__.get("account_id")  # read at A1; no call from a repr
        where = f"account {account}" if account else "target account not read"
        return f"CreateRoleWizard({self._where()} — {where}{role}{done})"

    # -- pre-filling ----------------------------------------------------------------------------
    def _prefill(self, spec: RoleSpec) -> None:
        self.name.value = spec.name
        self.role_description.value = spec.description or ""
        self.trusted_account.value = spec.trusted_account
        self.external_id.value = spec.external_id or ""
        self.require_mfa.value = bool(spec.require_mfa)
        seconds = int(spec.max_session_duration)
        if seconds not in [v for _l, v in self.max_session.options]:
            self.max_session.options = [*self.max_session.options, (f"{seconds} s", seconds)]
        self.max_session.value = seconds
        for arn in spec.managed_policy_arns:
            self._names.setdefault(arn, arn.rsplit("/", 1)[-1])
        self._set_policy_options(list(spec.managed_policy_arns), list(spec.managed_policy_arns))
        self._inline = {k: dict(policies.load_policy(v)) for k, v in spec.inline_policies.items()}
        self._render_inline_list()

    # -- A1 -------------------------------------------------------------------------------------
    def _enter_roles(self, _direction: str) -> None:
        self._load_roles()

    def _load_roles(self) -> None:
        account = self.target.account_id
        frame = self.target.roles()
        self._existing = {str(n) for n in frame["name"]}
        self.show_table(self.roles_table, "A1", frame, empty="This account has no roles yet.")
        self.say(f"Target account {account}: {len(frame)} role(s).")
        self._validate_name()

    # -- A2 -------------------------------------------------------------------------------------
    def _validate_name(self) -> None:
        text = self.name.value
        self.name_note.value = ""
        if not text.strip():
            self._name.set_error(None)
        else:
            try:
                name = ids.role_name(text)
            except XacctError as err:
                self._name.set_error(err.message)
            else:
                self._name.set_error(None)
                if name in self._existing:
                    self.name_note.value = box_html(
                        "warning",
                        f"A role named <b>{esc(name)}</b> already exists here: the review will "
                        "show what would change, and Apply will only apply that.",
                    )
        self._frames["A2"] = self._choices_frame()
        self.refresh_nav()

    def _validate_description(self) -> None:
        text = self.role_description.value
        bad = len(text) > 1000 or any(ord(c) < 32 and c not in "\t\n\r" for c in text)
        self._description.set_error(
            "Description is invalid: at most 1000 characters, no control characters."
            if bad
            else None
        )
        self.refresh_nav()

    def _name_ok(self) -> bool:
        return bool(self.name.value.strip()) and not (
            self._name.has_error or self._description.has_error
        )

    # -- A3/A4 ----------------------------------------------------------------------------------
    def _validate_external(self) -> None:
        self._external.check(lambda: ids.external_id(self.external_id.value))
        self._frames["A3"] = self._choices_frame()
        self.refresh_nav()

    def _validate_trusted(self) -> None:
        self._trusted.check(lambda: ids.account_id(self.trusted_account.value), with_fix=True)
        self._preview_trust()
        self.refresh_nav()

    def _trusted_ok(self) -> bool:
        return bool(self.trusted_account.value.strip()) and not self._trusted.has_error

    def _preview_trust(self) -> None:
        """Show the trust policy the fields produce (built by the core; no call)."""
        self._frames["A4"] = self._choices_frame()
        try:
            document = policies.trust_policy(
                self.trusted_account.value,
                external_id=self.external_id.value.strip() or None,
                require_mfa=bool(self.require_mfa.value),
            )
        except XacctError:
            self.trust_preview.value = (
                "<p><i>The trust policy appears here once the account ID is valid.</i></p>"
            )
            return
        self.trust_preview.value = "<b>Trust policy this produces</b>" + _json_html(document)

    def _choices_frame(self) -> pd.DataFrame:
        """What has been chosen so far, as a table (the A2-A4 steps' ``frame``)."""
        rows = [
            ("role name", self.name.value.strip()),
            ("trusted account", self.trusted_account.value.strip()),
            ("external id", "(set)" if self.external_id.value.strip() else "(none)"),
            ("require MFA", bool(self.require_mfa.value)),
            ("max session duration (s)", int(self.max_session.value)),
        ]
        return pd.DataFrame(rows, columns=["setting", "value"])

    # -- A5 -------------------------------------------------------------------------------------
    def _enter_permissions(self, _direction: str) -> None:
        self._load_catalog()
        self._render_permissions()

    def _load_catalog(self) -> None:
        scope = str(self.policy_scope.value)
        if scope not in self._catalog:
            frame = self.target.managed_policies(scope=cast(Scope, scope))
            self._catalog[scope] = frame
            for name, arn in zip(frame["name"], frame["arn"], strict=True):
                self._names[str(arn)] = str(name)
        self._filter_policies()

    def _scope_changed(self) -> None:
        if self.step_key == "A5":
            self.act("listing managed policies", self._load_catalog)

    def _filter_policies(self) -> None:
        """List the policies matching the search, chosen ones first and kept selected."""
        frame = self._catalog.get(str(self.policy_scope.value))
        chosen = list(self.policies.value)
        if frame is None:
            self._set_policy_options(chosen, chosen)
            return
        needle = self.policy_search.value.strip().lower()
        names = frame["name"].astype(str)
        matches = frame[names.str.lower().str.contains(needle, regex=False)] if needle else frame
        arns = [a for a in matches["arn"].astype(str) if a not in chosen]
        shown = arns[:MAX_POLICY_CHOICES]
        self._set_policy_options(chosen + shown, chosen)
        more = len(arns) - len(shown)
        self.policy_count.value = (
            f"<small>{len(arns)} matching polic{'y' if len(arns) == 1 else 'ies'}"
            + (f"; showing the first {len(shown)}: refine the search" if more else "")
            + (f"; {len(chosen)} chosen" if chosen else "")
            + "</small>"
        )

    def _set_policy_options(self, arns: list[str], chosen: list[str]) -> None:
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
        if self._updating:
            return
        # Relabel so the chosen ones are marked and listed first, keeping the search.
        self._filter_policies()

    def _validate_arn(self) -> None:
        self._arn.check(lambda: ids.managed_policy_arn(self.policy_arn.value))
        self.refresh_nav()

    def _add_arn(self) -> None:
        arn = ids.managed_policy_arn(self.policy_arn.value)
        self._names.setdefault(arn, arn.rsplit("/", 1)[-1])
        chosen = [a for a in self.policies.value if a != arn] + [arn]
        self._set_policy_options(chosen, chosen)
        self.policy_arn.value = ""
        self._filter_policies()
        self.say(f"Added {arn}; it is checked when you click Review.", "ok")

    def _inline_problem(self) -> tuple[str | None, str | None]:
        """(name error, document error) for the inline editor; None when fine or empty."""
        name, doc = self.inline_name.value.strip(), self.inline_document.value.strip()
        name_error = doc_error = None
        if name and not _POLICY_NAME_RE.fullmatch(name):
            name_error = (
                f"Inline policy name {name!r} is invalid: it must be 1-128 characters, letters, "
                "digits and + = , . @ _ - only."
            )
        if doc:
            try:
                policies.validate_policy_document(doc, name=name or None)
            except XacctError as err:
                doc_error = f"{err.message} {err.fix or ''}".strip()
        return name_error, doc_error

    def _validate_inline(self) -> None:
        name_error, doc_error = self._inline_problem()
        self._inline_name.set_error(name_error)
        self._inline_doc.set_error(doc_error)
        self.refresh_nav()

    def _add_inline(self) -> None:
        name = self.inline_name.value.strip()
        name_error, doc_error = self._inline_problem()
        if not name or name_error:
            raise InvalidPolicy(
                name_error or "The inline policy needs a name.",
                fix="Type a name such as 'list-buckets'.",
            )
        if not self.inline_document.value.strip() or doc_error:
            raise InvalidPolicy(
                doc_error or "The inline policy's JSON is empty.",
                fix=f"Write a policy document, for example: {_EXAMPLE_INLINE}",
            )
        document = policies.validate_policy_document(self.inline_document.value, name=name)
        replaced = name in self._inline
        self._inline[name] = document
        self.inline_name.value = ""
        self.inline_document.value = ""
        self._render_inline_list()
        self._render_permissions()
        self.say(f"Inline policy {name!r} {'replaced' if replaced else 'added'}.", "ok")

    def _remove_inline(self) -> None:
        name = self.inline_list.value
        if not name:
            raise InvalidInput(
                "No inline policy is selected.", fix="Click one in the list, then Remove."
            )
        self._inline.pop(name, None)
        self._render_inline_list()
        self._render_permissions()
        self.say(f"Inline policy {name!r} removed.")

    def _render_inline_list(self) -> None:
        self.inline_list.options = list(self._inline)
        self.refresh_nav()

    def _render_permissions(self) -> None:
        rows = [
            {"kind": "managed", "name": self._names.get(a, a.rsplit("/", 1)[-1]), "arn": a}
            for a in self.policies.value
        ]
        rows += [{"kind": "inline", "name": n, "arn": ""} for n in self._inline]
        frame = pd.DataFrame(rows, columns=["kind", "name", "arn"])
        self.show_table(
            self.permissions_table,
            "A5",
            frame,
            empty="No permissions chosen yet (a role may have none, but it can do nothing).",
        )

    def sync_buttons(self) -> None:
        """Buttons that depend on state: Add ARN, Add/Remove inline, Apply."""
        self.add_arn.disabled = not self.policy_arn.value.strip() or self._arn.has_error
        name_error, doc_error = self._inline_problem()
        self.add_inline.disabled = not (
            self.inline_name.value.strip()
            and self.inline_document.value.strip()
            and not (name_error or doc_error)
        )
        self.remove_inline.disabled = not self.inline_list.value
        self.apply_button.disabled = self.plan is None or not self.plan.ok

    def _make_plan(self) -> None:
        """Plan (reads only); a plan with problems keeps the operator where they can fix them."""
        self.plan = None
        spec = self.build_spec()
        plan = self.target.plan(spec)
        if plan.problems:
            raise _problems_error(plan)
        self.plan = plan

    # -- A6 -------------------------------------------------------------------------------------
    def _enter_review(self, direction: str) -> None:
        if direction != "forward" or self.plan is None:
            self._make_plan()  # coming back from A7: show what is true now
        plan = self.plan
        assert plan is not None
        spec = self.build_spec()
        self.review_summary.value = _summary_html(spec)
        self.show_table(self.plan_table, "A6", plan.changes, empty="No changes.")
        self.trust_policy.value = _json_html(plan.trust_policy)
        if plan.is_noop:
            self.plan_note.value = box_html(
                "ok",
                f"Nothing to change: role <b>{esc(spec.name)}</b> already matches. Apply "
                "writes nothing and shows the role.",
            )
        else:
            self.plan_note.value = box_html(
                "warning",
                f"{len(plan.changes)} change(s) will be made in the target account when you "
                "click <b>Apply</b>.",
            )
        self.apply_button.description = "Apply (no changes)" if plan.is_noop else "Apply"

    def do_apply(self) -> bool:
        """Click Apply: create or converge the role, then show it read back (A7)."""
        if self.plan is None:
            return False
        spec = self.build_spec()

        def apply() -> None:
            self.record = None
            self.record = self.target.apply(spec)

        ok = self.act(f"applying role {spec.name}", apply)
        if ok:
            self.go(6, "forward")
        return ok

    # -- A7 -------------------------------------------------------------------------------------
    def _enter_result(self, _direction: str) -> None:
        record = self.record
        if record is None:
            raise InvalidInput(
                "The role has not been applied yet.", fix="Go back to the review and click Apply."
            )
        name = record.name
        self.result_summary.value = box_html(
            "ok", f"Role <b>{esc(name)}</b> is in place: <code>{esc(record.arn)}</code>."
        )
        self.show_table(self.trust_table, "A7", self.target.trust_relationships(name))
        self.attached = self.target.attached_policies(name)
        self.inline = self.target.inline_policies(name)
        self.attached_table.value = html_table(self.attached, empty="No managed policy attached.")
        self.inline_table.value = html_table(self.inline, empty="No inline policy.")
        self._update_url()

    def _role_link(self) -> urls.SwitchRoleLink | None:
        record = self.record
        if record is None:
            return None
        return urls.SwitchRoleLink(
            record.account_id,
            record.name,
            self.display_name.value or None,
            self.color.value or None,
            record.path,
        )

    def _update_url(self) -> None:
        """Rebuild the URL from the display name and colour (core URL builder; no call)."""
        try:
            link = self._role_link()
        except XacctError as err:
            self._display.set_error(err.message)
            return
        self._display.set_error(None)
        url = link.url if link else ""
        self._url_value = url
        self.switch_url.value = url
        self.switch_link.value = (
            f'<a href="{esc(url)}" target="_blank" rel="noopener">Open the switch-role page</a>'
            if url
            else ""
        )

    def _keep_url(self) -> None:
        """The URL box is for copying: typing in it puts the correct URL back."""
        if self.switch_url.value != self._url_value:
            self.switch_url.value = self._url_value


def _problems_error(plan: Plan) -> XacctError:
    """The plan's problems as one error for the step (nothing has been written)."""
    text = "; ".join(f"{p.problem}: {p.target} ({p.detail})" for p in plan.problems)
    fix = " ".join(dict.fromkeys(p.fix for p in plan.problems)) + " Nothing was written."
    message = f"The plan for role {plan.spec.name!r} cannot be applied: {text}."
    if any(p.problem == "policy not found" for p in plan.problems):
        return PolicyNotFound(message, code="NoSuchEntity", fix=fix)
    return InvalidRoleSpec(message, fix=fix)


def _json_html(document: Mapping[str, Any]) -> str:
    return f'<pre class="xacct-json">{esc(json.dumps(document, indent=2))}</pre>'


def _summary_html(spec: RoleSpec) -> str:
    rows = [
        ("Role name", spec.name),
        ("Trusted account", spec.trusted_account),
        ("ExternalId required", "yes" if spec.external_id else "no"),
        ("MFA required", "yes" if spec.require_mfa else "no"),
        ("Max session", _hours(int(spec.max_session_duration))),
        ("Managed policies", ", ".join(spec.managed_policy_arns) or "(none)"),
        ("Inline policies", ", ".join(spec.inline_policies) or "(none)"),
    ]
    return html_table(pd.DataFrame(rows, columns=["setting", "value"]))
