"""Conditions against the request context the sandbox builds: MFA, time, address, tags, org.

Complements test_policy_conditions.py (one case per operator rule) with the combinations that
the issue found wrong: absent MFA keys under Bool/BoolIfExists/Null, ...IfExists on every
operator family, set qualifiers with negated operators, policy variables from principal tags,
and the simulator's statement positions.
"""

from __future__ import annotations

from typing import Any

import pytest
from policy_docs import (
    CONDITION,
    GLOBAL_KEYS,
    MULTI_VALUE,
    OPERATORS,
    PRINCIPAL,
    STATEMENT_POSITION,
    VARIABLES,
    Doc,
    check,
)

from xacct_widgets.policy import Principal, RequestContext, evaluate_identity_policies, parse_policy
from xacct_widgets.policy.positions import Position, statement_positions

USER = Principal("arn:aws:iam::111122223333:user/dev", userid="AIDAUSER")
SESSION = Principal(
    "arn:aws:sts::111122223333:assumed-role/app/s1",
    role_arn="arn:aws:iam::111122223333:role/app",
    userid="AROAROLE:s1",
)
LONG_TERM: dict[str, Any] = {}  # aws:MultiFactorAuthPresent absent
NO_MFA_SESSION = {"aws:MultiFactorAuthPresent": False}
MFA_SESSION = {"aws:MultiFactorAuthPresent": True, "aws:MultiFactorAuthAge": "120"}


def _allowed(
    condition: dict[str, Any],
    keys: dict[str, Any],
    *,
    caller: Principal = USER,
    resource: str = "*",
    statement_resource: str = "*",
) -> bool:
    document = {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Action": "iam:GetUser",
            "Resource": statement_resource,
            "Condition": condition,
        },
    }
    context = RequestContext("iam:GetUser", resource, caller, keys)
    return evaluate_identity_policies([parse_policy(document)], context).allowed


def C(condition: dict[str, Any], keys: dict[str, Any], expected: bool, doc: Doc, id: str) -> Any:
    return pytest.param(condition, keys, expected, doc, id=id)


