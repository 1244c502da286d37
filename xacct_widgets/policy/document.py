"""Policy documents: loading them from what IAM and users hand over, and a normalised model.

IAM returns documents URL-encoded, turns one-item lists into strings, reorders lists and rewrites
a bare account ID principal as its root ARN; users paste JSON text or dicts. :func:`load_document`
accepts all of those, :func:`parse_policy` turns a document into :class:`Policy` values the
evaluator reads (every list a tuple, every scalar a string), and :func:`canonical` gives equal
meaning equal dicts so that "has this policy changed?" has one answer. Parsing is lenient (it is
also used to read policies AWS already stored); :mod:`.validate` is the strict side.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import unquote

from ..errors import InvalidPolicy
from .conditions import Condition
from .wildcards import any_action_matches

__all__ = [
    "POLICY_VERSION",
    "Policy",
    "Statement",
    "as_list",
    "canonical",
    "equivalent",
    "load_document",
    "parse_policy",
    "scalar",
]

POLICY_VERSION: Final = "2012-10-17"
_ACCOUNT_ID: Final = re.compile(r"[0-9]{12}")


def as_list(value: Any) -> list[Any]:
    """A policy element as a list: IAM accepts one value or a list of them."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def scalar(value: Any) -> str:
    """A policy value as the string IAM compares (JSON ``true`` is ``"true"``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def short(value: object, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def load_document(doc: Mapping[str, Any] | str) -> dict[str, Any]:
    """A policy as a fresh dict, from a dict, a JSON string or IAM's URL-encoded JSON.

    Raises:
        InvalidPolicy: not a dict, or text that is not a JSON object.
    """
    if isinstance(doc, Mapping):
        return json.loads(json.dumps(doc))  # type: ignore[no-any-return]
    if not isinstance(doc, str):
        raise InvalidPolicy(
            f"Policy {doc!r} is invalid: it must be a dict or a JSON string.",
            fix="Pass the policy document as a dict.",
        )
    text = doc.strip()
    for candidate in (text, unquote(text)):
        try:
            loaded = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(loaded, dict):
            return loaded
        break
    raise InvalidPolicy(
        f"Policy {short(doc)} is invalid: it must be a JSON object.",
        fix="Check the JSON (quotes, commas, braces).",
    )


@dataclass(frozen=True)
class Statement:
    """One statement, normalised. ``resources``/``principals`` are None when the element is absent.

    ``principals`` holds ``(type, value)`` pairs: ``("AWS", "arn:…")``, ``("Service", "…")``;
    ``Principal: "*"`` is ``(("*", "*"),)``.
    """

    effect: str
    actions: tuple[str, ...] = ()
    not_action: bool = False
    resources: tuple[str, ...] | None = None
    not_resource: bool = False
    principals: tuple[tuple[str, str], ...] | None = None
    not_principal: bool = False
    conditions: tuple[Condition, ...] = ()
    sid: str | None = None
    index: int = 0

    @property
    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else f"Statement[{self.index}]"

    def covers_action(self, action: str) -> bool:
        """Action (or NotAction) matches ``action``, case-insensitively, with wildcards."""
        return any_action_matches(self.actions, action) != self.not_action

    def condition_keys(self) -> frozenset[str]:
        """The condition keys the statement tests, lower-cased (key names are case-insensitive)."""
        return frozenset(c.key.lower() for c in self.conditions)


@dataclass(frozen=True)
class Policy:
    """A parsed policy; ``source`` says where it came from (``user:operator/inline-name``…)."""

    statements: tuple[Statement, ...]
    version: str | None = POLICY_VERSION
    source: str = "policy"
    id: str | None = None

    @property
    def has_variables(self) -> bool:
        """Policy variables exist only in version 2012-10-17 policies."""
        return self.version == POLICY_VERSION


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(scalar(v) for v in as_list(value))


def _principals(value: Any) -> tuple[tuple[str, str], ...]:
    if value == "*":
        return (("*", "*"),)
    if not isinstance(value, Mapping):
        return ()
    return tuple((str(kind), scalar(v)) for kind, vs in value.items() for v in as_list(vs))


def _conditions(value: Any) -> tuple[Condition, ...]:
    if not isinstance(value, Mapping):
        return ()
    found = []
    for operator, clauses in value.items():
        if not isinstance(clauses, Mapping):
            # A malformed block is kept as a condition no operator satisfies (fail closed).
            found.append(Condition(f"{operator}:malformed", "", ()))
            continue
        for key, values in clauses.items():
            found.append(Condition(str(operator), str(key), _strings(values)))
    return tuple(found)


def _statement(raw: Mapping[str, Any], index: int) -> Statement:
    def pair(key: str, not_key: str) -> tuple[tuple[str, ...] | None, bool]:
        if not_key in raw and key not in raw:
            return _strings(raw[not_key]), True
        return (_strings(raw[key]) if key in raw else None), False

    actions, not_action = pair("Action", "NotAction")
    resources, not_resource = pair("Resource", "NotResource")
    negated = "NotPrincipal" in raw and "Principal" not in raw
    principal_key = "NotPrincipal" if negated else "Principal"
    sid = raw.get("Sid")
    return Statement(
        effect=str(raw.get("Effect", "")),
        actions=actions or (),
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        principals=_principals(raw[principal_key]) if principal_key in raw else None,
        not_principal=negated,
        conditions=_conditions(raw.get("Condition")),
        sid=str(sid) if sid else None,
        index=index,
    )


def parse_policy(doc: Mapping[str, Any] | str | Policy, source: str = "policy") -> Policy:
    """Read a document into a :class:`Policy` (lenient: statements that are not objects are
    skipped, an unknown Effect never matches). Validate first when the input is untrusted."""
    if isinstance(doc, Policy):
        return doc
    raw = load_document(doc)
    statements = tuple(
        _statement(s, i) for i, s in enumerate(as_list(raw.get("Statement"))) if isinstance(s, dict)
    )
    version = raw.get("Version")
    policy_id = raw.get("Id")
    return Policy(
        statements,
        version=str(version) if version is not None else None,
        source=source,
        id=str(policy_id) if policy_id is not None else None,
    )


# -- canonical form -----------------------------------------------------------------------------
def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _canon(value: Any, key: str | None = None) -> Any:
    if isinstance(value, Mapping):
        return {k: _canon(value[k], k) for k in sorted(value)}
    if isinstance(value, list | tuple):
        items = [_canon(v) for v in value]
        unique = {_sort_key(v): v for v in items}
        ordered = [unique[k] for k in sorted(unique)]
        if key == "Statement":
            return ordered
        return ordered[0] if len(ordered) == 1 else ordered
    if isinstance(value, bool | int | float):
        return scalar(value)
    return value


def _root_arn(value: Any) -> Any:
    # IAM rewrites a bare account ID principal to its root ARN.
    if isinstance(value, str) and _ACCOUNT_ID.fullmatch(value):
        return f"arn:aws:iam::{value}:root"
    return value


def canonical(doc: Mapping[str, Any] | str) -> dict[str, Any]:
    """Normalise a policy so that equal meaning gives equal dicts (and equal ``json.dumps``).

    IAM may return a document URL-encoded, reorder lists, turn a one-item list into a string and
    rewrite ``"123456789012"`` principals as root ARNs; none of that is a real change.
    """
    policy = load_document(doc)
    statements = policy.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if isinstance(statements, list):
        fixed = []
        for statement in statements:
            if isinstance(statement, Mapping):
                statement = dict(statement)
                for key in ("Principal", "NotPrincipal"):
                    principal = statement.get(key)
                    if isinstance(principal, Mapping) and "AWS" in principal:
                        mapped = [_root_arn(v) for v in as_list(principal["AWS"])]
                        statement[key] = {**principal, "AWS": mapped}
            fixed.append(statement)
        policy["Statement"] = fixed
    result: dict[str, Any] = _canon(policy)
    return result


def equivalent(a: Mapping[str, Any] | str, b: Mapping[str, Any] | str) -> bool:
    """True when two policies mean the same to IAM (see :func:`canonical`)."""
    return canonical(a) == canonical(b)
