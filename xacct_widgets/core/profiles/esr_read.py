"""The aws-extend-switch-roles extension's configuration text, read back as roles.

Read by the extension's own rules (:mod:`.esr_format`): what the extension refuses is refused
here too, with the line; what it accepts is kept - every key it reads is a column - or, when a
role here cannot carry it (an account alias instead of an ID, a partition not supported), listed
with its line and why. No message quotes a value from the text (only line numbers, section names
and keys), so a secret pasted by mistake is never repeated.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from ...errors import InvalidAccountId, InvalidInput, XacctError
from .. import colors
from .esr_format import BASE_KEYS, ESR_COLUMNS, ROLE_KEYS, display_of, strip_profile
from .redact import clip, key_of, rule_of
from .refs import RoleRef, refs_frame

__all__ = ["parse_esr_config"]

_LINE_END: Final = re.compile(r"\r\n|\r|\n")
_COMMENT: Final = re.compile(r"[;#].*", re.DOTALL)
_HEADER: Final = re.compile(r"\[(.+)\]", re.DOTALL)
_ACCOUNT_LIKE: Final = re.compile(r"[0-9-]{12,14}")
_ROLE_IDS: Final = frozenset({"aws_account_id", "role_name", "role_arn"})


@dataclass
class _Section:
    name: str
    line: int
    params: dict[str, tuple[str, int]] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        found = self.params.get(key)
        return found[0] if found else None

    def line_of(self, key: str) -> int:
        found = self.params.get(key)
        return found[1] if found else self.line

    @property
    def where(self) -> str:
        return f"[{clip(self.name)}]"


def _refused(line: int, where: str, reason: str, fix: str) -> InvalidInput:
    place = " ".join(part for part in (f"line {line}", where.strip()) if part)
    return InvalidInput(f"Extension config {place}: {reason}.", fix=fix)


def _sections(text: str) -> list[_Section]:
    """Sections in order, as the extension's INI parser reads them."""
    sections: list[_Section] = []
    for number, raw in enumerate(_LINE_END.split(text), start=1):
        line = _COMMENT.sub("", raw).strip()
        if not line:
            continue
        header = _HEADER.fullmatch(line)
        if header:
            sections.append(_Section(strip_profile(header.group(1)), number))
            continue
        key = key_of(line)
        named = f"key {key!r}" if key else ""
        if not sections:
            raise _refused(
                number, named, "text before the first [section]", "Start with a [name] line."
            )
        section = sections[-1]
        name, _, rest = line.partition("=")
        value = rest.partition("=")[0].strip()  # the extension stops a value at a second '='
        if not value:
            raise _refused(
                number,
                f"{section.where} {named}",
                "not a 'key = value' line (no value)",
                "Write e.g. role_name = admin.",
            )
        if name.strip() in section.params:
            raise _refused(
                number, section.where, f"key {clip(name.strip())!r} is given twice", "Keep one."
            )
        section.params[name.strip()] = (value, number)
    return sections


def _role_of_arn(text: str) -> tuple[str, str] | None:
    """(account, role with its path) as the extension reads ``role_arn``; None if it refuses."""
    slash = text.find("/")
    parts = (text[:slash] if slash >= 0 else "").split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "iam" or parts[3] or parts[5] != "role":
        return None
    return parts[4], text[slash + 1 :]


def _identity(sec: _Section) -> tuple[str, str | None]:
    """(account, role_name) of a section as the extension reads it, or its refusal."""
    arn = sec.get("role_arn")
    if arn is None:
        account, role = sec.get("aws_account_id"), sec.get("role_name")
    elif sec.get("aws_account_id") or sec.get("role_name"):
        raise _refused(
            sec.line, sec.where, "it has role_arn and also aws_account_id or role_name", "Keep one."
        )
    else:
        found = _role_of_arn(arn)
        if found is None:
            raise _refused(
                sec.line_of("role_arn"),
                f"{sec.where} key 'role_arn'",
                "it is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
                "Copy the ARN from the role's summary page.",
            )
        account, role = found
    if not account:
        raise _refused(
            sec.line,
            sec.where,
            "it names no account",
            "Give aws_account_id (or role_arn): the extension needs one in every section.",
        )
    return account, role


def _ref(sec: _Section, account: str, role: str) -> RoleRef:
    """The role as a RoleRef; XacctError (with the key at fault in ``key``) when it cannot be."""
    arn = sec.get("role_arn")
    if arn is not None:
        return RoleRef.from_arn(arn)
    head, _, name = role.strip("/").rpartition("/")
    return RoleRef(account, name, f"/{head}/" if head else "/")


