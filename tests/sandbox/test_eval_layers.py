"""Permissions boundaries, session policies, SCPs and resource policies, over HTTP with boto3.

The layers beyond identity policies that moto ignores and the sandbox now evaluates, each with
the answer AWS gives (code, HTTP status, message naming the policy type that refused).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from helpers import session_with_keys

from xacct_widgets.sandbox import Sandbox

TARGET, SOURCE = "123456781234", "987654329876"
_IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
BOUNDARIES = _IAM + "access_policies_boundaries.html"
SESSION_POLICIES = _IAM + "access_policies.html#policies_session"
ACCESS_DENIED = _IAM + "troubleshoot_access-denied.html"
CROSS_ACCOUNT = _IAM + "reference_policies_evaluation-logic-cross-account.html"
EVALUATION = _IAM + "reference_policies_evaluation-logic.html"
GLOBAL_KEYS = _IAM + "reference_policies_condition-keys.html"
SCPS = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html"
PUT_BOUNDARY = (
    "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPermissionsBoundary.html"
)
ASSUME_ROLE = "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"
S3_POLICY = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html"
ORG_ERRORS = "https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html"

READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
_names = itertools.count(1)


def cite(url: str) -> None:
    assert url.startswith("https://docs.aws.amazon.com/"), url


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def denied(call: Callable[..., Any], **params: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response


def code_status(answer: dict[str, Any]) -> tuple[str, int]:
    return answer["Error"]["Code"], answer["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture(scope="module")
def sb(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.reset()
    yield sandbox
    sandbox.reset()


def new_user(
    sb: Sandbox, *, policies: tuple[str, ...] = (ADMIN,), account: str = "target", **create: Any
) -> tuple[str, boto3.Session]:
    iam = sb.session(account, "admin").client("iam")
    name = f"layer{next(_names)}"
    iam.create_user(UserName=name, **create)
    for arn in policies:
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return name, session_with_keys(sb, key["AccessKeyId"], key["SecretAccessKey"], account=account)


def arn_of(name: str, account: str = TARGET) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


# -- permissions boundaries --------------------------------------------------------------------
def test_put_user_permissions_boundary_works(sb: Sandbox) -> None:
    cite(PUT_BOUNDARY)
    name, _ = new_user(sb)
    iam = sb.session("target", "admin").client("iam")
    iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=READ_ONLY)
    boundary = iam.get_user(UserName=name)["User"]["PermissionsBoundary"]
    assert boundary == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": READ_ONLY,
    }


def test_boundary_limits_an_administrator(sb: Sandbox) -> None:
    cite(BOUNDARIES)
    name, session = new_user(sb)
    sb.session("target", "admin").client("iam").put_user_permissions_boundary(
        UserName=name, PermissionsBoundary=READ_ONLY
    )
    iam = session.client("iam")
    iam.list_users()  # inside the boundary
    answer = denied(iam.create_user, UserName="blocked")
    assert code_status(answer) == ("AccessDenied", 403)
    assert answer["Error"]["Message"] == (
        f"User: {arn_of(name)} is not authorized to perform: iam:CreateUser on resource: "
        f"arn:aws:iam::{TARGET}:user/blocked because no permissions boundary allows the "
        "iam:CreateUser action"
    )


def test_boundary_grants_nothing_by_itself(sb: Sandbox) -> None:
    cite(BOUNDARIES)
    name, session = new_user(sb, policies=())
    sb.session("target", "admin").client("iam").put_user_permissions_boundary(
        UserName=name, PermissionsBoundary=ADMIN
    )
    answer = denied(session.client("iam").list_users)
    assert "because no identity-based policy allows" in answer["Error"]["Message"]


def test_delete_user_permissions_boundary_restores(sb: Sandbox) -> None:
    cite(PUT_BOUNDARY)
    name, session = new_user(sb)
    admin = sb.session("target", "admin").client("iam")
    admin.put_user_permissions_boundary(UserName=name, PermissionsBoundary=READ_ONLY)
    denied(session.client("iam").create_group, GroupName=f"g-{name}")
    admin.delete_user_permissions_boundary(UserName=name)
    session.client("iam").create_group(GroupName=f"g-{name}")
    assert "PermissionsBoundary" not in admin.get_user(UserName=name)["User"]


def test_create_user_with_boundary(sb: Sandbox) -> None:
    cite(BOUNDARIES)
    _, session = new_user(sb, PermissionsBoundary=READ_ONLY)
    answer = denied(session.client("iam").create_group, GroupName="nope")
    assert "no permissions boundary allows the iam:CreateGroup action" in answer["Error"]["Message"]


def test_boundary_explicit_deny(sb: Sandbox) -> None:
    cite(ACCESS_DENIED)
    admin = sb.session("target", "admin").client("iam")
    arn = admin.create_policy(
        PolicyName="boundary-deny-list",
        PolicyDocument=doc(
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:ListRoles", "Resource": "*"},
        ),
    )["Policy"]["Arn"]
    name, session = new_user(sb)
    admin.put_user_permissions_boundary(UserName=name, PermissionsBoundary=arn)
    answer = denied(session.client("iam").list_roles)
    assert answer["Error"]["Message"].endswith("with an explicit deny in a permissions boundary")


def test_boundary_policy_must_exist(sb: Sandbox) -> None:
    cite(PUT_BOUNDARY)
    name, _ = new_user(sb)
    answer = denied(
        sb.session("target", "admin").client("iam").put_user_permissions_boundary,
        UserName=name,
        PermissionsBoundary=f"arn:aws:iam::{TARGET}:policy/missing",
    )
    assert code_status(answer) == ("NoSuchEntity", 404)


def test_boundary_condition_key(sb: Sandbox) -> None:
    """A delegated admin may create users only with the boundary set (iam:PermissionsBoundary)."""
    cite(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html"
    )
    admin = sb.session("target", "admin").client("iam")
    name, session = new_user(sb, policies=())
    admin.put_user_policy(
        UserName=name,
        PolicyName="delegate",
        PolicyDocument=doc(
            {
                "Effect": "Allow",
                "Action": "iam:CreateUser",
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PermissionsBoundary": READ_ONLY}},
            }
        ),
    )
    iam = session.client("iam")
    denied(iam.create_user, UserName=f"{name}-a")
    iam.create_user(UserName=f"{name}-b", PermissionsBoundary=READ_ONLY)


def test_role_boundary_limits_its_sessions(sb: Sandbox) -> None:
    cite(BOUNDARIES)
    admin = sb.session("target", "admin").client("iam")
    role = _role(sb, "bounded")
    admin.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=READ_ONLY)
    iam = _client(sb, _assume(sb, role), "iam")
    iam.list_roles()
    answer = denied(iam.create_group, GroupName="x")
    assert "no permissions boundary allows the iam:CreateGroup action" in answer["Error"]["Message"]
    assert answer["Error"]["Message"].startswith(
        f"User: arn:aws:sts::{TARGET}:assumed-role/bounded/layers is not authorized"
    )


# -- session policies -------------------------------------------------------------------------
def _role(sb: Sandbox, name: str, policy: str = ADMIN, trusted: str = TARGET) -> str:
    iam = sb.session("target", "admin").client("iam")
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{trusted}:root"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }
    )
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.attach_role_policy(RoleName=name, PolicyArn=policy)
    return str(arn)


def _assume(
    sb: Sandbox, role: str, who: tuple[str, str] = ("target", "admin"), **params: Any
) -> boto3.Session:
    sts = sb.session(*who).client("sts")
    creds = sts.assume_role(RoleArn=role, RoleSessionName="layers", **params)["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=sb.region,
    )


def _client(sb: Sandbox, session: boto3.Session, service: str) -> Any:
    return session.client(service, endpoint_url=sb.endpoint_url)


def test_inline_session_policy_limits(sb: Sandbox) -> None:
    cite(SESSION_POLICIES)
    role = _role(sb, "sess-inline")
    policy = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    iam = _client(sb, _assume(sb, role, Policy=policy), "iam")
    answer = denied(iam.list_users)
    assert code_status(answer) == ("AccessDenied", 403)
    assert answer["Error"]["Message"] == (
        f"User: arn:aws:sts::{TARGET}:assumed-role/sess-inline/layers is not authorized to "
        f"perform: iam:ListUsers on resource: arn:aws:iam::{TARGET}:user/ because no session "
        "policy allows the iam:ListUsers action"
    )


def test_managed_session_policy_limits(sb: Sandbox) -> None:
    cite(ASSUME_ROLE)
    role = _role(sb, "sess-arns")
    iam = _client(sb, _assume(sb, role, PolicyArns=[{"arn": READ_ONLY}]), "iam")
    iam.list_users()
    denied(iam.create_group, GroupName="nope")


def test_session_policy_cannot_widen(sb: Sandbox) -> None:
    cite(SESSION_POLICIES)
    role = _role(sb, "sess-narrow", policy=READ_ONLY)
    everything = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    iam = _client(sb, _assume(sb, role, Policy=everything), "iam")
    answer = denied(iam.create_group, GroupName="nope")
    assert "because no identity-based policy allows" in answer["Error"]["Message"]


def test_session_policy_explicit_deny(sb: Sandbox) -> None:
    cite(ACCESS_DENIED)
    role = _role(sb, "sess-deny")
    policy = doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:ListRoles", "Resource": "*"},
    )
    iam = _client(sb, _assume(sb, role, Policy=policy), "iam")
    iam.list_users()
    answer = denied(iam.list_roles)
    assert answer["Error"]["Message"].endswith("with an explicit deny in a session policy")


def test_session_without_policy_has_the_roles_permissions(sb: Sandbox) -> None:
    cite(SESSION_POLICIES)
    role = _role(sb, "sess-none")
    _client(sb, _assume(sb, role), "iam").create_group(GroupName="sess-none-group")


# -- the session's request context ------------------------------------------------------------
@pytest.mark.parametrize(
    ("condition", "mfa", "allowed"),
    [
        pytest.param(
            {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, True, True, id="mfa-session"
        ),
        pytest.param({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, False, False, id="no-mfa"),
        pytest.param(
            {"Bool": {"aws:MultiFactorAuthPresent": "false"}}, False, True, id="false-not-absent"
        ),
        pytest.param(
            {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, True, True, id="mfa-age"
        ),
        pytest.param({"Null": {"aws:MultiFactorAuthAge": "true"}}, False, True, id="no-mfa-age"),
        pytest.param({"StringLike": {"aws:userid": "AROA*:layers"}}, False, True, id="userid"),
        pytest.param(
            {"StringEquals": {"aws:PrincipalType": "AssumedRole"}}, False, True, id="type"
        ),
        pytest.param(
            {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{TARGET}:role/ctx"}},
            False,
            True,
            id="principal-arn-is-role",
        ),
        pytest.param({"Null": {"aws:TokenIssueTime": "false"}}, False, True, id="token-time"),
        pytest.param({"Null": {"aws:username": "true"}}, False, True, id="no-username"),
        pytest.param(
            {"StringEquals": {"aws:PrincipalTag/project": "atlas"}}, False, True, id="session-tag"
        ),
    ],
)
def test_session_context(sb: Sandbox, condition: dict[str, Any], mfa: bool, allowed: bool) -> None:
    cite(GLOBAL_KEYS)
    iam = sb.session("target", "admin").client("iam")
    try:
        iam.get_role(RoleName="ctx")
    except ClientError:
        _role(sb, "ctx", policy=READ_ONLY, trusted=SOURCE)
    iam.put_role_policy(
        RoleName="ctx",
        PolicyName="conditional",
        PolicyDocument=doc(
            {
                "Effect": "Allow",
                "Action": "s3:ListAllMyBuckets",
                "Resource": "*",
                "Condition": condition,
            }
        ),
    )
    params: dict[str, Any] = {"Tags": [{"Key": "project", "Value": "atlas"}]}
    if mfa:
        params["SerialNumber"] = sb.principal("source", "operator")["mfa_serial"]
        params["TokenCode"] = Sandbox.MFA_CODE
    session = _assume(sb, f"arn:aws:iam::{TARGET}:role/ctx", ("source", "operator"), **params)
    s3 = _client(sb, session, "s3")
    if allowed:
        s3.list_buckets()
    else:
        assert code_status(denied(s3.list_buckets)) == ("AccessDenied", 403)


# -- resource-based policies (S3 bucket policies) ---------------------------------------------
def _bucket(sb: Sandbox, name: str, *statements: dict[str, Any]) -> None:
    s3 = sb.session("target", "admin").client("s3")
    s3.create_bucket(Bucket=name)
    if statements:
        s3.put_bucket_policy(Bucket=name, Policy=doc(*statements))


def test_bucket_policy_grants_same_account_user(sb: Sandbox) -> None:
    cite(EVALUATION)
    name, session = new_user(sb, policies=())
    _bucket(
        sb,
        f"{name}-b",
        {
            "Effect": "Allow",
            "Principal": {"AWS": arn_of(name)},
            "Action": "s3:ListBucket",
            "Resource": f"arn:aws:s3:::{name}-b",
        },
    )
    _client(sb, session, "s3").list_objects_v2(Bucket=f"{name}-b")


def test_bucket_policy_deny_wins(sb: Sandbox) -> None:
    cite(S3_POLICY)
    name, session = new_user(sb)
    _bucket(
        sb,
        f"{name}-b",
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": f"arn:aws:s3:::{name}-b",
        },
    )
    answer = denied(_client(sb, session, "s3").list_objects_v2, Bucket=f"{name}-b")
    assert code_status(answer) == ("AccessDenied", 403)
    assert answer["Error"]["Message"] == "Access Denied"


def test_cross_account_bucket_needs_both_sides(sb: Sandbox) -> None:
    cite(CROSS_ACCOUNT)
    bucket = "xacct-shared-reports"
    _bucket(sb, bucket)
    source_s3 = sb.session("source", "admin").client("s3")
    denied(source_s3.list_objects_v2, Bucket=bucket)  # identity allows, bucket policy does not
    sb.session("target", "admin").client("s3").put_bucket_policy(
        Bucket=bucket,
        Policy=doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"},
                "Action": "s3:ListBucket",
                "Resource": f"arn:aws:s3:::{bucket}",
            }
        ),
    )
    source_s3.list_objects_v2(Bucket=bucket)
    intern_s3 = sb.session("source", "intern").client("s3")
    denied(intern_s3.list_objects_v2, Bucket=bucket)  # bucket allows, identity does not


# -- SCPs of the sandbox's organization -------------------------------------------------------
def _member_session(sb: Sandbox, member: str) -> boto3.Session:
    role = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    return _assume(sb, role, ("management", "admin"))


def _scp(sb: Sandbox, name: str, *statements: dict[str, Any]) -> str:
    org = sb.session("management", "admin").client("organizations")
    return str(
        org.create_policy(
            Name=name,
            Description=name,
            Type="SERVICE_CONTROL_POLICY",
            Content=doc(*statements),
        )["Policy"]["PolicySummary"]["Id"]
    )


def test_scp_explicit_deny_applies_to_member(sb: Sandbox) -> None:
    cite(SCPS)
    member = sb.member_account_ids[0]
    org = sb.session("management", "admin").client("organizations")
    policy = _scp(
        sb, "deny-create-user", {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}
    )
    org.attach_policy(PolicyId=policy, TargetId=member)
    try:
        iam = _client(sb, _member_session(sb, member), "iam")
        iam.list_roles()
        answer = denied(iam.create_user, UserName="blocked")
        assert code_status(answer) == ("AccessDenied", 403)
        assert answer["Error"]["Message"].endswith(
            "with an explicit deny in a service control policy"
        )
        # The management account is never limited by SCPs.
        sb.session("management", "admin").client("iam").create_user(UserName="mgmt-free")
    finally:
        org.detach_policy(PolicyId=policy, TargetId=member)


def test_scp_allow_list_limits_member(sb: Sandbox) -> None:
    cite(SCPS)
    member = sb.member_account_ids[1]
    org = sb.session("management", "admin").client("organizations")
    full = "p-FullAWSAccess"
    policy = _scp(sb, "iam-only", {"Effect": "Allow", "Action": "iam:*", "Resource": "*"})
    org.attach_policy(PolicyId=policy, TargetId=member)
    org.detach_policy(PolicyId=full, TargetId=member)
    try:
        session = _member_session(sb, member)
        _client(sb, session, "iam").list_roles()
        answer = denied(_client(sb, session, "s3").list_buckets)
        assert code_status(answer) == ("AccessDenied", 403)
    finally:
        org.attach_policy(PolicyId=full, TargetId=member)
        org.detach_policy(PolicyId=policy, TargetId=member)


def test_principal_org_id_in_member_account(sb: Sandbox) -> None:
    cite(GLOBAL_KEYS)
    member = sb.member_account_ids[0]
    org_id = (
        sb.session("management", "admin")
        .client("organizations")
        .describe_organization()["Organization"]["Id"]
    )
    policy = _scp(
        sb,
        "org-only",
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": "iam:ListUsers",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": org_id}},
        },
    )
    org = sb.session("management", "admin").client("organizations")
    org.attach_policy(PolicyId=policy, TargetId=member)
    try:
        _client(sb, _member_session(sb, member), "iam").list_users()
    finally:
        org.detach_policy(PolicyId=policy, TargetId=member)


def test_organizations_denial_shape(sb: Sandbox) -> None:
    cite(ORG_ERRORS)
    name, session = new_user(sb, policies=(READ_ONLY,), account="management")
    answer = denied(_client(sb, session, "organizations").list_accounts)
    assert code_status(answer) == ("AccessDeniedException", 400)
    assert answer["Error"]["Message"] == (
        f"User: arn:aws:iam::{sb.account('management')}:user/{name} is not authorized to perform:"
        " organizations:ListAccounts on resource: * because no identity-based policy allows the "
        "organizations:ListAccounts action"
    )
