"""export_profiles: the diff first, a round trip that leaves everything else byte-identical,
nothing written twice, and no hand-written profile changed without overwrite=True.

File-level tests (no AWS); the real consumers (boto3, the AWS CLI) are in
tests/sandbox/test_profiles_consumers.py.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from xacct_widgets.core.profiles import (
    EXPORT_COLUMNS,
    RoleRef,
    aws_config_profiles,
    export_profiles,
    profile_names,
    role_refs,
)
from xacct_widgets.core.profiles.config_file import MARKER
from xacct_widgets.core.switch import HistoryEntry
from xacct_widgets.errors import InvalidInput, ProfileConflict

TARGET = "123456781234"
ENDPOINT = "http://127.0.0.1:4999"

# Comments (both kinds), blank lines, [default], an sso-session, a services block, a profile
# using the colon delimiter and odd spacing, and a hand-written role profile.
ORIGINAL = """# my AWS config: keep this comment
[default]
region = eu-west-1
output=json

; the operator's base profile (keys in the credentials file)
[profile operator]
region = us-east-1
endpoint_url = http://127.0.0.1:4999


[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile corp-admin]
sso_session = corp
sso_account_id = 111122223333
sso_role_name   :   AdministratorAccess
s3 =
    addressing_style = path

[profile hand]
role_arn = arn:aws:iam::123456781234:role/hand
source_profile = operator
color = ffaaee
# trailing comment at the end
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config"
    path.write_text(ORIGINAL)
    path.chmod(0o640)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "elsewhere"))  # path= wins
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    (tmp_path / "credentials").write_text("[operator]\naws_access_key_id = AKIAEXAMPLE\n")
    return path


def refs() -> list[RoleRef]:
    return [
        RoleRef(TARGET, "cross-account", display_name="Prod (EU)", color="Green"),
        RoleRef(TARGET, "vendor", external_id="tenant-42", duration_seconds=1800),
    ]


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.xacct-backup-*"))


def test_first_export_adds_and_keeps_everything_else_byte_identical(config: Path) -> None:
    diff = export_profiles(refs(), config, source_profile="operator")
    assert list(diff.columns) == list(EXPORT_COLUMNS)
    assert list(diff["profile"]) == ["prod-eu", f"vendor-{TARGET}"]
    assert list(diff["action"]) == ["add", "add"]
    assert (
        "role_arn: (unset) → arn:aws:iam::123456781234:role/cross-account" in diff.loc[0, "changes"]
    )
    text = config.read_text()
    assert text.startswith(ORIGINAL)  # every byte before the new sections, unchanged
    added = text[len(ORIGINAL) :]
    assert added == (
        "\n[profile prod-eu]\n"
        f"{MARKER}\n"
        "role_arn = arn:aws:iam::123456781234:role/cross-account\n"
        "source_profile = operator\n"
        "color = b7ca9d\n"
        "region = us-east-1\n"
        f"endpoint_url = {ENDPOINT}\n"
        f"\n[profile vendor-{TARGET}]\n"
        f"{MARKER}\n"
        "role_arn = arn:aws:iam::123456781234:role/vendor\n"
        "source_profile = operator\n"
        "external_id = tenant-42\n"
        "duration_seconds = 1800\n"
        "region = us-east-1\n"
        f"endpoint_url = {ENDPOINT}\n"
    )
    assert stat.S_IMODE(config.stat().st_mode) == 0o640  # the file keeps its mode
    [backup] = backups(config)
    assert backup.read_text() == ORIGINAL and diff.attrs["backup"] == str(backup)
    assert diff.attrs["written"] is True


def test_read_back_equals_what_was_exported(config: Path) -> None:
    export_profiles(refs(), config, source_profile="operator")
    frame = aws_config_profiles(config).set_index("profile")
    assert frame.loc["prod-eu", "written_by_xacct"] and not frame.loc["hand", "written_by_xacct"]
    read = {r.profile: r for r in role_refs(frame.reset_index())}
    for ref, name in zip(refs(), ["prod-eu", f"vendor-{TARGET}"], strict=True):
        # what was exported, named as written and labelled (as the extension does) by that name
        assert read[name] == ref.with_(profile=name, display_name=name, source_profile="operator")
        assert frame.loc[name, "endpoint_url"] == ENDPOINT


