"""Typed user input for a fan-out, checked once: the same rule for ``query()`` and the panel.

A form field and the core check used to be two copies that drifted (the panel accepted region
names the core then refused). Each rule now lives here and raises :class:`InvalidInput` whose
message names the bad value, so a widget can show it inline under the field and ``query()``
refuses it before the first AWS call.

Region names are checked for their shape (``eu-west-1``) and against the regions botocore knows.
A list whose every name is unknown (``["mars-1"]``) is refused: nothing could run. One unknown
name among known ones is let through and reported by the runner as an error row of that region
(code ``InvalidRegion``), so a typo in a long list does not stop the valid regions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Final, Literal

import jmespath

from ...errors import InvalidInput
from .models import all_known_regions, known_regions
from .targets import Target

__all__ = ["compile_jmespath", "parse_jmespath", "parse_params", "parse_regions", "parse_targets"]

_REGION_RE: Final = re.compile(r"[a-z]{2,}(-[a-z0-9]+)+")
_SPLIT_RE: Final = re.compile(r"[,\s]+")


def parse_targets(text: str, *, default_role: str | None) -> list[Target]:
    """Targets from typed lines, one ``account[,role[,external_id]]`` per line.

    Blank lines and lines starting with ``#`` are skipped. ``default_role`` is the role of lines
    that name none (None: such a line is an error, e.g. when the form's role field is invalid).

    Raises:
        InvalidInput: no line, or a bad line (the message starts with its number).
    """
    lines = [
        (number, line.strip())
        for number, line in enumerate(str(text or "").splitlines(), 1)
        if line.strip() and not line.strip().startswith("#")
    ]
    if not lines:
        raise InvalidInput("Type at least one account ID (one per line).")
    targets: list[Target] = []
    for number, line in lines:
        parts = [p.strip() for p in line.split(",")]
        if len(parts) > 3:
            raise InvalidInput(
                f"Line {number} ({line!r}) has {len(parts)} fields: give "
                "account[,role[,external_id]]."
            )
        role = parts[1] if len(parts) > 1 and parts[1] else default_role
        if role is None:
            raise InvalidInput(
                f"Line {number} names no role and no valid default role is set.",
                fix="Add the role after a comma (account,role) or fix the role to assume.",
            )
        try:
            targets.append(
                Target.role(
                    parts[0], role, external_id=parts[2] if len(parts) > 2 and parts[2] else None
                )
            )
        except InvalidInput as err:
            raise InvalidInput(f"Line {number}: {err.message}", fix=err.fix) from err
    return targets


def parse_regions(
    value: str | Sequence[str] | None, *, partition: str | None = None
) -> list[str] | Literal["all"] | None:
    """The one region-name rule: names (deduplicated, order kept), ``"all"``, or None.

    ``value`` is typed text (names separated by commas or spaces) or a list of names; empty text
    and None mean the caller's region (None), ``all`` alone means every region of the service.
    Names are checked against botocore's regions of ``partition`` (None: any partition).

    Raises:
        InvalidInput: a name that is not shaped like a region (``eu-west-1``), ``all`` mixed
            with names, an empty list, or a list in which no name is a region botocore knows.
    """
    if value is None:
        return None
    if isinstance(value, str):
        names = [r for r in _SPLIT_RE.split(value.strip()) if r]
        if not names:
            return None
    elif isinstance(value, Sequence):
        names = []
        for region in value:
            if not isinstance(region, str) or not region.strip():
                raise InvalidInput(
                    f"Region {region!r} is invalid: regions are names such as 'eu-west-1'.",
                    fix="Pass a list of region names, or 'all'.",
                )
            names.append(region.strip())
        if not names:
            raise InvalidInput("regions is empty.", fix="Pass None for the caller's region.")
    else:
        raise InvalidInput(
            f"regions {value!r} is invalid: give region names, 'all' or None.",
            fix="e.g. regions=['us-east-1', 'eu-west-1'].",
        )
    if names == ["all"]:
        return "all"
    bad = [r for r in names if not _REGION_RE.fullmatch(r)]
    if bad:
        raise InvalidInput(
            f"Region {bad[0]!r} is not a region name: names look like 'eu-west-1' "
            "(or use 'all' alone)."
        )
    known = known_regions(partition) if partition is not None else all_known_regions()
    if not any(r in known for r in names):
        where = f"partition {partition!r}" if partition is not None else "any partition"
        raise InvalidInput(
            f"Region {names[0]!r} is not a region of {where} known to botocore.",
            fix="Check the spelling, e.g. 'eu-west-1' or 'us-east-1'.",
        )
    return list(dict.fromkeys(names))


def parse_params(text: str) -> dict[str, Any] | None:
    """The operation's parameters from JSON text (a JSON object); None when blank.

    Raises:
        InvalidInput: not JSON, or JSON that is not an object.
    """
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInput(
            f"Params are not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})."
        ) from err
    if not isinstance(value, dict):
        raise InvalidInput(
            f'Params must be a JSON object such as {{"MaxItems": 100}}, '
            f"not a {type(value).__name__}."
        )
    return value


def parse_jmespath(text: str) -> str | None:
    """A JMESPath expression, stripped and checked; None when blank.

    Raises:
        InvalidInput: the expression does not compile (the message says where).
    """
    if not text.strip():
        return None
    compile_jmespath(text)
    return text.strip()


def compile_jmespath(text: str) -> Any:
    """``text`` compiled (the parsed expression ``query()`` searches each page with).

    Raises:
        InvalidInput: the expression does not compile (the message says where).
    """
    try:
        return jmespath.compile(text.strip())
    except jmespath.exceptions.JMESPathError as err:
        first = (
            "the expression is incomplete"
            if isinstance(err, jmespath.exceptions.IncompleteExpressionError)
            else str(getattr(err, "msg", "") or type(err).__name__)
        )
        where = getattr(err, "lex_position", None)
        at = f" (at character {where})" if isinstance(where, int) else ""
        raise InvalidInput(
            f"JMESPath {text.strip()!r} is invalid: {first}{at}.",
            fix="e.g. Buckets[].Name or Roles[?Path=='/'] (see jmespath.org).",
        ) from err
