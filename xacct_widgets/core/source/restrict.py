"""Who may switch, decided in the source account: restricting and listing it.

The tutorial's closing advice: the target trusts the whole source account, so who may switch is
decided here, by identity policies. An inline policy can only *add* permissions, so after
putting one we also report the principal's other policies that allow sts:AssumeRole - otherwise
"restricted to these roles" would be a promise the account does not keep.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import pandas as pd
from botocore.exceptions import BotoCoreError, ClientError

from ...errors import InvalidInput, XacctError
from ...policy import Principal
from .. import ids, policies
from ..aws import aws_call
from ..frames import to_frame
from .iam_read import PolicyReader
from .preflight import ACTION, identity_verdict

__all__ = [
    "SWITCHER_COLUMNS",
    "Restriction",
    "allowed_switchers",
    "other_grants",
    "restrict_assume_role",
]

log = logging.getLogger(__name__)

#: Columns of :meth:`SourceAccount.allowed_switchers`.
SWITCHER_COLUMNS: Final = ("user_name", "user_arn", "role_arn", "allowed", "via")
_RESTRICTION_COLUMNS: Final = (
    "principal_type",
    "principal_name",
    "policy_name",
    "role_arns",
    "changed",
    "also_granted_by",
)


@dataclass(frozen=True)
class Restriction:
    """What :meth:`SourceAccount.restrict_assume_role` did; ``changed`` is False on a re-run."""

    principal_type: Literal["user", "group"]
    principal_name: str
    policy_name: str
    role_arns: tuple[str, ...]
    changed: bool
    document: Mapping[str, Any]
    also_granted_by: tuple[str, ...] = ()

    def frame(self) -> pd.DataFrame:
        """One row: principal, policy name, role ARNs, whether it changed, other grants."""
        return to_frame([self], _RESTRICTION_COLUMNS)


def _role_arns(role_arns: str | Iterable[str]) -> list[str]:
    # One ARN is a list of one, not a string to iterate character by character.
    return [role_arns] if isinstance(role_arns, str) else list(role_arns)


def _inline_policy(iam: Any, kind: str, principal: str, policy_name: str) -> dict[str, Any] | None:
    try:
        with aws_call(f"iam:Get{kind.title()}Policy", f"{kind}/{principal}"):
            if kind == "user":
                answer = iam.get_user_policy(UserName=principal, PolicyName=policy_name)
            else:
                answer = iam.get_group_policy(GroupName=principal, PolicyName=policy_name)
    except XacctError as err:
        if getattr(err, "code", "") == "NoSuchEntity":
            return None
        raise
    return policies.load_policy(answer["PolicyDocument"])


def other_grants(iam: Any, kind: str, principal: str, policy_name: str) -> tuple[str, ...]:
    """Other policies of the principal allowing sts:AssumeRole on anything (best effort)."""
    reader = PolicyReader(iam)
    try:
        found = reader.user(principal) if kind == "user" else reader.group(principal)
    except (ClientError, BotoCoreError):
        return ()
    own = f"{kind}:{principal}/{policy_name}"
    grants = [
        policy.source
        for policy in found
        if policy.source != own
        and any(s.effect == "Allow" and s.covers_action(ACTION) for s in policy.statements)
    ]
    return tuple(dict.fromkeys(grants))


def restrict_assume_role(
    iam: Any,
    user: str | None,
    group: str | None,
    role_arns: str | Iterable[str],
    policy_name: str,
) -> Restriction:
    """See :meth:`SourceAccount.restrict_assume_role`; inputs are validated before any call."""
    if (user is None) == (group is None):
        raise InvalidInput(
            "restrict_assume_role needs exactly one of user= or group=.",
            fix="e.g. restrict_assume_role(user='operator', role_arns=[...]).",
        )
    kind: Literal["user", "group"] = "user" if user is not None else "group"
    principal = ids.role_name(user if user is not None else group or "")  # same naming rule
    policy_name = ids.policy_name(policy_name)
    document = policies.assume_role_policy(_role_arns(role_arns))
    resources = document["Statement"][0]["Resource"]
    arns = (resources,) if isinstance(resources, str) else tuple(resources)
    current = _inline_policy(iam, kind, principal, policy_name)
    changed = current is None or not policies.equivalent(current, document)
    if changed:
        body = json.dumps(document)
        with aws_call(f"iam:Put{kind.title()}Policy", f"{kind}/{principal}"):
            if kind == "user":
                iam.put_user_policy(UserName=principal, PolicyName=policy_name, PolicyDocument=body)
            else:
                iam.put_group_policy(
                    GroupName=principal, PolicyName=policy_name, PolicyDocument=body
                )
        log.info(
            "put inline policy %s on %s %s allowing sts:AssumeRole on %s",
            policy_name,
            kind,
            principal,
            ", ".join(arns),
        )
    others = other_grants(iam, kind, principal, policy_name)
    if others:
        log.warning(
            "%s %s may still assume other roles through %s", kind, principal, ", ".join(others)
        )
    return Restriction(kind, principal, policy_name, arns, changed, document, others)


def allowed_switchers(iam: Any, role_arns: str | Iterable[str]) -> pd.DataFrame:
    """See :meth:`SourceAccount.allowed_switchers`."""
    arns = [ids.parse_role_arn(a).arn for a in _role_arns(role_arns)]
    reader = PolicyReader(iam)
    rows = []
    with aws_call("iam:ListUsers"):
        for user in reader.users():
            found = reader.user(user["UserName"])
            principal = Principal(user["Arn"], userid=user.get("UserId"))
            for arn in arns:
                verdict = identity_verdict(found, arn, principal)
                rows.append(
                    {
                        "user_name": user["UserName"],
                        "user_arn": user["Arn"],
                        "role_arn": arn,
                        "allowed": verdict.allowed,
                        "via": ", ".join(verdict.allowed_by),
                    }
                )
    frame = to_frame(rows, SWITCHER_COLUMNS)
    frame["allowed"] = frame["allowed"].astype(object)
    return frame
