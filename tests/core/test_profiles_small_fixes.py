"""Issue 19, item 8: the smaller things that misled, each checked.

Bookmarks: Chromium's importer decodes only &lt; &gt; &amp; &quot; &#39;
(https://source.chromium.org/chromium/chromium/src/+/main:chrome/utility/importer/bookmark_html_reader.cc),
so ``'`` is written &#39;. DurationSeconds: 900-43200 ("AssumeRole",
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xacct_widgets.core.profiles import (
    RoleRef,
    aws_config_profiles,
    bookmarks_html,
    export_profiles,
    parse_bookmarks_html,
    profile_names,
)
from xacct_widgets.core.profiles.config_file import MAX_BACKUPS
from xacct_widgets.errors import InvalidInput

TARGET = "123456781234"
REF = RoleRef(TARGET, "x")


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    (tmp_path / "credentials").write_text("[operator]\naws_access_key_id = AKIAEXAMPLE\n")
    path = tmp_path / "config"
    path.write_text("[profile operator]\nregion = us-east-1\n")
    return path


def test_an_apostrophe_is_written_as_chromium_decodes_it():
    ref = RoleRef(TARGET, "x", display_name="Bob's prod <&>")
    html = bookmarks_html([ref], folder="Bob's roles")
    assert "&#x27;" not in html and "Bob&#39;s prod &lt;&amp;&gt;</A>" in html
    assert ">Bob&#39;s roles</H3>" in html
    frame = parse_bookmarks_html(html)
    assert frame.loc[0, "title"] == "Bob's prod <&>" and frame.loc[0, "folder"] == "Bob's roles"


def test_a_duration_out_of_range_says_the_range(config: Path):
    with pytest.raises(InvalidInput, match="from 900 to 43200"):
        RoleRef(TARGET, "x", duration_seconds=99999)
    with pytest.raises(InvalidInput, match="from 900 to 43200"):  # not a raw ValueError
        RoleRef(TARGET, "x", duration_seconds="1h")
    assert RoleRef(TARGET, "x", duration_seconds="1800").duration_seconds == 1800
    config.write_text(
        f"[profile p]\nrole_arn = arn:aws:iam::{TARGET}:role/x\nduration_seconds = 99999\n"
    )
    [(_, why)] = aws_config_profiles(config).attrs["unusable"]
    assert "from 900 to 43200" in why and "is not a whole number" not in why


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1:1\nfoo",
        "http://127.0.0.1:1\r\n[profile evil]",
        "http://[::1",
        "http://127.0.0.1:port",
        "ftp://x",
    ],
)
def test_a_bad_endpoint_url_is_invalid_input(config: Path, endpoint: str):
    before = config.read_text()
    with pytest.raises(InvalidInput, match="endpoint_url is invalid") as refused:
        export_profiles([REF], config, source_profile="operator", endpoint_url=endpoint)
    assert type(refused.value) is InvalidInput
    assert config.read_text() == before


def test_a_profile_name_the_cli_cannot_use_is_refused(config: Path):
    for name in ("-leading", "--help", "-"):
        with pytest.raises(InvalidInput, match="not starting with '-'"):
            profile_names([RoleRef(TARGET, "x", profile=name)])
    with pytest.raises(InvalidInput, match="source_profile"):
        export_profiles([RoleRef(TARGET, "x")], config, source_profile="-operator")
    assert profile_names([RoleRef(TARGET, "x", profile="a-b")]) == ["a-b"]


def test_a_bad_switch_role_bookmark_says_why():
    html = (
        "<DL><p>\n"
        '<DT><A HREF="https://signin.aws.amazon.com/switchrole?roleName=x">no account</A>\n'
        '<DT><A HREF="https://example.com/">other</A>\n'
        "</DL><p>\n"
    )
    frame = parse_bookmarks_html(html)
    assert frame.attrs["skipped"] == 2
    assert frame.attrs["rejected"] == ["bookmark on line 2: it has no account"]


def test_backups_are_capped(config: Path):
    made = []
    for n in range(MAX_BACKUPS + 3):
        result = export_profiles(
            [RoleRef(TARGET, "x", profile="p", role_session_name=f"s{n:02d}")],
            config,
            source_profile="operator",
        )
        made.append(result.attrs["backup"])
    kept = sorted(config.parent.glob("config.xacct-backup-*"))
    assert len(kept) == MAX_BACKUPS == 5
    assert [str(p) for p in kept] == made[-MAX_BACKUPS:]  # the newest
    assert "role_session_name = s06" in kept[-1].read_text()
    other = config.parent / "config.xacct-backup-mine"  # not one of ours: left alone
    other.write_text("x")
    export_profiles([RoleRef(TARGET, "y", profile="q")], config, source_profile="operator")
    assert other.exists()
