"""Reading the target account's IAM: the role lists and tabs of the console, and role snapshots.

Every list goes through a boto3 paginator: IAM pages at 100 items by default, and an account
with more roles or policies than that would otherwise silently show a truncated list. Each call
runs in ``aws_call`` so that a denial names the IAM action to grant. A plan reads only what its
diff needs (the role, its two policy lists, the inline documents the spec also names, GetPolicy
for the policies to attach), which keeps a no-op plan at a handful of calls.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final, Literal

import pandas as pd

from ...aws_limits import DEFAULT_SESSION_SECONDS
from ...errors import InvalidInput, PolicyNotFound, RoleNotFound
from .. import ids, policies
from ..aws import aws_call
from ..frames import to_frame
from .plan import PolicyState
from .record import RoleRecord, RoleState, compact, policy_scope, trusted_text, whole_seconds

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

__all__ = [
    "ATTACHED_COLUMNS",
    "INLINE_COLUMNS",
    "MANAGED_POLICY_COLUMNS",
    "ROLE_COLUMNS",
    "Scope",
    "attached_arns",
    "attached_policies",
    "get_role",
    "inline_document",
    "inline_names",
    "inline_policies",
    "instance_profiles",
    "managed_policies",
    "pages",
    "policy_descriptions",
    "policy_states",
    "record",
    "require_role",
    "role_state",
    "roles",
    "trust_relationships",
]

#: Columns of :meth:`TargetAccount.roles`.
ROLE_COLUMNS: Final = (
    "name",
    "path",
    "arn",
    "created",
    "max_session_duration",
    "description",
    "trusted",
)
#: Columns of :meth:`TargetAccount.managed_policies`.
MANAGED_POLICY_COLUMNS: Final = (
    "name",
    "arn",
    "scope",
    "path",
    "attachment_count",
    "description",
)
#: Columns of :meth:`TargetAccount.attached_policies`.
ATTACHED_COLUMNS: Final = ("name", "arn", "scope", "path")
#: Columns of :meth:`TargetAccount.inline_policies`.
INLINE_COLUMNS: Final = ("policy_name", "document")

Scope = Literal["All", "AWS", "Local"]
_SCOPES: Final = {"all": "All", "aws": "AWS", "local": "Local", "customer": "Local"}


def pages(iam: IAMClient, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    """Every item under ``key`` of every page of a paginated IAM operation."""
    paginator: Any = iam.get_paginator(operation)  # type: ignore[call-overload]
    for page in paginator.paginate(**kwargs):
        yield from page.get(key, [])


# -- one role ----------------------------------------------------------------------------------
def get_role(iam: IAMClient, name: str) -> dict[str, Any] | None:
    """The role's GetRole description, or None when it does not exist."""
    try:
        with aws_call("iam:GetRole", name):
            return dict(iam.get_role(RoleName=name)["Role"])
    except RoleNotFound:
        return None


def require_role(iam: IAMClient, name: str) -> dict[str, Any]:
    """Like :func:`get_role`, but a missing role is an error saying how to find or make one."""
    role = get_role(iam, ids.role_name(name))
    if role is None:
        raise RoleNotFound(
            f"Role {name!r} does not exist in this account.",
            code="NoSuchEntity",
            fix="List the roles with roles(), or create it with apply(RoleSpec(...)).",
        )
    return role


def attached_arns(iam: IAMClient, name: str) -> tuple[str, ...]:
    with aws_call("iam:ListAttachedRolePolicies", name):
        found = pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
        return tuple(sorted(p["PolicyArn"] for p in found))


def inline_names(iam: IAMClient, name: str) -> tuple[str, ...]:
    with aws_call("iam:ListRolePolicies", name):
        return tuple(sorted(pages(iam, "list_role_policies", "PolicyNames", RoleName=name)))


def inline_document(iam: IAMClient, role: str, policy: str) -> dict[str, Any]:
    with aws_call("iam:GetRolePolicy", f"{role}/{policy}"):
        doc = iam.get_role_policy(RoleName=role, PolicyName=policy)["PolicyDocument"]
    return policies.load_policy(doc)


def instance_profiles(iam: IAMClient, name: str) -> list[str]:
    with aws_call("iam:ListInstanceProfilesForRole", name):
        found = pages(iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=name)
        return [p["InstanceProfileName"] for p in found]


def record(iam: IAMClient, name: str) -> RoleRecord:
    """The role read back: trust policy, attached and inline policy names, tags, URL."""
    raw = require_role(iam, name)
    return RoleRecord.from_iam(raw, attached_arns(iam, name), inline_names(iam, name))


def role_state(
    iam: IAMClient, name: str, inline: Collection[str] | None = None
) -> RoleState | None:
    """A snapshot of the role for :func:`~.plan.diff`, or None when it does not exist.

    Args:
        inline: the inline policies whose documents to read (those the role has); None reads
            them all.
    """
    raw = get_role(iam, name)
    if raw is None:
        return None
    attached, names = attached_arns(iam, name), inline_names(iam, name)
    wanted = [n for n in names if inline is None or n in inline]
    docs = {n: inline_document(iam, name, n) for n in wanted}
    return RoleState(RoleRecord.from_iam(raw, attached, names), docs)


