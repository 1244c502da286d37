"""role_refs keys entries by profile name (issue 19, item 4): two profiles of one role are two
entries, and every export writes both; an entry given twice is still kept once."""

from __future__ import annotations

from pathlib import Path

import pytest

from xacct_widgets.core.profiles import (
    RoleRef,
    aws_config_profiles,
    bookmarks_html,
    esr_config,
    export_profiles,
    parse_esr_config,
    role_refs,
)
from xacct_widgets.core.switch import HistoryEntry

TARGET = "123456781234"
ARN = f"arn:aws:iam::{TARGET}:role/read-only"
RO = RoleRef(TARGET, "read-only", profile="prod-ro")
RO_EU = RoleRef(TARGET, "read-only", profile="prod-ro-eu")


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    (tmp_path / "credentials").write_text("[operator]\naws_access_key_id = AKIAEXAMPLE\n")
    path = tmp_path / "config"
    path.write_text("[profile operator]\nregion = us-east-1\n")
    return path


def test_same_role_under_two_profile_names_is_two_entries():
    assert role_refs([RO, RO_EU]) == [RO, RO_EU]
    assert role_refs([RO, RO_EU, RO]) == [RO, RO_EU]  # the same entry twice: once
    entry = HistoryEntry(TARGET, "read-only")
    assert role_refs([entry, ARN]) == [RoleRef(TARGET, "read-only")]  # no name: the ARN keys


def test_both_profiles_are_exported_and_read_back(config: Path):
    diff = export_profiles([RO, RO_EU], config, source_profile="operator")
    assert list(diff["profile"]) == ["prod-ro", "prod-ro-eu"]
    assert list(diff["role_arn"]) == [ARN, ARN]
    read = aws_config_profiles(config)
    assert list(read["profile"]) == ["prod-ro", "prod-ro-eu"]
    again = export_profiles(read, config, source_profile="operator", dry_run=True)
    assert list(again["action"]) == ["unchanged", "unchanged"]


def test_both_profiles_reach_the_extension_and_the_bookmarks():
    frame = parse_esr_config(esr_config([RO, RO_EU]))
    assert list(frame["profile"]) == ["prod-ro", "prod-ro-eu"]
    assert bookmarks_html([RO, RO_EU]).count("<DT><A ") == 2
