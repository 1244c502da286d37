"""The boundary to botocore: its errors become XacctErrors that say what to do.

A notebook user gets ``AccessDenied: ... iam:CreateRole`` plus which permission to grant, not a
botocore traceback. The original error stays in ``__cause__``. AWS messages can quote access key
IDs, so every message passes through :func:`frames.scrub_text` first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    NoCredentialsError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

from ..errors import (
    AccessDenied,
    AwsError,
    ExpiredSession,
    InvalidInput,
    PolicyNotFound,
    RoleNotFound,
    SwitchDenied,
    Throttled,
    XacctError,
)
from .frames import scrub_text

__all__ = ["aws_call", "client_config", "error_code", "wrap_client_error"]

_DENIED: Final = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
_EXPIRED: Final = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
_THROTTLED: Final = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"}
)
_BAD_CREDENTIALS: Final = frozenset(
    {
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
        "InvalidAccessKeyId",
        "AuthFailure",
    }
)

_PROFILE_FIX: Final = (
    "Configure credentials: `aws configure --profile NAME` (or `aws sso login --profile NAME`), "
    "then pass boto3.Session(profile_name=NAME); or try the embedded sandbox, xw.Sandbox()."
)
_SIGN_IN_FIX: Final = (
    "Sign in again (e.g. `aws sso login --profile NAME`, or refresh the profile's keys) and "
    "create a new session; sessions made by RoleSwitcher refresh themselves."
)

# botocore's SSO token errors (no cached token, expired token, refresh refused) all need a login.
# https://docs.aws.amazon.com/cli/latest/userguide/sso-using-profile.html
_SSO_FIX: Final = (
    "Sign in again: run `aws sso login --profile NAME` for the profile this session was made "
    "from, then create the session again (xw.profile_session(NAME) checks it at once)."
)


def error_code(err: BaseException) -> str:
    """AWS's error code for a ClientError, else the exception's class name."""
    if isinstance(err, ClientError):
        return str(err.response.get("Error", {}).get("Code", "")) or "ClientError"
    return type(err).__name__


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _target(action: str, resource: str | None) -> str:
    return f"{action} on {resource}" if resource else action


def _not_found(
    code: str, text: str, action: str, resource: str | None
) -> PolicyNotFound | RoleNotFound | None:
    """Decide whether a NoSuchEntity is about a policy or a role (AttachRolePolicy can be both)."""
    lowered = text.lower()
    message = f"{_target(action, resource)} failed: {text}"
    policy = PolicyNotFound(
        message, code=code, fix="Check the policy ARN: list policies with managed_policies()."
    )
    role = RoleNotFound(message, code=code, fix="Check the role name: list roles with roles().")
    if "role with name" in lowered:
        return role
    if "policy" in lowered:
        return policy
    if "role" in lowered:
        return role
    if resource and ":policy/" in resource:
        return policy
    if (resource and ":role/" in resource) or "role" in action.lower():
        return role
    return None


def _denied(code: str, text: str, action: str, resource: str | None) -> AccessDenied:
    message = f"{_target(action, resource)} was denied ({code}): {text}"
    if action.lower() == "sts:assumerole":
        return SwitchDenied(
            message,
            code=code,
            fix=(
                f"In the source account, allow sts:AssumeRole on {resource or 'the role ARN'} "
                "for the caller; in the target account, the role's trust policy must name the "
                "caller's account (or user) and any ExternalId/MFA condition must be met. "
                "The root user can never switch roles."
            ),
        )
    return AccessDenied(
        message,
        code=code,
        fix=(
            f"Grant the caller permission for {action}"
            f"{' on ' + resource if resource else ''} in an IAM policy, or use a session "
            "that has it."
        ),
    )


def _from_client_error(err: ClientError, action: str, resource: str | None) -> XacctError:
    code = error_code(err)
    text = _sentence(scrub_text(str(err.response.get("Error", {}).get("Message", "")) or str(err)))
    if code in _EXPIRED:
        return ExpiredSession(
            f"{_target(action, resource)} failed: the credentials have expired ({code}): {text}",
            code=code,
            fix=_SIGN_IN_FIX,
        )
    if code in _BAD_CREDENTIALS:
        return AccessDenied(
            f"{_target(action, resource)} was refused: the credentials are not valid "
            f"({code}): {text}",
            code=code,
            fix=(
                "Check the profile's access key and secret (`aws configure list`), that the key "
                "is active, and that the endpoint/region matches where it was issued."
            ),
        )
    if code in _DENIED or "notauthorized" in code.lower():
        return _denied(code, text, action, resource)
    if code in _THROTTLED:
        return Throttled(
            f"{_target(action, resource)} was throttled by AWS after retries ({code}): {text}",
            code=code,
            fix="Wait a little and retry, or use fewer parallel workers.",
        )
    if code == "NoSuchEntity":
        found = _not_found(code, text, action, resource)
        if found is not None:
            return found
    return AwsError(f"{_target(action, resource)} failed ({code}): {text}", code=code)


def _from_botocore_error(err: BotoCoreError, action: str, resource: str | None) -> XacctError:
    code = error_code(err)
    text = _sentence(scrub_text(str(err)))
    where = _target(action, resource)
    if isinstance(err, NoCredentialsError | PartialCredentialsError | ProfileNotFound):
        return XacctError(f"{where} needs AWS credentials: {text}", fix=_PROFILE_FIX)
    if isinstance(
        err,
        TokenRetrievalError | SSOTokenLoadError | UnauthorizedSSOTokenError,
    ):
        return ExpiredSession(
            f"{where} failed: the IAM Identity Center (SSO) sign-in is missing or has expired: "
            f"{text}",
            code=code,
            fix=_SSO_FIX,
        )
    if isinstance(err, CredentialRetrievalError):
        return AwsError(
            f"{where} failed: could not get credentials: {text}",
            code=code,
            fix="Check the profile's credential_process / role_arn settings.",
        )
    if isinstance(err, ParamValidationError):
        return InvalidInput(
            f"{where} was not sent: {text}", fix="This is a bug if the input passed validation."
        )
    return AwsError(f"{where} failed ({code}): {text}", code=code)


def wrap_client_error(
    err: ClientError | BotoCoreError, *, action: str, resource: str | None = None
) -> XacctError:
    """Translate a botocore error into the matching XacctError (the caller raises it ``from``).

    ``action`` is the IAM action (``"iam:CreateRole"``) so that a denial can say which
    permission is missing; ``resource`` is the ARN or name it was called on.
    """
    if isinstance(err, ClientError):
        return _from_client_error(err, action, resource)
    return _from_botocore_error(err, action, resource)


@contextmanager
def aws_call(action: str, resource: str | None = None) -> Iterator[None]:
    """Run AWS calls in a ``with`` block; botocore errors leave it as XacctErrors ``from`` them."""
    try:
        yield
    except (ClientError, BotoCoreError) as err:
        raise wrap_client_error(err, action=action, resource=resource) from err


def client_config(max_workers: int = 10) -> Config:
    """botocore Config for fan-out: standard retries (5 attempts), one connection per worker."""
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
        raise InvalidInput(
            f"max_workers {max_workers!r} is invalid: it must be a whole number >= 1.",
            fix="Use e.g. 10.",
        )
    return Config(
        retries={"mode": "standard", "max_attempts": 5},
        max_pool_connections=max_workers,
        user_agent_extra="xacct_widgets",
    )
