"""Fan-out beyond the default pool: client reuse, and the same answer from any executor.

Clients are counted two ways: ``QueryResult.clients_built`` (botocore's ``creating-client-class``
event on the caller's client factory) and a counter on every ``create_client`` of the process.
Executors are real: a spawned process pool and a Dask ``LocalCluster`` of two worker processes,
whose workers reach the in-process sandbox over HTTP (``caller_spec``) and assume the roles
themselves.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import botocore.session
import pandas as pd
import pytest

from xacct_widgets.core.query import CallerSpec, Organization, QueryResult, query, remote
from xacct_widgets.core.query.credentials import clear_credential_cache
from xacct_widgets.core.query.lru import LRU
from xacct_widgets.core.query.remote import RemoteJob
from xacct_widgets.core.query.runner import Unit
from xacct_widgets.errors import InvalidInput
from xacct_widgets.sandbox import Sandbox

OAAR = "OrganizationAccountAccessRole"


@pytest.fixture
def mgmt(sandbox: Sandbox) -> boto3.Session:
    return sandbox.session("management", "admin")


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The service of every botocore client created in this process from now on."""
    names: list[str] = []
    original = botocore.session.Session.create_client

    def create_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        names.append(service_name)
        return original(self, service_name, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
    return names


# -- client reuse --------------------------------------------------------------------------------
def test_a_repeated_query_builds_no_client(
    sandbox: Sandbox, mgmt: boto3.Session, built: list[str]
) -> None:
    clear_credential_cache()
    targets = [(a, OAAR) for a in sandbox.member_account_ids]
    first = query(targets, "s3", "list_buckets", session=mgmt, regions=["us-east-1", "eu-west-1"])
    assert first.ok and len(first.frame) == 12
    assert first.clients_built == 2  # one per region, shared by the accounts (signing.py)
    assert built.count("s3") == 2

    built.clear()
    again = query(targets, "s3", "list_buckets", session=mgmt, regions=["us-east-1", "eu-west-1"])
    assert again.ok and again.frame.equals(first.frame)
    assert again.clients_built == 0 and again.assume_calls == 0
    assert built == []

    # Another operation of the same service reuses them; another service builds its own.
    objects = query(targets, "s3", "list_objects_v2", session=mgmt, params={"Bucket": "x"})
    assert objects.clients_built == 0 and built == []
    roles = query(targets, "iam", "list_roles", session=mgmt, jmespath="Roles[].RoleName")
    assert roles.ok and roles.clients_built == 1 and built == ["iam"]


def test_refreshing_credentials_keep_their_clients(
    sandbox: Sandbox, mgmt: boto3.Session, built: list[str]
) -> None:
    """Credentials near expiry renew inside the cached client (one AssumeRole each), which is
    not rebuilt for it."""
    from xacct_widgets.core.query.credentials import _CREDENTIALS

    clear_credential_cache()
    targets = [(a, OAAR) for a in sandbox.member_account_ids]
    assert query(targets, "s3", "list_buckets", session=mgmt).clients_built == 1
    cached = [_CREDENTIALS.get(k) for k in list(_CREDENTIALS._data)]
    assert len(cached) == 3
    for credentials in cached:  # as if an hour had passed: inside botocore's mandatory window
        credentials._expiry_time = datetime.now(UTC) + timedelta(seconds=30)
    built.clear()
    renewed = query(targets, "s3", "list_buckets", session=mgmt)
    assert renewed.ok and renewed.assume_calls == 3  # the refreshes, through the shared STS
    assert renewed.clients_built == 0 and "s3" not in built
    assert all(c._expiry_time > datetime.now(UTC) + timedelta(minutes=10) for c in cached)


# -- executors -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def process_pool() -> Iterator[ProcessPoolExecutor]:
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


@pytest.fixture(scope="module")
def dask_executor() -> Iterator[Executor]:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client.get_executor()


@pytest.fixture(name="any_executor", params=["threads", "processes", "dask"])
def any_executor_fixture(request: pytest.FixtureRequest) -> Iterator[Executor]:
    """Each executor ``xw.query`` takes: a thread pool of yours, a spawned process pool, Dask."""
    if request.param == "threads":
        with ThreadPoolExecutor(4) as pool:
            yield pool
    else:
        yield request.getfixturevalue(
            "process_pool" if request.param == "processes" else "dask_executor"
        )


def _mixed(sandbox: Sandbox) -> list[tuple[str, str]]:
    members = sandbox.member_account_ids
    return [
        (members[0], OAAR),
        (members[1], OAAR),
        (members[2], "vendor-readonly"),  # trust excludes the caller: AccessDenied at assume
        (Sandbox.TARGET, OAAR),  # no such role
    ]


def _answers(result: QueryResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    return result.frame, result.errors


def test_every_executor_returns_the_same_frame_and_errors(
    sandbox: Sandbox, mgmt: boto3.Session, any_executor: Executor
) -> None:
    executor = any_executor
    spec = sandbox.caller_spec("management", "admin")
    regions = ["us-east-1", "eu-west-1", "xx-fake-1"]
    expected = query(_mixed(sandbox), "s3", "list_buckets", session=mgmt, regions=regions)
    got = query(
        _mixed(sandbox), "s3", "list_buckets", session=spec, regions=regions, executor=executor
    )
    assert len(expected.frame) == 8 and len(expected.errors) == 2 * 3 + 2
    pd.testing.assert_frame_equal(got.frame, expected.frame)
    pd.testing.assert_frame_equal(got.errors, expected.errors)
    assert got.summary.drop(columns="seconds").equals(expected.summary.drop(columns="seconds"))

    # An organization: the management account itself runs as the caller, wherever that is.
    org = Organization(mgmt)
    local = query(org, "sts", "get_caller_identity")
    there = query(org, "sts", "get_caller_identity", session=spec, executor=executor)
    assert local.ok and there.ok and len(there.frame) == 4
    pd.testing.assert_frame_equal(there.frame, local.frame)
    print(there, there.frame.to_string(), got.errors.to_string())  # scanned for secrets


@pytest.mark.parametrize("kind", ["processes", "dask"])
def test_a_repeat_on_workers_goes_where_the_roles_are(
    sandbox: Sandbox, kind: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each worker process caches the roles it assumed; a repeat's batches go back to that
    worker (handed back by any other), so the sandbox sees only the S3 calls: no AssumeRole.

    The way out for a worker that is gone (any worker runs a batch after MAX_MOVES hand-backs,
    ~1 s, unless its home has finished a batch lately) is a matter of time, not of homing: on a
    loaded machine a home worker whose first batch takes longer can miss it, and a stranger
    assumes the role again. So here the homes are this test's own (earlier tests' pools are
    gone) and the hand-backs last ~20 s instead of ~1 s."""
    monkeypatch.setattr(remote, "_HOMES", LRU(1000))
    monkeypatch.setattr(remote, "MAX_MOVES", 400)
    executor = request.getfixturevalue("process_pool" if kind == "processes" else "dask_executor")
    spec = sandbox.caller_spec("management", "admin")
    targets = [(a, OAAR) for a in sandbox.member_account_ids]
    regions = ["us-east-1", "eu-west-1"]

    def run() -> QueryResult:
        return query(
            targets, "s3", "list_buckets", session=spec, regions=regions, executor=executor
        )

    first = run()
    before = sandbox.stats()
    again = run()
    served = sandbox.stats()["requests"] - before["requests"]
    assert first.ok and again.ok and len(again.frame) == 12
    pd.testing.assert_frame_equal(again.frame, first.frame)
    assert served == len(targets) * len(regions)  # one ListBuckets per unit, nothing else


def test_a_busy_home_keeps_its_batch_and_a_silent_one_loses_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past MAX_MOVES hand-backs a batch stays with a home worker that finished a batch lately
    (busy), up to MOVES_WHEN_ALIVE; a home silent for ALIVE_WITHIN seconds (gone) loses it."""
    now = {"t": 1000.0}
    monkeypatch.setattr(remote.time, "monotonic", lambda: now["t"])
    monkeypatch.setattr(remote, "_SEEN", LRU(8))
    keeps = remote._keeps_its_batch
    assert keeps(None, 10_000)  # no home: any worker runs it anyway
    assert keeps("w1", remote.MAX_MOVES - 1)
    assert not keeps("w1", remote.MAX_MOVES)  # never answered: gone
    remote._SEEN.put("w1", now["t"])
    assert keeps("w1", remote.MAX_MOVES)  # busy
    assert not keeps("w1", remote.MOVES_WHEN_ALIVE)  # ...but not forever
    now["t"] += remote.ALIVE_WITHIN
    assert not keeps("w1", remote.MAX_MOVES)  # silent since: gone


def test_what_travels_holds_no_secret(sandbox: Sandbox) -> None:
    spec = sandbox.caller_spec("management", "admin")
    job = RemoteJob(spec, "s3", "list_buckets", None, None, False, None, 8)
    unit = Unit(sandbox.member_account_ids[0], "us-east-1", OAAR, f"arn:aws:iam::1:role/{OAAR}")
    payload = pickle.dumps((job, [unit]))
    assert not [s for s in sandbox.secrets() if s.encode() in payload]
    assert sandbox.endpoint_url.encode() in payload and b"admin" in payload
    assert "principal_session" in repr(spec) and "secret" not in repr(spec).lower()


def test_what_cannot_travel_is_refused_before_any_call(
    sandbox: Sandbox, mgmt: boto3.Session
) -> None:
    pool = ProcessPoolExecutor(1)  # never started: every refusal comes first
    targets = [(sandbox.member_account_ids[0], OAAR)]
    with pytest.raises(InvalidInput, match="cannot be sent to another process"):
        query(targets, "s3", "list_buckets", session=mgmt, executor=pool)  # explicit keys
    spec = sandbox.caller_spec("management", "admin")
    with pytest.raises(InvalidInput, match="Session targets"):
        query(
            [sandbox.session("target", "admin")], "s3", "list_buckets", session=spec, executor=pool
        )
    with pytest.raises(InvalidInput, match="module-level function"):
        query(targets, lambda s, r: [], session=spec, executor=pool)
    pool.shutdown()


def test_a_profile_session_becomes_a_caller_spec(tmp_path: Any) -> None:
    from xacct_widgets.core.query.remote import spec_of

    credentials = tmp_path / "credentials"
    credentials.write_text("[audit]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n")
    core = botocore.session.Session(profile="audit")
    core.set_config_variable("credentials_file", str(credentials))
    core.set_config_variable("config_file", str(tmp_path / "none"))
    spec = spec_of(boto3.Session(botocore_session=core, region_name="eu-west-1"))
    assert spec == CallerSpec.profile("audit", "eu-west-1")
    assert "AKIA" not in repr(spec)
