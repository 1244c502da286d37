"""Applying a RolloutPlan account by account, and putting every touched account back.

* **Consent first**: the plan's destructive rows are refused before any write in any account
  (the engine's :func:`..changes.check_consent`, one row per account and step).
* **Each account is one engine run** (:func:`..target.apply.apply_plan`): all or nothing in that
  account; a failure there is rolled back by the engine and becomes the account's ``failed``
  row, never an exception.
* **Failure tolerance**: once more accounts than the tolerance have failed, the worker that saw
  the failure sets the fan-out's stop flag before it takes another account, so no new account
  starts; those in flight finish; the rest are ``skipped``.
* **Rollback is exact**: before an existing role is changed, its full state is read
  (:func:`..target.reads.role_state`); :meth:`RolloutResult.rollback` restores it field by field
  (:mod:`.restore`), and deletes the roles the rollout created.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any, Final

import boto3
import pandas as pd

from ...errors import InvalidInput
from ..changes import Step, check_consent
from ..frames import to_frame
from ..progress import Progress
from ..target import reads
from ..target.apply import apply_plan
from ..target.record import RoleState
from .accounts import AccountTarget
from .fanout import AccountRun, FanOut
from .plan import AccountPlan, RolloutPlan
from .restore import restore_role

__all__ = [
    "RESULT_COLUMNS",
    "STATUSES",
    "AccountResult",
    "RolloutResult",
    "apply_rollout",
    "tolerance_count",
]

#: Columns of :attr:`RolloutResult.frame`.
RESULT_COLUMNS: Final = ("account_id", "status", "error_code", "message", "seconds")
#: Values of the ``status`` column.
STATUSES: Final = ("applied", "unchanged", "failed", "skipped", "rolled_back")


@dataclass(frozen=True)
class AccountResult:
    """One account's row of a result."""

    account_id: str
    status: str
    error_code: str = ""
    message: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Touched:
    """An account the rollout changed, and how its role was before (None: it did not exist)."""

    target: AccountTarget
    role_name: str
    before: RoleState | None = field(repr=False)


@dataclass(frozen=True, repr=False)
class RolloutResult:
    """What an apply (or a rollback) did: ``frame`` has one row per account
    (:data:`RESULT_COLUMNS`); :meth:`rollback` puts every changed account back."""

    kind: str
    rows: tuple[AccountResult, ...]
    touched: tuple[Touched, ...] = ()
    seconds: float = 0.0
    fan: Callable[[int], FanOut] | None = field(default=None, compare=False)

    @property
    def frame(self) -> pd.DataFrame:
        return to_frame(self.rows, RESULT_COLUMNS)

    @property
    def ok(self) -> bool:
        """True when no account failed or was skipped."""
        return all(r.status not in ("failed", "skipped") for r in self.rows)

    def counts(self) -> dict[str, int]:
        return {s: sum(r.status == s for r in self.rows) for s in STATUSES}

    def rollback(self, *, max_concurrent: int = 20, progress: Progress = None) -> RolloutResult:
        """Restore every account this apply changed to exactly its state before; a result of
        its own (``rolled_back`` per account restored). Failures are that account's row."""
        if self.kind != "apply" or self.fan is None:
            raise InvalidInput(
                f"Only an apply's result can be rolled back, not a {self.kind}'s.",
                fix="Call rollback() on the result rollout.apply() returned.",
            )
        started = time.perf_counter()
        runs = restore(self.fan(max_concurrent), self.touched, progress)
        rows = tuple(_row(run, "rolled_back" if run.value else "unchanged", "") for run in runs)
        return RolloutResult("rollback", rows, seconds=time.perf_counter() - started)

    def __repr__(self) -> str:
        shown = ", ".join(f"{n} {s}" for s, n in self.counts().items() if n)
        return f"RolloutResult({self.kind}: {len(self.rows)} accounts: {shown or 'none'})"

    def _repr_html_(self) -> str:
        return f"<p>{escape(repr(self))}</p>" + self.frame.to_html(index=False)


def restore(fan: FanOut, touched: Sequence[Touched], progress: Progress) -> list[AccountRun[bool]]:
    """Each touched account's role put back as its snapshot had it (value: whether it wrote)."""
    by_account = {t.target.account_id: t for t in touched}

    def work(target: AccountTarget, session: boto3.Session) -> bool:
        account = by_account[target.account_id]
        iam = fan.iam(target, session)
        return restore_role(iam, account.role_name, account.before).changed

    return fan.run(
        [t.target for t in touched], work, progress=progress, label="rollback", done="rolled_back"
    )


def _row(run: AccountRun[Any], status: str, skipped: str) -> AccountResult:
    seconds = round(run.outcome.seconds, 3)
    failure = run.outcome.failure
    if failure is None:
        return AccountResult(run.target.account_id, status, seconds=seconds)
    if failure.code == "Cancelled":
        return AccountResult(run.target.account_id, "skipped", "Cancelled", skipped, seconds)
    return AccountResult(run.target.account_id, "failed", failure.code, failure.message, seconds)


