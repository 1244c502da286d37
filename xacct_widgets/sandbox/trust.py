"""Trust-policy evaluation for sts:AssumeRole, the part of IAM that moto leaves out.

moto (5.2.x) evaluates a caller's identity policies but never a cross-account role's trust policy,
so without this every account could assume every role. This module is pure: it decides from the
policy document, the caller and the request context, and knows nothing of moto.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_ACCOUNT_RE = re.compile(r"^\d{12}$")
_ROOT_ARN_RE = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):root$")
_ASSUMED_RE = re.compile(r"^arn:aws[\w-]*:sts::(\d{12}):assumed-role/([^/]+)/(.+)$")


@dataclass(frozen=True)
class Caller:
    """Who is calling AssumeRole.

    ``arn`` is the caller's own ARN (a user ARN, an ``assumed-role`` session ARN or a root ARN);
    ``role_arn`` is the full IAM ARN of the role behind an assumed-role session (path included).
    """

    account_id: str
    arn: str
    role_arn: str | None = None

    @property
    def is_root(self) -> bool:
        return _ROOT_ARN_RE.match(self.arn) is not None

    @property
    def principal_arn(self) -> str:
        """The ARN a trust policy names for this caller (``aws:PrincipalArn``)."""
        return self.role_arn or self.arn


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _action_matches(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(
            fnmatch.fnmatchcase(action.lower(), p.lower()) for p in _as_list(statement["NotAction"])
        )
    return any(
        fnmatch.fnmatchcase(action.lower(), p.lower()) for p in _as_list(statement.get("Action"))
    )


def _principal_matches(principal: Any, caller: Caller) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    for entry in _as_list(principal.get("AWS")):
        entry = str(entry)
        if entry == "*":
            return True
        if _ACCOUNT_RE.match(entry):
            entry = f"arn:aws:iam::{entry}:root"
        root = _ROOT_ARN_RE.match(entry)
        if root:
            # Naming an account delegates to that account's own IAM policies: any of its principals.
            if root.group(1) == caller.account_id:
                return True
            continue
        if entry in (caller.arn, caller.principal_arn):
            return True
    return False


_STRING_OPS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda actual, expected: actual == expected,
    "StringNotEquals": lambda actual, expected: actual != expected,
    "StringEqualsIgnoreCase": lambda actual, expected: actual.lower() == expected.lower(),
    "StringLike": lambda actual, expected: fnmatch.fnmatchcase(actual, expected),
    "StringNotLike": lambda actual, expected: not fnmatch.fnmatchcase(actual, expected),
    "ArnEquals": lambda actual, expected: actual == expected,
    "ArnLike": lambda actual, expected: fnmatch.fnmatchcase(actual, expected),
    "Bool": lambda actual, expected: actual.lower() == str(expected).lower(),
}
_NEGATED = {"StringNotEquals", "StringNotLike"}


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    actual = next((v for k, v in context.items() if k.lower() == key.lower()), None)
    if base == "Null":
        wants_absent = str(_as_list(expected)[0]).lower() == "true"
        return (actual is None) == wants_absent
    test = _STRING_OPS.get(base)
    if test is None:
        return False  # an operator we do not model never grants access
    if actual is None:
        return if_exists or base in _NEGATED
    values = [str(v) for v in _as_list(expected)]
    if base in _NEGATED:
        return all(test(actual, v) for v in values)
    return any(test(actual, v) for v in values)


def _conditions_hold(statement: Mapping[str, Any], context: Mapping[str, str]) -> tuple[bool, str]:
    for operator, clauses in (statement.get("Condition") or {}).items():
        for key, expected in clauses.items():
            if not _condition_holds(operator, key, expected, context):
                return False, f"condition {operator} {key} not met"
    return True, ""


def _statements(document: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    return [s for s in _as_list(document.get("Statement")) if isinstance(s, Mapping)]


def evaluate(
    document: Mapping[str, Any],
    caller: Caller,
    context: Mapping[str, str],
    action: str = "sts:AssumeRole",
) -> Decision:
    """Decide an AssumeRole request as IAM does: explicit Deny wins, else some Allow must match."""
    allowed = False
    unmet: list[str] = []
    for statement in _statements(document):
        if not _action_matches(statement, action) or not _principal_matches(
            statement.get("Principal"), caller
        ):
            continue
        holds, why = _conditions_hold(statement, context)
        if not holds:
            unmet.append(why)
            continue
        if statement.get("Effect") == "Deny":
            return Decision(False, "explicit deny in the role's trust policy")
        if statement.get("Effect") == "Allow":
            allowed = True
    if allowed:
        return Decision(True, "trusted")
    if unmet:
        return Decision(False, "; ".join(unmet))
    return Decision(False, "the role's trust policy does not name the caller")


def request_context(
    caller: Caller, *, external_id: str | None, mfa_present: bool, session_name: str | None
) -> dict[str, str]:
    """The condition keys AWS puts in an AssumeRole request's context."""
    context = {
        "aws:PrincipalArn": caller.principal_arn,
        "aws:PrincipalAccount": caller.account_id,
        "aws:MultiFactorAuthPresent": "true" if mfa_present else "false",
    }
    if external_id is not None:
        context["sts:ExternalId"] = external_id
    if session_name is not None:
        context["sts:RoleSessionName"] = session_name
    assumed = _ASSUMED_RE.match(caller.arn)
    if assumed:
        context["aws:userid"] = assumed.group(3)
    return context
