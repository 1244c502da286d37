"""The pure trust-policy evaluator, case by case."""

from __future__ import annotations

import pytest

from xacct_widgets.sandbox.trust import Caller, evaluate, request_context

SOURCE = "987654329876"
OPERATOR = Caller(SOURCE, f"arn:aws:iam::{SOURCE}:user/operator")
SESSION = Caller(
    SOURCE,
    f"arn:aws:sts::{SOURCE}:assumed-role/hop/s1",
    role_arn=f"arn:aws:iam::{SOURCE}:role/team/hop",
)


def _doc(principal: object, condition: dict[str, object] | None = None) -> dict[str, object]:
    statement: dict[str, object] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": statement}


def _ctx(caller: Caller, **kw: object) -> dict[str, str]:
    return request_context(
        caller,
        external_id=kw.get("external_id"),  # type: ignore[arg-type]
        mfa_present=bool(kw.get("mfa")),
        session_name="s",
    )


@pytest.mark.parametrize(
    ("principal", "caller", "allowed"),
    [
        ({"AWS": f"arn:aws:iam::{SOURCE}:root"}, OPERATOR, True),
        ({"AWS": SOURCE}, OPERATOR, True),
        ({"AWS": "arn:aws:iam::111122223333:root"}, OPERATOR, False),
        ({"AWS": [f"arn:aws:iam::{SOURCE}:user/intern", OPERATOR.arn]}, OPERATOR, True),
        ({"AWS": f"arn:aws:iam::{SOURCE}:user/intern"}, OPERATOR, False),
        ({"AWS": f"arn:aws:iam::{SOURCE}:role/team/hop"}, SESSION, True),
        ({"AWS": f"arn:aws:iam::{SOURCE}:role/other"}, SESSION, False),
        ({"Service": "ec2.amazonaws.com"}, OPERATOR, False),
        ("*", OPERATOR, True),
    ],
)
def test_principals(principal: object, caller: Caller, allowed: bool) -> None:
    assert evaluate(_doc(principal), caller, _ctx(caller)).allowed is allowed


@pytest.mark.parametrize(
    ("condition", "context", "allowed"),
    [
        ({"StringEquals": {"sts:ExternalId": "abc"}}, {"external_id": "abc"}, True),
        ({"StringEquals": {"sts:ExternalId": "abc"}}, {"external_id": "abd"}, False),
        ({"StringEquals": {"sts:ExternalId": "abc"}}, {}, False),
        ({"StringEquals": {"sts:ExternalId": ["x", "abc"]}}, {"external_id": "abc"}, True),
        ({"StringLike": {"sts:ExternalId": "ab*"}}, {"external_id": "abz"}, True),
        ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {"mfa": True}, True),
        ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {}, False),
        ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, {}, True),
        ({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, {"mfa": True}, False),
    ],
)
def test_conditions(
    condition: dict[str, object], context: dict[str, object], allowed: bool
) -> None:
    decision = evaluate(_doc({"AWS": SOURCE}, condition), OPERATOR, _ctx(OPERATOR, **context))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.reason


def test_not_action_and_deny() -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": SOURCE}, "NotAction": "iam:*"},
            {"Effect": "Deny", "Principal": {"AWS": OPERATOR.arn}, "Action": "sts:Assume*"},
        ],
    }
    assert not evaluate(doc, OPERATOR, _ctx(OPERATOR)).allowed
    other = Caller(SOURCE, f"arn:aws:iam::{SOURCE}:user/admin")
    assert evaluate(doc, other, _ctx(other)).allowed


def test_root_caller_detected() -> None:
    assert Caller(SOURCE, f"arn:aws:iam::{SOURCE}:root").is_root
    assert not OPERATOR.is_root
