"""What the aws-extend-switch-roles extension's configuration can say, shared by its reader
(``esr_read``) and its writer (``esr``).

The rules are the extension's own parser's (the ``aesr-config`` package, 0.6.0:
src/ini-parser.ts, src/config-loader.ts, src/profile-set.ts) and how the extension uses what it
parsed (aws-extend-switch-roles: src/js/lib/target_profiles.js, create_role_list_item.js):

- lines end at ``\\r\\n``, ``\\r`` or ``\\n``; ``;`` or ``#`` starts a comment *anywhere* on a
  line; what is left is trimmed, and blank lines are skipped;
- ``[name]`` starts a section (``name`` trimmed; a leading ``profile `` is dropped once); text
  before the first section is an error;
- ``key = value``: the value ends at a second ``=`` and is trimmed; no value is an error, and so
  is a key given twice in a section; values are taken as written (quotes kept; only ``image``
  has its ``"`` removed where it is used);
- a role is ``role_arn`` (read as ``arn:*:iam::ACCOUNT:role/ROLE`` - the partition is not read)
  or ``aws_account_id`` + ``role_name``, never both; every section needs an account;
- a section named by other sections' ``source_profile`` is a *base account*: its targets are
  shown only when signed in to its ``aws_account_id`` (or ``aws_account_alias``), and, when it
  has a ``role_name``, only when signed in as that role; ``target_role_name`` and
  ``target_region`` are its targets' defaults. The first base that matches the sign-in wins.
  Sections with neither are shown always; a role without ``role_name`` is an error (unless its
  base has ``target_role_name``);
- a role shows ``color`` (hex without ``#``, any), ``image`` and switches to ``region``; its
  section name is its label, cut to 64 characters (63 and ``…``) for the console's display name.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from .refs import REF_COLUMNS, RoleRef

__all__ = [
    "BASE_KEYS",
    "ESR_COLUMNS",
    "MAX_NAME",
    "ROLE_KEYS",
    "default_name",
    "display_of",
    "section_header",
    "strip_profile",
]

#: A base account's keys the extension reads, and the column each is kept in.
BASE_KEYS: Final = {
    "aws_account_id": "base_account_id",
    "aws_account_alias": "base_account_alias",
    "role_name": "base_role_name",
    "target_role_name": "base_target_role_name",
    "target_region": "base_target_region",
}
#: A role's keys the extension reads (besides aws_account_id, role_name, role_arn).
ROLE_KEYS: Final = ("color", "region", "image", "source_profile")
#: Columns of :func:`parse_esr_config`: :data:`REF_COLUMNS`, then what only the extension has
#: (``esr_color`` is the colour as written: the extension takes any hex, the console five;
#: ``base_*`` are the base account's keys, as in :data:`BASE_KEYS`).
ESR_COLUMNS: Final = (*REF_COLUMNS, "region", "image", "esr_color", *BASE_KEYS.values())
#: The console's display names are at most this long; the extension cuts a longer name.
MAX_NAME: Final = 64
_PROFILE_PREFIX: Final = re.compile(r"^profile\s+", re.IGNORECASE)


def default_name(ref: RoleRef) -> str:
    """The console's label for a role without a display name: ``role @ account``."""
    return f"{ref.role_name} @ {ref.account_id}"


def display_of(name: str, ref: RoleRef) -> str | None:
    """The display name the extension gives the console for section ``name`` (None: the
    console's default label). A name over 64 characters is cut to 63 and ``…``."""
    text = name.strip()
    if not text or text == default_name(ref):
        return None
    if any(unicodedata.category(c) == "Cc" for c in text):
        return None
    return text if len(text) <= MAX_NAME else text[: MAX_NAME - 1] + "…"


def section_header(name: str) -> str:
    """``[name]`` such that the extension reads the section's name as ``name`` (it drops one
    leading ``profile ``, so a name that starts so keeps one more for it to drop)."""
    return f"[profile {name}]" if _PROFILE_PREFIX.match(name) else f"[{name}]"


def strip_profile(name: str) -> str:
    """The section's name as the extension reads its header's content."""
    return _PROFILE_PREFIX.sub("", name.strip(), count=1)
