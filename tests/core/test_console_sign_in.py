"""Console sign-in as the active role: URL shape per partition, SessionDuration rules, secrecy,
and the federation round trip against the sandbox (real HTTP, no mocks)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from helpers import ROLE, ROLE_ARN, TARGET, make_role

from xacct_widgets.core.switch import ActiveRole, RoleSwitcher
from xacct_widgets.core.switch.console import (
    SignInUrl,
    _fetch_token,
    console_sign_in_url,
    login_url,
    sign_in_endpoints,
    signin_token_request,
    switch_role_page,
)
from xacct_widgets.errors import AwsError, ExpiredSession, InvalidInput

TOKEN = "secret-sign-in-token-0123456789"


@pytest.fixture
def plain_session(monkeypatch: pytest.MonkeyPatch, tmp_path) -> boto3.Session:
    """A session with no configured endpoint (real AWS's hosts), touching no user config."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    return boto3.Session(aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x")


def active(arn: str = ROLE_ARN, *, chained: bool = False) -> ActiveRole:
    account, name = arn.split(":")[4], arn.split("/")[-1]
    partition = arn.split(":")[1]
    return ActiveRole(
        account_id=account,
        role_name=name,
        role_arn=arn,
        session_name="operator",
        identity_arn=f"arn:{partition}:sts::{account}:assumed-role/{name}/operator",
        display_name=None,
        color=None,
        expiration=datetime.now(UTC),
        source_arn="arn:aws:iam::987654329876:user/operator",
        chained=chained,
    )


# -- pure building -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("partition", "signin", "console"),
    [
        ("aws", "signin.aws.amazon.com", "console.aws.amazon.com"),
        ("aws-cn", "signin.amazonaws.cn", "console.amazonaws.cn"),
        ("aws-us-gov", "signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com"),
    ],
)
def test_hosts_follow_the_roles_partition(plain_session, partition, signin, console):
    arn = f"arn:{partition}:iam::123456789012:role/ops"
    endpoints = sign_in_endpoints(plain_session, arn)
    assert endpoints.federation_url == f"https://{signin}/federation"
    assert endpoints.console_url == f"https://{console}/"
    assert not endpoints.sandbox
    url = login_url(endpoints.federation_url, TOKEN, endpoints.console_url)
    parts = urlsplit(str(url))
    assert (parts.scheme, parts.netloc, parts.path) == ("https", signin, "/federation")
    query = parse_qs(parts.query)
    assert list(query) == ["Action", "Issuer", "Destination", "SigninToken"]
    assert query["Action"] == ["login"] and query["Destination"] == [f"https://{console}/"]
    assert query["SigninToken"] == [TOKEN]


def test_sandbox_sessions_use_the_sandboxs_endpoints(sandbox):
    endpoints = sign_in_endpoints(sandbox.session("source", "operator"), ROLE_ARN)
    assert endpoints.sandbox
    assert endpoints.federation_url == f"{sandbox.endpoint_url}/federation"
    assert endpoints.console_url == f"{sandbox.endpoint_url}/console"


def test_switch_role_page_is_the_sandboxs_own_in_sandbox_mode(sandbox, plain_session):
    """Issue 20, item 4: AWS's sign-in host is an error page offline; the sandbox serves one."""
    query = f"roleName={ROLE}&account={TARGET}&color=B7CA9D"
    url = f"https://signin.aws.amazon.com/switchrole?{query}"
    page = switch_role_page(sandbox.session("source", "operator"), url)
    assert page == f"{sandbox.endpoint_url}/switchrole?{query}"
    assert switch_role_page(plain_session, url) == url  # a real session: AWS's page


def test_get_signin_token_request_shape():
    url = signin_token_request("https://signin.aws.amazon.com/federation", "ASIAX", "sk", "tok")
    query = parse_qs(urlsplit(url).query)
    assert query["Action"] == ["getSigninToken"] and "SessionDuration" not in query
    assert json.loads(query["Session"][0]) == {
        "sessionId": "ASIAX",
        "sessionKey": "sk",
        "sessionToken": "tok",
    }
    with_duration = signin_token_request("https://x/federation", "a", "b", "c", 43200)
    assert parse_qs(urlsplit(with_duration).query)["SessionDuration"] == ["43200"]


