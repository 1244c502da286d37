"""Per-account work on ``xw.query``'s fan-out, not a second one.

A rollout step (plan, apply or restore one account) runs as a callable target of the query
runner (:mod:`..query.runner`): the same caller with its one STS client, role credentials
assumed once and cached with refresh (:mod:`..query.credentials`), the same executors and stop
flag, and every failure in an account becomes
that account's :class:`~..query.result.Outcome` with a stage (``assume``: the execution role
could not be assumed; ``call``: the work failed there) instead of an exception.

What a callable target returns becomes table rows there; a rollout needs its own values back
(plans, snapshots), so the work's return value is kept here by account, and the runner is told
which account a call is for through the unit it runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import boto3
from botocore.exceptions import ClientError

from ...errors import InvalidInput, XacctError
from .. import ids
from ..aws import client_config, error_code
from ..progress import Progress, RolloutProgress, progress_sink
from ..query.credentials import STALE_CODES, Caller, RoleCredentials
from ..query.remote import is_remote
from ..query.result import Failure, Outcome, QueryProgress
from ..query.runner import Runner, Unit, run_units
from .accounts import AccountTarget

__all__ = ["AccountRun", "FanOut", "Work", "check_workers"]

T = TypeVar("T")

#: The work for one account: its target and a session acting in it (the execution role's, or
#: the caller's own for the caller's account).
Work = Callable[[AccountTarget, boto3.Session], T]


def check_workers(value: object, name: str) -> int:
    """A whole number >= 1, else InvalidInput naming the parameter (before any call)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(
            f"{name} {value!r} is invalid: it must be a whole number >= 1.", fix=f"Use {name}=20."
        )
    return value


def _status(failure: Failure) -> str:
    return "skipped" if failure.code == "Cancelled" else "failed"


@dataclass
class AccountRun(Generic[T]):
    """One account's end: the work's value, or the runner's outcome with its failure."""

    target: AccountTarget
    outcome: Outcome
    value: T | None = None

    @property
    def failed(self) -> bool:
        return self.outcome.failure is not None


