"""What restricting (or allowing) who may switch will write: the plan's data, before any write.

:class:`RestrictPlan` is what a reviewer sees (``changes``, ``destructive``, ``cannot_narrow``)
and exactly what :func:`.restrict_apply.apply_restriction` writes; :mod:`.restrict` makes it.
The input rules shared by both (role ARNs, IAM user, group and role names that exist) are here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from ...errors import InvalidInput
from .. import ids
from ..frames import to_frame
from .snapshot import Snapshot
from .who import describe_ref

__all__ = [
    "CANNOT_COLUMNS",
    "CHANGE_COLUMNS",
    "RestrictPlan",
    "RestrictStep",
    "Unnarrowed",
    "existing",
    "names",
    "role_arn_list",
]

#: Columns of :attr:`RestrictPlan.changes`.
CHANGE_COLUMNS: Final = ("policy", "change", "principals", "destructive")
#: Columns of :attr:`RestrictPlan.cannot_narrow`.
CANNOT_COLUMNS: Final = ("principal", "role_arn", "reason", "what_to_do")


@dataclass(frozen=True)
class RestrictStep:
    """One policy document to write: ``after`` None deletes an inline policy."""

    ref: str
    change: str
    principals: tuple[str, ...]
    destructive: bool
    before: dict[str, Any] | None = field(repr=False, default=None)
    after: dict[str, Any] | None = field(repr=False, default=None)

    @property
    def policy(self) -> str:
        return describe_ref(self.ref)


@dataclass(frozen=True)
class Unnarrowed:
    """Access the plan leaves in place (or cannot give), with the way to deal with it."""

    principal: str
    role_arn: str
    reason: str
    what_to_do: str


@dataclass(frozen=True)
class RestrictPlan:
    """What :meth:`SourceAccount.restrict_assume_role` will write, before it writes anything."""

    role_arns: tuple[str, ...]
    users: tuple[str, ...]
    groups: tuple[str, ...]
    steps: tuple[RestrictStep, ...] = ()
    cannot: tuple[Unnarrowed, ...] = ()
    #: Roles of this account chosen too (:func:`plan_allow` only).
    roles: tuple[str, ...] = ()
    #: False for :func:`plan_allow`: nobody else's access is narrowed.
    narrows: bool = True

    @property
    def is_noop(self) -> bool:
        return not self.steps

    @property
    def changes(self) -> pd.DataFrame:
        """One row per policy to write (columns :data:`CHANGE_COLUMNS`)."""
        rows = [
            {
                "policy": s.policy,
                "change": s.change,
                "principals": ", ".join(s.principals),
                "destructive": s.destructive,
            }
            for s in self.steps
        ]
        frame = to_frame(rows, CHANGE_COLUMNS)
        frame["destructive"] = frame["destructive"].astype(bool)
        return frame

    @property
    def destructive(self) -> pd.DataFrame:
        """The rows that take access away from someone (empty when none)."""
        frame = self.changes
        return frame[frame["destructive"]].reset_index(drop=True)

    @property
    def cannot_narrow(self) -> pd.DataFrame:
        return to_frame(self.cannot, CANNOT_COLUMNS)

    def __repr__(self) -> str:
        who = ", ".join(
            [*self.users, *(f"group {g}" for g in self.groups), *(f"role {r}" for r in self.roles)]
        )
        scope = "only" if self.narrows else "also"
        return (
            f"RestrictPlan({len(self.steps)} change(s), {len(self.destructive)} destructive, "
            f"{len(self.cannot)} left as is; {scope} {who or 'nobody'} on "
            f"{', '.join(self.role_arns)})"
        )


def role_arn_list(role_arns: str | Iterable[str]) -> tuple[str, ...]:
    """One role ARN or several, validated (one ARN is a list of one, not of its characters)."""
    given = [role_arns] if isinstance(role_arns, str) else list(role_arns)
    arns = tuple(dict.fromkeys(ids.parse_role_arn(a).arn for a in given))
    if not arns:
        raise InvalidInput(
            "role_arns is empty: there is no role to restrict.",
            fix="Pass the ARN of the role (or a list of them), e.g. "
            "'arn:aws:iam::123456781234:role/cross-account'.",
        )
    return arns


def names(values: str | Iterable[str], what: str) -> tuple[str, ...]:
    """IAM user and group names follow the role-name rule (``ids.role_name``), named as such."""
    given = [values] if isinstance(values, str) else list(values)
    try:
        return tuple(dict.fromkeys(ids.role_name(v) for v in given))
    except InvalidInput as err:
        raise InvalidInput(
            err.message.replace("Role name", f"IAM {what} name"),
            fix=f"Give the {what}'s name as IAM shows it, e.g. 'operator'.",
        ) from err


def existing(snapshot: Snapshot, names: tuple[str, ...], what: str) -> tuple[str, ...]:
    table = {"user": snapshot.users, "group": snapshot.groups, "role": snapshot.roles}[what]
    for name in names:
        if name not in table:
            raise InvalidInput(
                f"There is no IAM {what} {name!r} in this account.",
                fix=f"Choose among: {', '.join(sorted(table)) or f'(no {what}s)'}.",
            )
    return names
