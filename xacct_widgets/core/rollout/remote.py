"""A rollout's plan on other processes: a process pool or Dask, as ``xw.query`` takes them.

Planning is reads only and each account's plan is a plain value, so it may be made anywhere:
batches of accounts go to the executor with a :class:`PlanJob` - the caller as a
:class:`~..query.CallerSpec` (where to get credentials, never the credentials), the execution
role, the spec - and each worker runs its batch on the same fan-out as this process does
(:mod:`.fanout`: roles assumed and cached there, a thread per account), handing back one
:class:`.fanout.AccountRun` per account (its plan, or its failure, already scrubbed).

Apply and rollback stay in this process: the snapshots rollback restores, the failure
tolerance's stop flag and the interrupt guard (roll back the accounts in flight) live here.
"""

from __future__ import annotations

import pickle
import uuid
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field

import boto3

from ...errors import InvalidInput
from ..query.credentials import caller_for
from ..query.remote import CallerSpec, batch_size
from ..target import RoleSpec
from .accounts import AccountTarget
from .fanout import AccountRun, FanOut, Work
from .plan import AccountPlan, plan_account

__all__ = ["PlanJob", "account_planner", "plan_batch", "plan_remote"]


@dataclass(frozen=True)
class PlanJob:
    """One rollout plan as sent to workers: no secret, only names and the spec."""

    caller: CallerSpec
    execution_role: str
    external_id: str | None
    spec: RoleSpec
    workers: int
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


def account_planner(fan: FanOut, spec: RoleSpec) -> Work[AccountPlan]:
    """The work that plans ``spec`` in one account on ``fan`` (here or in a worker)."""

    def work(target: AccountTarget, session: boto3.Session) -> AccountPlan:
        principal = None if target.is_caller else fan.role_arn(target.account_id)
        return plan_account(target, session, spec, principal, fan.iam(target, session))

    return work


def plan_batch(job: PlanJob, targets: list[AccountTarget]) -> list[AccountRun[AccountPlan]]:
    """In a worker: plan ``targets`` with ``job``'s caller, one run per target, in order."""
    caller = caller_for(job.caller.session(), job.workers)
    fan = FanOut(caller, job.execution_role, job.external_id, job.workers)
    return fan.run(targets, account_planner(fan, job.spec), label="plan")


def check_sendable(job: PlanJob, targets: Sequence[AccountTarget]) -> None:
    """Refuse, before any call, a plan that cannot be pickled for another process."""
    try:
        pickle.dumps((job, list(targets[:1])))
    except Exception as err:
        raise InvalidInput(
            f"The rollout's plan cannot be sent to another process: {err}.",
            fix="Use no executor (threads), or a RoleSpec built from plain values.",
        ) from err


def plan_remote(
    executor: Executor, job: PlanJob, targets: Sequence[AccountTarget]
) -> list[AccountRun[AccountPlan]]:
    """``targets`` planned on ``executor`` in batches; one run per target, in their order. An
    interrupt cancels the batches not started."""
    check_sendable(job, targets)
    size = batch_size(len(targets), job.workers)
    futures: list[Future[list[AccountRun[AccountPlan]]]] = [
        executor.submit(plan_batch, job, list(targets[i : i + size]))
        for i in range(0, len(targets), size)
    ]
    runs: list[AccountRun[AccountPlan]] = []
    try:
        for future in futures:
            runs.extend(future.result())
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return runs
