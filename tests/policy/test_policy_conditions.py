"""Condition operators, absent keys, set qualifiers and policy variables, one case per rule."""

from __future__ import annotations

from typing import Any

import pytest
from policy_docs import CONDITION, GLOBAL_KEYS, MULTI_VALUE, OPERATORS, VARIABLES, Doc, check

from xacct_widgets.policy import Principal, RequestContext, evaluate_identity_policies, parse_policy

USER = Principal("arn:aws:iam::987654329876:user/operator", userid="AIDAEXAMPLE")
OBJECT = "arn:aws:s3:::reports/operator/q1.csv"
B64_HELLO = "aGVsbG8="  # base64 of b"hello"


def _allowed(condition: dict[str, Any], keys: dict[str, Any], resource: str = OBJECT) -> bool:
    document = {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": condition,
        },
    }
    context = RequestContext("s3:GetObject", resource, USER, keys)
    return evaluate_identity_policies([parse_policy(document)], context).allowed


def P(op: str, key: str, value: Any, keys: dict[str, Any], expected: bool, doc: Doc, id: str):
    return pytest.param({op: {key: value}}, keys, expected, doc, id=id)


CASES = [
    # -- strings ---------------------------------------------------------------------------
    P("StringEquals", "aws:username", "operator", {}, True, OPERATORS, "string-equals"),
    P("StringEquals", "aws:username", "Operator", {}, False, OPERATORS, "string-equals-case"),
    P("StringNotEquals", "aws:username", "intern", {}, True, OPERATORS, "string-not-equals"),
    P(
        "StringNotEquals",
        "aws:username",
        ["intern", "operator"],
        {},
        False,
        MULTI_VALUE,
        "string-not-equals-nor",
    ),
    P(
        "StringEqualsIgnoreCase",
        "aws:username",
        "OPERATOR",
        {},
        True,
        OPERATORS,
        "string-equals-ignore-case",
    ),
    P(
        "StringNotEqualsIgnoreCase",
        "aws:username",
        "OPERATOR",
        {},
        False,
        OPERATORS,
        "string-not-equals-ignore-case",
    ),
    P(
        "StringLike",
        "s3:prefix",
        "home/*",
        {"s3:prefix": "home/a/b"},
        True,
        OPERATORS,
        "string-like-star",
    ),
    P(
        "StringLike",
        "s3:prefix",
        "home/?",
        {"s3:prefix": "home/ab"},
        False,
        OPERATORS,
        "string-like-question",
    ),
    P(
        "StringLike",
        "s3:prefix",
        "home/[ab]",
        {"s3:prefix": "home/a"},
        False,
        OPERATORS,
        "string-like-brackets-literal",
    ),
    P(
        "StringNotLike",
        "s3:prefix",
        "tmp/*",
        {"s3:prefix": "home/a"},
        True,
        OPERATORS,
        "string-not-like",
    ),
    P("StringEquals", "aws:UserName", "operator", {}, True, CONDITION, "key-case-insensitive"),
    # -- numbers ---------------------------------------------------------------------------
    P("NumericEquals", "s3:max-keys", "10", {"s3:max-keys": "10"}, True, OPERATORS, "num-eq"),
    P("NumericNotEquals", "s3:max-keys", "10", {"s3:max-keys": "11"}, True, OPERATORS, "num-ne"),
    P("NumericLessThan", "s3:max-keys", "10", {"s3:max-keys": "9"}, True, OPERATORS, "num-lt"),
    P(
        "NumericLessThan",
        "s3:max-keys",
        "10",
        {"s3:max-keys": "10"},
        False,
        OPERATORS,
        "num-lt-equal",
    ),
    P(
        "NumericLessThanEquals",
        "s3:max-keys",
        "10",
        {"s3:max-keys": "10"},
        True,
        OPERATORS,
        "num-le",
    ),
    P(
        "NumericGreaterThan",
        "s3:max-keys",
        10,
        {"s3:max-keys": "10.5"},
        True,
        OPERATORS,
        "num-gt-decimal",
    ),
    P(
        "NumericGreaterThanEquals",
        "s3:max-keys",
        "10",
        {"s3:max-keys": "9"},
        False,
        OPERATORS,
        "num-ge",
    ),
    P(
        "NumericEquals",
        "s3:max-keys",
        "ten",
        {"s3:max-keys": "10"},
        False,
        OPERATORS,
        "num-not-a-number",
    ),
    # -- dates -----------------------------------------------------------------------------
    P(
        "DateLessThan",
        "aws:CurrentTime",
        "2030-01-01T00:00:00Z",
        {"aws:CurrentTime": "2025-06-01T12:00:00Z"},
        True,
        OPERATORS,
        "date-lt",
    ),
    P(
        "DateGreaterThan",
        "aws:CurrentTime",
        "2030-01-01T00:00:00Z",
        {"aws:CurrentTime": "2025-06-01T12:00:00Z"},
        False,
        OPERATORS,
        "date-gt",
    ),
    P(
        "DateEquals",
        "aws:EpochTime",
        "1700000000",
        {"aws:EpochTime": "2023-11-14T22:13:20Z"},
        True,
        OPERATORS,
        "date-epoch-vs-iso",
    ),
    P(
        "DateNotEquals",
        "aws:CurrentTime",
        "2025-06-01",
        {"aws:CurrentTime": "2025-06-02"},
        True,
        OPERATORS,
        "date-ne",
    ),
    P(
        "DateLessThanEquals",
        "aws:CurrentTime",
        "2025-06-01T12:00:00+00:00",
        {"aws:CurrentTime": "2025-06-01T12:00:00Z"},
        True,
        OPERATORS,
        "date-le-offset",
    ),
    P(
        "DateGreaterThanEquals",
        "aws:TokenIssueTime",
        "2025-01-01T00:00:00Z",
        {"aws:TokenIssueTime": "2024-12-31T23:59:59Z"},
        False,
        OPERATORS,
        "date-ge",
    ),
    # -- booleans, binary, addresses -----------------------------------------------------------
    P(
        "Bool",
        "aws:SecureTransport",
        "true",
        {"aws:SecureTransport": True},
        True,
        OPERATORS,
        "bool-true",
    ),
    P(
        "Bool",
        "aws:SecureTransport",
        True,
        {"aws:SecureTransport": "false"},
        False,
        OPERATORS,
        "bool-json-true",
    ),
    P(
        "Bool",
        "aws:SecureTransport",
        "TRUE",
        {"aws:SecureTransport": "true"},
        True,
        OPERATORS,
        "bool-case",
    ),
    P("BinaryEquals", "key", B64_HELLO, {"key": B64_HELLO}, True, OPERATORS, "binary-equal"),
    P("BinaryEquals", "key", B64_HELLO, {"key": "aGVsbG9v"}, False, OPERATORS, "binary-differs"),
    P(
        "IpAddress",
        "aws:SourceIp",
        "203.0.113.0/24",
        {"aws:SourceIp": "203.0.113.7"},
        True,
        OPERATORS,
        "ip-in-cidr",
    ),
    P(
        "IpAddress",
        "aws:SourceIp",
        "203.0.113.0/24",
        {"aws:SourceIp": "198.51.100.7"},
        False,
        OPERATORS,
        "ip-outside",
    ),
    P(
        "IpAddress",
        "aws:SourceIp",
        "2001:DB8:1234:5678::/64",
        {"aws:SourceIp": "2001:db8:1234:5678::1"},
        True,
        OPERATORS,
        "ip-v6",
    ),
    P(
        "NotIpAddress",
        "aws:SourceIp",
        ["203.0.113.0/24", "10.0.0.0/8"],
        {"aws:SourceIp": "10.1.2.3"},
        False,
        OPERATORS,
        "not-ip-any-range",
    ),
    # -- ARNs -------------------------------------------------------------------------------
    P("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:user/op*", {}, True, OPERATORS, "arn-like"),
    P(
        "ArnEquals",
        "aws:PrincipalArn",
        "arn:aws:iam::987654329876:user/operator",
        {},
        True,
        OPERATORS,
        "arn-equals",
    ),
    P(
        "ArnNotLike",
        "aws:PrincipalArn",
        "arn:aws:iam::*:role/*",
        {},
        True,
        OPERATORS,
        "arn-not-like",
    ),
    P(
        "ArnNotEquals",
        "aws:PrincipalArn",
        "arn:aws:iam::987654329876:user/operator",
        {},
        False,
        OPERATORS,
        "arn-not-equals",
    ),
    P("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*", {}, False, OPERATORS, "arn-like-six-parts"),
    # -- absent keys, IfExists, Null -----------------------------------------------------------
    P("StringEquals", "aws:PrincipalTag/team", "blue", {}, False, OPERATORS, "absent-false"),
    P(
        "StringNotEquals",
        "aws:PrincipalTag/team",
        "blue",
        {},
        True,
        OPERATORS,
        "absent-negated-true",
    ),
    P(
        "StringEqualsIfExists",
        "aws:PrincipalTag/team",
        "blue",
        {},
        True,
        OPERATORS,
        "if-exists-absent",
    ),
    P(
        "StringEqualsIfExists",
        "aws:PrincipalTag/team",
        "blue",
        {"aws:PrincipalTag/team": "red"},
        False,
        OPERATORS,
        "if-exists-present-checked",
    ),
    P(
        "NumericLessThanIfExists",
        "aws:MultiFactorAuthAge",
        "3600",
        {},
        True,
        OPERATORS,
        "numeric-if-exists-absent",
    ),
    P("Null", "aws:TokenIssueTime", "true", {}, True, OPERATORS, "null-true-absent"),
    P(
        "Null",
        "aws:TokenIssueTime",
        "true",
        {"aws:TokenIssueTime": "2025-01-01T00:00:00Z"},
        False,
        OPERATORS,
        "null-true-present",
    ),
    P("Null", "aws:TokenIssueTime", "false", {}, False, OPERATORS, "null-false-absent"),
    P("Null", "aws:username", False, {}, True, OPERATORS, "null-false-present"),
    P(
        "Bool",
        "aws:MultiFactorAuthPresent",
        "true",
        {},
        False,
        GLOBAL_KEYS,
        "mfa-absent-for-long-term-keys",
    ),
    # -- set qualifiers ------------------------------------------------------------------------
    P(
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        ["env", "team"],
        {"aws:TagKeys": ["env"]},
        True,
        MULTI_VALUE,
        "for-all-subset",
    ),
    P(
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        ["env", "team"],
        {"aws:TagKeys": ["env", "cost"]},
        False,
        MULTI_VALUE,
        "for-all-extra-value",
    ),
    P(
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        ["env"],
        {},
        True,
        MULTI_VALUE,
        "for-all-absent-true",
    ),
    P(
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        ["env"],
        {"aws:TagKeys": []},
        True,
        MULTI_VALUE,
        "for-all-empty-true",
    ),
    P(
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        ["env", "team"],
        {"aws:TagKeys": ["cost", "team"]},
        True,
        MULTI_VALUE,
        "for-any-one-matches",
    ),
    P(
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        ["env"],
        {"aws:TagKeys": ["cost"]},
        False,
        MULTI_VALUE,
        "for-any-none-matches",
    ),
    P(
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        ["env"],
        {},
        False,
        MULTI_VALUE,
        "for-any-absent-false",
    ),
    P(
        "ForAnyValue:StringLike",
        "aws:TagKeys",
        ["env*"],
        {"aws:TagKeys": ["environment"]},
        True,
        MULTI_VALUE,
        "for-any-like",
    ),
    P(
        "ForAllValues:StringNotEquals",
        "aws:TagKeys",
        ["secret"],
        {"aws:TagKeys": ["env", "secret"]},
        False,
        MULTI_VALUE,
        "for-all-negated",
    ),
    # -- variables -----------------------------------------------------------------------------
    P(
        "StringLike",
        "s3:prefix",
        "home/${aws:username}/*",
        {"s3:prefix": "home/operator/x"},
        True,
        VARIABLES,
        "variable-in-like",
    ),
    P(
        "StringLike",
        "s3:prefix",
        "home/${aws:username}/*",
        {"s3:prefix": "home/intern/x"},
        False,
        VARIABLES,
        "variable-other-user",
    ),
    P(
        "StringEquals",
        "s3:prefix",
        "${aws:PrincipalTag/team, 'shared'}",
        {"s3:prefix": "shared"},
        True,
        VARIABLES,
        "variable-default",
    ),
    P(
        "StringEquals",
        "s3:prefix",
        "${aws:PrincipalTag/team}",
        {"s3:prefix": ""},
        False,
        VARIABLES,
        "variable-unresolved-no-match",
    ),
    P(
        "StringLike",
        "s3:prefix",
        "a${*}b",
        {"s3:prefix": "a*b"},
        True,
        VARIABLES,
        "variable-literal-star",
    ),
    P(
        "StringLike",
        "s3:prefix",
        "a${*}b",
        {"s3:prefix": "axxb"},
        False,
        VARIABLES,
        "variable-literal-star-not-wildcard",
    ),
    P(
        "StringEquals",
        "s3:prefix",
        "cost${$}",
        {"s3:prefix": "cost$"},
        True,
        VARIABLES,
        "variable-literal-dollar",
    ),
    # -- operators this engine does not know ---------------------------------------------------
    P("StringSortOf", "aws:username", "operator", {}, False, OPERATORS, "unknown-never-grants"),
    P("NullIfExists", "aws:username", "false", {}, False, OPERATORS, "null-if-exists-invalid"),
]


