"""The source side of preflight: is the caller root, and do its own permissions allow the switch?

AWS is asked first: ``iam:SimulatePrincipalPolicy`` evaluates every policy that applies to the
caller (boundaries and SCPs included, on real AWS) exactly as the switch will. Only when the
caller may not call it (or the endpoint does not serve it) does preflight read the caller's
policies and evaluate them with :mod:`xacct_widgets.policy`; each check says which answered.
The simulation gets one attempt, no retries: an endpoint that does not implement it answers
HTTP 500, and retrying that only delays the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..aws import error_code
from ..identity import Identity
from .iam_read import PolicyReader
from .preflight import (
    ACTION,
    BY_ENGINE,
    BY_SIMULATION,
    BY_STS,
    Check,
    dashed,
    identity_verdict,
    principal_of,
)

__all__ = [
    "IDENTITY_CHECK",
    "ROOT_CHECK",
    "Simulated",
    "admin_fix",
    "check_identity",
    "check_root",
    "simulate",
]

ROOT_CHECK: Final = "caller is not root"
IDENTITY_CHECK: Final = "identity policy allows sts:AssumeRole"
_ROOT_FIX: Final = (
    "Sign in as an IAM user (or use an IAM user's or role's keys): AWS never lets the root user "
    "switch roles. Create an IAM user for daily work and keep root for account emergencies."
)
_ONE_ATTEMPT: Final = Config(retries={"mode": "standard", "max_attempts": 1})


@dataclass(frozen=True)
class Simulated:
    """AWS's answer for one action on one resource (``EvalDecision`` and what decided it)."""

    decision: str
    matched: tuple[str, ...]
    missing: tuple[str, ...]


def simulate(session: boto3.Session, source_arn: str, role_arn: str) -> Simulated | None:
    """``iam:SimulatePrincipalPolicy`` for sts:AssumeRole; None when AWS cannot be asked."""
    iam = session.client("iam", config=_ONE_ATTEMPT)
    try:
        pages = iam.get_paginator("simulate_principal_policy").paginate(
            PolicySourceArn=source_arn, ActionNames=[ACTION], ResourceArns=[role_arn]
        )
        results = [r for page in pages for r in page.get("EvaluationResults", [])]
    except (ClientError, BotoCoreError):
        return None
    if not results:
        return None
    first = results[0]
    return Simulated(
        str(first.get("EvalDecision", "")),
        tuple(str(m.get("SourcePolicyId", "")) for m in first.get("MatchedStatements", [])),
        tuple(first.get("MissingContextValues", [])),
    )


def check_root(caller: Identity) -> Check:
    if caller.is_root:
        return Check(
            ROOT_CHECK,
            False,
            f"{caller.arn} is the account's root user, which cannot switch roles.",
            _ROOT_FIX,
            "You are signed in as the account's root user, and AWS never lets the root user "
            "switch roles.",
            f"Sign in as an IAM user of {dashed(caller.account_id)} instead (ask an "
            f"administrator of {dashed(caller.account_id)} for one if you have none).",
            BY_STS,
        )
    return Check(
        ROOT_CHECK,
        True,
        f"Signed in as {caller.principal_type} {caller.arn}.",
        meaning=f"You are signed in as {caller.principal_type} {caller.name}, who may switch "
        "roles.",
        answered_by=BY_STS,
    )


def _words(caller: Identity, role_arn: str, ok: bool | None, denied: bool) -> tuple[str, str]:
    source = dashed(caller.account_id)
    target = dashed(role_arn.split(":")[4])
    role = role_arn.rsplit("/", 1)[-1]
    ask = (
        f"Ask an administrator of {source} to let you switch into {role} in {target} "
        f"(allow sts:AssumeRole on {role_arn})."
    )
    if ok:
        return f"Your permissions in {source} allow switching into {role} in {target}.", ""
    if ok is None:
        return (
            f"Your permissions in {source} allow switching into {role} only under conditions "
            "that are known at the switch (for example MFA).",
            "Switch with what the condition asks for (for example your MFA code); if AWS "
            "refuses, " + ask[0].lower() + ask[1:],
        )
    if denied:
        return (
            f"A policy in {source} explicitly forbids you to switch into {role}.",
            f"Ask an administrator of {source} to lift that restriction for you.",
        )
    return f"Your permissions in {source} do not allow switching into {role} in {target}.", ask


