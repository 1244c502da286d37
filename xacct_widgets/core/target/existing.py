"""An existing role read back as a RoleSpec, and its trust policy read back as settings.

Why: a spec is declarative, so a spec typed from blank defaults for a role that already exists
is an instruction to remove whatever the defaults lack (the wizard used to detach ReadOnlyAccess
that way). Editing in place therefore starts from :func:`spec_from_state`, the role's own
settings, such that planning it changes nothing. The same reading of a trust policy
(:func:`read_trust`) lets the plan tell a harmless rewrite (a ``Sid``, an empty ``Condition``,
``"Action": ["sts:AssumeRole"]``) from a change that locks someone out.

Only trust policies of the shape RoleSpec builds are read as settings (one Allow statement for
``sts:AssumeRole``, AWS principals of one account, an optional ``sts:ExternalId`` and
``aws:MultiFactorAuthPresent`` condition: the console's "Another AWS account" role,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user.html); anything else
is reported, never silently simplified. Principals of any partition are read (``arn:aws-cn:``,
``arn:aws-us-gov:``: https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-arns.html,
https://docs.amazonaws.cn/en_us/aws/latest/userguide/ARNs.html); a bare account ID is the root of
the role's partition, as IAM stores it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import InvalidRoleSpec
from ...policy.document import as_list
from .. import policies
from .record import RoleState
from .spec import RoleSpec

__all__ = ["TrustSettings", "read_trust", "same_trust", "spec_from_state", "trust_removes"]

_ACCOUNT = re.compile(r"[0-9]{12}")
_PARTITION = r"arn:(?P<partition>aws(?:-[a-z]+)*)"
_ROOT = re.compile(_PARTITION + r":iam::(?P<account>[0-9]{12}):root")
_PRINCIPAL = re.compile(_PARTITION + r":iam::(?P<account>[0-9]{12}):(?:root|(?:user|role)/.+)")


@dataclass(frozen=True)
class TrustSettings:
    """What a trust policy says, as RoleSpec's settings; ``unreadable`` says why not ("" = read).

    ``principals`` are ARNs in the document's order, a bare account ID written as its root ARN
    (as IAM does); :meth:`same` compares them as a set.
    """

    principals: tuple[str, ...] = ()
    external_id: str | None = None
    require_mfa: bool = False
    unreadable: str = ""

    def same(self, other: TrustSettings) -> bool:
        """The same principals (in any order) and the same requirements, both fully read."""
        return (
            not self.unreadable
            and not other.unreadable
            and set(self.principals) == set(other.principals)
            and (self.external_id, self.require_mfa) == (other.external_id, other.require_mfa)
        )

    @property
    def accounts(self) -> tuple[str, ...]:
        """The accounts the principals belong to."""
        found = (_PRINCIPAL.fullmatch(p) for p in self.principals)
        return tuple(sorted({m.group("account") for m in found if m}))

    @property
    def partitions(self) -> tuple[str, ...]:
        """The partitions the principals are in (``aws``, ``aws-cn``, ``aws-us-gov``)."""
        found = (_PRINCIPAL.fullmatch(p) for p in self.principals)
        return tuple(sorted({m.group("partition") for m in found if m}))


def _unreadable(why: str) -> TrustSettings:
    return TrustSettings(unreadable=why)


def _condition(condition: Any) -> tuple[str | None, bool, str]:
    """(ExternalId, MFA required, why unreadable) of a statement's Condition."""
    if condition in (None, {}):
        return None, False, ""
    if not isinstance(condition, Mapping):
        return None, False, "its Condition is not an object"
    external_id: str | None = None
    mfa = False
    for operator, pairs in condition.items():
        if not isinstance(pairs, Mapping):
            return None, False, f"condition {operator} is not an object"
        for key, value in pairs.items():
            values = [str(v).lower() if isinstance(v, bool) else str(v) for v in as_list(value)]
            if operator == "StringEquals" and key.lower() == "sts:externalid" and len(values) == 1:
                external_id = values[0]
            elif (
                operator == "Bool"
                and key.lower() == "aws:multifactorauthpresent"
                and values == ["true"]
            ):
                mfa = True
            else:
                return None, False, f"it has the condition {operator} {key}"
    return external_id, mfa, ""


def _partition_of(values: list[str]) -> str:
    """The partition of the first ARN among ``values``; ``aws`` when there is none."""
    found = (_PRINCIPAL.fullmatch(v) for v in values)
    return next((m.group("partition") for m in found if m), "aws")