def test_second_export_changes_nothing(config: Path) -> None:
    export_profiles(refs(), config, source_profile="operator")
    before = config.read_bytes()
    for backup in backups(config):
        backup.unlink()
    os.utime(config, (1_000_000, 1_000_000))
    again = export_profiles(refs(), config, source_profile="operator")
    assert list(again["action"]) == ["unchanged", "unchanged"]
    assert list(again["changes"]) == ["", ""]
    assert config.read_bytes() == before and config.stat().st_mtime == 1_000_000
    assert backups(config) == [] and again.attrs["written"] is False
    assert again.attrs["backup"] is None


def test_reexporting_the_frame_read_back_changes_nothing(config: Path) -> None:
    export_profiles(refs(), config, source_profile="operator")
    before = config.read_bytes()
    mine = aws_config_profiles(config).query("written_by_xacct")
    assert list(export_profiles(mine, config, source_profile="operator")["action"]) == [
        "unchanged",
        "unchanged",
    ]
    assert config.read_bytes() == before


def test_update_of_an_exported_profile_shows_old_and_new(config: Path) -> None:
    export_profiles(refs(), config, source_profile="operator")
    first = config.read_text()
    changed = refs()[1].with_(external_id="tenant-43", duration_seconds=None, mfa_serial=None)
    changed = changed.with_(role_session_name="audit")
    diff = export_profiles([changed], config, source_profile="operator")
    assert diff.loc[0, "action"] == "update"
    assert diff.loc[0, "changes"] == (
        "external_id: tenant-42 → tenant-43; duration_seconds: 1800 → (unset); "
        "role_session_name: (unset) → audit"
    )
    text = config.read_text()
    section = text[text.index(f"[profile vendor-{TARGET}]") :]
    assert "external_id = tenant-43\n" in section and "duration_seconds" not in section
    assert "role_session_name = audit\n" in section
    # everything before the updated profile is as it was
    cut = first.index(f"[profile vendor-{TARGET}]")
    assert text[:cut] == first[:cut]
    assert len(backups(config)) == 2


def test_hand_written_profile_is_refused_then_taken_over_with_overwrite(config: Path) -> None:
    hand = RoleRef(TARGET, "hand", color="Blue", profile="hand")
    with pytest.raises(ProfileConflict) as refused:
        export_profiles([*refs(), hand], config, source_profile="operator")
    assert refused.value.profiles == ("hand",)
    assert "hand" in str(refused.value) and "overwrite=True" in (refused.value.fix or "")
    assert config.read_text() == ORIGINAL and backups(config) == []
    with pytest.raises(ProfileConflict):  # a dry run is refused too: its diff could not happen
        export_profiles([hand], config, source_profile="operator", dry_run=True)

    diff = export_profiles([hand], config, source_profile="operator", overwrite=True)
    assert diff.loc[0, "action"] == "update" and bool(diff.loc[0, "hand_written"])
    assert "color: ffaaee → 99bce3" in diff.loc[0, "changes"]
    text = config.read_text()
    assert text.count("[profile hand]") == 1
    assert f"[profile hand]\n{MARKER}\nrole_arn = " in text
    assert text.endswith("# trailing comment at the end\n")
    assert text[: text.index("[profile hand]")] == ORIGINAL[: ORIGINAL.index("[profile hand]")]
    # now it is ours: a later change needs no overwrite
    assert (
        export_profiles([hand.with_(color="Red")], config, source_profile="operator").loc[
            0, "action"
        ]
        == "update"
    )


def test_identical_hand_written_profile_is_unchanged_not_a_conflict(config: Path) -> None:
    config.write_text(
        "[profile operator]\nregion = us-east-1\n\n[profile hand]\n"
        "role_arn = arn:aws:iam::123456781234:role/hand\nsource_profile = operator\n"
        "region = us-east-1\n"
    )
    diff = export_profiles(
        [RoleRef(TARGET, "hand", profile="hand")], config, source_profile="operator"
    )
    assert list(diff["action"]) == ["unchanged"]


