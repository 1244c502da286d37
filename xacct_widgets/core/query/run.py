"""``query()``: the fan-out read as a pipeline of named steps.

Check the question (:mod:`.operation`, :mod:`.inputs`) → resolve the targets (:mod:`.targets`)
→ the caller and its credentials (:mod:`.credentials`; the first units' client is built while
the caller's identity is on the network) → one unit per (target, region), run on a pool
(:mod:`.runner`) → one outcome per unit, turned into three tables (:mod:`.result`).

Every argument is checked before the first AWS call, so a typo costs no AssumeRole; failures
in accounts or regions never raise, they become rows of ``QueryResult.errors``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from datetime import UTC, datetime
from typing import Any

import boto3

from ...errors import InvalidInput
from ..consent import consent
from .credentials import caller_for, preparing
from .inputs import parse_regions
from .models import service_regions
from .operation import Operation, check_operation
from .remote import (
    CallerSpec,
    RemoteJob,
    check_sendable,
    check_units,
    is_remote,
    run_remote,
    spec_of,
)
from .result import Outcome, QueryProgress, QueryResult, result_frames
from .runner import QueryFunction, Runner, Unit, progress_sink, run_units
from .targets import Target, TargetsLike, resolve_targets

__all__ = ["query"]


def query(
    targets: TargetsLike,
    service: str | QueryFunction,
    operation: str | None = None,
    *,
    session: boto3.Session | CallerSpec | None = None,
    params: Mapping[str, Any] | None = None,
    regions: str | Sequence[str] | None = None,
    jmespath: str | None = None,
    max_workers: int = 16,
    role_name: str | None = None,
    progress: bool | Callable[[QueryProgress], Any] | None = None,
    allow_writes: bool = False,
    stop: threading.Event | None = None,
    executor: Executor | None = None,
) -> QueryResult:
    """Run ``service.operation`` (or ``service(session, region)``) in every target and region.

    ``targets``: ``(account, role)`` pairs, account IDs (with ``role_name``), :class:`Target`s,
    an :class:`Organization` (its ACTIVE accounts, with ``role_name``, default
    ``OrganizationAccountAccessRole``; its own account through the caller's session), a
    :class:`RoleSwitcher` or :class:`RoleHistory` (the history's roles), a DataFrame with an
    ``account_id`` column (and optionally ``role_name``), or boto3 sessions already in the
    accounts. ``session`` is the caller that assumes the roles (default: the Organization's or
    switcher's session, else boto3's default credential chain), or a :class:`CallerSpec`.

    ``service`` may be a callable ``fn(session, region)`` returning a list of dicts or a
    DataFrame; it then gets a session in the target account and ``operation`` is omitted.
    ``params`` are the operation's arguments (``PaginationConfig`` allowed); paginated
    operations are read to the end. ``jmespath`` selects items from each page; without it the
    operation's list of items is used (``Buckets`` for ``list_buckets``), or the whole response
    as one item when it has none. ``regions``: names, ``"all"`` (the service's regions), or
    None for the caller's region (see :func:`.inputs.parse_regions`).

    ``progress``: True for a tqdm bar, or a callable receiving a :class:`QueryProgress` after
    each (target, region), in the calling thread. Setting ``stop`` (a ``threading.Event``) ends
    the query early; units not run are reported as errors with code ``Cancelled``.

    ``executor``: any ``concurrent.futures.Executor``. None runs ``max_workers`` threads here; a
    ``ThreadPoolExecutor`` of yours runs the units in this process; any other (a
    ``ProcessPoolExecutor``, Dask's ``distributed.Client.get_executor()``) gets batches of units
    as plain strings (:mod:`.remote`), each worker assuming the roles itself with
    ``max_workers`` threads and its own caches. The caller then travels as a
    :class:`CallerSpec` (a profile's session becomes one by itself); session targets cannot
    travel, except the caller's own session (an organization's management account).

    Raises ``InvalidInput`` for bad arguments before any AWS call; failures in accounts or
    regions never raise, they become rows of ``QueryResult.errors``.
    """
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    allow_writes = consent(allow_writes, "allow_writes")
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
        raise InvalidInput(
            f"max_workers {max_workers!r} is invalid: it must be a whole number >= 1.",
            fix="Use e.g. 16.",
        )
    fn, op = _question(service, operation, params, jmespath, allow_writes)
    label = op.label if op is not None else getattr(fn, "__name__", "function")
    chosen = parse_regions(regions)
    if chosen == "all" and op is None:
        raise InvalidInput(
            "regions='all' needs a service operation (it lists the service's regions).",
            fix="Pass the region names explicitly for a callable.",
        )

    spec = session if isinstance(session, CallerSpec) else None
    given = spec.session() if spec is not None else session
    assert not isinstance(given, CallerSpec)
    target_list, caller_session = resolve_targets(targets, role_name, given)
    if not target_list:
        raise InvalidInput("targets is empty: there is nothing to query.")
    caller = None
    partition = "aws"
    assumes_before = built_before = 0
    if any(t.session is None or t.session is caller_session for t in target_list):
        caller = caller_for(caller_session or boto3.Session(), max_workers, identify=False)
        assumes_before, built_before = caller.assume_calls, caller.clients_built
        # What the first units build is built while the identity is on the network; not for
        # another process's executor (its workers build their own) or a query already stopped.
        local = not is_remote(executor) and not (stop is not None and stop.is_set())
        ahead = op.service if op is not None and local else None
        with preparing(caller, ahead, chosen[0] if chosen and chosen != "all" else caller.region):
            partition = caller.partition  # GetCallerIdentity
    if chosen == "all":
        assert op is not None
        chosen = service_regions(op.service, partition)
    default_region = caller.region if caller is not None else "us-east-1"
    per_target = [
        chosen
        if chosen is not None
        else [(t.session.region_name if t.session else None) or default_region]
        for t in target_list
    ]

    # Region-major order: the first round assumes every role in parallel, later rounds find
    # the credentials cached instead of queueing behind one account's lock.
    places: list[tuple[int, int]] = []  # (target, round) of each unit: the result's order
    units: list[Unit] = []
    for k in range(max(len(regs) for regs in per_target)):
        for ti, regs in enumerate(per_target):
            if k < len(regs):
                places.append((ti, k))
                units.append(_unit(target_list[ti], ti, regs[k], partition, caller_session))
    job = None
    if is_remote(executor):
        check_units(units)
        assert caller is not None and caller_session is not None
        job = RemoteJob(
            spec_of(spec or caller_session),
            op.service if op is not None else None,
            op.name if op is not None else None,
            params,
            jmespath,
            allow_writes,
            fn,
            max_workers,
        )
        check_sendable(job, units)
    report, close = progress_sink(progress, len(units), label)
    outcomes: list[Outcome]
    try:
        if job is not None:
            assert executor is not None
            outcomes = run_remote(executor, job, units, report, stop)
        else:
            runner = Runner(caller, op, fn, max_workers, stop)
            outcomes = run_units(
                runner, units, workers=max_workers, executor=executor, report=report, stop=stop
            )
    finally:
        close()
    ordered = [o for _, o in sorted(zip(places, outcomes, strict=True), key=lambda p: p[0])]
    frame, errors, summary = result_frames(ordered)
    return QueryResult(
        operation=label,
        frame=frame,
        errors=errors,
        summary=summary,
        targets=len(target_list),
        regions=tuple(dict.fromkeys(r for regs in per_target for r in regs)),
        assume_calls=(caller.assume_calls - assumes_before) if caller is not None else 0,
        clients_built=(caller.clients_built - built_before) if caller is not None else 0,
        elapsed_s=time.perf_counter() - started,
        started_at=started_at,
    )


def _question(
    service: str | QueryFunction,
    operation: str | None,
    params: Mapping[str, Any] | None,
    jmespath: str | None,
    allow_writes: bool,
) -> tuple[QueryFunction | None, Operation | None]:
    """The callable, or the validated operation: what every unit will ask."""
    if callable(service):
        if operation is not None or params is not None or jmespath is not None:
            raise InvalidInput(
                "A callable target query takes no operation, params or jmespath.",
                fix="Call query(targets, fn) and do the work inside fn(session, region).",
            )
        return service, None
    if isinstance(service, str) and isinstance(operation, str):
        return None, check_operation(
            service.strip(), operation.strip(), params, jmespath, allow_writes=allow_writes
        )
    raise InvalidInput(
        f"query needs a service and an operation (or a callable), got {service!r}, {operation!r}.",
        fix="e.g. query(targets, 's3', 'list_buckets', session=caller).",
    )


def _unit(
    target: Target, index: int, region: str, partition: str, caller: boto3.Session | None
) -> Unit:
    if target.session is not None and target.session is caller:
        return Unit(f"session[{index}]", region, target.role_name, as_caller=True)
    if target.session is not None:
        return Unit(f"session[{index}]", region, target.role_name, session=target.session)
    return Unit(
        str(target.account_id),
        region,
        target.role_name,
        role_arn=target.role_arn(partition),
        external_id=target.external_id,
    )
