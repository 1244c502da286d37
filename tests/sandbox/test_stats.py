"""``Sandbox.stats()``: connections and requests counted, so connection reuse can be seen.

The sandbox keeps HTTP/1.1 connections open as AWS does ("persistent connections", RFC 9112
section 9.3, https://www.rfc-editor.org/rfc/rfc9112#section-9.3): a boto3 client's pool makes
its calls on one connection, and a second client opens its own.
"""

from __future__ import annotations

import http.client
import socket
from urllib.parse import urlsplit

import pytest

from xacct_widgets.errors import SandboxError
from xacct_widgets.sandbox import Sandbox


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in ("connections", "requests")}


def test_one_client_reuses_one_connection(sandbox: Sandbox) -> None:
    sts = sandbox.session().client("sts")
    before = sandbox.stats()
    for _ in range(5):
        sts.get_caller_identity()
    assert _delta(before, sandbox.stats()) == {"connections": 1, "requests": 5}


def test_two_clients_open_two_connections(sandbox: Sandbox) -> None:
    first = sandbox.session().client("sts")
    second = sandbox.session("target", "admin").client("iam")
    before = sandbox.stats()
    for _ in range(3):
        first.get_caller_identity()
        second.list_roles()
    assert _delta(before, sandbox.stats()) == {"connections": 2, "requests": 6}


def test_an_attached_handle_reads_the_same_numbers(sandbox: Sandbox) -> None:
    handle = Sandbox.attach(sandbox.endpoint_url)
    sts = sandbox.session().client("sts")
    sts.get_caller_identity()
    counts = sandbox.stats()
    read = handle.stats()  # its own read of /_xacct/stats is not counted
    assert read["connections"] == counts["connections"]
    assert read["requests"] == counts["requests"]
    assert handle.stats()["connections"] == counts["connections"]
    assert read["accepted"] > counts["accepted"]  # ...though its connections were accepted


def test_a_request_body_does_not_spill_into_the_next_request(fresh_sandbox: Sandbox) -> None:
    """Bodies are read whole before the next request on the same connection is parsed."""
    s3 = fresh_sandbox.session("target", "admin").client("s3")
    before = fresh_sandbox.stats()
    s3.create_bucket(Bucket="kept-alive")
    for n in range(3):
        s3.put_object(Bucket="kept-alive", Key=f"k{n}", Body=b"x" * (1000 * (n + 1)))
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="kept-alive")["Contents"]]
    assert keys == ["k0", "k1", "k2"]
    assert s3.get_object(Bucket="kept-alive", Key="k2")["Body"].read() == b"x" * 3000
    assert _delta(before, fresh_sandbox.stats()) == {"connections": 1, "requests": 6}


def test_the_server_answers_http_1_1_keep_alive(sandbox: Sandbox) -> None:
    """Two requests on one raw connection: no ``Connection: close`` (werkzeug's default)."""
    address = urlsplit(sandbox.endpoint_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port)
    try:
        for _ in range(2):
            connection.request("GET", "/_xacct/clock")
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 200
            assert answer.version == 11
            assert answer.getheader("Connection") != "close"
    finally:
        connection.close()


def test_an_answer_leaves_in_one_write_without_waiting_for_an_ack(sandbox: Sandbox) -> None:
    """Head and body go out together, with Nagle's algorithm off (``TCP_NODELAY``), as AWS's
    endpoints answer: written in two parts, the body of each answer on a kept-alive connection
    waited for the client's delayed acknowledgement (40 ms on Linux), a latency AWS never adds.
    On loopback one write arrives in one read."""
    address = urlsplit(sandbox.endpoint_url)
    with socket.create_connection((address.hostname or "", address.port or 80)) as raw:
        for _ in range(3):  # the first answer and those after it on the same connection
            raw.sendall(b"GET /_xacct/clock HTTP/1.1\r\nHost: sandbox\r\n\r\n")
            answer = raw.recv(65536)
            head, _, body = answer.partition(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            assert head.startswith(b"HTTP/1.1 200")
            assert len(body) == length > 0


def test_stats_of_a_stopped_sandbox_is_refused() -> None:
    with pytest.raises(SandboxError, match="not running"):
        Sandbox().stats()