def test_dry_run_writes_nothing(config: Path) -> None:
    diff = export_profiles(refs(), config, source_profile="operator", dry_run=True)
    assert list(diff["action"]) == ["add", "add"] and diff.attrs["written"] is False
    assert config.read_text() == ORIGINAL and backups(config) == []


def test_new_file_is_private_and_explicit_endpoint_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "new" / "config"
    (tmp_path / "credentials").write_text("[default]\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    diff = export_profiles(
        ["arn:aws:iam::123456781234:role/cross-account"],
        path,
        source_profile="default",
        endpoint_url="http://127.0.0.1:5001",
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and diff.attrs["backup"] is None
    assert path.read_text().startswith(f"[profile cross-account-{TARGET}]\n{MARKER}\n")
    assert "endpoint_url = http://127.0.0.1:5001\n" in path.read_text()


def test_entries_of_every_kind_and_names(config: Path) -> None:
    entries = [
        HistoryEntry(TARGET, "cross-account", display_name="prod", color="Red"),
        f"https://signin.aws.amazon.com/switchrole?roleName=auditor&account={TARGET}",
        (TARGET, "reader"),
        RoleRef(TARGET, "writer", display_name="prod"),  # same display name: account added
    ]
    diff = export_profiles(entries, config, source_profile="operator", dry_run=True)
    assert list(diff["profile"]) == [
        "prod",
        f"auditor-{TARGET}",
        f"reader-{TARGET}",
        f"prod-{TARGET}",
    ]
    assert profile_names([RoleRef(TARGET, "x", profile="mine")]) == ["mine"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"source_profile": "no such"}, "source_profile"),
        ({"source_profile": "missing"}, "neither"),
        ({"source_profile": "operator", "endpoint_url": "ftp://x"}, "endpoint_url"),
    ],
)
def test_bad_arguments_fail_before_any_write(config: Path, kwargs, match) -> None:
    with pytest.raises(InvalidInput, match=match):
        export_profiles(refs(), config, **kwargs)
    assert config.read_text() == ORIGINAL


def test_bad_names_are_refused(config: Path) -> None:
    with pytest.raises(InvalidInput, match="more than one"):
        export_profiles(
            [RoleRef(TARGET, "a", profile="x"), RoleRef(TARGET, "b", profile="x")],
            config,
            source_profile="operator",
        )
    with pytest.raises(InvalidInput, match="default"):
        export_profiles(
            [RoleRef(TARGET, "a", profile="default")], config, source_profile="operator"
        )
    with pytest.raises(InvalidInput, match="also a profile"):
        export_profiles(
            [RoleRef(TARGET, "a", profile="operator")], config, source_profile="operator"
        )


def test_no_secret_is_ever_written(config: Path) -> None:
    export_profiles(refs(), config, source_profile="operator")
    text = config.read_text()
    assert "AKIAEXAMPLE" not in text
    assert "aws_secret_access_key" not in text and "aws_session_token" not in text


def test_crlf_file_without_final_newline_through_a_symlink(tmp_path: Path, config: Path) -> None:
    original = b"[profile operator]\r\nregion = us-east-1\r\n\r\n[profile  spaced]\r\nregion = x"
    real = tmp_path / "real-config"
    real.write_bytes(original)
    link = tmp_path / "link"
    link.symlink_to(real)
    export_profiles([RoleRef(TARGET, "a", profile="one")], link, source_profile="operator")
    assert link.is_symlink()  # the file behind the link was replaced, not the link
    first = real.read_bytes()
    assert first.startswith(original + b"\r\n\r\n[profile one]\r\n")
    assert b"\n" not in first.replace(b"\r\n", b"")
    ref = RoleRef(TARGET, "a", profile="one", external_id="abc-def")
    export_profiles([ref], link, source_profile="operator")
    second = real.read_bytes()
    assert b"external_id = abc-def\r\n" in second and b"\n" not in second.replace(b"\r\n", b"")
    assert second.startswith(original)
    # "[profile  spaced]" is botocore's profile "spaced": a hand-written one
    with pytest.raises(ProfileConflict):
        export_profiles([RoleRef(TARGET, "a", profile="spaced")], link, source_profile="operator")
