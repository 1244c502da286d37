"""Drift: what was changed by hand, field by field, in the accounts the last apply wrote.

StackSets' drift detection says DRIFTED per stack instance and leaves the operator to diff the
templates. Here the accounts the last apply changed or found matching are planned again (the
same read-only plan, so the steps that would put them back are there too), and every account
whose plan is not ``noop`` has its role read in full and compared with what apply wrote: one
row per account and field - ``trust_policy``, ``inline_policy:<name>``, ``managed_policies``,
``description``, ``max_session_duration``, ``tags``, ``permissions_boundary``, or ``role``
when the role itself was deleted - with the value expected and the value found, as text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any, Final

import boto3
import pandas as pd

from .. import policies
from ..frames import to_frame
from ..target import Plan, RoleState, reads
from ..target.existing import same_trust
from .accounts import AccountTarget
from .fanout import FanOut
from .plan import AccountPlan, RolloutPlan

__all__ = ["DRIFT_COLUMNS", "FieldDrift", "RolloutDrift", "field_drift", "read_drift"]

#: Columns of :attr:`RolloutDrift.frame`.
DRIFT_COLUMNS: Final = ("account_id", "field", "expected", "actual")
#: What a value that is not there reads as.
ABSENT: Final = "(none)"


@dataclass(frozen=True)
class FieldDrift:
    """One field of one account's role that differs from what apply wrote."""

    account_id: str
    field: str
    expected: str
    actual: str


def _doc(doc: Mapping[str, Any] | None) -> str:
    return ABSENT if doc is None else json.dumps(doc, sort_keys=True, separators=(",", ":"))


def _tags(tags: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(tags.items())) or ABSENT


def field_drift(account_id: str, plan: Plan, now: RoleState | None) -> list[FieldDrift]:
    """How role ``now`` (read in full, None: deleted) differs from what ``plan`` applies."""
    spec = plan.spec
    if now is None:
        return [FieldDrift(account_id, "role", spec.role_arn(account_id), "(deleted)")]
    role = now.record
    rows: list[FieldDrift] = []

    def differs(field: str, expected: str, actual: str) -> None:
        if expected != actual:
            rows.append(FieldDrift(account_id, field, expected, actual))

    if not same_trust(role.trust_policy, plan.trust_policy):
        rows.append(
            FieldDrift(account_id, "trust_policy", _doc(plan.trust_policy), _doc(role.trust_policy))
        )
    for name in sorted(set(spec.inline_policies) | set(now.inline_documents)):
        wanted, found = spec.inline_policies.get(name), now.inline_documents.get(name)
        if wanted is None or found is None or not policies.equivalent(wanted, found):
            rows.append(FieldDrift(account_id, f"inline_policy:{name}", _doc(wanted), _doc(found)))
    differs(
        "managed_policies",
        ", ".join(sorted(spec.managed_policy_arns)) or ABSENT,
        ", ".join(sorted(role.managed_policy_arns)) or ABSENT,
    )
    differs("description", spec.description, role.description)
    differs("max_session_duration", str(spec.max_session_duration), str(role.max_session_duration))
    differs("tags", _tags(spec.tags), _tags(role.tags))
    differs(
        "permissions_boundary",
        spec.permissions_boundary or ABSENT,
        role.permissions_boundary or ABSENT,
    )
    return rows


@dataclass(frozen=True, repr=False)
class RolloutDrift:
    """What :meth:`Rollout.drift` found: ``frame`` has one row per account and field changed by
    hand (:data:`DRIFT_COLUMNS`); ``plan`` is what ``rollout.apply(drift.plan)`` would write to
    put them back (its ``changes`` are the steps)."""

    plan: RolloutPlan
    rows: tuple[FieldDrift, ...]

    @property
    def frame(self) -> pd.DataFrame:
        return to_frame((vars(r) for r in self.rows), DRIFT_COLUMNS)

    @property
    def changes(self) -> pd.DataFrame:
        """The steps that would put every drifted account back (``plan.changes``)."""
        return self.plan.changes

    @property
    def accounts(self) -> list[str]:
        """The accounts with drift, in the plan's order."""
        drifted = {r.account_id for r in self.rows}
        return [a.target.account_id for a in self.plan.accounts if a.target.account_id in drifted]

    @property
    def is_noop(self) -> bool:
        """True when nothing was changed by hand since the last apply."""
        return not self.rows

    def __repr__(self) -> str:
        checked = len(self.plan.accounts)
        if not self.rows:
            return f"RolloutDrift({self.plan.spec.name!r}: {checked} accounts, no drift)"
        return (
            f"RolloutDrift({self.plan.spec.name!r}: {checked} accounts, {len(self.rows)} "
            f"field(s) changed by hand in {len(self.accounts)})"
        )

    def _repr_html_(self) -> str:
        return f"<p>{escape(repr(self))}</p>" + self.frame.to_html(index=False)


def read_drift(fan: FanOut, plan: RolloutPlan) -> RolloutDrift:
    """``plan`` (made against what apply wrote) turned into field rows: every account not
    ``noop`` has its role read in full on ``fan``; one it cannot be read in says so."""
    rows: dict[str, list[FieldDrift]] = {}
    drifted: dict[str, AccountPlan] = {}
    for account in plan.accounts:
        key = account.target.account_id
        if account.plan is None:
            unreadable = f"(unreadable: {account.reason})"
            rows[key] = [FieldDrift(key, "role", account.role_arn, unreadable)]
        elif account.action != "noop":
            drifted[key] = account

    def work(target: AccountTarget, session: boto3.Session) -> list[FieldDrift]:
        account = drifted[target.account_id]
        assert account.plan is not None
        now = reads.role_state(fan.iam(target, session), account.plan.spec.name)
        return field_drift(target.account_id, account.plan, now)

    for run in fan.run([a.target for a in drifted.values()], work, label="drift"):
        key = run.target.account_id
        if run.value is not None:
            rows[key] = run.value
        else:
            assert run.outcome.failure is not None
            unreadable = f"(unreadable: {run.outcome.failure.message})"
            rows[key] = [FieldDrift(key, "role", drifted[key].role_arn, unreadable)]
    return RolloutDrift(
        plan, tuple(r for a in plan.accounts for r in rows.get(a.target.account_id, []))
    )
