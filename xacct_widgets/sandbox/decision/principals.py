"""Who is calling, and which policies apply to them: read from moto's backends for the engine.

moto knows users, roles, groups and their policies, but not three things AWS evaluates: the
session policies and MFA state of a role session (recorded when AssumeRole answers, in
:mod:`..sessions`), a user's permissions boundary (moto has no PutUserPermissionsBoundary;
:mod:`.simulate` stores it on the user object), and which SCPs apply to an organization
member account (read from moto's organization tree). Pages followed: "Policy evaluation
logic", "Permissions boundaries for IAM entities", "Session policies" (in "Policies and
permissions in IAM"), "Service control policies (SCPs)".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from moto.iam.models import iam_backends
from moto.sts.models import sts_backends

from ...policy import Policy, Principal, parse_policy
from ..accounts import PARTITION
from ..sessions import IssuedSession

__all__ = [
    "Caller",
    "boundary_of",
    "cached_policy",
    "identity_policies",
    "managed_document",
    "principal_tags",
    "scp_levels",
]

_ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}]}


@dataclass(frozen=True)
class Caller:
    """A resolved caller: the engine's :class:`Principal`, its keys, and its IAM entity name."""

    principal: Principal
    access_key_id: str
    session: IssuedSession | None = None

    @property
    def account(self) -> str:
        return self.principal.account


def _backend(account: str) -> Any:
    # moto's BackendDict.__getitem__ lists every account on each lookup; read the dicts
    # directly when the backend exists (it does for any account that has principals).
    found = dict.get(iam_backends, account)
    backend = dict.get(found, PARTITION) if found is not None else None
    return backend if backend is not None else iam_backends[account][PARTITION]


def managed_document(account: str, arn: str) -> str | None:
    """The default version of managed policy ``arn`` as seen from ``account``; None if absent."""
    backend = _backend(account)
    policy = backend.managed_policies.get(arn)
    if policy is None:
        owner = arn.split(":")[4] if arn.count(":") >= 5 else ""
        if owner.isdigit() and owner != account:
            policy = _backend(owner).managed_policies.get(arn)
    if policy is None:
        return None
    for version in policy.versions:
        if version.is_default:
            return str(version.document)
    return None


@lru_cache(maxsize=8192)
def cached_policy(text: str, source: str) -> Policy:
    """Policies are immutable values: parse each document text once (per source label).

    Sized for a sandbox of thousands of member accounts (a trust policy and an SCP set each).
    """
    return parse_policy(text, source)


_parse = cached_policy


def _managed(account: str, arns: list[str], source: str) -> list[Policy]:
    found = []
    for arn in arns:
        document = managed_document(account, arn)
        if document is not None:
            found.append(_parse(document, f"{source} managed policy {arn}"))
    return found


def _inline(policies: dict[str, str], source: str) -> list[Policy]:
    return [_parse(doc, f"{source} inline policy {name}") for name, doc in policies.items()]


def identity_policies(principal: Principal) -> list[Policy]:
    """The identity-based policies AWS evaluates for ``principal``.

    A user: its inline and managed policies and those of its groups. A role session: the role's.
    An account's root user: everything (AWS does not let policies restrict root, except SCPs).
    """
    account = principal.account
    if principal.is_root:
        return [parse_policy(_ALLOW_ALL, "root user")]
    backend = _backend(account)
    if principal.type == "user":
        try:
            user = backend.get_user(principal.name)
        except Exception:
            return []
        found = _inline(user.policies, f"user {user.name}")
        found += _managed(account, list(user.managed_policies), f"user {user.name}")
        for group in backend.get_groups_for_user(user.name):
            found += _inline(group.policies, f"group {group.name}")
            found += _managed(account, list(group.managed_policies), f"group {group.name}")
        return found
    if principal.type == "assumed-role":
        try:
            role = backend.get_role(principal.name)
        except Exception:
            return []
        found = _inline(role.policies, f"role {role.name}")
        return found + _managed(account, list(role.managed_policies), f"role {role.name}")
    return []


