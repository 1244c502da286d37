"""Reading the organization for a trust map: one fan-out of IAM reads, then the SCPs.

Each account answers one question, its whole IAM configuration (the ``Snapshot`` that
``SourceAccount`` reads: ``iam:GetAccountAuthorizationDetails`` through its boto3 paginator),
asked through :func:`xacct_widgets.query` so executors, retries, cached credentials and
"failures are rows, never a lost account" come from the one fan-out. The organization is read
once with the caller's session when it may (``organizations`` paginators): its accounts and
OUs, and every SCP with the targets it is attached to, so each member account gets its levels
(root, OUs, the account) as the sandbox and AWS evaluate them.
"""

from __future__ import annotations

import json
import logging
import threading
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
from ..query.timestamps import iso_timestamp
from ..source.snapshot import read as read_snapshot
from .model import AccountData, OrgData, snapshot_from_json, snapshot_to_json

__all__ = ["collect_accounts", "read_account", "read_organization"]

log = logging.getLogger(__name__)

#: The column in which each account's IAM configuration comes back from the fan-out.
_COLUMN: Final = "trustmap_iam"
_NOT_IN_ORG: Final = frozenset({"AWSOrganizationsNotInUseException"})


#: AWS-managed policies (``arn:aws:iam::aws:policy/...``) are the same in every account: each is
#: read once per collect (per worker process with a remote executor) instead of once per
#: account, where asking ``GetAccountAuthorizationDetails`` for them costs the most.
_AWS_MANAGED: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
_AWS_MANAGED_LOCK = threading.Lock()


class _Paginator:
    """The authorization-details paginator without the AWS-managed policies filter."""

    def __init__(self, paginator: Any) -> None:
        self._paginator = paginator

    def paginate(self, **params: Any) -> Any:
        wanted = [f for f in params.get("Filter", []) if f != "AWSManagedPolicy"]
        return self._paginator.paginate(**{**params, "Filter": wanted})


class _SharedAwsManaged:
    """The IAM client as :func:`~..source.snapshot.read` uses it (its one reader of an
    account), with AWS-managed policies served from :data:`_AWS_MANAGED` once read."""

    def __init__(self, iam: Any) -> None:
        self._iam = iam

    def get_paginator(self, name: str) -> Any:
        paginator = self._iam.get_paginator(name)
        return _Paginator(paginator) if name == "get_account_authorization_details" else paginator

    def _cached(self, arn: str) -> tuple[dict[str, Any], dict[str, Any]]:
        with _AWS_MANAGED_LOCK:
            found = _AWS_MANAGED.get(arn)
        if found is None:
            policy = self._iam.get_policy(PolicyArn=arn)
            version = policy["Policy"]["DefaultVersionId"]
            found = (policy, self._iam.get_policy_version(PolicyArn=arn, VersionId=version))
            with _AWS_MANAGED_LOCK:
                _AWS_MANAGED[arn] = found
        return found

    def get_policy(self, *, PolicyArn: str) -> dict[str, Any]:
        if PolicyArn.split(":")[4] != "aws":
            return self._iam.get_policy(PolicyArn=PolicyArn)  # type: ignore[no-any-return]
        return self._cached(PolicyArn)[0]

    def get_policy_version(self, *, PolicyArn: str, VersionId: str) -> dict[str, Any]:
        if PolicyArn.split(":")[4] != "aws":
            found = self._iam.get_policy_version(PolicyArn=PolicyArn, VersionId=VersionId)
            return found  # type: ignore[no-any-return]
        return self._cached(PolicyArn)[1]


def read_account(session: boto3.Session, region: str) -> list[dict[str, str]]:
    """The fan-out's question for one account: its IAM configuration, as one JSON cell.

    Module level (not a closure) so a process pool or Dask can run it too. Its client parses
    timestamps as the fan-out's own clients do (:func:`~..query.timestamps.iso_timestamp`: the
    same values, without dateutil's ~90 us for each of the answer's dates); the snapshot keeps
    no date, so the map is the same either way.
    """
    # boto3 exposes no public accessor for its botocore session (as sessions.derived_session).
    parsers = session._session.get_component("response_parser_factory")
    parsers.set_parser_defaults(timestamp_parser=iso_timestamp)
    iam = session.client("iam", region_name=region, config=client_config())
    snapshot = read_snapshot(_SharedAwsManaged(iam))
    return [{_COLUMN: json.dumps(snapshot_to_json(snapshot), sort_keys=True, default=str)}]


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


def collect_accounts(
    accounts: TargetsLike,
    *,
    session: boto3.Session,
    execution_role: str,
    executor: Executor | None,
    max_workers: int,
) -> tuple[list[AccountData], pd.DataFrame, float]:
    """(each account's snapshot, the error rows, the fan-out's seconds)."""
    with _AWS_MANAGED_LOCK:
        _AWS_MANAGED.clear()  # a new collect reads AWS's current versions again
    result = query(
        _targets(accounts, session),
        read_account,
        session=session,
        role_name=execution_role,
        executor=executor,
        max_workers=max_workers,
    )
    found: dict[str, AccountData] = {}
    if _COLUMN in result.frame.columns:
        for account, text in zip(result.frame["account_id"], result.frame[_COLUMN], strict=True):
            snap = snapshot_from_json(json.loads(str(text)))
            found[str(account)] = AccountData(str(account), snap)
    return list(found.values()), result.errors, result.elapsed_s


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
