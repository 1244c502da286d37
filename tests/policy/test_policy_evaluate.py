"""AWS's evaluation logic: explicit deny, allow, implicit deny; Not* elements; both sides."""

from __future__ import annotations

from typing import Any

import pytest
from policy_docs import (
    CROSS_ACCOUNT,
    EVALUATION,
    NOT_ACTION,
    NOT_PRINCIPAL,
    NOT_RESOURCE,
    OPERATORS,
    PRINCIPAL,
    RESOURCE,
    VARIABLES,
    Doc,
    check,
)

from xacct_widgets.policy import (
    Principal,
    RequestContext,
    combine,
    decide,
    evaluate_identity_policies,
    evaluate_resource_policy,
    parse_policy,
)

SOURCE, TARGET = "987654329876", "123456781234"
ROLE = f"arn:aws:iam::{TARGET}:role/cross-account"
OPERATOR = Principal(f"arn:aws:iam::{SOURCE}:user/operator")
ALLOW_ASSUME = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}


def _policy(*statements: dict[str, Any], source: str = "p") -> Any:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, source)


def _identity(*statements: dict[str, Any], resource: str = ROLE, action: str = "sts:AssumeRole"):
    context = RequestContext(action, resource, OPERATOR)
    return evaluate_identity_policies([_policy(*statements)], context)


