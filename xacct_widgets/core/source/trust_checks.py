"""The target side of preflight: does the role exist, does its trust policy let the caller in?

Readable only with a session in the target account (or when the caller is in it). The trust
policy is evaluated with :mod:`xacct_widgets.policy`, but split into the questions an operator
can act on - is the caller named at all, is the right ExternalId given, is MFA needed - rather
than one yes/no, because each has a different fix and a different person who can apply it.
The ExternalId a role expects is never echoed back: it is a shared secret of sorts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import boto3

from ...errors import AccessDenied, RoleNotFound
from ...policy import (
    Policy,
    Principal,
    Statement,
    assume_role_context,
    evaluate_conditions,
    evaluate_resource_policy,
    match_principal,
    matching_statements,
    parse_policy,
)
from .. import ids
from ..aws import aws_call, client_config
from ..identity import Identity
from .preflight import BY_ENGINE, BY_NOBODY, BY_TARGET, Check, dashed

__all__ = [
    "check_external_id",
    "check_mfa",
    "check_trust_names",
    "identity_not_needed",
    "names_directly",
    "read_trust",
    "trust_unknown",
]

_EXTERNAL_ID: Final = "sts:externalid"
_MFA_KEYS: Final = frozenset({"aws:multifactorauthpresent", "aws:multifactorauthage"})
NAMES: Final = "trust policy names caller"


def read_trust(
    iam: Any | None, caller: Identity, role_arn: str, target_session: boto3.Session | None
) -> tuple[Policy | None, Check]:
    """The role's trust policy and the "role exists" check; ``iam`` is the caller's client."""
    parsed = ids.parse_role_arn(role_arn)
    name = "role exists"
    if target_session is not None:
        iam = target_session.client("iam", config=client_config())
    elif caller.account_id != parsed.account_id:
        iam = None
    if iam is None:
        return None, Check(
            name,
            None,
            f"Unknown: {role_arn} is in account {parsed.account_id}, which this "
            f"{caller.account_id} session cannot read (AWS decides at the switch).",
            "Pass target_session= (a session in the target account) to check the role and "
            "its trust policy.",
            f"Could not be checked from {dashed(caller.account_id)}: only account "
            f"{dashed(parsed.account_id)} can read its roles. AWS checks it when you switch.",
            "Nothing to do now; if the switch fails, check the account ID and role name you "
            "were given.",
            BY_NOBODY,
        )
    try:
        with aws_call("iam:GetRole", role_arn):
            role = iam.get_role(RoleName=parsed.name)["Role"]
    except RoleNotFound:
        return None, Check(
            name,
            False,
            f"There is no role {parsed.name!r} in account {parsed.account_id}.",
            "Check the account ID and role name, or create the role in the "
            "target account first (part A: TargetAccount.apply).",
            f"There is no role {parsed.name} in {dashed(parsed.account_id)}.",
            "Check the account ID and role name you were given; if they are right, ask an "
            f"administrator of {dashed(parsed.account_id)} to create the role.",
            BY_TARGET,
        )
    except AccessDenied as err:
        return None, Check(
            name,
            None,
            f"Unknown: the role could not be read ({err.code}).",
            "Use a target_session allowed iam:GetRole.",
            "Could not be checked: the role may not be read with the session given.",
            "Nothing to do now; AWS checks it when you switch.",
            BY_TARGET,
        )
    actual = str(role.get("Arn", ""))
    if actual and ids.parse_arn(actual).account_id != parsed.account_id:
        return None, Check(
            name,
            None,
            f"Unknown: target_session is not in account {parsed.account_id} (it found {actual}).",
            f"Pass a session in account {parsed.account_id}.",
            "Could not be checked: the session given for the target is in another account.",
            "Nothing to do now; AWS checks it when you switch.",
            BY_TARGET,
        )
    if actual and actual != role_arn:
        return None, Check(
            name,
            False,
            f"The role exists as {actual}, not {role_arn}.",
            f"Switch with path={ids.parse_arn(actual).path!r}.",
            f"The role exists, but under the path {ids.parse_arn(actual).path}.",
            f"Type the role as {ids.parse_arn(actual).path.lstrip('/')}{parsed.name}.",
            BY_TARGET,
        )
    document = parse_policy(role["AssumeRolePolicyDocument"], source=f"trust policy of {role_arn}")
    return document, Check(
        name,
        True,
        f"{role_arn} exists.",
        meaning=f"The role {parsed.name} exists in {dashed(parsed.account_id)}.",
        answered_by=BY_TARGET,
    )


def trust_unknown(caller: Identity, role_arn: str, external_id: str | None) -> list[Check]:
    """The trust checks when the trust policy could not be read."""
    target = dashed(ids.parse_role_arn(role_arn).account_id)
    external = (
        "Unknown: an ExternalId is given but cannot be compared with the trust policy."
        if external_id
        else "Unknown: whether the role requires an ExternalId (none given)."
    )
    return [
        Check(
            NAMES,
            None,
            "Unknown: the role's trust policy could not be read (see 'role exists').",
            f"Make sure the trust policy of {role_arn} names "
            f"arn:{caller.partition}:iam::{caller.account_id}:root or {caller.arn}.",
            f"Could not be checked from {dashed(caller.account_id)}: the role's trust policy "
            f"is only readable in {target}.",
            "Nothing to do now; if AWS refuses the switch, ask an administrator of "
            f"{target} whether the role trusts {dashed(caller.account_id)}.",
            BY_NOBODY,
        ),
        Check(
            "external id",
            None,
            external,
            "Ask the role's owner whether it requires an ExternalId, and which.",
            f"Could not be checked from {dashed(caller.account_id)}: only {target} knows "
            "whether the role asks for an ExternalId.",
            "If the role's owner gave you an ExternalId, enter it; otherwise nothing to do.",
            BY_NOBODY,
        ),
    ]


def naming_allows(trust: Policy, principal: Principal, role_arn: str) -> list[Statement]:
    """The Allow statements for sts:AssumeRole that name the caller, conditions aside."""
    context = assume_role_context(principal, role_arn)
    return [
        s
        for s in matching_statements(trust, context, resource_policy=True, conditions=False)
        if s.effect == "Allow"
    ]


def names_directly(statements: list[Statement], principal: Principal) -> bool:
    """Whether an Allow naming the caller names it itself (or everyone), not only its account."""
    return any(match_principal(s.principals or (), principal) in ("arn", "any") for s in statements)


def identity_not_needed(identity: Check, role_arn: str) -> Check:
    """The identity check when a role of the caller's own account names the caller directly.

    AWS, "Policy evaluation logic": within one account a resource-based policy naming the
    principal grants on its own, so no identity policy needs to allow sts:AssumeRole (an
    explicit Deny in one still refuses, and is kept as it was found).
    """
    if identity.ok is False and "explicitly denied" in identity.detail:
        return identity
    return Check(
        identity.check,
        True,
        f"Not needed: the trust policy of {role_arn} names the caller itself, and within one "
        "account that lets it in without an identity policy allowing sts:AssumeRole "
        f"({identity.detail.rstrip('.')}).",
        meaning="The role names you directly in its own account: your permissions need not "
        "allow switching.",
        answered_by=BY_TARGET,
    )


def check_trust_names(
    trust: Policy, caller: Identity, principal: Principal, role_arn: str
) -> Check:
    who = f"account {caller.account_id} or {caller.arn}"
    source, target = dashed(caller.account_id), dashed(ids.parse_role_arn(role_arn).account_id)
    fix = (
        f"In the target account, add arn:{caller.partition}:iam::{caller.account_id}:root (or the "
        "caller's ARN) as a trusted principal of the role (TargetAccount.apply with "
        f"trusted_account={caller.account_id!r})."
    )
    ask = f"Ask an administrator of {target} to add {source} as a trusted account of the role."
    denied = evaluate_resource_policy(trust, assume_role_context(principal, role_arn))
    certain_denies = [m for m in denied.matched if m.effect == "Deny" and not m.missing]
    if denied.decision == "explicitDeny" and certain_denies:
        by = ", ".join(str(m) for m in certain_denies)
        return Check(
            NAMES,
            False,
            f"The trust policy of {role_arn} denies {who}: {by}.",
            fix,
            f"The role explicitly refuses you (its trust policy denies {source} or you).",
            f"Ask an administrator of {target} to lift that refusal.",
            BY_TARGET,
        )
    if naming_allows(trust, principal, role_arn):
        return Check(
            NAMES,
            True,
            f"{role_arn} trusts {who}.",
            meaning=f"The role lets users of {source} in.",
            answered_by=BY_TARGET,
        )
    return Check(
        NAMES,
        False,
        f"The trust policy of {role_arn} names neither {who}.",
        fix,
        f"The role does not let users of {source} in.",
        ask,
        BY_TARGET,
    )


def _holds(statement: Statement, keys: Iterable[str], values: Mapping[str, Any]) -> bool | None:
    wanted = set(keys)
    conditions = [c for c in statement.conditions if c.key.lower() in wanted]
    lookup = {k.lower(): v for k, v in values.items()}
    return evaluate_conditions(conditions, lambda key: lookup.get(key.lower())).holds


def check_external_id(statements: list[Statement], external_id: str | None) -> Check:
    """Does some statement naming the caller accept the ExternalId given (or need none)?"""
    name = "external id"
    if not statements or any(_EXTERNAL_ID not in s.condition_keys() for s in statements):
        return Check(
            name,
            True,
            "The role requires no ExternalId.",
            meaning="The role asks for no ExternalId.",
            answered_by=BY_TARGET,
        )
    if external_id is None:
        return Check(
            name,
            False,
            "The role's trust policy requires an ExternalId and none was given.",
            "Pass external_id= with the ExternalId the role's owner gave you.",
            "The role asks for an ExternalId and none was given.",
            "Enter the ExternalId the role's owner gave you (ask them if you have none).",
            BY_TARGET,
        )
    given = {_EXTERNAL_ID: (external_id,)}
    if any(_holds(s, {_EXTERNAL_ID}, given) for s in statements):
        return Check(
            name,
            True,
            "The ExternalId given matches the trust policy.",
            meaning="The ExternalId you gave is the one the role expects.",
            answered_by=BY_TARGET,
        )
    return Check(
        name,
        False,
        "The ExternalId given does not match the one the role's trust policy requires.",
        "Use the exact ExternalId the role's owner gave you.",
        "The ExternalId you gave is not the one the role expects.",
        "Check the ExternalId with the role's owner and enter it exactly.",
        BY_TARGET,
    )


def mfa_required(statements: list[Statement]) -> bool:
    """True when no statement naming the caller admits a request without MFA."""
    return bool(statements) and all(_holds(s, _MFA_KEYS, {}) is False for s in statements)


def check_mfa(
    required: bool | None, mfa_serial: str | None, caller: Identity, devices: set[str] | None
) -> Check:
    """``required`` None: the trust policy could not be read; ``devices`` None: not readable."""
    name = "mfa"
    by = BY_NOBODY if required is None else BY_TARGET
    if required is False:
        return Check(
            name,
            True,
            "The role does not require MFA.",
            meaning="The role does not ask for MFA.",
            answered_by=by,
        )
    if required and mfa_serial is None:
        return Check(
            name,
            False,
            "The role's trust policy requires MFA "
            "(aws:MultiFactorAuthPresent) and no MFA device was given.",
            "Pass mfa_serial= (your MFA device ARN) and mfa_token= (its current "
            "6-digit code) when switching.",
            "The role asks for MFA and no MFA device was given.",
            "Enter your MFA device and the 6-digit code it shows now.",
            by,
        )
    if mfa_serial is None:
        return Check(
            name,
            None,
            "Unknown: whether the role requires MFA (no MFA given).",
            "If it does, pass mfa_serial= and mfa_token= when switching.",
            "Could not be checked here: whether the role asks for MFA is only known in the "
            "target account.",
            "If the role's owner asked for MFA, enter your MFA device and code; otherwise "
            "nothing to do.",
            by,
        )
    if devices is not None and mfa_serial not in devices:
        return Check(
            name,
            False,
            f"MFA device {mfa_serial} is not one of {caller.arn}'s "
            f"devices ({', '.join(sorted(devices)) or 'none'}).",
            "Use the serial (ARN) of an MFA device assigned to the caller.",
            "That MFA device is not assigned to you.",
            f"Choose the MFA device assigned to your user (ask an administrator of "
            f"{dashed(caller.account_id)} if you have none).",
            BY_ENGINE,
        )
    state = "required and given" if required else "given"
    return Check(
        name,
        True if required or devices is not None else None,
        f"MFA {state}: {mfa_serial} (the code is checked by AWS at the switch).",
        meaning="An MFA device is given; AWS checks its code when you switch.",
        todo="Enter the code your device shows at the moment you switch.",
        answered_by=by,
    )
