"""Switch-role URLs as the console writes them, and the console's colour table."""

from __future__ import annotations

import dataclasses

import pytest

from xacct_widgets.core import colors, urls
from xacct_widgets.errors import InvalidColor, InvalidInput, InvalidSwitchRoleUrl

TUTORIAL_URL = (
    "https://signin.aws.amazon.com/switchrole?roleName=cross-account&account=123456781234"
)


def test_tutorial_url_exactly():
    assert urls.switch_role_url("1234-5678-1234", "cross-account") == TUTORIAL_URL
    assert urls.switch_role_url("123456781234", "cross-account") == TUTORIAL_URL


@pytest.mark.parametrize(
    ("kwargs", "expected_tail"),
    [
        ({"display_name": "prod"}, "&displayName=prod"),
        ({"display_name": "prod (read only)"}, "&displayName=prod%20%28read%20only%29"),
        ({"display_name": "a&b=c#d+e"}, "&displayName=a%26b%3Dc%23d%2Be"),
        ({"color": "B7CA9D"}, "&color=B7CA9D"),
        ({"display_name": "prod", "color": "green"}, "&displayName=prod&color=B7CA9D"),
        ({"display_name": "  "}, ""),
    ],
)
def test_switch_role_url_optional_params(kwargs, expected_tail):
    assert urls.switch_role_url("123456781234", "cross-account", **kwargs) == (
        TUTORIAL_URL + expected_tail
    )


def test_path_is_written_in_role_name_like_the_console():
    url = urls.switch_role_url("123456781234", "cross-account", path="/ops/team/")
    assert url == (
        "https://signin.aws.amazon.com/switchrole?roleName=ops/team/cross-account"
        "&account=123456781234"
    )


def test_role_name_plus_is_encoded():
    url = urls.switch_role_url("123456781234", "a+b")
    assert "roleName=a%2Bb&" in url
    assert urls.parse_switch_role_url(url).role_name == "a+b"


@pytest.mark.parametrize(
    "link",
    [
        urls.SwitchRoleLink("123456781234", "cross-account"),
        urls.SwitchRoleLink("123456781234", "cross-account", "prod", "B7CA9D"),
        urls.SwitchRoleLink("123456781234", "cross-account", "prod & co #1 é", "Red", "/ops/"),
        urls.SwitchRoleLink("012345678901", "Role_+=,.@-1", "a+b", "#99bce3", "/a/b/"),
    ],
)
def test_build_parse_round_trip(link):
    parsed = urls.parse_switch_role_url(link.url)
    assert parsed == link
    assert parsed.url == link.url


