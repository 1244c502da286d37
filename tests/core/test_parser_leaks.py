"""The leak scan, extended to what every parser of the operator's files says: a secret planted
in each input never shows in an error (message, fix, repr, traceback with its causes) nor in
what a parser lists, and messages stay short whatever the input's size.

Issue 19, item 2: a config whose first line is ``aws_secret_access_key = ...`` made
``aws_config_profiles``, ``export_profiles`` and ``aws_base_profiles`` quote the line, and a
5 MB line gave a 5,000,085-character message.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from xacct_widgets.core.profiles import (
    aws_base_profiles,
    aws_config_profiles,
    export_profiles,
    parse_bookmarks_html,
    parse_esr_config,
    profile_console_url,
)
from xacct_widgets.core.profiles.aws_config import credentials_profiles, load_profiles
from xacct_widgets.errors import XacctError

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#: Longest message (with its fix) any parser may give: a path, a line, a key and a rule.
MAX_MESSAGE = 700
ROLE = "arn:aws:iam::123456781234:role/ok"
HUGE = "x" * 5_000_000 + SECRET

CONFIGS = {
    "secret before any section": f"aws_secret_access_key = {SECRET}\n[profile a]\nregion = x\n",
    "secret alone on a line": f"[profile a]\nregion = x\n{SECRET}\n",
    "secret on a 5 MB line": f"[profile a]\nregion = x\n{HUGE}\n",
    "secret key given twice": (
        f"[profile a]\naws_secret_access_key = {SECRET}\naws_secret_access_key = {SECRET}\n"
    ),
    "secret in a section given twice": f"[profile a]\nx = {SECRET}\n[profile a]\ny = 1\n",
}
# Values a role profile may hold that break a rule: each listed, never quoted.
BAD_VALUES = {
    "external_id": f"{SECRET} with spaces",
    "role_arn": f"arn:aws:iam::123456781234:role/{SECRET}!",
    "mfa_serial": f"{SECRET}!",
    "duration_seconds": SECRET,
    "role_session_name": f"{SECRET} ",
    "aws_account_id": SECRET,
}
ESR = {
    "secret before any section": f"aws_secret_access_key = {SECRET}\n[a]\n",
    "secret alone on a line": f"[a]\naws_account_id = 123456781234\n{SECRET}\n",
    "secret key given twice": f"[a]\nk = {SECRET}\nk = {SECRET}\n",
    "secret as a bad role_arn": f"[a]\nrole_arn = arn:aws:iam::1:user/{SECRET}\n",
    "secret with role_arn and role_name": f"[a]\nrole_arn = {SECRET}\nrole_name = {SECRET}\n",
    "secret as an undefined base": (
        f"[a]\naws_account_id = 123456781234\nrole_name = r\nsource_profile = {SECRET}\n"
    ),
    "secret on a 5 MB line": f"[a]\naws_account_id = 123456781234\n{HUGE}\n",
    "secret on a 5 MB key": f"[a]\n{HUGE} =\n",
}
# Accepted by the extension, but no role here, or a key it does not read: listed, not quoted.
ESR_LISTED = {
    "secret as an account": f"[a]\naws_account_id = {SECRET}\nrole_name = r\n",
    "secret in a role name": f"[a]\naws_account_id = 123456781234\nrole_name = {SECRET}!\n",
    "secret in an ARN": f"[a]\nrole_arn = arn:aws-iso:iam::123456781234:role/{SECRET}\n",
    "secret in a key it does not read": (
        f"[a]\naws_account_id = 123456781234\nrole_name = r\naws_secret_access_key = {SECRET}\n"
    ),
}
BOOKMARKS = {
    "secret in a bad link's account": f"https://signin.aws.amazon.com/switchrole?roleName=x&account={SECRET}",
    "secret in a bad link's role": (
        f"https://signin.aws.amazon.com/switchrole?account=123456781234&roleName={SECRET}!"
    ),
    "secret in a bad link's host": f"https://signin.aws.amazon.com.{SECRET}/switchrole?x=1",
    "secret in a bad link's name": (
        "https://signin.aws.amazon.com/switchrole?account=123456781234&roleName=r"
        f"&displayName={'n' * 70}{SECRET}"
    ),
    "secret twice in a link": (
        f"https://signin.aws.amazon.com/switchrole?account=123456781234&roleName=r&color={SECRET}"
        "&color=x"
    ),
}


def assert_secret_free(err: BaseException) -> None:
    """Neither the error nor anything a traceback of it shows holds the secret; it is short."""
    shown = "".join(traceback.format_exception(err)) + repr(err)
    if isinstance(err, XacctError):
        shown += err.message + (err.fix or "")
        assert len(err.message) + len(err.fix or "") < MAX_MESSAGE, err.message[:300]
    assert SECRET not in shown
    assert "x" * 200 not in shown  # a long line is never repeated either


def expect_refusal(call: Callable[[], Any]) -> XacctError:
    with pytest.raises(XacctError) as raised:
        call()
    assert_secret_free(raised.value)
    return raised.value


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    (tmp_path / "credentials").write_text("[a]\naws_access_key_id = AKIAEXAMPLE\n")
    return tmp_path


@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_config_file_errors_name_the_line_never_its_text(files: Path, case: str) -> None:
    path = files / "config"
    path.write_text(CONFIGS[case])
    for call in (
        lambda: aws_config_profiles(path),
        lambda: aws_base_profiles(path),
        lambda: load_profiles(path),
        lambda: export_profiles([ROLE], path, source_profile="a", dry_run=True),
    ):
        err = expect_refusal(call)
        assert str(path) in err.message and "line " in err.message


def test_the_line_and_key_are_named(files: Path) -> None:
    path = files / "config"
    path.write_text(CONFIGS["secret before any section"])
    err = expect_refusal(lambda: aws_config_profiles(path))
    assert "line 1" in err.message and "'aws_secret_access_key'" in err.message
    path.write_text(CONFIGS["secret key given twice"])
    err = expect_refusal(lambda: aws_config_profiles(path))
    assert "line 3" in err.message and "'aws_secret_access_key'" in err.message


@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_credentials_file_errors_never_quote_it(files: Path, case: str) -> None:
    path = files / "credentials"
    path.write_text(CONFIGS[case])
    expect_refusal(lambda: credentials_profiles(path))
    expect_refusal(lambda: aws_base_profiles(files / "no-config"))


@pytest.mark.parametrize("key", sorted(BAD_VALUES))
def test_a_bad_value_is_listed_by_line_and_key(files: Path, key: str) -> None:
    path = files / "config"
    role = "" if key in ("role_arn", "aws_account_id") else f"role_arn = {ROLE}\n"
    extra = "role_name = r\n" if key == "aws_account_id" else ""
    path.write_text(
        f"[profile ok]\nrole_arn = {ROLE}\n\n[profile bad]\n{role}{extra}{key} = "
        f"{BAD_VALUES[key]}\n"
    )
    frame = aws_config_profiles(path)
    assert list(frame["profile"]) == ["ok"]
    [(name, why)] = frame.attrs["unusable"]
    assert name == "bad" and f"key '{key}'" in why and "line " in why
    assert SECRET not in why and len(why) < MAX_MESSAGE
    expect_refusal(lambda: profile_console_url("bad", path=path))


def test_an_endpoint_in_the_source_profile_is_checked_not_quoted(files: Path) -> None:
    path = files / "config"
    path.write_text(f"[profile a]\nendpoint_url = http://127.0.0.1:1 {SECRET}\n")
    err = expect_refusal(lambda: export_profiles([ROLE], path, source_profile="a"))
    assert "'endpoint_url'" in err.message


@pytest.mark.parametrize("case", sorted(ESR))
def test_extension_config_errors_never_quote_it(case: str) -> None:
    err = expect_refusal(lambda: parse_esr_config(ESR[case]))
    assert err.message.startswith("Extension config line ")


@pytest.mark.parametrize("case", sorted(ESR_LISTED))
def test_extension_config_lists_what_it_leaves_out_without_quoting(case: str) -> None:
    frame = parse_esr_config(ESR_LISTED[case])
    listed = frame.attrs["skipped"] + frame.attrs["dropped"]
    assert len(listed) == 1 and "line " in listed[0]
    assert SECRET not in listed[0] and len(listed[0]) < MAX_MESSAGE
    assert SECRET not in frame.to_string() or case == "secret in a key it does not read"


@pytest.mark.parametrize("case", sorted(BOOKMARKS))
def test_bookmarks_report_a_bad_link_without_quoting_it(case: str) -> None:
    html = f'<DL><p>\n<DT><A HREF="{BOOKMARKS[case]}">prod</A>\n</DL><p>\n'
    frame = parse_bookmarks_html(html)
    assert frame.empty and frame.attrs["skipped"] == 1
    [why] = frame.attrs["rejected"]
    assert why.startswith("bookmark on line 2: ") and SECRET not in why


@pytest.mark.parametrize("call", [parse_esr_config, parse_bookmarks_html])
def test_not_text_is_refused_without_repeating_it(call: Callable[[Any], Any]) -> None:
    expect_refusal(lambda: call(SECRET.encode()))
