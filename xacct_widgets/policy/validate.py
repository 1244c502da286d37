"""The strict side: a document IAM would accept, checked before any call.

IAM answers a bad document with ``MalformedPolicyDocument`` and a terse reason, or worse accepts
it and ignores a typo'd key. These checks follow the grammar of "IAM JSON policy element
reference" and the sizes of "IAM and AWS STS quotas", and say which statement is wrong and how.
Two kinds of document differ: an *identity* policy has Resource and no Principal; a *trust*
policy (a role's resource policy) has Principal and no Resource, and never NotPrincipal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal

from ..errors import InvalidPolicy
from .conditions import parse_operator
from .document import POLICY_VERSION, as_list, load_document, short

__all__ = [
    "DEFAULT_TRUST_POLICY_CHARS",
    "MAX_POLICY_CHARS",
    "PolicyKind",
    "validate_document",
]

PolicyKind = Literal["identity", "trust"]

_VERSIONS: Final = (POLICY_VERSION, "2008-10-17")
_TOP_KEYS: Final = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS: Final = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
_ACTION_RE: Final = re.compile(r"\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+", re.ASCII)
_SID_RE: Final = re.compile(r"[A-Za-z0-9]*", re.ASCII)
_PRINCIPAL_TYPES: Final = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})

#: IAM counts a policy's characters without whitespace. Identity: a role's inline policies may
#: total 10,240; trust: 2,048 by default, raisable to 4,096 (the quota checked here).
MAX_POLICY_CHARS: Final[dict[str, int]] = {"identity": 10240, "trust": 4096}
#: The trust-policy quota an account has until it asks for more ("IAM and AWS STS quotas":
#: role trust policy length, default 2,048). The sandbox enforces it; RoleSpec checks the
#: raisable maximum above, since a real account may have the increase.
DEFAULT_TRUST_POLICY_CHARS: Final = 2048

_Bad = Callable[..., InvalidPolicy]


def _check_pair(
    statement: Mapping[str, Any], key: str, not_key: str, where: str, bad: _Bad
) -> None:
    if (key in statement) == (not_key in statement):
        raise bad(f"{where} must have exactly one of {key} or {not_key}")
    present = key if key in statement else not_key
    value = statement[present]
    items = as_list(value)
    if not items or not all(isinstance(v, str) and v for v in items):
        raise bad(f"{where} {present} {short(value)} must be a string or a list of strings")


def _is_wildcard(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, dict) and any(
        v == "*" or (isinstance(v, list) and "*" in v) for v in principal.values()
    )


def _check_trust_statement(statement: Mapping[str, Any], where: str, bad: _Bad) -> None:
    if "Resource" in statement or "NotResource" in statement:
        raise bad(f"{where} has Resource, which a trust policy cannot have")
    if "NotPrincipal" in statement:
        raise bad(
            f"{where} has NotPrincipal, which a trust policy cannot have",
            "Name the principals that may assume the role in Principal.",
        )
    if "Principal" not in statement:
        raise bad(f"{where} must have a Principal (who may assume the role)")
    principal = statement["Principal"]
    if statement.get("Effect") == "Allow" and _is_wildcard(principal):
        raise bad(
            f"{where} allows any principal ('*')",
            "Name the trusted account or principals; a wildcard would let anyone switch.",
        )
    if principal != "*" and not (
        isinstance(principal, dict)
        and principal
        and all(isinstance(v, str | list) for v in principal.values())
    ):
        raise bad(f"{where} Principal {short(principal)} must be '*' or {{type: ARN(s)}}")
    if isinstance(principal, dict):
        unknown = sorted(set(principal) - _PRINCIPAL_TYPES)
        if unknown:
            raise bad(
                f"{where} Principal type(s) {unknown} are unknown",
                f"Allowed: {sorted(_PRINCIPAL_TYPES)}.",
            )
        for value in as_list(principal.get("AWS")):
            if isinstance(value, str) and value != "*" and ("*" in value or "?" in value):
                raise bad(
                    f"{where} Principal {value!r} has a wildcard inside an ARN, which IAM "
                    "does not allow",
                    "Name the user or role, or the account (arn:aws:iam::ACCOUNT:root).",
                )


def _check_condition(condition: Any, where: str, bad: _Bad) -> None:
    if not (
        isinstance(condition, dict) and all(isinstance(v, dict) and v for v in condition.values())
    ):
        raise bad(
            f"{where} Condition {short(condition)} must map operators to {{key: value}}",
            'e.g. {"StringEquals": {"sts:ExternalId": "abc"}}',
        )
    for operator in condition:
        if parse_operator(str(operator)) is None:
            raise bad(
                f"{where} Condition operator {operator!r} is not an IAM condition operator",
                "See 'IAM JSON policy elements: Condition operators' (e.g. StringEquals, Bool, "
                "ArnLike, NumericLessThan, IpAddress, with IfExists or ForAnyValue:).",
            )


def validate_document(
    doc: Mapping[str, Any] | str,
    *,
    kind: PolicyKind = "identity",
    name: str | None = None,
    max_chars: int | None = None,
) -> dict[str, Any]:
    """Check an identity (``kind="identity"``) or trust (``kind="trust"``) policy; return a dict.

    The result is the document with ``Statement`` always a list; values are otherwise unchanged.
    ``max_chars`` overrides the size quota (e.g. 2,048 for an account's default trust quota).

    Raises:
        InvalidPolicy: naming the statement and what is wrong with it.
        ValueError: ``kind`` is neither "identity" nor "trust".
    """
    if kind not in MAX_POLICY_CHARS:
        raise ValueError(f"kind must be 'identity' or 'trust', not {kind!r}")
    label = f"{'Trust' if kind == 'trust' else 'Inline'} policy" + (f" {name!r}" if name else "")
    policy = load_document(doc)

    def bad(reason: str, fix: str | None = None) -> InvalidPolicy:
        return InvalidPolicy(f"{label} is invalid: {reason}.", fix=fix)

    unknown = sorted(set(policy) - _TOP_KEYS)
    if unknown:
        raise bad(f"unknown top-level key(s) {unknown}", "Allowed: Version, Id, Statement.")
    if policy.get("Version") not in _VERSIONS:
        raise bad(
            f"Version {policy.get('Version')!r} must be '2012-10-17' (or '2008-10-17')",
            f'Add "Version": "{POLICY_VERSION}".',
        )
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise bad(f"Statement {short(statements)} must be a non-empty list of statements")
    sids: set[str] = set()
    for index, statement in enumerate(statements):
        where = f"Statement[{index}]"
        if not isinstance(statement, dict):
            raise bad(f"{where} {short(statement)} must be an object")
        unknown = sorted(set(statement) - _STATEMENT_KEYS)
        if unknown:
            raise bad(
                f"{where} has unknown key(s) {unknown}", f"Allowed: {sorted(_STATEMENT_KEYS)}."
            )
        sid = statement.get("Sid")
        if sid is not None:
            if not isinstance(sid, str) or not _SID_RE.fullmatch(sid):
                raise bad(f"{where} Sid {sid!r} must contain only letters and digits")
            if sid and sid in sids:
                raise bad(f"{where} Sid {sid!r} is used twice")
            sids.add(sid)
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise bad(f"{where} Effect {statement.get('Effect')!r} must be 'Allow' or 'Deny'")
        _check_pair(statement, "Action", "NotAction", where, bad)
        for action in as_list(statement.get("Action", statement.get("NotAction"))):
            if not isinstance(action, str) or not _ACTION_RE.fullmatch(action):
                raise bad(
                    f"{where} action {action!r} must look like 'service:Action' (wildcards allowed)"
                )
        if kind == "identity":
            _check_pair(statement, "Resource", "NotResource", where, bad)
            for key in ("Principal", "NotPrincipal"):
                if key in statement:
                    raise bad(f"{where} has {key}, which an identity policy cannot have")
        else:
            _check_trust_statement(statement, where, bad)
        if "Condition" in statement:
            _check_condition(statement["Condition"], where, bad)
    result = {**policy, "Statement": statements}
    limit = max_chars if max_chars is not None else MAX_POLICY_CHARS[kind]
    size = len(json.dumps(result, separators=(",", ":")))
    if size > limit:
        raise bad(f"it is {size} characters long; IAM allows {limit}")
    return result
