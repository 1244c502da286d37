"""Running a fan-out: what one (target, region) unit does, and the pool that runs them all.

A unit carries only what it needs (the role ARN and ExternalId, or a ready session, and the
region); the per-query :class:`Runner` holds the operation, the caller and the credentials view,
and turns every unit into exactly one :class:`.result.Outcome` — an exception inside a unit
becomes its error row, never the query's.

* **Concurrency is an executor**: by default a thread pool of ``max_workers`` threads, or the
  caller's own ``ThreadPoolExecutor``; any other ``concurrent.futures.Executor`` (a process
  pool, Dask) gets batches of units through :mod:`.remote`. Either way the progress callable
  runs in the thread that called :func:`query`, never in a worker, so a widget may update
  itself from it; ``stop`` cancels the units (or batches) not started.
* **Clients are reused** (:mod:`.clients`): one per (role, service, region), kept with the
  role's credentials, so a repeated query builds none; botocore's adaptive retry mode absorbs
  throttling.
* **A region botocore does not know** (one typo among known regions) is that region's error row
  (stage ``call``, code ``InvalidRegion``), so it does not stop the valid regions.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias

import boto3
import pandas as pd
from botocore.credentials import Credentials
from botocore.exceptions import BotoCoreError, ClientError

from ...errors import InvalidInput, XacctError
from ..aws import error_code
from ..sessions import derived_session
from .clients import session_client
from .credentials import STALE_CODES, Caller, KeyedLocks, RoleCredentials, credentials_of, identity
from .models import known_regions
from .operation import Operation
from .result import (
    STAGE_ASSUME,
    STAGE_CALL,
    Failed,
    Failure,
    Outcome,
    QueryProgress,
    failure,
    row,
)
from .signing import signing_as

__all__ = ["CANCELLED", "QueryFunction", "Runner", "Unit", "drain", "progress_sink", "run_units"]

log = logging.getLogger(__name__)

#: A callable target query: ``fn(session, region)`` returns items (dicts) or a DataFrame.
QueryFunction: TypeAlias = Callable[[boto3.Session, str], Any]

#: The failure of a unit that never ran because ``stop`` was set.
CANCELLED: Final = Failure(STAGE_CALL, "Cancelled", "The query was stopped.")


@dataclass(frozen=True)
class Unit:
    """One (target, region): the role to assume (or a ready session) and the region.

    Without a session it is plain strings, so it may be sent to another process; ``as_caller``
    stands for the caller's own session there (an organization's management account).
    """

    label: str  # the account ID, or ``session[i]`` until the session says who it is
    region: str
    role_name: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    session: boto3.Session | None = field(default=None, repr=False, compare=False)
    as_caller: bool = False


class Runner:
    """One query's shared state: the question, the caller's credentials view, the stop flag."""

    def __init__(
        self,
        caller: Caller | None,
        op: Operation | None,
        fn: QueryFunction | None,
        workers: int,
        stop: threading.Event | None,
    ) -> None:
        self.caller = caller
        self.op = op
        self.fn = fn
        self.stop = stop
        self.credentials = RoleCredentials(caller) if caller is not None else None
        self._sessions = KeyedLocks()  # boto3 sessions are not documented as thread-safe

    def run(self, unit: Unit) -> Outcome:
        """Assume (or use the session), call, and return the unit's one outcome."""
        started = time.perf_counter()
        outcome = Outcome(unit.label, unit.region, unit.role_name)
        try:
            if self.stop is not None and self.stop.is_set():
                raise Failed(CANCELLED)
            if unit.as_caller:
                assert self.caller is not None
                unit = Unit(unit.label, unit.region, unit.role_name, session=self.caller.session)
            if unit.session is not None:
                outcome.account_id = self._session_account(unit.session)
            items = self._items(unit)
            outcome.items = len(items)
            outcome.rows = [row(outcome.account_id, unit.region, item) for item in items]
        except Failed as failed:
            outcome.failure = failed.failure
        outcome.seconds = time.perf_counter() - started
        return outcome

    def _session_account(self, session: boto3.Session) -> str:
        try:
            return identity(session, self._sessions(id(session))).account_id
        except Exception as err:  # a broken session must fail its own row only
            raise Failed(failure(STAGE_ASSUME, err)) from err

    def _items(self, unit: Unit) -> list[Any]:
        partition = self.caller.partition if self.caller is not None else "aws"
        if unit.region not in known_regions(partition):
            raise Failed(
                Failure(
                    STAGE_CALL,
                    "InvalidRegion",
                    f"Region {unit.region!r} is not a region of partition {partition!r} known "
                    "to botocore; check the spelling (e.g. 'eu-west-1').",
                )
            )
        credentials: Credentials | None = None
        for attempt in (1, 2):
            if unit.session is None:
                assert self.credentials is not None and unit.role_arn is not None
                credentials = self.credentials.get(
                    unit.role_arn, unit.external_id, renew=credentials
                )
            try:
                return self._call(unit, credentials)
            except (ClientError, BotoCoreError) as err:
                stale = (
                    attempt == 1
                    and credentials is not None
                    and error_code(err) in STALE_CODES
                    and self.credentials is not None
                    and not self.credentials.is_fresh(credentials)
                )
                if not stale:
                    raise Failed(failure(STAGE_CALL, err)) from err
                log.debug("cached credentials for %s refused; assuming again", unit.label)
            except Failed:
                raise
            except Exception as err:  # a callable target's own error: its row, not the query
                raise Failed(failure(STAGE_CALL, err)) from err
        raise AssertionError("unreachable")  # pragma: no cover

    def _call(self, unit: Unit, credentials: Credentials | None) -> list[Any]:
        if self.fn is not None:
            if unit.session is not None:
                session = _in_region(unit.session, unit.region)
            else:
                assert self.caller is not None and credentials is not None
                session = self.caller.session_for(credentials, unit.region)
            return _function_items(self.fn(session, unit.region))
        assert self.op is not None
        try:
            if unit.session is not None:
                return self.op.items(session_client(unit.session, self.op.service, unit.region))
            assert self.caller is not None and self.credentials is not None
            assert credentials is not None and unit.role_arn is not None
            key = self.credentials.key(unit.role_arn, unit.external_id)
            client = self.caller.shared(self.op.service, unit.region)
            with signing_as(key, credentials):  # the one client signs as this unit's role
                return self.op.items(client)
        except XacctError as err:  # the credentials' refresh (a new AssumeRole) was refused
            raise Failed(failure(STAGE_ASSUME, err)) from err


