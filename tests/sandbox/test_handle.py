"""The handle / server split: what ``Sandbox.attach`` gives is a ``SandboxHandle``, which cannot
start, stop or reset the server, loads no moto, and offers everything a client needs (sessions,
env, clock, ``credential_process``, ``caller_spec`` for query workers)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from xacct_widgets.core.query import CallerSpec
from xacct_widgets.errors import SandboxError
from xacct_widgets.sandbox import Sandbox, SandboxHandle
from xacct_widgets.sandbox.handle import principal_session


def test_attach_returns_a_handle_that_cannot_serve(sandbox: Sandbox) -> None:
    handle = Sandbox.attach(sandbox.endpoint_url)
    assert type(handle) is SandboxHandle
    assert not isinstance(handle, Sandbox)
    assert isinstance(sandbox, SandboxHandle)
    with pytest.raises(SandboxError, match="another process"):
        handle.start()
    with pytest.raises(SandboxError, match="another process"):
        handle.stop()
    with pytest.raises(SandboxError, match="in-process sandbox can be reset"):
        handle.reset()
    with handle as same:  # leaving the block stops nothing
        assert same is handle
    assert sandbox.session().client("sts").get_caller_identity()["Account"] == sandbox.SOURCE
    assert handle.member_account_ids == sandbox.member_account_ids
    assert handle.principal("target", "admin") == sandbox.principal("target", "admin")
    assert handle.credential_process("target", "admin") == sandbox.credential_process(
        "target", "admin"
    )


def test_from_env_returns_a_handle(sandbox: Sandbox) -> None:
    handle = Sandbox.from_env({"XACCT_SANDBOX_URL": sandbox.endpoint_url})
    assert type(handle) is SandboxHandle
    assert handle.endpoint_url == sandbox.endpoint_url


def test_caller_spec_names_the_principal_not_its_keys(sandbox: Sandbox) -> None:
    handle = SandboxHandle.attach(sandbox.endpoint_url)
    spec = handle.caller_spec("management", "admin")
    assert isinstance(spec, CallerSpec)
    assert spec == sandbox.caller_spec("management", "admin")
    assert not set(sandbox.secrets()) & set(map(str, spec.args))
    session = principal_session(sandbox.endpoint_url, "management", "admin")
    assert session.client("sts").get_caller_identity()["Arn"].endswith(":user/admin")
    with pytest.raises(SandboxError, match="No user 'nobody'"):
        handle.caller_spec("management", "nobody")


_ATTACH_ONLY = """
import sys
from xacct_widgets.sandbox import SandboxHandle
handle = SandboxHandle.attach(sys.argv[1])
handle.session("source", "operator").client("sts").get_caller_identity()
handle.now()
wanted = ("moto", "xacct_widgets.sandbox.")
print(sorted(m for m in sys.modules if m.startswith(wanted)))
"""


def test_an_attached_client_loads_no_moto(sandbox: Sandbox) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _ATTACH_ONLY, sandbox.endpoint_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = done.stdout.strip()
    assert "'moto" not in loaded
    assert "xacct_widgets.sandbox.server" not in loaded
    assert "xacct_widgets.sandbox.handle" in loaded
