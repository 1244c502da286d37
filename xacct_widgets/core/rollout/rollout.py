"""Rollout: one role spec, every account of an organization, one table before anything is written.

StackSets shows no preview, marks instances OUTDATED when nothing is pending, fails accounts
silently and cannot deploy to the management account; a shell loop has none of the guards. A
:class:`Rollout` plans every account with the same diff as a single account
(:meth:`TargetAccount.plan`), reading only; applies each account through the one change engine;
and keeps what it changed so that :meth:`RolloutResult.rollback` restores it exactly.
"""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import Executor

import boto3

from ...errors import InvalidInput
from .. import ids
from ..consent import consent
from ..progress import Progress
from ..query.credentials import caller_for
from ..query.organization import DEFAULT_MEMBER_ROLE
from ..query.remote import CallerSpec, is_remote, spec_of
from ..sessions import require_session
from ..target import RoleSpec
from .accounts import AccountsLike, AccountTarget, resolve_accounts
from .apply import RolloutResult, apply_rollout
from .blocked import inactive_reason
from .drift import RolloutDrift, read_drift
from .fanout import FanOut, check_workers
from .plan import AccountPlan, RolloutPlan, blocked_row, failed_row
from .remote import PlanJob, account_planner, plan_remote

__all__ = ["Rollout"]


