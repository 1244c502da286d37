"""aws_config_profiles / aws_base_profiles / profile_session: the config file read as botocore
reads it, errors that name the file, profile and key, and role profiles as query targets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from hashlib import sha1
from pathlib import Path

import pandas as pd
import pytest
from botocore.credentials import SSOProvider
from botocore.tokens import SSOTokenProvider

from xacct_widgets.core.profiles import (
    CONFIG_COLUMNS,
    REF_COLUMNS,
    RoleRef,
    aws_base_profiles,
    aws_config_profiles,
    profile_console_url,
    profile_session,
)
from xacct_widgets.core.query.targets import QueryTarget, resolve_targets
from xacct_widgets.errors import ExpiredSession, InvalidInput, XacctError

CONFIG = """# roles
[default]
role_arn = arn:aws:iam::123456781234:role/cross-account
source_profile = operator

[profile operator]
region = us-east-1

[profile "quoted name"]
role_arn = arn:aws-cn:iam::123456781234:role/team/reader
credential_source = Environment
external_id = tenant-42
mfa_serial = arn:aws:iam::987654329876:mfa/operator
duration_seconds = 1800
role_session_name = me
color = 99bce3
region = cn-north-1

[profile esr-style]
aws_account_id = 1234-5678-1234
role_name = auditor
color = ffaaee

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile corp]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly

[profile proc]
credential_process = /bin/false

