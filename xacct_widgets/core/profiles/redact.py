"""Errors about the operator's files that never quote what the files hold.

An AWS config or credentials file holds secrets (``aws_secret_access_key``, ``sso_*`` tokens,
an ``external_id``), and an error shown in a notebook is saved with it; so an error about such a
file names the file, the line number and the key, and says what rule the value breaks - never
the value, nor the line it is on. Names that are shown (a profile, a section, a key) are cut to
a few dozen characters, so a 5 MB line gives a short message.

Every reader of an outside file (``aws_config``, ``config_file``, ``export``, ``esr``,
``bookmarks``) builds its messages with these helpers.
"""

from __future__ import annotations

import configparser
import re
from typing import Final

from ...errors import XacctError

__all__ = [
    "MAX_SHOWN",
    "clip",
    "ini_problem",
    "key_of",
    "rule_of",
]

#: The most characters of a name (profile, section, key, title) a message shows.
MAX_SHOWN: Final = 64
_KEY_RE: Final = re.compile(r"\s*([A-Za-z0-9_.\-]{1,64})\s*[=:]")
_RULE_SPLIT: Final = " is invalid: "
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clip(text: object, limit: int = MAX_SHOWN) -> str:
    """``text`` as it may be shown: control characters as ``?``, cut to ``limit`` (with ``…``)."""
    shown = _CONTROL.sub("?", str(text))
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def key_of(line: str | None) -> str | None:
    """The key of a ``key = value`` (or ``key: value``) line, when it looks like a key name;
    never any of the value."""
    found = _KEY_RE.match(line or "")
    return found.group(1).lower() if found else None


def rule_of(err: XacctError, *values: object) -> str:
    """What rule a validator's error says the value breaks, without the value.

    The validators (``core.ids``, ``core.urls``) say ``<what> '<value>' is invalid: it must be
    <rule>``; the part after the last ``is invalid:`` is the rule. Any of ``values`` left in it
    is masked all the same, and the result is cut.
    """
    message = err.message.rstrip(".")
    rule = message.rsplit(_RULE_SPLIT, 1)[-1] if _RULE_SPLIT in message else message
    for value in values:
        text = str(value).strip() if value is not None else ""
        if len(text) >= 3:
            rule = rule.replace(repr(text), "(the value)").replace(text, "(the value)")
    return clip(rule, 240)


def ini_problem(err: object, lines: list[str] | None = None) -> tuple[int | None, str]:
    """(line number, what is wrong) for an INI parse error of configparser, botocore or
    configupdater, naming at most the key or section of the line - never its value."""

    def key_at(number: int | None) -> str:
        if number is None or lines is None or not 0 < number <= len(lines):
            return ""
        key = key_of(lines[number - 1])
        return f" (key {key!r})" if key else ""

    if isinstance(err, configparser.MissingSectionHeaderError):
        return err.lineno, f"a line before any [section]{key_at(err.lineno)}"
    if isinstance(err, configparser.DuplicateOptionError):
        return err.lineno, (
            f"key {clip(err.option)!r} is given twice in section [{clip(err.section)}]"
        )
    if isinstance(err, configparser.DuplicateSectionError):
        return err.lineno, f"section [{clip(err.section)}] is given twice"
    if isinstance(err, configparser.ParsingError):
        numbers = [int(n) for n, _ in getattr(err, "errors", [])]
        first = numbers[0] if numbers else None
        more = f" (and {len(numbers) - 1} more such lines)" if len(numbers) > 1 else ""
        return first, f"a line that is neither [section], key = value nor a comment{more}"
    if isinstance(err, UnicodeDecodeError):
        return None, "it is not UTF-8 text"
    return None, f"{type(err).__name__} (the line is not shown: it may hold a secret)"