def boundary_arn(principal: Principal) -> str | None:
    backend = _backend(principal.account)
    try:
        if principal.type == "user":
            return getattr(backend.get_user(principal.name), "permissions_boundary_arn", None)
        if principal.type == "assumed-role":
            return backend.get_role(principal.name).permissions_boundary_arn  # type: ignore[no-any-return]
    except Exception:
        return None
    return None


def boundary_of(principal: Principal) -> Policy | None:
    """The permissions boundary of a user or a session's role, if any.

    A boundary naming a policy that no longer exists allows nothing (AWS refuses to delete a
    policy in use as a boundary, so this only happens in the sandbox).
    """
    arn = boundary_arn(principal)
    if not arn:
        return None
    document = managed_document(principal.account, arn)
    if document is None:
        return cached_policy('{"Version": "2012-10-17", "Statement": []}', f"boundary {arn}")
    return cached_policy(document, f"permissions boundary {arn}")


def session_policies(caller: Caller) -> list[Policy] | None:
    facts = caller.session
    if facts is None or (facts.policy is None and not facts.policy_arns):
        return None
    found = []
    if facts.policy is not None:
        found.append(cached_policy(facts.policy, "session policy"))
    found += _managed(caller.account, list(facts.policy_arns), "session")
    return found


def principal_tags(caller: Caller) -> dict[str, str]:
    """``aws:PrincipalTag/…``: the user's tags, or the role's tags overlaid by session tags."""
    principal = caller.principal
    backend = _backend(principal.account)
    tags: dict[str, str] = {}
    try:
        if principal.type == "user":
            tags = {t["Key"]: t["Value"] for t in backend.list_user_tags(principal.name)}
        elif principal.type == "assumed-role":
            role = backend.get_role(principal.name)
            # moto keeps a role's tags as {key: {"Key": key, "Value": value}}
            tags = {str(k): str(t["Value"]) for k, t in dict(role.tags or {}).items()}
    except Exception:
        tags = {}
    if caller.session is not None:
        tags.update(caller.session.tags)
    return tags


def organization_of(account: str) -> tuple[Any, Any] | None:
    """(organizations backend of the management account, the organization) of ``account``.

    Read from moto's member -> management map, so no backend is created for accounts that have
    none (a sandbox can hold hundreds of member accounts).
    """
    from moto.organizations.models import organizations_backends

    members = organizations_backends.master_accounts
    located = members.get(account)
    management = located[0] if located else None
    if management is None and any(m == account for m, _ in members.values()):
        management = account  # it manages members (stops at the first of them)
    if management is None:
        return None
    backend = organizations_backends[management][PARTITION]
    if backend.org is None:
        return None
    return backend, backend.org


def scp_levels(account: str) -> list[list[Policy]] | None:
    """The SCPs at each level above ``account`` (root, OUs, account), or None when SCPs do not
    apply: the account is not in an organization, or it is the management account."""
    found = organization_of(account)
    if found is None:
        return None
    backend, org = found
    if org.master_account_id == account:
        return None
    member = next((a for a in backend.accounts if a.id == account), None)
    if member is None:
        return None
    chain: list[Any] = [member]
    parent_id = member.parent_id
    while parent_id:
        unit = next((ou for ou in backend.ou if ou.id == parent_id), None)
        if unit is None:
            break
        chain.append(unit)
        parent_id = getattr(unit, "parent_id", None) if unit.type != "ROOT" else None
    levels = []
    for node in reversed(chain):
        scps = [p for p in node.attached_policies if p.type == "SERVICE_CONTROL_POLICY"]
        if scps:  # AWS requires one per level; a level without any (moto) does not filter
            levels.append([_parse(p.content, f"SCP {p.name} on {node.id}") for p in scps])
    return levels


def org_id(account: str) -> str | None:
    found = organization_of(account)
    return str(found[1].id) if found else None


def role_session(account: str, access_key_id: str) -> Any:
    return sts_backends[account][PARTITION].get_assumed_role_from_access_key(access_key_id)
