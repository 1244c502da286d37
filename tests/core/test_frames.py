"""Tables and secret masking: no secret survives redact(), str() or a DataFrame."""

from __future__ import annotations

import dataclasses
from collections import namedtuple
from datetime import UTC, datetime

import pandas as pd
import pytest
from botocore.credentials import Credentials

from xacct_widgets.core import frames

KEY_ID = "ASIAABCDEFGHIJKLWXYZ"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLETOKEN/very+long=="
SIGNIN = "SIGNINTOKENexample123"


@dataclasses.dataclass(frozen=True)
class Creds:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime


@dataclasses.dataclass(frozen=True)
class Holder:
    name: str
    creds: Creds
    session: object  # e.g. a boto3.Session: must not be deep-copied


def _no_secret(text: str) -> None:
    for secret in (SECRET, TOKEN, SIGNIN, KEY_ID, KEY_ID[:-4]):
        assert secret not in text


@pytest.mark.parametrize(
    ("key_id", "expected"),
    [
        ("AKIAIOSFODNN7EXAMPLEWXYZ"[:16] + "WXYZ", "****WXYZ"),
        (KEY_ID, "****WXYZ"),
        ("short", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_key_id(key_id, expected):
    assert frames.mask_key_id(key_id) == expected


@pytest.mark.parametrize(
    "name",
    [
        "SecretAccessKey",
        "SessionToken",
        "secret_access_key",
        "session_token",
        "token",
        "aws_secret_access_key",
        "aws_session_token",
        "SigninToken",
        "Secret-Access-Key",
        "SECRET_ACCESS_KEY",
    ],
)
def test_secret_fields_any_spelling(name):
    assert frames.is_secret_field(name)
    assert frames.redact({name: SECRET}) == {name: frames.REDACTED}


@pytest.mark.parametrize("name", ["NextToken", "Marker", "RoleName", "TokenCode"])
def test_not_secret_fields(name):
    assert not frames.is_secret_field(name)


def _assume_role_response():
    return {
        "Credentials": {
            "AccessKeyId": KEY_ID,
            "SecretAccessKey": SECRET,
            "SessionToken": TOKEN,
            "Expiration": datetime(2030, 1, 1, tzinfo=UTC),
        },
        "AssumedRoleUser": {"Arn": "arn:aws:sts::123456781234:assumed-role/cross-account/op"},
        "Notes": [f"used key {KEY_ID}", {"aws_session_token": TOKEN}],
        "Login": f"https://signin.aws.amazon.com/federation?Action=login&SigninToken={SIGNIN}&x=1",
    }


def test_redact_assume_role_response():
    original = _assume_role_response()
    safe = frames.redact(original)
    assert safe["Credentials"]["AccessKeyId"] == "****WXYZ"
    assert safe["Credentials"]["SecretAccessKey"] == frames.REDACTED
    assert safe["Credentials"]["SessionToken"] == frames.REDACTED
    assert safe["Credentials"]["Expiration"] == original["Credentials"]["Expiration"]
    assert safe["AssumedRoleUser"] == original["AssumedRoleUser"]
    assert safe["Notes"] == ["used key ****WXYZ", {"aws_session_token": frames.REDACTED}]
    assert safe["Login"].endswith(f"SigninToken={frames.REDACTED}&x=1")
    _no_secret(str(safe))
    _no_secret(repr(safe))
    # The input is left untouched.
    assert original["Credentials"]["SecretAccessKey"] == SECRET


def test_redact_dataclass_namedtuple_and_credential_objects():
    session = object()
    holder = Holder("op", Creds(KEY_ID, SECRET, TOKEN, datetime(2030, 1, 1)), session)
    safe = frames.redact(holder)
    assert safe["creds"]["access_key_id"] == "****WXYZ"
    assert safe["session"] is session  # not deep-copied
    _no_secret(str(safe))

    ReadOnly = namedtuple("ReadOnly", ["access_key", "secret_key", "token"])
    _no_secret(str(frames.redact(ReadOnly(KEY_ID, SECRET, TOKEN))))
    assert frames.redact(Credentials(KEY_ID, SECRET, TOKEN)) == frames.REDACTED
    assert frames.redact({"c": Credentials(KEY_ID, SECRET, TOKEN)}) == {"c": frames.REDACTED}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("key AKIAIOSFODNN7EXAMPLE is bad", "key ****MPLE is bad"),
        (f"({KEY_ID})", "(****WXYZ)"),
        ("AKIA123", "AKIA123"),
        ("no keys here", "no keys here"),
        ("x?X-Amz-Security-Token=abc%2Fdef&y=1", f"x?X-Amz-Security-Token={frames.REDACTED}&y=1"),
    ],
)
def test_scrub_text(text, expected):
    assert frames.scrub_text(text) == expected


def test_to_frame_columns_in_order_and_redacted():
    rows = [
        Creds(KEY_ID, SECRET, TOKEN, datetime(2030, 1, 1)),
        {"access_key_id": "AKIAIOSFODNN7EXAMPLE", "extra": 1, "Tags": {"Name": "n"}},
    ]
    columns = ["expiration", "access_key_id", "secret_access_key", "missing", "Tags.Name"]
    df = frames.to_frame(rows, columns)
    assert list(df.columns) == columns
    assert df["access_key_id"].tolist() == ["****WXYZ", "****MPLE"]
    assert df["secret_access_key"].tolist()[0] == frames.REDACTED
    assert df["missing"].isna().all()
    assert df["Tags.Name"].isna().tolist() == [True, False]
    assert df["Tags.Name"].iloc[1] == "n"
    _no_secret(df.to_string())
    _no_secret(df.to_html())


@pytest.mark.parametrize("items", [[], (), iter([])])
def test_to_frame_empty_keeps_columns(items):
    df = frames.to_frame(items, ("account_id", "region", "name"))
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["account_id", "region", "name"]
    assert len(df) == 0


def test_to_frame_rejects_non_records():
    with pytest.raises(TypeError, match="dataclasses or mappings"):
        frames.to_frame(["x"], ["a"])


def test_flatten():
    item = {
        "Name": "bucket",
        "Owner": {"ID": "abc", "Display": {"Name": "me"}},
        "Tags": [{"Key": "k", "Value": "v"}],
        "Empty": {},
        "Credentials": {"SecretAccessKey": SECRET, "AccessKeyId": KEY_ID},
    }
    assert frames.flatten(item) == {
        "Name": "bucket",
        "Owner.ID": "abc",
        "Owner.Display.Name": "me",
        "Tags": [{"Key": "k", "Value": "v"}],
        "Empty": {},
        "Credentials.SecretAccessKey": frames.REDACTED,
        "Credentials.AccessKeyId": "****WXYZ",
    }
