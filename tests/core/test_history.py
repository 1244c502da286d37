"""Role history and bookmarks: unlimited, de-duplicated, persistent, safe across processes."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from xacct_widgets.core.switch.history import (
    HISTORY_COLUMNS,
    HistoryEntry,
    RoleHistory,
    default_path,
)
from xacct_widgets.errors import InvalidAccountId, InvalidColor

TARGET = "123456781234"
URL = "https://signin.aws.amazon.com/switchrole?roleName=cross-account&account=123456781234"


@pytest.fixture
def history(tmp_path):
    with RoleHistory(tmp_path / "history.sqlite3") as opened:
        yield opened


def test_record_and_frame(history):
    entry = history.record("1234-5678-1234", "cross-account", "prod", "Green")
    assert isinstance(entry, HistoryEntry)
    assert (entry.account_id, entry.color, entry.use_count) == (TARGET, "B7CA9D", 1)
    frame = history.frame()
    assert list(frame.columns) == list(HISTORY_COLUMNS)
    assert frame.loc[0, "switch_role_url"] == URL + "&displayName=prod&color=B7CA9D"
    assert str(frame["last_used"].dtype).startswith("datetime64")
    assert frame.loc[0, "use_count"] == 1 and not frame.loc[0, "bookmarked"]


def test_most_recent_first_and_more_than_five(history):
    for i in range(12):
        history.record(TARGET, f"role-{i}")
    frame = history.frame()
    assert len(frame) == 12
    assert frame["role_name"].tolist() == [f"role-{i}" for i in reversed(range(12))]
    history.record(TARGET, "role-3")
    assert history.frame().loc[0, "role_name"] == "role-3"


def test_dedupe_counts_and_keeps_labels(history):
    history.record(TARGET, "cross-account", "prod", "Red")
    history.record("1234-5678-1234", "cross-account")
    entry = history.record(TARGET, "cross-account", color="Blue")
    assert len(history) == 1
    assert (entry.use_count, entry.display_name, entry.color) == (3, "prod", "99BCE3")


def test_persisted_across_instances(tmp_path):
    path = tmp_path / "nested" / "history.sqlite3"
    with RoleHistory(path) as first:
        first.record(TARGET, "cross-account", "prod")
        first.bookmark(TARGET, "billing", "bills", "Orange")
    with RoleHistory(str(path)) as second:
        assert [e.role_name for e in second.entries()] == ["cross-account", "billing"]
        assert second.get(TARGET, "billing").bookmarked


def test_bookmarks(history):
    history.record(TARGET, "cross-account", "prod")
    history.bookmark(TARGET, "cross-account", color="Green")
    history.bookmark(TARGET, "billing", "bills")
    marks = history.bookmarks()
    assert list(marks.columns) == list(HISTORY_COLUMNS)
    assert marks["role_name"].tolist() == ["cross-account", "billing"]
    billing = history.get(TARGET, "billing")
    assert (billing.use_count, billing.last_used) == (0, None)
    assert history.entries()[-1].role_name == "billing"  # never used: after used entries
    history.unbookmark(TARGET, "billing")
    assert history.get(TARGET, "billing") is None  # never used, so gone with its bookmark
    history.unbookmark(TARGET, "cross-account")
    kept = history.get(TARGET, "cross-account")
    assert kept is not None and not kept.bookmarked and kept.color == "B7CA9D"
    assert history.bookmarks().empty


def test_remove_and_clear(history):
    history.record(TARGET, "a")
    history.record(TARGET, "b")
    history.bookmark(TARGET, "c")
    history.bookmark(TARGET, "b")
    assert history.remove(TARGET, "a") and not history.remove(TARGET, "a")
    history.clear()
    assert sorted(e.role_name for e in history.entries()) == ["b", "c"]
    assert all(e.use_count == 0 for e in history.entries())
    history.clear(keep_bookmarks=False)
    assert len(history) == 0 and history.frame().empty


def test_validation_before_writing(history):
    with pytest.raises(InvalidColor):
        history.record(TARGET, "cross-account", color="Purple")
    with pytest.raises(InvalidAccountId):
        history.bookmark("1234", "cross-account")
    assert len(history) == 0


def test_default_path_and_env(monkeypatch, tmp_path):
    monkeypatch.delenv("XACCT_HISTORY", raising=False)
    default = Path(default_path())
    assert default.name == "history.sqlite3" and "xacct_widgets" in default.parts
    monkeypatch.setenv("XACCT_HISTORY", str(tmp_path / "mine.sqlite3"))
    history = RoleHistory()
    assert history.path == tmp_path / "mine.sqlite3"
    history.record(TARGET, "cross-account")
    assert (tmp_path / "mine.sqlite3").exists()
    monkeypatch.setenv("XACCT_HISTORY", ":memory:")
    assert RoleHistory().path == ":memory:"


def test_memory_history_is_private():
    one, two = RoleHistory(":memory:"), RoleHistory(":memory:")
    one.record(TARGET, "cross-account")
    assert len(one) == 1 and len(two) == 0


def _record_many(path: str, worker: int, count: int) -> None:
    """Runs in a child process: half distinct roles, half one shared role."""
    with RoleHistory(path) as history:
        for i in range(count):
            role = "shared" if i % 2 else f"w{worker}-r{i}"
            history.record(TARGET, role, display_name=f"worker {worker}")


def test_two_processes_lose_nothing(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    RoleHistory(path).close()  # create the schema before the race
    context = multiprocessing.get_context("spawn")  # no fork of the sandbox's server thread
    workers = [context.Process(target=_record_many, args=(path, w, 50)) for w in (1, 2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
        assert process.exitcode == 0
    with RoleHistory(path) as history:
        entries = {e.role_name: e for e in history.entries()}
    assert len(entries) == 2 * 25 + 1
    assert entries["shared"].use_count == 2 * 25
    assert sum(e.use_count for e in entries.values()) == 100
