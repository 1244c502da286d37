"""A fan-out on other processes: a process pool, or a Dask cluster when one machine is not enough.

``query(..., executor=...)`` takes any ``concurrent.futures.Executor``. A ``ThreadPoolExecutor``
runs units in this process (:mod:`.runner`); any other executor may run them elsewhere, so what
it is sent must make sense there and must not carry a secret:

* **A unit is plain strings**: account, region, role ARN, ExternalId, role name. The question
  is the service, operation, params and JMESPath as typed (checked again where it runs), or a
  module-level function (pickled by reference).
* **The caller travels as a** :class:`CallerSpec`, *where* to get base credentials, never the
  credentials: a profile name (``CallerSpec.profile("audit")``, read from the worker's own
  ``~/.aws``), or a function and string arguments that build the session there
  (``sandbox.caller_spec("management", "admin")`` names a sandbox
  principal by its URL; the worker asks the sandbox for it). A session made from explicit keys
  cannot be sent: there is no way to rebuild it without sending its secret.
* **Credentials are assumed where the unit runs**, and cached there per worker process (the
  same caches as in this process: :mod:`.credentials`, :mod:`.clients`), so a repeated query on
  the same cluster makes no AssumeRole in a worker that has seen the role.
* **Results are outcomes** (:class:`.result.Outcome`): rows already flattened and redacted,
  error text already scrubbed.

Units go in batches (:func:`batch_size`), each run on a thread pool inside the worker: a unit
mostly waits on the network, so one process runs many at once, as threads do here.

**A repeated query goes back to the worker that holds its roles.** Each worker process caches
the credentials it assumed, and an executor hands a task to whichever worker is free, so a
repeat assumed again the roles of every batch that changed worker (half of them or more on two
workers). The parent remembers which worker answered for each role (a random ID per worker
process, never a secret) and sends the next query's units in batches of one worker each; a
worker given another's batch hands it back unrun (a message each way, against an AssumeRole per
unit). A home worker that has stopped answering (gone) loses its batches to any worker after
:data:`MAX_MOVES` hand-backs (~1 s); one still finishing batches (busy) keeps them longer.
"""

from __future__ import annotations

import itertools
import math
import os
import pickle
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import Executor, Future, InvalidStateError, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final

import boto3

from ...errors import InvalidInput
from .credentials import caller_for
from .lru import LRU
from .operation import check_operation
from .result import Outcome, QueryProgress
from .runner import QueryFunction, Runner, Unit, drain

__all__ = [
    "MAX_MOVES",
    "MOVES_WHEN_ALIVE",
    "CallerSpec",
    "RemoteJob",
    "batch_size",
    "check_sendable",
    "check_units",
    "is_remote",
    "run_batch",
    "run_remote",
    "spec_of",
]

# Methods of credentials a profile resolves by itself (no secret passed in code).
_PROFILE_METHODS = frozenset(
    {
        "shared-credentials-file",
        "config-file",
        "assume-role",
        "assume-role-with-web-identity",
        "sso",
        "custom-process",
    }
)


def profile_session(name: str, region: str) -> boto3.Session:
    """A session for profile ``name`` (read from this process's AWS config)."""
    return boto3.Session(profile_name=name, region_name=region or None)


@dataclass(frozen=True)
class CallerSpec:
    """Where a worker process gets the caller's base credentials: a recipe, never a secret.

    ``factory(*args)`` must return a ``boto3.Session``; it is pickled by reference (a
    module-level function) and ``args`` are strings (a profile name, a URL, a principal's name).
    A worker calls it once and keeps the session (:meth:`session`).
    """

    factory: Callable[..., boto3.Session]
    args: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not callable(self.factory) or not all(isinstance(a, str) for a in self.args):
            raise InvalidInput(
                f"CallerSpec({self.factory!r}, {self.args!r}) is invalid.",
                fix="Give a module-level function returning a boto3.Session and string args.",
            )

    @classmethod
    def profile(cls, name: str, region: str | None = None) -> CallerSpec:
        """The caller of AWS profile ``name``, as configured where the unit runs."""
        return cls(profile_session, (name, region or ""))

    def session(self) -> boto3.Session:
        """The caller's session in this process (built once per process, then reused)."""
        with _SESSIONS_LOCK:
            found = _SESSIONS.get(self)
            if found is None:
                found = self.factory(*self.args)
                if not isinstance(found, boto3.Session):
                    raise InvalidInput(
                        f"{self!r} returned {type(found).__name__}, not a boto3.Session."
                    )
                _SESSIONS.put(self, found)
            return found  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        name = getattr(self.factory, "__qualname__", repr(self.factory))
        return f"CallerSpec({name}{self.args!r})"


_SESSIONS = LRU(64)
_SESSIONS_LOCK = threading.Lock()


