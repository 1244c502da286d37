"""The role history's SQLite file: schema, migrations and the statements that touch it.

Kept apart from :mod:`.history` so that the file format - which outlives any one version of
the toolkit, since every notebook of the user shares it - is stated in one place, with each
schema change as an explicit step: a file written by an older version opens, is upgraded in
place under the write lock, and keeps its rows.

Versions (``PRAGMA user_version``):

1. ``roles`` keyed by (account_id, role_name), with labels, recency and the bookmark flag.
2. + ``partition`` (``aws``, ``aws-cn``, ``aws-us-gov``): a China or GovCloud role's switch-role
   link points at its own sign-in host. Version-1 rows were all commercial: ``'aws'``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from .. import urls

__all__ = [
    "FIELDS",
    "MEMORY",
    "SCHEMA_VERSION",
    "connect",
    "copy_rows",
    "prepare",
    "select",
    "upsert",
    "write",
]

MEMORY: Final = ":memory:"
SCHEMA_VERSION: Final = 2
_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS roles (
    account_id   TEXT    NOT NULL,
    role_name    TEXT    NOT NULL,
    path         TEXT    NOT NULL DEFAULT '/',
    display_name TEXT,
    color        TEXT,
    last_used    TEXT,              -- ISO 8601, UTC; NULL for a bookmark never switched to
    use_count    INTEGER NOT NULL DEFAULT 0,
    bookmarked   INTEGER NOT NULL DEFAULT 0,
    seq          INTEGER NOT NULL,  -- strictly increasing across processes: recency order
    partition    TEXT    NOT NULL DEFAULT 'aws',
    PRIMARY KEY (account_id, role_name)
)
"""
#: (column added, statement), one per version after the first, in order.
_MIGRATIONS: Final = (
    ("partition", "ALTER TABLE roles ADD COLUMN partition TEXT NOT NULL DEFAULT 'aws'"),  # 1 -> 2
)
_ORDER: Final = "ORDER BY last_used IS NULL, seq DESC"
#: The columns an entry is read from, in :func:`select`'s row order.
FIELDS: Final = (
    "account_id, role_name, path, display_name, color, last_used, use_count, bookmarked, partition"
)
_NEXT_SEQ: Final = "(SELECT COALESCE(MAX(seq), 0) + 1 FROM roles)"


def connect(where: str, timeout: float) -> sqlite3.Connection:
    """A connection whose transactions are explicit (``BEGIN IMMEDIATE`` in :func:`write`), so
    the write lock is taken before the next sequence number is read; callers guard threads."""
    return sqlite3.connect(where, timeout, isolation_level=None, check_same_thread=False)


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, holding the file's write lock from its start."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _columns(conn: sqlite3.Connection) -> set[str]:
    return {str(row[1]) for row in conn.execute("PRAGMA table_info(roles)")}


def prepare(conn: sqlite3.Connection) -> None:
    """Create the table, or upgrade an older file's in place, in one write transaction.

    Each step runs when its column is missing, so the file's shape decides (a file whose
    ``user_version`` was never set is upgraded all the same).
    """
    with write(conn):
        conn.execute(_SCHEMA)
        have = _columns(conn)
        for column, step in _MIGRATIONS:
            if column not in have:
                conn.execute(step)
        # Always written (a newer version kept): a file that cannot be written says so now,
        # when it is opened, not at the first switch.
        version = max(SCHEMA_VERSION, int(conn.execute("PRAGMA user_version").fetchone()[0]))
        conn.execute(f"PRAGMA user_version = {version}")


def copy_rows(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """Copy every row of ``source`` (any version, read-only is enough) into ``target``."""
    partition = "partition" if "partition" in _columns(source) else "'aws'"
    old = FIELDS.replace("partition", partition)
    rows = source.execute(f"SELECT {old}, seq FROM roles").fetchall()
    slots = ", ".join("?" * (FIELDS.count(",") + 2))
    target.executemany(f"INSERT INTO roles ({FIELDS}, seq) VALUES ({slots})", rows)


def select(
    conn: sqlite3.Connection, where: str = "", params: tuple[Any, ...] = ()
) -> list[tuple[Any, ...]]:
    """Rows of :data:`FIELDS`, most recently used first, then never-used bookmarks."""
    return conn.execute(f"SELECT {FIELDS} FROM roles {where} {_ORDER}", params).fetchall()


def _label(column: str, keep_bookmarked: bool) -> str:
    given = f"COALESCE(excluded.{column}, roles.{column})"
    if not keep_bookmarked:
        return given
    return f"CASE WHEN roles.bookmarked THEN roles.{column} ELSE {given} END"


def upsert(
    conn: sqlite3.Connection,
    link: urls.SwitchRoleLink,
    new: str,
    update: str,
    *params: Any,
    keep_bookmarked_labels: bool = False,
) -> None:
    """Insert ``link`` as a new entry whose (last_used, use_count, bookmarked) are ``new``,
    or apply ``update`` to the existing one; both take the link's path and partition, and a
    display name or colour given (not None) replaces the stored one - except, with
    ``keep_bookmarked_labels``, a bookmarked entry's (a switch never renames a bookmark).
    ``params`` fill ``new``'s ``?``."""
    fields = (link.account_id, link.role_name, link.path, link.display_name, link.color)
    display_name = _label("display_name", keep_bookmarked_labels)
    color = _label("color", keep_bookmarked_labels)
    conn.execute(
        f"""INSERT INTO roles (account_id, role_name, path, display_name, color,
                               last_used, use_count, bookmarked, seq, partition)
            VALUES (?, ?, ?, ?, ?, {new}, {_NEXT_SEQ}, ?)
            ON CONFLICT (account_id, role_name) DO UPDATE SET
                {update},
                path = excluded.path,
                partition = excluded.partition,
                display_name = {display_name},
                color = {color}""",
        (*fields, *params, link.partition),
    )
