"""Trust policies, the source-side AssumeRole policy, validation, read-back and canonical form."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from xacct_widgets.core import policies
from xacct_widgets.errors import InvalidAccountId, InvalidArn, InvalidPolicy, InvalidRoleSpec

ROOT = "arn:aws:iam::987654329876:root"
OPERATOR = "arn:aws:iam::987654329876:user/operator"
ROLE = "arn:aws:iam::123456781234:role/cross-account"


def test_trust_policy_tutorial_default():
    assert policies.trust_policy("9876-5432-9876") == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"}],
    }


def test_trust_policy_with_conditions():
    doc = policies.trust_policy("987654329876", external_id="tenant-42", require_mfa=True)
    assert doc["Statement"][0]["Condition"] == {
        "StringEquals": {"sts:ExternalId": "tenant-42"},
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
    }
    # What we build passes our own validator.
    assert policies.validate_policy_document(doc, kind="trust")["Statement"] == doc["Statement"]


def test_trust_policy_named_principals_deduplicated():
    role = "arn:aws:iam::987654329876:role/ops/ci"
    doc = policies.trust_policy("9876-5432-9876", principals=[OPERATOR, role, OPERATOR])
    assert doc["Statement"][0]["Principal"] == {"AWS": [OPERATOR, role]}
    single = policies.trust_policy("987654329876", principals=[OPERATOR])
    assert single["Statement"][0]["Principal"] == {"AWS": OPERATOR}


@pytest.mark.parametrize(
    ("principals", "reason"),
    [
        (["*"], "wildcard"),
        (["arn:aws:iam::987654329876:user/*"], "wildcard"),
        (["arn:aws:iam::111122223333:user/operator"], "not the trusted account"),
        (["arn:aws:sts::987654329876:assumed-role/ci/session"], "session"),
        (["arn:aws:iam::987654329876:group/admins"], "group"),
        (["arn:aws:iam::987654329876:user/bad name"], "must be"),
        (["arn:aws:s3:::bucket"], "must be"),
        (["operator"], "must be"),
        ([], "trust nobody"),
    ],
)
def test_trust_policy_rejects_principals(principals, reason):
    with pytest.raises(InvalidRoleSpec) as info:
        policies.trust_policy("987654329876", principals=principals)
    assert reason in str(info.value)
    if principals:
        assert repr(principals[0]) in str(info.value)


def test_trust_policy_rejects_bad_account_and_external_id():
    with pytest.raises(InvalidAccountId):
        policies.trust_policy("9876-5432")
    with pytest.raises(ValueError, match="External ID 'x'"):
        policies.trust_policy("987654329876", external_id="x")


def test_assume_role_policy():
    other = "arn:aws:iam::123456781234:role/ops/read-only"
    assert policies.assume_role_policy([ROLE, other, ROLE]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowSwitchRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": [ROLE, other],
            }
        ],
    }
    assert policies.assume_role_policy(ROLE)["Statement"][0]["Resource"] == ROLE


@pytest.mark.parametrize(
    ("arns", "error"),
    [
        ([], InvalidPolicy),
        (["*"], InvalidArn),
        (["arn:aws:iam::123456781234:role/*"], InvalidArn),
        ([OPERATOR], InvalidArn),
    ],
)
def test_assume_role_policy_rejects(arns, error):
    with pytest.raises(error):
        policies.assume_role_policy(arns)


READ_S3 = {
    "Version": "2012-10-17",
    "Statement": {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"},
}


def test_validate_identity_policy_normalises_statement_to_list():
    result = policies.validate_policy_document(READ_S3, kind="identity")
    assert result == {**READ_S3, "Statement": [READ_S3["Statement"]]}
    assert policies.validate_policy_document(json.dumps(READ_S3), kind="identity") == result
    assert policies.validate_policy_document(quote(json.dumps(READ_S3)), kind="identity") == result


def _stmt(**fields):
    return {"Version": "2012-10-17", "Statement": [fields]}


@pytest.mark.parametrize(
    ("doc", "kind", "reason"),
    [
        ("not json", "identity", "JSON object"),
        ("[1, 2]", "identity", "JSON object"),
        (42, "identity", "dict or a JSON string"),
        ({"Statement": READ_S3["Statement"]}, "identity", "Version None"),
        ({**READ_S3, "Version": "2020-01-01"}, "identity", "Version '2020-01-01'"),
        ({**READ_S3, "Extra": 1}, "identity", "unknown top-level"),
        ({"Version": "2012-10-17", "Statement": []}, "identity", "non-empty"),
        ({"Version": "2012-10-17"}, "identity", "non-empty"),
        ({"Version": "2012-10-17", "Statement": ["x"]}, "identity", "must be an object"),
        (_stmt(Effect="allow", Action="s3:*", Resource="*"), "identity", "Effect 'allow'"),
        (_stmt(Action="s3:*", Resource="*"), "identity", "Effect None"),
        (_stmt(Effect="Allow", Resource="*"), "identity", "exactly one of Action or NotAction"),
        (
            _stmt(Effect="Allow", Action="s3:*", NotAction="s3:Get*", Resource="*"),
            "identity",
            "exactly one of Action or NotAction",
        ),
        (_stmt(Effect="Allow", Action=[], Resource="*"), "identity", "string or a list"),
        (_stmt(Effect="Allow", Action="s3 get", Resource="*"), "identity", "'service:Action'"),
        (_stmt(Effect="Allow", Action="s3:*"), "identity", "Resource or NotResource"),
        (_stmt(Effect="Allow", Actions="s3:*", Resource="*"), "identity", "unknown key"),
        (
            _stmt(Effect="Allow", Action="s3:*", Resource="*", Principal="*"),
            "identity",
            "identity policy cannot",
        ),
        (
            _stmt(Effect="Allow", Action="s3:*", Resource="*", Sid="has-dash"),
            "identity",
            "Sid 'has-dash'",
        ),
        (
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                    {"Sid": "A", "Effect": "Deny", "Action": "s3:*", "Resource": "*"},
                ],
            },
            "identity",
            "used twice",
        ),
        (
            _stmt(Effect="Allow", Action="s3:*", Resource="*", Condition={"Bool": "true"}),
            "identity",
            "Condition",
        ),
        (
            _stmt(Effect="Allow", Action="s3:*", Resource=["x" * 11000]),
            "identity",
            "IAM allows 10240",
        ),
        (_stmt(Effect="Allow", Action="sts:AssumeRole", Principal="*"), "trust", "any principal"),
        (
            _stmt(Effect="Allow", Action="sts:AssumeRole", Principal={"AWS": ["*"]}),
            "trust",
            "any principal",
        ),
        (_stmt(Effect="Allow", Action="sts:AssumeRole"), "trust", "must have a Principal"),
        (
            _stmt(Effect="Allow", Action="sts:AssumeRole", Principal={"AWS": ROOT}, Resource="*"),
            "trust",
            "trust policy cannot",
        ),
        (
            _stmt(Effect="Allow", Action="sts:AssumeRole", Principal="someone"),
            "trust",
            "{type: ARN(s)}",
        ),
    ],
)
def test_validate_policy_document_rejects_with_reason(doc, kind, reason):
    with pytest.raises(InvalidPolicy) as info:
        policies.validate_policy_document(doc, kind=kind, name="p1")
    assert reason in str(info.value)


def test_validate_names_the_policy():
    with pytest.raises(InvalidPolicy, match="Inline policy 'ReadS3' is invalid"):
        policies.validate_policy_document({}, kind="identity", name="ReadS3")


def test_validate_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        policies.validate_policy_document(READ_S3, kind="resource")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            policies.trust_policy("987654329876", external_id="abc", require_mfa=True),
            [
                (
                    "AWS account",
                    "987654329876",
                    "StringEquals sts:ExternalId=abc; Bool aws:MultiFactorAuthPresent=true",
                    "Allow",
                )
            ],
        ),
        (
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {
                            "AWS": [OPERATOR, "arn:aws:iam::987654329876:role/ci", "111122223333"],
                            "Service": "ec2.amazonaws.com",
                            "Federated": "cognito-identity.amazonaws.com",
                        },
                        "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"aws:SourceAccount": ["1", "2"]}},
                    },
                    {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"},
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "AROAEXAMPLEUNIQUEID1"},
                        "Action": "sts:AssumeRole",
                        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": True}},
                    },
                ],
            },
            [
                ("IAM user", OPERATOR, "StringEquals aws:SourceAccount=1,2", "Allow"),
                (
                    "IAM role",
                    "arn:aws:iam::987654329876:role/ci",
                    "StringEquals aws:SourceAccount=1,2",
                    "Allow",
                ),
                ("AWS account", "111122223333", "StringEquals aws:SourceAccount=1,2", "Allow"),
                ("Service", "ec2.amazonaws.com", "StringEquals aws:SourceAccount=1,2", "Allow"),
                (
                    "Federated",
                    "cognito-identity.amazonaws.com",
                    "StringEquals aws:SourceAccount=1,2",
                    "Allow",
                ),
                ("any", "*", "", "Deny"),
                (
                    "AWS principal ID (deleted?)",
                    "AROAEXAMPLEUNIQUEID1",
                    "Bool aws:MultiFactorAuthPresent=true",
                    "Allow",
                ),
            ],
        ),
    ],
)
def test_trust_principals(doc, expected):
    rows = policies.trust_principals(doc)
    assert [(r.principal_type, r.principal, r.conditions, r.effect) for r in rows] == expected
    # IAM's URL-encoded form reads back the same.
    assert policies.trust_principals(quote(json.dumps(doc))) == rows


def test_trust_principals_shows_wildcards_and_not_principal():
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "NotPrincipal": {"AWS": ROOT}, "Action": "sts:AssumeRole"},
        ],
    }
    rows = policies.trust_principals(doc)
    assert [(r.principal_type, r.principal) for r in rows] == [
        ("any", "*"),
        ("not AWS account", "987654329876"),
    ]


def test_trust_columns_match_entry_fields():
    entry = policies.TrustEntry("AWS account", "987654329876", "")
    assert all(hasattr(entry, column) for column in policies.TRUST_COLUMNS)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            policies.trust_policy("987654329876"),
            {
                "Statement": {
                    "Action": ["sts:AssumeRole"],
                    "Principal": {"AWS": ["987654329876"]},
                    "Effect": "Allow",
                },
                "Version": "2012-10-17",
            },
        ),
        (
            READ_S3,
            quote(
                json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Resource": ["*"],
                                "Action": ["s3:List*", "s3:Get*", "s3:List*"],
                                "Effect": "Allow",
                            }
                        ],
                    }
                )
            ),
        ),
        (
            _stmt(Effect="Allow", Action="a:b", Resource="*", Condition={"Bool": {"k": True}}),
            _stmt(Effect="Allow", Action="a:b", Resource="*", Condition={"Bool": {"k": "true"}}),
        ),
        (
            {"Version": "2012-10-17", "Statement": [{"Sid": "B"}, {"Sid": "A"}]},
            {"Version": "2012-10-17", "Statement": [{"Sid": "A"}, {"Sid": "B"}]},
        ),
    ],
)
def test_canonical_equal_meaning(a, b):
    assert policies.canonical(a) == policies.canonical(b)
    assert json.dumps(policies.canonical(a)) == json.dumps(policies.canonical(b))
    assert policies.equivalent(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (policies.trust_policy("987654329876"), policies.trust_policy("111122223333")),
        (
            policies.trust_policy("987654329876"),
            policies.trust_policy("987654329876", require_mfa=True),
        ),
        (READ_S3, {**READ_S3, "Statement": {**READ_S3["Statement"], "Effect": "Deny"}}),
    ],
)
def test_canonical_different_meaning(a, b):
    assert not policies.equivalent(a, b)


def test_canonical_statement_always_a_list():
    assert isinstance(policies.canonical(READ_S3)["Statement"], list)
    assert policies.canonical(READ_S3)["Statement"][0]["Resource"] == "*"