def _unrun(account: AccountPlan) -> AccountResult:
    """The row of an account apply had nothing to do in: blocked (skipped) or noop."""
    if account.action == "blocked":
        return AccountResult(account.target.account_id, "skipped", "Blocked", account.reason)
    return AccountResult(account.target.account_id, "unchanged")


def tolerance_count(value: object, accounts: int) -> int:
    """How many failed accounts are tolerated: a count (int >= 0) or a fraction (0 <= f < 1)
    of the accounts to change, rounded down."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(
            f"failure_tolerance {value!r} is invalid: give a count or a fraction.",
            fix="e.g. failure_tolerance=0 (stop at the first failure), 5, or 0.1.",
        )
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, float) and 0 <= value < 1:
        return math.floor(value * accounts)
    raise InvalidInput(
        f"failure_tolerance {value!r} is invalid: a count must be >= 0 and a fraction 0 <= f < 1.",
        fix="e.g. failure_tolerance=0, 5, or 0.1.",
    )


def refuse_destructive(plan: RolloutPlan, allowed: bool) -> None:
    """DestructiveChange naming every account's destructive step, before any write."""
    steps = [
        Step(f"{a.target.account_id}: {s.label}", lambda: lambda: None, True, why=s.removes)
        for a in plan.accounts
        if a.plan is not None and a.action in ("create", "update")
        for s in a.plan.steps
        if s.is_destructive
    ]
    check_consent(
        steps,
        subject=f"Rolling out role {plan.spec.name!r}",
        allow_destructive=allowed,
        confirm_fix="call apply(plan, allow_destructive=True)",
    )


def apply_rollout(
    plan: RolloutPlan,
    fan_for: Callable[[int], FanOut],
    *,
    max_concurrent: int,
    failure_tolerance: object,
    allowed: bool,
    progress: Progress,
    record: Callable[[RolloutResult], None],
    fan: FanOut | None = None,
) -> RolloutResult:
    """The plan's create and update rows, each through the change engine (module docstring);
    ``allowed`` is the caller's consent, already read with :func:`..consent.consent`.

    On an interrupt, no new account starts; the accounts in flight finish and are then rolled
    back from their snapshots; ``record`` gets the partial result (the accounts finished before
    stay applied, and its ``rollback()`` undoes them) and the interrupt goes on."""
    todo = [a for a in plan.accounts if a.action in ("create", "update")]
    tolerated = tolerance_count(failure_tolerance, len(todo))
    refuse_destructive(plan, allowed)
    if fan is None:  # else the caller's (on its own executor); rollback makes its own
        fan = fan_for(max_concurrent)
    by_account: dict[str, AccountPlan] = {a.target.account_id: a for a in todo}
    started = time.perf_counter()

    def work(target: AccountTarget, session: boto3.Session) -> RoleState | None:
        account = by_account[target.account_id]
        assert account.plan is not None
        iam = fan.iam(target, session)
        name = account.plan.spec.name
        before = reads.role_state(iam, name) if account.plan.role_exists else None
        apply_plan(iam, account.plan, allow_destructive=allowed)
        return before

    def on_failure(failures: int) -> None:
        if failures > tolerated:
            fan.stop.set()

    def on_interrupt(values: dict[str, RoleState | None], reported: set[str]) -> None:
        finished = [Touched(by_account[a].target, plan.spec.name, v) for a, v in values.items()]
        in_flight = [t for t in finished if t.target.account_id not in reported]
        undone = {r.target.account_id: r for r in restore(fan_for(max_concurrent), in_flight, None)}
        rows = []
        for account in plan.accounts:
            key = account.target.account_id
            if key in undone:
                run = undone[key]
                rows.append(
                    _row(run, "rolled_back", "")
                    if run.failed
                    else AccountResult(
                        key, "rolled_back", "Interrupted", "in flight when interrupted: undone"
                    )
                )
            elif key in values:
                rows.append(AccountResult(key, "applied"))
            elif key in by_account:
                rows.append(
                    AccountResult(key, "skipped", "Interrupted", "not finished: interrupted")
                )
            else:
                rows.append(_unrun(account))
        kept = tuple(t for t in finished if t.target.account_id in reported)
        record(RolloutResult("apply", tuple(rows), kept, time.perf_counter() - started, fan_for))

    runs = {
        r.target.account_id: r
        for r in fan.run(
            [a.target for a in todo],
            work,
            progress=progress,
            label="apply",
            done="applied",
            on_failure=on_failure,
            on_interrupt=on_interrupt,
        )
    }
    skipped = (
        f"not started: more than {tolerated} account(s) failed (failure_tolerance="
        f"{failure_tolerance!r})"
    )
    rows: list[AccountResult] = []
    touched: list[Touched] = []
    for account in plan.accounts:
        run = runs.get(account.target.account_id)
        if run is None:
            rows.append(_unrun(account))
            continue
        rows.append(_row(run, "applied", skipped))
        if not run.failed:
            touched.append(Touched(account.target, plan.spec.name, run.value))
    return RolloutResult(
        "apply", tuple(rows), tuple(touched), time.perf_counter() - started, fan_for
    )