# -- SessionDuration rules, checked before any call ----------------------------------------------
@pytest.mark.parametrize("seconds", [899, 43201, 0, True, "3600"])
def test_session_duration_out_of_range_is_refused(plain_session, seconds):
    with pytest.raises(InvalidInput, match="SessionDuration"):
        console_sign_in_url(plain_session, active(), session_duration=seconds)


def test_chained_roles_cannot_ask_for_a_session_duration(plain_session):
    with pytest.raises(InvalidInput, match="role chaining") as caught:
        console_sign_in_url(plain_session, active(chained=True), session_duration=900)
    assert "3600" in (caught.value.fix or "")


def test_no_active_role_says_switch_first(plain_session, fresh_sandbox):
    with pytest.raises(InvalidInput, match="Switch into a role first"):
        console_sign_in_url(plain_session, None)
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    with pytest.raises(InvalidInput, match="No role is active"):
        switcher.console_sign_in_url()


def test_destination_must_be_a_url(plain_session):
    with pytest.raises(InvalidInput, match="Destination"):
        console_sign_in_url(plain_session, active(), "ec2/home")


# -- the masked URL ------------------------------------------------------------------------------
def test_sign_in_url_masks_its_token_in_repr_and_pretty():
    from IPython.lib.pretty import pretty

    url = login_url("https://signin.aws.amazon.com/federation", TOKEN, "https://x/")
    assert isinstance(url, SignInUrl) and isinstance(url, str)
    assert TOKEN in str(url)  # the real URL, to open
    for shown in (repr(url), pretty(url), url.masked, repr([url])):
        assert TOKEN not in shown and "SigninToken=[redacted]" in shown


# -- against the sandbox -------------------------------------------------------------------------
@pytest.fixture
def switcher(fresh_sandbox):
    make_role(fresh_sandbox)
    sw = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    sw.switch(TARGET, ROLE, display_name="prod", color="Green")
    return sw


def test_sign_in_url_for_the_active_role(fresh_sandbox, switcher, caplog):
    caplog.set_level(logging.DEBUG)
    url = switcher.console_sign_in_url()
    query = parse_qs(urlsplit(str(url)).query)
    token = query["SigninToken"][0]
    assert str(url).startswith(f"{fresh_sandbox.endpoint_url}/federation?Action=login")
    assert query["Destination"] == [f"{fresh_sandbox.endpoint_url}/console"]
    assert token not in caplog.text and token not in repr(switcher) and token not in repr(url)
    longer = switcher.console_sign_in_url(
        f"{fresh_sandbox.endpoint_url}/switchrole", session_duration=43200
    )
    assert parse_qs(urlsplit(str(longer)).query)["Destination"] == [
        f"{fresh_sandbox.endpoint_url}/switchrole"
    ]


def test_open_console_opens_at_once_and_returns_no_url(switcher):
    opened: list[object] = []
    assert switcher.open_console(opener=lambda url: opened.append(url) or True) is True
    assert len(opened) == 1 and type(opened[0]) is str
    assert "Action=login" in str(opened[0])


def test_chained_role_signs_in_without_session_duration(fresh_sandbox):
    make_role(fresh_sandbox, "hop", policy_arns=("arn:aws:iam::aws:policy/AdministratorAccess",))
    make_role(fresh_sandbox, "second", trusted=TARGET)
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    switcher.switch(TARGET, "hop")
    switcher.switch(TARGET, "second")  # from the active role: role chaining
    assert switcher.active is not None and switcher.active.chained
    assert "SigninToken=" in str(switcher.console_sign_in_url())
    with pytest.raises(InvalidInput, match="role chaining"):
        switcher.console_sign_in_url(session_duration=3600)


def test_expired_role_session_is_refused_with_the_fix(fresh_sandbox, switcher):
    fresh_sandbox.advance_clock(3700)
    with pytest.raises(ExpiredSession, match="HTTP 400") as caught:
        switcher.console_sign_in_url()
    assert "Switch into the role again" in (caught.value.fix or "")


def test_unreachable_endpoint_is_a_clear_error():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/federation"
    with pytest.raises(AwsError, match="Cannot reach") as caught:
        _fetch_token(url + "?Action=getSigninToken", url, "someone", 2)
    assert caught.value.code == "NetworkError"
