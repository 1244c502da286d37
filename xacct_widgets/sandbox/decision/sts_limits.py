"""STS's limits on AssumeRole, which moto grants past: duration, role chaining, session tags.

What AWS refuses and moto 5.2 grants (STS API reference, ``AssumeRole``; "Methods to assume a
role" / "Role chaining" in the IAM user guide; "Passing session tags in AWS STS"):

* ``DurationSeconds`` outside 900-43200: ``ValidationError`` (400), "1 validation error
  detected: Value '50000' at 'durationSeconds' failed to satisfy constraint: Member must have
  value less than or equal to 43200" (checked before anything else, as a malformed request);
* ``DurationSeconds`` above the role's ``MaxSessionDuration``: ``ValidationError``, "The
  requested DurationSeconds exceeds the MaxSessionDuration set for this role.";
* a role session assuming a role (role chaining) for more than one hour: ``ValidationError``,
  "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role
  chaining.";
* ``Tags`` or ``TransitiveTagKeys`` when the role's trust policy does not allow
  ``sts:TagSession`` for the caller: ``AccessDenied`` (403), "User: <caller> is not authorized
  to perform: sts:TagSession on resource: <role>". The trust policy is evaluated by the one
  engine (:mod:`xacct_widgets.policy`) with the session tags in the request context
  (``aws:RequestTag/<key>``, ``aws:TagKeys``, ``sts:TransitiveTagKeys``).

The last three follow authorization, as on AWS: moto calls the response only once the request
is authorized (:mod:`.enforce` evaluates identity and trust policies first), so a caller who
may not assume the role hears ``AccessDenied``, never about its duration. Every session issued
is recorded with its expiry on the sandbox clock (:mod:`..sessions`), which is how expired keys
get ``ExpiredToken`` and how a role session calling AssumeRole is known to be chaining.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import unquote

from moto.iam.models import iam_backends
from moto.sts.exceptions import STSValidationError
from moto.sts.models import sts_backends
from moto.sts.responses import TokenResponse

from ...aws_limits import CHAINED_SESSION_SECONDS, DEFAULT_SESSION_SECONDS, SESSION_SECONDS_RANGE
from ...policy import (
    Principal,
    RequestContext,
    assume_role_context,
    evaluate_resource_policy,
    parse_policy,
)
from ..accounts import PARTITION
from ..sessions import issued_session
from .denials import AccessDeniedError

__all__ = ["check_assume_role", "requested_duration"]

MAX_SESSION_MESSAGE: Final = (
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
)
CHAINING_MESSAGE: Final = (
    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
    "role chaining."
)


@dataclass(frozen=True)
class _AssumeRequest:
    """An AssumeRole request as the checks after authorization need it."""

    role_arn: str
    caller: Principal
    chained: bool
    external_id: str | None
    session_name: str | None
    mfa: bool | None
    tags: dict[str, str] = field(default_factory=dict)
    transitive: tuple[str, ...] = ()


def _caller(response: TokenResponse) -> tuple[Principal, bool]:
    """Who signed the request, and whether it is a role session (so AssumeRole chains)."""
    key_id = response.get_access_key()
    session = issued_session(key_id)
    if session is not None:
        return Principal(session.arn, role_arn=session.role_arn), True
    backend = sts_backends[response.current_account][PARTITION]
    _, arn, _ = backend.get_caller_identity(key_id, response.region)
    return Principal(arn), ":assumed-role/" in arn


def _tags(response: TokenResponse) -> tuple[dict[str, str], tuple[str, ...]]:
    raw = response._get_param("Tags") or []
    tags = {str(t.get("Key")): str(t.get("Value", "")) for t in raw if isinstance(t, dict)}
    transitive = tuple(str(k) for k in (response._get_param("TransitiveTagKeys") or []))
    return tags, transitive


def _check_duration_syntax(response: TokenResponse) -> None:
    value = response._get_param("DurationSeconds")
    if value is None:
        return
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return  # moto answers a non-number itself
    low, high = SESSION_SECONDS_RANGE
    bound = f"greater than or equal to {low}" if seconds < low else f"less than or equal to {high}"
    if not low <= seconds <= high:
        raise STSValidationError(
            f"1 validation error detected: Value '{value}' at 'durationSeconds' failed to "
            f"satisfy constraint: Member must have value {bound}"
        )


def _request(response: TokenResponse) -> _AssumeRequest:
    caller, chained = _caller(response)
    mfa: bool | None = None
    if response._get_param("SerialNumber") and response._get_param("TokenCode"):
        mfa = True  # the code was checked with the trust policy
    elif chained:
        mfa = False
    tags, transitive = _tags(response)
    return _AssumeRequest(
        role_arn=response._get_param("RoleArn") or "",
        caller=caller,
        chained=chained,
        external_id=response._get_param("ExternalId"),
        session_name=response._get_param("RoleSessionName"),
        mfa=mfa,
        tags=tags,
        transitive=transitive,
    )


def _role(role_arn: str) -> Any:
    parts = role_arn.split(":")
    if len(parts) < 6 or parts[4] not in iam_backends:
        return None
    try:
        return iam_backends[parts[4]][PARTITION].get_role_by_arn(role_arn)
    except Exception:
        return None


def _check_tag_session(request: _AssumeRequest, role: Any) -> None:
    if not request.tags and not request.transitive:
        return
    document = role.assume_role_policy_document
    if isinstance(document, str):
        document = json.loads(unquote(document))
    extra: dict[str, Any] = {f"aws:RequestTag/{k}": v for k, v in request.tags.items()}
    extra["aws:TagKeys"] = list(request.tags)
    if request.transitive:
        extra["sts:TransitiveTagKeys"] = list(request.transitive)
    assume = assume_role_context(
        request.caller,
        request.role_arn,
        external_id=request.external_id,
        session_name=request.session_name,
        mfa=request.mfa,
        extra=extra,
    )
    context = RequestContext("sts:TagSession", assume.resource, assume.principal, assume.keys)
    trust = parse_policy(document, source=f"trust policy of {request.role_arn}")
    if not evaluate_resource_policy(trust, context).allowed:
        raise AccessDeniedError(
            "AccessDenied",
            f"User: {request.caller.arn} is not authorized to perform: sts:TagSession on "
            f"resource: {request.role_arn}",
        )


def _check_authorized(request: _AssumeRequest, duration: int) -> None:
    """The checks that follow authorization: session tags, chaining, the role's maximum."""
    role = _role(request.role_arn)
    if role is None:
        return
    _check_tag_session(request, role)
    if request.chained and duration > CHAINED_SESSION_SECONDS:
        raise STSValidationError(CHAINING_MESSAGE)
    if duration > int(role.max_session_duration or DEFAULT_SESSION_SECONDS):
        raise STSValidationError(MAX_SESSION_MESSAGE)


def check_assume_role(response: TokenResponse) -> None:
    """Refuse an AssumeRole that STS would refuse after authorization (see the module docstring):
    the duration's syntax first, then session tags, chaining and the role's maximum. Called by
    the one AssumeRole wrap (:mod:`..moto_integration.assume_role`) while the sandbox enforces."""
    _check_duration_syntax(response)
    _check_authorized(_request(response), requested_duration(response))


def requested_duration(response: TokenResponse) -> int:
    """``DurationSeconds`` as asked, or STS's default of one hour."""
    return int(response._get_int_param("DurationSeconds", DEFAULT_SESSION_SECONDS))