def _in_region(session: boto3.Session, region: str) -> boto3.Session:
    """A target session in the unit's region: itself when already there (caches intact), else
    a derived copy with the same credentials and settings."""
    if session.region_name == region:
        return session
    derived = derived_session(session, credentials_of(session))
    derived._session.set_config_variable("region", region)
    return derived


def _function_items(result: Any) -> list[Any]:
    if result is None:
        return []
    if isinstance(result, pd.DataFrame):
        return list(result.to_dict("records"))
    if isinstance(result, Mapping):
        return [result]
    if isinstance(result, Iterable) and not isinstance(result, str | bytes):
        return list(result)
    raise TypeError(
        f"the query function returned {type(result).__name__}; it must return a list of dicts, "
        "a DataFrame or None"
    )


# -- the pool ------------------------------------------------------------------------------------
#: Submits a batch of unit indices to an executor; its future answers their outcomes, in order.
Submit: TypeAlias = Callable[[list[int]], "Future[list[Outcome]]"]


def _one(runner: Runner, unit: Unit) -> list[Outcome]:
    return [runner.run(unit)]


def run_units(
    runner: Runner,
    units: Sequence[Unit],
    *,
    workers: int,
    executor: Executor | None = None,
    report: Callable[[QueryProgress], Any] | None = None,
    stop: threading.Event | None = None,
) -> list[Outcome]:
    """Run every unit in this process: on ``executor`` (a thread pool the caller owns and keeps)
    or on a pool of ``workers`` threads made for this call. See :func:`drain`."""
    if executor is not None:
        return drain(
            lambda batch: executor.submit(_one, runner, units[batch[0]]), units, 1, report, stop
        )
    with ThreadPoolExecutor(
        max_workers=min(workers, len(units)), thread_name_prefix="xacct-query"
    ) as pool:
        try:
            return drain(
                lambda batch: pool.submit(_one, runner, units[batch[0]]), units, 1, report, stop
            )
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def drain(
    submit: Submit,
    units: Sequence[Unit],
    batch: int | Sequence[list[int]],
    report: Callable[[QueryProgress], Any] | None,
    stop: threading.Event | None,
) -> list[Outcome]:
    """Submit ``units`` in batches of ``batch`` (or in the given batches of indices, which
    cover every unit once), collect one outcome per unit in their order.

    ``report`` is called in this thread after each unit; setting ``stop`` cancels the batches
    not started (their units' outcome: code ``Cancelled``). Finished futures are handed over by
    their done-callbacks through a queue: ``concurrent.futures.wait`` on every pending future
    after each completion made collecting N units cost O(N^2).
    """
    outcomes: dict[int, Outcome] = {}
    errors = 0
    pending: dict[Future[list[Outcome]], list[int]] = {}
    finished: queue.SimpleQueue[Future[list[Outcome]]] = queue.SimpleQueue()
    if isinstance(batch, int):
        step = batch
        batch = [list(range(i, min(i + step, len(units)))) for i in range(0, len(units), step)]
    for indices in batch:
        future = submit(indices)
        pending[future] = indices
        future.add_done_callback(finished.put)
    try:
        while pending:
            ready: list[Future[list[Outcome]]] = []
            try:
                ready.append(finished.get(timeout=0.2))
                while not finished.empty():
                    ready.append(finished.get_nowait())
            except queue.Empty:
                pass
            if stop is not None and stop.is_set():
                for future in pending:
                    future.cancel()  # a cancelled future's callback queues it too
            for future in ready:
                indices = pending.pop(future, [])
                if future.cancelled():
                    for i in indices:
                        unit = units[i]
                        outcomes[i] = Outcome(
                            unit.label, unit.region, unit.role_name, failure=CANCELLED
                        )
                    continue
                for i, outcome in zip(indices, future.result(), strict=True):
                    outcomes[i] = outcome
                    errors += outcome.failure is not None
                    if report is not None:
                        report(
                            QueryProgress(
                                len(outcomes),
                                len(units),
                                errors,
                                outcome.account_id,
                                outcome.region,
                                outcome.failure is None,
                            )
                        )
    except BaseException:
        for future in pending:
            future.cancel()
        raise
    return [outcomes[i] for i in range(len(units))]


def progress_sink(
    progress: bool | Callable[[QueryProgress], Any] | None, total: int, label: str
) -> tuple[Callable[[QueryProgress], Any] | None, Callable[[], None]]:
    """A progress callable and its closer: tqdm.auto for ``True`` (a widget in notebooks)."""
    if progress is None or progress is False:
        return None, lambda: None
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc=label, unit="unit")

        def advance(p: QueryProgress) -> None:
            bar.update(1)
            bar.set_postfix(errors=p.errors, refresh=False)

        return advance, bar.close
    if callable(progress):
        return progress, lambda: None
    raise InvalidInput(
        f"progress {progress!r} is invalid.",
        fix="Use None, True (a progress bar) or a callable taking a QueryProgress.",
    )
