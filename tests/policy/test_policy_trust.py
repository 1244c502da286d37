"""A role's trust policy deciding sts:AssumeRole (the cases the sandbox's old evaluator had)."""

from __future__ import annotations

import pytest
from policy_docs import (
    ASSUME_ROLE,
    EVALUATION,
    GLOBAL_KEYS,
    NOT_ACTION,
    OPERATORS,
    PRINCIPAL,
    Doc,
    check,
)

from xacct_widgets.policy import Principal, assume_role_context, evaluate_resource_policy
from xacct_widgets.policy import parse_policy as parse

SOURCE = "987654329876"
ROLE = "arn:aws:iam::123456781234:role/cross-account"
OPERATOR = Principal(f"arn:aws:iam::{SOURCE}:user/operator")
SESSION = Principal(
    f"arn:aws:sts::{SOURCE}:assumed-role/hop/s1", role_arn=f"arn:aws:iam::{SOURCE}:role/team/hop"
)
SERVICE = Principal("ec2.amazonaws.com")


def _doc(principal: object, condition: dict[str, object] | None = None) -> dict[str, object]:
    statement: dict[str, object] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": statement}


@pytest.mark.parametrize(
    ("principal", "caller", "allowed", "doc"),
    [
        pytest.param(
            {"AWS": f"arn:aws:iam::{SOURCE}:root"}, OPERATOR, True, PRINCIPAL, id="account-root"
        ),
        pytest.param({"AWS": SOURCE}, OPERATOR, True, PRINCIPAL, id="bare-account-id"),
        pytest.param(
            {"AWS": "arn:aws:iam::111122223333:root"}, OPERATOR, False, PRINCIPAL, id="other-acct"
        ),
        pytest.param(
            {"AWS": [f"arn:aws:iam::{SOURCE}:user/intern", OPERATOR.arn]},
            OPERATOR,
            True,
            PRINCIPAL,
            id="user-in-list",
        ),
        pytest.param(
            {"AWS": f"arn:aws:iam::{SOURCE}:user/intern"},
            OPERATOR,
            False,
            PRINCIPAL,
            id="other-user",
        ),
        pytest.param(
            {"AWS": f"arn:aws:iam::{SOURCE}:role/team/hop"},
            SESSION,
            True,
            PRINCIPAL,
            id="role-admits-its-sessions",
        ),
        pytest.param(
            {"AWS": SESSION.arn}, SESSION, True, PRINCIPAL, id="session-arn-admits-that-session"
        ),
        pytest.param(
            {"AWS": f"arn:aws:iam::{SOURCE}:role/other"}, SESSION, False, PRINCIPAL, id="other-role"
        ),
        pytest.param(
            {"Service": "ec2.amazonaws.com"}, OPERATOR, False, PRINCIPAL, id="service-not-user"
        ),
        pytest.param({"Service": "ec2.amazonaws.com"}, SERVICE, True, PRINCIPAL, id="service"),
        pytest.param({"AWS": SOURCE}, SERVICE, False, PRINCIPAL, id="account-not-service"),
        pytest.param("*", OPERATOR, True, PRINCIPAL, id="everyone"),
        pytest.param(
            {"AWS": f"arn:aws:iam::{SOURCE}:user/*"},
            OPERATOR,
            False,
            PRINCIPAL,
            id="no-partial-wildcards",
        ),
    ],
)
def test_principals(principal: object, caller: Principal, allowed: bool, doc: Doc) -> None:
    check(doc)
    context = assume_role_context(caller, ROLE, session_name="s")
    assert evaluate_resource_policy(parse(_doc(principal)), context).allowed is allowed


