"""The request context the sandbox builds per request, key by key ("AWS global condition context
keys"): present where AWS sets a key, absent where AWS leaves it out.

Callers are resolved from real sandbox keys (seeded users, the root user, a role session made
over HTTP), so these cases check the same code path every request takes.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from helpers import make_role

from xacct_widgets.sandbox import Sandbox
from xacct_widgets.sandbox.decision.enforce import resolve_caller
from xacct_widgets.sandbox.decision.principals import Caller
from xacct_widgets.sandbox.decision.request_context import build_context
from xacct_widgets.sandbox.decision.request_map import resource_for

GLOBAL_KEYS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
)
SAR_IAM = (
    "https://docs.aws.amazon.com/service-authorization/latest/reference/"
    "list_awsidentityandaccessmanagementiam.html"
)
SOURCE, TARGET = "987654329876", "123456781234"
ABSENT = None


def cite(url: str) -> None:
    assert url.startswith("https://docs.aws.amazon.com/"), url


def _user(sb: Sandbox, account: str, name: str) -> Caller:
    principal = sb.principal(account, name)
    return resolve_caller(principal["access_key_id"], sb.account(account))


def _root(sb: Sandbox, account: str) -> Caller:
    principal = sb.principal(account, "root")
    return resolve_caller(principal["access_key_id"], sb.account(account), sb.account(account))


def _session(sb: Sandbox, **params: Any) -> Caller:
    member = sb.member_account_ids[0]
    sts = sb.session("management", "admin").client("sts")
    role = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    creds = sts.assume_role(RoleArn=role, RoleSessionName="ctx-test", **params)["Credentials"]
    return resolve_caller(creds["AccessKeyId"], member)


def _keys(caller: Caller, **extra: Any) -> Any:
    return build_context(
        caller,
        "iam:ListUsers",
        "*",
        params={},
        region="us-east-1",
        source_ip="127.0.0.1",
        secure=False,
        **extra,
    )


@pytest.mark.parametrize(
    ("who", "key", "expected"),
    [
        pytest.param("user", "aws:MultiFactorAuthPresent", ABSENT, id="user-mfa-absent"),
        pytest.param("user", "aws:MultiFactorAuthAge", ABSENT, id="user-mfa-age-absent"),
        pytest.param("user", "aws:username", ("operator",), id="user-username"),
        pytest.param("user", "aws:PrincipalType", ("User",), id="user-type"),
        pytest.param("user", "aws:PrincipalAccount", (SOURCE,), id="user-account"),
        pytest.param(
            "user", "aws:PrincipalArn", (f"arn:aws:iam::{SOURCE}:user/operator",), id="user-arn"
        ),
        pytest.param("user", "aws:TokenIssueTime", ABSENT, id="user-no-token-time"),
        pytest.param("user", "aws:PrincipalOrgID", ABSENT, id="user-outside-org"),
        pytest.param("user", "aws:SourceIp", ("127.0.0.1",), id="source-ip"),
        pytest.param("user", "aws:SecureTransport", ("false",), id="http-not-secure"),
        pytest.param("user", "aws:RequestedRegion", ("us-east-1",), id="region"),
        pytest.param("user", "aws:PrincipalIsAWSService", ("false",), id="not-a-service"),
        pytest.param("root", "aws:PrincipalType", ("Account",), id="root-type"),
        pytest.param("root", "aws:userid", (SOURCE,), id="root-userid-is-account"),
        pytest.param("root", "aws:username", ABSENT, id="root-no-username"),
        pytest.param("session", "aws:PrincipalType", ("AssumedRole",), id="session-type"),
        pytest.param("session", "aws:MultiFactorAuthPresent", ("false",), id="session-mfa-false"),
        pytest.param("session", "aws:username", ABSENT, id="session-no-username"),
        pytest.param("session", "aws:MultiFactorAuthAge", ABSENT, id="session-no-mfa-age"),
    ],
)
def test_key(sandbox: Sandbox, who: str, key: str, expected: tuple[str, ...] | None) -> None:
    cite(GLOBAL_KEYS)
    if who == "user":
        caller = _user(sandbox, "source", "operator")
    elif who == "root":
        caller = _root(sandbox, "source")
    else:
        caller = _session(sandbox)
    assert _keys(caller).get(key) == expected


def test_user_id_is_iams(sandbox: Sandbox) -> None:
    cite(GLOBAL_KEYS)
    iam = sandbox.session("source", "admin").client("iam")
    user_id = iam.get_user(UserName="operator")["User"]["UserId"]
    assert _keys(_user(sandbox, "source", "operator")).get("aws:userid") == (user_id,)


def test_session_keys(sandbox: Sandbox) -> None:
    cite(GLOBAL_KEYS)
    caller = _session(sandbox)  # session tags: tests/sandbox/test_eval_layers.py
    context = _keys(caller)
    member = sandbox.member_account_ids[0]
    role_id = caller.principal.userid.split(":")[0] if caller.principal.userid else "missing"
    assert role_id.startswith("AROA")
    assert context.get("aws:userid") == (f"{role_id}:ctx-test",)
    assert context.get("aws:PrincipalArn") == (
        f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
    )
    assert context.get("aws:TokenIssueTime") is not None
    org = sandbox.session("management", "admin").client("organizations").describe_organization()
    assert context.get("aws:PrincipalOrgID") == (org["Organization"]["Id"],)


def test_mfa_on_the_request_itself(sandbox: Sandbox) -> None:
    cite(GLOBAL_KEYS)
    context = _keys(_user(sandbox, "source", "operator"), mfa=True)
    assert context.get("aws:MultiFactorAuthPresent") == ("true",)
    assert context.get("aws:MultiFactorAuthAge") == ("0",)


def test_current_time_and_epoch(sandbox: Sandbox) -> None:
    cite(GLOBAL_KEYS)
    context = _keys(_user(sandbox, "source", "operator"))
    (current,) = context.get("aws:CurrentTime") or ("",)
    (epoch,) = context.get("aws:EpochTime") or ("",)
    assert current.endswith("Z") and "T" in current
    assert epoch.isdigit()


def test_principal_tags_of_a_user(fresh_sandbox: Sandbox) -> None:
    cite(GLOBAL_KEYS)
    iam = fresh_sandbox.session("source", "admin").client("iam")
    iam.tag_user(UserName="operator", Tags=[{"Key": "team", "Value": "blue"}])
    context = _keys(_user(fresh_sandbox, "source", "operator"))
    assert context.get("aws:PrincipalTag/team") == ("blue",)


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        pytest.param("GetUser", {"UserName": "bob"}, f"arn:aws:iam::{TARGET}:user/bob", id="user"),
        pytest.param("GetUser", {}, f"arn:aws:iam::{TARGET}:user/me", id="self"),
        pytest.param("ListAccessKeys", {}, f"arn:aws:iam::{TARGET}:user/me", id="self-keys"),
        pytest.param(
            "CreateUser",
            {"UserName": "bob", "Path": "/team/"},
            f"arn:aws:iam::{TARGET}:user/team/bob",
            id="user-with-path",
        ),
        pytest.param("GetRole", {"RoleName": "r"}, f"arn:aws:iam::{TARGET}:role/r", id="role"),
        pytest.param(
            "AttachRolePolicy",
            {"RoleName": "r", "PolicyArn": "arn:aws:iam::aws:policy/X"},
            f"arn:aws:iam::{TARGET}:role/r",
            id="attach-is-on-the-role",
        ),
        pytest.param(
            "GetPolicy",
            {"PolicyArn": "arn:aws:iam::aws:policy/X"},
            "arn:aws:iam::aws:policy/X",
            id="policy",
        ),
        pytest.param("GetGroup", {"GroupName": "g"}, f"arn:aws:iam::{TARGET}:group/g", id="group"),
        pytest.param(
            "CreatePolicy",
            {"PolicyName": "p", "Path": "/x/"},
            f"arn:aws:iam::{TARGET}:policy/x/p",
            id="create-policy",
        ),
        pytest.param("ListUsers", {}, f"arn:aws:iam::{TARGET}:user/", id="list-users"),
        pytest.param(
            "ListRoles", {"PathPrefix": "/team/"}, f"arn:aws:iam::{TARGET}:role/team/", id="prefix"
        ),
        pytest.param("GetAccountSummary", {}, "*", id="account-level"),
        pytest.param(
            "CreateVirtualMFADevice",
            {"VirtualMFADeviceName": "m"},
            f"arn:aws:iam::{TARGET}:mfa/m",
            id="mfa",
        ),
        pytest.param(
            "AddRoleToInstanceProfile",
            {"InstanceProfileName": "ip", "RoleName": "r"},
            f"arn:aws:iam::{TARGET}:instance-profile/ip",
            id="instance-profile",
        ),
    ],
)
def test_iam_resource(
    sandbox: Sandbox, operation: str, params: dict[str, str], expected: str
) -> None:
    cite(SAR_IAM)
    assert resource_for("iam", operation, params, "*", TARGET, "me") == expected


@pytest.mark.parametrize(
    ("service", "operation", "params", "given", "expected"),
    [
        pytest.param(
            "sts",
            "AssumeRole",
            {"RoleArn": "arn:aws:iam::1:role/r"},
            "*",
            "arn:aws:iam::1:role/r",
            id="assume-role",
        ),
        pytest.param("sts", "GetAccessKeyInfo", {}, "*", "*", id="sts-other"),
        pytest.param("s3", "GetObject", {}, "arn:aws:s3:::b/k", "arn:aws:s3:::b/k", id="s3"),
        pytest.param("organizations", "ListAccounts", {}, "*", "*", id="organizations"),
        pytest.param("ec2", "DescribeInstances", {}, "*", "*", id="default"),
    ],
)
def test_other_resources(
    service: str, operation: str, params: dict[str, str], given: str, expected: str
) -> None:
    cite(
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"
    )
    assert resource_for(service, operation, params, given, TARGET, None) == expected


# -- the keys follow the sandbox's clock (Sandbox.advance_clock) -------------------------------
def _conditional_session(sb: Sandbox, condition: dict[str, Any], *, mfa: bool):
    """The operator's credentials in a target role whose only permission has ``condition``."""
    role_arn = make_role(sb, "clock-keys", policy_arns=())
    sb.session("target", "admin").client("iam").put_role_policy(
        RoleName="clock-keys",
        PolicyName="conditional",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "s3:ListAllMyBuckets",
                        "Resource": "*",
                        "Condition": condition,
                    }
                ],
            }
        ),
    )
    params: dict[str, Any] = {}
    if mfa:
        params = {
            "SerialNumber": sb.principal("source", "operator")["mfa_serial"],
            "TokenCode": Sandbox.MFA_CODE,
        }
    sts = sb.session("source", "operator").client("sts")
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="clock", **params)["Credentials"]
    return creds


