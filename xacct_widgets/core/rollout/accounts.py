"""Which accounts a rollout covers: an Organization, a frame of accounts or a list of IDs.

The organization is read when a plan is made (not when the Rollout is built), so an account
added since the last apply appears as a ``create`` row. Accounts given as IDs or a frame
without names are looked up in the organization when the caller may read it (one walk of the
OU tree, as :meth:`Organization.accounts` does), so the plan can say which OU each account is
in and which ones are suspended; when it may not, those columns stay empty.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeAlias

import boto3
import pandas as pd

from ...errors import InvalidInput, XacctError
from .. import ids
from ..query.organization import Organization

__all__ = ["INACTIVE", "AccountTarget", "AccountsLike", "resolve_accounts"]

log = logging.getLogger(__name__)

#: Organization statuses in which nothing can be written to an account.
INACTIVE = frozenset({"SUSPENDED", "PENDING_CLOSURE", "CLOSED"})

#: What ``Rollout(accounts=...)`` accepts.
AccountsLike: TypeAlias = Organization | pd.DataFrame | Iterable[Any]


@dataclass(frozen=True)
class AccountTarget:
    """One account of the rollout; ``is_caller`` marks the session's own account (used with
    the session itself, no role assumed: the management account when it is listed)."""

    account_id: str
    name: str = ""
    ou: str = ""
    status: str = ""
    is_caller: bool = False


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _rows(accounts: AccountsLike, session: boto3.Session) -> tuple[list[dict[str, str]], bool]:
    """(rows with account_id and what is known of name/ou/status, whether to look up the rest)."""
    if isinstance(accounts, Organization):
        frame = accounts.accounts(status=None)
        return _frame_rows(frame), False
    if isinstance(accounts, pd.DataFrame):
        if "account_id" not in accounts.columns:
            raise InvalidInput(
                "A DataFrame of accounts needs an account_id column.",
                fix="e.g. Organization(session).accounts(ou='prod').",
            )
        rows = _frame_rows(accounts)
        return rows, not {"ou", "status"} <= set(accounts.columns)
    if isinstance(accounts, str | bytes) or not isinstance(accounts, Iterable):
        raise InvalidInput(
            f"accounts {accounts!r} is not a list of accounts.",
            fix="Pass an xw.Organization, a DataFrame with account_id, or a list of account IDs.",
        )
    return [{"account_id": ids.account_id(str(a))} for a in accounts], True


def _frame_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    names = "account_name" if "account_name" in frame.columns else "name"
    rows = []
    for record in frame.to_dict("records"):
        rows.append(
            {
                "account_id": ids.account_id(str(record["account_id"])),
                "name": _text(record.get(names)),
                "ou": _text(record.get("ou")),
                "status": _text(record.get("status")).upper(),
            }
        )
    return rows


def _organization_index(session: boto3.Session) -> dict[str, dict[str, str]]:
    """Account ID -> name, ou, status, when the session may read its organization; else {}."""
    try:
        frame = Organization(session).accounts(status=None)
    except XacctError as err:
        log.debug("organization not readable, accounts left without OU: %s", err.message)
        return {}
    return {r["account_id"]: r for r in _frame_rows(frame)}


def resolve_accounts(
    accounts: AccountsLike, session: boto3.Session, caller_account: str
) -> list[AccountTarget]:
    """Every account to plan, deduplicated in order, the caller's own marked ``is_caller``."""
    rows, look_up = _rows(accounts, session)
    if not rows:
        raise InvalidInput("accounts is empty: there is nothing to roll out to.")
    index = _organization_index(session) if look_up else {}
    seen: dict[str, AccountTarget] = {}
    for row in rows:
        known = index.get(row["account_id"], {})
        account = row["account_id"]
        seen.setdefault(
            account,
            AccountTarget(
                account,
                row.get("name") or known.get("name", ""),
                row.get("ou") or known.get("ou", ""),
                row.get("status") or known.get("status", ""),
                is_caller=account == caller_account,
            ),
        )
    return list(seen.values())