@pytest.mark.parametrize(
    ("statements", "decision", "doc"),
    [
        pytest.param([ALLOW_ASSUME], "allowed", EVALUATION, id="allow"),
        pytest.param([], "implicitDeny", EVALUATION, id="nothing-is-implicit-deny"),
        pytest.param(
            [ALLOW_ASSUME, {**ALLOW_ASSUME, "Effect": "Deny"}],
            "explicitDeny",
            EVALUATION,
            id="deny-wins-over-allow",
        ),
        pytest.param(
            [{**ALLOW_ASSUME, "Effect": "Deny", "Resource": f"arn:aws:iam::{TARGET}:role/other"}],
            "implicitDeny",
            EVALUATION,
            id="deny-elsewhere-is-no-allow",
        ),
        pytest.param(
            [ALLOW_ASSUME, {**ALLOW_ASSUME, "Effect": "Deny", "Resource": "arn:aws:s3:::*"}],
            "allowed",
            EVALUATION,
            id="deny-on-other-resource",
        ),
        pytest.param(
            [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
            "allowed",
            NOT_ACTION,
            id="not-action-allows-the-rest",
        ),
        pytest.param(
            [{"Effect": "Allow", "NotAction": "sts:*", "Resource": "*"}],
            "implicitDeny",
            NOT_ACTION,
            id="not-action-excludes",
        ),
        pytest.param(
            [ALLOW_ASSUME, {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}],
            "explicitDeny",
            NOT_ACTION,
            id="deny-not-action",
        ),
        pytest.param(
            [{"Effect": "Allow", "Action": "sts:AssumeRole", "NotResource": ROLE}],
            "implicitDeny",
            NOT_RESOURCE,
            id="not-resource-excludes",
        ),
        pytest.param(
            [{"Effect": "Allow", "Action": "sts:AssumeRole", "NotResource": "arn:aws:s3:::*"}],
            "allowed",
            NOT_RESOURCE,
            id="not-resource-allows-the-rest",
        ),
        pytest.param(
            [{**ALLOW_ASSUME, "Resource": f"arn:aws:iam::{TARGET}:role/cross-*"}],
            "allowed",
            RESOURCE,
            id="resource-wildcard",
        ),
        pytest.param(
            [{**ALLOW_ASSUME, "Resource": f"arn:aws:iam::{TARGET}:role/[c]ross-account"}],
            "implicitDeny",
            RESOURCE,
            id="resource-brackets-literal",
        ),
        pytest.param(
            [{**ALLOW_ASSUME, "Effect": "allow"}],
            "implicitDeny",
            EVALUATION,
            id="unknown-effect-never-allows",
        ),
        pytest.param(
            [ALLOW_ASSUME, {**ALLOW_ASSUME, "Effect": "Deny", "Condition": {"Maybe": {"k": "v"}}}],
            "explicitDeny",
            OPERATORS,
            id="unknown-operator-deny-fails-closed",
        ),
    ],
)
def test_identity_policies(statements: list[dict[str, Any]], decision: str, doc: Doc) -> None:
    check(doc)
    assert _identity(*statements).decision == decision


def test_resource_variable() -> None:
    check(VARIABLES)
    own = {"Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": "*"}
    own["Resource"] = f"arn:aws:iam::{SOURCE}:user/${{aws:username}}"
    assert _identity(own, resource=OPERATOR.arn, action="iam:CreateAccessKey").allowed
    other = f"arn:aws:iam::{SOURCE}:user/intern"
    assert not _identity(own, resource=other, action="iam:CreateAccessKey").allowed


def test_decision_names_statements_and_missing_keys() -> None:
    check(EVALUATION)
    allow = {**ALLOW_ASSUME, "Sid": "Switch"}
    conditional = {
        **ALLOW_ASSUME,
        "Sid": "Mfa",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    }
    decision = _identity(allow, conditional)
    assert decision.allowed and decision.sources == ("p",)
    assert [m.sid for m in decision.matched] == ["Switch"]
    assert decision.missing_context_values == ("aws:MultiFactorAuthPresent",)
    refused = _identity(conditional)
    assert refused.decision == "implicitDeny"
    assert "aws:MultiFactorAuthPresent" in refused.reason


TRUST_ROOT = {
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"},
    "Action": "sts:AssumeRole",
}
TRUST_USER = {**TRUST_ROOT, "Principal": {"AWS": OPERATOR.arn}}


@pytest.mark.parametrize(
    ("identity", "trust", "role", "decision", "doc"),
    [
        pytest.param([ALLOW_ASSUME], TRUST_ROOT, ROLE, "allowed", CROSS_ACCOUNT, id="both-allow"),
        pytest.param([], TRUST_ROOT, ROLE, "implicitDeny", CROSS_ACCOUNT, id="identity-missing"),
        pytest.param(
            [ALLOW_ASSUME],
            {**TRUST_ROOT, "Principal": {"AWS": "111122223333"}},
            ROLE,
            "implicitDeny",
            CROSS_ACCOUNT,
            id="trust-missing",
        ),
        pytest.param(
            [],
            TRUST_USER,
            ROLE,
            "implicitDeny",
            CROSS_ACCOUNT,
            id="cross-account-named-user-still-needs-identity",
        ),
        pytest.param(
            [],
            TRUST_USER,
            f"arn:aws:iam::{SOURCE}:role/local",
            "allowed",
            EVALUATION,
            id="same-account-named-user-alone",
        ),
        pytest.param(
            [],
            TRUST_ROOT,
            f"arn:aws:iam::{SOURCE}:role/local",
            "implicitDeny",
            EVALUATION,
            id="same-account-root-delegates-to-identity",
        ),
        pytest.param(
            [ALLOW_ASSUME],
            TRUST_ROOT,
            f"arn:aws:iam::{SOURCE}:role/local",
            "allowed",
            EVALUATION,
            id="same-account-identity-allows",
        ),
        pytest.param(
            [{**ALLOW_ASSUME, "Effect": "Deny"}],
            TRUST_USER,
            f"arn:aws:iam::{SOURCE}:role/local",
            "explicitDeny",
            EVALUATION,
            id="identity-deny-wins",
        ),
    ],
)
def test_decide(
    identity: list[dict[str, Any]], trust: dict[str, Any], role: str, decision: str, doc: Doc
) -> None:
    check(doc)
    context = RequestContext("sts:AssumeRole", role, OPERATOR)
    policies = [_policy(*identity)] if identity else []
    answer = decide(context, identity=policies, resource=_policy(trust, source="trust"))
    assert answer.decision == decision


def test_combine_cross_account_reason() -> None:
    check(CROSS_ACCOUNT)
    context = RequestContext("sts:AssumeRole", ROLE, OPERATOR)
    identity = evaluate_identity_policies([], context)
    trust = evaluate_resource_policy(_policy(TRUST_ROOT), context)
    answer = combine(identity, trust, same_account=False)
    assert not answer.allowed and "both" in answer.reason


@pytest.mark.parametrize(
    ("statement", "caller", "decision", "doc"),
    [
        pytest.param(
            {"Effect": "Deny", "NotPrincipal": {"AWS": OPERATOR.arn}, "Action": "*"},
            OPERATOR,
            "implicitDeny",
            NOT_PRINCIPAL,
            id="not-principal-exempts-named",
        ),
        pytest.param(
            {"Effect": "Deny", "NotPrincipal": {"AWS": OPERATOR.arn}, "Action": "*"},
            Principal(f"arn:aws:iam::{SOURCE}:user/intern"),
            "explicitDeny",
            NOT_PRINCIPAL,
            id="not-principal-denies-others",
        ),
        pytest.param(
            {"Effect": "Allow", "Action": "*"},
            OPERATOR,
            "implicitDeny",
            PRINCIPAL,
            id="resource-statement-without-principal-applies-to-none",
        ),
        pytest.param(
            {"Effect": "Allow", "Principal": "*", "Action": "*"},
            Principal.anonymous(),
            "allowed",
            PRINCIPAL,
            id="star-includes-anonymous",
        ),
        pytest.param(
            {"Effect": "Allow", "Principal": {"AWS": SOURCE}, "Action": "*"},
            Principal.anonymous(),
            "implicitDeny",
            PRINCIPAL,
            id="account-excludes-anonymous",
        ),
    ],
)
def test_resource_policy_principals(
    statement: dict[str, Any], caller: Principal, decision: str, doc: Doc
) -> None:
    check(doc)
    context = RequestContext("s3:GetObject", "arn:aws:s3:::bucket/key", caller)
    assert evaluate_resource_policy(_policy(statement), context).decision == decision


def test_principal_context_keys() -> None:
    check(PRINCIPAL)
    session = Principal(
        f"arn:aws:sts::{TARGET}:assumed-role/cross-account/operator", userid="AROAX:operator"
    )
    context = RequestContext("s3:ListBuckets", "*", session)
    assert context.get("AWS:PrincipalArn") == (ROLE,)
    assert context.get("aws:PrincipalType") == ("AssumedRole",)
    assert context.get("aws:userid") == ("AROAX:operator",)
    assert context.get("aws:username") is None  # only IAM users have one
    assert RequestContext("x:y", "*", OPERATOR).get("aws:username") == ("operator",)