class Rollout:
    """Roll ``spec`` out to ``accounts``, assuming ``execution_role`` in each from ``session``.

    ``accounts``: an :class:`~xacct_widgets.Organization` (all its accounts, read at each
    plan, so accounts added later appear), a DataFrame with ``account_id`` (e.g.
    ``Organization(session).accounts(ou="prod")``), or a list of account IDs. The session's own
    account (the management account, when listed) is planned and applied with ``session``
    itself. ``session`` may be a :class:`~xacct_widgets.CallerSpec` (as for ``xw.query``), which
    a plan on a process pool or Dask sends to its workers instead of credentials.
    """

    def __init__(
        self,
        spec: RoleSpec,
        accounts: AccountsLike,
        *,
        session: boto3.Session | CallerSpec,
        execution_role: str = DEFAULT_MEMBER_ROLE,
        external_id: str | None = None,
    ) -> None:
        if not isinstance(spec, RoleSpec):
            raise InvalidInput(
                f"Rollout needs a RoleSpec, not {type(spec).__name__}.",
                fix="e.g. xw.RoleSpec(name='cross-account', trusted_account='987654329876').",
            )
        self.spec = spec
        self.accounts = accounts
        #: How workers of a process pool or Dask get the caller (None: from ``session``).
        self.caller_spec = session if isinstance(session, CallerSpec) else None
        if isinstance(session, CallerSpec):
            session = session.session()
        self.session = require_session(
            session, "Rollout", example="Sandbox(member_accounts=3).session('management', 'admin')"
        )
        self.execution_role = ids.role_name(execution_role)
        self.external_id = ids.external_id(external_id) if external_id is not None else None
        #: The last plan made and the last apply's result (what drift() compares with).
        self.last_plan: RolloutPlan | None = None
        self.last_result: RolloutResult | None = None

    def __repr__(self) -> str:
        return f"Rollout({self.spec.name!r}, execution_role={self.execution_role!r})"

    def _fan(self, workers: int, executor: Executor | None = None) -> FanOut:
        caller = caller_for(self.session, workers)
        return FanOut(caller, self.execution_role, self.external_id, workers, executor)

    def plan(self, executor: Executor | None = None, max_workers: int = 20) -> RolloutPlan:
        """Read every account and say what apply would do there; writes nothing.

        ``executor``: any ``concurrent.futures.Executor``, as ``xw.query`` takes. None runs
        ``max_workers`` threads here; a ``ThreadPoolExecutor`` of yours runs them on it; any
        other (a ``ProcessPoolExecutor``, Dask's ``Client.get_executor()``) gets batches of
        accounts, each worker assuming the execution roles itself with ``max_workers`` threads
        (:mod:`.remote`): the caller must then travel as a ``CallerSpec`` (a profile's session
        becomes one by itself; explicit keys are refused before any call).
        """
        check_workers(max_workers, "max_workers")
        remote = executor if is_remote(executor) else None
        job = self._job(max_workers) if remote is not None else None
        fan = self._fan(max_workers, None if remote is not None else executor)
        return self._plan(fan, self._targets(fan), remote=(remote, job))

    def _job(self, workers: int) -> PlanJob:
        """What a worker needs to plan (InvalidInput when the caller cannot travel)."""
        caller = self.caller_spec or spec_of(self.session)
        return PlanJob(caller, self.execution_role, self.external_id, self.spec, workers)

    def _targets(self, fan: FanOut) -> list[AccountTarget]:
        return resolve_accounts(self.accounts, self.session, fan.caller.identity.account_id)

    def _plan(
        self,
        fan: FanOut,
        targets: list[AccountTarget],
        *,
        keep: bool = True,
        remote: tuple[Executor | None, PlanJob | None] = (None, None),
    ) -> RolloutPlan:
        started = time.perf_counter()
        spec = self.spec.for_partition(fan.caller.partition)
        rows: dict[str, AccountPlan] = {}
        active = []
        for target in targets:
            reason = inactive_reason(target)
            if reason:
                rows[target.account_id] = blocked_row(
                    target, spec.role_arn(target.account_id), reason
                )
            else:
                active.append(target)

        executor, job = remote
        if executor is not None and job is not None:
            job = dataclasses.replace(job, spec=spec)
            runs = plan_remote(executor, job, active)
        else:
            runs = fan.run(active, account_planner(fan, spec), label="plan")
        for run in runs:
            if run.value is not None:
                rows[run.target.account_id] = run.value
            else:
                assert run.outcome.failure is not None
                rows[run.target.account_id] = failed_row(
                    run.target,
                    spec.role_arn(run.target.account_id),
                    run.outcome.failure,
                    self.execution_role,
                )
        plan = RolloutPlan(
            spec, tuple(rows[t.account_id] for t in targets), time.perf_counter() - started
        )
        if keep:
            self.last_plan = plan
        return plan

    def apply(
        self,
        plan: RolloutPlan | None = None,
        *,
        max_concurrent: int = 20,
        failure_tolerance: int | float = 0,
        allow_destructive: bool = False,
        progress: Progress = True,
        executor: Executor | None = None,
    ) -> RolloutResult:
        """Apply ``plan`` (default: a plan made now): each create/update account through the
        change engine, all or nothing per account.

        ``failure_tolerance``: a count, or a fraction of the accounts to change; once more
        accounts than that have failed no new account starts (those in flight finish, the rest
        are ``skipped``). A plan with destructive rows is refused before any write unless
        ``allow_destructive is True``. ``progress``: True for a bar chosen by environment
        (:mod:`..progress`: our ipywidgets bar in a notebook, tqdm in a terminal), a callable
        receiving a :class:`~..progress.RolloutProgress` per account, a bar of yours, or
        None/False. ``executor``: None (``max_concurrent`` threads) or a ``ThreadPoolExecutor``
        of yours; a process pool or Dask is refused (:mod:`.remote`: the snapshots rollback
        restores and the stop flag live in this process; plan on it, then apply here).
        An interrupt starts no new account and rolls back the accounts in flight; the
        accounts finished before stay applied, listed in :attr:`last_result`.

        Raises:
            DestructiveChange: destructive rows and no consent; nothing was written.
            InvalidInput: a bad argument (before any call).
        """
        allowed = consent(allow_destructive, "allow_destructive")
        check_workers(max_concurrent, "max_concurrent")
        fan = self._fan(max_concurrent, executor)  # refuses a process pool or Dask
        if plan is None:
            plan = self.plan(max_workers=max_concurrent)
        elif not isinstance(plan, RolloutPlan):
            raise InvalidInput(f"apply() needs a RolloutPlan, not {type(plan).__name__}.")
        result = apply_rollout(
            plan,
            self._fan,
            max_concurrent=max_concurrent,
            failure_tolerance=failure_tolerance,
            allowed=allowed,
            progress=progress,
            record=self._record,
            fan=fan,
        )
        self.last_result = result
        return result

    def _record(self, result: RolloutResult) -> None:
        """Keep an interrupted apply's partial result (its rollback() undoes what it did)."""
        self.last_result = result

    def drift(self, executor: Executor | None = None, max_workers: int = 20) -> RolloutDrift:
        """What was changed by hand since the last apply, field by field (:mod:`.drift`), in
        the accounts it wrote or found matching; ``.plan`` would put them back. Reads only.
        ``executor`` as for :meth:`plan` (it makes the plan; the full reads of the drifted
        roles are made here)."""
        if self.last_result is None or self.last_plan is None:
            raise InvalidInput(
                "Nothing has been applied by this Rollout yet, so there is no drift to show.",
                fix="Call rollout.apply() first (or plan() to see what would change).",
            )
        kept = {r.account_id for r in self.last_result.rows if r.status in ("applied", "unchanged")}
        targets = [a.target for a in self.last_plan.accounts if a.target.account_id in kept]
        if not targets:
            raise InvalidInput("The last apply changed or matched no account: no drift to show.")
        check_workers(max_workers, "max_workers")
        remote = executor if is_remote(executor) else None
        job = self._job(max_workers) if remote is not None else None
        fan = self._fan(max_workers, None if remote is not None else executor)
        return read_drift(fan, self._plan(fan, targets, keep=False, remote=(remote, job)))
