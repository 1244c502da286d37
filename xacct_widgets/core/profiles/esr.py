"""The aws-extend-switch-roles extension's configuration text, out and back in.

The console remembers five roles; the extension (Chrome, Firefox, Edge) lists as many as its
configuration names, with their colours. Its configuration is INI-like text pasted into its
options page, read by its own parser (the ``aesr-config`` package), whose rules decide what is
written here:

- ``[name]`` (or ``[profile name]``) starts a section; the name is the label the extension shows,
  so a role's display name is its section name. ``;`` and ``#`` start a comment *anywhere* on a
  line, and a value ends at a second ``=``: none of the three can appear in a name or value.
- a role is ``aws_account_id`` + ``role_name`` (``path/name`` for a role with a path) or a
  ``role_arn``, never both; ``color`` is hex without ``#``; ``region`` and ``image`` are optional.
- a section named by other sections' ``source_profile`` is a *base account* (its
  ``aws_account_id`` is the account one signs in to, ``target_role_name`` the default role of
  its targets); the extension shows those targets only when signed in to that account. Sections
  with neither are shown always.

Format: https://github.com/tilfinltd/aws-extend-switch-roles#configuration (README) and the
parser in https://github.com/tilfinltd/aesr-config (src/ini-parser.ts, src/config-loader.ts).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from ...errors import InvalidInput, XacctError
from .. import colors, ids
from .refs import REF_COLUMNS, RoleRef, refs_frame, role_refs

__all__ = ["ESR_COLUMNS", "esr_config", "parse_esr_config"]

#: Columns of :func:`parse_esr_config`: :data:`REF_COLUMNS`, then what only the extension has
#: (``esr_color`` is the colour as written: the extension takes any hex, the console five).
ESR_COLUMNS: Final = (*REF_COLUMNS, "region", "image", "esr_color", "base_account_id")
_COMMENT: Final = re.compile(r"[;#].*$")
_UNSAFE: Final = re.compile(r"[;#=\[\]\r\n]")
_HEADER: Final = "; aws-extend-switch-roles configuration, written by xacct_widgets"


def _default_name(ref: RoleRef) -> str:
    """The console's label for a role without a display name: ``role @ account``."""
    return f"{ref.role_name} @ {ref.account_id}"


def _section_name(ref: RoleRef) -> str:
    # The extension would cut a name at ';' or '#': those become '-' (so do brackets and '=').
    name = _UNSAFE.sub("-", ref.display_name or _default_name(ref)).strip()
    # It strips a leading "profile " from section names: keep one for it to strip.
    return f"profile {name}" if name.lower().startswith("profile ") else name


def _role_lines(ref: RoleRef) -> list[str]:
    if ref.partition != "aws":  # only an ARN carries the partition
        return [f"role_arn = {ref.role_arn}"]
    return [
        f"aws_account_id = {ref.account_id}",
        f"role_name = {ref.path.lstrip('/')}{ref.role_name}",
    ]


def esr_config(entries: Any, *, base_accounts: Mapping[str, str] | None = None) -> str:
    """The extension's configuration text for ``entries`` (anything :func:`role_refs` takes).

    Roles with a ``source_profile`` whose account is in ``base_accounts`` (source profile ->
    the account ID signed in to) are grouped under a base section named after that profile, as
    the extension expects; the others are written as plain sections, in the order given (the
    extension needs a base's account ID, so an unknown source profile only gets a comment).
    Section names are display names (``role @ account`` when there is none), made unique.

    Raises:
        InvalidInput: an entry is not a role, or a base account ID is invalid.
    """
    refs = role_refs(entries)
    bases = {str(k): ids.account_id(v) for k, v in (base_accounts or {}).items()}
    groups: dict[str | None, list[RoleRef]] = {}
    for ref in refs:
        key = ref.source_profile if ref.source_profile in bases else None
        groups.setdefault(key, []).append(ref)
    used = {_UNSAFE.sub("-", base).strip().lower() for base in groups if base is not None}
    lines = [_HEADER]
    for base, members in sorted(groups.items(), key=lambda kv: (kv[0] is not None, kv[0] or "")):
        if base is not None:
            lines += ["", f"[{_UNSAFE.sub('-', base).strip()}]"]
            lines += [f"aws_account_id = {bases[base]}"]
        for ref in members:
            name = _unique(_section_name(ref), used)
            lines += ["", f"[{name}]"]
            if base is None and ref.source_profile:
                lines.append(f"; source_profile {_UNSAFE.sub('-', ref.source_profile)}")
            lines += _role_lines(ref)
            if ref.color:
                lines.append(f"color = {ref.color.lower()}")
            if base is not None:
                lines.append(f"source_profile = {_UNSAFE.sub('-', base).strip()}")
    return "\n".join(lines) + "\n"


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{name} ({n})"
    used.add(candidate.lower())
    return candidate


# -- reading ------------------------------------------------------------------------------------
@dataclass
class _Section:
    name: str
    line: int
    params: dict[str, tuple[str, int]] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        found = self.params.get(key)
        return found[0] if found else None


