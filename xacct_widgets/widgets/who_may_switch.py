"""``WhoMaySwitchWizard``: the tutorial's last note - who may switch - as four guided steps.

The target's trust policy lets in the whole source *account*; the source account's own policies
decide which users may actually switch. The wizard shows who may switch now and why
(:meth:`SourceAccount.who_may_assume`), lets the administrator tick the users and groups who
should, shows the plan with the rows that take access away in red
(:meth:`SourceAccount.plan_restriction`), applies exactly that plan only after an explicit
confirmation (:meth:`SourceAccount.apply_restriction`), and checks again. Each step calls one
core function; every rule (what is destructive, what cannot be narrowed) is the core's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import ipywidgets as w
import pandas as pd

from ..core import ids
from ..core.source import Restriction, RestrictPlan, SourceAccount
from .base import FieldSpec, Step, Wizard, button, classed
from .readable import readable_table_html

if TYPE_CHECKING:
    from ..core.sessions import AwsSession

__all__ = ["WhoMaySwitchWizard", "who_table_html"]

H_WHO: Final = (
    "The target's trust policy lets in the whole source account: <b>this</b> account's own "
    "policies decide which of its users may actually switch. Enter the role's ARN (part A shows "
    "it) to see who may switch into it now, and why. Click <b>Next</b> to choose who should."
)
H_CHOOSE: Final = (
    "Tick the users and groups who should be able to switch into the role (a group means all "
    "its members). Everyone else will lose access to <i>this</i> role; their access to other "
    "roles stays as it is. Click <b>Plan</b> to see what would change; nothing is written yet."
)
H_REVIEW: Final = (
    "The plan: each policy that would be written. Rows in <span style='color:#b00020'>red</span> "
    "take access away from someone: tick the confirmation to allow them. Below, what the plan "
    "cannot narrow (an administrator can undo any policy edit), and how to do it. Click "
    "<b>Apply</b> to write the plan, all or nothing."
)
H_RECHECK: Final = (
    "Who may switch into the role now, read back from the account. Run the wizard again at any "
    "time: with nothing left to change, the plan is empty."
)
STEP_TEXT: Final[dict[str, tuple[str, str]]] = {
    "who": ("Who may switch now", H_WHO),
    "choose": ("Choose who may switch", H_CHOOSE),
    "review": ("Review and apply", H_REVIEW),
    "check": ("Check again", H_RECHECK),
}
ROLE_FIELD: Final = FieldSpec(
    "role_arn",
    lambda: w.Text(placeholder="e.g. arn:aws:iam::123456781234:role/cross-account"),
    "Role ARN",
    "The role in the target account (its ARN is on part A's last step).",
    "xacct-who-role",
    ids.parse_role_arn,
    width="60em",
)


def who_table_html(frame: pd.DataFrame) -> str:
    """``who_may_assume``'s table as people read it: name, kind, ✔/✘, why."""
    if frame.empty:
        return readable_table_html(frame, empty="No users, groups or roles in this account.")
    view = pd.DataFrame(
        {
            "name": frame["name"],
            "kind": frame["principal_type"],
            "may switch": frame["allowed"].map({True: "✔", False: "✘"}),
            "why": frame["why"],
        }
    )
    return readable_table_html(view, css="xacct-who", mark_column="may switch")


def plan_html(plan: RestrictPlan) -> str:
    """The changes (destructive rows red) and what is left as is."""
    changes = plan.changes
    shown = changes.drop(columns=["destructive"]).assign(
        **{"takes access away": changes["destructive"].map({True: "yes", False: "no"})}
    )
    body = readable_table_html(
        shown,
        css="xacct-restrict-plan",
        empty="Nothing to change: exactly the chosen principals may already switch.",
        red_rows=list(changes["destructive"]),
    )
    if plan.cannot:
        left = plan.cannot_narrow.drop(columns=["role_arn"] if len(plan.role_arns) == 1 else [])
        left = left.rename(columns={"what_to_do": "what to do"})
        body += "<b>Left as is</b>" + readable_table_html(left, css="xacct-restrict-cannot")
    return body


