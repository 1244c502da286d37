"""Role history and bookmarks: unlimited, de-duplicated, persistent, safe across processes."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from xacct_widgets.core.switch.history import (
    HISTORY_COLUMNS,
    HistoryEntry,
    RoleHistory,
    default_path,
)
from xacct_widgets.errors import InvalidAccountId, InvalidColor, XacctError

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


# -- a history file that cannot be written never stops a switch -----------------------------------
HISTORY_LOG = "xacct_widgets.core.switch.history"

_LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "exclusive":  # a rollback-journal database locked even for readers
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
conn.execute("BEGIN EXCLUSIVE")
conn.execute("CREATE TABLE IF NOT EXISTS other (x)")
print("locked", flush=True)
sys.stdin.read()  # hold the lock until the test closes stdin
"""


@contextlib.contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """Make ``paths`` read-only for this process; as root (which ignores modes) also immutable."""
    for path in paths:
        path.chmod(0o555 if path.is_dir() else 0o444)
    immutable = os.geteuid() == 0
    if immutable:
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: a read-only file cannot be made")
        done = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True)
        if done.returncode:
            pytest.skip(f"chattr +i unsupported here: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", *map(str, paths)], check=True)
        for path in paths:
            path.chmod(0o755 if path.is_dir() else 0o644)


@contextlib.contextmanager
def locked(path: Path, mode: str) -> Iterator[None]:
    """Another process holding ``path``'s exclusive lock until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _LOCKER, str(path), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == HISTORY_LOG and r.levelno == logging.WARNING
    ]


def _one_warning(history: RoleHistory, caplog: pytest.LogCaptureFixture) -> None:
    assert not history.saving and history.warning
    assert history.warning.startswith("Role history is not being saved")
    assert str(history.path) in history.warning and "Switching works" in history.warning
    assert _warnings(caplog) == [f"{history.warning} {_FIX}"]
    assert "not saved" in repr(history)


_FIX = (
    "Make the file and its folder writable, close the program holding it, or set "
    "$XACCT_HISTORY to another file (or ':memory:')."
)


def test_read_only_file_keeps_its_entries_in_memory(tmp_path, caplog):
    path = tmp_path / "history.sqlite3"
    with RoleHistory(path) as first:
        first.record(TARGET, "kept", "prod")
    with read_only(path):
        history = RoleHistory(path)
        _one_warning(history, caplog)
        assert [e.role_name for e in history.entries()] == ["kept"]
        history.record(TARGET, "new")
        history.bookmark(TARGET, "kept", color="Green")
        assert [e.role_name for e in history.entries()] == ["new", "kept"]
        assert len(_warnings(caplog)) == 1  # once, not per write
        history.close()
    with RoleHistory(path) as reopened:  # the file itself never changed
        assert [e.role_name for e in reopened.entries()] == ["kept"]


def test_read_only_folder(tmp_path, caplog):
    folder = tmp_path / "config"
    folder.mkdir()
    with read_only(folder):
        history = RoleHistory(folder / "history.sqlite3")
        _one_warning(history, caplog)
        assert "unable to open database file" in history.warning
        history.record(TARGET, "cross-account")
        assert len(history) == 1
    assert not (folder / "history.sqlite3").exists()


def test_folder_that_is_a_file(tmp_path, caplog):
    (tmp_path / "not-a-folder").write_text("")
    history = RoleHistory(tmp_path / "not-a-folder" / "history.sqlite3")
    _one_warning(history, caplog)
    assert history.record(TARGET, "cross-account").use_count == 1


def test_strict_history_raises(tmp_path):
    (tmp_path / "not-a-folder").write_text("")
    with pytest.raises(XacctError, match="cannot be written") as caught:
        RoleHistory(tmp_path / "not-a-folder" / "history.sqlite3", strict=True)
    assert "XACCT_HISTORY" in str(caught.value)


def test_memory_history_is_not_a_warning(caplog):
    history = RoleHistory(":memory:")
    assert history.warning is None and not history.saving and _warnings(caplog) == []


@pytest.mark.parametrize("mode", ["wal", "exclusive"])
def test_locked_file_falls_back_instead_of_waiting(tmp_path, caplog, mode):
    # "wal": another writer holds the lock, readers still read (entries are kept);
    # "exclusive": the file cannot even be read (the history starts empty).
    path = tmp_path / "history.sqlite3"
    if mode == "wal":
        with RoleHistory(path) as first:
            first.record(TARGET, "kept")
    with locked(path, mode):
        history = RoleHistory(path)
        _one_warning(history, caplog)
        assert "database is locked" in history.warning
        assert [e.role_name for e in history.entries()] == (["kept"] if mode == "wal" else [])
        history.record(TARGET, "new")
        assert history.entries()[0].role_name == "new"


def test_lock_taken_after_opening(tmp_path, caplog):
    path = tmp_path / "history.sqlite3"
    history = RoleHistory(path)
    history.record(TARGET, "before")
    assert history.saving
    with locked(path, "wal"):
        history.record(TARGET, "during")  # waits for the lock a while, then goes on in memory
        _one_warning(history, caplog)
    assert [e.role_name for e in history.entries()] == ["during", "before"]


@pytest.fixture
def role(fresh_sandbox):
    from helpers import make_role

    return make_role(fresh_sandbox)


@pytest.mark.parametrize("problem", ["read-only", "locked"])
def test_switcher_switches_with_an_unusable_history(
    fresh_sandbox, role, tmp_path, monkeypatch, caplog, problem
):
    from xacct_widgets.core.switch import RoleSwitcher

    path = tmp_path / "history.sqlite3"
    RoleHistory(path).close()
    monkeypatch.setenv("XACCT_SANDBOX_HISTORY", str(path))  # a sandbox session's history
    with read_only(path) if problem == "read-only" else locked(path, "wal"):
        switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"))
        active = switcher.switch(TARGET, "cross-account", display_name="prod")
        assert active.role_arn == role
        switcher.switch(TARGET, "cross-account", from_base=True)
    assert switcher.history.warning and not switcher.history.saving
    assert switcher.history.get(TARGET, "cross-account").use_count == 2
    assert len(_warnings(caplog)) == 1
