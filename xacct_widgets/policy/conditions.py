"""Condition operators, as "IAM JSON policy elements: Condition operators" documents them.

The rules that are easy to get wrong, all from AWS's pages:

* keys are case-insensitive, values are not (unless the operator says ``IgnoreCase``);
* several values for one key are OR-ed; several keys, and several operators, are AND-ed;
  a *negated* operator (``StringNotEquals``…) NORs its values;
* a key absent from the request makes the condition false, except for negated operators (true),
  ``...IfExists`` (true) and ``Null`` (which tests exactly that);
* ``ForAllValues:`` holds when every request value matches (and when the key is absent or
  empty); ``ForAnyValue:`` when at least one does (never when absent);
* an operator this engine does not know never grants: an Allow with it does not apply, a Deny
  with it does (fail closed). IAM rejects such policies at write time anyway.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Final

from .variables import Lookup, resolve
from .wildcards import arn_matches, compile_pattern, literal_text

__all__ = [
    "OPERATORS",
    "Condition",
    "ConditionResult",
    "Operator",
    "evaluate_conditions",
    "parse_operator",
]


@dataclass(frozen=True)
class Condition:
    """One ``operator: {key: values}`` entry of a Condition block, values as strings."""

    operator: str
    key: str
    values: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.operator} {self.key}={','.join(self.values)}"


@dataclass(frozen=True)
class Operator:
    """A parsed operator name: ``ForAnyValue:StringLikeIfExists`` -> qualifier, base, if_exists."""

    base: str
    qualifier: str | None = None  # "ForAllValues" | "ForAnyValue"
    if_exists: bool = False


# -- value tests: (request value, policy value) -> bool ------------------------------------------
def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


def _date(text: str) -> datetime | None:
    text = text.strip()
    try:
        if text.lstrip("-").isdigit():
            return datetime.fromtimestamp(int(text), UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _compare(parse: Callable[[str], object | None], test: Callable[[int], bool]) -> _Test:
    def compare(actual: str, expected: str) -> bool:
        a, e = parse(actual), parse(expected)
        if a is None or e is None:
            return False
        return test((a > e) - (a < e))  # type: ignore[operator]

    return compare


def _ip(actual: str, expected: str) -> bool:
    try:
        return ipaddress.ip_address(actual.strip()) in ipaddress.ip_network(
            expected.strip(), strict=False
        )
    except ValueError:
        return False


def _binary(actual: str, expected: str) -> bool:
    try:
        return base64.b64decode(actual, validate=True) == base64.b64decode(expected, validate=True)
    except (binascii.Error, ValueError):
        return False


def _like(actual: str, expected: str) -> bool:
    return compile_pattern(expected).fullmatch(actual) is not None


def _bool(actual: str, expected: str) -> bool:
    return actual.lower() == literal_text(expected).lower()


_Test = Callable[[str, str], bool]
_EQ, _LT, _LE = (lambda c: c == 0), (lambda c: c < 0), (lambda c: c <= 0)
_GT, _GE = (lambda c: c > 0), (lambda c: c >= 0)

# base operator -> (test, negated). A negated operator holds when no policy value matches.
OPERATORS: Final[dict[str, tuple[_Test, bool]]] = {
    "StringEquals": (lambda a, e: a == literal_text(e), False),
    "StringNotEquals": (lambda a, e: a == literal_text(e), True),
    "StringEqualsIgnoreCase": (lambda a, e: a.lower() == literal_text(e).lower(), False),
    "StringNotEqualsIgnoreCase": (lambda a, e: a.lower() == literal_text(e).lower(), True),
    "StringLike": (_like, False),
    "StringNotLike": (_like, True),
    "NumericEquals": (_compare(_number, _EQ), False),
    "NumericNotEquals": (_compare(_number, _EQ), True),
    "NumericLessThan": (_compare(_number, _LT), False),
    "NumericLessThanEquals": (_compare(_number, _LE), False),
    "NumericGreaterThan": (_compare(_number, _GT), False),
    "NumericGreaterThanEquals": (_compare(_number, _GE), False),
    "DateEquals": (_compare(_date, _EQ), False),
    "DateNotEquals": (_compare(_date, _EQ), True),
    "DateLessThan": (_compare(_date, _LT), False),
    "DateLessThanEquals": (_compare(_date, _LE), False),
    "DateGreaterThan": (_compare(_date, _GT), False),
    "DateGreaterThanEquals": (_compare(_date, _GE), False),
    "Bool": (_bool, False),
    "BinaryEquals": (_binary, False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
    "ArnEquals": (lambda a, e: arn_matches(e, a), False),
    "ArnLike": (lambda a, e: arn_matches(e, a), False),
    "ArnNotEquals": (lambda a, e: arn_matches(e, a), True),
    "ArnNotLike": (lambda a, e: arn_matches(e, a), True),
}
_QUALIFIERS: Final = ("ForAllValues", "ForAnyValue")


def parse_operator(name: str) -> Operator | None:
    """Split an operator name into its parts; None when IAM does not know it."""
    qualifier = None
    base = name
    if ":" in name:
        qualifier, _, base = name.partition(":")
        if qualifier not in _QUALIFIERS:
            return None
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base == "Null":
        return None if (if_exists or qualifier) else Operator("Null")
    if base not in OPERATORS:
        return None
    return Operator(base, qualifier, if_exists)


@dataclass(frozen=True)
class ConditionResult:
    """Whether a Condition block holds: True, False, or None for an unknown operator.

    ``missing`` names the keys the block tested that the request did not have (AWS's
    ``MissingContextValues``); ``failed`` is the first condition that did not hold.
    """

    holds: bool | None
    missing: tuple[str, ...] = ()
    failed: Condition | None = None


def _holds(condition: Condition, operator: Operator, lookup: Lookup, variables: bool) -> bool:
    actual = lookup(condition.key)
    if operator.base == "Null":
        wants_absent = any(v.lower() == "true" for v in condition.values)
        return (actual is None) == wants_absent
    test, negated = OPERATORS[operator.base]
    if actual is None:
        if operator.if_exists:
            return True
        if operator.qualifier == "ForAllValues":
            return True
        if operator.qualifier == "ForAnyValue":
            return False
        return negated
    expected: list[str] = []
    for value in condition.values:
        resolved = resolve(value, lookup) if variables else value
        if resolved is not None:
            expected.append(resolved)

    def matches(value: str) -> bool:
        return any(test(value, e) for e in expected)

    def passes(value: str) -> bool:
        return not matches(value) if negated else matches(value)

    if operator.qualifier == "ForAllValues":
        return all(passes(v) for v in actual)
    if operator.qualifier == "ForAnyValue":
        return any(passes(v) for v in actual)
    # A single-valued operator on a multi-valued key: any value may match; a negated one
    # must match none of them.
    return all(passes(v) for v in actual) if negated else any(passes(v) for v in actual)


def evaluate_conditions(
    conditions: Sequence[Condition], lookup: Lookup, *, variables: bool = True
) -> ConditionResult:
    """AND of every condition; each key's values OR-ed (NOR-ed for negated operators)."""
    missing = tuple(dict.fromkeys(c.key for c in conditions if lookup(c.key) is None))
    unknown: Condition | None = None
    for condition in conditions:
        operator = parse_operator(condition.operator)
        if operator is None:
            unknown = unknown or condition
            continue
        if not _holds(condition, operator, lookup, variables):
            return ConditionResult(False, missing, condition)
    if unknown is not None:
        return ConditionResult(None, missing, unknown)
    return ConditionResult(True, missing)