@pytest.mark.parametrize(("condition", "keys", "expected", "doc"), CASES)
def test_condition(condition: dict[str, Any], keys: dict[str, Any], expected: bool, doc: Doc):
    check(doc)
    assert _allowed(condition, keys) is expected


@pytest.mark.parametrize(
    ("condition", "keys", "expected", "doc"),
    [
        pytest.param(
            {"StringEquals": {"aws:username": "operator", "s3:prefix": "home/"}},
            {"s3:prefix": "home/"},
            True,
            MULTI_VALUE,
            id="two-keys-and-both-hold",
        ),
        pytest.param(
            {"StringEquals": {"aws:username": "operator", "s3:prefix": "home/"}},
            {"s3:prefix": "tmp/"},
            False,
            MULTI_VALUE,
            id="two-keys-and-one-fails",
        ),
        pytest.param(
            {
                "StringEquals": {"aws:username": "operator"},
                "Bool": {"aws:SecureTransport": "true"},
            },
            {"aws:SecureTransport": "false"},
            False,
            MULTI_VALUE,
            id="two-operators-and",
        ),
        pytest.param(
            {"StringEquals": {"aws:username": ["intern", "operator"]}},
            {},
            True,
            MULTI_VALUE,
            id="values-or",
        ),
    ],
)
def test_condition_block_logic(
    condition: dict[str, Any], keys: dict[str, Any], expected: bool, doc: Doc
):
    check(doc)
    assert _allowed(condition, keys) is expected


def test_variables_need_version_2012() -> None:
    check(VARIABLES)
    document = {
        "Version": "2008-10-17",
        "Statement": {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::reports/${aws:username}/*",
        },
    }
    context = RequestContext("s3:GetObject", OBJECT, USER)
    assert not evaluate_identity_policies([parse_policy(document)], context).allowed
    literal = RequestContext("s3:GetObject", "arn:aws:s3:::reports/${aws:username}/x", USER)
    assert evaluate_identity_policies([parse_policy(document)], literal).allowed
