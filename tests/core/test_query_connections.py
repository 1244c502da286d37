"""Connections and clients shared across accounts (issue 24), counted by the sandbox itself.

``Sandbox.stats()`` counts the connections that carried an AWS request: a fan-out's accounts
share one pool per endpoint (``connections.py``) and one client per (service, region)
(``signing.py``), so a repeated query opens no connection and a first pass about one per worker.
The organization of 30 accounts runs in its own process (moto keeps one state per process; the
shared test sandbox has 3 members), over HTTPS with its own CA and a connect latency, so the
shared pools verify with the sandbox's bundle as the clients they replace did.

moto's in-process mock (``mock_aws``) answers on the same ``before-send`` event the shared pool
sends on: under it nothing may be sent (no request may reach real AWS).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from botocore.exceptions import NoCredentialsError
from support import sandbox_process
from urllib3.util import connection as urllib3_connection

from xacct_widgets.core.query import clear_credential_cache, query
from xacct_widgets.core.query.connections import pools_open
from xacct_widgets.core.query.credentials import caller_for
from xacct_widgets.sandbox import SandboxHandle

OAAR = "OrganizationAccountAccessRole"
MEMBERS = 30
WORKERS = 8


@pytest.fixture(scope="module")
def org() -> Iterator[SandboxHandle]:
    try:
        with sandbox_process(member_accounts=MEMBERS, tls=True, connect_latency_ms=20) as handle:
            yield handle
    finally:
        clear_credential_cache()


def _opened(sb: SandboxHandle, before: dict[str, int]) -> tuple[int, int]:
    now = sb.stats()
    return now["connections"] - before["connections"], now["requests"] - before["requests"]


def test_a_repeated_query_opens_no_connection(org: SandboxHandle) -> None:
    clear_credential_cache()
    mgmt = org.session("management", "admin")
    targets = [(a, OAAR) for a in org.member_account_ids]
    before = org.stats()
    first = query(targets, "s3", "list_buckets", session=mgmt, max_workers=WORKERS)
    opened, requests = _opened(org, before)
    assert first.ok and len(first.frame) == 2 * MEMBERS and first.assume_calls == MEMBERS
    # 1 GetCallerIdentity + 30 AssumeRole + 30 ListBuckets on about one connection per worker
    # (the identity's own client adds one), where a pool per account opened 30 or more.
    assert requests == 1 + 2 * MEMBERS
    assert opened <= WORKERS + 1, opened
    assert first.clients_built == 1  # one S3 client signs for all 30 accounts

    before = org.stats()
    again = query(targets, "s3", "list_buckets", session=mgmt, max_workers=WORKERS)
    opened, requests = _opened(org, before)
    assert again.ok and again.assume_calls == 0 and again.clients_built == 0
    pd.testing.assert_frame_equal(again.frame, first.frame)
    assert requests == MEMBERS and opened == 0


@pytest.fixture
def opened_sockets(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """(TCP_NODELAY, SO_KEEPALIVE) of every socket urllib3 connects from now on, read from the
    socket itself right after urllib3 set its options."""
    seen: list[tuple[int, int]] = []
    connect = urllib3_connection.create_connection

    def recording(*args: Any, **kwargs: Any) -> socket.socket:
        sock = connect(*args, **kwargs)
        nodelay = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        seen.append((int(bool(nodelay)), sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)))
        return sock

    monkeypatch.setattr(urllib3_connection, "create_connection", recording)
    return seen


@pytest.mark.parametrize("keepalive", [None, "true"])
def test_shared_connections_have_a_clients_socket_options(
    org: SandboxHandle,
    opened_sockets: list[tuple[int, int]],
    monkeypatch: pytest.MonkeyPatch,
    keepalive: str | None,
) -> None:
    """Nagle's algorithm off, as on a botocore client's own connections (botocore writes a
    request's head and body apart: with Nagle on, each body waited for a delayed ACK), and
    TCP keep-alive exactly when botocore would set it (``BOTOCORE_TCP_KEEPALIVE``)."""
    if keepalive is not None:
        monkeypatch.setenv("BOTOCORE_TCP_KEEPALIVE", keepalive)
    clear_credential_cache()
    mgmt = org.session("management", "admin")
    mgmt.client("sts").get_caller_identity()  # a client's own pool: the reference
    assert len(opened_sockets) == 1
    reference = opened_sockets[0]
    assert reference == (1, 1 if keepalive else 0)

    targets = [(a, OAAR) for a in org.member_account_ids]
    assert query(targets, "s3", "list_buckets", session=mgmt, max_workers=WORKERS).ok
    shared = opened_sockets[1:]
    assert 1 <= len(shared) <= WORKERS + 1
    assert set(shared) == {reference}


def test_the_first_units_client_is_built_while_the_identity_is_asked(org: SandboxHandle) -> None:
    """The shared S3 client is built in a thread during GetCallerIdentity's round trip, not
    after it: when the first AssumeRole leaves, it is there already."""
    clear_credential_cache()
    mgmt = org.session("management", "admin")
    at_first_assume: list[int] = []

    def first_assume(**_: Any) -> None:
        if not at_first_assume:
            at_first_assume.append(caller_for(mgmt, WORKERS, identify=False).clients_built)

    mgmt.events.register("before-call.sts.AssumeRole", first_assume)
    targets = [(a, OAAR) for a in org.member_account_ids]
    result = query(targets, "s3", "list_buckets", session=mgmt, max_workers=WORKERS)
    assert result.ok and result.clients_built == 1
    assert at_first_assume == [1]


def test_each_account_s_rows_are_signed_as_its_own_role(org: SandboxHandle) -> None:
    """One client for every account: each request still carries its unit's credentials."""
    clear_credential_cache()
    mgmt = org.session("management", "admin")
    targets = [(a, OAAR) for a in org.member_account_ids]
    result = query(targets, "sts", "get_caller_identity", session=mgmt, max_workers=WORKERS)
    assert result.ok and result.clients_built == 1
    assert sorted(result.frame["Account"]) == sorted(org.member_account_ids)
    assert (result.frame["Account"] == result.frame["account_id"]).all()
    assert result.frame["Arn"].str.contains(f"assumed-role/{OAAR}/").all()


def test_the_shared_client_signs_nothing_outside_a_unit(org: SandboxHandle) -> None:
    clear_credential_cache()
    caller = caller_for(org.session("management", "admin"), WORKERS)
    with pytest.raises(NoCredentialsError):
        caller.shared("s3", org.region).list_buckets()


def test_pools_close_with_the_client_cache(org: SandboxHandle) -> None:
    mgmt = org.session("management", "admin")
    assert query([(org.member_account_ids[0], OAAR)], "s3", "list_buckets", session=mgmt).ok
    assert pools_open() >= 1
    clear_credential_cache()
    assert pools_open() == 0
    before = org.stats()
    assert query([(org.member_account_ids[0], OAAR)], "s3", "list_buckets", session=mgmt).ok
    assert _opened(org, before)[0] >= 1  # closed pools: new connections


# mock_aws resets every moto backend of its process when it ends: run beside an embedded sandbox
# (the shared test fixture), it would wipe that sandbox's accounts. So it runs in its own process.
_UNDER_MOCK = """
import json, sys
import boto3
from moto import mock_aws
from xacct_widgets.core.query import query
from xacct_widgets.core.query.connections import pools_open
from xacct_widgets.sandbox import Sandbox

url, bundle, role = sys.argv[1:4]
out = {}
with mock_aws():
    keys = dict(aws_access_key_id="testing", aws_secret_access_key="testing")
    member = boto3.Session(region_name="us-east-1", **keys)
    trust = '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
    member.client("iam").create_role(RoleName="reader", AssumeRolePolicyDocument=trust)
    member.client("s3").create_bucket(Bucket="under-the-mock")
    caller = boto3.Session(region_name="us-east-1", **keys)
    mocked = query([("123456789012", "reader")], "s3", "list_buckets", session=caller)
    out["pools_after_mock"] = pools_open()
    out["mocked"] = [mocked.ok, mocked.assume_calls, sorted(mocked.frame["Name"])]
    org = Sandbox.attach(url, ca_bundle=bundle)
    mgmt = org.session("management", "admin")
    sandboxed = query([(org.member_account_ids[0], role)], "s3", "list_buckets", session=mgmt)
    out["sandboxed"] = [sandboxed.ok, len(sandboxed.frame), pools_open()]
print(json.dumps(out))
"""


def test_under_moto_s_mock_nothing_is_sent_and_moto_answers(org: SandboxHandle) -> None:
    """``mock_aws`` answers AWS's own endpoints on ``before-send``; the shared pool asks it
    first and sends nothing (no pool is even made), while a sandbox endpoint, which the mock
    does not answer, still goes through the pool."""
    pytest.importorskip("moto")
    before = org.stats()
    done = subprocess.run(
        [sys.executable, "-c", _UNDER_MOCK, org.endpoint_url, str(org.ca_bundle), OAAR],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["pools_after_mock"] == 0  # nothing went through the shared pool
    assert out["mocked"] == [True, 1, ["under-the-mock"]]  # moto answered, AssumeRole included
    assert out["sandboxed"] == [True, 2, 1]  # the sandbox, not mocked, through one shared pool
    assert _opened(org, before)[1] == 3  # its GetCallerIdentity, AssumeRole and ListBuckets
