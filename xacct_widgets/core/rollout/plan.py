"""RolloutPlan: one row per account of what apply would do, made by reads only.

Each account's row comes from that account's own :meth:`TargetAccount.plan` (the same diff as
part A), so a rollout and a single-account apply can never disagree about what changes. The
row's ``action`` is ``create`` (no such role), ``update`` (steps to make), ``noop`` (the role
already matches) or ``blocked`` with the reason in words (:mod:`.blocked`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any, Final

import boto3
import pandas as pd

from ..frames import to_frame
from ..query.result import Failure
from ..target import Plan, RoleSpec, TargetAccount
from ..target.plan import CHANGE_COLUMNS
from . import blocked
from .accounts import AccountTarget

__all__ = ["ACTIONS", "PLAN_CHANGE_COLUMNS", "PLAN_COLUMNS", "AccountPlan", "RolloutPlan"]

#: Values of the ``action`` column.
ACTIONS: Final = ("create", "update", "noop", "blocked")
#: Columns of :attr:`RolloutPlan.frame`.
PLAN_COLUMNS: Final = (
    "account_id",
    "account_name",
    "ou",
    "action",
    "changes",
    "destructive",
    "reason",
    "role_arn",
)
#: Columns of :attr:`RolloutPlan.changes`: ``Plan.changes`` with the account first.
PLAN_CHANGE_COLUMNS: Final = ("account_id", *CHANGE_COLUMNS, "destructive")


@dataclass(frozen=True)
class AccountPlan:
    """One account's row: its part-A plan (None when blocked before it could be read)."""

    target: AccountTarget
    action: str
    role_arn: str
    plan: Plan | None = None
    reason: str = ""

    @property
    def destructive(self) -> bool:
        return self.plan is not None and any(s.is_destructive for s in self.plan.steps)

    @property
    def row(self) -> dict[str, object]:
        return {
            "account_id": self.target.account_id,
            "account_name": self.target.name,
            "ou": self.target.ou,
            "action": self.action,
            "changes": len(self.plan.steps) if self.plan is not None else 0,
            "destructive": self.destructive,
            "reason": self.reason,
            "role_arn": self.role_arn,
        }


def blocked_row(target: AccountTarget, role_arn: str, reason: str) -> AccountPlan:
    return AccountPlan(target, "blocked", role_arn, None, reason)


def failed_row(
    target: AccountTarget, role_arn: str, failure: Failure, execution_role: str
) -> AccountPlan:
    """The row of an account whose plan could not be made (assume or read failed)."""
    return blocked_row(target, role_arn, blocked.failure_reason(failure, execution_role))


def plan_account(
    target: AccountTarget,
    session: boto3.Session,
    spec: RoleSpec,
    principal_arn: str | None,
    iam: Any = None,
) -> AccountPlan:
    """Plan ``spec`` in one account with ``session`` (acting there as ``principal_arn``, the
    execution role, or None for the caller's own account, which SCPs do not restrict), with
    ``iam`` when a client for it is at hand."""
    account = TargetAccount(session)
    if iam is not None:
        account.iam = iam  # the fan-out's cached client of this account
    if principal_arn is not None:
        # Who the session is, known already: spares TargetAccount an sts:GetCallerIdentity.
        account.caller_arn = principal_arn
    plan = account.plan(spec)
    role_arn = (
        plan.current.arn if plan.current is not None else plan.spec.role_arn(target.account_id)
    )
    reason = blocked.quota_reason(account.iam, plan) or blocked.problem_reason(plan)
    if not reason and plan.steps and principal_arn is not None:
        reason = blocked.denied_writes(account.iam, plan, principal_arn, role_arn)
    if reason:
        return AccountPlan(target, "blocked", role_arn, plan, reason)
    if not plan.steps:
        return AccountPlan(target, "noop", role_arn, plan)
    return AccountPlan(target, "update" if plan.role_exists else "create", role_arn, plan)


@dataclass(frozen=True, repr=False)
class RolloutPlan:
    """What :meth:`Rollout.apply` would do in every account; nothing was written to make it.

    ``frame``: one row per account (:data:`PLAN_COLUMNS`). ``changes``: every account's steps
    (:data:`PLAN_CHANGE_COLUMNS`). ``destructive`` and ``blocked`` are views of ``frame``.
    """

    spec: RoleSpec
    accounts: tuple[AccountPlan, ...]
    seconds: float = 0.0
    calls: int = field(default=0, compare=False)

    @property
    def frame(self) -> pd.DataFrame:
        return to_frame((a.row for a in self.accounts), PLAN_COLUMNS)

    @property
    def changes(self) -> pd.DataFrame:
        rows = (
            {
                "account_id": a.target.account_id,
                "step": i,
                **vars(s),
                "destructive": bool(s.removes),
            }
            for a in self.accounts
            if a.plan is not None
            for i, s in enumerate(a.plan.steps, 1)
        )
        return to_frame(rows, PLAN_CHANGE_COLUMNS)

    @property
    def destructive(self) -> pd.DataFrame:
        frame = self.frame
        return frame[frame["destructive"].astype(bool)].reset_index(drop=True)

    @property
    def blocked(self) -> pd.DataFrame:
        frame = self.frame
        return frame[frame["action"] == "blocked"].reset_index(drop=True)

    @property
    def is_noop(self) -> bool:
        """True when every account already has the role as specified (nothing blocked)."""
        return all(a.action == "noop" for a in self.accounts)

    def counts(self) -> dict[str, int]:
        """How many accounts per action."""
        return {action: sum(a.action == action for a in self.accounts) for action in ACTIONS}

    def __repr__(self) -> str:
        shown = ", ".join(f"{n} {a}" for a, n in self.counts().items() if n)
        return f"RolloutPlan({self.spec.name!r}: {len(self.accounts)} accounts: {shown or 'none'})"

    def _repr_html_(self) -> str:
        return f"<p>{escape(repr(self))}</p>" + self.frame.to_html(index=False)
