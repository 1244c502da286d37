"""STS's limits on AssumeRole and the end of a session, as AWS answers them, over HTTP.

Each case cites the AWS page it follows. Expiry is tested on the sandbox's own clock
(``Sandbox.advance_clock``), never by waiting: moto's ``Expiration`` does not move, the decision
does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from xacct_widgets.errors import SandboxError
from xacct_widgets.sandbox import Sandbox

SOURCE, TARGET = "987654329876", "123456781234"
ASSUME_ROLE = "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"
CHAINING = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles.html#iam-term-role-chaining"
MAX_SESSION = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-settings.html"
    "#id_roles_update-session-duration"
)
SESSION_TAGS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html"
TEMP_CREDENTIALS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html"
)

MAX_SESSION_MESSAGE = (
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
)
CHAINING_MESSAGE = (
    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role "
    "chaining."
)
EXPIRED = "The security token included in the request is expired"


def _trust(principal: str, actions: Any = "sts:AssumeRole", **fields: Any) -> str:
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions, **fields}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _make_roles(sandbox: Sandbox) -> None:
    """``short`` (1 h), ``long`` (12 h), ``tagged`` (12 h, allows sts:TagSession), ``blue`` (tags
    only with team=blue), all trusting the source account; ``hop`` (12 h) may assume any role,
    and ``next`` (12 h) trusts ``hop``."""
    iam = sandbox.session("target", "admin").client("iam")
    root = f"arn:aws:iam::{SOURCE}:root"
    tag = ["sts:AssumeRole", "sts:TagSession"]
    blue = {"StringEquals": {"aws:RequestTag/team": "blue"}}
    for name, document, hours in (
        ("short", _trust(root), 1),
        ("long", _trust(root), 12),
        ("tagged", _trust(root, tag), 12),
        ("hop", _trust(root), 12),
        ("next", _trust(f"arn:aws:iam::{TARGET}:role/hop"), 12),
    ):
        iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=document, MaxSessionDuration=hours * 3600
        )
    blue_trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "sts:AssumeRole"},
            {
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": "sts:TagSession",
                "Condition": blue,
            },
        ],
    }
    iam.create_role(RoleName="blue", AssumeRolePolicyDocument=json.dumps(blue_trust))
    iam.put_role_policy(
        RoleName="hop",
        PolicyName="chain",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
            }
        ),
    )


def _role(name: str) -> str:
    return f"arn:aws:iam::{TARGET}:role/{name}"


def _session(sandbox: Sandbox, credentials: dict[str, Any]) -> boto3.Session:
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=sandbox.region,
    )


def _assume(sandbox: Sandbox, role: str, caller: Any = None, **params: Any) -> dict[str, Any]:
    client = caller or sandbox.session("source", "operator").client("sts")
    return client.assume_role(RoleArn=_role(role), RoleSessionName="limits", **params)  # type: ignore[no-any-return]


def _hop(sandbox: Sandbox) -> Any:
    """An STS client acting as a session of ``hop`` (so its AssumeRole calls chain)."""
    credentials = _assume(sandbox, "hop")["Credentials"]
    return _session(sandbox, credentials).client("sts", endpoint_url=sandbox.endpoint_url)


@dataclass(frozen=True)
class Case:
    doc: str
    role: str
    params: dict[str, Any] = field(default_factory=dict)
    answer: tuple[int, str, str] | None = None  # None: granted
    caller: str = "operator"  # "operator", "intern", "hop" (a role session: chaining)


def _denied(action: str, role: str, caller: str = f"arn:aws:iam::{SOURCE}:user/operator") -> Any:
    return (
        403,
        "AccessDenied",
        f"User: {caller} is not authorized to perform: {action} on resource: {_role(role)}",
    )


HOP_ARN = f"arn:aws:sts::{TARGET}:assumed-role/hop/limits"
TAG = [{"Key": "team", "Value": "blue"}]

CASES = {
    # -- DurationSeconds against the role's MaxSessionDuration --------------------------------
    "default-duration": Case(ASSUME_ROLE, "short"),
    "at-role-maximum": Case(ASSUME_ROLE, "short", {"DurationSeconds": 3600}),
    "over-role-maximum": Case(
        MAX_SESSION,
        "short",
        {"DurationSeconds": 3601},
        (400, "ValidationError", MAX_SESSION_MESSAGE),
    ),
    "12h-on-1h-role": Case(
        MAX_SESSION,
        "short",
        {"DurationSeconds": 43200},
        (400, "ValidationError", MAX_SESSION_MESSAGE),
    ),
    "12h-on-12h-role": Case(ASSUME_ROLE, "long", {"DurationSeconds": 43200}),
    "over-12h": Case(
        ASSUME_ROLE,
        "long",
        {"DurationSeconds": 43201},
        (
            400,
            "ValidationError",
            "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy "
            "constraint: Member must have value less than or equal to 43200",
        ),
    ),
    "denied-before-duration": Case(
        ASSUME_ROLE,
        "short",
        {"DurationSeconds": 43200},
        _denied("sts:AssumeRole", "short", f"arn:aws:iam::{SOURCE}:user/intern"),
        caller="intern",
    ),
    # -- role chaining: one hour at most ---------------------------------------------------------
    "chained-default": Case(CHAINING, "next", caller="hop"),
    "chained-one-hour": Case(CHAINING, "next", {"DurationSeconds": 3600}, caller="hop"),
    "chained-over-one-hour": Case(
        CHAINING,
        "next",
        {"DurationSeconds": 3601},
        (400, "ValidationError", CHAINING_MESSAGE),
        caller="hop",
    ),
    "chained-12h-on-12h-role": Case(
        CHAINING,
        "next",
        {"DurationSeconds": 43200},
        (400, "ValidationError", CHAINING_MESSAGE),
        caller="hop",
    ),
    # -- session tags need sts:TagSession in the trust policy ----------------------------------
    "tags-without-tag-session": Case(
        SESSION_TAGS, "long", {"Tags": TAG}, _denied("sts:TagSession", "long")
    ),
    "transitive-keys-without-tag-session": Case(
        SESSION_TAGS, "long", {"TransitiveTagKeys": ["team"]}, _denied("sts:TagSession", "long")
    ),
    "tags-with-tag-session": Case(
        SESSION_TAGS, "tagged", {"Tags": TAG, "TransitiveTagKeys": ["team"]}
    ),
    "tag-condition-met": Case(SESSION_TAGS, "blue", {"Tags": TAG}),
    "tag-condition-not-met": Case(
        SESSION_TAGS,
        "blue",
        {"Tags": [{"Key": "team", "Value": "red"}]},
        _denied("sts:TagSession", "blue"),
    ),
    "chained-tags-without-tag-session": Case(
        SESSION_TAGS,
        "next",
        {"Tags": TAG},
        _denied("sts:TagSession", "next", HOP_ARN),
        caller="hop",
    ),
    "no-tags-no-tag-session-needed": Case(SESSION_TAGS, "blue"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_assume_role_limits(fresh_sandbox: Sandbox, case: Case) -> None:
    assert case.doc.startswith("https://")
    _make_roles(fresh_sandbox)
    caller = {
        "operator": None,
        "intern": fresh_sandbox.session("source", "intern").client("sts"),
        "hop": _hop(fresh_sandbox) if case.caller == "hop" else None,
    }[case.caller]
    if case.answer is None:
        granted = _assume(fresh_sandbox, case.role, caller, **case.params)
        assert granted["AssumedRoleUser"]["Arn"].endswith(f":assumed-role/{case.role}/limits")
        return
    with pytest.raises(ClientError) as caught:
        _assume(fresh_sandbox, case.role, caller, **case.params)
    error = caught.value.response
    assert (
        error["ResponseMetadata"]["HTTPStatusCode"],
        error["Error"]["Code"],
        error["Error"]["Message"],
    ) == case.answer


def test_duration_under_900_is_refused_by_sts_too(fresh_sandbox: Sandbox) -> None:
    # botocore refuses it before sending; a client that does not validate hears it from STS.
    _make_roles(fresh_sandbox)
    raw = fresh_sandbox.session("source", "operator").client(
        "sts", config=Config(parameter_validation=False)
    )
    with pytest.raises(ClientError) as caught:
        _assume(fresh_sandbox, "short", raw, DurationSeconds=600)
    assert caught.value.response["Error"]["Message"] == (
        "1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value greater than or equal to 900"
    )


# -- expiry, on the sandbox clock ---------------------------------------------------------------
@dataclass(frozen=True)
class Expiry:
    doc: str
    service: str
    call: str
    answer: tuple[int, str, str]
    params: dict[str, Any] = field(default_factory=dict)


EXPIRY = {
    "sts-query": Expiry(
        TEMP_CREDENTIALS, "sts", "get_caller_identity", (403, "ExpiredToken", EXPIRED)
    ),
    "iam-query": Expiry(TEMP_CREDENTIALS, "iam", "list_roles", (403, "ExpiredToken", EXPIRED)),
    "s3-rest-xml": Expiry(
        TEMP_CREDENTIALS,
        "s3",
        "list_buckets",
        (400, "ExpiredToken", "The provided token has expired."),
    ),
    "organizations-json": Expiry(
        TEMP_CREDENTIALS,
        "organizations",
        "describe_organization",
        (400, "ExpiredTokenException", EXPIRED),
    ),
    "assume-role-with-expired-session": Expiry(
        CHAINING,
        "sts",
        "assume_role",
        (403, "ExpiredToken", EXPIRED),
        {"RoleArn": _role("next"), "RoleSessionName": "late"},
    ),
}


@pytest.mark.parametrize("case", EXPIRY.values(), ids=EXPIRY.keys())
def test_expired_session_is_refused_everywhere(fresh_sandbox: Sandbox, case: Expiry) -> None:
    assert case.doc.startswith("https://")
    _make_roles(fresh_sandbox)
    session = _session(fresh_sandbox, _assume(fresh_sandbox, "hop")["Credentials"])
    client = session.client(case.service, endpoint_url=fresh_sandbox.endpoint_url)
    fresh_sandbox.advance_clock(3600)
    with pytest.raises(ClientError) as caught:
        getattr(client, case.call)(**case.params)
    error = caught.value.response
    assert (
        error["ResponseMetadata"]["HTTPStatusCode"],
        error["Error"]["Code"],
        error["Error"]["Message"],
    ) == case.answer


def test_session_works_until_its_expiry(fresh_sandbox: Sandbox) -> None:
    _make_roles(fresh_sandbox)
    credentials = _assume(fresh_sandbox, "long", DurationSeconds=7200)["Credentials"]
    sts = _session(fresh_sandbox, credentials).client(
        "sts", endpoint_url=fresh_sandbox.endpoint_url
    )
    fresh_sandbox.advance_clock(7190)
    assert ":assumed-role/long/" in sts.get_caller_identity()["Arn"]
    fresh_sandbox.advance_clock(10)
    with pytest.raises(ClientError, match="ExpiredToken"):
        sts.get_caller_identity()


def test_long_term_keys_never_expire(fresh_sandbox: Sandbox) -> None:
    fresh_sandbox.advance_clock(365 * 86400)
    sts = fresh_sandbox.session("source", "operator").client("sts")
    assert sts.get_caller_identity()["Arn"].endswith(":user/operator")


def test_a_new_session_after_expiry_works(fresh_sandbox: Sandbox) -> None:
    _make_roles(fresh_sandbox)
    first = _assume(fresh_sandbox, "short")["Credentials"]
    fresh_sandbox.advance_clock(3600)
    second = _assume(fresh_sandbox, "short")["Credentials"]
    sts = _session(fresh_sandbox, second).client("sts", endpoint_url=fresh_sandbox.endpoint_url)
    assert sts.get_caller_identity()["Arn"].endswith("/limits")
    old = _session(fresh_sandbox, first).client("sts", endpoint_url=fresh_sandbox.endpoint_url)
    with pytest.raises(ClientError, match="ExpiredToken"):
        old.get_caller_identity()


def test_clock_moves_forward_only(fresh_sandbox: Sandbox) -> None:
    before = fresh_sandbox.now()
    after = fresh_sandbox.advance_clock(90)
    assert (after - before).total_seconds() >= 90
    for bad in (-1, "60", True):
        with pytest.raises(SandboxError, match="advance_clock"):
            fresh_sandbox.advance_clock(bad)  # type: ignore[arg-type]


def test_unenforced_sandbox_checks_nothing() -> None:
    # Sandbox(enforce=False) is moto as it is: no limits, no expiry. Its own process.
    import subprocess
    import sys

    script = """
import json
from xacct_widgets.sandbox import Sandbox
with Sandbox(enforce=False) as sb:
    iam = sb.session("target", "admin").client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:user/*"},
                       "Action": "sts:AssumeRole"}]}))
    sts = sb.session("source", "operator").client("sts")
    sts.assume_role(RoleArn="arn:aws:iam::123456781234:role/r", RoleSessionName="free",
                    DurationSeconds=43200)
    print("GRANTED")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=180, check=True
    )
    assert done.stdout.strip() == "GRANTED"
