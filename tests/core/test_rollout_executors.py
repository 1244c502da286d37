"""A rollout's plan on the executors ``xw.query`` takes (issue 21): threads (the default or a
pool of yours), a spawned process pool and a Dask ``LocalCluster`` of two worker processes give
the same plan, every action and blocked reason included. The workers reach the in-process
sandbox over HTTP with the caller as a ``CallerSpec`` (no secret travels) and assume the
execution roles themselves. Apply stays in this process: a process pool there is refused."""

from __future__ import annotations

import dataclasses
from concurrent.futures import Executor, ProcessPoolExecutor

import pandas as pd
import pytest
from helpers import SECURITY_AUDIT
from rollout_helpers import SPEC, Org, org_fixture  # noqa: F401 (the org fixture)
from test_query_executors import (  # noqa: F401 (the executors)
    any_executor_fixture,
    dask_executor,
    process_pool,
)

import xacct_widgets as xw
from xacct_widgets.errors import InvalidInput


def test_every_executor_makes_the_same_plan(org: Org, any_executor: Executor) -> None:
    org.make_role(org.management, SPEC)  # noop
    org.make_role(org.ok, dataclasses.replace(SPEC, managed_policy_arns=(SECURITY_AUDIT,)))
    fresh = org.add_account("tenant-new")  # create
    expected = xw.Rollout(SPEC, xw.Organization(org.mgmt), session=org.mgmt).plan()
    assert expected.counts() == {"create": 1, "update": 1, "noop": 1, "blocked": 2}

    executor = any_executor
    caller = org.sandbox.caller_spec("management", "admin")
    rollout = xw.Rollout(SPEC, xw.Organization(org.mgmt), session=caller)
    got = rollout.plan(executor=executor, max_workers=4)

    pd.testing.assert_frame_equal(got.frame, expected.frame)
    pd.testing.assert_frame_equal(got.changes, expected.changes)
    assert rollout.last_plan is got
    print(got, got.frame.to_string())  # scanned for secrets by the autouse fixture

    result = rollout.apply(got, allow_destructive=True, progress=False)  # here, on threads
    statuses = dict(zip(result.frame["account_id"], result.frame["status"], strict=True))
    assert statuses[fresh] == statuses[org.ok] == "applied"
    assert statuses[org.management] == "unchanged"
    assert rollout.plan(executor=executor, max_workers=4).counts()["noop"] == 3


def test_what_cannot_run_elsewhere_is_refused_before_any_call(org: Org, calls) -> None:
    pool = ProcessPoolExecutor(1)  # never started: every refusal comes first
    calls.clear()
    with pytest.raises(InvalidInput, match="cannot be sent to another process"):
        xw.Rollout(SPEC, [org.ok], session=org.mgmt).plan(executor=pool)  # explicit keys
    caller = org.sandbox.caller_spec("management", "admin")
    with pytest.raises(InvalidInput, match="apply and rollback run their accounts in this"):
        xw.Rollout(SPEC, [org.ok], session=caller).apply(executor=pool, progress=False)
    assert calls.writes == []
    assert org.state(org.ok) is None
    pool.shutdown()