def _s3(sb: Sandbox, creds: dict[str, Any]):
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=sb.region,
    ).client("s3", endpoint_url=sb.endpoint_url)


@pytest.mark.parametrize(
    "condition",
    [
        pytest.param({"NumericLessThan": {"aws:MultiFactorAuthAge": "600"}}, id="mfa-age"),
        pytest.param({"DateLessThan": {"aws:CurrentTime": "{soon}"}}, id="current-time"),
    ],
)
def test_time_keys_follow_the_sandbox_clock(fresh_sandbox: Sandbox, condition) -> None:
    """aws:MultiFactorAuthAge and aws:CurrentTime are read at request time (GLOBAL_KEYS): after
    Sandbox.advance_clock(900) a 10-minute MFA age or deadline has passed, within the session's
    hour, so the same credentials are now refused."""
    cite(GLOBAL_KEYS)
    soon = (fresh_sandbox.now() + timedelta(seconds=600)).strftime("%Y-%m-%dT%H:%M:%SZ")
    condition = {
        op: {k: v.format(soon=soon) for k, v in kv.items()} for op, kv in condition.items()
    }
    s3 = _s3(fresh_sandbox, _conditional_session(fresh_sandbox, condition, mfa=True))
    s3.list_buckets()
    fresh_sandbox.advance_clock(900)
    with pytest.raises(ClientError) as err:
        s3.list_buckets()
    assert err.value.response["Error"]["Code"] == "AccessDenied"
