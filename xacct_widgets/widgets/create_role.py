"""``CreateRoleWizard``: part A of the tutorial (A1-A7) as a guided widget, in the target account.

Steps, one per tutorial step: the existing roles -> the role name -> the role type and its
options (ExternalId, MFA, session length) -> the trusted account -> permissions (managed
policies with search, inline policies) -> the review (plan and trust policy, nothing written
yet) and Apply -> the result read back (trust relationships, switch-role URL, policies).

Why a plan before Apply: the console shows a review page before it writes anything, and an
operator re-running the wizard on an existing role must see that only the differences will be
applied. The plan, its problems and the apply are the core's
(:class:`~xacct_widgets.core.target.TargetAccount`, :meth:`Plan.raise_for_problems`); the
widget only gathers a :class:`~xacct_widgets.core.target.RoleSpec` and renders the answers.
The fields and steps are tables (:mod:`.create_role_steps`); the permissions chooser
(:mod:`.policy_picker`) and the role read back (:mod:`.role_result`) are parts of their own;
this module holds the state and what each step does, one core call each.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Final

import pandas as pd

from ..core import policies
from ..core.target import Plan, RoleRecord, RoleSpec, TargetAccount
from ..errors import InvalidInput, XacctError
from .base import Step, Wizard, box_html, button, esc
from .create_role_steps import (
    FIELDS,
    H_ACCOUNT,
    H_NAME,
    H_PERMS,
    H_RESULT,
    H_REVIEW,
    H_ROLES,
    H_TYPE,
    ROLE_TYPE_HTML,
    TRUST_PENDING_HTML,
    Html,
    StepSpec,
    build_body,
    choices_frame,
    html_widget,
    json_html,
    plan_note_html,
    summary_html,
)
from .policy_picker import MAX_POLICY_CHOICES, PolicyPicker
from .role_result import RoleResult

__all__ = ["MAX_POLICY_CHOICES", "CreateRoleWizard"]


class CreateRoleWizard(Wizard):
    """Create (or converge) a cross-account role in the target account, in seven steps.

    ``session`` is a boto3 session in the target account (or a ready ``TargetAccount``);
    ``spec`` pre-fills every field from a :class:`RoleSpec` (e.g. a runbook's parameters).

    State for notebook code: ``target`` (the core ``TargetAccount``), ``spec`` (the RoleSpec the
    fields describe now, or None while incomplete), ``plan`` (the last plan shown), ``record``
    (the role as read back after Apply) and ``frame`` (the table of the current step).
    """

    _css = "xacct-create-wizard"

    def __init__(self, session: Any, *, spec: RoleSpec | None = None) -> None:
        super().__init__()
        # ``session`` is typed Any: widgets never import boto3; the core checks what it gets.
        self.target = session if isinstance(session, TargetAccount) else TargetAccount(session)
        self.plan: Plan | None = None
        self.record: RoleRecord | None = None
        self._initial = spec
        self._existing: set[str] = set()

        # Each field's control becomes an attribute: self.name, self.trusted_account, ...
        self.add_fields(FIELDS, self._field_changed)
        self.picker = PolicyPicker(self, "A5", lambda scope: self.target.managed_policies(scope))
        self.result = RoleResult(self, "A7", self.target)
        for part in (self.picker, self.result):  # their controls are the wizard's, as before
            self.fields.update(part.fields)
            for name in part.exposed:
                setattr(self, name, getattr(part, name))

        self.roles_table = html_widget("xacct-roles-table")
        self.name_note = html_widget("xacct-name-note")
        self.trust_preview = html_widget("xacct-trust-preview")
        self.review_summary = html_widget("xacct-review-summary")
        self.plan_table = html_widget("xacct-plan-table")
        self.plan_note = html_widget("xacct-plan-note")
        self.trust_policy = html_widget("xacct-trust-policy")
        self.refresh_roles_button = button(
            "Refresh",
            "xacct-refresh-roles",
            lambda: self.act("reading the roles", self._load_roles),
            icon="refresh",
            tooltip="Read the roles again",
        )
        self.apply_button = button(
            "Apply",
            "xacct-apply",
            self.do_apply,
            button_style="success",
            icon="check",
            tooltip="Create or update the role in the target account",
        )

        if spec is not None:
            self.fill(spec)
        self._refresh_choices()
        self._setup([self._make_step(s) for s in STEPS])

    def _make_step(self, spec: StepSpec[CreateRoleWizard]) -> Step:
        return Step(
            spec.key,
            spec.title,
            spec.help,
            build_body(spec.body, self._widget),
            enter=partial(spec.enter, self) if spec.enter else None,
            leave=partial(spec.leave, self) if spec.leave else None,
            ready=partial(spec.ready, self) if spec.ready else None,
            next_label=spec.next_label,
            leave_doing=spec.leave_doing,
        )

    def _widget(self, name: str) -> Any:
        """What a step body's ``name`` shows: a field's box, a part's box, or a widget."""
        if name in self.fields:
            return self.fields[name].box
        found = getattr(self, name)
        return found.box if isinstance(found, PolicyPicker | RoleResult) else found

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
            inline_policies=self.inline_policies,
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
        return self.picker.chosen

    @property
    def inline_policies(self) -> dict[str, dict[str, Any]]:
        """The inline policies added so far (name -> document)."""
        return self.picker.inline

    def __repr__(self) -> str:
        name = self.name.value.strip()
        role = f", role {name!r}" if name and not self.fields["name"].has_error else ""
        done = ", applied" if self.record is not None else ""
        account = self.target.__dict__.get("account_id")  # read at A1; no call from a repr
        where = f"account {account}" if account else "target account not read"
        return f"CreateRoleWizard({self._where()} — {where}{role}{done})"

    def fill(self, spec: RoleSpec) -> None:
        """Set every field from ``spec`` (a runbook's parameters, or an existing role's)."""
        self.name.value = spec.name
        self.role_description.value = spec.description or ""
        self.trusted_account.value = spec.trusted_account
        self.external_id.value = spec.external_id or ""
        self.require_mfa.value = bool(spec.require_mfa)
        seconds = int(spec.max_session_duration)
        if seconds not in [v for _l, v in self.max_session.options]:
            self.max_session.options = [*self.max_session.options, (f"{seconds} s", seconds)]
        self.max_session.value = seconds
        self.picker.set_chosen(spec.managed_policy_arns)
        self.picker.set_inline(spec.inline_policies)

    def sync_buttons(self) -> None:
        """Buttons that depend on state: the picker's, and Apply."""
        self.picker.sync_buttons()
        self.apply_button.disabled = self.plan is None or not self.plan.ok

    # -- reactions to typing (each field's core check has run already) --------------------------
    def _field_changed(self, name: str) -> None:
        for react in REACTIONS.get(name, ()):
            react(self)
        self.refresh_nav()

    def _refresh_choices(self) -> None:
        frame = choices_frame(
            self.name.value,
            self.trusted_account.value,
            self.external_id.value,
            bool(self.require_mfa.value),
            int(self.max_session.value),
        )
        for key in ("A2", "A3", "A4"):
            self._frames[key] = frame

    # -- A1 -------------------------------------------------------------------------------------
    def _load_roles(self) -> None:
        account = self.target.account_id
        frame = self.target.roles()
        self._existing = {str(n) for n in frame["name"]}
        self.show_table(self.roles_table, "A1", frame, empty="This account has no roles yet.")
        self.say(f"Target account {account}: {len(frame)} role(s).")
        self._note_existing()

    # -- A2 -------------------------------------------------------------------------------------
    def _note_existing(self) -> None:
        """Say so when the (valid) name is an existing role: the plan will show the difference."""
        name = self.name.value.strip()
        known = name in self._existing and not self.fields["name"].has_error
        self.name_note.value = (
            box_html(
                "warning",
                f"A role named <b>{esc(name)}</b> already exists here: the review will "
                "show what would change, and Apply will only apply that.",
            )
            if known
            else ""
        )

    def _name_ok(self) -> bool:
        return bool(self.name.value.strip()) and not (
            self.fields["name"].has_error or self.fields["role_description"].has_error
        )

    # -- A3/A4 ----------------------------------------------------------------------------------
    def _options_ok(self) -> bool:
        return not self.fields["external_id"].has_error

    def _trusted_ok(self) -> bool:
        return bool(self.trusted_account.value.strip()) and not (
            self.fields["trusted_account"].has_error
        )

    def _preview_trust(self) -> None:
        """Show the trust policy the fields produce (built by the core; no call)."""
        try:
            document = policies.trust_policy(
                self.trusted_account.value,
                external_id=self.external_id.value.strip() or None,
                require_mfa=bool(self.require_mfa.value),
            )
        except XacctError:
            self.trust_preview.value = TRUST_PENDING_HTML
            return
        self.trust_preview.value = "<b>Trust policy this produces</b>" + json_html(document)

    # -- A5 -------------------------------------------------------------------------------------
    def _make_plan(self) -> None:
        """Plan (reads only); a plan with problems keeps the operator where they can fix them."""
        self.plan = None
        plan = self.target.plan(self.build_spec())
        plan.raise_for_problems()
        self.plan = plan

    # -- A6 -------------------------------------------------------------------------------------
    def _enter_review(self, direction: str) -> None:
        if direction != "forward" or self.plan is None:
            self._make_plan()  # coming back from A7: show what is true now
        plan = self.plan
        assert plan is not None
        self._render_review(plan)

    def _render_review(self, plan: Plan) -> None:
        spec = plan.spec
        self.review_summary.value = summary_html(spec)
        self.show_table(self.plan_table, "A6", plan.changes, empty="No changes.")
        self.trust_policy.value = json_html(plan.trust_policy)
        self.plan_note.value = plan_note_html(plan)
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
        if self.record is None:
            raise InvalidInput(
                "The role has not been applied yet.", fix="Go back to the review and click Apply."
            )
        self.result.show(self.record)

    @property
    def attached(self) -> pd.DataFrame:
        """The managed policies attached to the role, as read back at A7."""
        return self.result.attached

    @property
    def inline(self) -> pd.DataFrame:
        """The role's inline policies, as read back at A7."""
        return self.result.inline


W = CreateRoleWizard

#: What else happens when a field changes, after its own core check.
REACTIONS: Final[dict[str, tuple[Callable[[CreateRoleWizard], None], ...]]] = {
    "name": (W._note_existing, W._refresh_choices),
    "external_id": (W._refresh_choices, W._preview_trust),
    "require_mfa": (W._refresh_choices, W._preview_trust),
    "max_session": (W._refresh_choices,),
    "trusted_account": (W._refresh_choices, W._preview_trust),
}

#: The seven steps: what each shows, and the one thing it does.
STEPS: Final[tuple[StepSpec[CreateRoleWizard], ...]] = (
    StepSpec(
        "A1",
        "Existing roles",
        H_ROLES,
        ("roles_table", "refresh_roles_button"),
        enter=lambda wiz, _d: wiz._load_roles(),
    ),
    StepSpec(
        "A2",
        "Role name",
        H_NAME,
        ("name", "name_note", "role_description"),
        ready=W._name_ok,
    ),
    StepSpec(
        "A3",
        "Role type and options",
        H_TYPE,
        (Html(ROLE_TYPE_HTML), "external_id", "require_mfa", "max_session"),
        ready=W._options_ok,
    ),
    StepSpec(
        "A4",
        "Trusted account",
        H_ACCOUNT,
        ("trusted_account", "trust_preview"),
        enter=lambda wiz, _d: wiz._preview_trust(),
        ready=W._trusted_ok,
    ),
    StepSpec(
        "A5",
        "Permissions",
        H_PERMS,
        ("picker",),
        enter=lambda wiz, _d: wiz.picker.load(),
        leave=W._make_plan,
        next_label="Review →",
        leave_doing="planning the changes",
    ),
    StepSpec(
        "A6",
        "Review and apply",
        H_REVIEW,
        (
            "review_summary",
            Html("<b>Plan</b> (nothing written yet)"),
            "plan_table",
            "plan_note",
            Html("<b>Trust policy</b>"),
            "trust_policy",
            "apply_button",
        ),
        enter=W._enter_review,
        next_label=None,
    ),
    StepSpec(
        "A7",
        "Role created",
        H_RESULT,
        ("result",),
        enter=W._enter_result,
    ),
)
