"""RoleExportPanel ("Take these roles elsewhere") and the switch wizard's AWS config profiles,
driven from Python against the sandbox and real files in a temporary folder."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import ROLE, TARGET, assert_no_secrets, css_classes, make_role

from xacct_widgets.core.profiles import bookmarks_html, esr_config
from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.widgets import RoleSwitcherBar, SwitchRoleWizard
from xacct_widgets.widgets.role_exports import RoleExportPanel

CONFIG = """# my own settings: keep them
[default]
region = eu-west-1

[profile operator]
region = us-east-1
"""
EXTENSION = """[tenant-a]
aws_account_id = 111122223333
role_name = ReadOnly
color = 99bce3

[tenant-b]
role_arn = arn:aws:iam::444455556666:role/team/Deploy
"""


@pytest.fixture
def switcher(fresh_sandbox):
    """Active: prod (cross-account); bookmarked: audit; in the history only: tenant-1."""
    make_role(fresh_sandbox)
    made = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    made.history.record(TARGET, "tenant-1", "tenant one")
    made.history.bookmark(TARGET, "audit", "audit", "Blue")
    made.switch(TARGET, ROLE, display_name="prod", color="Green")
    return made


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "config"
    path.write_text(CONFIG)
    return path


@pytest.fixture
def panel(switcher, config):
    return RoleExportPanel(switcher, aws_config=config, source_profile="operator")


def chosen_keys(panel):
    return [(r.account_id, r.role_name) for r in panel.chosen]


# -- choosing -------------------------------------------------------------------------------------
def test_bookmarks_and_the_active_role_are_chosen_first(panel):
    assert panel.error_text == ""
    assert repr(panel) == "RoleExportPanel(2 of 3 roles chosen)"
    assert panel._repr_mimebundle_()["text/plain"] == repr(panel)
    assert chosen_keys(panel) == [(TARGET, ROLE), (TARGET, "audit")]
    labels = [box.description for box in panel.picks.values()]
    assert labels[0] == f"prod — {ROLE} @ 1234-5678-1234 · active"  # hyphenated (issue 20)
    assert any(label.startswith("★ audit") for label in labels)
    assert "2 of 3 roles chosen" in panel.choice_note.value
    panel.choose(all_=True)
    assert len(panel.chosen) == 3
    panel.choose(none=True)
    assert panel.chosen == [] and panel.profiles.show_button.disabled
    assert "Choose at least one role" in panel.extension_copy.value
    panel.choose()
    assert chosen_keys(panel) == [(TARGET, ROLE), (TARGET, "audit")]
    assert list(panel.tabs.titles) == [
        "AWS CLI profiles",
        "Extension config",
        "Bookmarks file",
        "Console",
        "Import",
    ]
    assert {"xacct-role-exports", "xacct-export-show", "xacct-import-add"} <= css_classes(panel)


def test_no_role_yet(fresh_sandbox, config):
    empty = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    panel = RoleExportPanel(empty, aws_config=config, source_profile="operator")
    assert repr(panel) == "RoleExportPanel(0 of 0 roles chosen)"
    assert "No role yet" in panel.roles_box.children[0].value
    assert panel.profiles.show_button.disabled and panel.profiles.write_button.disabled


# -- AWS CLI profiles ----------------------------------------------------------------------------
def test_show_write_then_a_second_export_changes_nothing(panel, config):
    profiles = panel.profiles
    assert profiles.config_file == str(config)
    assert profiles.write_button.disabled  # nothing shown yet
    profiles.show_button.click()
    assert panel.error_text == "", panel.error_text
    diff = profiles.diff
    assert list(diff["profile"]) == ["prod", "audit"]
    assert list(diff["action"]) == ["add", "add"]
    assert config.read_text() == CONFIG  # shown, not written
    assert 'class="xacct-destructive"' not in profiles.diff_table.value
    assert profiles.confirm.layout.display == "none"
    assert profiles.write_button.description == "Write 2 profiles"
    assert not profiles.write_button.disabled
    assert "2 profiles to write" in panel.status.value

    profiles.write_button.click()
    assert panel.error_text == "", panel.error_text
    text = config.read_text()
    assert text.startswith(CONFIG)  # the rest of the file, comments included, as it was
    assert "[profile prod]" in text and "[profile audit]" in text
    assert f"role_arn = arn:aws:iam::{TARGET}:role/{ROLE}" in text
    assert "source_profile = operator" in text
    assert profiles.backup and Path(profiles.backup).read_text() == CONFIG
    note = profiles.note.value
    assert "Wrote 2 profiles" in note and profiles.backup in note
    assert "aws --profile prod sts get-caller-identity" in note
    assert ">added<" in profiles.diff_table.value  # the table now says what was done
    assert profiles.write_button.disabled  # written: a new diff is needed

    profiles.show_button.click()
    assert list(profiles.diff["action"]) == ["unchanged", "unchanged"]
    assert profiles.write_button.disabled
    assert "Nothing to change" in panel.status.value
    assert config.read_text() == text
    assert_no_secrets(panel)


def test_an_update_is_red_and_needs_a_confirmation(panel, switcher, config):
    profiles = panel.profiles
    profiles.show_button.click()
    profiles.write_button.click()
    switcher.history.record(TARGET, ROLE, "prod", "Red")  # prod's colour changes
    panel.refresh()
    profiles.show_button.click()
    diff = profiles.diff.set_index("profile")
    assert diff.loc["prod", "action"] == "update" and diff.loc["audit", "action"] == "unchanged"
    assert "color" in diff.loc["prod", "changes"]
    assert profiles.diff_table.value.count('class="xacct-destructive"') == 1
    assert profiles.confirm.layout.display is None
    assert "prod" in profiles.confirm.description
    assert profiles.write_button.disabled and profiles.write_button.description == (
        "Write 1 profile"
    )
    assert profiles.do_write() is False
    profiles.confirm.value = True
    assert not profiles.write_button.disabled
    profiles.write_button.click()
    assert panel.error_text == ""
    assert "color = f2b0a9" in config.read_text().lower()


def test_changing_the_choice_or_a_field_drops_the_diff(panel):
    profiles = panel.profiles
    profiles.show_button.click()
    assert not profiles.write_button.disabled
    panel.select((TARGET, ROLE))
    assert profiles.diff is None and profiles.write_button.disabled
    assert profiles.diff_table.value == ""
    profiles.show_button.click()
    assert list(profiles.diff["profile"]) == ["prod"]
    profiles.source.control.value = "default"
    assert profiles.diff is None and profiles.write_button.disabled


def test_a_hand_written_profile_is_a_conflict_shown_with_its_fix(panel, config):
    hand = CONFIG + "\n[profile prod]\nrole_arn = arn:aws:iam::111122223333:role/mine\n"
    config.write_text(hand)
    panel.profiles.show_button.click()
    text = panel.error_text
    assert "prod" in text and "not written by xacct_widgets" in text
    assert "Fix:" in text and "overwrite=True" in text
    assert "Traceback" not in panel.error.value
    assert panel.profiles.diff is None and panel.profiles.write_button.disabled
    assert config.read_text() == hand
    # Only now is taking them over offered; the take-over is a change like any other.
    profiles = panel.profiles
    assert profiles.overwrite.layout.display is None and not profiles.overwrite.value
    profiles.overwrite.value = True
    profiles.show_button.click()
    assert panel.error_text == ""
    diff = profiles.diff.set_index("profile")
    assert diff.loc["prod", "action"] == "update" and diff.loc["prod", "hand_written"]
    assert profiles.write_button.disabled and profiles.confirm.layout.display is None
    profiles.confirm.value = True
    profiles.write_button.click()
    assert panel.error_text == ""
    assert f"role_arn = arn:aws:iam::{TARGET}:role/{ROLE}" in config.read_text()
    assert profiles.overwrite.layout.display == "none" and not profiles.overwrite.value


def test_an_unknown_source_profile_is_refused(panel, config):
    panel.profiles.source.control.value = "nobody"
    panel.profiles.show_button.click()
    assert "'nobody'" in panel.error_text and "Fix:" in panel.error_text
    assert config.read_text() == CONFIG


# -- extension config and bookmarks ---------------------------------------------------------------
def test_extension_config_is_the_cores_text(panel):
    assert panel.extension_text.value == esr_config(panel.chosen) == panel.extension_config
    assert panel.extension_text.disabled  # read-only
    assert "[prod]" in panel.extension_text.value or "prod" in panel.extension_text.value
    assert 'data-copy="' in panel.extension_copy.value
    assert "xacct-copy-button" in panel.extension_copy.value
    panel.choose(all_=True)
    assert panel.extension_text.value == esr_config(panel.chosen)
    assert "tenant one" in panel.extension_text.value


def test_bookmarks_download_decodes_to_the_cores_file(panel):
    link = panel.bookmarks_link.value
    assert 'download="aws-roles.html"' in link
    (data,) = re.findall(r'href="data:text/html;base64,([A-Za-z0-9+/=]+)"', link)
    text = base64.b64decode(data).decode("utf-8")
    assert text == bookmarks_html(panel.chosen) == panel.bookmarks_file
    assert "(2 bookmarks)" in link
    assert "switchrole" in text and "SigninToken" not in text
    assert_no_secrets(panel)


# -- import ---------------------------------------------------------------------------------------
def test_import_pasted_extension_config_as_bookmarks(panel, switcher):
    bar = RoleSwitcherBar(switcher)
    importer = panel.importer
    assert importer.preview_button.disabled and importer.add_button.disabled
    importer.paste.value = EXTENSION
    importer.preview_button.click()
    assert panel.error_text == "", panel.error_text
    assert list(importer.found["account_id"]) == ["111122223333", "444455556666"]
    assert "ReadOnly" in importer.preview_table.value
    assert importer.add_button.description == "Add 2 roles as bookmarks"
    assert switcher.history.get("111122223333", "ReadOnly") is None  # previewed only
    importer.add_button.click()
    assert panel.error_text == ""
    marks = switcher.history.bookmarks().set_index("role_name")
    assert marks.loc["ReadOnly", "display_name"] == "tenant-a"
    assert marks.loc["Deploy", "account_id"] == "444455556666"
    assert switcher.history.get("444455556666", "Deploy").path == "/team/"
    assert "Added 2 bookmarks" in panel.status.value
    assert ("111122223333", "ReadOnly") in chosen_keys(panel)  # new bookmarks are ticked
    assert len(bar.history_select.options) == 5  # the bar was told
    assert importer.found is None and importer.add_button.disabled


def test_import_an_uploaded_bookmarks_file(panel, switcher, fresh_sandbox):
    other = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    other.history.bookmark("111122223333", "ReadOnly", "tenant a", "Yellow")
    other.history.bookmark("444455556666", "Deploy", "tenant b")
    content = bookmarks_html(other.history.bookmarks()).encode()
    importer = panel.importer
    importer.upload.value = (
        {
            "name": "bookmarks.html",
            "type": "text/html",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime(2026, 1, 1, tzinfo=UTC),
        },
    )
    importer.preview_button.click()
    assert panel.error_text == "", panel.error_text
    assert sorted(importer.found["role_name"]) == ["Deploy", "ReadOnly"]
    assert "bookmarks file" in panel.status.value
    importer.add_button.click()
    marks = switcher.history.bookmarks().set_index("role_name")
    assert marks.loc["ReadOnly", "display_name"] == "tenant a"
    assert marks.loc["ReadOnly", "color"] == "FAD791"


def test_import_nonsense_is_an_error_with_a_fix(panel, switcher):
    panel.importer.paste.value = "[broken\nthis is not a config"
    panel.importer.preview_button.click()
    assert panel.error_text and "Traceback" not in panel.error.value
    assert panel.importer.add_button.disabled
    assert len(switcher.history) == 3


# -- the switch wizard's AWS config profiles -------------------------------------------------------
def test_wizard_lists_and_switches_to_config_profiles(fresh_sandbox, config):
    make_role(fresh_sandbox)
    config.write_text(
        CONFIG
        + f"\n[profile prod-ro]\nrole_arn = arn:aws:iam::{TARGET}:role/{ROLE}\n"
        + "source_profile = operator\ncolor = b7ca9d\n"
    )
    wizard = SwitchRoleWizard(
        fresh_sandbox.session("source", "operator"), history=":memory:", aws_config=config
    )
    wizard.go(4)
    assert wizard.step_key == "history"
    profiles = wizard.profiles
    assert profiles.section.layout.display is None
    assert list(profiles.frame["profile"]) == ["prod-ro"]
    assert "prod-ro" in profiles.table.value and TARGET in profiles.table.value
    assert profiles.select.value == "prod-ro" and not profiles.switch_button.disabled
    assert profiles.select.options == ((f"prod-ro — {ROLE} @ 1234-5678-1234", "prod-ro"),)
    profiles.switch_button.click()
    assert wizard.error_text == "", wizard.error_text
    assert wizard.step_key == "B6-B7"
    assert wizard.active.role_name == ROLE and wizard.active.color == "B7CA9D"
    assert "Switched to profile prod-ro" in wizard.status.value
    assert wizard.frame.loc[0, "role_name"] == ROLE  # recorded like any switch


def test_wizard_without_an_aws_config_says_so_quietly(fresh_sandbox, tmp_path):
    wizard = SwitchRoleWizard(
        fresh_sandbox.session("source", "operator"),
        history=":memory:",
        aws_config=tmp_path / "missing",
    )
    wizard.go(4)
    assert wizard.error_text == ""
    assert wizard.profiles.section.layout.display == "none"
    assert "No role profiles in your AWS config" in wizard.profiles.note.value
    assert wizard.profiles.switch_button.disabled


def test_wizard_asks_for_the_mfa_code_of_an_mfa_profile(fresh_sandbox, config):
    make_role(fresh_sandbox, require_mfa=True)
    serial = fresh_sandbox.principal("source", "operator")["mfa_serial"]
    config.write_text(
        CONFIG
        + f"\n[profile prod-mfa]\nrole_arn = arn:aws:iam::{TARGET}:role/{ROLE}\n"
        + f"source_profile = operator\nmfa_serial = {serial}\n"
    )
    wizard = SwitchRoleWizard(
        fresh_sandbox.session("source", "operator"), history=":memory:", aws_config=config
    )
    wizard.go(4)
    profiles = wizard.profiles
    assert profiles.needs_mfa and profiles.mfa_code.layout.display is None
    assert profiles.switch_button.disabled  # no code yet
    profiles.mfa_code.value = fresh_sandbox.MFA_CODE
    assert not profiles.switch_button.disabled
    assert wizard.do_profile_switch() is True, wizard.error_text
    assert wizard.active.mfa and wizard.active.role_name == ROLE
    assert profiles.mfa_code.value == ""  # a one-time code: not left in the form
