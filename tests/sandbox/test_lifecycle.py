"""Starting, stopping and misusing the sandbox give clear errors, never moto tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from xacct_widgets.errors import SandboxError
from xacct_widgets.sandbox import Sandbox


def test_binds_loopback_on_a_free_port(sandbox: Sandbox) -> None:
    assert sandbox.endpoint_url.startswith("http://127.0.0.1:")
    assert int(sandbox.endpoint_url.rsplit(":", 1)[1]) > 0


def test_refuses_non_loopback_host() -> None:
    with pytest.raises(SandboxError, match="loopback"):
        Sandbox(host="0.0.0.0")


def test_one_sandbox_per_process(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError, match="already runs in this process") as caught:
        Sandbox().start()
    assert "attach" in str(caught.value)


def test_start_twice(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError, match="already running"):
        sandbox.start()


_OWN_PROCESS = """
import socket
from xacct_widgets.errors import SandboxError
from xacct_widgets.sandbox import Sandbox

with socket.socket() as busy:
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    taken = busy.getsockname()[1]
    try:
        Sandbox(port=taken).start()
    except SandboxError as err:
        print("TAKEN:", err)
sb = Sandbox().start()
sb.stop()
try:
    sb.stop()
except SandboxError as err:
    print("TWICE:", err)
with Sandbox() as again:
    print("AGAIN:", again.session().client("sts").get_caller_identity()["Arn"])
"""


def test_stop_twice_and_port_taken() -> None:
    # Its own process: moto keeps one state per process and the shared sandbox is running here.
    done = subprocess.run(
        [sys.executable, "-c", _OWN_PROCESS],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    assert "Cannot listen on 127.0.0.1:" in lines["TAKEN"] and "port=0" in lines["TAKEN"]
    assert "not running" in lines["TWICE"]
    assert lines["AGAIN"] == "arn:aws:iam::987654329876:user/operator"


@pytest.mark.parametrize(
    "kwargs", [{"member_accounts": -1}, {"member_accounts": "3"}, {"latency_ms": -5}]
)
def test_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(SandboxError):
        Sandbox(**kwargs)  # type: ignore[arg-type]


def test_reset_wipes_changes_and_keeps_keys(sandbox: Sandbox) -> None:
    iam = sandbox.session("target", "admin").client("iam")
    iam.create_role(
        RoleName="temporary",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "987654329876"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    sandbox.advance_clock(86400)
    sandbox.reset()
    iam = sandbox.session("target", "admin").client("iam")
    assert "temporary" not in {r["RoleName"] for r in iam.list_roles()["Roles"]}
    # The clock starts again at real time: a reset sandbox issues sessions that work.
    assert abs((sandbox.now() - datetime.now(UTC)).total_seconds()) < 3600


def test_latency_is_added_to_each_request() -> None:
    # A functional check that the delay is applied at all (a floor, not a speed goal).
    pytest.importorskip("werkzeug")
    from xacct_widgets.sandbox.wsgi.stack import sandbox_app

    app_calls: list[str] = []

    def app(environ, start_response):
        app_calls.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b""]

    wrapped = sandbox_app(app, info=lambda: b"{}", latency_s=0.05)
    started = time.perf_counter()
    list(wrapped({"PATH_INFO": "/"}, lambda *a: None))
    assert time.perf_counter() - started >= 0.05
    started = time.perf_counter()
    list(wrapped({"PATH_INFO": "/moto-api/reset"}, lambda *a: None))
    assert app_calls == ["/", "/moto-api/reset"]


@pytest.mark.parametrize(("work_s", "waited_s"), [(0.0, 0.05), (0.03, 0.02), (0.08, 0.0)])
def test_latency_includes_the_sandboxs_own_work(
    monkeypatch: pytest.MonkeyPatch, work_s: float, waited_s: float
) -> None:
    """An answer leaves ``latency_ms`` after its request arrived, as an AWS round trip
    includes AWS's own work: the sandbox's work is not added on top (a fake clock, no timing)."""
    from xacct_widgets.sandbox.wsgi import stack

    clock = {"now": 100.0}
    slept: list[float] = []
    monkeypatch.setattr(stack.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(stack.time, "sleep", slept.append)

    def app(environ, start_response):
        clock["now"] += work_s  # moto and the policy engine at work
        start_response("200 OK", [])
        return [b"answer"]

    wrapped = stack.sandbox_app(app, info=lambda: b"{}", latency_s=0.05)
    assert list(wrapped({"PATH_INFO": "/"}, lambda *a: None)) == [b"answer"]
    assert slept == [pytest.approx(waited_s)]
