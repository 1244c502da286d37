"""The request context: what AWS knows about a request when it evaluates policies.

Conditions compare against these keys, and what is *absent* matters as much as what is present:
``aws:MultiFactorAuthPresent`` is missing for long-term access keys (not "false"), which changes
the answer of ``Bool``, ``BoolIfExists`` and ``Null``. So the context keeps absent keys absent
and never fills in defaults. Key names are case-insensitive, values are kept as strings (AWS
compares numbers, dates and addresses after parsing them per operator).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final, Literal

__all__ = [
    "ContextValue",
    "Principal",
    "PrincipalType",
    "RequestContext",
    "assume_role_context",
]

PrincipalType = Literal[
    "user", "assumed-role", "root", "federated-user", "service", "anonymous", "other"
]
ContextValue = str | bool | int | float | Sequence[str]

_ARN: Final = re.compile(r"^arn:([\w-]+):([\w-]+):([\w-]*):(\d{12}|aws)?:(.+)$")
_PRINCIPAL_TYPE_KEY: Final = {
    "user": "User",
    "assumed-role": "AssumedRole",
    "root": "Account",
    "federated-user": "FederatedUser",
    "anonymous": "Anonymous",
}


@lru_cache(maxsize=8192)
def _arn_parts(arn: str) -> tuple[str, str, str, str] | None:
    """(partition, service, account, resource) of an ARN; every request asks this many times."""
    match = _ARN.match(arn)
    if match is None:
        return None
    partition, service, _region, account, resource = match.groups()
    return partition, service, account or "", resource


@dataclass(frozen=True)
class Principal:
    """Who makes a request.

    ``arn`` is the caller's own ARN: an IAM user, an ``assumed-role`` session, an account's root,
    a federated user, or a service name such as ``ec2.amazonaws.com``. ``role_arn`` is the IAM
    ARN (path included) of the role behind a session; STS's session ARN leaves the path out, and
    a trust policy naming ``role/team/hop`` must still admit ``hop``'s sessions. ``userid`` is
    ``aws:userid`` (``AIDA…`` for a user, ``AROA…:session`` for a role session) when known;
    an account's root user and a federated user have one derived from the ARN (the principal
    table of "IAM policy elements: Variables and tags",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable:
    the account ID, and ``account:caller-specified-name``).
    """

    arn: str
    role_arn: str | None = None
    userid: str | None = None

    @classmethod
    def anonymous(cls) -> Principal:
        return cls("*")

    @property
    def _parts(self) -> tuple[str, str, str, str] | None:
        return _arn_parts(self.arn)

    @property
    def account(self) -> str:
        parts = self._parts
        return parts[2] if parts else ""

    @property
    def partition(self) -> str:
        parts = self._parts
        return parts[0] if parts else "aws"

    @property
    def type(self) -> PrincipalType:
        if self.arn == "*":
            return "anonymous"
        parts = self._parts
        if parts is None:
            return "service" if self.arn.endswith(".amazonaws.com") else "other"
        _, service, _, resource = parts
        if service == "iam" and resource == "root":
            return "root"
        if service == "iam" and resource.startswith("user/"):
            return "user"
        if service == "sts" and resource.startswith("assumed-role/"):
            return "assumed-role"
        if service == "sts" and resource.startswith("federated-user/"):
            return "federated-user"
        return "other"

    @property
    def name(self) -> str:
        """User name, role name, federated name, ``root``, or the service name."""
        parts = self._parts
        if parts is None:
            return self.arn
        resource = parts[3]
        if self.type == "assumed-role":
            return resource.split("/")[1]
        return resource.rsplit("/", 1)[-1]

    @property
    def session_name(self) -> str | None:
        if self.type != "assumed-role":
            return None
        return self.arn.split("/", 2)[2]

    @property
    def is_root(self) -> bool:
        return self.type == "root"

    @property
    def principal_arn(self) -> str:
        """``aws:PrincipalArn``: the role's ARN for a session, otherwise the caller's ARN."""
        if self.role_arn:
            return self.role_arn
        if self.type == "assumed-role":
            return f"arn:{self.partition}:iam::{self.account}:role/{self.name}"
        return self.arn

    def context_keys(self) -> dict[str, str]:
        """The global condition keys AWS derives from the caller."""
        if self.type in ("service", "other"):
            return {"aws:PrincipalIsAWSService": str(self.type == "service").lower()}
        if self.type == "anonymous":
            return {"aws:PrincipalType": "Anonymous"}
        keys = {
            "aws:PrincipalArn": self.principal_arn,
            "aws:PrincipalAccount": self.account,
            "aws:PrincipalType": _PRINCIPAL_TYPE_KEY[self.type],
            "aws:PrincipalIsAWSService": "false",
        }
        if self.type == "user":
            keys["aws:username"] = self.name
        if self.userid:
            keys["aws:userid"] = self.userid
        elif self.type == "root":
            keys["aws:userid"] = self.account
        elif self.type == "federated-user":
            keys["aws:userid"] = f"{self.account}:{self.name}"
        return keys


def _values(value: ContextValue) -> tuple[str, ...]:
    if isinstance(value, bool):
        return ("true" if value else "false",)
    if isinstance(value, str | int | float):
        return (str(value),)
    return tuple(str(v) for v in value)


@dataclass(frozen=True)
class RequestContext:
    """One request: the action, the resource, the caller and the condition keys.

    ``keys`` add to (and override) the keys derived from ``principal``. A key maps to one value
    or a sequence of values (multi-valued keys such as ``aws:TagKeys``).
    """

    action: str
    resource: str = "*"
    principal: Principal | None = None
    keys: Mapping[str, ContextValue] = field(default_factory=dict)
    _values: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        merged: dict[str, tuple[str, ...]] = {}
        if self.principal is not None:
            for key, derived in self.principal.context_keys().items():
                merged[key.lower()] = (derived,)
        for key, given in self.keys.items():
            merged[key.lower()] = _values(given)
        object.__setattr__(self, "_values", merged)

    def get(self, key: str) -> tuple[str, ...] | None:
        """The values of ``key`` (case-insensitive), or None when the request has no such key."""
        return self._values.get(key.lower())

    def has(self, key: str) -> bool:
        return key.lower() in self._values

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(sorted(self._values))


def assume_role_context(
    principal: Principal,
    role_arn: str,
    *,
    external_id: str | None = None,
    session_name: str | None = None,
    mfa: bool | None = None,
    extra: Mapping[str, ContextValue] | None = None,
) -> RequestContext:
    """The context of an ``sts:AssumeRole`` request, as the role's trust policy sees it.

    ``mfa`` is True when the request carries a valid MFA code, False for temporary credentials
    obtained without MFA, None for long-term keys without MFA (AWS leaves the key out).
    """
    keys: dict[str, ContextValue] = {}
    if external_id is not None:
        keys["sts:ExternalId"] = external_id
    if session_name is not None:
        keys["sts:RoleSessionName"] = session_name
    if mfa is not None:
        keys["aws:MultiFactorAuthPresent"] = mfa
    keys.update(extra or {})
    return RequestContext("sts:AssumeRole", role_arn, principal, keys)
