"""Input validation against IAM/STS's own limits, before any API call."""

from __future__ import annotations

import pytest

from xacct_widgets.core import ids
from xacct_widgets.errors import (
    InvalidAccountId,
    InvalidArn,
    InvalidInput,
    InvalidRoleName,
    InvalidRoleSpec,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9876-5432-9876", "987654329876"),
        ("987654329876", "987654329876"),
        ("  1234-5678-1234 ", "123456781234"),
        ("\t012345678901\n", "012345678901"),
    ],
)
def test_account_id_accepts(value, expected):
    assert ids.account_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12345678901",
        "1234567890123",
        "9876-54329876",
        "98765-432-9876",
        "9876 5432 9876",
        "9876_5432_9876",
        "abcdefghijkl",
        "my-alias",
        "\uff11" * 12,  # full-width digits match \d but are not an account ID
        "\u0661" * 12,  # Arabic-Indic digits
        123456781234,
        None,
        True,
    ],
)
def test_account_id_rejects_naming_value_and_rule(value):
    with pytest.raises(InvalidAccountId) as info:
        ids.account_id(value)
    assert repr(value) in str(info.value)
    assert "12 digits" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_account_id_int_hint_mentions_leading_zeros():
    with pytest.raises(InvalidAccountId, match="leading zeros"):
        ids.account_id(123456781234)


@pytest.mark.parametrize(
    "value", ["cross-account", "a", "x" * 64, "Role_+=,.@-1", "OrganizationAccountAccessRole"]
)
def test_role_name_accepts(value):
    assert ids.role_name(value) == value


@pytest.mark.parametrize(
    "value",
    ["", "x" * 65, "has space", "ops/cross-account", "rôle", "role*", "role#1", "a:b", None, 5],
)
def test_role_name_rejects(value):
    with pytest.raises(InvalidRoleName) as info:
        ids.role_name(value)
    assert repr(value) in str(info.value)
    assert "1-64 characters" in str(info.value)


@pytest.mark.parametrize(
    "value", ["/", "/ops/", "/a/b/c/", "/division_abc/subdivision_xyz/", "///"]
)
def test_iam_path_accepts(value):
    assert ids.iam_path(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "ops",
        "/ops",
        "ops/",
        "//",
        "/with space/",
        "/é/",
        "/del\x7f/",
        "/" + "a" * 511 + "/",
        None,
    ],
)
def test_iam_path_rejects(value):
    with pytest.raises(InvalidRoleSpec) as info:
        ids.iam_path(value)
    assert repr(value) in str(info.value)
    assert "start and end with '/'" in str(info.value)


def test_iam_path_length_limit_is_512():
    assert ids.iam_path("/" + "a" * 510 + "/") == "/" + "a" * 510 + "/"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("1234-5678-1234", "cross-account"), "arn:aws:iam::123456781234:role/cross-account"),
        (
            ("123456781234", "cross-account", "/ops/"),
            "arn:aws:iam::123456781234:role/ops/cross-account",
        ),
    ],
)
def test_role_arn(args, expected):
    assert ids.role_arn(*args) == expected


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("1234", "cross-account"), InvalidAccountId),
        (("123456781234", "bad name"), InvalidRoleName),
        (("123456781234", "cross-account", "ops"), InvalidRoleSpec),
    ],
)
def test_role_arn_rejects_each_part(args, error):
    with pytest.raises(error):
        ids.role_arn(*args)


def test_parse_arn_role_with_path():
    arn = ids.parse_arn("arn:aws:iam::123456781234:role/ops/team/cross-account")
    assert arn == ids.Arn(
        partition="aws",
        service="iam",
        region="",
        account_id="123456781234",
        resource_type="role",
        resource="ops/team/cross-account",
        name="cross-account",
    )
    assert arn.path == "/ops/team/"
    assert str(arn) == "arn:aws:iam::123456781234:role/ops/team/cross-account"


@pytest.mark.parametrize(
    ("value", "resource_type", "name"),
    [
        ("arn:aws:iam::987654329876:root", "", "root"),
        (
            "arn:aws:sts::987654329876:assumed-role/cross-account/operator",
            "assumed-role",
            "operator",
        ),
        ("arn:aws:iam::aws:policy/ReadOnlyAccess", "policy", "ReadOnlyAccess"),
        ("arn:aws:lambda:eu-west-1:123456781234:function:fn", "function", "fn"),
        ("arn:aws:s3:::bucket/key", "", "key"),
        ("arn:aws-cn:iam::123456781234:user/operator", "user", "operator"),
    ],
)
def test_parse_arn_round_trips(value, resource_type, name):
    arn = ids.parse_arn(value)
    assert (arn.resource_type, arn.name) == (resource_type, name)
    assert str(arn) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "cross-account",
        "arn:aws:iam::123456781234",
        "arn:aws:iam::12345:role/x",
        "arn:aws:iam::123456781234:",
        "arn:azure:iam::123456781234:role/x",
        "arn:aws::us-east-1:123456781234:role/x",
        "arn:aws:iam::123456781234:role/with space",
        None,
    ],
)
def test_parse_arn_rejects(value):
    with pytest.raises(InvalidArn) as info:
        ids.parse_arn(value)
    assert repr(value) in str(info.value)


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:iam::123456781234:user/operator",
        "arn:aws:iam::aws:role/x",
        "arn:aws:iam:us-east-1:123456781234:role/x",
        "arn:aws:iam::123456781234:role/bad name!",
        "arn:aws:iam::123456781234:role/" + "x" * 65,
        "arn:aws:sts::123456781234:assumed-role/cross-account/operator",
    ],
)
def test_parse_role_arn_rejects(value):
    with pytest.raises(InvalidArn) as info:
        ids.parse_role_arn(value)
    assert repr(value) in str(info.value)


