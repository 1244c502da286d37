"""The engine's side of the five classes a second, independent evaluator found the sandbox wrong
in (issue 19, item 9): one table per class, each case naming the AWS page it follows.

1. An S3 bucket policy is read whole: a Deny whose condition is false, or that names another
   principal, denies nothing.
2. IAM resources ``arn:aws:iam::*:*`` / ``arn:aws:iam::ACCOUNT:*`` / ``...:root`` are valid
   identity-policy resources and grant what they say.
3. ``aws:RequestedRegion`` decides region conditions; IAM's is us-east-1 (the sandbox puts it in
   the context, :mod:`xacct_widgets.sandbox.decision.request_context`).
4. The principal table: ``aws:userid``, ``aws:username``, ``aws:PrincipalType`` per principal
   type (a root user's and a federated user's ``aws:userid`` follow from the ARN).
5. A trust policy that names a deleted principal by its unique ID still admits its other
   principals, and not a new principal of the deleted one's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from policy_docs import (
    CROSS_ACCOUNT,
    EVALUATION,
    GLOBAL_KEYS,
    PRINCIPAL,
    RESOURCE,
    VARIABLES,
    Doc,
    check,
)

from xacct_widgets.policy import Principal, RequestContext, decide, parse_policy, validate_document

ACCOUNT, OTHER = "111122223333", "444455556666"
BUCKET = "reports"
OBJECT = f"arn:aws:s3:::{BUCKET}/q1.csv"
USER = Principal(f"arn:aws:iam::{ACCOUNT}:user/dev", userid="AIDAJQABLZS4A3QDU576Q")
OTHER_USER = Principal(f"arn:aws:iam::{OTHER}:user/partner", userid="AIDACKCEVSQ6C2EXAMPLE")
S3_EXAMPLES = Doc(
    "Examples of Amazon S3 bucket policies",
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html",
)
REQUESTED_REGION = Doc(
    "AWS global condition context keys: aws:RequestedRegion",
    GLOBAL_KEYS.url + "#condition-keys-requestedregion",
)
PRINCIPAL_TABLE = Doc(
    "IAM policy elements: Variables and tags (principal table)", VARIABLES.url + "#principaltable"
)
CLOUDFRONT_FULL_ACCESS = Doc(
    "AWS managed policy: CloudFrontFullAccess",
    "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/CloudFrontFullAccess.html",
)


def _policy(statements: list[dict[str, Any]], name: str) -> Any:
    return parse_policy({"Version": "2012-10-17", "Statement": statements}, name)


def _allow(action: str = "*", resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


@dataclass
class Case:
    id: str
    doc: Doc
    decision: str
    identity: list[dict[str, Any]] = field(default_factory=list)
    resource_policy: list[dict[str, Any]] | None = None
    caller: Principal = USER
    action: str = "s3:GetObject"
    resource: str = OBJECT
    owner: str | None = ACCOUNT
    keys: dict[str, Any] = field(default_factory=lambda: {"aws:SourceIp": "127.0.0.1"})


def _run(case: Case) -> str:
    check(case.doc)
    context = RequestContext(case.action, case.resource, case.caller, case.keys)
    resource = None
    if case.resource_policy is not None:
        resource = _policy(case.resource_policy, "resource policy")
    decision = decide(
        context,
        identity=[_policy(case.identity, "identity")] if case.identity else [],
        resource=resource,
        resource_account=case.owner,
    )
    return decision.decision


# -- 1. bucket policies read whole -------------------------------------------------------------
def _deny(principal: Any = "*", **extra: Any) -> dict[str, Any]:
    return {
        "Effect": "Deny",
        "Principal": principal,
        "Action": "s3:*",
        "Resource": f"arn:aws:s3:::{BUCKET}/*",
        **extra,
    }


ELSEWHERE = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
HERE = {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}
BUCKET_CASES = [
    Case(
        "deny-condition-false",
        S3_EXAMPLES,
        "allowed",
        [_allow("s3:*")],
        [_deny(Condition=ELSEWHERE)],
    ),
    Case(
        "deny-condition-true",
        S3_EXAMPLES,
        "explicitDeny",
        [_allow("s3:*")],
        [_deny(Condition=HERE)],
    ),
    Case(
        "deny-insecure-transport-over-https",
        S3_EXAMPLES,
        "allowed",
        [_allow("s3:*")],
        [_deny(Condition={"Bool": {"aws:SecureTransport": "false"}})],
        keys={"aws:SecureTransport": True},
    ),
    Case(
        "deny-names-another-principal",
        EVALUATION,
        "allowed",
        [_allow("s3:*")],
        [_deny({"AWS": f"arn:aws:iam::{ACCOUNT}:user/someone-else"})],
    ),
    Case(
        "deny-names-the-caller",
        EVALUATION,
        "explicitDeny",
        [_allow("s3:*")],
        [_deny({"AWS": USER.arn})],
    ),
    Case(
        "put-under-a-false-deny",
        S3_EXAMPLES,
        "allowed",
        [_allow("s3:PutObject")],
        [_deny(Condition=ELSEWHERE)],
        action="s3:PutObject",
    ),
    Case(
        "cross-account-allowed-with-a-false-deny",
        CROSS_ACCOUNT,
        "allowed",
        [_allow("s3:GetObject")],
        [
            {
                "Effect": "Allow",
                "Principal": {"AWS": OTHER_USER.arn},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{BUCKET}/*",
            },
            _deny(Condition=ELSEWHERE),
        ],
        caller=OTHER_USER,
    ),
    Case(
        "cross-account-false-deny-grants-nothing",
        CROSS_ACCOUNT,
        "implicitDeny",
        [_allow("s3:GetObject")],
        [_deny(Condition=ELSEWHERE)],
        caller=OTHER_USER,
    ),
]


@pytest.mark.parametrize("case", BUCKET_CASES, ids=lambda c: c.id)
def test_bucket_policy_is_read_whole(case: Case) -> None:
    assert _run(case) == case.decision


# -- 2. IAM resource wildcards ----------------------------------------------------------------
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
IAM_RESOURCES = ["arn:aws:iam::*:*", f"arn:aws:iam::{ACCOUNT}:*", "arn:aws:iam::*:root"]
IAM_CASES = [
    Case("any-account-any-resource", CLOUDFRONT_FULL_ACCESS, "allowed",
         [_allow("iam:GetRole", "arn:aws:iam::*:*")], action="iam:GetRole", resource=ROLE),
    Case("own-account-any-resource", RESOURCE, "allowed",
         [_allow("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:*")], action="iam:GetRole", resource=ROLE),
    Case("other-account-any-resource", RESOURCE, "implicitDeny",
         [_allow("iam:GetRole", f"arn:aws:iam::{OTHER}:*")], action="iam:GetRole", resource=ROLE),
    Case("wildcard-not-for-another-action", RESOURCE, "implicitDeny",
         [_allow("iam:GetRole", "arn:aws:iam::*:*")], action="iam:GetUser",
         resource=f"arn:aws:iam::{ACCOUNT}:user/dev"),
    Case("not-resource-root-denies-users", RESOURCE, "explicitDeny",
         [_allow("iam:GetUser"),
          {"Effect": "Deny", "Action": "iam:GetUser", "NotResource": "arn:aws:iam::*:root"}],
         action="iam:GetUser", resource=f"arn:aws:iam::{ACCOUNT}:user/dev"),
    Case("not-resource-root-spares-root", RESOURCE, "allowed",
         [_allow("iam:GetUser"),
          {"Effect": "Deny", "Action": "iam:GetUser", "NotResource": "arn:aws:iam::*:root"}],
         action="iam:GetUser", resource=f"arn:aws:iam::{ACCOUNT}:root"),
]  # fmt: skip


@pytest.mark.parametrize("resource", IAM_RESOURCES)
def test_iam_wildcard_resources_are_valid(resource: str) -> None:
    check(RESOURCE)
    document = {"Version": "2012-10-17", "Statement": [_allow("iam:ListRoles", resource)]}
    assert validate_document(document, kind="identity")["Statement"][0]["Resource"] == resource


@pytest.mark.parametrize("case", IAM_CASES, ids=lambda c: c.id)
def test_iam_wildcard_resources_grant_what_they_say(case: Case) -> None:
    assert _run(case) == case.decision


# -- 3. aws:RequestedRegion ---------------------------------------------------------------------
#: "Deny access to AWS based on the requested Region", global services exempted.
REGION_GUARD = {
    "Effect": "Deny",
    "NotAction": ["iam:*", "organizations:*", "route53:*", "cloudfront:*", "sts:*"],
    "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}},
}
IN_US_EAST_1 = {"aws:RequestedRegion": "us-east-1"}
REGION_CASES = [
    Case("iam-in-us-east-1-passes-the-guard", REQUESTED_REGION, "allowed",
         [_allow(), REGION_GUARD], action="iam:ListUsers", resource="*", keys=IN_US_EAST_1),
    Case("s3-in-us-east-1-is-denied", REQUESTED_REGION, "explicitDeny",
         [_allow(), REGION_GUARD], action="s3:ListAllMyBuckets", resource="*", keys=IN_US_EAST_1),
    Case("s3-in-eu-west-1-passes", REQUESTED_REGION, "allowed",
         [_allow(), REGION_GUARD], action="s3:ListAllMyBuckets", resource="*",
         keys={"aws:RequestedRegion": "eu-west-1"}),
    Case("iam-allowed-only-in-us-east-1", REQUESTED_REGION, "allowed",
         [_allow("iam:*", Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}})],
         action="iam:ListUsers", resource="*", keys=IN_US_EAST_1),
    Case("iam-allowed-only-in-eu-west-1", REQUESTED_REGION, "implicitDeny",
         [_allow("iam:*", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})],
         action="iam:ListUsers", resource="*", keys=IN_US_EAST_1),
]  # fmt: skip


@pytest.mark.parametrize("case", REGION_CASES, ids=lambda c: c.id)
def test_requested_region(case: Case) -> None:
    assert _run(case) == case.decision


# -- 4. the principal table ---------------------------------------------------------------------
ABSENT = None
PRINCIPAL_KEYS = [
    # (id, principal, aws:username, aws:userid, aws:PrincipalType)
    ("root", Principal(f"arn:aws:iam::{ACCOUNT}:root"), ABSENT, ACCOUNT, "Account"),
    ("user", USER, "dev", USER.userid, "User"),
    ("user-with-path", Principal(f"arn:aws:iam::{ACCOUNT}:user/team/dev", userid=USER.userid),
     "dev", USER.userid, "User"),
    ("federated-user", Principal(f"arn:aws:sts::{ACCOUNT}:federated-user/Bob"), ABSENT,
     f"{ACCOUNT}:Bob", "FederatedUser"),
    ("role-session", Principal(f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s1",
                               userid="AROAJQABLZS4A3QDU576Q:s1"),
     ABSENT, "AROAJQABLZS4A3QDU576Q:s1", "AssumedRole"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("principal", "username", "userid", "kind"),
    [pytest.param(*row[1:], id=row[0]) for row in PRINCIPAL_KEYS],
)
def test_principal_table(
    principal: Principal, username: str | None, userid: str, kind: str
) -> None:
    check(PRINCIPAL_TABLE)
    context = RequestContext("sts:AssumeRole", ROLE, principal)
    assert context.get("aws:username") == (None if username is None else (username,))
    assert context.get("aws:userid") == (userid,)
    assert context.get("aws:PrincipalType") == (kind,)


def test_a_given_userid_is_kept() -> None:
    """A session's or user's ID comes from IAM (it is not derivable from the ARN)."""
    check(PRINCIPAL_TABLE)
    root = Principal(f"arn:aws:iam::{ACCOUNT}:root", userid="explicit")
    assert RequestContext("s3:GetObject", OBJECT, root).get("aws:userid") == ("explicit",)


# -- 5. a trust policy naming a deleted principal ---------------------------------------------
DELETED_ID = "AIDAOLDOLDOLDOLDOLD23"
TRUST = [
    {"Effect": "Allow", "Principal": {"AWS": [DELETED_ID, OTHER_USER.arn]},
     "Action": "sts:AssumeRole"},
]  # fmt: skip
RECREATED = Principal(f"arn:aws:iam::{OTHER}:user/gone", userid="AIDANEWNEWNEWNEWNEW45")
TRUST_CASES = [
    Case("the-remaining-principal-assumes", PRINCIPAL, "allowed", [_allow("sts:AssumeRole")],
         TRUST, caller=OTHER_USER, action="sts:AssumeRole", resource=ROLE),
    Case("a-recreated-namesake-does-not", PRINCIPAL, "implicitDeny", [_allow("sts:AssumeRole")],
         TRUST, caller=RECREATED, action="sts:AssumeRole", resource=ROLE),
]  # fmt: skip


@pytest.mark.parametrize("case", TRUST_CASES, ids=lambda c: c.id)
def test_trust_policy_naming_a_deleted_principal(case: Case) -> None:
    assert _run(case) == case.decision
