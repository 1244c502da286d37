"""Reading the organization for a trust map: one fan-out of IAM reads, then the SCPs.

Each account answers one question, its whole IAM configuration (the ``Snapshot`` that
``SourceAccount`` reads: ``iam:GetAccountAuthorizationDetails``, every page), asked through
:func:`xacct_widgets.query` as an operation, so executors, retries, cached credentials, its
one shared client and "failures are rows, never a lost account" come from the one fan-out.
The organization is read once with the caller's session when it may (``organizations``
paginators): its accounts and OUs, and every SCP with the targets it is attached to, so each
member account gets its levels (root, OUs, the account) as the sandbox and AWS evaluate them.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterator
from concurrent.futures import Executor
from typing import Any, Final

import boto3
import pandas as pd

from ...errors import AwsError, XacctError
from ..aws import aws_call, client_config
from ..frames import scrub_text, to_frame
from ..query import ERROR_COLUMNS, Organization, Target, TargetsLike, query
from ..query.credentials import identity
from ..query.result import STAGE_CALL
from ..query.targets import resolve_targets
from ..source.snapshot import read as read_snapshot
from .model import AccountData, OrgData

__all__ = ["collect_accounts", "read_organization", "read_policies"]

log = logging.getLogger(__name__)

_NOT_IN_ORG: Final = frozenset({"AWSOrganizationsNotInUseException"})
#: What each account is asked: its users, groups, roles and its own managed policies. AWS-managed
#: policies are the same in every account, so they are left out here (asking for them costs the
#: most) and read once per collect (:func:`read_policies`).
_FILTER: Final = ("User", "Group", "Role", "LocalManagedPolicy")
_LISTS: Final = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
#: Each page as one item of the fan-out: its four lists, each one cell of the row.
_PAGE: Final = "{" + ", ".join(f"{k}: {k}" for k in _LISTS) + "}"
_POLICY: Final = "trustmap_policy"


def read_policies(session: boto3.Session, region: str, arns: tuple[str, ...]) -> list[Any]:
    """The default version of each managed policy in ``arns``, read in one account; a policy
    this account may not read is a row with its error (another account may read it).

    Module level (``functools.partial`` of it pickles) so a process pool or Dask can run it.
    """
    iam = session.client("iam", region_name=region, config=client_config())
    rows = []
    for arn in arns:
        try:
            with aws_call("iam:GetPolicy", arn):
                version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
                found = iam.get_policy_version(PolicyArn=arn, VersionId=version)
        except AwsError as err:
            item = {"arn": arn, "error_code": err.code, "message": scrub_text(str(err))}
        else:
            document = found["PolicyVersion"]["Document"]
            text = document if isinstance(document, str) else json.dumps(document)
            item = {"arn": arn, "version": version, "document": text}
        rows.append({_POLICY: json.dumps(item)})
    return rows


class _Replay:
    """An IAM client for :func:`~..source.snapshot.read` that answers from what the fan-out
    read: the account's pages, and the managed policies read once for every account."""

    def __init__(self, pages: list[dict[str, Any]], managed: dict[str, tuple[str, str]]) -> None:
        self._pages = pages
        self._managed = managed

    def get_paginator(self, _name: str) -> _Replay:
        return self

    def paginate(self, **_params: Any) -> list[dict[str, Any]]:
        return self._pages

    def get_policy(self, *, PolicyArn: str) -> dict[str, Any]:
        return {"Policy": {"DefaultVersionId": self._managed[PolicyArn][0]}}

    def get_policy_version(self, *, PolicyArn: str, VersionId: str) -> dict[str, Any]:
        return {"PolicyVersion": {"Document": self._managed[PolicyArn][1]}}