def test_parse_role_arn_points_from_session_to_role():
    with pytest.raises(InvalidArn, match=r"arn:aws:iam::123456781234:role/cross-account"):
        ids.parse_role_arn("arn:aws:sts::123456781234:assumed-role/cross-account/operator")


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
        "arn:aws:iam::123456781234:policy/team/MyPolicy",
    ],
)
def test_managed_policy_arn_accepts(value):
    assert ids.managed_policy_arn(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "ReadOnlyAccess",
        "arn:aws:iam::aws:role/ReadOnlyAccess",
        "arn:aws:iam::policy/ReadOnlyAccess",
        "arn:aws:iam:::policy/ReadOnlyAccess",
        "arn:aws:iam::1234:policy/ReadOnlyAccess",
        "arn:aws:s3::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/Bad Name",
    ],
)
def test_managed_policy_arn_rejects(value):
    with pytest.raises(InvalidArn) as info:
        ids.managed_policy_arn(value)
    assert repr(value) in str(info.value)
    assert "managed policy ARN" in str(info.value)


CASES_OK = [
    (ids.external_id, "ab"),
    (ids.external_id, "x" * 1224),
    (ids.external_id, "tenant:42/a+b=c,d.e@f-g_h"),
    (ids.session_name, "op"),
    (ids.session_name, "x" * 64),
    (ids.session_name, "operator@example.com"),
    (ids.mfa_code, "012345"),
    (ids.mfa_serial, "arn:aws:iam::987654329876:mfa/operator"),
    (ids.mfa_serial, "GAHT12345678"),
]


@pytest.mark.parametrize(("func", "value"), CASES_OK)
def test_string_validators_accept(func, value):
    assert func(value) == value


CASES_BAD = [
    (ids.external_id, "a", "2-1224"),
    (ids.external_id, "x" * 1225, "2-1224"),
    (ids.external_id, "has space", "2-1224"),
    (ids.external_id, "semi;colon", "2-1224"),
    (ids.session_name, "a", "2-64"),
    (ids.session_name, "x" * 65, "2-64"),
    (ids.session_name, "a:b", "2-64"),
    (ids.mfa_code, "12345", "6 digits"),
    (ids.mfa_code, "1234567", "6 digits"),
    (ids.mfa_code, "12a456", "6 digits"),
    (ids.mfa_code, 123456, "6 digits"),
    (ids.mfa_serial, "short", "9-256"),
    (ids.mfa_serial, "x" * 257, "9-256"),
    (ids.mfa_serial, "has spaces in it", "9-256"),
    (ids.mfa_serial, "arn:aws:iam::987654329876:user/operator", "mfa/NAME"),
    (ids.mfa_serial, "arn:aws:iam::9876:mfa/operator", "ARN"),
]


@pytest.mark.parametrize(("func", "value", "rule"), CASES_BAD)
def test_string_validators_reject_naming_value_and_rule(func, value, rule):
    with pytest.raises(InvalidInput) as info:
        func(value)
    assert repr(value) in str(info.value)
    assert rule in str(info.value)


@pytest.mark.parametrize(
    ("value", "max_allowed"), [(900, 43200), (3600, 3600), (43200, 43200), (1800, 3600)]
)
def test_duration_seconds_accepts(value, max_allowed):
    assert ids.duration_seconds(value, max_allowed) == value


@pytest.mark.parametrize(
    ("value", "max_allowed", "rule"),
    [
        (899, 43200, "900 to 43200"),
        (43201, 43200, "900 to 43200"),
        (3601, 3600, "900 to 3600"),
        ("3600", 43200, "900 to 43200"),
        (3600.0, 43200, "900 to 43200"),
        (True, 43200, "900 to 43200"),
    ],
)
def test_duration_seconds_rejects(value, max_allowed, rule):
    with pytest.raises(InvalidInput) as info:
        ids.duration_seconds(value, max_allowed)
    assert repr(value) in str(info.value)
    assert rule in str(info.value)


def test_duration_seconds_rejects_bad_maximum():
    with pytest.raises(InvalidInput, match="50000"):
        ids.duration_seconds(900, 50000)


@pytest.mark.parametrize("value", [3600, 7200, 43200])
def test_max_session_duration_accepts(value):
    assert ids.max_session_duration(value) == value


@pytest.mark.parametrize("value", [3599, 900, 43201, 0, -1, "3600", None, False])
def test_max_session_duration_rejects(value):
    with pytest.raises(InvalidRoleSpec) as info:
        ids.max_session_duration(value)
    assert repr(value) in str(info.value)
    assert "3600 to 43200" in str(info.value)
