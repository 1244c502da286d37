"""The AWS config file as a file: where it is, how a section names a profile, and safe writes.

Reading what a profile *means* is botocore's job (``aws_config``); this module only deals with
the file: its path (the CLI's rules: an explicit path, ``$AWS_CONFIG_FILE``, ``~/.aws/config``),
the round-trip parse that keeps comments and order (configupdater, because configparser drops
them), the marker that says a section was written by xacct_widgets, and a write that can never
leave a half-written config behind (temporary file + ``os.replace``) after keeping a backup.

The AWS CLI's file format: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import stat
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from configupdater import ConfigUpdater
from configupdater.block import Comment
from configupdater.option import Option
from configupdater.section import Section

from ...errors import InvalidInput, XacctError
from .redact import clip, ini_problem, key_of

__all__ = [
    "MARKER",
    "MAX_BACKUPS",
    "config_path",
    "credentials_path",
    "is_written_here",
    "option_lines",
    "parse_text",
    "profile_name",
    "profile_of_section",
    "profile_sections",
    "read_text",
    "render",
    "section_of_profile",
    "set_keys",
    "unparsable",
    "write_atomic",
]

#: The comment line, directly under a section's header, marking a profile this package wrote.
MARKER: Final = "# written by xacct_widgets (export_profiles); it may update this profile"
_MARKER_PREFIX: Final = "# written by xacct_widgets"
# A profile name this package writes or accepts as source_profile: what works unquoted in a
# section header and on the CLI's --profile (no spaces, brackets, quotes or '#'/';'), and does
# not start with '-' (`aws --profile -x` reads -x as an option, not as the profile's name).
_PROFILE_RE: Final = re.compile(r"(?!-)[\w.@+=,:/-]{1,128}", re.ASCII)
#: A new config file (it may later hold keys or SSO settings) is readable by its owner only.
NEW_FILE_MODE: Final = 0o600
#: How many backups of a config file :func:`write_atomic` keeps (the newest; older ones go).
MAX_BACKUPS: Final = 5
_BACKUP_INFIX: Final = ".xacct-backup-"
_SECTION_RE: Final = re.compile(r"\[(?P<header>.+)\]")


def config_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The config file the AWS CLI would read: ``path``, else ``$AWS_CONFIG_FILE``, else
    ``~/.aws/config`` (``~`` and ``$VARS`` expanded, as botocore does)."""
    raw = os.fspath(path) if path is not None else os.environ.get("AWS_CONFIG_FILE")
    return Path(os.path.expanduser(os.path.expandvars(raw or "~/.aws/config")))


def credentials_path() -> Path:
    """The shared credentials file: ``$AWS_SHARED_CREDENTIALS_FILE``, else
    ``~/.aws/credentials``."""
    raw = os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials"
    return Path(os.path.expanduser(os.path.expandvars(raw)))


def profile_name(value: str, what: str = "Profile name") -> str:
    """Return ``value`` if it can name a profile in ``[profile NAME]`` and ``--profile NAME``."""
    if isinstance(value, str) and _PROFILE_RE.fullmatch(value.strip()):
        return value.strip()
    raise InvalidInput(
        f"{what} {clip(repr(value))} is invalid: it must be 1-128 characters, letters, digits "
        "and . @ + = , : / _ - only (no spaces or brackets), not starting with '-' (the AWS CLI "
        "would read `--profile -name` as an option).",
        fix="Use a short name such as 'prod-readonly' or 'operator'.",
    )


def profile_of_section(section: str) -> str | None:
    """The profile a section header names, as botocore reads it (``default``, ``profile x``),
    or None for other sections (``sso-session``, ``services``, ...)."""
    if section == "default":
        return "default"
    if not section.startswith("profile"):
        return None
    try:
        parts = shlex.split(section)
    except ValueError:
        return None
    return parts[1] if len(parts) == 2 and parts[0] == "profile" else None


def section_of_profile(profile: str) -> str:
    """The section header this package writes for ``profile``."""
    return "default" if profile == "default" else f"profile {profile}"


def is_written_here(section: Section) -> bool:
    """True when the section's first line (under its header) is this package's marker."""
    first = section.first_block
    return isinstance(first, Comment) and str(first).lstrip().startswith(_MARKER_PREFIX)


