"""``RolloutWizard``: one role in every chosen account of an organization, seen before written.

Four steps over :class:`~xacct_widgets.core.rollout.Rollout`: tick the accounts (the caller's
own, the management account, marked), give the role (name, trusted account, managed policies),
read the plan table (one row per account, coloured by action; a destructive row needs its own
tick; a blocked row says why in words), Apply with a progress bar and a live per-account status,
then the result table and Roll back. Every rule (what is destructive, blocked, how an account is
applied or restored) is the core's; the wizard only shows it and passes the operator's choices.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any, Final

import ipywidgets as w
import pandas as pd

from ..core.progress import RolloutProgress
from ..core.query.organization import Organization
from ..core.rollout import Rollout, RolloutPlan, RolloutResult
from ..core.source import SourceAccount
from ..core.target import RoleSpec, TargetAccount
from ..errors import InvalidInput
from .base import Step, Wizard, button, classed, esc
from .readable import readable_table_html
from .rollout_progress import RolloutProgressBar

if TYPE_CHECKING:
    from ..core.sessions import AwsSession

__all__ = ["RolloutWizard", "rollout_plan_html"]

H_ACCOUNTS: Final = (
    "Tick the accounts to roll the role out to. Your own account (the management account) is "
    "marked: it is changed with your session directly, the others through their execution role."
)
H_SPEC: Final = (
    "The role every ticked account should have: its name, the account allowed to assume it, and "
    "the AWS managed policies it gets (one ARN per line). Click <b>Plan</b>: nothing is written."
)
H_PLAN: Final = (
    "What apply would do in each account: <b>create</b>, <b>update</b>, <b>noop</b> (already "
    "as specified) or <b>blocked</b> (with the reason). Rows in "
    "<span style='color:#b00020'>red</span> remove something from an existing role: tick each "
    "one to allow it. Click <b>Apply</b>."
)
H_RESULT: Final = (
    "What apply did in each account. <b>Roll back</b> restores every account it changed to "
    "exactly its state before (a role it created is deleted)."
)
#: Each action's colour in the plan table (its cell gets ``xacct-action-<action>``).
ACTION_STYLE: Final = (
    "<style>.xacct-action { font-weight: bold; } .xacct-action-create { color: #1b5e20; } "
    ".xacct-action-update { color: #e65100; } .xacct-action-noop { color: #666; "
    "font-weight: normal; } .xacct-action-blocked { color: #b00020; }</style>"
)
_ACTION_CELL: Final = re.compile(
    r"(<tr[^>]*>(?:<td>[^<]*</td>){3})<td>(create|update|noop|blocked)</td>"
)
STEP_TEXT: Final[dict[str, tuple[str, str]]] = {
    "accounts": ("Choose the accounts", H_ACCOUNTS),
    "spec": ("Describe the role", H_SPEC),
    "plan": ("Review the plan and apply", H_PLAN),
    "result": ("Result", H_RESULT),
}


def rollout_plan_html(plan: RolloutPlan) -> str:
    """The plan's rows as people read them: destructive rows red, blocked rows with the reason."""
    frame = plan.frame
    shown = pd.DataFrame(
        {
            "account": frame["account_id"],
            "name": frame["account_name"],
            "ou": frame["ou"],
            "action": frame["action"],
            "changes": frame["changes"],
            "removes something": frame["destructive"].map({True: "yes", False: ""}),
            "why blocked": frame["reason"],
        }
    )
    table = readable_table_html(
        shown,
        css="xacct-rollout-plan",
        empty="No accounts chosen.",
        red_rows=list(frame["destructive"].astype(bool)),
    )
    return ACTION_STYLE + _ACTION_CELL.sub(
        lambda m: f'{m[1]}<td class="xacct-action xacct-action-{m[2]}">{m[2]}</td>', table
    )