def _referenced(pages: list[dict[str, Any]]) -> set[str]:
    """Managed policies the account's users, groups and roles use that its pages do not hold
    (AWS-managed ones: left out of the question)."""
    held = {str(p["Arn"]) for page in pages for p in page.get("Policies") or []}
    used: set[str] = set()
    for page in pages:
        for key in _LISTS[:3]:
            for entity in page.get(key) or []:
                used |= {str(p["PolicyArn"]) for p in entity.get("AttachedManagedPolicies") or []}
                boundary = (entity.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
                if boundary:
                    used.add(str(boundary))
    return used - held


def _targets(accounts: TargetsLike, session: boto3.Session) -> TargetsLike:
    """The caller's own account (the management account, listed by ID or in a frame of
    accounts such as ``Organization.accounts(ou=...)``) is read with the caller's session: it
    has no execution role to assume, as ``query`` does for an Organization."""
    if isinstance(accounts, pd.DataFrame) and set(accounts.columns) & {"role_name", "role_arn"}:
        return accounts  # the frame names its roles: query reads it as given
    if isinstance(accounts, pd.DataFrame) and "account_id" in accounts.columns:
        accounts = [str(a) for a in accounts["account_id"]]
    if not isinstance(accounts, list | tuple | set):
        return accounts
    own = identity(session).account_id
    out: list[Any] = []
    for item in accounts:
        if isinstance(item, str) and item.replace("-", "").strip() == own:
            out.append(Target(None, session=session))
        else:
            out.append(item)
    return out


def _failed(account: str, stage: str, code: str, message: str) -> dict[str, str]:
    return {
        "account_id": account,
        "region": "",
        "stage": stage,
        "error_code": code,
        "message": message,
    }


def _target_of(account: str, targets: list[Target]) -> Target:
    """The target the fan-out read ``account`` through (a role to assume, or a session)."""
    for target in targets:
        if target.account_id == account:
            return target
    for target in targets:
        if target.session is not None and identity(target.session).account_id == account:
            return target
    raise AssertionError(f"{account} was read but is no target")  # pragma: no cover


def _read_managed(
    needs: dict[str, set[str]], targets: list[Target], options: dict[str, Any]
) -> tuple[dict[str, tuple[str, str]], dict[str, dict[str, str]]]:
    """(ARN -> (version, document), account -> its error row) for the managed policies the
    accounts use and their pages do not hold. As before this collect read pages once: the
    first account that needs a policy reads it for all; where its role may not, that account
    fails (an error row) and the next account that needs it tries."""
    managed: dict[str, tuple[str, str]] = {}
    failed: dict[str, dict[str, str]] = {}
    for account, arns in needs.items():
        wanted = tuple(sorted(arns - set(managed)))
        if not wanted:
            continue
        read = query(
            [_target_of(account, targets)],
            functools.partial(read_policies, arns=wanted),
            **{**options, "max_workers": 1},
        )
        if not read.errors.empty:
            why = read.errors.iloc[0]
            failed[account] = _failed(
                account, str(why["stage"]), str(why["error_code"]), str(why["message"])
            )
            continue
        for text in read.frame[_POLICY]:
            item = json.loads(str(text))
            if "document" in item:
                managed[str(item["arn"])] = (str(item["version"]), str(item["document"]))
            elif account not in failed:
                failed[account] = _failed(
                    account, STAGE_CALL, str(item["error_code"]), str(item["message"])
                )
    return managed, failed


def collect_accounts(
    accounts: TargetsLike,
    *,
    session: boto3.Session,
    execution_role: str,
    executor: Executor | None,
    max_workers: int,
) -> tuple[list[AccountData], pd.DataFrame, float]:
    """(each account's snapshot, the error rows, the fan-out's seconds).

    Each account is one ``iam:GetAccountAuthorizationDetails`` (every page) through the
    fan-out's own operation path, the one ``xw.query(org, "iam", ...)`` takes: one shared
    client signing as each account's role, no client or session built per account. The
    AWS-managed policies they use are then read once, in the first account that uses them
    (what that account's role may read, as before), and every snapshot is built from these.
    """
    options: dict[str, Any] = {
        "session": session,
        "role_name": execution_role,
        "executor": executor,
        "max_workers": max_workers,
    }
    targets, _caller = resolve_targets(_targets(accounts, session), execution_role, session)
    result = query(
        targets,
        "iam",
        "get_account_authorization_details",
        params={"Filter": list(_FILTER)},
        jmespath=_PAGE,
        **options,
    )
    pages: dict[str, list[dict[str, Any]]] = {}
    if not result.frame.empty:
        columns = [result.frame["account_id"]] + [result.frame[k] for k in _LISTS]
        for account, *lists in zip(*columns, strict=True):
            page = {k: v if isinstance(v, list) else [] for k, v in zip(_LISTS, lists, strict=True)}
            pages.setdefault(str(account), []).append(page)
    needs = {a: _referenced(p) for a, p in pages.items()}
    managed, failed = _read_managed(needs, targets, options)
    found = [
        AccountData(account, read_snapshot(_Replay(account_pages, managed)))
        for account, account_pages in pages.items()
        if account not in failed
    ]
    kept = [e for e in (result.errors, to_frame(failed.values(), ERROR_COLUMNS)) if not e.empty]
    frame = pd.concat(kept, ignore_index=True) if kept else to_frame([], ERROR_COLUMNS)
    return found, frame, result.elapsed_s


def _pages(client: Any, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
    action = "organizations:" + "".join(p.title() for p in operation.split("_"))
    with aws_call(action, params.get("PolicyId")):
        for page in client.get_paginator(operation).paginate(**params):
            yield from page.get(key, [])


def _scp_levels(
    client: Any, accounts: pd.DataFrame, units: pd.DataFrame, management: str
) -> dict[str, list[list[tuple[str, dict[str, Any]]]]]:
    attached: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for summary in _pages(client, "list_policies", "Policies", Filter="SERVICE_CONTROL_POLICY"):
        with aws_call("organizations:DescribePolicy", summary["Id"]):
            policy = client.describe_policy(PolicyId=summary["Id"])["Policy"]
        document = json.loads(policy["Content"])
        for target in _pages(client, "list_targets_for_policy", "Targets", PolicyId=summary["Id"]):
            attached.setdefault(str(target["TargetId"]), []).append(
                (str(summary["Name"]), document)
            )
    parents = dict(zip(units["ou_id"], units["parent_id"], strict=True))
    levels: dict[str, list[list[tuple[str, dict[str, Any]]]]] = {}
    for account, home in zip(accounts["account_id"], accounts["ou_id"], strict=True):
        if account == management:
            continue  # SCPs never apply to the management account
        chain = [str(account)]
        node: str | None = str(home)
        while node:
            chain.append(node)
            node = parents.get(node)
        levels[str(account)] = [attached[n] for n in reversed(chain) if n in attached]
    return levels


def _error_row(account: str, stage: str, err: XacctError) -> dict[str, str]:
    code = err.code if isinstance(err, AwsError) else type(err).__name__
    return {
        "account_id": account,
        "region": "",
        "stage": stage,
        "error_code": code,
        "message": scrub_text(str(err)),
    }


def read_organization(session: boto3.Session) -> tuple[OrgData, pd.DataFrame]:
    """The organization and its SCPs when ``session`` may read them; else what could be read,
    and an error row saying that SCPs were left out (none when there is no organization)."""
    caller = identity(session).account_id
    client = session.client("organizations", config=client_config())
    try:
        with aws_call("organizations:DescribeOrganization"):
            org = client.describe_organization()["Organization"]
    except AwsError as err:
        if err.code in _NOT_IN_ORG:
            return OrgData(), to_frame([], ERROR_COLUMNS)
        return OrgData(), to_frame([_error_row(caller, "organization", err)], ERROR_COLUMNS)
    management = str(org.get("MasterAccountId") or "")
    try:
        organization = Organization(session)
        accounts = organization.accounts(status=None)
        units = organization.organizational_units()
    except XacctError as err:
        log.debug("organization not readable: %s", err)
        row = _error_row(caller, "organization", err)
        return OrgData(str(org["Id"]), management), to_frame([row], ERROR_COLUMNS)
    index = {
        str(r["account_id"]): {"name": str(r["name"] or ""), "ou": str(r["ou"] or "")}
        for r in accounts.to_dict("records")
    }
    try:
        scps = _scp_levels(client, accounts, units, management)
    except XacctError as err:
        row = _error_row(caller, "scp", err)
        return OrgData(str(org["Id"]), management, index), to_frame([row], ERROR_COLUMNS)
    data = OrgData(str(org["Id"]), management, index, scps, scps_read=True)
    return data, to_frame([], ERROR_COLUMNS)