def test_link_normalises_and_exposes_role_arn():
    link = urls.SwitchRoleLink("1234-5678-1234", "cross-account", " prod ", "blue", "/ops/")
    assert link.account_id == "123456781234"
    assert link.display_name == "prod"
    assert link.color == "99BCE3"
    assert link.role_arn == "arn:aws:iam::123456781234:role/ops/cross-account"
    assert str(link) == link.url
    with pytest.raises(dataclasses.FrozenInstanceError):
        link.role_name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (TUTORIAL_URL, ("123456781234", "cross-account", None, None, "/")),
        (
            "https://signin.aws.amazon.com/switchrole?account=1234-5678-1234&roleName=cross-account",
            ("123456781234", "cross-account", None, None, "/"),
        ),
        (
            "https://signin.aws.amazon.com/switchrole#roleName=cross-account&account=123456781234"
            "&displayName=prod&color=b7ca9d",
            ("123456781234", "cross-account", "prod", "B7CA9D", "/"),
        ),
        (
            "https://signin.aws.amazon.com/switchrole?#/roleName=cross-account&account=123456781234",
            ("123456781234", "cross-account", None, None, "/"),
        ),
        (
            "https://eu-west-1.signin.aws.amazon.com/switchrole?roleName=ops%2Fcross-account"
            "&account=123456781234&displayName=prod+env",
            ("123456781234", "cross-account", "prod env", None, "/ops/"),
        ),
        (
            "  HTTPS://Signin.AWS.Amazon.com/switchrole/?roleName=cross-account"
            "&account=123456781234 ",
            ("123456781234", "cross-account", None, None, "/"),
        ),
        (
            "https://us-gov-west-1.signin.aws.amazon.com/switchrole?roleName=x&account=123456781234"
            "&redirect_uri=https%3A%2F%2Fconsole.aws.amazon.com",
            ("123456781234", "x", None, None, "/"),
        ),
    ],
)
def test_parse_variants(url, expected):
    link = urls.parse_switch_role_url(url)
    assert (link.account_id, link.role_name, link.display_name, link.color, link.path) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://signin.aws.amazon.com/switchrole?roleName=x&account=123456781234", "https://"),
        ("https://evil.example.com/switchrole?roleName=x&account=123456781234", "host"),
        (
            "https://signin.aws.amazon.com.evil.com/switchrole?roleName=x&account=123456781234",
            "host",
        ),
        ("https://signin.aws.amazon.com:8443/switchrole?roleName=x&account=123456781234", "host"),
        ("https://signin.aws.amazon.com/federation?roleName=x&account=123456781234", "path"),
        ("https://signin.aws.amazon.com/switchrole?roleName=x", "no account"),
        ("https://signin.aws.amazon.com/switchrole?account=123456781234", "no roleName"),
        ("https://signin.aws.amazon.com/switchrole", "no account and no roleName"),
        ("https://signin.aws.amazon.com/switchrole?roleName=x&account=my-alias", "12 digits"),
        ("https://signin.aws.amazon.com/switchrole?roleName=x&account=12345", "12 digits"),
        ("https://signin.aws.amazon.com/switchrole?roleName=a%20b&account=123456781234", "1-64"),
        (
            "https://signin.aws.amazon.com/switchrole?roleName=x&account=123456781234&color=000000",
            "colours",
        ),
        (
            "https://signin.aws.amazon.com/switchrole?roleName=x&account=123456781234"
            "&account=111122223333",
            "given twice",
        ),
        ("not a url", "https://"),
        ("", "https://"),
        (None, "string"),
    ],
)
def test_parse_rejects_with_reason(url, reason):
    with pytest.raises(InvalidSwitchRoleUrl) as info:
        urls.parse_switch_role_url(url)
    message = str(info.value)
    assert reason in message
    assert repr(url) in message


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"account": "1234", "role_name": "x"}, InvalidInput),
        ({"account": "123456781234", "role_name": "ops/x"}, InvalidInput),
        ({"account": "123456781234", "role_name": "x", "color": "Purple"}, InvalidColor),
        ({"account": "123456781234", "role_name": "x", "display_name": "x" * 65}, InvalidInput),
        ({"account": "123456781234", "role_name": "x", "display_name": "a\nb"}, InvalidInput),
        ({"account": "123456781234", "role_name": "x", "path": "ops"}, InvalidInput),
    ],
)
def test_switch_role_url_validates(kwargs, error):
    with pytest.raises(error):
        urls.switch_role_url(**kwargs)


def test_console_colors_table():
    assert colors.CONSOLE_COLORS == {
        "Red": "F2B0A9",
        "Orange": "FBBF93",
        "Yellow": "FAD791",
        "Green": "B7CA9D",
        "Blue": "99BCE3",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Green", "B7CA9D"),
        ("green", "B7CA9D"),
        (" GREEN ", "B7CA9D"),
        ("B7CA9D", "B7CA9D"),
        ("#b7ca9d", "B7CA9D"),
        ("#F2B0A9", "F2B0A9"),
        ("orange", "FBBF93"),
        ("fad791", "FAD791"),
        ("Blue", "99BCE3"),
    ],
)
def test_color_accepts(value, expected):
    assert colors.color(value) == expected


@pytest.mark.parametrize("value", ["Purple", "000000", "#FFF", "B7CA9", "##B7CA9D", "", None, 1])
def test_color_rejects_listing_allowed(value):
    with pytest.raises(InvalidColor) as info:
        colors.color(value)
    message = str(info.value)
    assert repr(value) in message
    for name, hexcode in colors.CONSOLE_COLORS.items():
        assert name in message
        assert hexcode in message


@pytest.mark.parametrize(
    ("value", "expected"), [("B7CA9D", "Green"), ("#f2b0a9", "Red"), ("blue", "Blue")]
)
def test_color_name(value, expected):
    assert colors.color_name(value) == expected


def test_color_name_rejects():
    with pytest.raises(InvalidColor, match="'123456'"):
        colors.color_name("123456")
