"""A sandbox reached from another handle or process: sessions outlive the handle, one clock.

``Sandbox.attach(url).session()`` in one expression drops the handle at once; the session must
not depend on it (it used to die with a raw ``ProfileNotFound`` once the handle was collected).
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys

import boto3
import pytest
from botocore.exceptions import ClientError

from xacct_widgets.core.sessions import assumed_session
from xacct_widgets.errors import SandboxError
from xacct_widgets.sandbox import Sandbox

SOURCE, TARGET = "987654329876", "123456781234"
TEMP_CREDENTIALS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html"
)


def _role(sandbox: Sandbox, name: str = "cross-account") -> str:
    iam = sandbox.session("target", "admin").client("iam")
    iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    return f"arn:aws:iam::{TARGET}:role/{name}"


def test_session_outlives_the_attached_handle(sandbox: Sandbox) -> None:
    handle = Sandbox.attach(sandbox.endpoint_url)
    session = handle.session("source", "operator")
    del handle
    gc.collect()
    assert session.client("sts").get_caller_identity()["Arn"].endswith(":user/operator")


def test_session_made_in_one_expression(sandbox: Sandbox) -> None:
    session = Sandbox.attach(sandbox.endpoint_url).session("target", "admin")
    gc.collect()
    assert session.client("iam").get_user()["User"]["UserName"] == "admin"


def test_derived_session_outlives_the_handle(fresh_sandbox: Sandbox) -> None:
    role_arn = _role(fresh_sandbox)
    handle = Sandbox.attach(fresh_sandbox.endpoint_url)
    base = handle.session("source", "operator")
    del handle
    gc.collect()
    derived = assumed_session(base, role_arn, "derived")
    gc.collect()
    assert ":assumed-role/cross-account/" in derived.client("sts").get_caller_identity()["Arn"]


def test_attached_handle_moves_the_shared_clock(fresh_sandbox: Sandbox) -> None:
    # TEMP_CREDENTIALS: a session expires for every process that uses it.
    role_arn = _role(fresh_sandbox)
    credentials = (
        fresh_sandbox.session("source", "operator")
        .client("sts")
        .assume_role(RoleArn=role_arn, RoleSessionName="shared")["Credentials"]
    )
    handle = Sandbox.attach(fresh_sandbox.endpoint_url)
    before = fresh_sandbox.now()
    moved = handle.advance_clock(3600)
    assert (moved - before).total_seconds() >= 3600
    assert abs((fresh_sandbox.now() - handle.now()).total_seconds()) < 60
    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=fresh_sandbox.region,
    )
    with pytest.raises(ClientError) as caught:
        session.client("sts", endpoint_url=fresh_sandbox.endpoint_url).get_caller_identity()
    assert caught.value.response["Error"]["Code"] == "ExpiredToken"


_CHILD = """
import sys
from xacct_widgets.sandbox import Sandbox
sb = Sandbox.attach(sys.argv[1])
print(sb.advance_clock(float(sys.argv[2])).isoformat())
"""


def test_another_process_moves_the_clock(fresh_sandbox: Sandbox) -> None:
    before = fresh_sandbox.now()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, fresh_sandbox.endpoint_url, "7200"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip()
    assert (fresh_sandbox.now() - before).total_seconds() >= 7200


def test_clock_of_a_stopped_handle_is_a_clear_error() -> None:
    handle = Sandbox()
    with pytest.raises(SandboxError, match="not running"):
        handle.advance_clock(1)
    with pytest.raises(SandboxError, match="not running"):
        handle.now()


def test_attach_to_nothing_is_a_clear_error() -> None:
    with pytest.raises(SandboxError, match="No xacct sandbox answers"):
        Sandbox.attach("http://127.0.0.1:9")