@pytest.mark.parametrize(
    ("condition", "given", "allowed", "doc"),
    [
        pytest.param(
            {"StringEquals": {"sts:ExternalId": "abc"}},
            {"external_id": "abc"},
            True,
            ASSUME_ROLE,
            id="external-id-given",
        ),
        pytest.param(
            {"StringEquals": {"sts:ExternalId": "abc"}},
            {"external_id": "abd"},
            False,
            ASSUME_ROLE,
            id="external-id-wrong",
        ),
        pytest.param(
            {"StringEquals": {"sts:ExternalId": "abc"}},
            {},
            False,
            ASSUME_ROLE,
            id="external-absent",
        ),
        pytest.param(
            {"StringEquals": {"sts:ExternalId": ["x", "abc"]}},
            {"external_id": "abc"},
            True,
            OPERATORS,
            id="external-id-one-of",
        ),
        pytest.param(
            {"StringLike": {"sts:ExternalId": "ab*"}},
            {"external_id": "abz"},
            True,
            OPERATORS,
            id="external-id-like",
        ),
        pytest.param(
            {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            {"mfa": True},
            True,
            GLOBAL_KEYS,
            id="mfa-present",
        ),
        pytest.param(
            {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            {},
            False,
            GLOBAL_KEYS,
            id="mfa-absent-long-term-keys",
        ),
        pytest.param(
            {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
            {},
            False,
            GLOBAL_KEYS,
            id="bool-false-needs-the-key",
        ),
        pytest.param(
            {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
            {},
            True,
            OPERATORS,
            id="bool-if-exists-absent",
        ),
        pytest.param(
            {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
            {"mfa": False},
            True,
            OPERATORS,
            id="bool-if-exists-temporary-credentials",
        ),
        pytest.param(
            {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
            {"mfa": True},
            False,
            OPERATORS,
            id="numeric-absent-key",
        ),
        pytest.param(
            {"StringEquals": {"sts:RoleSessionName": "${aws:username}"}},
            {"session_name": "operator"},
            True,
            ASSUME_ROLE,
            id="session-name-is-username",
        ),
    ],
)
def test_conditions(
    condition: dict[str, object], given: dict[str, object], allowed: bool, doc: Doc
) -> None:
    check(doc)
    context = assume_role_context(
        OPERATOR,
        ROLE,
        external_id=given.get("external_id"),  # type: ignore[arg-type]
        session_name=str(given.get("session_name", "s")),
        mfa=given.get("mfa"),  # type: ignore[arg-type]
    )
    decision = evaluate_resource_policy(parse(_doc({"AWS": SOURCE}, condition)), context)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.decision == "implicitDeny" and "not met" in decision.reason


TWO_STATEMENTS = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": SOURCE}, "NotAction": "iam:*"},
        {"Effect": "Deny", "Principal": {"AWS": OPERATOR.arn}, "Action": "sts:Assume*"},
    ],
}


@pytest.mark.parametrize(
    ("caller", "decision", "doc"),
    [
        pytest.param(OPERATOR, "explicitDeny", EVALUATION, id="deny-names-operator"),
        pytest.param(
            Principal(f"arn:aws:iam::{SOURCE}:user/admin"), "allowed", NOT_ACTION, id="not-action"
        ),
    ],
)
def test_not_action_and_deny(caller: Principal, decision: str, doc: Doc) -> None:
    check(doc)
    answer = evaluate_resource_policy(parse(TWO_STATEMENTS), assume_role_context(caller, ROLE))
    assert answer.decision == decision


@pytest.mark.parametrize(
    ("arn", "ptype", "doc"),
    [
        pytest.param(f"arn:aws:iam::{SOURCE}:root", "root", PRINCIPAL, id="root"),
        pytest.param(OPERATOR.arn, "user", PRINCIPAL, id="user"),
        pytest.param(SESSION.arn, "assumed-role", PRINCIPAL, id="session"),
        pytest.param(
            f"arn:aws:sts::{SOURCE}:federated-user/bob", "federated-user", PRINCIPAL, id="federated"
        ),
        pytest.param("lambda.amazonaws.com", "service", PRINCIPAL, id="service"),
    ],
)
def test_principal_types(arn: str, ptype: str, doc: Doc) -> None:
    check(doc)
    principal = Principal(arn)
    assert principal.type == ptype
    assert principal.is_root is (ptype == "root")
