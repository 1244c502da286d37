"""IAM's write-time refusals in the sandbox: parameter limits, policy documents, quotas.

moto writes what it is given. AWS refuses, before anything changes:

* parameters outside the limits IAM's API model states (IAM API reference, e.g. ``CreateRole``:
  RoleName 1-64 of ``[\\w+=,.@-]+``, Path up to 512, MaxSessionDuration 3600-43200, Description
  up to 1000): ``ValidationError`` (400), "1 validation error detected: Value '...' at
  'roleName' failed to satisfy constraint: Member must have length less than or equal to 64".
  The limits are read from botocore's copy of that model, so they are AWS's, not retyped;
* policy documents IAM would not accept: ``MalformedPolicyDocument`` (400), see
  :mod:`.iam_documents`;
* the quotas of "IAM and AWS STS quotas", with the answers IAM gives (``LimitExceeded``, 409):
  a role trust policy of more than 2,048 characters ("Cannot exceed quota for ACLSizePerRole:
  2048"), more than 10 managed policies on a role, user or group ("Cannot exceed quota for
  PoliciesPerRole: 10"), inline policies over 10,240 characters in total for a role, 2,048 for
  a user, 5,120 for a group ("Maximum policy size of 10240 bytes exceeded for role <name>"), and
  a managed policy over 6,144 ("Cannot exceed quota for PolicySize: 6144"). The defaults apply:
  the sandbox has no Service Quotas to raise them.

:data:`CHECKS` names the moto IAM *response* each check precedes
(:mod:`..moto_integration.patches` installs them), so only API calls are judged; the seed,
which writes through moto's backends, is not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Final, Literal

from moto.iam.exceptions import LimitExceededException, ValidationError
from moto.iam.responses import IamResponse

from ...policy.validate import DEFAULT_TRUST_POLICY_CHARS
from .iam_documents import check_document, size

__all__ = [
    "CHECKS",
    "INLINE_POLICY_CHARS",
    "MANAGED_POLICIES_PER_ENTITY",
    "MANAGED_POLICY_CHARS",
    "TRUST_POLICY_CHARS",
    "check_parameters",
]

#: "IAM and AWS STS quotas", default values (the sandbox has no Service Quotas to raise them).
TRUST_POLICY_CHARS: Final = DEFAULT_TRUST_POLICY_CHARS
MANAGED_POLICIES_PER_ENTITY: Final = 10
INLINE_POLICY_CHARS: Final[dict[str, int]] = {"role": 10240, "user": 2048, "group": 5120}
MANAGED_POLICY_CHARS: Final = 6144

Entity = Literal["role", "user", "group"]
_QUOTA_NAME: Final[dict[str, str]] = {
    "role": "PoliciesPerRole",
    "user": "PoliciesPerUser",
    "group": "PoliciesPerGroup",
}


# -- parameters, as IAM's API model states them ---------------------------------------------------
@lru_cache(maxsize=32)
def _members(operation: str) -> tuple[tuple[str, str, tuple[tuple[str, Any], ...]], ...]:
    import botocore.session

    model = botocore.session.get_session().get_service_model("iam").operation_model(operation)
    members = model.input_shape.members if model.input_shape is not None else {}
    return tuple(
        (name, member.type_name, tuple(member.metadata.items()))
        for name, member in members.items()
        if not name.endswith("Document")  # documents: judged by check_document and the quotas
    )


def _violations(name: str, kind: str, limits: dict[str, Any], value: Any) -> list[str]:
    at = f"Value '{value}' at '{name[0].lower()}{name[1:]}' failed to satisfy constraint: Member"
    found = []
    if kind == "string" and isinstance(value, str):
        pattern = limits.get("pattern")
        if pattern and not re.fullmatch(pattern, value, re.ASCII):
            found.append(f"{at} must satisfy regular expression pattern: {pattern}")
        if "min" in limits and len(value) < limits["min"]:
            found.append(f"{at} must have length greater than or equal to {limits['min']}")
        if "max" in limits and len(value) > limits["max"]:
            found.append(f"{at} must have length less than or equal to {limits['max']}")
    elif kind in ("integer", "long"):
        try:
            number = int(value)
        except (TypeError, ValueError):
            return found
        if "min" in limits and number < limits["min"]:
            found.append(f"{at} must have value greater than or equal to {limits['min']}")
        if "max" in limits and number > limits["max"]:
            found.append(f"{at} must have value less than or equal to {limits['max']}")
    return found


def check_parameters(response: IamResponse, operation: str) -> None:
    """Refuse the request's scalar parameters that break IAM's model (``ValidationError``)."""
    errors: list[str] = []
    for name, kind, limits in _members(operation):
        value = response._get_param(name)
        if value is not None:
            errors.extend(_violations(name, kind, dict(limits), value))
    if errors:
        count = len(errors)
        raise ValidationError(
            f"{count} validation error{'s' if count > 1 else ''} detected: {'; '.join(errors)}"
        )


# -- the entities a request writes to -------------------------------------------------------------
def _entity(response: IamResponse, entity: Entity) -> Any:
    """The role, user or group the request names; None when moto should answer NoSuchEntity."""
    name = response._get_param(f"{entity.capitalize()}Name")
    getter = {"role": "get_role", "user": "get_user", "group": "get_group"}[entity]
    try:
        return getattr(response.backend, getter)(name)
    except Exception:
        return None


def _trust_quota(text: str) -> None:
    if size(text) > TRUST_POLICY_CHARS:
        raise LimitExceededException(
            f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_CHARS}"
        )


def _inline_quota(response: IamResponse, entity: Entity) -> None:
    found = _entity(response, entity)
    if found is None:
        return
    name = response._get_param("PolicyName")
    others = sum(size(text) for key, text in found.policies.items() if key != name)
    limit = INLINE_POLICY_CHARS[entity]
    if others + size(response._get_param("PolicyDocument") or "") > limit:
        raise LimitExceededException(
            f"Maximum policy size of {limit} bytes exceeded for {entity} {found.name}"
        )


def _managed_quota(response: IamResponse, entity: Entity) -> None:
    found = _entity(response, entity)
    arn = response._get_param("PolicyArn")
    known = {p.arn for p in response.backend.managed_policies.values()}
    if found is None or arn not in known or arn in found.managed_policies:
        return  # moto answers NoSuchEntity; attaching an attached policy changes nothing
    if len(found.managed_policies) >= MANAGED_POLICIES_PER_ENTITY:
        raise LimitExceededException(
            f"Cannot exceed quota for {_QUOTA_NAME[entity]}: {MANAGED_POLICIES_PER_ENTITY}"
        )


def _policy_size(response: IamResponse) -> None:
    if size(response._get_param("PolicyDocument") or "") > MANAGED_POLICY_CHARS:
        raise LimitExceededException(f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_CHARS}")


# -- one check per write ------------------------------------------------------------------------
def _create_role(response: IamResponse) -> None:
    check_parameters(response, "CreateRole")
    text = response._get_param("AssumeRolePolicyDocument") or ""
    check_document(text, "trust")
    _trust_quota(text)


def _update_assume_role_policy(response: IamResponse) -> None:
    check_parameters(response, "UpdateAssumeRolePolicy")
    if _entity(response, "role") is None:
        return
    text = response._get_param("PolicyDocument") or ""
    check_document(text, "trust")
    _trust_quota(text)


def _put_inline(entity: Entity, operation: str) -> Callable[[IamResponse], None]:
    def check(response: IamResponse) -> None:
        check_parameters(response, operation)
        check_document(response._get_param("PolicyDocument") or "", "identity")
        _inline_quota(response, entity)

    return check


def _attach(entity: Entity, operation: str) -> Callable[[IamResponse], None]:
    def check(response: IamResponse) -> None:
        check_parameters(response, operation)
        _managed_quota(response, entity)

    return check


def _managed_document(operation: str) -> Callable[[IamResponse], None]:
    def check(response: IamResponse) -> None:
        check_parameters(response, operation)
        check_document(response._get_param("PolicyDocument") or "", "identity")
        _policy_size(response)

    return check


CHECKS: Final[dict[str, Callable[[IamResponse], None]]] = {
    "create_role": _create_role,
    "update_assume_role_policy": _update_assume_role_policy,
    "update_role": lambda response: check_parameters(response, "UpdateRole"),
    "put_role_policy": _put_inline("role", "PutRolePolicy"),
    "put_user_policy": _put_inline("user", "PutUserPolicy"),
    "put_group_policy": _put_inline("group", "PutGroupPolicy"),
    "create_policy": _managed_document("CreatePolicy"),
    "create_policy_version": _managed_document("CreatePolicyVersion"),
    "attach_role_policy": _attach("role", "AttachRolePolicy"),
    "attach_user_policy": _attach("user", "AttachUserPolicy"),
    "attach_group_policy": _attach("group", "AttachGroupPolicy"),
}
