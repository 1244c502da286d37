"""The aws-extend-switch-roles extension's configuration text, out and back in.

The console remembers five roles; the extension (Chrome, Firefox, Edge) lists as many as its
configuration names, with their colours. Its configuration is INI-like text pasted into its
options page, read by its own parser (the ``aesr-config`` package), whose rules
(:mod:`.esr_format`) decide what is written here and how it is read back (:mod:`.esr_read`).

A round trip loses nothing the extension reads: ``esr_config(parse_esr_config(text))`` lists
the same roles, under the same names, with the same colours, images and regions, grouped under
the same base accounts (with their alias, sign-in role, target role and target region), as the
extension shows them for every sign-in.

Format: https://github.com/tilfinltd/aws-extend-switch-roles#configuration (README) and the
parser in https://github.com/tilfinltd/aesr-config (src/ini-parser.ts, src/config-loader.ts).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from ...errors import InvalidInput, XacctError
from .. import colors, ids
from .esr_format import BASE_KEYS, ESR_COLUMNS, MAX_NAME, default_name, display_of, section_header
from .esr_read import parse_esr_config
from .redact import clip
from .refs import RoleRef, role_rows

__all__ = ["ESR_COLUMNS", "esr_config", "parse_esr_config"]

# The extension cuts a name or value at ';' or '#', and a line at a line break.
_UNSAFE_NAME: Final = re.compile(r"[;#\r\n\u2028\u2029]")
# ...and a value at a second '='.
_UNSAFE_VALUE: Final = re.compile(r"[;#=\r\n\u2028\u2029]")
_ALIAS: Final = re.compile(r"[a-z0-9]([a-z0-9-]{1,61})[a-z0-9]")
_HEADER: Final = "; aws-extend-switch-roles configuration, written by xacct_widgets"


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # not a scalar
        return False


def _name(raw: str) -> str:
    return _UNSAFE_NAME.sub("-", raw).strip()


def _value(where: str, key: str, value: Any) -> str | None:
    """``value`` as written after ``key =``, or None when blank; refused (naming the role and
    the key, not the value) when the extension would read something else."""
    if _blank(value):
        return None
    text = str(value).strip()
    if _UNSAFE_VALUE.search(text):
        raise InvalidInput(
            f"{where}: {key} cannot be written for the extension: it would cut the value at "
            "';', '#', a second '=' or a line break.",
            fix=f"Change or clear that role's {key}.",
        )
    return text


def _section_name(ref: RoleRef) -> str:
    """The profile name when the display name is the extension's reading of it (so a long
    name survives); else the display name; else the console's default label."""
    if ref.profile and (
        ref.display_name is None or display_of(ref.profile, ref) == ref.display_name
    ):
        return _name(ref.profile) or _name(default_name(ref))
    return _name(ref.display_name or default_name(ref))


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``... cut so that it stays within 64 characters."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        suffix = f" ({n})"
        stem = name if len(name) > MAX_NAME else name[: MAX_NAME - len(suffix)].rstrip()
        candidate = stem + suffix
    return candidate


def _base_account(where: str, value: Any) -> str:
    """A base account as the extension compares it: a 12-digit ID, else an account alias."""
    try:
        return ids.account_id(str(value))
    except XacctError:
        if isinstance(value, str) and _ALIAS.fullmatch(value.strip()):
            return value.strip()
    raise InvalidInput(
        f"{where}: aws_account_id is neither a 12-digit account ID nor an account alias.",
        fix="Give the base account's ID (base_accounts={'profile': '123456789012'}).",
    )


def _bases(
    rows: list[tuple[RoleRef, Mapping[str, Any]]], given: Mapping[str, str]
) -> dict[str, dict[str, str]]:
    """Base name -> its keys, from ``base_accounts`` and the rows' ``base_*`` columns (rows
    that name the same base must agree)."""
    found: dict[str, dict[str, str]] = {}
    for ref, row in rows:
        if not ref.source_profile:
            continue
        where = f"Base account [{clip(ref.source_profile)}]"
        keys = found.setdefault(ref.source_profile, {})
        for key, column in BASE_KEYS.items():
            value = _value(where, key, row.get(column))
            if value is None:
                continue
            if key == "aws_account_id":
                value = _base_account(where, value)
            if keys.get(key, value) != value:
                raise InvalidInput(
                    f"{where}: the roles give it different {key} values.",
                    fix=f"Make {column} the same in every row with that source_profile.",
                )
            keys[key] = value
    for base, account in given.items():
        found.setdefault(base, {})["aws_account_id"] = ids.account_id(account)
    return {base: keys for base, keys in found.items() if keys.get("aws_account_id")}