def spec_of(session: boto3.Session | CallerSpec) -> CallerSpec:
    """The CallerSpec of ``session``: itself, or its profile when the profile supplies the
    credentials; InvalidInput otherwise (explicit keys cannot travel without their secret)."""
    if isinstance(session, CallerSpec):
        return session
    credentials = session.get_credentials()
    method = getattr(credentials, "method", None)
    if method in _PROFILE_METHODS:
        return CallerSpec.profile(session.profile_name, session.region_name)
    raise InvalidInput(
        f"The caller's credentials (method {method!r}) cannot be sent to another process "
        "without their secret.",
        fix="Pass session=CallerSpec.profile('NAME') (each worker reads the profile), or for "
        "the sandbox session=sandbox.caller_spec(account, user).",
    )


def is_remote(executor: Executor | None) -> bool:
    """True when units may run outside this process (anything but a thread pool)."""
    return executor is not None and not isinstance(executor, ThreadPoolExecutor)


@dataclass(frozen=True)
class RemoteJob:
    """One query as sent to workers: who asks, what, with how many threads per worker.

    ``token`` names the query, so a worker keeps one :class:`.runner.Runner` per query (one
    AssumeRole per role even when its batches land together, failed roles remembered).
    """

    caller: CallerSpec
    service: str | None
    operation: str | None
    params: Mapping[str, Any] | None
    jmespath: str | None
    allow_writes: bool
    fn: QueryFunction | None
    workers: int
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


def check_units(units: Sequence[Unit]) -> None:
    """Refuse session targets, before any call: they cannot travel without their keys."""
    if any(u.session is not None for u in units):
        raise InvalidInput(
            "Session targets cannot be sent to another process (their keys would travel).",
            fix="Use (account, role) targets with a process or Dask executor, or no executor.",
        )


def check_sendable(job: RemoteJob, units: Sequence[Unit]) -> None:
    """Refuse, before any call, a query that cannot be pickled (a lambda as the function)."""
    try:
        pickle.dumps((job, list(units[:1])))
    except Exception as err:
        raise InvalidInput(
            f"The query cannot be sent to another process: {err}.",
            fix="Use a module-level function (not a lambda or a closure) as the query function.",
        ) from err


def batch_size(units: int, workers: int) -> int:
    """Units per task: enough to keep a worker's ``workers`` threads busy, and enough tasks to
    spread over several workers and report progress as they finish."""
    return max(1, min(workers * 2, math.ceil(units / 4)))


#: Hand-backs of a batch by workers that do not hold its roles before any worker may run it;
#: the parent waits :data:`HAND_BACK_PAUSE` before each new try (the worker that handed it back
#: takes its next task at once). Past them, a home worker that finished a batch within
#: :data:`ALIVE_WITHIN` seconds is busy, not gone, and keeps its batch, up to
#: :data:`MOVES_WHEN_ALIVE` hand-backs (~20 s).
MAX_MOVES: Final = 20
MOVES_WHEN_ALIVE: Final = 400
HAND_BACK_PAUSE: Final = 0.05
ALIVE_WITHIN: Final = 10.0
_HOMES = LRU(100_000)  # (caller, role ARN, ExternalId) -> the worker that holds its credentials
_SEEN = LRU(1024)  # worker ID -> time.monotonic() when it last finished a batch for this process


def _keeps_its_batch(home: str | None, moves: int) -> bool:
    """Whether a batch handed back ``moves`` times still goes to worker ``home`` only."""
    if home is None or moves < MAX_MOVES:
        return True
    seen = _SEEN.get(home)
    alive = isinstance(seen, float) and time.monotonic() - seen < ALIVE_WITHIN
    return alive and moves < MOVES_WHEN_ALIVE


def _home_key(job: RemoteJob, unit: Unit) -> Hashable:
    return (job.caller, unit.role_arn, unit.external_id)


def plan_batches(job: RemoteJob, units: Sequence[Unit], size: int) -> list[list[int]]:
    """Batches of at most ``size`` units, each of units whose roles one worker holds (or none
    yet), the workers' batches interleaved so each finds one of its own near the queue's
    head."""
    groups: dict[str | None, list[int]] = {}
    for i, unit in enumerate(units):
        groups.setdefault(_HOMES.get(_home_key(job, unit)), []).append(i)
    chunks = [[ids[k : k + size] for k in range(0, len(ids), size)] for ids in groups.values()]
    return [chunk for row in itertools.zip_longest(*chunks) for chunk in row if chunk]


def _settle(
    future: Future[list[Outcome]], value: Any = None, error: BaseException | None = None
) -> None:
    """Complete ``future`` unless it was cancelled meanwhile (``stop``)."""
    try:
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)
    except InvalidStateError:
        pass


