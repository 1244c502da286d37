"""The operator's role history and bookmarks are theirs (issue 20, items 6 and 8).

Sandbox work keeps its own history file, never ``$XACCT_HISTORY`` nor the user's config dir; and
a switch never renames or recolours a bookmark (notebook 02's demo switched into the bookmarked
"prod" role as "target (typed)" and the bookmark took that name).
"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from helpers import ROLE, TARGET, make_role

from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.core.switch.history import (
    RoleHistory,
    default_path,
    is_sandbox_session,
)
from xacct_widgets.core.switch.history_path import SANDBOX_PROFILE


@pytest.fixture
def operator_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The operator's real history: ``$XACCT_HISTORY``, with a bookmark of their own."""
    path = tmp_path / "real" / "history.sqlite3"
    monkeypatch.setenv("XACCT_HISTORY", str(path))
    with RoleHistory(path) as real:
        real.bookmark(TARGET, ROLE, "production", "Red")
    return path


def _snapshot(path: Path) -> list[object]:
    with RoleHistory(path) as history:
        return history.entries()


# -- kept apart ---------------------------------------------------------------------------------
def test_the_sandbox_profile_name_is_the_sandboxs() -> None:
    from xacct_widgets.sandbox.remote import PROFILE

    assert SANDBOX_PROFILE == PROFILE


def test_sandbox_sessions_never_use_the_operators_history(
    fresh_sandbox, operator_history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    operator = fresh_sandbox.session("source", "operator")
    admin = fresh_sandbox.session("target", "admin")
    assert is_sandbox_session(operator) and is_sandbox_session(admin)
    # Named for the sandbox (xacct lab / xacct app set it for their kernels): that file.
    monkeypatch.setenv("XACCT_SANDBOX_HISTORY", str(tmp_path / "sandbox.sqlite3"))
    assert default_path(operator) == tmp_path / "sandbox.sqlite3"
    # Not named: one temporary file per sandbox in this process, shared by its sessions.
    monkeypatch.delenv("XACCT_SANDBOX_HISTORY")
    own = default_path(operator)
    assert own == default_path(admin) and own != operator_history
    assert "xacct_widgets" not in Path(own).parts  # not the user's config dir
    # A real AWS session still gets the operator's history.
    real = boto3.Session(aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x")
    assert not is_sandbox_session(real)
    assert default_path(real) == default_path() == operator_history


def test_switching_in_the_sandbox_leaves_the_real_history_untouched(
    fresh_sandbox, operator_history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_role(fresh_sandbox)
    home = tmp_path / "home"  # the user's config dir, if anything reached for it
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("XACCT_SANDBOX_HISTORY")
    before = _snapshot(operator_history)
    real_bytes = operator_history.read_bytes()

    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"))
    switcher.switch(TARGET, ROLE, display_name="target (typed)", color="Blue")
    switcher.back()
    switcher.history.bookmark(TARGET, "billing", "sandbox bills")

    assert switcher.history.path != operator_history
    assert [e.use_count for e in switcher.history.entries() if e.role_name == ROLE] == [1]
    assert operator_history.read_bytes() == real_bytes
    assert _snapshot(operator_history) == before
    assert not home.exists()


# -- bookmarks keep their labels ----------------------------------------------------------------
def test_a_switch_never_renames_a_bookmark(tmp_path: Path) -> None:
    with RoleHistory(tmp_path / "h.sqlite3") as history:
        history.bookmark(TARGET, ROLE, "prod", "Green")
        history.record(TARGET, "billing", "bills", "Orange")

        kept = history.record(TARGET, ROLE, "target (typed)", "Blue")
        assert (kept.display_name, kept.color) == ("prod", "B7CA9D")
        assert kept.use_count == 1 and kept.bookmarked
        # History entries that are not bookmarks take the latest labels, as the console does.
        relabelled = history.record(TARGET, "billing", "billing", "Yellow")
        assert (relabelled.display_name, relabelled.color) == ("billing", "FAD791")
        # The operator renames a bookmark by bookmarking it again.
        renamed = history.bookmark(TARGET, ROLE, "production", "Red")
        assert (renamed.display_name, renamed.use_count) == ("production", 1)


def test_switching_into_a_bookmarked_role_keeps_the_bookmark(fresh_sandbox, tmp_path) -> None:
    make_role(fresh_sandbox)
    switcher = RoleSwitcher(
        fresh_sandbox.session("source", "operator"), history=tmp_path / "h.sqlite3"
    )
    switcher.history.bookmark(TARGET, ROLE, "prod", "Green")
    active = switcher.switch("1234-5678-1234", ROLE, display_name="target (typed)", color="Blue")
    assert active.display_name == "target (typed)"  # this session is labelled as asked
    marks = switcher.history.bookmarks()
    assert list(marks["display_name"]) == ["prod"] and list(marks["color"]) == ["B7CA9D"]
    assert list(marks["use_count"]) == [1]
