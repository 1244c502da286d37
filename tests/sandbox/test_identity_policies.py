"""Identity policies over HTTP: conditions, real resource ARNs, resource policies, AWS's answers.

Each case creates a user in the target account with one inline policy (plain boto3 as the
admin), makes one call with that user's keys against the sandbox, and checks the answer: success,
or the error code, HTTP status and message AWS gives. Every case cites the AWS page it follows.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from helpers import session_with_keys

from xacct_widgets.sandbox import Sandbox

TARGET, SOURCE = "123456781234", "987654329876"
_IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
EVALUATION = _IAM + "reference_policies_evaluation-logic.html"
CROSS_ACCOUNT = _IAM + "reference_policies_evaluation-logic-cross-account.html"
OPERATORS = _IAM + "reference_policies_elements_condition_operators.html"
GLOBAL_KEYS = _IAM + "reference_policies_condition-keys.html"
VARIABLES = _IAM + "reference_policies_variables.html"
ACCESS_DENIED = _IAM + "troubleshoot_access-denied.html"
IAM_KEYS = _IAM + "reference_policies_iam-condition-keys.html"
NOT_ACTION = _IAM + "reference_policies_elements_notaction.html"
MFA_EXAMPLE = _IAM + "reference_policies_examples_aws_my-sec-creds-self-manage.html"
S3_ERRORS = "https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html"
ORG_ERRORS = "https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html"
STS_GCI = "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"

_names = itertools.count(1)


@pytest.fixture(scope="module")
def sb(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The shared sandbox, reseeded once for this module and once after it."""
    sandbox.reset()
    yield sandbox
    sandbox.reset()


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def _doc(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


@dataclass
class Case:
    id: str
    doc: str
    statements: list[dict[str, Any]]
    service: str
    operation: str
    params: dict[str, Any] = field(default_factory=dict)
    error: tuple[str, int] | None = None  # (code, HTTP status); None: succeeds
    message: str | None = None  # exact message; {user} and {account} are filled in
    tags: dict[str, str] = field(default_factory=dict)
    group: bool = False  # put the policy on a group of the user instead
    managed: bool = False  # put the policy in a customer managed policy instead


def make_user(sb: Sandbox, case: Case, name: str) -> boto3.Session:
    iam = sb.session("target", "admin").client("iam")
    tags = [{"Key": k, "Value": v} for k, v in case.tags.items()]
    iam.create_user(UserName=name, **({"Tags": tags} if tags else {}))
    document = _doc(_fill(case.statements, name))
    if case.group:
        iam.create_group(GroupName=f"g-{name}")
        iam.put_group_policy(GroupName=f"g-{name}", PolicyName="p", PolicyDocument=document)
        iam.add_user_to_group(GroupName=f"g-{name}", UserName=name)
    elif case.managed:
        arn = iam.create_policy(PolicyName=f"p-{name}", PolicyDocument=document)["Policy"]["Arn"]
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    elif case.statements:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=document)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return session_with_keys(sb, key["AccessKeyId"], key["SecretAccessKey"])


def _fill(value: Any, name: str) -> Any:
    if isinstance(value, str):
        return value.replace("{user}", name).replace("{account}", TARGET)
    if isinstance(value, list):
        return [_fill(v, name) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, name) for k, v in value.items()}
    return value


def run(sb: Sandbox, case: Case) -> None:
    assert case.doc.startswith("https://docs.aws.amazon.com/"), case.doc
    name = f"u{next(_names)}"
    session = make_user(sb, case, name)
    client = session.client(case.service, endpoint_url=sb.endpoint_url)
    call = getattr(client, case.operation)
    params = _fill(case.params, name)
    if case.error is None:
        call(**params)
        return
    with pytest.raises(ClientError) as caught:
        call(**params)
    answer = caught.value.response
    assert (answer["Error"]["Code"], answer["ResponseMetadata"]["HTTPStatusCode"]) == case.error
    if case.message is not None:
        assert answer["Error"]["Message"] == _fill(case.message, name)


USER_ARN = f"arn:aws:iam::{TARGET}:user/{{user}}"
DENIED = ("AccessDenied", 403)


def no_identity(action: str, resource: str) -> str:
    return (
        f"User: {USER_ARN} is not authorized to perform: {action} on resource: {resource} "
        f"because no identity-based policy allows the {action} action"
    )


