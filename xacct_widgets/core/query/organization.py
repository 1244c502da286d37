"""AWS Organizations discovery: which accounts exist, and in which organizational unit.

A fan-out over "every account" should start from the organization rather than a hand-kept list,
which goes stale the day an account is added. This module only reads: ``ListAccounts`` for the
accounts, then one walk of the OU tree (``ListRoots``, ``ListOrganizationalUnitsForParent`` and
``ListAccountsForParent`` per OU) to place each account. Walking the tree costs one paginated
call per OU instead of one ``ListParents`` call per account, which matters at hundreds of
accounts with a few dozen OUs.

An :class:`Organization` is also a valid ``targets`` argument of :func:`xacct_widgets.query`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

import boto3
import pandas as pd

from ...errors import InvalidInput
from ..aws import aws_call, client_config
from ..frames import to_frame
from ..sessions import require_session

__all__ = ["ACCOUNT_COLUMNS", "DEFAULT_MEMBER_ROLE", "OU_COLUMNS", "Organization"]

#: The role AWS Organizations creates in every account it creates (and the default of query()).
DEFAULT_MEMBER_ROLE: Final = "OrganizationAccountAccessRole"
#: Columns of :meth:`Organization.accounts`, in order.
ACCOUNT_COLUMNS: Final = ("account_id", "name", "email", "status", "ou", "ou_id")
#: Columns of :meth:`Organization.organizational_units`, in order.
OU_COLUMNS: Final = ("ou_id", "name", "ou", "parent_id")
_STATUSES: Final = frozenset({"ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED"})


@dataclass(frozen=True)
class _Unit:
    """One OU (or the root, whose ``path`` is empty)."""

    ou_id: str
    name: str
    path: str
    parent_id: str | None


class Organization:
    """The accounts of the AWS Organization that ``session`` belongs to.

    ``session`` must be allowed ``organizations:List*`` (the management account or a delegated
    administrator). Nothing is cached: each call reads the organization as it is now, so a
    notebook re-run sees accounts added in between.
    """

    def __init__(self, session: boto3.Session) -> None:
        self._session = require_session(
            session,
            "Organization",
            example="the management account's session, e.g. "
            "Sandbox(member_accounts=3).session('management', 'admin')",
        )

    @property
    def session(self) -> boto3.Session:
        """The session the organization is read with (also the default caller of query())."""
        return self._session

    def __repr__(self) -> str:
        return f"Organization(region={self._session.region_name!r})"

    def _client(self) -> Any:
        return self._session.client("organizations", config=client_config())

    @staticmethod
    def _pages(client: Any, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
        action = "organizations:" + "".join(p.title() for p in operation.split("_"))
        with aws_call(action, params.get("ParentId")):
            for page in client.get_paginator(operation).paginate(**params):
                yield from page.get(key, [])

    def _units(self, client: Any) -> list[_Unit]:
        """Every OU, breadth first from the root(s), with its slash-separated name path."""
        roots = list(self._pages(client, "list_roots", "Roots"))
        units = [_Unit(str(r["Id"]), str(r.get("Name", "Root")), "", None) for r in roots]
        queue = list(units)
        while queue:
            parent = queue.pop(0)
            for ou in self._pages(
                client,
                "list_organizational_units_for_parent",
                "OrganizationalUnits",
                ParentId=parent.ou_id,
            ):
                name = str(ou["Name"])
                child = _Unit(
                    str(ou["Id"]),
                    name,
                    f"{parent.path}/{name}" if parent.path else name,
                    parent.ou_id,
                )
                units.append(child)
                queue.append(child)
        return units

    def organizational_units(self) -> pd.DataFrame:
        """Every OU (columns :data:`OU_COLUMNS`); ``ou`` is the name path, e.g. ``prod/web``."""
        units = [u for u in self._units(self._client()) if u.parent_id is not None]
        return to_frame(
            [
                {"ou_id": u.ou_id, "name": u.name, "ou": u.path, "parent_id": u.parent_id}
                for u in units
            ],
            OU_COLUMNS,
        )

    def accounts(
        self,
        ou: str | None = None,
        status: str | None = "ACTIVE",
        *,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """The organization's accounts (columns :data:`ACCOUNT_COLUMNS`), sorted by account ID.

        ``ou`` keeps the accounts in that OU *and the OUs below it*; it may be an OU ID
        (``ou-ab12-cdef3456``), a name path (``prod/web``) or a plain name (``prod``, every OU so
        named). ``ou`` is the account's OU name path, ``""`` for accounts directly under the root.
        ``status`` keeps accounts in that state (``ACTIVE`` by default, since a suspended account
        cannot be queried); ``None`` keeps all. ``include`` keeps only the accounts listed and
        ``exclude`` drops those listed, each by account ID or account name (e.g. a rollout to
        an OU except one account).
        """
        wanted = self._status(status)
        keep = _names("include", include)
        drop = _names("exclude", exclude) or set()
        client = self._client()
        units = self._units(client)
        selected = self._select(units, ou)
        placed: dict[str, _Unit] = {}
        for unit in units:
            if unit.ou_id in selected:
                for account in self._pages(
                    client, "list_accounts_for_parent", "Accounts", ParentId=unit.ou_id
                ):
                    placed[str(account["Id"])] = unit
        rows = []
        for account in self._pages(client, "list_accounts", "Accounts"):
            account_id = str(account["Id"])
            state = str(account.get("Status") or account.get("State") or "")
            home = placed.get(account_id)
            if home is None or (wanted is not None and state != wanted):
                continue
            names = {account_id, str(account.get("Name"))}
            if (keep is not None and not names & keep) or names & drop:
                continue
            rows.append(
                {
                    "account_id": account_id,
                    "name": account.get("Name"),
                    "email": account.get("Email"),
                    "status": state,
                    "ou": home.path,
                    "ou_id": home.ou_id,
                }
            )
        rows.sort(key=lambda r: str(r["account_id"]))
        return to_frame(rows, ACCOUNT_COLUMNS)

    @staticmethod
    def _status(status: str | None) -> str | None:
        if status is None:
            return None
        text = str(status).strip().upper()
        if text not in _STATUSES:
            raise InvalidInput(
                f"Account status {status!r} is invalid: it must be one of "
                f"{', '.join(sorted(_STATUSES))}.",
                fix="Use status='ACTIVE' (the default), or status=None for every account.",
            )
        return text

    @staticmethod
    def _select(units: list[_Unit], ou: str | None) -> set[str]:
        """IDs of the OUs matching ``ou`` and all their descendants (every unit when None)."""
        if ou is None:
            return {u.ou_id for u in units}
        if not isinstance(ou, str) or not ou.strip():
            raise InvalidInput(
                f"OU {ou!r} is invalid: give an OU ID, a name path or a name.",
                fix="See Organization.organizational_units() for the OUs.",
            )
        text = ou.strip().strip("/")
        matched = {
            u.ou_id for u in units if u.parent_id is not None and text in (u.ou_id, u.path, u.name)
        }
        if not matched:
            known = ", ".join(sorted(u.path for u in units if u.parent_id is not None))
            raise InvalidInput(
                f"OU {ou!r} is not in this organization.",
                fix=f"Use an OU ID, or one of these name paths: {known or '(no OUs)'}.",
            )
        selected = set(matched)
        grew = True
        while grew:
            before = len(selected)
            selected |= {u.ou_id for u in units if u.parent_id in selected}
            grew = len(selected) != before
        return selected


def _names(name: str, values: Iterable[str] | None) -> set[str] | None:
    """Account IDs (dashes allowed) or names to match; None: no filter."""
    if values is None:
        return None
    items = [] if isinstance(values, str) else list(values)
    if isinstance(values, str) or not all(isinstance(v, str) for v in items):
        raise InvalidInput(
            f"{name} must be a list of account IDs or names, got {values!r}.",
            fix=f"e.g. {name}=['123456789012', 'tenant-001'].",
        )
    bare = (v.strip() for v in items)
    return {v.replace("-", "") if v.replace("-", "").isdigit() else v for v in bare}
