"""``CreateRoleWizard``: part A of the tutorial (A1-A7) as a guided widget, in the target account.

Steps, one per tutorial step: the existing roles -> the role name -> the role type and its
options (ExternalId, MFA, session length) -> the trusted account -> permissions (managed
policies with search, inline policies) -> the review (plan and trust policy, nothing written
yet) and Apply -> the result read back (trust relationships, switch-role URL, policies).

Why a plan before Apply: the console shows a review page before it writes anything, and an
operator re-running the wizard on an existing role must see that only the differences will be
applied. Why the existing role is loaded as soon as its name is typed: a declarative spec typed
from blank defaults would remove whatever the defaults lack; starting from the role's own
settings (``TargetAccount.spec_of``), only what the operator changes is planned, and whatever
that takes away is shown red and needs a ticked confirmation. The plan, its problems and the
apply are the core's (:class:`~xacct_widgets.core.target.TargetAccount`); the widget only
gathers a :class:`~xacct_widgets.core.target.RoleSpec` and renders the answers. The fields are
a table (:mod:`.create_role_fields`), the steps another (:mod:`.create_role_flow`); the
permissions chooser (:mod:`.policy_picker`), the review (:mod:`.create_role_review`) and the
role read back (:mod:`.role_result`) are parts of their own; this module holds the state and
what each step does, one core call each.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..core import policies
from ..core.source.preflight import dashed
from ..core.target import Plan, RoleRecord, RoleSpec, TargetAccount
from ..core.target.spec import tags_from_text
from ..errors import InvalidInput, XacctError
from .base import Step, Wizard, box_html, button, esc
from .create_role_fields import (
    FIELDS,
    LOADED_FIELDS,
    SPEC_FIELDS,
    TRUST_PENDING_HTML,
    UNCHECKED_FIELDS,
    StepSpec,
    build_body,
    choices_frame,
    html_widget,
    json_html,
    roles_display,
    summary_html,
    tags_text,
)
from .create_role_flow import REACTIONS, STEPS, RoleSteps
from .create_role_review import PlanReview
from .policy_picker import MAX_POLICY_CHOICES, PolicyPicker
from .role_result import RoleResult

if TYPE_CHECKING:
    from ..core.sessions import AwsSession

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

    def __init__(
        self, session: AwsSession | TargetAccount, *, spec: RoleSpec | None = None
    ) -> None:
        super().__init__()
        self.target = session if isinstance(session, TargetAccount) else TargetAccount(session)
        self.plan: Plan | None = None
        self.record: RoleRecord | None = None
        self._initial = spec
        self._existing: set[str] = set()
        #: The existing role whose settings the fields hold (loaded when its name was typed).
        self.loaded: RoleSpec | None = None
        self._before_load: dict[str, Any] | None = None

        # Each field's control becomes an attribute: self.name, self.trusted_account, ...
        self.add_fields(FIELDS, self._field_changed)
        self.picker: PolicyPicker = PolicyPicker(
            self,
            "A5",
            lambda scope: self.target.managed_policies(scope),
            self.target.policy_descriptions,
        )
        self.result = RoleResult(self, "A7", self.target)
        self.review = PlanReview(self.refresh_nav)
        for part in (self.picker, self.result, self.review):  # their controls are the wizard's
            self.fields.update(getattr(part, "fields", {}))
            for name in part.exposed:
                setattr(self, name, getattr(part, name))

        self.roles_table = html_widget("xacct-roles-table")
        self.name_note = html_widget("xacct-name-note")
        self.trust_preview = html_widget("xacct-trust-preview")
        self.refresh_roles_button = button(
            "Refresh",
            "xacct-refresh-roles",
            lambda: self.act("reading the roles", self.load_roles),
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
        self.refresh_choices()
        self._setup([self._make_step(s) for s in STEPS])

    def _make_step(self, spec: StepSpec[RoleSteps]) -> Step:
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
        return found.box if isinstance(found, PolicyPicker | RoleResult | PlanReview) else found

    # -- state ----------------------------------------------------------------------------------
    @property
    def spec(self) -> RoleSpec | None:
        """The RoleSpec the fields describe now, or None while something is missing or invalid."""
        try:
            return self._spec_from_fields()  # a read: flags no field
        except XacctError:
            return None

    def build_spec(self) -> RoleSpec:
        """The RoleSpec from the fields; raises the core's validation error naming the problem,
        and flags the field it names (its ``field``) with the error's detail.

        Trusted principals (no field of their own) come from the loaded role or the given spec.
        """
        try:
            return self._spec_from_fields()
        except InvalidInput as err:
            shown = self.fields.get(SPEC_FIELDS.get(err.field or "", err.field or ""))
            if shown is not None:
                shown.set_error(f"{err.detail} {err.fix or ''}".strip())
            raise

    def _spec_from_fields(self) -> RoleSpec:
        base = self.loaded or self._initial
        return RoleSpec(
            name=self.name.value.strip(),
            trusted_account=self.trusted_account.value.strip(),
            managed_policy_arns=self.chosen_policies,
            inline_policies=self.inline_policies,
            external_id=self.external_id.value.strip() or None,
            require_mfa=bool(self.require_mfa.value),
            max_session_duration=int(self.max_session.value),
            path=self.path.value.strip() or "/",
            description=self.role_description.value.strip(),
            tags=tags_from_text(self.tags.value),
            trusted_principals=base.trusted_principals if base is not None else (),
            permissions_boundary=self.permissions_boundary.value.strip() or None,
            partition=self.target.partition,  # the policy list's ARNs are in it (read once)
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
        self.path.value = spec.path
        self.tags.value = tags_text(spec.tags)
        self.permissions_boundary.value = spec.permissions_boundary or ""
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
        self.apply_button.disabled = (
            self.plan is None or not self.plan.ok or not self.review.confirmed
        )

    # -- reactions to typing (each field's core check has run already) --------------------------
    def _field_changed(self, name: str) -> None:
        if name in UNCHECKED_FIELDS:  # an error build_spec flagged here is stale once it changes
            self.fields[name].set_error(None)
        for react in REACTIONS.get(name, ()):
            react(self)
        self.refresh_nav()

    def refresh_choices(self) -> None:
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
    def load_roles(self) -> None:
        account = self.target.account_id
        frame = roles_display(self.target.roles())
        self._existing = {str(n) for n in frame["name"]}
        self.show_table(self.roles_table, "A1", frame, empty="This account has no roles yet.")
        self.say(f"Target account {dashed(account)}: {len(frame)} role(s).")
        self.note_existing()

    # -- A2 -------------------------------------------------------------------------------------
    def note_existing(self) -> None:
        """An existing role's name loads its settings (once); another name puts back the
        values the fields had before, so a loaded role never leaks into a new one."""
        name = self.name.value.strip()
        known = name in self._existing and not self.fields["name"].has_error
        given = self._initial is not None and self._initial.name == name
        if self.loaded is not None and self.loaded.name != name:
            before, self._before_load, self.loaded = self._before_load, None, None
            if before is not None:
                self._restore(before)
        if known and not given and self.loaded is None:
            self.act(f"reading role {name}", lambda: self._load_existing(name))
        elif known and given:
            self._say_existing(name, "the review will show what your settings change")
        elif self.loaded is None:
            self.name_note.value = ""

    def _load_existing(self, name: str) -> None:
        """Fill every field from the role as it is (``spec_of``: one core call)."""
        try:
            spec = self.target.spec_of(name)
        except XacctError as err:
            self.name_note.value = box_html(
                "warning",
                f"A role named <b>{esc(name)}</b> exists, but its settings cannot be loaded: "
                f"{esc(err.message)} {esc(err.fix or '')}",
            )
            return
        self._before_load = self._snapshot()
        self.loaded = spec
        self.fill(spec)
        self._say_existing(
            name,
            "its settings are loaded into every step (trust, options, permissions, tags); "
            "change what you need — the review shows the differences and asks before "
            "anything is taken away",
        )

    def _say_existing(self, name: str, what: str) -> None:
        self.name_note.value = box_html(
            "warning", f"Role <b>{esc(name)}</b> already exists here: {esc(what)}."
        )

    def _snapshot(self) -> dict[str, Any]:
        """What the fields hold now (but the name), to put back when the name changes again."""
        values = {n: self.fields[n].control.value for n in LOADED_FIELDS}
        return {**values, "chosen": self.picker.chosen, "inline": self.picker.inline}

    def _restore(self, values: dict[str, Any]) -> None:
        for name in LOADED_FIELDS:
            self.fields[name].control.value = values[name]
        self.picker.set_chosen(values["chosen"])
        self.picker.set_inline(values["inline"])

    def name_ok(self) -> bool:
        return bool(self.name.value.strip()) and not any(
            self.fields[n].has_error for n in ("name", "role_description", "path", "tags")
        )

    # -- A3/A4 ----------------------------------------------------------------------------------
    def options_ok(self) -> bool:
        return not self.fields["external_id"].has_error

    def trusted_ok(self) -> bool:
        return bool(self.trusted_account.value.strip()) and not (
            self.fields["trusted_account"].has_error
        )

    def preview_trust(self) -> None:
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
    def load_policies(self) -> None:
        self.picker.load()

    def make_plan(self) -> None:
        """Plan (reads only); a plan with problems keeps the operator where they can fix them."""
        self.plan = None
        plan = self.target.plan(self.build_spec())
        plan.raise_for_problems()
        self.plan = plan

    # -- A6 -------------------------------------------------------------------------------------
    def enter_review(self, direction: str) -> None:
        if direction != "forward" or self.plan is None:
            self.make_plan()  # coming back from A7: show what is true now
        plan = self.plan
        assert plan is not None
        self._render_review(plan)

    def _render_review(self, plan: Plan) -> None:
        account = self.target.__dict__.get("account_id")  # read at A1; no call here
        partition = self.target.partition if account else "aws"  # (from the same read)
        self.review.render(plan, summary_html(plan.spec), account, partition)
        self._frames["A6"] = plan.changes
        self.apply_button.description = "Apply (no changes)" if plan.is_noop else "Apply"

    def do_apply(self) -> bool:
        """Click Apply: create or converge the role, then show it read back (A7).

        What the plan takes away is applied only when its confirmation box is ticked.
        """
        if self.plan is None:
            return False
        spec = self.build_spec()
        plan = self.plan

        def apply() -> None:
            if not self.review.confirmed:
                raise InvalidInput(
                    "The review needs a confirmation first.",
                    fix="Tick the box under the plan, or go Back and change the settings.",
                )
            self.record = None
            self.record = self.target.apply(
                spec, allow_destructive=bool(self.review.confirm_destructive.value)
            )

        ok = self.act(f"applying role {spec.name}", apply)
        if ok:
            created = any(s.action == "create role" for s in plan.steps)
            title, headline = (
                ("Role created", "was created")
                if created
                else ("Role updated", "was updated")
                if plan.steps
                else ("No change", "already matched: nothing was written")
            )
            self._steps[6].title = title
            self._headline = headline
            self.go(6, "forward")
        return ok

    # -- A7 -------------------------------------------------------------------------------------
    def enter_result(self, _direction: str) -> None:
        if self.record is None:
            raise InvalidInput(
                "The role has not been applied yet.", fix="Go back to the review and click Apply."
            )
        self.result.show(self.record, getattr(self, "_headline", "is in place"))

    @property
    def attached(self) -> pd.DataFrame:
        """The managed policies attached to the role, as read back at A7."""
        return self.result.attached

    @property
    def inline(self) -> pd.DataFrame:
        """The role's inline policies, as read back at A7."""
        return self.result.inline