class RolloutWizard(Wizard):
    """Plan, apply and roll back one role across an organization's accounts.

    ``session``: the management account (or a delegated administrator); ``spec`` pre-fills the
    role. State for notebook code: ``accounts`` (the organization's table), ``selected`` (IDs
    ticked), ``rollout``, ``plan``, ``result`` (the apply's) and ``rollback_result``.
    """

    _css = "xacct-rollout-wizard"

    def __init__(
        self,
        session: AwsSession,
        spec: RoleSpec | None = None,
        *,
        execution_role: str = "OrganizationAccountAccessRole",
    ) -> None:
        super().__init__()
        self.session = session
        self.execution_role = execution_role
        self.accounts: pd.DataFrame = pd.DataFrame()
        self.caller_account = ""
        self.rollout: Rollout | None = None
        self.plan: RolloutPlan | None = None
        self.result: RolloutResult | None = None
        self.rollback_result: RolloutResult | None = None
        self.account_boxes: dict[str, Any] = {}
        self.destructive_ticks: dict[str, Any] = {}

        self.account_list = classed(w.VBox([]), "xacct-rollout-accounts")
        accounts = w.VBox([self.account_list])

        self.role_name = classed(
            w.Text(value=spec.name if spec else "", description="Role name"), "xacct-rollout-name"
        )
        self.trusted_account = classed(
            w.Text(value=spec.trusted_account if spec else "", description="Trusted account"),
            "xacct-rollout-trusted",
        )
        self.managed_policies = classed(
            w.Textarea(
                value="\n".join(spec.managed_policy_arns) if spec else "",
                description="Managed policies",
                placeholder="arn:aws:iam::aws:policy/ReadOnlyAccess",
                layout={"width": "60em"},
            ),
            "xacct-rollout-policies",
        )
        for text in (self.role_name, self.trusted_account):
            text.observe(lambda _c: self.refresh_nav(), "value")
        #: The spec the fields edit (its other settings - inline policies, tags... - are kept).
        self.template = spec
        self.template_name = classed(
            w.Text(placeholder="an existing role in your account"), "xacct-rollout-template"
        )
        self.template_button = button(
            "Use as template", "xacct-rollout-load-template", self.do_load_template, icon="copy"
        )
        role = w.VBox(
            [
                self.role_name,
                self.trusted_account,
                self.managed_policies,
                w.HBox([self.template_name, self.template_button]),
            ]
        )

        self.plan_table = classed(w.HTML(""), "xacct-rollout-plan-table")
        self.tick_box = classed(w.VBox([]), "xacct-rollout-destructive")
        self.apply_button = button(
            "Apply", "xacct-rollout-apply", self.do_apply, button_style="danger", icon="play"
        )
        #: The same bar ``apply(progress=True)`` shows in a notebook: the IntProgress
        #: (``progress``) and the counts applied/failed/skipped next to it.
        self.progress_bar = RolloutProgressBar(0, "apply")
        self.progress = self.progress_bar.progress
        self.progress_bar.widget.layout.display = "none"
        self.live_table = classed(w.HTML(""), "xacct-rollout-live")
        review = w.VBox(
            [
                self.plan_table,
                self.tick_box,
                self.apply_button,
                self.progress_bar.widget,
                self.live_table,
            ]
        )

        self.result_table = classed(w.HTML(""), "xacct-rollout-result")
        self.rollback_button = button(
            "Roll back", "xacct-rollout-rollback", self.do_rollback, icon="undo"
        )
        self.rollback_table = classed(w.HTML(""), "xacct-rollout-rollback-result")
        # The bar again (a second view of the same widget): the apply's final counts.
        result = w.VBox(
            [self.progress_bar.widget, self.result_table, self.rollback_button, self.rollback_table]
        )

        def step(key: str, body: Any, **hooks: Any) -> Step:
            return Step(key, *STEP_TEXT[key], body, **hooks)

        self._setup(
            [
                step(
                    "accounts",
                    accounts,
                    enter=self._enter_accounts,
                    ready=lambda: any(box.value for box in self.account_boxes.values()),
                ),
                step(
                    "spec",
                    role,
                    leave=self._leave_spec,
                    ready=lambda: (
                        bool(self.role_name.value.strip())
                        and bool(self.trusted_account.value.strip())
                    ),
                    next_label="Plan →",
                    leave_doing="planning",
                ),
                step("plan", review, enter=self._enter_plan, next_label=None),
                step("result", result),
            ]
        )

    def __repr__(self) -> str:
        return f"RolloutWizard({self._where()} — {len(self.selected)} account(s) ticked)"

    @property
    def selected(self) -> list[str]:
        """The account IDs ticked, in the table's order."""
        return [a for a, box in self.account_boxes.items() if box.value]

    def role_spec(self) -> RoleSpec:
        """The role as typed (InvalidInput names the field when a value breaks an IAM rule)."""
        policies = tuple(
            line.strip() for line in self.managed_policies.value.splitlines() if line.strip()
        )
        typed: dict[str, Any] = {
            "name": self.role_name.value.strip(),
            "trusted_account": self.trusted_account.value.strip(),
            "managed_policy_arns": policies,
        }
        if self.template is not None:
            return dataclasses.replace(self.template, **typed)
        return RoleSpec(**typed)

    def do_load_template(self) -> bool:
        """Click "Use as template": the role of that name in your own account, as a spec (every
        setting kept; the fields show its name, trusted account and managed policies)."""

        def load() -> None:
            spec = TargetAccount(self.session).spec_of(self.template_name.value.strip())
            self.template = spec
            self.role_name.value = spec.name
            self.trusted_account.value = spec.trusted_account
            self.managed_policies.value = "\n".join(spec.managed_policy_arns)
            self.say(f"Loaded the role {spec.name} as the template.", "ok")

        return self.act("reading the template role", load)

    # -- accounts -------------------------------------------------------------------------------
    def _enter_accounts(self, direction: str) -> None:
        if self.account_boxes and direction == "back":
            return
        self.caller_account = SourceAccount(self.session).whoami().account_id
        self.accounts = Organization(self.session).accounts()
        self._frames["accounts"] = self.accounts
        boxes = []
        self.account_boxes = {}
        for record in self.accounts.to_dict("records"):
            account = str(record["account_id"])
            label = f"{account}  {record['name']}  ({record['ou'] or 'Root'})"
            if account == self.caller_account:
                label += "  — management account (your session)"
            box = classed(
                w.Checkbox(value=True, description=label, indent=False, layout={"width": "50em"}),
                "xacct-rollout-account",
                *(["xacct-rollout-management"] if account == self.caller_account else []),
            )
            box.observe(lambda _c: self.refresh_nav(), "value")
            self.account_boxes[account] = box
            boxes.append(box)
        self.account_list.children = boxes or [w.HTML("<i>The organization has no accounts.</i>")]
        self.say(f"{len(boxes)} active account(s) in the organization.", "ok")

    # -- spec and plan --------------------------------------------------------------------------
    def _leave_spec(self) -> None:
        if not self.selected:
            raise InvalidInput("No account is ticked.", fix="Go back and tick at least one.")
        chosen = self.accounts[self.accounts["account_id"].isin(self.selected)]
        self.rollout = Rollout(
            self.role_spec(), chosen, session=self.session, execution_role=self.execution_role
        )
        self.plan = self.rollout.plan()

    def _enter_plan(self, _direction: str) -> None:
        plan = self.plan
        if plan is None:
            return
        self._frames["plan"] = plan.frame
        self.plan_table.value = rollout_plan_html(plan)
        self.live_table.value = ""
        self.progress_bar.widget.layout.display = "none"
        self.destructive_ticks = {}
        ticks = []
        for account in plan.destructive["account_id"]:
            box = classed(
                w.Checkbox(
                    value=False,
                    indent=False,
                    description=f"I allow the red changes in account {account}",
                    layout={"width": "50em"},
                ),
                "xacct-rollout-destructive-tick",
            )
            box.observe(lambda _c: self.sync_buttons(), "value")
            self.destructive_ticks[str(account)] = box
            ticks.append(box)
        self.tick_box.children = ticks
        counts = ", ".join(f"{n} {a}" for a, n in plan.counts().items() if n)
        if plan.is_noop:
            self.say(f"Nothing to change: {counts}.", "ok")
        elif ticks:
            self.say(f"{counts}. Tick each red row to allow it, then Apply.", "warning")
        else:
            self.say(f"{counts}. Click Apply to write it.", "")
        self.sync_buttons()

    def sync_buttons(self) -> None:
        plan = self.plan
        ticked = all(box.value for box in self.destructive_ticks.values())
        changes = plan is not None and any(a.action in ("create", "update") for a in plan.accounts)
        self.apply_button.disabled = not changes or not ticked or self.result is not None
        self.rollback_button.disabled = self.result is None or self.rollback_result is not None

    # -- apply and roll back --------------------------------------------------------------------
    def _progress(self, status: dict[str, str]) -> Any:
        """The apply's progress: the bar, and each finished account's status in a table."""

        def update(event: RolloutProgress) -> None:
            self.progress_bar.update(event)
            status[event.account_id] = event.status
            live = pd.DataFrame({"account": list(status), "status": list(status.values())})
            self.live_table.value = readable_table_html(
                live,
                css="xacct-rollout-live-table",
                red_rows=[s in ("failed", "skipped") for s in status.values()],
            )

        return update

    def do_apply(self) -> bool:
        """Click Apply: apply the reviewed plan (destructive rows only when each is ticked)."""
        plan, rollout = self.plan, self.rollout
        if plan is None or rollout is None or self.apply_button.disabled:
            return False
        status: dict[str, str] = {}
        todo = sum(a.action in ("create", "update") for a in plan.accounts)
        self.progress_bar.start(todo, "apply")
        self.progress_bar.widget.layout.display = None

        def apply() -> None:
            allowed = bool(self.destructive_ticks) and all(
                box.value for box in self.destructive_ticks.values()
            )
            try:
                self.result = rollout.apply(
                    plan, allow_destructive=allowed, progress=self._progress(status)
                )
            finally:
                self.progress_bar.close()
            self._frames["result"] = self.result.frame
            self.result_table.value = result_html(self.result)

        ok = self.act("applying", apply)
        if ok and self.result is not None:
            self.rollback_result = None
            self.rollback_table.value = ""
            self.go(3, "forward")
            done = ", ".join(f"{n} {s}" for s, n in self.result.counts().items() if n)
            self.say(f"Applied: {done}.", "ok" if self.result.ok else "warning")
        self.sync_buttons()
        return ok

    def do_rollback(self) -> bool:
        """Click Roll back: restore every account the apply changed."""
        result = self.result
        if result is None or self.rollback_button.disabled:
            return False

        def rollback() -> None:
            self.rollback_result = result.rollback()
            self._frames["rollback"] = self.rollback_result.frame
            self.rollback_table.value = "<b>Roll back</b>" + result_html(self.rollback_result)

        ok = self.act("rolling back", rollback)
        if ok and self.rollback_result is not None:
            done = ", ".join(f"{n} {s}" for s, n in self.rollback_result.counts().items() if n)
            self.say(f"Rolled back: {done}.", "ok")
        self.sync_buttons()
        return ok


def result_html(result: RolloutResult) -> str:
    """A result frame as a table, failed and skipped rows red."""
    frame = result.frame
    shown = frame.assign(seconds=frame["seconds"].map(lambda s: f"{s:.1f}"))
    return f"<p>{esc(repr(result))}</p>" + readable_table_html(
        shown,
        css="xacct-rollout-result-table",
        empty="No account to apply.",
        red_rows=list(frame["status"].isin(["failed", "skipped"])),
    )
