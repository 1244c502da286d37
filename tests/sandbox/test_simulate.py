"""``iam:SimulatePrincipalPolicy`` and ``iam:SimulateCustomPolicy`` served by the sandbox.

Request parameters and response shape as in the IAM API reference; the decisions come from the
same engine that decides the sandbox's requests. Failure answers (code, HTTP status) included.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from helpers import session_with_keys

from xacct_widgets.sandbox import Sandbox

TARGET, SOURCE = "123456781234", "987654329876"
_API = "https://docs.aws.amazon.com/IAM/latest/APIReference/"
PRINCIPAL_API = _API + "API_SimulatePrincipalPolicy.html"
CUSTOM_API = _API + "API_SimulateCustomPolicy.html"
RESULT = _API + "API_EvaluationResult.html"
STATEMENT = _API + "API_Statement.html"
CONTEXT_ENTRY = _API + "API_ContextEntry.html"
TESTING = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html"
OPERATOR = f"arn:aws:iam::{SOURCE}:user/operator"
INTERN = f"arn:aws:iam::{SOURCE}:user/intern"
ROLE = f"arn:aws:iam::{TARGET}:role/cross-account"
MFA_KEY = "aws:MultiFactorAuthPresent"
_names = itertools.count(1)


def cite(url: str) -> None:
    assert url.startswith("https://docs.aws.amazon.com/"), url


def doc(*statements: dict[str, Any], indent: int | None = None) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=indent)


ALLOW_S3 = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


@pytest.fixture(scope="module")
def sb(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.reset()
    yield sandbox
    sandbox.reset()


@pytest.fixture
def iam(sb: Sandbox) -> Any:
    return sb.session("source", "admin").client("iam")


def one(answer: dict[str, Any]) -> dict[str, Any]:
    results = answer["EvaluationResults"]
    assert len(results) == 1
    return dict(results[0])


def error(call: Any, **params: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    response = caught.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


# -- decisions ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "action", "resource", "decision", "policy_id", "policy_type"),
    [
        pytest.param(
            OPERATOR,
            "sts:AssumeRole",
            ROLE,
            "allowed",
            "allow-switch-role",
            "group",
            id="group-inline",
        ),
        pytest.param(
            OPERATOR,
            "iam:ListRoles",
            "*",
            "allowed",
            "IAMReadOnlyAccess",
            "aws-managed",
            id="aws-managed",
        ),
        pytest.param(INTERN, "sts:AssumeRole", ROLE, "implicitDeny", None, None, id="implicit"),
        pytest.param(OPERATOR, "s3:GetObject", "*", "implicitDeny", None, None, id="other-service"),
        pytest.param(
            OPERATOR,
            "sts:AssumeRole",
            "arn:aws:s3:::b",
            "implicitDeny",
            None,
            None,
            id="resource-scoped",
        ),
    ],
)
def test_principal_decisions(
    iam: Any,
    source: str,
    action: str,
    resource: str,
    decision: str,
    policy_id: str | None,
    policy_type: str | None,
) -> None:
    cite(PRINCIPAL_API)
    result = one(
        iam.simulate_principal_policy(
            PolicySourceArn=source, ActionNames=[action], ResourceArns=[resource]
        )
    )
    assert result["EvalActionName"] == action
    assert result["EvalResourceName"] == resource
    assert result["EvalDecision"] == decision
    matched = result["MatchedStatements"]
    if policy_id is None:
        assert matched == []
    else:
        assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in matched] == [
            (policy_id, policy_type)
        ]
        assert {"Line", "Column"} <= set(matched[0]["StartPosition"])


def test_user_inline_and_explicit_deny(sb: Sandbox, iam: Any) -> None:
    cite(RESULT)
    name = f"sim{next(_names)}"
    iam.create_user(UserName=name)
    iam.put_user_policy(
        UserName=name,
        PolicyName="mixed",
        PolicyDocument=doc(
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
        ),
    )
    answer = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{SOURCE}:user/{name}",
        ActionNames=["s3:GetObject", "s3:DeleteBucket"],
    )
    allowed, denied = answer["EvaluationResults"]
    assert allowed["EvalDecision"] == "allowed"
    assert denied["EvalDecision"] == "explicitDeny"
    assert denied["MatchedStatements"][0]["SourcePolicyId"] == "mixed"
    assert denied["MatchedStatements"][0]["SourcePolicyType"] == "user"
    assert answer["IsTruncated"] is False


def test_customer_managed_policy_type(iam: Any) -> None:
    cite(STATEMENT)
    name = f"sim{next(_names)}"
    iam.create_user(UserName=name)
    arn = iam.create_policy(PolicyName=f"{name}-p", PolicyDocument=doc(ALLOW_S3))["Policy"]["Arn"]
    iam.attach_user_policy(UserName=name, PolicyArn=arn)
    result = one(
        iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{SOURCE}:user/{name}", ActionNames=["s3:GetObject"]
        )
    )
    assert result["MatchedStatements"][0]["SourcePolicyType"] == "user-managed"
    assert result["MatchedStatements"][0]["SourcePolicyId"] == f"{name}-p"


def test_missing_context_values(iam: Any) -> None:
    cite(RESULT)
    policy = doc({**ALLOW_S3, "Condition": {"Bool": {MFA_KEY: "true"}}})
    result = one(iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["s3:GetObject"]))
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MissingContextValues"] == [MFA_KEY]


@pytest.mark.parametrize(
    ("values", "kind", "decision"),
    [
        pytest.param(["true"], "boolean", "allowed", id="mfa-true"),
        pytest.param(["false"], "boolean", "implicitDeny", id="mfa-false"),
    ],
)
def test_context_entries(iam: Any, values: list[str], kind: str, decision: str) -> None:
    cite(CONTEXT_ENTRY)
    policy = doc({**ALLOW_S3, "Condition": {"Bool": {MFA_KEY: "true"}}})
    result = one(
        iam.simulate_custom_policy(
            PolicyInputList=[policy],
            ActionNames=["s3:GetObject"],
            ContextEntries=[
                {"ContextKeyName": MFA_KEY, "ContextKeyValues": values, "ContextKeyType": kind}
            ],
        )
    )
    assert result["EvalDecision"] == decision
    assert result["MissingContextValues"] == []


def test_list_context_entry(iam: Any) -> None:
    cite(CONTEXT_ENTRY)
    policy = doc(
        {**ALLOW_S3, "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}}
    )
    entry = {"ContextKeyName": "aws:TagKeys", "ContextKeyType": "stringList"}
    ok = iam.simulate_custom_policy(
        PolicyInputList=[policy],
        ActionNames=["s3:GetObject"],
        ContextEntries=[{**entry, "ContextKeyValues": ["a"]}],
    )
    extra = iam.simulate_custom_policy(
        PolicyInputList=[policy],
        ActionNames=["s3:GetObject"],
        ContextEntries=[{**entry, "ContextKeyValues": ["a", "c"]}],
    )
    assert one(ok)["EvalDecision"] == "allowed"
    assert one(extra)["EvalDecision"] == "implicitDeny"


def test_one_result_per_action_and_resource(iam: Any) -> None:
    cite(PRINCIPAL_API)
    policy = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::a/*"})
    answer = iam.simulate_custom_policy(
        PolicyInputList=[policy],
        ActionNames=["s3:GetObject", "s3:PutObject"],
        ResourceArns=["arn:aws:s3:::a/x", "arn:aws:s3:::b/x"],
    )
    found = [
        (r["EvalActionName"], r["EvalResourceName"], r["EvalDecision"])
        for r in answer["EvaluationResults"]
    ]
    assert found == [
        ("s3:GetObject", "arn:aws:s3:::a/x", "allowed"),
        ("s3:GetObject", "arn:aws:s3:::b/x", "implicitDeny"),
        ("s3:PutObject", "arn:aws:s3:::a/x", "implicitDeny"),
        ("s3:PutObject", "arn:aws:s3:::b/x", "implicitDeny"),
    ]
    specific = answer["EvaluationResults"][0]["ResourceSpecificResults"]
    assert specific == [
        {
            "EvalResourceName": "arn:aws:s3:::a/x",
            "EvalResourceDecision": "allowed",
            "MatchedStatements": answer["EvaluationResults"][0]["MatchedStatements"],
            "MissingContextValues": [],
        }
    ]


def test_statement_positions_point_into_the_input(iam: Any) -> None:
    cite(STATEMENT)
    policy = doc(
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}, ALLOW_S3, indent=2
    )
    result = one(iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["s3:GetObject"]))
    matched = result["MatchedStatements"][0]
    assert matched["SourcePolicyId"] == "PolicyInputList.1"
    assert matched["SourcePolicyType"] == "none"
    lines = policy.splitlines()
    start, end = matched["StartPosition"], matched["EndPosition"]
    assert lines[start["Line"] - 1][start["Column"] - 1] == "{"
    assert lines[end["Line"] - 1][end["Column"] - 2] == "}"
    assert '"s3:GetObject"' in "\n".join(lines[start["Line"] - 1 : end["Line"]])


def test_policy_input_list_adds_to_principal(iam: Any) -> None:
    cite(PRINCIPAL_API)
    result = one(
        iam.simulate_principal_policy(
            PolicySourceArn=INTERN, ActionNames=["s3:GetObject"], PolicyInputList=[doc(ALLOW_S3)]
        )
    )
    assert result["EvalDecision"] == "allowed"
    assert result["MatchedStatements"][0]["SourcePolicyId"] == "PolicyInputList.1"


def test_boundary_input_limits(iam: Any) -> None:
    cite(PRINCIPAL_API)
    boundary = doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"})
    result = one(
        iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{SOURCE}:user/admin",
            ActionNames=["s3:GetObject"],
            PermissionsBoundaryPolicyInputList=[boundary],
        )
    )
    assert result["EvalDecision"] == "implicitDeny"
    assert result["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}


def test_entity_boundary_is_used(sb: Sandbox, iam: Any) -> None:
    cite(RESULT)
    name = f"sim{next(_names)}"
    iam.create_user(UserName=name)
    iam.attach_user_policy(UserName=name, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.put_user_permissions_boundary(
        UserName=name, PermissionsBoundary="arn:aws:iam::aws:policy/IAMReadOnlyAccess"
    )
    answer = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{SOURCE}:user/{name}",
        ActionNames=["iam:ListUsers", "iam:CreateUser"],
    )
    decisions = [r["EvalDecision"] for r in answer["EvaluationResults"]]
    assert decisions == ["allowed", "implicitDeny"]
    assert answer["EvaluationResults"][1]["PermissionsBoundaryDecisionDetail"] == {
        "AllowedByPermissionsBoundary": False
    }


def test_role_source(sb: Sandbox) -> None:
    cite(PRINCIPAL_API)
    iam = sb.session("target", "admin").client("iam")
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    iam.create_role(RoleName="sim-role", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName="sim-role", PolicyName="read", PolicyDocument=doc(ALLOW_S3))
    result = one(
        iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{TARGET}:role/sim-role", ActionNames=["s3:GetObject"]
        )
    )
    assert result["EvalDecision"] == "allowed"
    assert result["MatchedStatements"][0]["SourcePolicyType"] == "role"


def test_group_source(iam: Any) -> None:
    cite(PRINCIPAL_API)
    result = one(
        iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{SOURCE}:group/role-switchers",
            ActionNames=["sts:AssumeRole"],
            ResourceArns=[ROLE],
        )
    )
    assert result["EvalDecision"] == "allowed"


def test_resource_policy_same_account(iam: Any) -> None:
    cite(CUSTOM_API)
    bucket_policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": INTERN},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::reports/*",
        }
    )
    result = one(
        iam.simulate_custom_policy(
            PolicyInputList=[doc({"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"})],
            ActionNames=["s3:GetObject"],
            ResourceArns=["arn:aws:s3:::reports/q1"],
            ResourcePolicy=bucket_policy,
            CallerArn=INTERN,
            ResourceOwner=f"arn:aws:iam::{SOURCE}:root",
        )
    )
    assert result["EvalDecision"] == "allowed"
    assert result["MatchedStatements"][0]["SourcePolicyType"] == "resource"


def test_resource_policy_cross_account_needs_identity(iam: Any) -> None:
    cite(CUSTOM_API)
    bucket_policy = doc(
        {"Effect": "Allow", "Principal": {"AWS": INTERN}, "Action": "s3:GetObject", "Resource": "*"}
    )
    result = one(
        iam.simulate_custom_policy(
            PolicyInputList=[doc({"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"})],
            ActionNames=["s3:GetObject"],
            ResourceArns=["arn:aws:s3:::reports/q1"],
            ResourcePolicy=bucket_policy,
            CallerArn=INTERN,
            ResourceOwner=TARGET,
        )
    )
    assert result["EvalDecision"] == "implicitDeny"


def test_policy_variables_from_caller(iam: Any) -> None:
    cite(TESTING)
    policy = doc(
        {
            "Effect": "Allow",
            "Action": "iam:GetUser",
            "Resource": "arn:aws:iam::*:user/${aws:username}",
        }
    )
    answer = iam.simulate_custom_policy(
        PolicyInputList=[policy],
        ActionNames=["iam:GetUser"],
        ResourceArns=[INTERN, OPERATOR],
        CallerArn=INTERN,
    )
    assert [r["EvalDecision"] for r in answer["EvaluationResults"]] == ["allowed", "implicitDeny"]


def test_pagination(iam: Any) -> None:
    cite(PRINCIPAL_API)
    actions = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
    first = iam.simulate_custom_policy(
        PolicyInputList=[doc(ALLOW_S3)], ActionNames=actions, MaxItems=2
    )
    assert first["IsTruncated"] is True and len(first["EvaluationResults"]) == 2
    rest = iam.simulate_custom_policy(
        PolicyInputList=[doc(ALLOW_S3)], ActionNames=actions, MaxItems=2, Marker=first["Marker"]
    )
    assert rest["IsTruncated"] is False
    assert [r["EvalActionName"] for r in rest["EvaluationResults"]] == ["s3:ListBucket"]


def test_organizations_detail_for_member(sb: Sandbox) -> None:
    cite(RESULT)
    member = sb.member_account_ids[0]
    iam = sb.session("management", "admin").client("iam")
    role = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    sts = sb.session("management", "admin").client("sts")
    creds = sts.assume_role(RoleArn=role, RoleSessionName="sim")["Credentials"]
    import boto3

    member_iam = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=sb.region,
    ).client("iam", endpoint_url=sb.endpoint_url)
    result = one(
        member_iam.simulate_principal_policy(PolicySourceArn=role, ActionNames=["s3:GetObject"])
    )
    assert result["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}
    own = one(
        iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{sb.account('management')}:user/admin",
            ActionNames=["s3:GetObject"],
        )
    )
    assert "OrganizationsDecisionDetail" not in own  # SCPs never apply to the management account


# -- who may simulate, and the failure answers --------------------------------------------------
def _limited(sb: Sandbox, statements: list[dict[str, Any]]) -> Any:
    iam = sb.session("source", "admin").client("iam")
    name = f"sim{next(_names)}"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    session = session_with_keys(sb, key["AccessKeyId"], key["SecretAccessKey"], account="source")
    return name, session.client("iam", endpoint_url=sb.endpoint_url)


def test_caller_needs_permission(sb: Sandbox) -> None:
    cite(PRINCIPAL_API)
    name, client = _limited(sb, [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}])
    code, status, message = error(
        client.simulate_principal_policy, PolicySourceArn=OPERATOR, ActionNames=["s3:GetObject"]
    )
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: arn:aws:iam::{SOURCE}:user/{name} is not authorized to perform: "
        f"iam:SimulatePrincipalPolicy on resource: {OPERATOR} because no identity-based policy "
        "allows the iam:SimulatePrincipalPolicy action"
    )
    code, status, _ = error(
        client.simulate_custom_policy, PolicyInputList=[doc(ALLOW_S3)], ActionNames=["s3:GetObject"]
    )
    assert (code, status) == ("AccessDenied", 403)


def test_simulate_self_only(sb: Sandbox) -> None:
    cite(TESTING)
    name, client = _limited(
        sb,
        [
            {
                "Effect": "Allow",
                "Action": "iam:SimulatePrincipalPolicy",
                "Resource": "arn:aws:iam::*:user/${aws:username}",
            }
        ],
    )
    own = client.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{SOURCE}:user/{name}", ActionNames=["s3:GetObject"]
    )
    assert one(own)["EvalDecision"] == "implicitDeny"
    code, status, _ = error(
        client.simulate_principal_policy, PolicySourceArn=OPERATOR, ActionNames=["s3:GetObject"]
    )
    assert (code, status) == ("AccessDenied", 403)


@pytest.mark.parametrize(
    ("params", "code", "status"),
    [
        pytest.param(
            {"PolicySourceArn": f"arn:aws:iam::{SOURCE}:user/nobody"},
            "NoSuchEntity",
            404,
            id="no-user",
        ),
        pytest.param(
            {"PolicySourceArn": "arn:aws:s3:::reports-bucket"}, "InvalidInput", 400, id="not-iam"
        ),
        pytest.param(
            {"PolicySourceArn": OPERATOR, "CallerArn": ROLE},
            "InvalidInput",
            400,
            id="caller-not-user",
        ),
        pytest.param(
            {"PolicySourceArn": OPERATOR, "PolicyInputList": ["{not json"]},
            "MalformedPolicyDocument",
            400,
            id="malformed-input",
        ),
    ],
)
def test_principal_failures(iam: Any, params: dict[str, Any], code: str, status: int) -> None:
    cite(PRINCIPAL_API)
    found = error(iam.simulate_principal_policy, ActionNames=["s3:GetObject"], **params)
    assert found[:2] == (code, status)


def test_custom_without_actions(iam: Any) -> None:
    cite(CUSTOM_API)
    code, status, _ = error(
        iam.simulate_custom_policy, PolicyInputList=[doc(ALLOW_S3)], ActionNames=[]
    )
    assert (code, status) == ("InvalidInput", 400)
