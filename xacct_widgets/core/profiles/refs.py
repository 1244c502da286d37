"""``RoleRef``: one role to take elsewhere (a CLI profile, the extension's config, a bookmark).

Every export accepts what a notebook already holds - history entries, bookmarks, the active
role, switch-role links, ``(account, role)`` pairs, or a DataFrame of any of them - and every
import produces the same value, so there is one place that says what such a row may carry and
how it is validated (``core.ids``), and exports never re-read frames on their own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Final

import pandas as pd

from ...errors import InvalidInput
from .. import ids, urls
from ..switch import ActiveRole, HistoryEntry
from .redact import clip

__all__ = ["REF_COLUMNS", "RoleRef", "refs_frame", "role_refs", "role_rows"]

#: Columns of :func:`refs_frame` (and of every import's DataFrame), in order.
REF_COLUMNS: Final = (
    "profile",
    "role_arn",
    "account_id",
    "role_name",
    "path",
    "partition",
    "display_name",
    "color",
    "source_profile",
    "external_id",
    "mfa_serial",
    "duration_seconds",
    "role_session_name",
    "switch_role_url",
)


@dataclass(frozen=True)
class RoleRef:
    """A role and how to reach it; validated on construction, like :class:`SwitchRoleLink`."""

    account_id: str
    role_name: str
    path: str = "/"
    partition: str = "aws"
    display_name: str | None = None
    color: str | None = None
    external_id: str | None = None
    mfa_serial: str | None = None
    duration_seconds: int | None = None
    role_session_name: str | None = None
    source_profile: str | None = None
    #: The profile (or extension section) name it came from, or is to be written as.
    profile: str | None = None

    def __post_init__(self) -> None:
        link = urls.SwitchRoleLink(
            self.account_id,
            self.role_name,
            self.display_name,
            self.color,
            self.path,
            self.partition,
        )
        set_ = object.__setattr__  # frozen: normalised values are written through it
        set_(self, "account_id", link.account_id)
        set_(self, "role_name", link.role_name)
        set_(self, "path", link.path)
        set_(self, "display_name", link.display_name)
        set_(self, "color", link.color)
        set_(self, "partition", link.partition)
        ids.role_arn(link.account_id, link.role_name, link.path, partition=self.partition)
        if self.external_id is not None:
            set_(self, "external_id", ids.external_id(self.external_id))
        if self.mfa_serial is not None:
            set_(self, "mfa_serial", ids.mfa_serial(self.mfa_serial))
        if self.duration_seconds is not None:
            set_(self, "duration_seconds", ids.duration_seconds(_whole(self.duration_seconds)))
        if self.role_session_name is not None:
            set_(self, "role_session_name", ids.session_name(self.role_session_name))

    @classmethod
    def from_arn(cls, role_arn: str, **extra: Any) -> RoleRef:
        """A ref from a role ARN (the partition is the ARN's)."""
        arn = ids.parse_role_arn(role_arn)
        return cls(arn.account_id, arn.name, arn.path, arn.partition, **extra)

    @property
    def role_arn(self) -> str:
        return ids.role_arn(self.account_id, self.role_name, self.path, partition=self.partition)

    @property
    def label(self) -> str:
        """The console's label: the display name, else ``role @ account``."""
        return self.display_name or f"{self.role_name} @ {self.account_id}"

    @property
    def switch_role_url(self) -> str:
        return urls.link_of(self).url

    def with_(self, **changes: Any) -> RoleRef:
        """A copy with ``changes`` (validated again)."""
        return replace(self, **changes)


_FIELDS: Final = frozenset(f.name for f in fields(RoleRef))


def _whole(value: Any) -> Any:
    """A whole number of seconds from an int, a whole float or digits; else ``value`` as it
    is, for ``ids.duration_seconds`` to refuse with its range."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    try:
        return int(value) if not isinstance(value, str | float) else value
    except (TypeError, ValueError):
        return value


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and not value.strip()


def _from_mapping(row: Mapping[str, Any]) -> RoleRef:
    values = {k: v for k, v in row.items() if k in _FIELDS and not _blank(v)}
    if "duration_seconds" in values:
        values["duration_seconds"] = _whole(values["duration_seconds"])
    arn = row.get("role_arn")
    url = row.get("switch_role_url")
    if not _blank(arn):
        parsed = ids.parse_role_arn(str(arn))
        values.setdefault("account_id", parsed.account_id)
        values.setdefault("role_name", parsed.name)
        values.setdefault("path", parsed.path)
        values.setdefault("partition", parsed.partition)
    elif not _blank(url) and ("account_id" not in values or "role_name" not in values):
        link = urls.parse_switch_role_url(str(url))
        values.setdefault("account_id", link.account_id)
        values.setdefault("role_name", link.role_name)
        values.setdefault("path", link.path)
        values.setdefault("display_name", link.display_name)
        values.setdefault("color", link.color)
        values.setdefault("partition", link.partition)
    if "account_id" not in values or "role_name" not in values:
        columns = ", ".join(clip(str(k), 32) for k in list(row)[:12])
        raise InvalidInput(
            f"A row with columns ({columns or 'none'}) names no role.",
            fix="Give a role_arn, a switch_role_url, or account_id and role_name columns.",
        )
    kwargs: dict[str, Any] = {
        k: (str(v) if k != "duration_seconds" else v) for k, v in values.items()
    }
    return RoleRef(**kwargs)


def _one(item: Any) -> RoleRef:
    if isinstance(item, RoleRef):
        return item
    if isinstance(item, HistoryEntry | urls.SwitchRoleLink):
        return RoleRef(
            item.account_id,
            item.role_name,
            item.path,
            item.partition,
            item.display_name,
            item.color,
        )
    if isinstance(item, ActiveRole):
        return RoleRef.from_arn(item.role_arn, display_name=item.display_name, color=item.color)
    if isinstance(item, Mapping):
        return _from_mapping(item)
    if isinstance(item, str):
        text = item.strip()
        if text.startswith("arn:"):
            return RoleRef.from_arn(text)
        return _one(urls.parse_switch_role_url(text))
    if isinstance(item, tuple | list) and len(item) == 2:
        return RoleRef(str(item[0]), str(item[1]))
    raise InvalidInput(
        f"{clip(repr(item))} is not a role.",
        fix="Give history entries, bookmarks, an ActiveRole, switch-role URLs, role ARNs, "
        "(account_id, role_name) pairs, or a DataFrame of them.",
    )


def _key(ref: RoleRef) -> tuple[str | None, str | None, str]:
    """What makes two refs the same entry: a named profile (with its base) and the role; the
    role alone when it has no profile name."""
    if ref.profile is None:
        return (None, None, ref.role_arn)
    return (ref.profile, ref.source_profile, ref.role_arn)


def role_rows(entries: Any) -> list[tuple[RoleRef, Mapping[str, Any]]]:
    """Like :func:`role_refs`, each ref with the row it was made from (``{}`` for an entry
    that is not a mapping): a format may read its own columns from it."""
    if entries is None:
        raise InvalidInput("No roles given.", fix="Pass history entries, bookmarks or a frame.")
    items: Iterable[Any]
    if isinstance(entries, pd.DataFrame):
        items = entries.to_dict("records")
    elif isinstance(entries, pd.Series):
        items = [entries.to_dict()]
    elif isinstance(
        entries, RoleRef | HistoryEntry | ActiveRole | urls.SwitchRoleLink | str | Mapping
    ):
        items = [entries]
    elif isinstance(entries, Iterable):
        items = entries
    else:
        items = [entries]
    seen: set[tuple[str | None, str | None, str]] = set()
    out: list[tuple[RoleRef, Mapping[str, Any]]] = []
    for item in items:
        ref = _one(item)
        if _key(ref) not in seen:
            seen.add(_key(ref))
            row = {str(k): v for k, v in item.items()} if isinstance(item, Mapping) else {}
            out.append((ref, row))
    return out


def role_refs(entries: Any) -> list[RoleRef]:
    """Every accepted form as RoleRefs, validated, in order; an entry given twice is kept once.

    Entries are keyed by profile name: two refs to the same role under different profile
    names (``prod-ro`` and ``prod-ro-eu``) are two entries; without a profile name, the role
    ARN is the key (a history entry and the active role for the same role are one).
    """
    return [ref for ref, _ in role_rows(entries)]


def refs_frame(refs: Iterable[RoleRef]) -> pd.DataFrame:
    """Rows of :data:`REF_COLUMNS` (``duration_seconds`` as a nullable integer)."""
    rows = [
        {
            c: getattr(r, c) if c not in ("role_arn", "switch_role_url") else None
            for c in REF_COLUMNS
        }
        | {"role_arn": r.role_arn, "switch_role_url": r.switch_role_url}
        for r in refs
    ]
    frame = pd.DataFrame(rows, columns=list(REF_COLUMNS))
    frame["duration_seconds"] = frame["duration_seconds"].astype("Int64")
    return frame
