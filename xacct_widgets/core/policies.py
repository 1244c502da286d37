"""Trust policies, the source-side sts:AssumeRole policy, and reading policies back.

Policies are plain dicts so they can be shown, diffed and sent to IAM unchanged. Building them
here, from validated parts, is what guarantees the toolkit never writes a wildcard principal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..errors import InvalidArn, InvalidInput, InvalidPolicy, InvalidRoleSpec
from ..policy import POLICY_VERSION, PolicyKind, load_document, validate_document
from ..policy import canonical as policy_canonical
from ..policy import equivalent as policy_equivalent
from ..policy.document import as_list as _as_list
from ..policy.document import scalar as _scalar
from . import ids, partitions

__all__ = [
    "POLICY_VERSION",
    "TRUST_COLUMNS",
    "TrustEntry",
    "assume_role_policy",
    "canonical",
    "equivalent",
    "load_policy",
    "trust_policy",
    "trust_principals",
    "validate_policy_document",
]

#: Columns of the "Trust relationships" table, in order.
TRUST_COLUMNS: Final = ("principal_type", "principal", "conditions", "effect")


def _one_or_many(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def _dedupe(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _principal_arn(value: str, account: str, partition: str = "aws") -> str:
    """Validate one trusted principal: the account's root, or a user or role in that account.

    The principal must be in the role's partition: IAM refuses a GovCloud or China trust policy
    naming a commercial ARN (each partition is its own set of accounts):
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
    https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-arns.html.
    """
    head = f"arn:{partition}:iam::{account}"
    rule = (
        f"{head}:user/NAME, {head}:role/NAME or "
        f"{head}:root (no wildcards, same account as trusted_account)"
    )
    if not isinstance(value, str) or "*" in value or "?" in value:
        raise InvalidRoleSpec(
            f"Principal {value!r} is invalid: it must be {rule}.",
            fix="Name the users or roles that may switch; a wildcard would trust everyone.",
        )
    try:
        arn = ids.parse_arn(value)
    except InvalidArn as err:
        raise InvalidRoleSpec(f"Principal {value!r} is invalid: it must be {rule}.") from err
    if arn.partition != partition:
        raise InvalidRoleSpec(
            f"Principal {value!r} is in partition {arn.partition!r}, not the role's partition "
            f"{partition!r}: it must be {rule}.",
            fix=f"A role in {partition!r} can only trust principals of {partition!r}: use the "
            f"principal's {partition!r} ARN, or give the RoleSpec partition={arn.partition!r}.",
        )
    if arn.service == "sts":
        raise InvalidRoleSpec(
            f"Principal {value!r} is a session, not a user or role: it must be {rule}.",
            fix=f"Trust the role behind the session (arn:{partition}:iam::ACCOUNT:role/NAME).",
        )
    if arn.resource_type == "group":
        raise InvalidRoleSpec(
            f"Principal {value!r} is an IAM group, which a trust policy cannot name: "
            f"it must be {rule}.",
            fix="List the group's users, or trust the whole account and restrict sts:AssumeRole "
            "with a group policy in the source account.",
        )
    if arn.account_id != account:
        raise InvalidRoleSpec(
            f"Principal {value!r} is in account {arn.account_id!r}, not the trusted account "
            f"{account!r}: it must be {rule}.",
            fix="Only principals of the trusted account can be listed.",
        )
    ok = arn.service == "iam" and not arn.region
    ok = ok and (
        (arn.resource_type == "" and arn.resource == "root")
        or (arn.resource_type in ("user", "role") and _name_and_path_ok(arn))
    )
    if not ok:
        raise InvalidRoleSpec(f"Principal {value!r} is invalid: it must be {rule}.")
    return arn.arn


def _name_and_path_ok(arn: ids.Arn) -> bool:
    try:
        ids.iam_path(arn.path)
        ids.role_name(arn.name)  # user names follow the same rule
    except InvalidInput:
        return False
    return True


def trust_policy(
    trusted_account: str,
    principals: Iterable[str] | None = None,
    external_id: str | None = None,
    require_mfa: bool = False,
    *,
    partition: str = "aws",
) -> dict[str, Any]:
    """Build the trust policy that lets ``trusted_account`` (or only some of its users/roles) in.

    With no ``principals`` the whole account is trusted (``arn:PARTITION:iam::ACCOUNT:root``),
    as the console's "another AWS account" option does; who in that account may then switch is
    decided by the source account's own policies (see :func:`assume_role_policy`).
    ``partition`` is the role's (``aws``, ``aws-cn``, ``aws-us-gov``): the root and every listed
    principal are ARNs of that partition
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
    """
    account = ids.account_id(trusted_account)
    name = partitions.partition(partition).name
    if principals is None:
        arns = [f"arn:{name}:iam::{account}:root"]
    else:
        if isinstance(principals, str):
            principals = [principals]
        arns = _dedupe(_principal_arn(p, account, name) for p in principals)
        if not arns:
            raise InvalidRoleSpec(
                "principals=[] would trust nobody.",
                fix="Pass principals=None to trust the whole account, or list user/role ARNs.",
            )
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": _one_or_many(arns)},
        "Action": "sts:AssumeRole",
    }
    condition: dict[str, dict[str, str]] = {}
    if external_id is not None:
        condition["StringEquals"] = {"sts:ExternalId": ids.external_id(external_id)}
    if require_mfa:
        condition["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
    if condition:
        statement["Condition"] = condition
    return {"Version": POLICY_VERSION, "Statement": [statement]}


def assume_role_policy(role_arns: Iterable[str]) -> dict[str, Any]:
    """Build the identity policy allowing sts:AssumeRole on exactly these roles.

    Attached to users in the source account, it limits who may switch: the target's trust
    policy usually trusts the whole source account.
    """
    if isinstance(role_arns, str):
        role_arns = [role_arns]
    arns = _dedupe(ids.parse_role_arn(a).arn for a in role_arns)
    if not arns:
        raise InvalidPolicy(
            "role_arns is empty: the policy would allow switching into nothing.",
            fix="List the role ARNs the user may switch into.",
        )
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "AllowSwitchRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": _one_or_many(arns),
            }
        ],
    }


def load_policy(doc: Mapping[str, Any] | str) -> dict[str, Any]:
    """Return a policy as a dict, from a dict, a JSON string or IAM's URL-encoded JSON."""
    return load_document(doc)


