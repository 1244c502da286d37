"""Which accounts a query asks: every accepted ``targets`` form becomes a list of :class:`Target`.

A fan-out is pointed at accounts in whatever form the notebook already holds: an Organization,
the role history of a switcher, a DataFrame from ``Organization.accounts()``, role profiles
(``RoleRef``s, or a frame with a ``role_arn`` column such as ``aws_config_profiles()``, their
ExternalIds kept), ``(account, role)`` pairs or sessions. All of them are normalised here,
validated (account IDs, role names, paths, ExternalIds) before any call, and deduplicated in
order, so the runner only ever sees Targets.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import boto3
import pandas as pd

from ...errors import InvalidInput
from .. import ids
from ..profiles.refs import RoleRef, role_refs
from ..switch import HistoryEntry, RoleHistory, RoleSwitcher
from .credentials import identity
from .organization import DEFAULT_MEMBER_ROLE, Organization

__all__ = ["QueryTarget", "Target", "TargetsLike", "resolve_targets"]


@dataclass(frozen=True)
class QueryTarget:
    """One account to query: a role to assume in it, or a ready session (``session=``).

    Lists of ``(account, role)`` pairs, history entries, organization accounts and sessions
    passed to :func:`query` all become QueryTargets; build them yourself for an ExternalId or
    a role path. (Not to be confused with part A's ``TargetAccount``, the account a role is
    created in.)
    """

    account_id: str | None
    role_name: str | None = None
    path: str = "/"
    external_id: str | None = None
    session: boto3.Session | None = field(default=None, repr=False, compare=False)

    @classmethod
    def role(
        cls, account: str, role_name: str, *, path: str = "/", external_id: str | None = None
    ) -> QueryTarget:
        """A role to assume, validated now (before any API call)."""
        return cls(
            ids.account_id(account),
            ids.role_name(role_name),
            ids.iam_path(path),
            ids.external_id(external_id) if external_id is not None else None,
        )

    @property
    def key(self) -> Hashable:
        """What makes two targets the same (sessions by identity, roles by ARN + ExternalId)."""
        if self.session is not None:
            return ("session", id(self.session))
        return (self.account_id, self.path, self.role_name, self.external_id)

    def role_arn(self, partition: str) -> str:
        """The ARN of the role to assume (a session target has none)."""
        if self.account_id is None or self.role_name is None:
            raise InvalidInput(f"Target {self!r} names no role to assume.")
        return ids.role_arn(self.account_id, self.role_name, self.path, partition=partition)


#: The name core's own modules still use; the public ``xw.Target`` warns (``xw.QueryTarget``).
Target = QueryTarget

#: Everything :func:`query` accepts as ``targets``.
TargetsLike: TypeAlias = (
    Organization
    | RoleSwitcher
    | RoleHistory
    | boto3.Session
    | RoleRef
    | pd.DataFrame
    | Iterable[Any]
)


def _one_target(item: Any, role_name: str) -> Target:
    if isinstance(item, Target):
        if item.session is not None:
            return item
        return Target.role(
            str(item.account_id),
            str(item.role_name or role_name),
            path=item.path,
            external_id=item.external_id,
        )
    if isinstance(item, boto3.Session):
        return Target(None, session=item)
    if isinstance(item, HistoryEntry):
        return Target.role(item.account_id, item.role_name, path=item.path)
    if isinstance(item, RoleRef):
        return Target.role(
            item.account_id, item.role_name, path=item.path, external_id=item.external_id
        )
    if isinstance(item, str):
        return Target.role(item, role_name)
    if isinstance(item, tuple | list) and len(item) == 2:
        return Target.role(item[0], item[1])
    raise InvalidInput(
        f"Target {item!r} is not understood.",
        fix="Give (account_id, role_name) pairs, account IDs (with role_name=), "
        "xw.QueryTarget(...), history entries, RoleRefs (role profiles), or boto3 sessions.",
    )


def resolve_targets(
    targets: TargetsLike, role_name: str | None, caller: boto3.Session | None
) -> tuple[list[Target], boto3.Session | None]:
    """Normalise every accepted form into Targets (deduplicated, order kept) + the caller.

    The caller is ``caller`` when given, else the Organization's or switcher's session.
    An Organization is read here (``ListAccounts``); every other form makes no call.
    """
    role = ids.role_name(role_name) if role_name is not None else DEFAULT_MEMBER_ROLE
    raw: list[Any]
    if isinstance(targets, Organization):
        caller = caller or targets.session
        raw = list(targets.accounts()["account_id"])
        own = identity(caller).account_id
        # The caller's own account has no member role to assume (the management account):
        # it is queried with the caller's session rather than left out.
        raw = [Target(None, session=caller) if a == own else a for a in raw]
    elif isinstance(targets, RoleSwitcher):
        caller = caller or targets.base_session
        raw = list(targets.history.entries())
    elif isinstance(targets, RoleHistory):
        raw = list(targets.entries())
    elif isinstance(targets, boto3.Session | RoleRef):
        raw = [targets]
    elif isinstance(targets, pd.DataFrame) and "role_arn" in targets.columns:
        raw = list(role_refs(targets))  # role profiles: each row's ARN, path and ExternalId
    elif isinstance(targets, pd.DataFrame):
        if "account_id" not in targets.columns:
            raise InvalidInput(
                "A DataFrame of targets needs an account_id column (and optionally role_name), "
                "or a role_arn column.",
                fix="e.g. Organization(session).accounts(ou='prod'), or aws_config_profiles().",
            )
        roles = targets["role_name"] if "role_name" in targets.columns else [None] * len(targets)
        raw = [
            (str(a), role if r is None or pd.isna(r) else str(r))
            for a, r in zip(targets["account_id"], roles, strict=True)
        ]
    elif isinstance(targets, str | bytes) or not isinstance(targets, Iterable):
        raise InvalidInput(
            f"targets {targets!r} is not a list of targets.",
            fix="Pass e.g. [('123456789012', 'auditor')], an Organization, a RoleSwitcher, a "
            "RoleHistory, or boto3 sessions.",
        )
    else:
        raw = list(targets)
    seen: dict[Hashable, Target] = {}
    for item in raw:
        target = _one_target(item, role)
        seen.setdefault(target.key, target)
    return list(seen.values()), caller