def admin_fix(caller: Identity, role_arn: str) -> str:
    """What an administrator of the caller's account runs to let the caller in *as well*.

    Additive only (:meth:`SourceAccount.allow_assume_role`): whoever may switch now still may
    (``restrict_assume_role(..., users=[caller])`` would take everyone else's access away), and
    a role session is named as the role it is (``roles=``), never as a user.
    """
    allow = f"Allow sts:AssumeRole on {role_arn} for {caller.arn}, keeping everyone else's access"
    call = f"SourceAccount(admin_session).allow_assume_role({role_arn!r}, "
    if caller.principal_type == "user":
        return (
            f"{allow}: e.g. {call}users=[{caller.name!r}]), or add the user to a group that "
            "allows it."
        )
    if caller.principal_type == "assumed-role":
        return f"{allow}: e.g. {call}roles=[{caller.name!r}])."
    return f"{allow} (in an identity policy of {caller.arn})."


def _from_simulation(caller: Identity, role_arn: str, answer: Simulated) -> Check:
    ok: bool | None = answer.decision == "allowed"
    if answer.missing and answer.decision != "explicitDeny":
        ok = None
    by = ", ".join(answer.matched)
    request = f"{ACTION} on {role_arn}"
    if answer.decision == "allowed":
        detail = f"{request} is allowed by {by or 'the caller policies'}"
    elif answer.decision == "explicitDeny":
        detail = f"{request} is explicitly denied by {by or 'a Deny statement'}"
    else:
        detail = f"No identity policy of the caller allows {request}"
    detail += f" (AWS's policy simulator: {answer.decision})."
    if answer.missing:
        detail += f" It depends on {', '.join(answer.missing)}, known only at the switch."
    meaning, todo = _words(caller, role_arn, ok, answer.decision == "explicitDeny")
    fix = "" if ok else admin_fix(caller, role_arn)
    return Check(IDENTITY_CHECK, ok, detail, fix, meaning, todo, BY_SIMULATION)


def check_identity(session: boto3.Session, iam: Any, caller: Identity, role_arn: str) -> Check:
    """Ask AWS (SimulatePrincipalPolicy), else evaluate the caller's policies here."""
    if caller.is_root:
        return Check(
            IDENTITY_CHECK,
            None,
            "Not applicable: root has every permission but cannot switch roles.",
            meaning="Not applicable: the root user cannot switch roles at all.",
            todo="See the first check.",
            answered_by=BY_STS,
        )
    source_arn = caller.role_arn if caller.principal_type == "assumed-role" else caller.arn
    if caller.principal_type in ("user", "assumed-role") and source_arn:
        answer = simulate(session, source_arn, role_arn)
        if answer is not None:
            return _from_simulation(caller, role_arn, answer)
    reader = PolicyReader(iam)
    try:
        if caller.principal_type == "user":
            found = reader.user(caller.name)
        elif caller.principal_type == "assumed-role":
            found = reader.role(caller.name)
        else:
            return Check(
                IDENTITY_CHECK,
                None,
                f"Unknown: identity policies of a {caller.principal_type} principal are not "
                "read here.",
                meaning="Could not be checked for this kind of sign-in: AWS decides at the switch.",
                todo="Nothing to do now.",
                answered_by=BY_ENGINE,
            )
    except (ClientError, BotoCoreError) as err:
        source = dashed(caller.account_id)
        return Check(
            IDENTITY_CHECK,
            None,
            f"Unknown: the caller cannot read its own IAM policies ({error_code(err)}), so this "
            "was not checked.",
            "Grant the caller iam:List*/iam:Get* on itself (e.g. IAMReadOnlyAccess) "
            "to have this checked, or ask an administrator.",
            f"Could not be checked: you may not read your own permissions in {source}.",
            "Nothing to do now; if AWS refuses the switch, ask an administrator of "
            f"{source} to let you switch into this role.",
            BY_ENGINE,
        )
    verdict = identity_verdict(found, role_arn, principal_of(caller), action=ACTION)
    note = " (permissions boundaries and SCPs are not evaluated)" if verdict.allowed else ""
    meaning, todo = _words(caller, role_arn, verdict.allowed, "explicitly denied" in verdict.detail)
    fix = "" if verdict.allowed else admin_fix(caller, role_arn)
    return Check(
        IDENTITY_CHECK, verdict.allowed, verdict.detail + note, fix, meaning, todo, BY_ENGINE
    )
