"""`xacct sandbox` in its own process, reached over loopback by attach() and by the AWS CLI."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import cli_sandbox

from xacct_widgets.errors import SandboxError
from xacct_widgets.sandbox import Sandbox


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, str]]:
    """A sandbox in another process; yields its URL and everything it printed at start."""
    with cli_sandbox("--member-accounts", "2") as (fields, printed):
        yield fields["endpoint"], printed


def test_prints_endpoint_and_exports(served: tuple[str, str]) -> None:
    url, printed = served
    assert url.startswith("http://127.0.0.1:")
    assert f"export XACCT_SANDBOX_URL={url}" in printed
    assert f"export AWS_ENDPOINT_URL={url}" in printed


@pytest.mark.allow_secret_output
def test_secrets_only_in_export_lines(served: tuple[str, str]) -> None:
    url, printed = served
    remote = Sandbox.attach(url)
    secrets = remote.secrets()
    assert secrets
    for line in printed.splitlines():
        if any(secret in line for secret in secrets):
            assert line.startswith("export AWS_SECRET_ACCESS_KEY="), line
    assert sum(s in printed for s in secrets) == 1  # only the --as principal's own secret


def test_attach_gives_working_sessions(served: tuple[str, str]) -> None:
    remote = Sandbox.attach(served[0])
    arn = remote.session("target", "admin").client("sts").get_caller_identity()["Arn"]
    assert arn == "arn:aws:iam::123456781234:user/admin"
    assert len(remote.member_account_ids) == 2
    with pytest.raises(SandboxError, match="another process"):
        remote.stop()


def test_from_env(served: tuple[str, str]) -> None:
    remote = Sandbox.from_env({"XACCT_SANDBOX_URL": served[0]})
    assert remote.endpoint_url == served[0]
    with pytest.raises(SandboxError, match="XACCT_SANDBOX_URL is not set"):
        Sandbox.from_env({})


def test_attach_to_nothing_is_a_clear_error() -> None:
    with pytest.raises(SandboxError, match="No xacct sandbox answers"):
        Sandbox.attach("http://127.0.0.1:9")


def test_aws_cli_through_env(served: tuple[str, str]) -> None:
    remote = Sandbox.attach(served[0])
    aws = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
    assert aws, "awscli (a test dependency) is not installed"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(remote.env("source", "intern"))
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    done = subprocess.run(
        [aws, "sts", "get-caller-identity", "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout)["Arn"] == "arn:aws:iam::987654329876:user/intern"


def test_port_in_use_is_reported_not_a_traceback() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "xacct_widgets.cli", "sandbox", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert f"xacct: Cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "port=0" in done.stderr
    assert "Traceback" not in done.stderr
