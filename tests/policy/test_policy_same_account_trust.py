"""Same-account AssumeRole as AWS decides it: a role's trust policy must itself allow the caller.

"Policy evaluation logic" (Evaluating identity-based policies with resource-based policies):
"For most resources, you only need an explicit allow for the principal in either an
identity-based policy or a resource-based policy to grant access. IAM role trust policies and
KMS key policies are exceptions to this logic, because they must explicitly allow access for
principals." So within one account a role trusting only ``ec2.amazonaws.com`` cannot be assumed
by an administrator, whatever its identity policy says; a trust policy naming the account root
delegates to the identity policies (which must then allow); a trust policy naming the user
itself lets it in without an identity Allow. Across accounts both sides must allow
("Cross-account policy evaluation logic"). A KMS key policy follows the same rule ("Key
policies in AWS KMS": "Unless the key policy explicitly allows it, you cannot use IAM policies
to allow access to a KMS key").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from policy_docs import CROSS_ACCOUNT, EVALUATION, SIMULATE_PRINCIPAL, Doc, check

from xacct_widgets.policy import (
    IDENTITY,
    RESOURCE,
    Principal,
    RequestContext,
    combine,
    decide,
    evaluate_identity_policies,
    evaluate_resource_policy,
    parse_policy,
    resource_policy_required,
)

KMS_KEYS = Doc(
    "Key policies in AWS KMS",
    "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html",
)
ACCOUNT, OTHER = "111122223333", "444455556666"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app-role"
FOREIGN_ROLE = f"arn:aws:iam::{OTHER}:role/app-role"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ADMIN = Principal(f"arn:aws:iam::{ACCOUNT}:user/admin")
OPERATOR = Principal(f"arn:aws:iam::{ACCOUNT}:user/operator")
INTERN = Principal(f"arn:aws:iam::{ACCOUNT}:user/intern")
HOP_ROLE = f"arn:aws:iam::{ACCOUNT}:role/hop"
HOP = Principal(f"arn:aws:sts::{ACCOUNT}:assumed-role/hop/s1", role_arn=HOP_ROLE)
ROOT = f"arn:aws:iam::{ACCOUNT}:root"

EVERYTHING = {"Effect": "Allow", "Action": "*", "Resource": "*"}
ASSUME_ANY_ROLE = {
    "Effect": "Allow",
    "Action": "sts:AssumeRole",
    "Resource": "arn:aws:iam::*:role/*",
}


def trust(principal: Any, action: str = "sts:AssumeRole", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, **extra}


EC2_ONLY = [trust({"Service": "ec2.amazonaws.com"})]
ROOT_ONLY = [trust({"AWS": ROOT})]


@dataclass
class Case:
    id: str
    doc: Doc
    decision: str
    denied_by: str = ""
    caller: Principal = OPERATOR
    identity: list[dict[str, Any]] = field(default_factory=list)
    resource_policy: list[dict[str, Any]] | None = None
    action: str = "sts:AssumeRole"
    resource: str = ROLE
    keys: dict[str, Any] = field(default_factory=dict)


CASES = [
    # -- the trust policy must allow, even in the role's own account --------------------------
    Case(
        "admin-cannot-assume-role-trusting-only-ec2",
        EVALUATION,
        "implicitDeny",
        RESOURCE,
        caller=ADMIN,
        identity=[EVERYTHING],
        resource_policy=EC2_ONLY,
    ),
    Case(
        "operator-grant-does-not-override-ec2-only-trust",
        EVALUATION,
        "implicitDeny",
        RESOURCE,
        identity=[ASSUME_ANY_ROLE],
        resource_policy=EC2_ONLY,
    ),
    Case(
        "trust-naming-another-user-refuses-this-one",
        EVALUATION,
        "implicitDeny",
        RESOURCE,
        identity=[ASSUME_ANY_ROLE],
        resource_policy=[trust({"AWS": INTERN.arn})],
    ),
    Case(
        "no-such-role-empty-trust-refuses-admin",
        EVALUATION,
        "implicitDeny",
        RESOURCE,
        caller=ADMIN,
        identity=[EVERYTHING],
        resource_policy=[],
    ),
    Case(
        "tag-session-also-needs-the-trust-policy",
        EVALUATION,
        "implicitDeny",
        RESOURCE,
        caller=ADMIN,
        identity=[EVERYTHING],
        resource_policy=EC2_ONLY,
        action="sts:TagSession",
    ),
    Case(
        "trust-condition-unmet-refuses",
        EVALUATION,
        "implicitDeny",
        RESOURCE,
        caller=INTERN,
        resource_policy=[
            trust({"AWS": INTERN.arn}, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
        ],
    ),
    # -- the account root delegates to the identity policies ------------------------------------
    Case(
        "root-trust-delegates-identity-allows",
        EVALUATION,
        "allowed",
        identity=[ASSUME_ANY_ROLE],
        resource_policy=ROOT_ONLY,
    ),
    Case(
        "root-trust-delegates-no-identity-allow",
        EVALUATION,
        "implicitDeny",
        IDENTITY,
        caller=INTERN,
        resource_policy=ROOT_ONLY,
    ),
    # -- a principal named directly needs no identity Allow -------------------------------------
    Case(
        "user-named-directly-without-identity-allow",
        EVALUATION,
        "allowed",
        caller=INTERN,
        resource_policy=[trust({"AWS": [ROOT, INTERN.arn]})],
    ),
    Case(
        "user-named-directly-condition-met",
        EVALUATION,
        "allowed",
        caller=INTERN,
        resource_policy=[
            trust({"AWS": INTERN.arn}, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
        ],
        keys={"aws:MultiFactorAuthPresent": "true"},
    ),
    Case(
        "role-named-directly-admits-its-session",
        EVALUATION,
        "allowed",
        caller=HOP,
        resource_policy=[trust({"AWS": HOP_ROLE})],
    ),
    Case(
        "identity-deny-beats-direct-trust",
        EVALUATION,
        "explicitDeny",
        IDENTITY,
        caller=INTERN,
        identity=[{"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": ROLE}],
        resource_policy=[trust({"AWS": INTERN.arn})],
    ),
    Case(
        "trust-deny-beats-identity-allow",
        EVALUATION,
        "explicitDeny",
        RESOURCE,
        caller=ADMIN,
        identity=[EVERYTHING],
        resource_policy=[
            *ROOT_ONLY,
            {"Effect": "Deny", "Principal": {"AWS": ADMIN.arn}, "Action": "sts:AssumeRole"},
        ],
    ),
    # -- across accounts nothing changes: both sides must allow ---------------------------------
    Case(
        "cross-account-named-user-still-needs-identity",
        CROSS_ACCOUNT,
        "implicitDeny",
        IDENTITY,
        caller=Principal(f"arn:aws:iam::{OTHER}:user/intern"),
        resource_policy=[trust({"AWS": f"arn:aws:iam::{OTHER}:user/intern"})],
    ),
    Case(
        "cross-account-ec2-only-refuses",
        CROSS_ACCOUNT,
        "implicitDeny",
        RESOURCE,
        caller=ADMIN,
        identity=[EVERYTHING],
        resource_policy=EC2_ONLY,
        resource=FOREIGN_ROLE,
    ),
    # -- the identity side alone, when no trust policy is given (a principal-policy simulation) --
    Case(
        "simulation-without-trust-policy-asks-identity",
        SIMULATE_PRINCIPAL,
        "allowed",
        identity=[ASSUME_ANY_ROLE],
    ),
    # -- other resource policies keep the usual rule: either side may allow ----------------------
    Case(
        "topic-policy-need-not-name-caller",
        EVALUATION,
        "allowed",
        caller=ADMIN,
        identity=[EVERYTHING],
        resource_policy=[{**trust({"AWS": INTERN.arn}, "sns:Publish"), "Resource": "*"}],
        action="sns:Publish",
        resource=f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts",
    ),
    # -- KMS key policies are the other exception -----------------------------------------------
    Case(
        "kms-key-policy-must-allow",
        KMS_KEYS,
        "implicitDeny",
        RESOURCE,
        caller=ADMIN,
        identity=[EVERYTHING],
        resource_policy=[{**trust({"AWS": INTERN.arn}, "kms:*"), "Resource": "*"}],
        action="kms:Decrypt",
        resource=KEY,
    ),
    Case(
        "kms-key-policy-root-enables-iam-policies",
        KMS_KEYS,
        "allowed",
        caller=ADMIN,
        identity=[EVERYTHING],
        resource_policy=[{**trust({"AWS": ROOT}, "kms:*"), "Resource": "*"}],
        action="kms:Decrypt",
        resource=KEY,
    ),
]


def _policy(statements: list[dict[str, Any]], source: str) -> Any:
    return parse_policy({"Version": "2012-10-17", "Statement": statements}, source)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_same_account_trust(case: Case) -> None:
    check(case.doc)
    context = RequestContext(case.action, case.resource, case.caller, case.keys)
    answer = decide(
        context,
        identity=[_policy(case.identity, "identity")] if case.identity else [],
        resource=(
            _policy(case.resource_policy, "trust") if case.resource_policy is not None else None
        ),
    )
    assert answer.decision == case.decision, answer.reason
    assert answer.denied_by == case.denied_by


def test_refusal_says_identity_is_not_enough() -> None:
    check(EVALUATION)
    context = RequestContext("sts:AssumeRole", ROLE, ADMIN)
    answer = decide(context, identity=[_policy([EVERYTHING], "i")], resource=_policy(EC2_ONLY, "t"))
    assert "even within its own account" in answer.reason


def test_combine_with_a_trust_policy() -> None:
    check(EVALUATION)
    context = RequestContext("sts:AssumeRole", ROLE, ADMIN)
    identity = evaluate_identity_policies([_policy([EVERYTHING], "i")], context)
    ec2_only = evaluate_resource_policy(_policy(EC2_ONLY, "t"), context)
    strict = combine(identity, ec2_only, same_account=True, resource_must_allow=True)
    assert strict.decision == "implicitDeny" and "trust policy" in strict.reason
    # Any other resource policy: the identity Allow is enough within the account.
    assert combine(identity, ec2_only, same_account=True).allowed


@pytest.mark.parametrize(
    ("action", "resource", "required"),
    [
        pytest.param("sts:AssumeRole", ROLE, True, id="assume-role"),
        pytest.param("STS:assumerolewithwebidentity", ROLE, True, id="any-case"),
        pytest.param("sts:AssumeRoleWithSAML", ROLE, True, id="saml"),
        pytest.param("sts:TagSession", ROLE, True, id="tag-session"),
        pytest.param("sts:SetSourceIdentity", ROLE, True, id="source-identity"),
        pytest.param("kms:Decrypt", KEY, True, id="kms-key"),
        pytest.param("kms:ListKeys", "*", False, id="kms-without-key"),
        pytest.param("s3:GetObject", "arn:aws:s3:::b/k", False, id="s3"),
        pytest.param("sts:GetCallerIdentity", "*", False, id="caller-identity"),
    ],
)
def test_resource_policy_required(action: str, resource: str, required: bool) -> None:
    check(EVALUATION)
    assert resource_policy_required(action, resource) is required