def _color(ref: RoleRef, row: Mapping[str, Any], where: str) -> str | None:
    """The extension's colour as written (any hex) while it agrees with the console colour."""
    given = row.get("esr_color")
    raw = _value(where, "color", row.get("extension_color") if _blank(given) else given)
    if raw is not None:
        try:
            console = colors.color(raw)
        except XacctError:
            console = None
        if ref.color is None or console == ref.color:
            return raw
    return ref.color.lower() if ref.color else None


def _role_lines(ref: RoleRef, base: Mapping[str, str] | None) -> list[str]:
    if ref.partition != "aws":  # only an ARN carries the partition (the extension ignores it)
        return [f"role_arn = {ref.role_arn}"]
    role = f"{ref.path.lstrip('/')}{ref.role_name}"
    lines = [f"aws_account_id = {ref.account_id}"]
    if base is None or base.get("target_role_name") != role:
        lines.append(f"role_name = {role}")
    return lines


def esr_config(entries: Any, *, base_accounts: Mapping[str, str] | None = None) -> str:
    """The extension's configuration text for ``entries`` (anything :func:`role_refs` takes,
    e.g. the frame :func:`parse_esr_config` read).

    Roles with a ``source_profile`` whose account is known - from ``base_accounts`` (source
    profile -> the account ID signed in to) or from the row's ``base_account_id`` - are grouped
    under a base section named after that profile, as the extension expects, with the row's
    other ``base_*`` keys; the others are plain sections (the extension needs a base's
    account, so an unknown source profile only gets a comment). A row's ``region``, ``image``
    and ``esr_color`` (any hex the extension shows) are written too.

    Section names are the roles' names as the extension reads them back (a profile name, else
    the display name, else ``role @ account``), in the order given: the first role keeps its
    name, a later one that would be confused with it gets `` (2)`` (kept within 64 characters).
    Names of roles under different base accounts may repeat: the extension never shows both.

    Raises:
        InvalidInput: an entry is not a role, a base account is invalid, or a value cannot be
            written as the extension would read it.
    """
    rows = role_rows(entries)
    bases = _bases(rows, {str(k): v for k, v in (base_accounts or {}).items()})
    base_names: dict[str, str] = {}
    for base in bases:
        name = _name(base)
        if not name or name in base_names.values():
            raise InvalidInput(
                f"Base account [{clip(base)}] cannot be named for the extension (it would be "
                "empty or the same as another base account's).",
                fix="Rename that source_profile.",
            )
        base_names[base] = name
    taken_single: set[str] = set(base_names.values())
    taken_group: dict[str | None, set[str]] = {}
    groups: dict[str | None, list[list[str]]] = {None: []}
    for ref, row in rows:
        group = ref.source_profile if ref.source_profile in bases else None
        others = (
            set().union(*taken_group.values()) if group is None else taken_group.get(group, set())
        )
        name = _unique(_section_name(ref), taken_single | others)
        (taken_single if group is None else taken_group.setdefault(group, set())).add(name)
        where = f"Role [{clip(name)}]"
        lines = ["", section_header(name)]
        if group is None and ref.source_profile:
            lines.append(f"; source_profile {_name(ref.source_profile)}")
        lines += _role_lines(ref, bases.get(group) if group else None)
        for key, value in (
            ("color", _color(ref, row, where)),
            ("region", _value(where, "region", row.get("region"))),
            ("image", _value(where, "image", row.get("image"))),
        ):
            if value is not None:
                lines.append(f"{key} = {value}")
        if group is not None:
            lines.append(f"source_profile = {base_names[group]}")
        groups.setdefault(group, []).append(lines)
    out = [_HEADER]
    for group, sections in groups.items():
        if group is not None:
            out += ["", section_header(base_names[group])]
            out += [f"{key} = {bases[group][key]}" for key in BASE_KEYS if key in bases[group]]
        for lines in sections:
            out += lines
    return "\n".join(out) + "\n"