def _bad(line: int, text: str, reason: str, fix: str | None) -> InvalidInput:
    return InvalidInput(f"Extension config line {line} ({text.strip()!r}): {reason}.", fix=fix)


def _sections(text: str) -> list[_Section]:
    """Sections in order; comments and blank lines skipped, as the extension's parser does."""
    sections: list[_Section] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw).strip()
        if not line:
            continue
        header = re.fullmatch(r"\[(.+)\]", line)
        if header:
            name = re.sub(r"^profile\s+", "", header.group(1).strip(), flags=re.IGNORECASE)
            sections.append(_Section(name, number))
            continue
        if not sections:
            raise _bad(number, raw, "text before the first [section]", "Start with [name].")
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.partition("=")[0].strip().strip("\"'")
        if not sep or not key or not value:
            raise _bad(number, raw, "not a 'key = value' line", "Write e.g. role_name = admin.")
        if key in sections[-1].params:
            raise _bad(number, raw, f"{key!r} is given twice in [{sections[-1].name}]", "Keep one.")
        sections[-1].params[key] = (value, number)
    return sections


def _row(sec: _Section, base: _Section | None) -> dict[str, Any]:
    """One target section as a row (RoleRef fields plus the extension's own)."""
    arn, account = sec.get("role_arn"), sec.get("aws_account_id")
    role = sec.get("role_name") or (base.get("target_role_name") if base else None)
    where = f"[{sec.name}]"
    if arn and (account or sec.get("role_name")):
        raise _bad(
            sec.line, where, "it has role_arn and also aws_account_id or role_name", "Keep one."
        )
    if arn:
        try:
            ref = RoleRef.from_arn(arn)
        except XacctError as err:
            raise _bad(sec.params["role_arn"][1], arn, err.message.rstrip("."), err.fix) from err
    else:
        if not account or not role:
            raise _bad(
                sec.line,
                where,
                "it names no role",
                "Give role_arn, or aws_account_id "
                "and role_name (or a base section's target_role_name).",
            )
        head, _, name = role.strip("/").rpartition("/")
        ref = RoleRef(account, name, f"/{head}/" if head else "/")
    raw_color = sec.get("color")
    try:
        color = colors.color(raw_color) if raw_color else None
    except XacctError:
        color = None  # any hex is fine for the extension; the console takes five
    display = None if sec.name == _default_name(ref) else sec.name
    ref = ref.with_(display_name=display, color=color, profile=sec.name)
    ref = ref.with_(source_profile=base.name if base else None)
    row: dict[str, Any] = {str(k): v for k, v in refs_frame([ref]).iloc[0].items()}
    return row | {
        "region": sec.get("region"),
        "image": sec.get("image"),
        "esr_color": raw_color,
        "base_account_id": base.get("aws_account_id") if base else None,
    }


def parse_esr_config(text: str) -> pd.DataFrame:
    """Read the extension's configuration text back as roles (:data:`ESR_COLUMNS`).

    Base-account sections (named by another section's ``source_profile``) are not rows: their
    targets carry their name in ``source_profile`` and their account in ``base_account_id``. A
    section whose account is an alias, not a 12-digit ID, cannot be a role here: it is left out
    and listed, with its line, in ``frame.attrs["skipped"]``.

    Raises:
        InvalidInput: a line the extension would refuse too, with its line number.
    """
    if not isinstance(text, str):
        raise InvalidInput(f"Extension config {text!r} is not text.", fix="Pass the text.")
    sections = _sections(text)
    by_name = {s.name: s for s in sections}
    referenced = {s.get("source_profile") for s in sections} - {None}
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    for sec in sections:
        source = sec.get("source_profile")
        if sec.name in referenced and not source:
            continue  # a base account: where one signs in, not a role to switch to
        base = by_name.get(source) if source else None
        if source and base is None:
            line = sec.params["source_profile"][1]
            raise _bad(
                line,
                source,
                f"source_profile {source!r} is not defined",
                f"Add a [{source}] section with its aws_account_id.",
            )
        account = sec.get("aws_account_id")
        if account and not sec.get("role_arn") and not re.fullmatch(r"[0-9-]{12,14}", account):
            skipped.append(f"line {sec.line} [{sec.name}]: account {account!r} is an alias")
            continue
        try:
            rows.append(_row(sec, base))
        except InvalidInput as err:
            if err.message.startswith("Extension config line"):
                raise
            raise _bad(sec.line, f"[{sec.name}]", err.message.rstrip("."), err.fix) from err
        except XacctError as err:  # an invalid account ID or role name
            raise _bad(sec.line, f"[{sec.name}]", err.message.rstrip("."), err.fix) from err
    frame = pd.DataFrame(rows, columns=list(ESR_COLUMNS))
    frame["duration_seconds"] = frame["duration_seconds"].astype("Int64")
    frame.attrs["skipped"] = skipped
    return frame
