"""Why a switch was refused: STS's AccessDenied turned into reasons and a fix.

STS answers a refused AssumeRole with one opaque sentence whatever went wrong (no such role,
trust policy naming another account, missing ExternalId or MFA, identity policy without
sts:AssumeRole). Only a preflight of the source side can tell which, and it costs several IAM
reads, so it runs here - on the refusal path only - and never before a switch that works.
"""

from __future__ import annotations

import boto3

from ...errors import AccessDenied, SwitchDenied, XacctError
from .. import urls
from ..identity import Identity
from ..source import SourceAccount

__all__ = ["explain_denial"]

_MFA_REASON = "AWS rejected the MFA code (wrong or already used)."
_MFA_FIX = (
    "Type the current code from your MFA device (codes change every 30 s and cannot be reused)."
)


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
        if not reasons:
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
