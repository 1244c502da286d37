"""Persistent role history and bookmarks: the console's 5-role cookie, without the limit.

The console remembers the last five roles in a browser cookie; past that, the tutorial's author
bookmarks switch-role URLs by hand. Here every successful switch is recorded in a small SQLite
file in the user's config directory, so it survives kernel restarts and is shared by every
notebook of the user. Switches in the embedded sandbox go to the sandbox's own file instead
(:mod:`.history_path`).

A bookmark is the operator's own label for a role: switching into a bookmarked role counts the
use but never renames or recolours the bookmark (a demo cell switching with another display name
leaves "prod" as it is); :meth:`RoleHistory.bookmark` changes its label.

Why SQLite rather than a JSON file: two kernels switching at the same moment must not lose each
other's entries. SQLite's write lock (``BEGIN IMMEDIATE``), WAL journal and busy timeout give
that for free across processes; a read-modify-write JSON file would need its own locking and
still break on a crash mid-write. The file holds no secret: account IDs, role names, display
names, colours and partitions only. Its format and migrations live in :mod:`.history_store`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, TypeVar

import pandas as pd

from ...errors import InvalidInput, XacctError
from .. import ids, urls
from ..frames import to_frame
from . import history_store as store
from .history_path import ENV_VAR, SANDBOX_ENV_VAR, default_path, is_sandbox_session

__all__ = [
    "ENV_VAR",
    "HISTORY_COLUMNS",
    "SANDBOX_ENV_VAR",
    "HistoryEntry",
    "RoleHistory",
    "default_path",
    "is_sandbox_session",
]

log = logging.getLogger(__name__)
_T = TypeVar("_T")

#: Columns of :meth:`RoleHistory.frame` and :meth:`RoleHistory.bookmarks`, in order.
HISTORY_COLUMNS: Final = (
    "account_id",
    "role_name",
    "display_name",
    "color",
    "last_used",
    "use_count",
    "bookmarked",
    "partition",
    "switch_role_url",
)
_MEMORY: Final = store.MEMORY
_OPEN_TIMEOUT_S: Final = 2.0  # waiting for another process's lock when opening
_BUSY_TIMEOUT_S: Final = 5.0  # ... and for one write later (a write takes milliseconds)


@dataclass(frozen=True)
class HistoryEntry:
    """One remembered role: where, how it is labelled, how often and when it was last used."""

    account_id: str
    role_name: str
    display_name: str | None = None
    color: str | None = None
    path: str = "/"
    last_used: datetime | None = None
    use_count: int = 0
    bookmarked: bool = False
    partition: str = "aws"

    @property
    def role_arn(self) -> str:
        return ids.role_arn(self.account_id, self.role_name, self.path, partition=self.partition)

    @property
    def switch_role_url(self) -> str:
        """The console link for this entry (what the tutorial's author bookmarked)."""
        return urls.link_of(self).url

    @property
    def label(self) -> str:
        """What the console shows in its role history: the display name, else role @ account."""
        return self.display_name or f"{self.role_name} @ {self.account_id}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _entry(row: tuple[Any, ...]) -> HistoryEntry:
    account, role, path, display, color, last_used, count, bookmarked, partition = row
    used = datetime.fromisoformat(last_used) if last_used else None
    return HistoryEntry(
        account, role, display, color, path, used, int(count), bool(bookmarked), partition
    )


class RoleHistory:
    """Role history and bookmarks in SQLite; safe for several processes and threads at once.

    ``RoleHistory()`` uses :func:`default_path`; ``RoleHistory(path)`` a given file;
    ``RoleHistory(":memory:")`` a throwaway history for one object.

    A file that cannot be written (a read-only home, another program holding a lock) never
    stops the caller: the history goes on in memory, starting from what the file held when it
    could be read, and says so once, in :attr:`warning` and the log. ``strict=True`` raises
    :class:`XacctError` instead.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, strict: bool = False) -> None:
        where: Path | str | os.PathLike[str] = default_path() if path is None else path
        if not isinstance(where, str | os.PathLike):
            raise InvalidInput(
                f"History path {path!r} is invalid: it must be a file path or ':memory:'.",
                fix=f"Pass a path, ':memory:', or None for the default (or set ${ENV_VAR}).",
            )
        self.path: Path | str = _MEMORY if str(where) == _MEMORY else Path(where).expanduser()
        self.strict = strict
        #: Why the history is not being saved to :attr:`path`, or None while it is.
        self.warning: str | None = None
        self._lock = threading.Lock()
        self._conn = self._connect()

    @property
    def saving(self) -> bool:
        """Whether switches reach the file (False for ``:memory:`` and after a :attr:`warning`)."""
        return isinstance(self.path, Path) and self.warning is None

    @staticmethod
    def _memory() -> sqlite3.Connection:
        conn = store.connect(_MEMORY, 0)
        store.prepare(conn)
        return conn

    def _connect(self) -> sqlite3.Connection:
        if not isinstance(self.path, Path):
            return self._memory()
        conn: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Opening waits briefly for another process's lock: a history write takes
            # milliseconds, so a lock held longer is a program keeping the file, not a race.
            conn = store.connect(str(self.path), _OPEN_TIMEOUT_S)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            store.prepare(conn)  # creates the table, or upgrades an older file's
            conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
        except (sqlite3.Error, OSError) as err:
            return self._fall_back(err, conn)
        return conn

    def _fall_back(self, err: Exception, conn: sqlite3.Connection | None) -> sqlite3.Connection:
        """Go on in memory (with what ``conn`` still lets us read), and say so once."""
        fix = (
            "Make the file and its folder writable, close the program holding it, or set "
            f"${ENV_VAR} to another file (or ':memory:')."
        )
        if self.strict:
            raise XacctError(
                f"The role history at {self.path} cannot be written: {err}.", fix=fix
            ) from err
        memory = self._memory()
        if conn is not None:
            try:  # (not Connection.backup: it retries a locked file forever)
                conn.execute("PRAGMA busy_timeout = 0")
                store.copy_rows(conn, memory)
            except sqlite3.Error:
                pass  # unreadable too (locked, or no table yet): start empty
            conn.close()
        self.warning = (
            f"Role history is not being saved: {self.path} cannot be written ({err}). Switching "
            "works; switches are remembered in memory until this history is closed."
        )
        log.warning("%s %s", self.warning, fix)
        return memory

    def _use(self, work: Callable[[sqlite3.Connection], _T], *, write: bool = True) -> _T:
        """Run ``work`` (in a write transaction); on a file that fails it, again in memory."""

        def run() -> _T:
            if not write:
                return work(self._conn)
            with store.write(self._conn) as conn:
                return work(conn)

        with self._lock:
            try:
                return run()
            except sqlite3.Error as err:
                if not self.saving:
                    raise XacctError(
                        f"The role history at {self.path} could not be used: {err}.",
                        fix="Check the file is writable and not on a network share.",
                    ) from err
                self._conn = self._fall_back(err, self._conn)
            return run()

    def _rows(self, where: str = "", params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._use(lambda conn: store.select(conn, where, params), write=False)

    # -- writing --------------------------------------------------------------------------------
    def record(
        self,
        account: str,
        role: str,
        display_name: str | None = None,
        color: str | None = None,
        path: str = "/",
        *,
        partition: str = "aws",
    ) -> HistoryEntry:
        """Remember a switch: one entry per (account, role), its use count and last-used time.

        A display name or colour given now replaces the stored one; None keeps it. A bookmarked
        entry keeps its own labels: a switch never renames or recolours a bookmark (use
        :meth:`bookmark` for that). ``partition`` (the role ARN's, e.g. ``aws-us-gov``) decides
        the entry's switch-role link host.
        """
        link = urls.SwitchRoleLink(account, role, display_name, color, path, partition)
        entry = self._upsert(
            link,
            "?, 1, 0",
            """last_used = excluded.last_used,
               use_count = roles.use_count + 1,
               seq = excluded.seq""",
            _now(),
            keep_bookmarked_labels=True,
        )
        log.debug("recorded %s in role history", link.role_arn)
        return entry

    def bookmark(
        self,
        account: str,
        role: str,
        display_name: str | None = None,
        color: str | None = None,
        path: str = "/",
        *,
        partition: str = "aws",
    ) -> HistoryEntry:
        """Bookmark a role (whether or not it was ever switched to); labels and partition as in
        :meth:`record`."""
        link = urls.SwitchRoleLink(account, role, display_name, color, path, partition)
        return self._upsert(link, "NULL, 0, 1", "bookmarked = 1")

    def _upsert(
        self,
        link: urls.SwitchRoleLink,
        new: str,
        update: str,
        *params: Any,
        keep_bookmarked_labels: bool = False,
    ) -> HistoryEntry:
        """Store ``link`` (see :func:`history_store.upsert`) and read the entry back."""
        self._use(
            lambda conn: store.upsert(
                conn, link, new, update, *params, keep_bookmarked_labels=keep_bookmarked_labels
            )
        )
        return self._get(link.account_id, link.role_name)

    def unbookmark(self, account: str, role: str) -> None:
        """Drop the bookmark; an entry never switched to disappears with it."""
        key = self._key(account, role)

        def unmark(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE roles SET bookmarked = 0 WHERE account_id = ? AND role_name = ?", key
            )
            conn.execute(
                "DELETE FROM roles WHERE account_id = ? AND role_name = ? AND use_count = 0", key
            )

        self._use(unmark)

    def remove(self, account: str, role: str) -> bool:
        """Forget one role entirely (history and bookmark); True if it was there."""
        key = self._key(account, role)
        query = "DELETE FROM roles WHERE account_id = ? AND role_name = ?"
        return self._use(lambda conn: conn.execute(query, key).rowcount > 0)

    def clear(self, *, keep_bookmarks: bool = True) -> None:
        """Forget the history; bookmarks stay (as never-used entries) unless asked otherwise."""

        def forget(conn: sqlite3.Connection) -> None:
            if keep_bookmarks:
                conn.execute("DELETE FROM roles WHERE bookmarked = 0")
                conn.execute("UPDATE roles SET use_count = 0, last_used = NULL")
            else:
                conn.execute("DELETE FROM roles")

        self._use(forget)

    # -- reading --------------------------------------------------------------------------------
    @staticmethod
    def _key(account: str, role: str) -> tuple[str, str]:
        return ids.account_id(account), ids.role_name(role)

    def _get(self, account: str, role: str) -> HistoryEntry:
        found = self.get(account, role)
        assert found is not None  # just written under the same lock discipline
        return found

    def get(self, account: str, role: str) -> HistoryEntry | None:
        """The entry for (account, role), or None."""
        rows = self._rows("WHERE account_id = ? AND role_name = ?", self._key(account, role))
        return _entry(rows[0]) if rows else None

    def entries(self) -> list[HistoryEntry]:
        """Every entry, most recently used first, then bookmarks never switched to."""
        return [_entry(row) for row in self._rows()]

    def frame(self) -> pd.DataFrame:
        """Every entry as a table (:data:`HISTORY_COLUMNS`), most recent first, unlimited."""
        return self._frame(self.entries())

    def bookmarks(self) -> pd.DataFrame:
        """The bookmarked entries (:data:`HISTORY_COLUMNS`), most recently used first."""
        return self._frame([e for e in self.entries() if e.bookmarked])

    @staticmethod
    def _frame(entries: list[HistoryEntry]) -> pd.DataFrame:
        rows: list[Mapping[str, Any]] = [
            {
                "account_id": e.account_id,
                "role_name": e.role_name,
                "display_name": e.display_name,
                "color": e.color,
                "last_used": e.last_used,
                "use_count": e.use_count,
                "bookmarked": e.bookmarked,
                "partition": e.partition,
                "switch_role_url": e.switch_role_url,
            }
            for e in entries
        ]
        frame = to_frame(rows, HISTORY_COLUMNS)
        frame["last_used"] = pd.to_datetime(frame["last_used"], utc=True)
        frame["use_count"] = frame["use_count"].astype("int64")
        frame["bookmarked"] = frame["bookmarked"].astype(bool)
        return frame

    def __len__(self) -> int:
        count = self._use(
            lambda conn: conn.execute("SELECT COUNT(*) FROM roles").fetchone()[0], write=False
        )
        return int(count)

    def __iter__(self) -> Iterator[HistoryEntry]:
        return iter(self.entries())

    # -- lifecycle ------------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> RoleHistory:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        saved = "" if self.saving or self.path == _MEMORY else ", not saved"
        return f"RoleHistory({str(self.path)!r}, entries={len(self)}{saved})"