def read_text(path: Path) -> str | None:
    """The file's text with its line endings as they are, or None when there is no file."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise XacctError(
            f"Cannot read the AWS config file {path}: {err}.",
            fix="Check the file's permissions and that it is UTF-8 text; or pass path= to use "
            "another file.",
        ) from err


def unparsable(path: Path, err: object, text: str | None, what: str) -> InvalidInput:
    """The error for a file that does not parse: its path, the line number and at most the
    key or section of that line (:func:`.redact.ini_problem`), never the line itself."""
    number, problem = ini_problem(err, text.splitlines() if text is not None else None)
    where = f", line {number}" if number is not None else ""
    return InvalidInput(
        f"The {what} {path} cannot be parsed{where}: {problem}.",
        fix="Fix that line (e.g. a duplicate section or key, or a line outside any section); "
        "`aws configure list` reports the same error.",
    )


def parse_text(text: str, path: Path) -> ConfigUpdater:
    """The round-trip parse of ``text`` (the file at ``path``, named in errors)."""
    updater = ConfigUpdater()
    try:
        updater.read_string(text, source=str(path))
    except Exception as err:  # configupdater raises configparser's errors and its own
        raise unparsable(path, err, text, "AWS config file") from None
    return updater


def option_lines(text: str | None) -> dict[tuple[str, str], int]:
    """(profile, key) -> the line number where the key is set, read as configparser reads a
    file (comment lines skipped, indented lines continue a value, keys lower-cased); for
    messages that name a line without quoting it."""
    found: dict[tuple[str, str], int] = {}
    profile: str | None = None
    in_value = False
    for number, line in enumerate((text or "").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if in_value and line[:1].isspace():
            continue  # the continuation of a value (e.g. a nested s3 = block)
        header = _SECTION_RE.match(stripped)
        if header:
            profile, in_value = profile_of_section(header.group("header")), False
            continue
        key = key_of(stripped)
        in_value = key is not None
        if profile is not None and key is not None:
            found.setdefault((profile, key), number)
    return found


def profile_sections(updater: ConfigUpdater) -> dict[str, Section]:
    """Profile name -> its section (the first one, as botocore keeps ``[default]`` first)."""
    found: dict[str, Section] = {}
    for section in updater.iter_sections():
        name = profile_of_section(section.name)
        if name is not None:
            found.setdefault(name, section)
    return found


def set_keys(section: Section, wanted: Mapping[str, str], keys: Sequence[str]) -> None:
    """Edit one existing section in place and mark it as written here: each of ``keys`` is set
    to its ``wanted`` value, added after the last option, or removed when not wanted; other
    keys and comments in it stay as they are."""
    if not is_written_here(section):
        if section.first_block is None:
            section.add_comment(MARKER)
        else:
            section.first_block.add_before.comment(MARKER)
    for key in keys:
        value = wanted.get(key)
        if key in section:
            if value is None:
                del section[key]
            elif (section[key].value or "").strip() != value:
                section[key].value = value
        elif value is not None:
            options = [b for b in section.iter_blocks() if isinstance(b, Option)]
            anchor = options[-1] if options else section.first_block
            assert anchor is not None  # the marker, at least
            anchor.add_after.option(key, value)


def render(
    text: str,
    updater: ConfigUpdater,
    *,
    edited: bool,
    added: Sequence[tuple[str, Mapping[str, str]]],
) -> str:
    """The new file: ``updater``'s text when sections were ``edited`` (else ``text`` as it was),
    then one marked section per ``added`` profile, after a blank line, in the file's line
    endings. Checked to parse, so a bug can never write a file botocore refuses."""
    out = str(updater) if edited else text
    if edited and "\r\n" in text:  # lines configupdater adds end in "\n": keep the file's CRLF
        out = re.sub(r"(?<!\r)\n", "\r\n", out)
    blocks = [
        "\n".join(
            [f"[{section_of_profile(name)}]", MARKER, *(f"{k} = {v}" for k, v in keys.items())]
        )
        + "\n"
        for name, keys in added
    ]
    if blocks:
        newline = "\r\n" if "\r\n" in out else "\n"
        if out and not out.endswith("\n"):
            out += newline
        if out.strip() and not out.endswith(("\n\n", "\r\n\r\n")):
            out += newline
        out += "\n".join(blocks).replace("\n", newline)
    try:
        configparser.RawConfigParser().read_string(out)
    except configparser.Error as err:  # pragma: no cover - a bug if reached
        _, problem = ini_problem(err)
        raise XacctError(
            f"The edited config would not parse ({problem}); nothing was written.",
            fix="Please report this with the file's structure (no secrets).",
        ) from err
    return out


def _backup(real: Path) -> Path:
    """Copy the file next to itself, then delete all but the newest :data:`MAX_BACKUPS`."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = real.with_name(f"{real.name}{_BACKUP_INFIX}{stamp}")
    shutil.copy2(real, target)  # keeps the mode: a config may hold keys
    stamped = re.compile(re.escape(real.name + _BACKUP_INFIX) + r"[0-9]{8}T[0-9]{12}Z")
    ours = sorted(p for p in real.parent.iterdir() if stamped.fullmatch(p.name))
    for old in ours[:-MAX_BACKUPS]:  # the stamp sorts as time does
        with suppress(FileNotFoundError):
            old.unlink()
    return target


def write_atomic(path: Path, text: str, *, backup: bool = True) -> Path | None:
    """Replace the file at ``path`` (through symlinks) with ``text`` in one step.

    The previous file is first copied next to it as ``<name>.xacct-backup-<UTC time>`` when
    ``backup`` (its path is returned); only the newest :data:`MAX_BACKUPS` such copies are
    kept. A new file gets mode 0600, an existing one keeps its mode.
    """
    real = Path(os.path.realpath(path))
    try:
        real.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        exists = real.exists()
        mode = stat.S_IMODE(real.stat().st_mode) if exists else NEW_FILE_MODE
        saved = _backup(real) if exists and backup else None
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, real)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
    except OSError as err:
        raise XacctError(
            f"Cannot write the AWS config file {real}: {err}.",
            fix="Check the permissions of the file and its folder, or pass path= to write "
            "another file.",
        ) from err
    return saved