def explicit(action: str, resource: str) -> str:
    return (
        f"User: {USER_ARN} is not authorized to perform: {action} on resource: {resource} "
        "with an explicit deny in an identity-based policy"
    )


LIST_USERS = f"arn:aws:iam::{TARGET}:user/"
ADMIN = f"arn:aws:iam::{TARGET}:user/admin"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}

CASES = [
    # -- conditions in identity policies --------------------------------------------------------
    Case(
        "allow-needs-mfa-long-term-key",
        MFA_EXAMPLE,
        [allow("iam:ListUsers", Condition=MFA)],
        "iam",
        "list_users",
        error=DENIED,
        message=no_identity("iam:ListUsers", LIST_USERS),
    ),
    Case(
        "deny-unless-mfa-bool-if-exists",
        MFA_EXAMPLE,
        [
            allow("iam:*"),
            deny(
                "iam:ListUsers", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
            ),
        ],
        "iam",
        "list_users",
        error=DENIED,
        message=explicit("iam:ListUsers", LIST_USERS),
    ),
    Case(
        "deny-unless-mfa-bool-no-if-exists-misses",
        OPERATORS,
        [
            allow("iam:*"),
            deny("iam:ListUsers", Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}),
        ],
        "iam",
        "list_users",
    ),
    Case(
        "null-mfa-absent-for-long-term",
        GLOBAL_KEYS,
        [allow("iam:ListUsers", Condition={"Null": {"aws:MultiFactorAuthPresent": "true"}})],
        "iam",
        "list_users",
    ),
    Case(
        "deny-condition-not-met-does-not-deny",
        EVALUATION,
        [
            allow("iam:*"),
            deny("iam:ListUsers", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}),
        ],
        "iam",
        "list_users",
    ),
    Case(
        "deny-condition-met-denies",
        EVALUATION,
        [
            allow("iam:*"),
            deny("iam:ListUsers", Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}}),
        ],
        "iam",
        "list_users",
        error=DENIED,
        message=explicit("iam:ListUsers", LIST_USERS),
    ),
    Case(
        "source-ip-loopback",
        GLOBAL_KEYS,
        [allow("iam:ListUsers", Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}})],
        "iam",
        "list_users",
    ),
    Case(
        "source-ip-elsewhere",
        GLOBAL_KEYS,
        [allow("iam:ListUsers", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})],
        "iam",
        "list_users",
        error=DENIED,
    ),
    Case(
        "not-ip-address",
        OPERATORS,
        [allow("iam:ListUsers", Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})],
        "iam",
        "list_users",
    ),
    Case(
        "secure-transport-required",
        GLOBAL_KEYS,
        [allow("iam:ListUsers", Condition={"Bool": {"aws:SecureTransport": "true"}})],
        "iam",
        "list_users",
        error=DENIED,
    ),
    Case(
        "current-time-window-open",
        OPERATORS,
        [
            allow(
                "iam:ListUsers",
                Condition={"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
            )
        ],
        "iam",
        "list_users",
    ),
    Case(
        "current-time-window-closed",
        OPERATORS,
        [
            allow(
                "iam:ListUsers",
                Condition={"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
            )
        ],
        "iam",
        "list_users",
        error=DENIED,
    ),
    Case(
        "epoch-time",
        OPERATORS,
        [allow("iam:ListUsers", Condition={"NumericGreaterThan": {"aws:EpochTime": "1600000000"}})],
        "iam",
        "list_users",
    ),
    Case(
        "requested-region",
        GLOBAL_KEYS,
        [allow("iam:ListUsers", Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}})],
        "iam",
        "list_users",
    ),
    Case(
        "username-key",
        GLOBAL_KEYS,
        [allow("iam:ListUsers", Condition={"StringLike": {"aws:username": "u*"}})],
        "iam",
        "list_users",
    ),
    Case(
        "userid-key-is-the-user-id",
        GLOBAL_KEYS,
        [allow("iam:ListUsers", Condition={"StringNotEquals": {"aws:userid": "{user}"}})],
        "iam",
        "list_users",
    ),
    Case(
        "principal-type-user",
        GLOBAL_KEYS,
        [allow("iam:ListUsers", Condition={"StringEquals": {"aws:PrincipalType": "User"}})],
        "iam",
        "list_users",
    ),
    Case(
        "principal-account",
        GLOBAL_KEYS,
        [allow("iam:ListUsers", Condition={"StringEquals": {"aws:PrincipalAccount": TARGET}})],
        "iam",
        "list_users",
    ),
    Case(
        "principal-arn",
        GLOBAL_KEYS,
        [allow("iam:ListUsers", Condition={"ArnEquals": {"aws:PrincipalArn": USER_ARN}})],
        "iam",
        "list_users",
    ),
    Case(
        "principal-tag-matches",
        GLOBAL_KEYS,
        [allow("iam:ListUsers", Condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}})],
        "iam",
        "list_users",
        tags={"team": "blue"},
    ),
    Case(
        "principal-tag-differs",
        GLOBAL_KEYS,
        [allow("iam:ListUsers", Condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}})],
        "iam",
        "list_users",
        tags={"team": "red"},
        error=DENIED,
    ),
    Case(
        "principal-org-id-absent-outside-org",
        GLOBAL_KEYS,
        [allow("iam:ListUsers", Condition={"StringLike": {"aws:PrincipalOrgID": "o-*"}})],
        "iam",
        "list_users",
        error=DENIED,
    ),
    Case(
        "principal-org-id-if-exists",
        OPERATORS,
        [allow("iam:ListUsers", Condition={"StringLikeIfExists": {"aws:PrincipalOrgID": "o-*"}})],
        "iam",
        "list_users",
    ),
    Case(
        "condition-keys-case-insensitive",
        OPERATORS,
        [allow("iam:ListUsers", Condition={"StringEquals": {"AWS:PRINCIPALTYPE": "User"}})],
        "iam",
        "list_users",
    ),
    Case(
        "two-keys-and",
        OPERATORS,
        [
            allow(
                "iam:ListUsers",
                Condition={
                    "StringEquals": {
                        "aws:PrincipalType": "User",
                        "aws:RequestedRegion": "eu-west-1",
                    }
                },
            )
        ],
        "iam",
        "list_users",
        error=DENIED,
    ),
    Case(
        "two-values-or",
        OPERATORS,
        [
            allow(
                "iam:ListUsers",
                Condition={"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}},
            )
        ],
        "iam",
        "list_users",
    ),
    Case(
        "request-tag-for-any-value",
        OPERATORS,
        [allow("iam:TagUser", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}})],
        "iam",
        "tag_user",
        {"UserName": "{user}", "Tags": [{"Key": "team", "Value": "x"}]},
    ),
    Case(
        "request-tag-for-all-values-refuses-extra",
        OPERATORS,
        [allow("iam:TagUser", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": "team"}})],
        "iam",
        "tag_user",
        {"UserName": "{user}", "Tags": [{"Key": "team", "Value": "x"}, {"Key": "c", "Value": "y"}]},
        error=DENIED,
    ),
    Case(
        "request-tag-value",
        OPERATORS,
        [allow("iam:TagUser", Condition={"StringEquals": {"aws:RequestTag/team": "blue"}})],
        "iam",
        "tag_user",
        {"UserName": "{user}", "Tags": [{"Key": "team", "Value": "red"}]},
        error=DENIED,
    ),
    Case(
        "group-policy-condition",
        EVALUATION,
        [allow("iam:ListUsers", Condition=MFA)],
        "iam",
        "list_users",
        group=True,
        error=DENIED,
    ),
    Case(
        "group-policy-allows", EVALUATION, [allow("iam:ListUsers")], "iam", "list_users", group=True
    ),
    Case(
        "managed-policy-condition",
        EVALUATION,
        [allow("iam:ListUsers", Condition=MFA)],
        "iam",
        "list_users",
        managed=True,
        error=DENIED,
    ),
    Case(
        "managed-policy-allows",
        EVALUATION,
        [allow("iam:ListUsers")],
        "iam",
        "list_users",
        managed=True,
    ),
    # -- IAM actions on the real resource ARN ----------------------------------------------------
    Case(
        "own-user-arn-grant-get-self",
        VARIABLES,
        [allow("iam:GetUser", f"arn:aws:iam::{TARGET}:user/${{aws:username}}")],
        "iam",
        "get_user",
    ),
    Case(
        "own-user-arn-grant-get-self-by-name",
        VARIABLES,
        [allow("iam:GetUser", f"arn:aws:iam::{TARGET}:user/${{aws:username}}")],
        "iam",
        "get_user",
        {"UserName": "{user}"},
    ),
    Case(
        "own-user-arn-grant-other-user",
        VARIABLES,
        [allow("iam:GetUser", f"arn:aws:iam::{TARGET}:user/${{aws:username}}")],
        "iam",
        "get_user",
        {"UserName": "admin"},
        error=DENIED,
        message=no_identity("iam:GetUser", ADMIN),
    ),
    Case(
        "own-access-keys",
        MFA_EXAMPLE,
        [allow(["iam:ListAccessKeys", "iam:CreateAccessKey"], USER_ARN)],
        "iam",
        "list_access_keys",
    ),
    Case(
        "literal-user-arn",
        EVALUATION,
        [allow("iam:GetUser", ADMIN)],
        "iam",
        "get_user",
        {"UserName": "admin"},
    ),
    Case(
        "role-arn-scoped",
        EVALUATION,
        [allow("iam:GetRole", f"arn:aws:iam::{TARGET}:role/app-*")],
        "iam",
        "get_role",
        {"RoleName": "other"},
        error=DENIED,
        message=no_identity("iam:GetRole", f"arn:aws:iam::{TARGET}:role/other"),
    ),
    Case(
        "list-users-resource-is-path",
        ACCESS_DENIED,
        [allow("iam:ListUsers", LIST_USERS + "*")],
        "iam",
        "list_users",
    ),
    Case(
        "list-roles-other-path",
        ACCESS_DENIED,
        [allow("iam:ListRoles", f"arn:aws:iam::{TARGET}:role/team/*")],
        "iam",
        "list_roles",
        error=DENIED,
        message=no_identity("iam:ListRoles", f"arn:aws:iam::{TARGET}:role/"),
    ),
    Case(
        "account-level-action-on-star",
        ACCESS_DENIED,
        [allow("iam:ListUsers")],
        "iam",
        "get_account_summary",
        error=DENIED,
        message=no_identity("iam:GetAccountSummary", "*"),
    ),
    Case(
        "policy-arn-resource",
        EVALUATION,
        [allow("iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess")],
        "iam",
        "get_policy",
        {"PolicyArn": "arn:aws:iam::aws:policy/SecurityAudit"},
        error=DENIED,
        message=no_identity("iam:GetPolicy", "arn:aws:iam::aws:policy/SecurityAudit"),
    ),
    Case(
        "iam-policy-arn-condition",
        IAM_KEYS,
        [
            allow(
                "iam:AttachUserPolicy",
                USER_ARN,
                Condition={
                    "ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
                },
            )
        ],
        "iam",
        "attach_user_policy",
        {"UserName": "{user}", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
    ),
    Case(
        "iam-policy-arn-condition-refuses-admin",
        IAM_KEYS,
        [
            allow(
                "iam:AttachUserPolicy",
                USER_ARN,
                Condition={
                    "ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
                },
            )
        ],
        "iam",
        "attach_user_policy",
        {"UserName": "{user}", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
        error=DENIED,
    ),
    Case(
        "not-action",
        NOT_ACTION,
        [allow("*"), deny("iam:*")],
        "iam",
        "list_users",
        error=DENIED,
        message=explicit("iam:ListUsers", LIST_USERS),
    ),
    Case(
        "not-action-allow",
        NOT_ACTION,
        [{"Effect": "Allow", "NotAction": "iam:Create*", "Resource": "*"}],
        "iam",
        "list_users",
    ),
    Case(
        "not-resource",
        EVALUATION,
        [{"Effect": "Allow", "Action": "iam:GetUser", "NotResource": ADMIN}],
        "iam",
        "get_user",
        {"UserName": "admin"},
        error=DENIED,
    ),
    # -- STS -------------------------------------------------------------------------------------
    Case(
        "get-caller-identity-needs-no-permission",
        STS_GCI,
        [deny("*")],
        "sts",
        "get_caller_identity",
    ),
    # -- other services' error shapes ------------------------------------------------------------
    Case(
        "s3-denied-xml",
        S3_ERRORS,
        [allow("iam:*")],
        "s3",
        "list_buckets",
        error=DENIED,
        message="Access Denied",
    ),
    Case("s3-allowed", EVALUATION, [allow("s3:ListAllMyBuckets")], "s3", "list_buckets"),
    Case(
        "s3-condition",
        EVALUATION,
        [allow("s3:ListAllMyBuckets", Condition=MFA)],
        "s3",
        "list_buckets",
        error=DENIED,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_identity_policy(sb: Sandbox, case: Case) -> None:
    run(sb, case)