class WhoMaySwitchWizard(Wizard):
    """Show and restrict who in the source account may switch into a role.

    ``session`` is an administrator's session in the source account; ``role_arn`` pre-fills
    the role. State for notebook code: ``who`` (the last who-may-switch table), ``plan``,
    ``result`` (the :class:`Restriction` applied) and ``chosen`` (users, groups ticked).
    """

    _css = "xacct-who-wizard"

    def __init__(self, session: AwsSession, role_arn: str = "") -> None:
        super().__init__()
        self.source = SourceAccount(session)
        self.who: pd.DataFrame = pd.DataFrame()
        self.plan: RestrictPlan | None = None
        self.result: Restriction | None = None
        self._applied: RestrictPlan | None = None  # spent: Back after Apply plans again
        self.choices: dict[tuple[str, str], Any] = {}

        field = self.add_fields([ROLE_FIELD], lambda _n: self._role_changed())["role_arn"]
        self.who_table = classed(w.HTML(""), "xacct-who-table")
        self.load_button = button(
            "Show who may switch",
            "xacct-who-load",
            self.do_load,
            icon="users",
            layout={"width": "auto"},
        )
        who = w.VBox([field.box, self.load_button, self.who_table])

        self.choice_box = classed(w.VBox([]), "xacct-who-choices")
        choose = w.VBox([self.choice_box])

        self.plan_table = classed(w.HTML(""), "xacct-restrict-plan-table")
        self.confirm = classed(
            w.Checkbox(
                value=False,
                indent=False,
                description="I understand: the red rows take access away from these principals",
                layout={"width": "60em"},
            ),
            "xacct-confirm-destructive",
        )
        self.confirm.observe(lambda _c: self.refresh_nav(), "value")
        self.apply_button = button(
            "Apply", "xacct-restrict-apply", self.do_apply, button_style="danger", icon="lock"
        )
        review = w.VBox([self.plan_table, self.confirm, self.apply_button])

        self.after_table = classed(w.HTML(""), "xacct-who-after")
        recheck = w.VBox([self.after_table])

        def step(key: str, body: Any, **hooks: Any) -> Step:
            return Step(key, *STEP_TEXT[key], body, **hooks)

        self._setup(
            [
                step("who", who, ready=lambda: not self.who.empty),
                step(
                    "choose",
                    choose,
                    enter=self._enter_choose,
                    leave=self._leave_choose,
                    next_label="Plan →",
                    leave_doing="planning",
                ),
                step("review", review, enter=self._enter_review, next_label=None),
                step("check", recheck),
            ]
        )
        if role_arn:
            self.role_arn.value = role_arn
            self.do_load()

    def __repr__(self) -> str:
        role = self.role_arn.value.strip() or "no role chosen"
        return f"WhoMaySwitchWizard({self._where()} — {role})"

    @property
    def chosen(self) -> tuple[list[str], list[str]]:
        """(users, groups) ticked in the "choose" step."""
        users = [n for (k, n), box in self.choices.items() if k == "user" and box.value]
        groups = [n for (k, n), box in self.choices.items() if k == "group" and box.value]
        return users, groups

    # -- who ------------------------------------------------------------------------------------
    def _role_changed(self) -> None:
        self.who = pd.DataFrame()
        self.plan = None
        self.choices = {}
        self.who_table.value = ""
        self.refresh_nav()

    def sync_buttons(self) -> None:
        ready = bool(self.role_arn.value.strip()) and not self.fields["role_arn"].has_error
        self.load_button.disabled = not ready
        plan = self.plan
        needs = plan is not None and not plan.destructive.empty
        self.confirm.layout.display = None if needs else "none"
        self.apply_button.disabled = (
            plan is None or plan.is_noop or (needs and not self.confirm.value)
        )

    def do_load(self) -> bool:
        """Click "Show who may switch": read who may assume the role now."""

        def load() -> None:
            self.who = self.source.who_may_assume(self.role_arn.value.strip())
            self._frames["who"] = self.who
            self.who_table.value = who_table_html(self.who)
            allowed = self.who[self.who["allowed"]]
            self.say(f"{len(allowed)} of {len(self.who)} principals may switch now.", "ok")

        ok = self.act("reading who may switch", load)
        self.refresh_nav()
        return ok

    # -- choose ---------------------------------------------------------------------------------
    def _enter_choose(self, direction: str) -> None:
        if self.choices and direction == "back":
            return
        rows = []
        self.choices = {}
        for record in self.who.to_dict("records"):
            kind, name = str(record["principal_type"]), str(record["name"])
            if kind not in ("user", "group"):
                continue
            label = f"{kind} {name}"
            if record["administrator"]:
                label += " (administrator: keeps access whatever is chosen)"
            # Pre-ticked: the users who may switch now (a group is a deliberate choice).
            ticked = kind == "user" and bool(record["allowed"]) and not record["administrator"]
            box = classed(
                w.Checkbox(value=ticked, description=label, indent=False, layout={"width": "50em"}),
                "xacct-who-choice",
                f"xacct-who-{kind}",
            )
            self.choices[(kind, name)] = box
            rows.append(box)
        self.choice_box.children = rows or [w.HTML("<i>No users or groups in this account.</i>")]

    def _leave_choose(self) -> None:
        users, groups = self.chosen
        self.plan = self.source.plan_restriction(self.role_arn.value.strip(), users, groups)

    # -- review ---------------------------------------------------------------------------------
    def _enter_review(self, _direction: str) -> None:
        if self.plan is not None and self.plan is self._applied:
            self._leave_choose()  # Back after Apply: the plan from what is live now, not pending
        plan = self.plan
        if plan is None:
            return
        self.confirm.value = False
        self._frames["review"] = plan.changes
        self.plan_table.value = plan_html(plan)
        if plan.is_noop:
            self.say("Nothing to change: exactly the chosen principals may already switch.", "ok")
        elif not plan.destructive.empty:
            self.say(
                f"{len(plan.destructive)} change(s) take access away: confirm them to Apply.",
                "warning",
            )
        self.sync_buttons()

    def do_apply(self) -> bool:
        """Click Apply: write the reviewed plan (destructive rows only if confirmed)."""
        plan = self.plan
        if plan is None:
            return False

        def apply() -> None:
            self.result = self.source.apply_restriction(
                plan, allow_destructive=bool(self.confirm.value)
            )
            self._applied = plan
            after = self.source.who_may_assume(plan.role_arns[0])
            self._frames["check"] = after
            self.after_table.value = who_table_html(after)

        ok = self.act("restricting who may switch", apply)
        if ok:
            self.go(3, "forward")
            users, groups = self.chosen
            who = ", ".join([*users, *(f"group {g}" for g in groups)]) or "nobody"
            self.say(
                f"Applied {len(plan.steps)} policy change(s): only {who} may switch now "
                "(administrators aside: see the plan's last table).",
                "ok",
            )
        return ok
