"""Action and ARN matching: only ``*`` and ``?`` are wildcards; actions ignore case, ARNs do not."""

from __future__ import annotations

import pytest
from policy_docs import ACTION, CONDITION, RESOURCE, Doc, check

from xacct_widgets.policy import action_matches, arn_matches, wildcard_match

ROLE = "arn:aws:iam::123456781234:role/cross-account"


@pytest.mark.parametrize(
    ("pattern", "action", "expected", "doc"),
    [
        pytest.param("sts:AssumeRole", "sts:AssumeRole", True, ACTION, id="exact"),
        pytest.param("STS:assumerole", "sts:AssumeRole", True, ACTION, id="case-insensitive"),
        pytest.param("sts:Assume*", "sts:AssumeRoleWithSAML", True, ACTION, id="star-suffix"),
        pytest.param("sts:*", "sts:AssumeRole", True, ACTION, id="service-star"),
        pytest.param("*", "iam:CreateRole", True, ACTION, id="star-everything"),
        pytest.param("iam:*AccessKey*", "iam:CreateAccessKey", True, ACTION, id="star-both-ends"),
        pytest.param("s3:Get?bject", "s3:GetObject", True, ACTION, id="question-one-char"),
        pytest.param("s3:Get?bject", "s3:GetObbject", False, ACTION, id="question-not-two"),
        pytest.param("sts:*", "iam:PassRole", False, ACTION, id="other-service"),
        pytest.param("sts:Assume", "sts:AssumeRole", False, ACTION, id="no-partial-without-star"),
        pytest.param("sts:[A]ssumeRole", "sts:AssumeRole", False, ACTION, id="bracket-literal"),
    ],
)
def test_action_matching(pattern: str, action: str, expected: bool, doc: Doc) -> None:
    check(doc)
    assert action_matches(pattern, action) is expected


@pytest.mark.parametrize(
    ("pattern", "arn", "expected", "doc"),
    [
        pytest.param(ROLE, ROLE, True, RESOURCE, id="exact"),
        pytest.param("*", ROLE, True, RESOURCE, id="star-everything"),
        pytest.param("arn:aws:iam::*:role/*", ROLE, True, RESOURCE, id="account-and-name-star"),
        pytest.param(
            "arn:aws:iam::123456781234:role/cross-*", ROLE, True, RESOURCE, id="name-prefix"
        ),
        pytest.param(ROLE.upper(), ROLE, False, RESOURCE, id="case-sensitive"),
        pytest.param(
            "arn:aws:iam::123456781234:role/[c]ross-account", ROLE, False, RESOURCE, id="brackets"
        ),
        pytest.param(
            "arn:aws:iam::123456781234:role/[o]",
            "arn:aws:iam::123456781234:role/[o]",
            True,
            RESOURCE,
            id="brackets-match-themselves",
        ),
        pytest.param(
            "arn:aws:iam::123456781234:role/[o]",
            "arn:aws:iam::123456781234:role/o",
            False,
            RESOURCE,
            id="brackets-are-not-a-class",
        ),
        pytest.param(
            "arn:aws:iam::12345678123?:role/cross-account", ROLE, True, RESOURCE, id="question"
        ),
        pytest.param(
            "arn:aws:*:role/cross-account", ROLE, False, RESOURCE, id="star-stays-in-its-part"
        ),
        pytest.param("arn:aws:iam::111122223333:role/*", ROLE, False, RESOURCE, id="other-account"),
        pytest.param(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a:b/c",
            True,
            RESOURCE,
            id="colon-inside-resource-part",
        ),
    ],
)
def test_arn_matching(pattern: str, arn: str, expected: bool, doc: Doc) -> None:
    check(doc)
    assert arn_matches(pattern, arn) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "expected", "doc"),
    [
        pytest.param("ab*", "abz", True, CONDITION, id="like-star"),
        pytest.param("a?c", "abc", True, CONDITION, id="like-question"),
        pytest.param("a.c", "abc", False, CONDITION, id="dot-literal"),
        pytest.param("a[bc]", "ab", False, CONDITION, id="class-literal"),
        pytest.param("AB*", "abz", False, CONDITION, id="case-sensitive"),
    ],
)
def test_wildcard_match(pattern: str, value: str, expected: bool, doc: Doc) -> None:
    check(doc)
    assert wildcard_match(pattern, value) is expected
