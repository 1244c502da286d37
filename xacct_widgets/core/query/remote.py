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
"""

from __future__ import annotations

import math
import os
import pickle
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import boto3

from ...errors import InvalidInput
from .credentials import caller_for
from .lru import LRU
from .operation import check_operation
from .result import Outcome, QueryProgress
from .runner import QueryFunction, Runner, Unit, drain

__all__ = [
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


def run_remote(
    executor: Executor,
    job: RemoteJob,
    units: Sequence[Unit],
    report: Callable[[QueryProgress], Any] | None,
    stop: threading.Event | None,
) -> list[Outcome]:
    """Run ``units`` on ``executor`` in batches; one outcome per unit, in their order."""
    size = batch_size(len(units), job.workers)
    return drain(
        lambda batch: executor.submit(run_batch, job, [units[i] for i in batch]),
        units,
        size,
        report,
        stop,
    )


# -- in the worker -------------------------------------------------------------------------------
_RUNNERS = LRU(16)
_RUNNERS_LOCK = threading.Lock()
_POOL: list[tuple[int, ThreadPoolExecutor]] = []  # (threads, pool) of this worker process
_POOL_LOCK = threading.Lock()


def _reset_in_child() -> None:
    """A forked worker starts with no pool and free locks (the parent's threads are gone)."""
    global _RUNNERS_LOCK, _POOL_LOCK, _SESSIONS_LOCK
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


def run_batch(job: RemoteJob, units: list[Unit]) -> list[Outcome]:
    """Run a batch of units where this function is called (a worker process): one outcome
    each, in order. Never raises for a unit's failure; the outcomes hold no secret."""
    runner = _runner(job)
    return list(_pool(job.workers).map(runner.run, units))
