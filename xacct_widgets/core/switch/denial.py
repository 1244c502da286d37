"""Why a switch was refused: STS's AccessDenied turned into reasons and a fix.

STS answers a refused AssumeRole with one opaque sentence whatever went wrong (no such role,
trust policy naming another account, missing ExternalId or MFA, identity policy without
sts:AssumeRole). Only a preflight of the source side can tell which, and it costs several IAM
reads, so it runs here - on the refusal path only - and never before a switch that works.
"""

from __future__ import annotations

from typing import NoReturn

import boto3

from ...errors import AccessDenied, InvalidInput, SwitchDenied, XacctError
from .. import ids, urls
from ..identity import Identity
from ..source import Check, MfaDevices, SourceAccount

__all__ = ["explain_denial", "refuse_partition"]

_MFA_REASON = "AWS rejected the MFA code (wrong or already used)."
_MFA_FIX = (
    "Type the current code from your MFA device (codes change every 30 s and cannot be reused)."
)
_NEEDS_MFA = "This role requires MFA, and the switch was made without an MFA code"
_LIKELY_MFA = (
    "This role most likely requires MFA: your own permissions allow the switch and you have an "
    "MFA device, but the switch was made without an MFA code (AWS refuses a role that requires "
    "MFA with this same message; its trust policy cannot be read from here to be sure)."
)
_NEEDS_MFA_FIX = (
    "Switch again with the 6-digit code your MFA device shows now (the MFA code field; in code, "
    "mfa_token='123456')."
)


def _mfa_missing(
    failed: tuple[Check, ...], unknown: tuple[Check, ...], devices: MfaDevices
) -> str | None:
    """Why MFA is the reason for a refusal made without MFA, or None when it is not."""
    if any(c.check == "mfa" for c in failed):
        return f"{_NEEDS_MFA} (its trust policy asks for aws:MultiFactorAuthPresent)."
    if failed or not any(c.check == "mfa" for c in unknown):
        return None  # another reason is certain, or MFA was ruled out
    if devices.listed and not devices.serials:
        return None  # no device: a role requiring MFA is not what the operator can fix here
    return _LIKELY_MFA


def _needs_mfa_fix(devices: MfaDevices) -> str:
    if devices.only is not None:
        return f"{_NEEDS_MFA_FIX} Your MFA device: {devices.only}."
    if devices.must_type:
        return f"{_NEEDS_MFA_FIX} Give your MFA device's ARN too ({devices.why or 'not listed'})."
    return f"{_NEEDS_MFA_FIX} Choose the device the code is from: {', '.join(devices.serials)}."


def explain_denial(
    err: AccessDenied,
    caller: Identity,
    base: boto3.Session,
    link: urls.SwitchRoleLink,
    external_id: str | None,
    mfa_serial: str | None,
) -> SwitchDenied:
    """The ``SwitchDenied`` for ``err``: reasons from a preflight run as ``caller`` in ``base``.

    A preflight that cannot run becomes a reason itself; the error is returned, not raised.
    """
    source = SourceAccount(base)
    source._identity = caller  # known already; saves a GetCallerIdentity
    fixes: list[str] = []
    try:
        preflight = source.preflight(
            link.account_id,
            link.role_name,
            path=link.path,
            external_id=external_id,
            mfa_serial=mfa_serial,
        )
        failed = preflight.failed
        reasons = [c.detail for c in failed]
        fixes = [c.fix for c in failed if c.fix]
        devices = source.mfa_devices() if mfa_serial is None else None  # refusals only
        missing = _mfa_missing(failed, preflight.unknown, devices) if devices else None
        if devices is not None and missing is not None:  # say exactly that, first
            others = [c for c in failed if c.check != "mfa"]
            reasons = [missing, *(c.detail for c in others)]
            fixes = [_needs_mfa_fix(devices), *(c.fix for c in others if c.fix)]
        elif not reasons:
            reasons = [c.detail for c in preflight.unknown]
    except XacctError as pre_err:
        reasons = [f"The preflight could not run: {pre_err.message}"]
    if "MultiFactorAuthentication" in err.message:
        reasons.insert(0, _MFA_REASON)
        fixes.insert(0, _MFA_FIX)
    if not fixes:
        fixes = [
            "Check that the role exists in the target account and that its trust policy "
            f"names {caller.account_id} (or {caller.arn}), with any ExternalId/MFA it asks "
            "for; SourceAccount.preflight(..., target_session=...) shows which."
        ]
    return SwitchDenied(
        f"Switching to {link.role_arn} as {caller.arn} was denied: {err.message}",
        code=err.code or "AccessDenied",
        fix=" ".join(dict.fromkeys(fixes)),
        reasons=tuple(reasons),
    )


def refuse_partition(role_arn: str, caller: Identity) -> NoReturn:
    """Refuse, before any call, a switch into another partition (AssumeRole never crosses)."""
    raise InvalidInput(
        f"Role {role_arn} is in partition {ids.parse_arn(role_arn).partition!r}, but "
        f"{caller.arn} is in {caller.partition!r}: roles cannot be switched into across "
        "partitions.",
        fix="Switch from a user or role of the role's partition (a session or profile of that "
        "partition).",
    )