def _submit_home(
    executor: Executor, job: RemoteJob, batch: list[Unit], home: str | None
) -> Future[list[Outcome]]:
    """Submit ``batch`` for worker ``home``; the future of its outcomes, wherever it ran."""
    outer: Future[list[Outcome]] = Future()

    def attempt(moves: int) -> None:
        if outer.done():
            return
        # ``moves`` is an argument so no executor takes the retry for the same task (Dask's
        # submit is pure by default: the same arguments would answer the same hand-back).
        try:
            inner = executor.submit(
                run_batch, job, batch, home if _keeps_its_batch(home, moves) else None, moves
            )
        except RuntimeError as err:  # shut down meanwhile (a retry runs on a timer thread)
            _settle(outer, error=err)
            return
        outer.add_done_callback(lambda o: inner.cancel() if o.cancelled() else None)

        def done(f: Future[tuple[str, list[Outcome]] | None]) -> None:
            if f.cancelled():
                outer.cancel()
            elif f.exception() is not None:
                _settle(outer, error=f.exception())
            elif (answer := f.result()) is None:
                # Handed back: not that batch's worker. Sent again after a pause, so the home
                # worker may take it first; the worker that handed it back is not kept waiting.
                retry = threading.Timer(HAND_BACK_PAUSE, attempt, (moves + 1,))
                retry.daemon = True
                retry.start()
            else:
                _SEEN.put(answer[0], time.monotonic())
                for unit in batch:
                    _HOMES.put(_home_key(job, unit), answer[0])
                _settle(outer, answer[1])

        inner.add_done_callback(done)

    attempt(0)
    return outer


def run_remote(
    executor: Executor,
    job: RemoteJob,
    units: Sequence[Unit],
    report: Callable[[QueryProgress], Any] | None,
    stop: threading.Event | None,
) -> list[Outcome]:
    """Run ``units`` on ``executor`` in batches, each where its roles are cached when a worker
    has them; one outcome per unit, in their order."""
    batches = plan_batches(job, units, batch_size(len(units), job.workers))

    def submit(batch: list[int]) -> Future[list[Outcome]]:
        home = _HOMES.get(_home_key(job, units[batch[0]]))
        return _submit_home(executor, job, [units[i] for i in batch], home)

    return drain(submit, units, batches, report, stop)


# -- in the worker -------------------------------------------------------------------------------
_RUNNERS = LRU(16)
_RUNNERS_LOCK = threading.Lock()
_POOL: list[tuple[int, ThreadPoolExecutor]] = []  # (threads, pool) of this worker process
_POOL_LOCK = threading.Lock()


_WORKER_ID = uuid.uuid4().hex  # this process, as the parent's batches name it (no secret)


def _reset_in_child() -> None:
    """A forked worker starts with no pool and free locks (the parent's threads are gone), and
    a worker ID of its own."""
    global _RUNNERS_LOCK, _POOL_LOCK, _SESSIONS_LOCK, _WORKER_ID
    _WORKER_ID = uuid.uuid4().hex
    _POOL.clear()
    _RUNNERS_LOCK, _POOL_LOCK, _SESSIONS_LOCK = threading.Lock(), threading.Lock(), threading.Lock()


os.register_at_fork(after_in_child=_reset_in_child)


def _runner(job: RemoteJob) -> Runner:
    with _RUNNERS_LOCK:
        found = _RUNNERS.get(job.token)
        if isinstance(found, Runner):
            return found
        op = None
        if job.fn is None:
            assert job.service is not None and job.operation is not None
            op = check_operation(
                job.service,
                job.operation,
                job.params,
                job.jmespath,
                allow_writes=job.allow_writes,
            )
        runner = Runner(
            caller_for(job.caller.session(), job.workers), op, job.fn, job.workers, None
        )
        _RUNNERS.put(job.token, runner)
        return runner


def _pool(workers: int) -> ThreadPoolExecutor:
    """This worker's thread pool, shared by the batches it runs at once (grown when needed)."""
    with _POOL_LOCK:
        if not _POOL or _POOL[0][0] < workers:
            if _POOL:
                _POOL[0][1].shutdown(wait=False)  # its running batches finish
            _POOL[:] = [(workers, ThreadPoolExecutor(workers, thread_name_prefix="xacct-worker"))]
        return _POOL[0][1]


def run_batch(
    job: RemoteJob, units: list[Unit], home: str | None = None, moves: int = 0
) -> tuple[str, list[Outcome]] | None:
    """Run a batch of units where this function is called (a worker process): this worker's
    ID and one outcome each, in order; None, unrun, when the batch is for worker ``home``
    and this is another (its ``moves``-th hand-back). Never raises for a unit's failure; the
    outcomes hold no secret."""
    if home is not None and home != _WORKER_ID:
        return None  # the parent sends it again after a pause (HAND_BACK_PAUSE)
    runner = _runner(job)
    return _WORKER_ID, list(_pool(job.workers).map(runner.run, units))