def validate_policy_document(
    doc: Mapping[str, Any] | str, *, kind: PolicyKind = "identity", name: str | None = None
) -> dict[str, Any]:
    """Check an inline (``kind="identity"``) or trust (``kind="trust"``) policy; return a dict.

    Catches what IAM would reject (or silently accept wrongly, like a typo'd key) before any call.
    The result is the document with ``Statement`` always a list; values are otherwise unchanged.
    The rules live in :func:`xacct_widgets.policy.validate_document`.
    """
    return validate_document(doc, kind=kind, name=name)


@dataclass(frozen=True)
class TrustEntry:
    """One trusted principal of a role, as shown in the console's "Trust relationships" tab."""

    principal_type: str
    principal: str
    conditions: str
    effect: str = "Allow"


_TYPE_LABELS: Final[dict[str, str]] = {
    "Service": "Service",
    "Federated": "Federated",
    "CanonicalUser": "Canonical user",
}


def _aws_principal_type(value: str) -> tuple[str, str]:
    if value == "*":
        return "any", "*"
    if re.fullmatch(r"[0-9]{12}", value):
        return "AWS account", value
    try:
        arn = ids.parse_arn(value)
    except InvalidArn:
        # IAM replaces a deleted user or role with its unique ID (AIDA…/AROA…).
        return "AWS principal ID (deleted?)", value
    if arn.service == "iam" and arn.resource == "root" and not arn.resource_type:
        return "AWS account", arn.account_id
    if arn.service == "iam" and arn.resource_type == "user":
        return "IAM user", value
    if arn.service == "iam" and arn.resource_type == "role":
        return "IAM role", value
    if arn.service == "sts" and arn.resource_type == "assumed-role":
        return "Assumed-role session", value
    return "AWS", value


def _conditions_text(condition: Any) -> str:
    if not isinstance(condition, Mapping):
        return ""
    parts = []
    for operator, pairs in condition.items():
        if not isinstance(pairs, Mapping):
            continue
        for key, value in pairs.items():
            parts.append(f"{operator} {key}={','.join(_scalar(v) for v in _as_list(value))}")
    return "; ".join(parts)


def trust_principals(doc: Mapping[str, Any] | str) -> list[TrustEntry]:
    """Read any trust policy back into one row per principal, for the "Trust relationships" table.

    Unlike :func:`validate_policy_document` this never rejects: it shows what IAM has, wildcards
    included, so that a dangerous trust policy is visible rather than hidden behind an error.
    """
    policy = load_policy(doc)
    statements = policy.get("Statement", [])
    entries: list[TrustEntry] = []
    for statement in _as_list(statements):
        if not isinstance(statement, Mapping):
            continue
        negated = "NotPrincipal" in statement and "Principal" not in statement
        principal = statement.get("NotPrincipal" if negated else "Principal")
        effect = str(statement.get("Effect", ""))
        conditions = _conditions_text(statement.get("Condition"))
        rows: list[tuple[str, str]] = []
        if principal == "*":
            rows.append(("any", "*"))
        elif isinstance(principal, Mapping):
            for ptype, values in principal.items():
                for value in _as_list(values):
                    if ptype == "AWS":
                        rows.append(_aws_principal_type(str(value)))
                    else:
                        rows.append((_TYPE_LABELS.get(str(ptype), str(ptype)), str(value)))
        for ptype, value in rows:
            label = f"not {ptype}" if negated else ptype
            entries.append(TrustEntry(label, value, conditions, effect))
    return entries


def canonical(doc: Mapping[str, Any] | str) -> dict[str, Any]:
    """Normalise a policy so that equal meaning gives equal dicts (IAM reorders, re-encodes)."""
    return policy_canonical(doc)


def equivalent(a: Mapping[str, Any] | str, b: Mapping[str, Any] | str) -> bool:
    """True when two policies mean the same to IAM (see :func:`canonical`)."""
    return policy_equivalent(a, b)
