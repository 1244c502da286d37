"""AWS's pattern matching: only ``*`` and ``?`` are wildcards, everything else is literal.

Python's ``fnmatch`` also reads ``[...]`` as a character class, so a policy naming the resource
``role/[o]`` would match ``role/o`` there but not in AWS: the two evaluators this project used
to have disagreed on exactly that. Every match in the engine goes through this module.

Actions compare case-insensitively (``S3:getobject`` is ``s3:GetObject``); ARNs and condition
values compare case-sensitively. An ARN pattern is matched component by component (the six
colon-separated parts), so a ``*`` in the account part cannot swallow the region.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

__all__ = [
    "LITERAL_QUESTION",
    "LITERAL_STAR",
    "action_matches",
    "any_action_matches",
    "any_arn_matches",
    "arn_matches",
    "compile_pattern",
    "literal_text",
    "wildcard_match",
]

_ARN_PARTS: Final = 6
#: Stand-ins for a literal ``*`` / ``?`` that came from a policy variable (``${*}``, or a value
#: substituted for ``${aws:username}``): they match only themselves. Private-use code points,
#: which no ARN or condition value contains.
LITERAL_STAR: Final = "\ue000"
LITERAL_QUESTION: Final = "\ue001"


def literal_text(pattern: str) -> str:
    """``pattern`` with the literal stand-ins turned back into ``*`` and ``?``."""
    return pattern.replace(LITERAL_STAR, "*").replace(LITERAL_QUESTION, "?")


def _piece(char: str) -> str:
    if char == LITERAL_STAR:
        return re.escape("*")
    if char == LITERAL_QUESTION:
        return re.escape("?")
    if char == "*":
        return ".*"
    if char == "?":
        return "."
    return re.escape(char)


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """The regular expression of an IAM pattern (``*`` any run, ``?`` one character)."""
    body = "".join(_piece(c) for c in pattern)
    return re.compile(body, (re.IGNORECASE if ignore_case else 0) | re.DOTALL)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """True when ``value`` matches the whole of ``pattern``."""
    return compile_pattern(pattern, ignore_case=ignore_case).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    """An Action element entry against a request's action (case-insensitive)."""
    return wildcard_match(pattern, action, ignore_case=True)


def any_action_matches(patterns: Iterable[str], action: str) -> bool:
    return any(action_matches(p, action) for p in patterns)


def arn_matches(pattern: str, arn: str) -> bool:
    """A Resource entry (or an ``Arn*`` condition value) against an ARN, part by part.

    ``*`` alone matches every resource. A value that is not a six-part ARN (``*`` in a request
    about no particular resource) is compared as a whole; a pattern with fewer than six parts
    cannot match an ARN, because each ``*`` stays inside its own part.
    """
    if pattern == "*":
        return True
    wanted = pattern.split(":", _ARN_PARTS - 1)
    actual = arn.split(":", _ARN_PARTS - 1)
    if len(actual) != _ARN_PARTS:
        return wildcard_match(pattern, arn)
    if len(wanted) != _ARN_PARTS:
        return False
    return all(wildcard_match(w, a) for w, a in zip(wanted, actual, strict=True))


def any_arn_matches(patterns: Iterable[str], arn: str) -> bool:
    return any(arn_matches(p, arn) for p in patterns)
