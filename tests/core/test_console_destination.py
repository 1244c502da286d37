"""The console sign-in's ``Destination`` (issue 19, item 8): only the role's partition's console
(or, for a sandbox session, the sandbox's own pages), and by default the session's regional
console home, as aws-vault and Granted open it.

The sign-in link takes the browser to ``Destination`` signed in as the role ("Enable custom
identity broker access to the AWS console",
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html:
"Destination: the URL of the desired AWS console page"), so a link to another host would hand
the signed-in browser to it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from helpers import ROLE, ROLE_ARN, TARGET, make_role

from xacct_widgets.core.switch import ActiveRole, RoleSwitcher
from xacct_widgets.core.switch.console import (
    SignInEndpoints,
    _destination,
    console_sign_in_url,
    sign_in_endpoints,
)
from xacct_widgets.errors import InvalidInput


def active(arn: str) -> ActiveRole:
    account, name = arn.split(":")[4], arn.split("/")[-1]
    return ActiveRole(
        account_id=account,
        role_name=name,
        role_arn=arn,
        session_name="operator",
        identity_arn=f"arn:aws:sts::{account}:assumed-role/{name}/operator",
        display_name=None,
        color=None,
        expiration=None,
        source_arn="arn:aws:iam::987654329876:user/operator",
    )


def _session(monkeypatch, tmp_path, region: str | None) -> boto3.Session:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    return boto3.Session(
        aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x", region_name=region
    )


@pytest.mark.parametrize(
    ("partition", "region", "home"),
    [
        (
            "aws",
            "eu-west-1",
            "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1",
        ),
        (
            "aws-cn",
            "cn-north-1",
            "https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1",
        ),
        (
            "aws-us-gov",
            "us-gov-west-1",
            "https://us-gov-west-1.console.amazonaws-us-gov.com/console/home?region=us-gov-west-1",
        ),
        ("aws", None, "https://console.aws.amazon.com/"),  # no region: the global home
        ("aws-us-gov", "eu-west-1", "https://console.amazonaws-us-gov.com/"),  # not its region
    ],
)
def test_default_is_the_regional_console_home(monkeypatch, tmp_path, partition, region, home):
    session = _session(monkeypatch, tmp_path, region)
    endpoints = sign_in_endpoints(session, f"arn:{partition}:iam::123456789012:role/ops")
    assert endpoints.default_destination == home
    assert _destination(None, endpoints) == home


AWS = SignInEndpoints(
    "https://signin.aws.amazon.com/federation",
    "https://console.aws.amazon.com/",
    home_url="https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1",
)
SANDBOX = SignInEndpoints(
    "http://127.0.0.1:4999/federation", "http://127.0.0.1:4999/console", sandbox=True
)


@pytest.mark.parametrize(
    "destination",
    [
        "https://console.aws.amazon.com/",
        "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#Instances:",
        "https://s3.console.aws.amazon.com/s3/buckets?region=eu-west-1",
        "https://CONSOLE.aws.amazon.com/iam/home",
    ],
)
def test_the_partitions_console_pages_are_accepted(destination):
    assert _destination(destination, AWS) == destination


@pytest.mark.parametrize(
    "destination",
    [
        "https://evil.example.com/",
        "https://console.aws.amazon.com.evil.example.com/",
        "https://evilconsole.aws.amazon.com/",
        "http://console.aws.amazon.com/",
        "https://console.aws.amazon.com:8443/",
        "https://user@console.aws.amazon.com/",
        "https://console.amazonaws.cn/",  # another partition's console
        "https://signin.aws.amazon.com/federation?Action=logout",
        "https://a_b.console.aws.amazon.com/",
        "https://console.aws.amazon.com/\nx",
        "ec2/home",
        "",
        "http://127.0.0.1:4999/console",  # the sandbox is not AWS's console
    ],
)
def test_any_other_destination_is_refused(destination):
    with pytest.raises(InvalidInput, match="not a page of the console"):
        _destination(destination, AWS)


def test_a_sandbox_session_signs_in_to_the_sandbox_only():
    assert _destination(None, SANDBOX) == "http://127.0.0.1:4999/console"
    assert _destination("http://127.0.0.1:4999/switchrole", SANDBOX)
    for foreign in ("https://console.aws.amazon.com/", "http://127.0.0.1:5000/console"):
        with pytest.raises(InvalidInput, match="sandbox"):
            _destination(foreign, SANDBOX)


def test_refused_before_any_call(monkeypatch, tmp_path):
    session = _session(monkeypatch, tmp_path, "us-east-1")
    with pytest.raises(InvalidInput, match=re.escape("Destination 'https://evil.example.com/'")):
        console_sign_in_url(session, active(ROLE_ARN), "https://evil.example.com/", timeout=0.01)


def test_the_sandbox_sign_in_goes_to_its_console(fresh_sandbox):
    make_role(fresh_sandbox)
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    switcher.switch(TARGET, ROLE)
    query = parse_qs(urlsplit(str(switcher.console_sign_in_url())).query)
    assert query["Destination"] == [f"{fresh_sandbox.endpoint_url}/console"]
    with pytest.raises(InvalidInput):
        switcher.console_sign_in_url("https://evil.example.com/")