def policy_descriptions(
    iam: IAMClient, arns: Iterable[str], known: dict[str, str] | None = None
) -> dict[str, str]:
    """Each managed policy's description ("" when it has none), by GetPolicy.

    ListPolicies never returns descriptions (AWS: "This element is included in the response to
    the GetPolicy operation. It is not included in the response to the ListPolicies
    operation", https://docs.aws.amazon.com/IAM/latest/APIReference/API_Policy.html), so each
    costs one call: ``known`` (a cache the caller keeps) is asked first and filled in.
    """
    cache = known if known is not None else {}
    for arn in dict.fromkeys(arns):
        if arn in cache:
            continue
        try:
            with aws_call("iam:GetPolicy", arn):
                cache[arn] = str(iam.get_policy(PolicyArn=arn)["Policy"].get("Description") or "")
        except PolicyNotFound:
            cache[arn] = ""
    return {arn: cache[arn] for arn in arns}


def policy_states(iam: IAMClient, arns: Iterable[str]) -> dict[str, PolicyState]:
    """GetPolicy for each ARN: whether it exists and may be attached."""
    states: dict[str, PolicyState] = {}
    for arn in arns:
        try:
            with aws_call("iam:GetPolicy", arn):
                policy = iam.get_policy(PolicyArn=arn)["Policy"]
        except PolicyNotFound:
            states[arn] = "not found"
            continue
        states[arn] = "not attachable" if policy.get("IsAttachable") is False else "attachable"
    return states


# -- tables ------------------------------------------------------------------------------------
def roles(iam: IAMClient) -> pd.DataFrame:
    """All roles, sorted by name: :data:`ROLE_COLUMNS` (the console's IAM -> Roles list)."""
    with aws_call("iam:ListRoles"):
        found = list(pages(iam, "list_roles", "Roles"))
    rows = [
        {
            "name": r["RoleName"],
            "path": r.get("Path", "/"),
            "arn": r["Arn"],
            "created": whole_seconds(r.get("CreateDate")),
            "max_session_duration": r.get("MaxSessionDuration", DEFAULT_SESSION_SECONDS),
            "description": r.get("Description", ""),
            "trusted": trusted_text(r.get("AssumeRolePolicyDocument")),
        }
        for r in sorted(found, key=lambda r: str(r["RoleName"]).lower())
    ]
    return to_frame(rows, ROLE_COLUMNS)


def managed_policies(
    iam: IAMClient,
    scope: Scope = "All",
    search: str | None = None,
    attached_only: bool = False,
    descriptions: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Managed policies to choose from (A5): ``scope`` AWS / Local (customer) / All.

    ``search`` keeps names containing it, ignoring case; ``attached_only`` keeps policies
    attached to something. Columns: :data:`MANAGED_POLICY_COLUMNS`; ``description`` is what
    ListPolicies gave or ``descriptions`` (a cache, see :func:`policy_descriptions`) knows,
    else "" (no call is made here for it).
    """
    known = descriptions or {}
    chosen = _SCOPES.get(str(scope).lower()) if isinstance(scope, str) else None
    if chosen is None:
        raise InvalidInput(
            f"scope {scope!r} is invalid: it must be 'All', 'AWS' or 'Local'.",
            fix="Use 'AWS' for AWS-managed policies, 'Local' for your own.",
        )
    if search is not None and not isinstance(search, str):
        raise InvalidInput(f"search {search!r} is invalid: it must be a string or None.")
    needle = (search or "").strip().lower()
    with aws_call("iam:ListPolicies"):
        found = list(
            pages(iam, "list_policies", "Policies", Scope=chosen, OnlyAttached=bool(attached_only))
        )
    rows = [
        {
            "name": p["PolicyName"],
            "arn": p["Arn"],
            "scope": policy_scope(p["Arn"]),
            "path": p.get("Path", "/"),
            "attachment_count": p.get("AttachmentCount", 0),
            "description": str(p.get("Description") or known.get(p["Arn"], "")),
        }
        for p in sorted(found, key=lambda p: str(p["PolicyName"]).lower())
        if needle in str(p["PolicyName"]).lower()
    ]
    return to_frame(rows, MANAGED_POLICY_COLUMNS)


def trust_relationships(iam: IAMClient, name: str) -> pd.DataFrame:
    """The role's "Trust relationships" tab: one row per trusted principal (A7)."""
    raw = require_role(iam, name)
    entries = policies.trust_principals(raw.get("AssumeRolePolicyDocument") or {})
    return to_frame(entries, policies.TRUST_COLUMNS)


def attached_policies(iam: IAMClient, name: str) -> pd.DataFrame:
    """Managed policies attached to the role (its Permissions tab): :data:`ATTACHED_COLUMNS`."""
    ids.role_name(name)
    try:
        with aws_call("iam:ListAttachedRolePolicies", name):
            found = list(
                pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
            )
    except RoleNotFound as err:
        raise RoleNotFound(
            f"Role {name!r} does not exist in this account.", code=err.code, fix=err.fix
        ) from err
    rows = [
        {
            "name": p["PolicyName"],
            "arn": p["PolicyArn"],
            "scope": policy_scope(p["PolicyArn"]),
            "path": ids.parse_arn(p["PolicyArn"]).path,
        }
        for p in sorted(found, key=lambda p: str(p["PolicyName"]).lower())
    ]
    return to_frame(rows, ATTACHED_COLUMNS)


def inline_policies(iam: IAMClient, name: str) -> pd.DataFrame:
    """The role's inline policies: name and document as compact JSON."""
    ids.role_name(name)
    rows = [
        {"policy_name": n, "document": compact(inline_document(iam, name, n))}
        for n in inline_names(iam, name)
    ]
    return to_frame(rows, INLINE_COLUMNS)