def read_trust(
    document: Mapping[str, Any] | str | None, partition: str | None = None
) -> TrustSettings:
    """Read a trust policy as RoleSpec settings; ``unreadable`` says why when it cannot be.

    ``partition`` is the role's, for a bare account ID (None: that of the document's ARNs).
    """
    if not document:
        return _unreadable("the role has no trust policy")
    policy = policies.load_policy(document)
    statements = as_list(policy.get("Statement"))
    if len(statements) != 1 or not isinstance(statements[0], Mapping):
        return _unreadable(f"it has {len(statements)} statements (RoleSpec writes one)")
    statement = statements[0]
    if statement.get("Effect") != "Allow" or "NotPrincipal" in statement:
        return _unreadable("its statement is not a plain Allow")
    if "NotAction" in statement or as_list(statement.get("Action")) != ["sts:AssumeRole"]:
        return _unreadable(f"it allows {statement.get('Action') or statement.get('NotAction')!r}")
    principal = statement.get("Principal")
    if not isinstance(principal, Mapping) or set(principal) != {"AWS"}:
        return _unreadable(f"it trusts {principal!r}, not AWS accounts, users or roles")
    principals = []
    values = [str(v) for v in as_list(principal["AWS"])]
    partition = partition or _partition_of(values)
    for text in values:
        if _ACCOUNT.fullmatch(text):
            text = f"arn:{partition}:iam::{text}:root"
        if not _PRINCIPAL.fullmatch(text):
            return _unreadable(f"it trusts {text!r}")
        principals.append(text)
    external_id, mfa, why = _condition(statement.get("Condition"))
    if why:
        return _unreadable(why)
    return TrustSettings(tuple(dict.fromkeys(principals)), external_id, mfa)


def spec_from_state(state: RoleState) -> RoleSpec:
    """The RoleSpec of an existing role, read in full: planning it changes nothing.

    Args:
        state: the role with *all* its inline documents read.

    Raises:
        InvalidRoleSpec: the trust policy is not one RoleSpec can express (several accounts, a
            service principal, other conditions): the message says which, the fix what to do.
    """
    record = state.record
    partition = record.partition
    trust = read_trust(record.trust_policy, partition)
    accounts = trust.accounts
    why = trust.unreadable or (
        f"it trusts {len(accounts)} accounts ({', '.join(accounts)}); RoleSpec trusts one"
        if len(accounts) != 1
        else ""
    )
    if not why and trust.partitions != (partition,):
        why = f"it trusts principals in {', '.join(trust.partitions)}, the role is in {partition}"
    if why:
        raise InvalidRoleSpec(
            f"Role {record.name!r} has a trust policy RoleSpec cannot express: {why}.",
            fix="Edit that role's trust policy in the IAM console (Trust relationships tab), or "
            "give it a RoleSpec of your own: one account (or users and roles in it), with an "
            "optional ExternalId and MFA.",
        )
    root = f"arn:{partition}:iam::{accounts[0]}:root"
    principals = () if trust.principals == (root,) else trust.principals
    return RoleSpec(
        name=record.name,
        trusted_account=accounts[0],
        managed_policy_arns=record.managed_policy_arns,
        inline_policies=dict(state.inline_documents),
        trusted_principals=principals,
        external_id=trust.external_id,
        require_mfa=trust.require_mfa,
        max_session_duration=record.max_session_duration,
        path=record.path,
        description=record.description,
        tags=dict(record.tags),
        permissions_boundary=record.permissions_boundary,
        partition=partition,
    )


def same_trust(current: Mapping[str, Any], desired: Mapping[str, Any]) -> bool:
    """True when two trust policies trust the same principals with the same requirements.

    Beyond :func:`policies.equivalent`, a ``Sid``, an empty ``Condition`` (the console writes
    one) or ``"Action": ["sts:AssumeRole"]`` are no change when both documents read as settings.
    """
    if policies.equivalent(current, desired):
        return True
    return read_trust(current).same(read_trust(desired))


def trust_removes(before: TrustSettings, after: TrustSettings) -> str:
    """What replacing trust ``before`` by ``after`` takes away ("" when it only adds)."""
    if before.unreadable:
        return f"a trust policy read as-is ({before.unreadable}); who may switch in changes"
    parts = [f"trust in {p}" for p in before.principals if p not in after.principals]
    if after.external_id is not None and after.external_id != before.external_id:
        parts.append(
            "switching without this ExternalId (users must now give it)"
            if before.external_id is None
            else "the old ExternalId (users must give the new one)"
        )
    if after.require_mfa and not before.require_mfa:
        parts.append("switching without MFA (users must now sign in with MFA)")
    return "; ".join(parts)


def is_root(principal: str) -> bool:
    """True for an account's root ARN (the whole account is trusted)."""
    return _ROOT.fullmatch(principal) is not None
