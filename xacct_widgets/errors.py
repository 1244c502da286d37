"""One exception hierarchy for everything a user can get wrong.

Every message names the bad value and says what to do about it, because the person reading it is
usually in a notebook with no debugger. AWS errors are wrapped ``from`` the original so the
botocore details stay reachable in ``__cause__``.
"""

from __future__ import annotations

from typing import Any


class XacctError(Exception):
    """Root of all xacct_widgets errors."""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message} {fix}" if fix else message)


class InvalidInput(XacctError, ValueError):
    """A value given by the user breaks an AWS limit; raised before any API call.

    ``field`` names the input the error is about (a RoleSpec field such as ``"trusted_account"``)
    when the raiser knows it, else None; ``detail`` is the message without that name, for showing
    under a form field that already names it. A form reads these, never the message's text.
    """

    def __init__(
        self,
        message: str,
        *,
        fix: str | None = None,
        field: str | None = None,
        detail: str | None = None,
    ) -> None:
        self.field = field
        self.detail = detail or message
        super().__init__(message, fix=fix)


class InvalidAccountId(InvalidInput):
    """Not a 12-digit AWS account ID."""


class InvalidRoleName(InvalidInput):
    """Not a valid IAM role name."""


class InvalidArn(InvalidInput):
    """Not a well-formed ARN of the expected kind."""


class InvalidRoleSpec(InvalidInput):
    """A RoleSpec field breaks an IAM rule."""


class InvalidPolicy(InvalidRoleSpec):
    """A policy document is not a valid IAM policy."""


class InvalidColor(InvalidInput):
    """Not one of the console's role colours."""


class InvalidSwitchRoleUrl(InvalidInput):
    """Not a console switch-role URL."""


class SandboxError(XacctError):
    """The embedded sandbox was misused or could not start."""


class AwsError(XacctError):
    """An AWS call failed; ``code`` is AWS's error code."""

    def __init__(self, message: str, *, code: str = "", fix: str | None = None) -> None:
        self.code = code
        super().__init__(message, fix=fix)


class AccessDenied(AwsError):
    """AWS refused the call for lack of permission."""


class SwitchDenied(AccessDenied):
    """sts:AssumeRole was refused; ``reasons`` lists the failed preflight checks."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "AccessDenied",
        fix: str | None = None,
        reasons: tuple[str, ...] = (),
    ) -> None:
        self.reasons = reasons
        super().__init__(message, code=code, fix=fix)


class RootUserError(AccessDenied):
    """The caller is an account's root user, which cannot switch roles."""


class PolicyNotFound(AwsError):
    """A managed policy ARN does not exist in the account."""


class RoleNotFound(AwsError):
    """The named role does not exist."""


class ExpiredSession(AwsError):
    """Credentials have expired and cannot be refreshed."""


class Throttled(AwsError):
    """AWS kept throttling after botocore's retries."""


class ApplyFailed(AwsError):
    """A step of TargetAccount.apply failed; what it had done was rolled back.

    ``step`` names the failed step, ``rolled_back`` says whether every completed step was undone,
    ``code`` and ``__cause__`` are the AWS error's (an AccessDenied names the missing permission).
    """

    def __init__(
        self,
        message: str,
        *,
        step: str,
        code: str = "",
        fix: str | None = None,
        rolled_back: bool = True,
    ) -> None:
        self.step = step
        self.rolled_back = rolled_back
        super().__init__(message, code=code, fix=fix)


class ApplyDenied(ApplyFailed, AccessDenied):
    """An apply step was refused for lack of permission: ``except AccessDenied`` catches it too,
    like any other denial, while ``step`` still says where apply stopped."""


class RunbookFailed(XacctError):
    """The runbook stopped on a failure after its summary; ``summary`` is that table (a
    DataFrame: what it changed, what failed, what it did not run)."""

    def __init__(self, message: str, *, summary: Any = None, fix: str | None = None) -> None:
        self.summary = summary
        super().__init__(message, fix=fix)


class DestructiveChange(InvalidInput):
    """Apply (or delete) would take access or settings away, and that was not confirmed.

    Raised before any write. ``rows`` names each destructive change (``"detach policy
    arn:...: removes the permissions it grants"``); the fix says how to confirm them
    (``apply(spec, allow_destructive=True)``, ``delete_role(name, confirm=True)``).
    """

    def __init__(self, message: str, *, rows: tuple[str, ...] = (), fix: str | None = None) -> None:
        self.rows = rows
        super().__init__(message, fix=fix)


class ProfileConflict(InvalidInput):
    """An export would change AWS config profiles that xacct_widgets did not write.

    Raised before any write; ``profiles`` names them. The fix says how to take them over
    (``export_profiles(..., overwrite=True)``) or to choose other names.
    """

    def __init__(
        self, message: str, *, profiles: tuple[str, ...] = (), fix: str | None = None
    ) -> None:
        self.profiles = profiles
        super().__init__(message, fix=fix)


class GraphUnavailable(XacctError, ImportError):
    """``TrustMap.graph()`` needs networkx, an optional extra (``xacct_widgets[graph]``) that is
    not installed; an ``ImportError`` too, as callers of optional backends expect."""
