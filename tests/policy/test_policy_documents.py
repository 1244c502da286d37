"""Documents: IAM's grammar and quotas before any call, and reading stored documents back."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from policy_docs import (
    ACTION,
    CONDITION,
    EFFECT,
    GRAMMAR,
    NOT_PRINCIPAL,
    OPERATORS,
    PRINCIPAL,
    QUOTAS,
    SID,
    VERSION,
    Doc,
    check,
)

from xacct_widgets.errors import InvalidPolicy
from xacct_widgets.policy import canonical, equivalent, parse_policy, validate_document

ROOT = "arn:aws:iam::987654329876:root"


def _identity(**fields: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", **fields}]}


def _trust(**fields: Any) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ROOT}}
    return {"Version": "2012-10-17", "Statement": [{**statement, **fields}]}


@pytest.mark.parametrize(
    ("document", "kind", "reason", "doc"),
    [
        pytest.param("{", "identity", "JSON object", GRAMMAR, id="not-json"),
        pytest.param(
            {**_identity(Action="s3:*"), "Version": "2013-01-01"},
            "identity",
            "Version '2013-01-01'",
            VERSION,
            id="bad-version",
        ),
        pytest.param(
            {"Version": "2012-10-17", "Statement": []},
            "identity",
            "non-empty",
            GRAMMAR,
            id="no-statement",
        ),
        pytest.param(
            _identity(Action="s3:*", Effect="Permit"),
            "identity",
            "Effect 'Permit'",
            EFFECT,
            id="bad-effect",
        ),
        pytest.param(
            _identity(Action="s3 get"), "identity", "'service:Action'", ACTION, id="bad-action"
        ),
        pytest.param(
            _identity(Action="s3:*", Sid="no spaces"),
            "identity",
            "Sid 'no spaces'",
            SID,
            id="bad-sid",
        ),
        pytest.param(
            _identity(Action="s3:*", Principal="*"),
            "identity",
            "identity policy cannot",
            GRAMMAR,
            id="identity-with-principal",
        ),
        pytest.param(
            _identity(Action="s3:*", Condition={"StringEquals": "x"}),
            "identity",
            "Condition",
            CONDITION,
            id="condition-shape",
        ),
        pytest.param(
            _identity(Action="s3:*", Condition={"StringSortOf": {"k": "v"}}),
            "identity",
            "'StringSortOf' is not an IAM condition operator",
            OPERATORS,
            id="unknown-operator",
        ),
        pytest.param(
            _identity(Action="s3:*", Condition={"ForSomeValues:StringEquals": {"k": "v"}}),
            "identity",
            "not an IAM condition operator",
            OPERATORS,
            id="unknown-qualifier",
        ),
        pytest.param(
            _identity(Action="s3:*", Condition={"NullIfExists": {"k": "true"}}),
            "identity",
            "not an IAM condition operator",
            OPERATORS,
            id="null-if-exists",
        ),
        pytest.param(_trust(Principal="*"), "trust", "any principal", PRINCIPAL, id="trust-star"),
        pytest.param(
            _trust(Principal={"AWS": "arn:aws:iam::987654329876:user/*"}),
            "trust",
            "wildcard inside an ARN",
            PRINCIPAL,
            id="trust-partial-wildcard",
        ),
        pytest.param(
            _trust(Principal={"IAM": ROOT}),
            "trust",
            "unknown",
            PRINCIPAL,
            id="trust-unknown-principal-type",
        ),
        pytest.param(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Deny", "Action": "sts:AssumeRole", "NotPrincipal": {"AWS": ROOT}}
                ],
            },
            "trust",
            "NotPrincipal",
            NOT_PRINCIPAL,
            id="trust-not-principal",
        ),
        pytest.param(
            _trust(Resource="*"), "trust", "trust policy cannot", GRAMMAR, id="trust-with-resource"
        ),
        pytest.param(
            _identity(Action="s3:*", Resource=["x" * 10300]),
            "identity",
            "IAM allows 10240",
            QUOTAS,
            id="identity-size",
        ),
        pytest.param(
            _trust(Condition={"StringEquals": {"sts:ExternalId": "x" * 4100}}),
            "trust",
            "IAM allows 4096",
            QUOTAS,
            id="trust-size",
        ),
    ],
)
def test_rejected(document: Any, kind: str, reason: str, doc: Doc) -> None:
    check(doc)
    with pytest.raises(InvalidPolicy) as info:
        validate_document(document, kind=kind, name="p")  # type: ignore[arg-type]
    assert reason in str(info.value)


def test_trust_default_quota_is_selectable() -> None:
    check(QUOTAS)
    big = _trust(Condition={"StringEquals": {"sts:ExternalId": "x" * 2100}})
    validate_document(big, kind="trust")
    with pytest.raises(InvalidPolicy, match="IAM allows 2048"):
        validate_document(big, kind="trust", max_chars=2048)


@pytest.mark.parametrize(
    ("document", "kind", "doc"),
    [
        pytest.param(_identity(Action=["s3:Get*", "s3:List*"]), "identity", ACTION, id="identity"),
        pytest.param(
            _trust(Condition={"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "a*"}}),
            "trust",
            OPERATORS,
            id="qualified-operator",
        ),
        pytest.param(
            _trust(Principal={"AWS": [ROOT, "123456781234"]}), "trust", PRINCIPAL, id="account-ids"
        ),
        pytest.param(
            {**_identity(Action="s3:*"), "Version": "2008-10-17"},
            "identity",
            VERSION,
            id="old-version",
        ),
    ],
)
def test_accepted(document: dict[str, Any], kind: str, doc: Doc) -> None:
    check(doc)
    assert validate_document(document, kind=kind)["Statement"]  # type: ignore[arg-type]


def test_stored_forms_read_the_same() -> None:
    check(GRAMMAR)
    stored = {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Principal": {"AWS": "987654329876"},
            "Action": ["sts:AssumeRole"],
        },
    }
    assert equivalent(quote(json.dumps(stored)), _trust())
    assert canonical(stored)["Statement"][0]["Principal"] == {"AWS": ROOT}
    parsed = parse_policy(quote(json.dumps(stored)), source="trust")
    (statement,) = parsed.statements
    assert statement.principals == (("AWS", "987654329876"),)
    assert statement.actions == ("sts:AssumeRole",) and statement.resources is None