[plugins]
x = y
"""


@pytest.fixture(autouse=True)
def aws_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated AWS config, credentials file and home (the SSO token cache is under it)."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config"
    config.write_text(CONFIG)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    credentials = tmp_path / "credentials"
    credentials.write_text("[operator]\naws_access_key_id = AKIAEXAMPLE\n\n[keys-only]\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    # botocore fixes its SSO token cache folder at import time (from the real home): point it here
    cache = tmp_path / "home" / ".aws" / "sso" / "cache"
    monkeypatch.setattr(SSOProvider, "_SSO_TOKEN_CACHE_DIR", str(cache))
    monkeypatch.setattr(SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", str(cache))
    return config


def test_role_profiles_as_botocore_reads_them(aws_files: Path) -> None:
    frame = aws_config_profiles()  # $AWS_CONFIG_FILE
    assert list(frame.columns) == list(CONFIG_COLUMNS)
    assert list(frame.columns[: len(REF_COLUMNS)]) == list(REF_COLUMNS)
    assert list(frame["profile"]) == ["default", "quoted name", "esr-style"]
    rows = frame.set_index("profile")
    default = rows.loc["default"]
    assert default["role_arn"] == "arn:aws:iam::123456781234:role/cross-account"
    assert default["source_profile"] == "operator" and not default["written_by_xacct"]
    quoted = rows.loc["quoted name"]
    assert quoted["partition"] == "aws-cn" and quoted["path"] == "/team/"
    assert quoted["role_arn"] == "arn:aws-cn:iam::123456781234:role/team/reader"
    assert quoted["external_id"] == "tenant-42" and quoted["duration_seconds"] == 1800
    assert quoted["mfa_serial"] == "arn:aws:iam::987654329876:mfa/operator"
    assert quoted["role_session_name"] == "me" and quoted["color"] == "99BCE3"
    assert quoted["credential_source"] == "Environment" and quoted["region"] == "cn-north-1"
    esr = rows.loc["esr-style"]
    assert esr["role_arn"] == "arn:aws:iam::123456781234:role/auditor"
    assert esr["display_name"] == "esr-style"
    # any RGB hex is the extension's; only the console's five are a console colour
    assert pd.isna(esr["color"]) and esr["extension_color"] == "ffaaee"
    assert frame["duration_seconds"].dtype == "Int64"


def test_missing_file_is_an_empty_frame(tmp_path: Path) -> None:
    frame = aws_config_profiles(tmp_path / "none")
    assert frame.empty and list(frame.columns) == list(CONFIG_COLUMNS)


@pytest.mark.parametrize(
    ("text", "key", "line", "rule"),
    [
        ("role_arn = arn:aws:iam::123:role/x", "role_arn", 5, "12-digit"),
        (
            "role_arn = arn:aws:iam::123456781234:role/x\nexternal_id = x",
            "external_id",
            6,
            "2-1224",
        ),
        (
            "role_arn = arn:aws:iam::123456781234:role/x\nduration_seconds = 1h",
            "duration",
            6,
            "900",
        ),
        (
            "role_arn = arn:aws:iam::123456781234:role/x\nduration_seconds = 60",
            "duration",
            6,
            "900",
        ),
        ("aws_account_id = 12\nrole_name = x", "aws_account_id", 5, "12 digits"),
        (
            "role_arn = arn:aws:iam::123456781234:role/x\nrole_name = y",
            "role_name",
            6,
            "contradicts",
        ),
    ],
)
def test_invalid_value_is_listed_with_file_line_and_key(tmp_path, text, key, line, rule) -> None:
    """A profile that breaks an AWS rule is no row and stops no other profile; it is listed with
    the file, the line and the key (never the value), and naming it says the same."""
    path = tmp_path / "bad"
    ok = "[profile ok]\nrole_arn = arn:aws:iam::123456781234:role/ok\n\n"
    path.write_text(f"{ok}[profile broken]\n{text}\n")
    frame = aws_config_profiles(path)
    assert list(frame["profile"]) == ["ok"]
    [(name, why)] = frame.attrs["unusable"]
    assert name == "broken"
    assert why.startswith(f"{path}, line {line}, key '{key}") and rule in why
    with pytest.raises(InvalidInput) as raised:
        profile_console_url("broken", path=path)
    assert why in str(raised.value) and "'broken'" in str(raised.value) and raised.value.fix


def test_malformed_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad"
    path.write_text("[profile a]\nregion = x\n[profile a]\nregion = y\n")
    with pytest.raises(InvalidInput, match="cannot be parsed") as raised:
        aws_config_profiles(path)
    assert str(path) in str(raised.value)
    path.write_text("role_arn = outside any section\n")
    with pytest.raises(InvalidInput, match=str(path)):
        aws_config_profiles(path)


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    # a folder is not a file: botocore treats it as missing, like the CLI
    assert aws_config_profiles(folder).empty
    path = tmp_path / "binary"
    path.write_bytes(b"[profile a]\nrole_arn = \xff\xfe\n")
    with pytest.raises(XacctError, match=str(path)):
        aws_config_profiles(path)


def test_base_profiles(aws_files: Path) -> None:
    frame = aws_base_profiles().set_index("profile")
    assert frame.loc["corp", "kind"] == "sso" and frame.loc["corp", "sso_session"] == "corp"
    assert frame.loc["proc", "kind"] == "credential_process"
    assert (
        frame.loc["operator", "kind"] == "keys" and frame.loc["operator", "file"] == "credentials"
    )
    assert frame.loc["operator", "region"] == "us-east-1"
    assert "default" not in frame.index  # a role profile is not a base
    assert "AKIAEXAMPLE" not in frame.to_string()


def test_sso_profile_without_login_says_aws_sso_login(aws_files: Path) -> None:
    with pytest.raises(ExpiredSession) as raised:
        profile_session("corp")
    assert "aws sso login --profile corp" in (raised.value.fix or "")
    assert "corp" in raised.value.message


def test_expired_sso_token_says_aws_sso_login(aws_files: Path, tmp_path: Path) -> None:
    """A legacy (sso_start_url) profile whose cached token expired: botocore's
    UnauthorizedSSOTokenError, before any network call."""
    start_url = "https://legacy.awsapps.com/start"
    with aws_files.open("a") as handle:
        handle.write(
            f"\n[profile legacy]\nsso_start_url = {start_url}\nsso_region = us-east-1\n"
            "sso_account_id = 111122223333\nsso_role_name = ReadOnly\n"
        )
    cache = tmp_path / "home" / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    expired = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    token = {"startUrl": start_url, "region": "us-east-1", "accessToken": "t", "expiresAt": expired}
    (cache / f"{sha1(start_url.encode()).hexdigest()}.json").write_text(json.dumps(token))
    with pytest.raises(ExpiredSession) as raised:
        profile_session("legacy")
    assert raised.value.code == "UnauthorizedSSOTokenError"
    assert "aws sso login --profile legacy" in (raised.value.fix or "")


def test_unknown_profile_and_failing_process(aws_files: Path) -> None:
    with pytest.raises(XacctError, match="neither") as raised:
        profile_session("nope")
    assert "aws configure --profile nope" in (raised.value.fix or "")
    with pytest.raises(XacctError, match="credential"):
        profile_session("proc")


def test_role_profiles_are_query_targets(aws_files: Path) -> None:
    frame = aws_config_profiles()
    targets, _ = resolve_targets(frame, None, None)
    assert targets == [
        QueryTarget("123456781234", "cross-account"),
        QueryTarget("123456781234", "reader", "/team/", "tenant-42"),
        QueryTarget("123456781234", "auditor"),
    ]
    ref = RoleRef("123456781234", "vendor", external_id="vendor-audit")
    assert resolve_targets(ref, None, None)[0] == [
        QueryTarget("123456781234", "vendor", external_id="vendor-audit")
    ]
    assert resolve_targets([ref, ref], None, None)[0] == [
        QueryTarget("123456781234", "vendor", external_id="vendor-audit")
    ]
