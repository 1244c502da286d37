"""Rollout benchmark (issue 21): plan, apply, re-plan and rollback over N member accounts.

The sandbox runs in a separate process with simulated latency (``xacct sandbox
--member-accounts N --latency-ms 50``, started as ``benchmarks/fanout.py`` does), so every
request pays a round trip like real AWS and the server's CPU is not charged here. The rollout
covers the organization (N members plus the management account). For reference, the same run
times ``xw.query`` making one read per account (``iam:GetAccountSummary``) over the same
accounts; both start with an empty credential cache, so both assume every role. API calls are
counted in this process by operation (a wrapper around botocore's ``_make_api_call``). Then
drift (none right after the apply), rollback, and the plan once more on a process pool. Prints
figures; asserts nothing.

    .venv/bin/python benchmarks/rollout.py [-n 200] [--latency-ms 50] [--workers 20]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import fanout  # the separate-process sandbox of the fan-out benchmark


class CallCounter:
    """Every botocore API call made in this process, by operation name."""

    def __init__(self) -> None:
        import botocore.client

        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        original = botocore.client.BaseClient._make_api_call

        def counted(client: Any, operation: str, params: Any) -> Any:
            with self._lock:
                self.calls[operation] += 1
            return original(client, operation, params)

        botocore.client.BaseClient._make_api_call = counted  # type: ignore[method-assign]

    def take(self) -> Counter[str]:
        with self._lock:
            taken, self.calls = self.calls, Counter()
        return taken


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="member accounts (default 200)")
    parser.add_argument("--latency-ms", type=float, default=50, help="simulated AWS latency")
    parser.add_argument("--workers", type=int, default=20, help="max_workers / max_concurrent")
    args = parser.parse_args()

    fanout.LATENCY_MS = args.latency_ms
    started = time.perf_counter()
    proc, url = fanout._start_sandbox(args.n)
    try:
        print(
            f"sandbox: {args.n} members, {args.latency_ms:g} ms latency, "
            f"ready in {time.perf_counter() - started:.1f} s"
        )
        fanout._warm_up(url)
        run(url, args.workers)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run(url: str, workers: int) -> None:
    import xacct_widgets as xw
    from xacct_widgets.core.query import clear_credential_cache
    from xacct_widgets.sandbox import Sandbox

    sb = Sandbox.attach(url)
    mgmt = sb.session("management", "admin")
    counter = CallCounter()
    spec = xw.RoleSpec(
        name="org-reader",
        trusted_account="987654329876",
        managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    )
    accounts = xw.Organization(mgmt).accounts()
    n = len(accounts)
    print(
        f"accounts: {n} (members + management), workers: {workers}, "
        f"baseline RSS {_rss_mib():.0f} MiB"
    )
    print(f"{'step':<10}{'seconds':>9}{'calls/acct':>12}  outcome / calls")

    def line(step: str, seconds: float, outcome: str) -> None:
        calls = counter.take()
        top = ", ".join(f"{k} {v}" for k, v in calls.most_common(6))
        print(f"{step:<10}{seconds:>9.2f}{sum(calls.values()) / n:>12.2f}  {outcome} | {top}")

    clear_credential_cache()
    counter.take()
    t = time.perf_counter()
    org = xw.Organization(mgmt)  # its own account through the session, as the rollout does
    read = xw.query(org, "iam", "get_account_summary", session=mgmt, max_workers=workers)
    query_s = time.perf_counter() - t
    line("query", query_s, f"{len(read.frame)} rows, {len(read.errors)} errors")

    clear_credential_cache()
    rollout = xw.Rollout(spec, accounts, session=mgmt)
    t = time.perf_counter()
    plan = rollout.plan(max_workers=workers)
    plan_s = time.perf_counter() - t
    line("plan", plan_s, f"{plan.counts()} ({plan_s / query_s:.2f}x query)")

    t = time.perf_counter()
    result = rollout.apply(plan, max_concurrent=workers, progress=False)
    line("apply", time.perf_counter() - t, str({k: v for k, v in result.counts().items() if v}))

    t = time.perf_counter()
    again = rollout.plan(max_workers=workers)
    line("re-plan", time.perf_counter() - t, f"{again.counts()} is_noop={again.is_noop}")

    t = time.perf_counter()
    drift = rollout.drift(max_workers=workers)
    line("drift", time.perf_counter() - t, f"{len(drift.frame)} field rows, {drift!r}")

    t = time.perf_counter()
    undone = result.rollback(max_concurrent=workers)
    line("rollback", time.perf_counter() - t, str({k: v for k, v in undone.counts().items() if v}))

    t = time.perf_counter()
    after = rollout.plan(max_workers=workers)
    line("plan", time.perf_counter() - t, f"after rollback: {after.counts()}")

    # The same plan on 2 spawned worker processes (the caller travels as a CallerSpec); the
    # time includes starting them; their calls are made there, so not counted here.
    caller = sb.caller_spec("management", "admin")
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        t = time.perf_counter()
        remote = xw.Rollout(spec, accounts, session=caller).plan(executor=pool, max_workers=workers)
        line("plan/proc", time.perf_counter() - t, f"{remote.counts()} (2 processes, cold)")
    print(f"peak RSS {_rss_mib():.0f} MiB (this process)")


if __name__ == "__main__":
    main()