MFA_TRUE = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
MFA_FALSE_IF_EXISTS = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
CASES = [
    # -- MFA: absent for long-term keys, false for sessions without MFA -------------------------
    C(MFA_TRUE, LONG_TERM, False, GLOBAL_KEYS, "mfa-bool-true-long-term"),
    C(MFA_TRUE, NO_MFA_SESSION, False, GLOBAL_KEYS, "mfa-bool-true-session-no-mfa"),
    C(MFA_TRUE, MFA_SESSION, True, GLOBAL_KEYS, "mfa-bool-true-with-mfa"),
    C(MFA_FALSE_IF_EXISTS, LONG_TERM, True, CONDITION, "mfa-bool-if-exists-long-term"),
    C(MFA_FALSE_IF_EXISTS, NO_MFA_SESSION, True, CONDITION, "mfa-if-exists-session-false"),
    C(MFA_FALSE_IF_EXISTS, MFA_SESSION, False, CONDITION, "mfa-if-exists-session-true"),
    C(
        {"Null": {"aws:MultiFactorAuthPresent": "true"}},
        LONG_TERM,
        True,
        GLOBAL_KEYS,
        "mfa-null-long-term",
    ),
    C(
        {"Null": {"aws:MultiFactorAuthPresent": "true"}},
        NO_MFA_SESSION,
        False,
        GLOBAL_KEYS,
        "mfa-null-session",
    ),
    C(
        {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
        MFA_SESSION,
        True,
        GLOBAL_KEYS,
        "mfa-age-recent",
    ),
    C(
        {"NumericLessThan": {"aws:MultiFactorAuthAge": "60"}},
        MFA_SESSION,
        False,
        GLOBAL_KEYS,
        "mfa-age-too-old",
    ),
    C(
        {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
        LONG_TERM,
        False,
        GLOBAL_KEYS,
        "mfa-age-absent",
    ),
    C(
        {"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "60"}},
        LONG_TERM,
        True,
        CONDITION,
        "mfa-age-if-exists-absent",
    ),
    # -- time, address, transport, region -------------------------------------------------------
    C(
        {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
        {"aws:CurrentTime": "2026-11-28T09:00:00Z"},
        True,
        OPERATORS,
        "current-time-before",
    ),
    C(
        {"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
        {"aws:CurrentTime": "2026-11-28T09:00:00Z"},
        False,
        OPERATORS,
        "current-time-after",
    ),
    C(
        {"DateGreaterThanEquals": {"aws:EpochTime": "2026-01-01T00:00:00Z"}},
        {"aws:EpochTime": "1795000000"},
        True,
        OPERATORS,
        "epoch-time-vs-iso",
    ),
    C(
        {"DateLessThanIfExists": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}},
        {},
        True,
        CONDITION,
        "date-if-exists-absent",
    ),
    C(
        {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}},
        {"aws:SourceIp": "127.0.0.1"},
        True,
        OPERATORS,
        "loopback-in-range",
    ),
    C(
        {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}},
        {"aws:SourceIp": "127.0.0.1"},
        False,
        MULTI_VALUE,
        "ip-in-none-of-ranges",
    ),
    C(
        {"NotIpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}},
        {},
        True,
        CONDITION,
        "not-ip-if-exists-absent",
    ),
    C(
        {"IpAddress": {"aws:SourceIp": "203.0.113.7"}},
        {"aws:SourceIp": "203.0.113.7"},
        True,
        OPERATORS,
        "ip-single-address",
    ),
    C(
        {"Bool": {"aws:SecureTransport": "false"}},
        {"aws:SecureTransport": False},
        True,
        GLOBAL_KEYS,
        "secure-transport-false",
    ),
    C(
        {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}},
        {"aws:RequestedRegion": "us-east-1"},
        False,
        GLOBAL_KEYS,
        "requested-region-not-listed",
    ),
    # -- principal keys ---------------------------------------------------------------------------
    C(
        {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
        {"aws:PrincipalTag/team": "blue"},
        True,
        GLOBAL_KEYS,
        "principal-tag",
    ),
    C(
        {"StringEquals": {"aws:principaltag/TEAM": "blue"}},
        {"aws:PrincipalTag/TEAM": "blue"},
        True,
        CONDITION,
        "principal-tag-key-case-insensitive",
    ),
    C(
        {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        {"aws:PrincipalOrgID": "o-abc123"},
        True,
        GLOBAL_KEYS,
        "principal-org-id",
    ),
    C(
        {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        {},
        False,
        GLOBAL_KEYS,
        "principal-org-id-absent-outside-org",
    ),
    C(
        {"StringEquals": {"aws:PrincipalAccount": "111122223333"}},
        {},
        True,
        GLOBAL_KEYS,
        "principal-account",
    ),
    C(
        {"StringEquals": {"aws:PrincipalType": "User"}},
        {},
        True,
        GLOBAL_KEYS,
        "principal-type-user",
    ),
    C(
        {"StringEquals": {"aws:userid": "AIDAUSER"}},
        {},
        True,
        GLOBAL_KEYS,
        "userid-user",
    ),
    C(
        {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/dev"}},
        {},
        True,
        GLOBAL_KEYS,
        "principal-arn-user",
    ),
    # -- set qualifiers with negated operators ----------------------------------------------------
    C(
        {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["team"]}},
        {"aws:TagKeys": ["team", "cost"]},
        True,
        MULTI_VALUE,
        "for-any-not-equals-one-differs",
    ),
    C(
        {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["team"]}},
        {"aws:TagKeys": ["team"]},
        False,
        MULTI_VALUE,
        "for-any-not-equals-all-equal",
    ),
    C(
        {"ForAllValues:StringLike": {"aws:TagKeys": ["team*", "cost"]}},
        {"aws:TagKeys": ["team-a", "cost"]},
        True,
        MULTI_VALUE,
        "for-all-like",
    ),
    C(
        {"ForAllValues:StringEqualsIgnoreCase": {"aws:TagKeys": ["TEAM"]}},
        {"aws:TagKeys": ["team"]},
        True,
        MULTI_VALUE,
        "for-all-ignore-case",
    ),
    C(
        {"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": ["team"]}},
        {},
        True,
        CONDITION,
        "for-any-if-exists-absent",
    ),
    C(
        {"StringEquals": {"aws:TagKeys": "team"}},
        {"aws:TagKeys": ["cost", "team"]},
        True,
        MULTI_VALUE,
        "single-operator-multi-valued-any",
    ),
    C(
        {"StringNotEquals": {"aws:TagKeys": "team"}},
        {"aws:TagKeys": ["cost", "team"]},
        False,
        MULTI_VALUE,
        "negated-operator-multi-valued-none",
    ),
    C(
        {"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}},
        {},
        True,
        CONDITION,
        "arn-like-if-exists-absent",
    ),
    C(
        {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}},
        {"aws:SourceArn": "arn:aws:sns:us-east-1:444455556666:t"},
        False,
        OPERATORS,
        "arn-like-other-account",
    ),
    C(
        {"BinaryEqualsIfExists": {"custom:blob": "aGVsbG8="}},
        {},
        True,
        CONDITION,
        "binary-if-exists-absent",
    ),
    C(
        {"StringLikeIfExists": {"aws:PrincipalTag/team": "b*"}},
        {"aws:PrincipalTag/team": "red"},
        False,
        CONDITION,
        "if-exists-present-still-tested",
    ),
]


@pytest.mark.parametrize(("condition", "keys", "expected", "doc"), CASES)
def test_condition_in_context(
    condition: dict[str, Any], keys: dict[str, Any], expected: bool, doc: Doc
) -> None:
    check(doc)
    assert _allowed(condition, keys) is expected


@pytest.mark.parametrize(
    ("pattern", "caller", "keys", "resource", "expected"),
    [
        pytest.param(
            "arn:aws:iam::111122223333:user/${aws:username}",
            USER,
            {},
            "arn:aws:iam::111122223333:user/dev",
            True,
            id="own-user-arn",
        ),
        pytest.param(
            "arn:aws:iam::111122223333:user/${aws:username}",
            USER,
            {},
            "arn:aws:iam::111122223333:user/admin",
            False,
            id="other-user-arn",
        ),
        pytest.param(
            "arn:aws:iam::111122223333:user/${aws:username}",
            SESSION,
            {},
            "arn:aws:iam::111122223333:user/s1",
            False,
            id="sessions-have-no-username",
        ),
        pytest.param(
            "arn:aws:s3:::home/${aws:PrincipalTag/team}/*",
            USER,
            {"aws:PrincipalTag/team": "blue"},
            "arn:aws:s3:::home/blue/x",
            True,
            id="principal-tag-variable",
        ),
        pytest.param(
            "arn:aws:s3:::home/${aws:userid}/*",
            SESSION,
            {},
            "arn:aws:s3:::home/AROAROLE:s1/x",
            True,
            id="userid-variable-for-session",
        ),
        pytest.param(
            "arn:aws:s3:::home/${aws:PrincipalTag/team, 'none'}/*",
            USER,
            {},
            "arn:aws:s3:::home/none/x",
            True,
            id="variable-default-when-tag-absent",
        ),
    ],
)
def test_variables_in_resource(
    pattern: str, caller: Principal, keys: dict[str, Any], resource: str, expected: bool
) -> None:
    check(VARIABLES)
    assert (
        _allowed({}, keys, caller=caller, resource=resource, statement_resource=pattern) is expected
    )


@pytest.mark.parametrize(
    ("caller", "key", "value"),
    [
        pytest.param(
            Principal("arn:aws:iam::111122223333:root"),
            "aws:PrincipalType",
            "Account",
            id="root-type",
        ),
        pytest.param(SESSION, "aws:PrincipalType", "AssumedRole", id="session-type"),
        pytest.param(
            SESSION,
            "aws:PrincipalArn",
            "arn:aws:iam::111122223333:role/app",
            id="session-principal-arn-is-role",
        ),
        pytest.param(SESSION, "aws:userid", "AROAROLE:s1", id="session-userid"),
        pytest.param(Principal("*"), "aws:PrincipalType", "Anonymous", id="anonymous-type"),
        pytest.param(
            Principal("ec2.amazonaws.com"), "aws:PrincipalIsAWSService", "true", id="service"
        ),
    ],
)
def test_principal_keys(caller: Principal, key: str, value: str) -> None:
    check(PRINCIPAL)
    assert RequestContext("x:y", "*", caller).get(key) == (value,)


POLICY_TEXT = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {
      "Effect": "Deny",
      "Action": "s3:DeleteBucket",
      "Resource": "*"
    }
  ]
}"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            POLICY_TEXT,
            [
                (Position(4, 5), Position(4, 59)),
                (Position(5, 5), Position(9, 6)),
            ],
            id="array-of-statements",
        ),
        pytest.param(
            '{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}',
            [(Position(1, 15), Position(1, 66))],
            id="one-statement-object",
        ),
        pytest.param(
            '{"Statement": [{"Sid": "a}{[", "Effect": "Allow"}]}',
            [(Position(1, 16), Position(1, 50))],
            id="braces-inside-strings",
        ),
        pytest.param("not json", [], id="not-a-policy"),
    ],
)
def test_statement_positions(text: str, expected: list[tuple[Position, Position]]) -> None:
    check(STATEMENT_POSITION)
    assert statement_positions(text) == expected
