"""The sandbox's refusals, worded as AWS words them, and the checks STS makes before any policy.

"Troubleshoot access denied error messages" (IAM User Guide) gives the message shapes; the STS
``AssumeRole`` API reference the checks that come before policy evaluation: the root user may not
assume roles, and an MFA code that does not verify refuses the request whatever the policies say.
"""

from __future__ import annotations

from collections.abc import Mapping

from moto.core.exceptions import AccessDeniedError as MotoAccessDenied
from moto.iam.models import iam_backends

from ...policy import Principal
from ..accounts import PARTITION, SANDBOX_MFA_CODE

__all__ = [
    "AccessDeniedError",
    "assume_role_denied",
    "check_assume_role_caller",
]


class AccessDeniedError(MotoAccessDenied):
    """HTTP 403 ``AccessDenied`` with AWS's own wording (moto's fixed wording leaves out the
    resource and the reason)."""

    def __init__(self, code: str, message: str) -> None:
        super(MotoAccessDenied, self).__init__(code, message)


def assume_role_denied(caller_arn: str, role_arn: str) -> AccessDeniedError:
    return AccessDeniedError(
        "AccessDenied",
        f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
    )


def check_assume_role_caller(caller: Principal, params: Mapping[str, str]) -> bool | None:
    """Refuse what STS refuses before evaluating policies; the request's MFA state.

    Returns ``aws:MultiFactorAuthPresent`` for the AssumeRole request itself: True with a valid
    code, None for long-term keys without one (AWS leaves the key out), None for temporary
    credentials too (their own session's MFA state then applies).
    """
    if caller.is_root:
        raise AccessDeniedError("AccessDenied", "Roles may not be assumed by root accounts.")
    serial = params.get("SerialNumber")
    code = params.get("TokenCode")
    if not serial and not code:
        return None
    devices: set[str] = set()
    if caller.type == "user":
        try:
            user = iam_backends[caller.account][PARTITION].get_user(caller.name)
            devices = set(user.mfa_devices)
        except Exception:
            devices = set()
    if serial not in devices or code != SANDBOX_MFA_CODE:
        raise AccessDeniedError(
            "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code."
        )
    return True