def _why_not(sec: _Section, account: str, role: str, err: XacctError) -> str:
    if sec.get("role_arn") is not None:
        key = "role_arn"
    elif isinstance(err, InvalidAccountId):
        key = "aws_account_id"
    elif "role_name" in sec.params:
        key = "role_name"
    else:
        key = "target_role_name"
    if key == "aws_account_id" and not _ACCOUNT_LIKE.fullmatch(account):
        reason = "it is an account alias, not a 12-digit account ID (a link needs the ID)"
    else:
        reason = rule_of(err, account, role, sec.get("role_arn"))
    return f"line {sec.line_of(key)} {sec.where}, key {key!r}: {reason}; not imported"


def _dropped(sec: _Section, known: Collection[str], what: str) -> list[str]:
    return [
        f"line {number} {sec.where}: key {clip(key)!r} is not read by the extension for {what}; "
        "dropped"
        for key, (_, number) in sec.params.items()
        if key not in known
    ]


def _base_columns(base: _Section | None) -> dict[str, str | None]:
    if base is None:
        return dict.fromkeys(BASE_KEYS.values())
    account, role = _identity(base)
    values = {key: base.get(key) for key in BASE_KEYS}
    values.update(aws_account_id=account, role_name=role)
    return {column: values[key] for key, column in BASE_KEYS.items()}


def _row(sec: _Section, ref: RoleRef, base: _Section | None) -> dict[str, Any]:
    raw_color = sec.get("color")
    try:
        color = colors.color(raw_color) if raw_color else None
    except XacctError:
        color = None  # any hex is fine for the extension; the console takes five
    ref = ref.with_(
        display_name=display_of(sec.name, ref),
        color=color,
        profile=sec.name,
        source_profile=base.name if base else None,
    )
    image = sec.get("image")
    row: dict[str, Any] = {str(k): v for k, v in refs_frame([ref]).iloc[0].items()}
    return row | {
        "region": sec.get("region"),
        "image": image.replace('"', "") if image else None,  # as the extension uses it
        "esr_color": raw_color,
        **_base_columns(base),
    }


def parse_esr_config(text: str) -> pd.DataFrame:
    """Read the extension's configuration text back as roles (:data:`ESR_COLUMNS`).

    One row per role the extension lists (a section with neither ``source_profile`` nor
    sections naming it) or shows once signed in to its base account (a section whose
    ``source_profile`` names that base), in the text's order: ``profile`` is the section's
    name, ``display_name`` what the extension gives the console for it (a name over 64
    characters cut to 63 and ``…``), ``source_profile`` the base's name and ``base_*`` the
    base's keys (:data:`~.esr_format.BASE_KEYS`); a target without ``role_name`` has its base's
    ``target_role_name``. A section the extension shows but that is no role here (an account
    alias, a partition not supported) is listed in ``frame.attrs["skipped"]`` with its line and
    why; a key the extension does not read, in ``frame.attrs["dropped"]``.

    Raises:
        InvalidInput: what the extension would refuse too, with the line number (never a
            value from the text).
    """
    if not isinstance(text, str):
        raise InvalidInput(
            f"Extension config is not text (got {type(text).__name__}).", fix="Pass the text."
        )
    sections = _sections(text)
    identities = [_identity(sec) for sec in sections]
    bases: dict[str, _Section] = {}
    for sec in sections:
        source = sec.get("source_profile")
        if source is not None and source not in bases:
            first = next((s for s in sections if s.name == source), None)
            if first is None:
                raise _refused(
                    sec.line_of("source_profile"),
                    f"{sec.where} key 'source_profile'",
                    "it names a section that is not defined",
                    "Add that base account's section, with its aws_account_id.",
                )
            bases[source] = first
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    dropped: list[str] = []
    for sec, (account, role) in zip(sections, identities, strict=True):
        source = sec.get("source_profile")
        is_base = bases.get(sec.name) is sec
        if is_base and not source:
            dropped += _dropped(sec, {*BASE_KEYS, "role_arn"}, "a base account")
            continue  # a base account: where one signs in, not a role to switch to
        known = _ROLE_IDS | set(ROLE_KEYS) | (set(BASE_KEYS) if is_base else set())
        dropped += _dropped(sec, known, "a role")
        base = bases[source] if source else None
        role = role or (base.get("target_role_name") if base else None)
        if not role:
            raise _refused(
                sec.line,
                sec.where,
                "it names no role",
                "Give role_arn, or aws_account_id and role_name (or a base section's "
                "target_role_name).",
            )
        try:
            ref = _ref(sec, account, role)
        except XacctError as err:
            skipped.append(_why_not(sec, account, role, err))
            continue
        rows.append(_row(sec, ref, base))
    frame = pd.DataFrame(rows, columns=list(ESR_COLUMNS))
    frame["duration_seconds"] = frame["duration_seconds"].astype("Int64")
    frame.attrs["skipped"] = skipped
    frame.attrs["dropped"] = dropped
    return frame