@dataclass
class FanOut:
    """Who runs the work: the caller, the execution role to assume, how many at once."""

    caller: Caller
    execution_role: str
    external_id: str | None
    workers: int
    executor: Executor | None = None
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        if is_remote(self.executor):
            raise InvalidInput(
                "A rollout's apply and rollback run their accounts in this process (the "
                "snapshots rollback restores and the stop flag live here): executor must be "
                "a ThreadPoolExecutor or None.",
                fix="Plan on a process pool or Dask (rollout.plan(executor=...)), then apply "
                "with executor=None (threads) or a concurrent.futures.ThreadPoolExecutor.",
            )

    def iam(self, target: AccountTarget, session: boto3.Session) -> Any:
        """The IAM client of ``target``: the fan-out's cached one for the execution role (built
        once per role and kept with its credentials, as ``xw.query`` does), or the caller's."""
        if target.is_caller:
            return session.client("iam", config=client_config())
        key = RoleCredentials(self.caller).key(self.role_arn(target.account_id), self.external_id)
        credentials = session.get_credentials()
        assert credentials is not None
        return self.caller.client(key, credentials, "iam", self.caller.region)

    def role_arn(self, account: str) -> str:
        """The execution role assumed in ``account``."""
        return ids.role_arn(account, self.execution_role, partition=self.caller.partition)

    def run(
        self,
        targets: Sequence[AccountTarget],
        work: Work[T],
        *,
        progress: Progress = None,
        label: str = "rollout",
        done: str = "done",
        on_failure: Callable[[int], None] | None = None,
        on_interrupt: Callable[[dict[str, T], set[str]], None] | None = None,
    ) -> list[AccountRun[T]]:
        """``work`` in every target, in their order; ``on_failure(failures so far)`` is called
        in the worker right after an account fails, before that worker takes another account
        (so setting :attr:`stop` there keeps any new account from starting).

        ``progress`` (:mod:`..progress`) hears of every account as it ends, its status ``done``
        (e.g. ``applied``), ``failed`` or ``skipped`` (not started: stopped), in this thread.

        On an interrupt (or any exception in this thread) no new account starts, the accounts
        in flight finish (each is atomic), then ``on_interrupt(values, reported)`` gets every
        finished account's value and the accounts already reported as done (the others were
        in flight), and the exception goes on."""
        if not targets:
            return []
        runner = _AccountRunner(self, targets, work, on_failure)
        units = [self._unit(t) for t in targets]
        report, close = progress_sink(progress, len(units), label)
        counts = {done: 0, "failed": 0, "skipped": 0}
        reported: set[str] = set()

        def tell(account: str, failure: Failure | None) -> None:
            status = done if failure is None else _status(failure)
            counts[status] += 1
            reported.add(account)
            if report is not None:
                event = RolloutProgress(
                    label, len(reported), len(units), account, status, dict(counts)
                )
                report(event)

        def seen(p: QueryProgress) -> None:
            outcome = runner.outcomes.get(p.account_id)
            tell(p.account_id, outcome.failure if outcome is not None else None)

        try:
            outcomes = run_units(
                runner,
                units,
                workers=self.workers,
                executor=self.executor,
                report=seen,
                stop=self.stop,
            )
            for target, outcome in zip(targets, outcomes, strict=True):
                if target.account_id not in reported:  # cancelled before it started
                    tell(target.account_id, outcome.failure)
        except BaseException:
            self.stop.set()
            runner.wait_idle()
            if on_interrupt is not None:
                on_interrupt(dict(runner.values), reported)
            raise
        finally:
            close()
        return [
            AccountRun(t, o, runner.values.get(t.account_id))
            for t, o in zip(targets, outcomes, strict=True)
        ]

    def _unit(self, target: AccountTarget) -> Unit:
        region = self.caller.region
        if target.is_caller:
            return Unit(target.account_id, region, None, as_caller=True)
        return Unit(
            target.account_id,
            region,
            self.execution_role,
            role_arn=self.role_arn(target.account_id),
            external_id=self.external_id,
        )


class _AccountRunner(Runner, Generic[T]):
    """The query runner, told which account each call is for; keeps each work's value."""

    def __init__(
        self,
        fan: FanOut,
        targets: Sequence[AccountTarget],
        work: Work[T],
        on_failure: Callable[[int], None] | None,
    ) -> None:
        super().__init__(fan.caller, None, self._call_work, fan.workers, fan.stop)
        self._targets = {t.account_id: t for t in targets}
        self._work = work
        self._on_failure = on_failure
        self._local = threading.local()
        self._lock = threading.Lock()
        self._failures = 0
        self._active = 0
        self._idle = threading.Condition(self._lock)
        self.values: dict[str, T] = {}
        self.outcomes: dict[str, Outcome] = {}

    def wait_idle(self) -> None:
        """Until no account's work is running (after :attr:`stop`, none starts again)."""
        with self._idle:
            self._idle.wait_for(lambda: self._active == 0)

    def run(self, unit: Unit) -> Outcome:
        self._local.account = unit.label
        with self._lock:
            self._active += 1
        try:
            outcome = super().run(unit)
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()
        outcome.account_id = unit.label  # a caller's unit reports its session's account
        with self._lock:
            self.outcomes[unit.label] = outcome
        if outcome.failure is not None and outcome.failure.code != "Cancelled":
            with self._lock:
                self._failures += 1
                failures = self._failures
            if self._on_failure is not None:
                self._on_failure(failures)
        return outcome

    def _call_work(self, session: boto3.Session, region: str) -> list[Any]:
        target = self._targets[self._local.account]
        try:
            value = self._work(target, session)
        except XacctError as err:
            cause = err.__cause__
            if isinstance(cause, ClientError) and error_code(cause) in STALE_CODES:
                # Cached credentials AWS no longer accepts (a sandbox reset, a revoked session):
                # handed back as AWS's error, so the runner assumes the role again, once.
                raise cause from None
            raise
        with self._lock:
            self.values[target.account_id] = value
        return []
