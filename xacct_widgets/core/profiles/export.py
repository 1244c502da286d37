"""Roles out to the AWS config file as role profiles the CLI and boto3 use as they are.

A profile ``role_arn`` + ``source_profile`` is what botocore's own AssumeRole provider reads
("Use an IAM role in the AWS CLI",
https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-role.html), with
``external_id``, ``mfa_serial``, ``duration_seconds`` and ``role_session_name``; ``endpoint_url``
("Service-specific endpoints", https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html)
points every client made from the profile - the AssumeRole call included - at the sandbox. The
extension aws-extend-switch-roles reads the same file and its ``color``, so that is written too.

The file is the user's, so the export is conservative: it computes the diff first
(:func:`export_profiles` returns it; ``dry_run=True`` stops there), edits the file with a
round-trip parser so comments, order and every other profile stay byte-identical, marks the
sections it writes and refuses to change one it did not write, writes nothing when nothing
changes, and otherwise keeps a backup and replaces the file atomically. No secret is written:
a role profile holds none (the keys stay in the source profile).

Profile names: ``RoleRef.profile`` when set, else a slug of the display name ("Prod (EU)" ->
``prod-eu``), else ``<role>-<account>``; a name already used by an earlier entry of the same
export gets ``-<account>`` added (then ``-2``, ``-3``...). ``default`` is never written.

``source_profile`` must name a profile of the config file or the credentials file (the CLI
fails at use otherwise), except ``default``, which is only warned about (it may come later).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import pandas as pd
from configupdater.section import Section

from ...errors import InvalidInput, ProfileConflict
from ..consent import consent
from .aws_config import credentials_profiles, load_profiles
from .config_file import (
    config_path,
    credentials_path,
    is_written_here,
    parse_text,
    profile_name,
    profile_sections,
    read_text,
    render,
    set_keys,
    write_atomic,
)
from .redact import clip
from .refs import RoleRef, role_refs

__all__ = ["EXPORT_COLUMNS", "MANAGED_KEYS", "export_profiles", "profile_names"]

log = logging.getLogger(__name__)

#: The keys an export writes, in this order; in a profile it wrote, one no longer wanted goes.
MANAGED_KEYS: Final = (
    "role_arn",
    "source_profile",
    "external_id",
    "mfa_serial",
    "duration_seconds",
    "role_session_name",
    "color",
    "region",
    "endpoint_url",
)
# Removed from a profile the export takes over: botocore refuses credential_source next to
# source_profile, and the extension's aws_account_id/role_name would repeat role_arn.
_REPLACED_KEYS: Final = ("credential_source", "aws_account_id", "role_name")
#: Columns of the diff :func:`export_profiles` returns.
EXPORT_COLUMNS: Final = ("profile", "action", "changes", *MANAGED_KEYS, "hand_written")
_UNSET: Final = "(unset)"
_SLUG_BAD: Final = re.compile(r"[^a-z0-9._-]+")


def _slug(text: str) -> str:
    return _SLUG_BAD.sub("-", text.lower()).strip("-._")[:64]


def profile_names(refs: Iterable[RoleRef]) -> list[str]:
    """The profile name each ref is written as (see the module's docstring), in order."""
    used = {"default"}
    names: list[str] = []
    for ref in refs:
        if ref.profile is not None:
            name = profile_name(ref.profile)
            if name in used:
                raise InvalidInput(
                    f"Profile name {clip(name)!r} is given to more than one role"
                    + (" (and `default` is never written)." if name == "default" else "."),
                    fix="Give each role its own profile name (RoleRef.profile).",
                )
        else:
            base = _slug(ref.display_name or "") or f"{ref.role_name}-{ref.account_id}"
            name = base if base not in used else f"{base}-{ref.account_id}"
            counter = 2
            while name in used:
                name, counter = f"{base}-{ref.account_id}-{counter}", counter + 1
            name = profile_name(name)
        used.add(name)
        names.append(name)
    return names


def _endpoint(value: str, where: str = "endpoint_url") -> str:
    """``value`` if it is one http(s) URL on one line (it is written as a config value)."""
    text = value.strip() if isinstance(value, str) else ""
    try:
        parts = urlsplit(text)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:  # e.g. "http://[::1" or a host part that is not an address
        ok = False
    if not ok or any(c.isspace() or not c.isprintable() for c in text):
        raise InvalidInput(
            f"{where} is invalid: it must be one http(s) URL, without spaces or line breaks.",
            fix="e.g. the sandbox's Sandbox.endpoint_url, or None for AWS's own endpoints.",
        )
    return text


def _wanted(ref: RoleRef, source: str, endpoint: str | None, region: str | None) -> dict[str, str]:
    values = {
        "role_arn": ref.role_arn,
        "source_profile": source,
        "external_id": ref.external_id,
        "mfa_serial": ref.mfa_serial,
        "duration_seconds": None if ref.duration_seconds is None else str(ref.duration_seconds),
        "role_session_name": ref.role_session_name,
        "color": ref.color.lower() if ref.color else None,  # as the extension's README writes
        "region": region,
        "endpoint_url": endpoint,
    }
    return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class _Row:
    profile: str
    ref: RoleRef
    wanted: dict[str, str]
    section: Section | None
    hand_written: bool
    changes: tuple[str, ...]

    @property
    def action(self) -> str:
        if self.section is None:
            return "add"
        return "update" if self.changes else "unchanged"


def _current(section: Section) -> dict[str, str]:
    return {
        key: (section[key].value or "").strip()
        for key in (*MANAGED_KEYS, *_REPLACED_KEYS)
        if key in section
    }


def _diff(current: Mapping[str, str], wanted: Mapping[str, str]) -> tuple[str, ...]:
    changes = []
    for key in (*MANAGED_KEYS, *_REPLACED_KEYS):
        old, new = current.get(key), wanted.get(key)
        if old != new and not (key == "color" and old and new and old.lower() == new.lower()):
            changes.append(f"{key}: {old or _UNSET} → {new or _UNSET}")
    return tuple(changes)


def _frame(rows: list[_Row]) -> pd.DataFrame:
    records: list[dict[str, Any]] = []
    for row in rows:
        records.append(
            {
                "profile": row.profile,
                "action": row.action,
                "changes": "; ".join(row.changes),
                **{k: row.wanted.get(k) for k in EXPORT_COLUMNS[3:-1]},
                "hand_written": row.hand_written,
            }
        )
    frame = pd.DataFrame(records, columns=list(EXPORT_COLUMNS))
    frame["duration_seconds"] = frame["duration_seconds"].astype("Int64")
    frame["hand_written"] = frame["hand_written"].astype(bool)
    return frame


def export_profiles(
    entries: Any,
    path: str | os.PathLike[str] | None = None,
    *,
    source_profile: str,
    dry_run: bool = False,
    overwrite: bool = False,
    endpoint_url: str | None = None,
    backup: bool = True,
) -> pd.DataFrame:
    """Write roles as ``[profile NAME]`` sections of an AWS config file; the diff, first.

    Args:
        entries: anything :func:`role_refs` accepts (history entries, bookmarks, the active
            role, switch-role URLs, role ARNs, a DataFrame such as ``aws_config_profiles()``).
        path: the config file; default ``$AWS_CONFIG_FILE``, else ``~/.aws/config``.
        source_profile: the profile with the base credentials, written into every profile
            (an entry's own ``source_profile`` is replaced: one export, one base).
        dry_run: only compute the diff.
        overwrite: also change profiles this package did not write (they are marked as its
            own afterwards).
        endpoint_url: written into every profile; default: the source profile's, if it has
            one in the file (its ``region`` is carried along the same way).
        backup: keep the previous file as ``<file>.xacct-backup-<UTC time>``.

    Returns:
        One row per profile (:data:`EXPORT_COLUMNS`): ``action`` is add / update / unchanged,
        ``changes`` reads ``key: old → new``. ``attrs``: ``path``, ``written`` (bool),
        ``backup`` (the backup's path or None).

    Raises:
        ProfileConflict: a profile to change was not written by this package (before any
            write; a dry run too, since its diff could not be applied).
        InvalidInput: a bad entry, profile name, source profile or endpoint URL.
    """
    take_over = consent(overwrite, "overwrite")  # exact: 'false' is refused, not True
    refs = role_refs(entries)
    source = profile_name(source_profile, "source_profile")
    file = config_path(path)
    text = read_text(file)
    updater = parse_text(text or "", file)
    profiles = load_profiles(file)
    names = profile_names(refs)
    if source in names:
        raise InvalidInput(
            f"source_profile {clip(source)!r} is also a profile being exported.",
            fix="Name the profile holding the base credentials, e.g. source_profile='operator'.",
        )
    if source not in profiles and source not in credentials_profiles(credentials_path()):
        if source != "default":
            raise InvalidInput(
                f"source_profile {clip(source)!r} is in neither {file} nor "
                f"{credentials_path()}: the exported profiles would not work.",
                fix=f"Create it first (`aws configure --profile {source}`, or SSO settings), or "
                "pass the name of an existing profile.",
            )
        log.warning("source_profile 'default' is not configured yet in %s", file)
    base = profiles.get(source, {})
    if endpoint_url is not None:
        endpoint: str | None = _endpoint(endpoint_url)
    elif base.get("endpoint_url"):
        endpoint = _endpoint(
            base["endpoint_url"], f"{file}: profile {clip(source)!r}, key 'endpoint_url'"
        )
    else:
        endpoint = None
    region = base.get("region") or None
    sections = profile_sections(updater)
    rows: list[_Row] = []
    for ref, name in zip(refs, names, strict=True):
        wanted = _wanted(ref, source, endpoint or None, region)
        section = sections.get(name)
        current = _current(section) if section is not None else {}
        changes = _diff(current, wanted)
        hand_written = section is not None and not is_written_here(section)
        rows.append(_Row(name, ref, wanted, section, hand_written, changes))
    conflicts = [r.profile for r in rows if r.hand_written and r.changes]
    if conflicts and not take_over:
        raise ProfileConflict(
            profiles=tuple(conflicts),
            message=f"{file} already has profile(s) {', '.join(conflicts)} not written by "
            "xacct_widgets; nothing was written.",
            fix="Pass overwrite=True to take them over (the diff shows what changes), or give "
            "the roles other names (RoleRef.profile).",
        )
    frame = _frame(rows)
    frame.attrs.update(path=str(file), written=False, backup=None)
    if dry_run or all(r.action == "unchanged" for r in rows):
        return frame
    keys = (*MANAGED_KEYS, *_REPLACED_KEYS)
    for row in rows:
        if row.section is not None and row.changes:
            set_keys(row.section, row.wanted, keys)
    new_text = render(
        text or "",
        updater,
        edited=any(r.section is not None and r.changes for r in rows),
        added=[(r.profile, r.wanted) for r in rows if r.section is None],
    )
    saved = write_atomic(file, new_text, backup=backup)
    frame.attrs.update(written=True, backup=str(saved) if saved else None)
    log.info(
        "exported %d profile(s) to %s (%s); backup: %s",
        len(rows),
        file,
        ", ".join(f"{r.profile}: {r.action}" for r in rows),
        saved,
    )
    return frame
