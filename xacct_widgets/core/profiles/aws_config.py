"""Role profiles in the AWS config file, read as the AWS CLI reads them.

Parsing goes through botocore's own config loader (``botocore.configloader``), so ``[default]``
versus ``[profile x]``, quoted names and ``[sso-session x]`` sections mean here exactly what
they mean to boto3 and the CLI. A role profile is one with ``role_arn`` ("Use an IAM role in the
AWS CLI": https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-role.html), or one
with the aws-extend-switch-roles extension's ``aws_account_id`` + ``role_name``
(https://github.com/tilfinltd/aws-extend-switch-roles#configuration), whose ``color`` the
extension also reads from the same file.

Base profiles (keys, IAM Identity Center, ``credential_process``) are left to boto3:
:func:`profile_session` only opens one and turns a missing SSO login into an error that says
``aws sso login --profile NAME``.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import boto3
import botocore.configloader
import botocore.session
import pandas as pd
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConfigNotFound,
    ConfigParseError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
)

from ...errors import ExpiredSession, InvalidColor, InvalidInput, XacctError
from .. import colors, ids, partitions
from ..aws import error_code, wrap_client_error
from ..frames import scrub_text
from .config_file import (
    config_path,
    credentials_path,
    is_written_here,
    option_lines,
    parse_text,
    profile_sections,
    read_text,
    unparsable,
)
from .redact import rule_of
from .refs import REF_COLUMNS, RoleRef, refs_frame

__all__ = [
    "BASE_COLUMNS",
    "CONFIG_COLUMNS",
    "aws_base_profiles",
    "aws_config_profiles",
    "credentials_profiles",
    "load_profiles",
    "profile_session",
]

#: Columns of :func:`aws_config_profiles`: :data:`REF_COLUMNS`, then what else the profile sets.
CONFIG_COLUMNS: Final = (
    *REF_COLUMNS,
    "region",
    "endpoint_url",
    "credential_source",
    "extension_color",
    "written_by_xacct",
)
#: Columns of :func:`aws_base_profiles`.
BASE_COLUMNS: Final = (
    "profile",
    "kind",
    "file",
    "region",
    "endpoint_url",
    "sso_session",
    "sso_account_id",
    "sso_role_name",
)

_SSO_FIX: Final = (
    "Sign in again: run `aws sso login --profile {profile}` in a terminal, then create the "
    "session again."
)


def _text_values(values: Mapping[str, Any]) -> dict[str, str]:
    """A profile's plain ``key = value`` settings (nested ``s3 =`` blocks left out)."""
    return {k: v.strip() for k, v in values.items() if isinstance(v, str)}


def _text_or_none(path: Path) -> str | None:
    """The file's text for line numbers in messages (None when it cannot be read as UTF-8)."""
    try:
        return read_text(path)
    except XacctError:
        return None


def load_profiles(path: Path, *, what: str = "AWS config file") -> dict[str, dict[str, str]]:
    """Every profile in the config file at ``path`` as botocore reads it; {} when missing.

    A file that does not parse is an InvalidInput naming the file, the line and at most its
    key (never the line: it may hold a secret key).
    """
    try:
        parsed = botocore.configloader.load_config(str(path))
    except ConfigNotFound:
        return {}
    except ConfigParseError as err:
        cause = err.kwargs.get("error", err)
        raise unparsable(path, cause, _text_or_none(path), what) from None
    except OSError as err:
        raise XacctError(
            f"Cannot read the {what} {path}: {err.strerror or type(err).__name__}.",
            fix="Check its permissions.",
        ) from None
    return {str(k): _text_values(v) for k, v in parsed.get("profiles", {}).items()}


def credentials_profiles(path: Path) -> list[str]:
    """The profile names of a shared credentials file (its sections; no value is kept)."""
    try:
        return list(botocore.configloader.raw_config_parse(str(path)))
    except ConfigNotFound:
        return []
    except ConfigParseError as err:
        cause = err.kwargs.get("error", err)
        failure = unparsable(path, cause, _text_or_none(path), "AWS credentials file")
        raise InvalidInput(
            failure.message,
            fix="Fix that line (`aws configure list` reports the same error) or point "
            "AWS_SHARED_CREDENTIALS_FILE at another file.",
        ) from None


class _Unusable(Exception):
    """A profile this package cannot use: the key at fault and why (never its value)."""

    def __init__(self, key: str | None, reason: str) -> None:
        super().__init__(reason)
        self.key, self.reason = key, reason


def _display_name(profile: str) -> str | None:
    """The profile name, as the extension labels the console with it, when it can be one."""
    ok = len(profile) <= 64 and not any(unicodedata.category(c) == "Cc" for c in profile)
    return profile if ok else None


def _duration(text: str) -> int:
    try:
        seconds = int(text)
    except ValueError:
        seconds = -1  # not a whole number: the same rule, with its range, says so
    return ids.duration_seconds(seconds)


def _role_arn(text: str) -> ids.Arn:
    arn = ids.parse_role_arn(text)
    partitions.partition(arn.partition)  # 'aws-iso' and the like: not supported here
    return arn


def _role_ref(profile: str, values: Mapping[str, str]) -> tuple[RoleRef, str | None]:
    """The profile as a RoleRef (each key checked on its own, so a refusal names it), and the
    extension's colour when it is not one of the console's five. _Unusable when it cannot be."""

    def check(key: str, rule: Any) -> Any:
        if not values.get(key):
            return None
        try:
            return rule(values[key])
        except XacctError as err:
            raise _Unusable(key, rule_of(err, values[key])) from None

    arn = check("role_arn", _role_arn)
    account = check("aws_account_id", ids.account_id)
    role = check("role_name", ids.role_name)
    if arn is not None:
        for key, given, found in (
            ("aws_account_id", account, arn.account_id),
            ("role_name", role, arn.name),
        ):
            if given is not None and given != found:
                raise _Unusable(key, "it contradicts role_arn (remove it or make them agree)")
    extension_color = values.get("color") or None
    color: str | None = None
    if extension_color is not None:
        try:
            color = colors.color(extension_color)
        except InvalidColor:
            color = None  # any RGB hex is fine for the extension; the console has five
    try:
        ref = RoleRef(
            account_id=arn.account_id if arn is not None else account,
            role_name=arn.name if arn is not None else role,
            path=arn.path if arn is not None else "/",
            partition=arn.partition if arn is not None else "aws",
            display_name=_display_name(profile),
            color=color,
            external_id=check("external_id", ids.external_id),
            mfa_serial=check("mfa_serial", ids.mfa_serial),
            duration_seconds=check("duration_seconds", _duration),
            role_session_name=check("role_session_name", ids.session_name),
            source_profile=values.get("source_profile") or None,
            profile=profile,
        )
    except XacctError as err:  # pragma: no cover - every field was checked above
        raise _Unusable(None, rule_of(err, *values.values())) from None
    return ref, extension_color


def _unusable_reason(
    path: Path, lines: Mapping[tuple[str, str], int], profile: str, err: _Unusable
) -> str:
    """Why a profile cannot be used: the file, the line and the key, never the value."""
    line = lines.get((profile, err.key)) if err.key else None
    where = str(path) + (f", line {line}" if line else "")
    key = f", key {err.key!r}" if err.key else ""
    return f"{where}{key}: {err.reason}"


def _written_here(text: str | None, path: Path) -> set[str]:
    """The profiles marked as written by :func:`export_profiles` (comments are not botocore's
    business, so the round-trip parser reads them)."""
    if text is None:
        return set()
    try:
        sections = profile_sections(parse_text(text, path))
    except InvalidInput:
        return set()
    return {name for name, section in sections.items() if is_written_here(section)}


def aws_config_profiles(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The role profiles of an AWS config file, one row each, in file order.

    Args:
        path: the file; default ``$AWS_CONFIG_FILE``, else ``~/.aws/config``.

    Returns:
        A DataFrame with :data:`CONFIG_COLUMNS` (:data:`REF_COLUMNS` first). ``display_name``
        is the profile name (the extension labels the console with it); ``color`` is a console
        colour, ``extension_color`` the file's own value; ``written_by_xacct`` marks profiles
        :func:`export_profiles` wrote. A missing file gives no rows.

        A role profile that cannot be used here (a value breaking an AWS rule, a partition
        such as ``aws-iso`` that is not supported) is no row, and never stops the others: it is
        listed in ``frame.attrs["unusable"]`` as ``(profile, reason)``, the reason naming the
        file, the line and the key (never the value).

    Raises:
        InvalidInput: the file cannot be parsed at all (the message names the file, the line
            and at most its key).
    """
    file = config_path(path)
    profiles = load_profiles(file)
    text = _text_or_none(file) if profiles else None
    written = _written_here(text, file)
    lines = option_lines(text)
    refs: list[RoleRef] = []
    extra: list[dict[str, Any]] = []
    unusable: list[tuple[str, str]] = []
    for name, values in profiles.items():
        if not values.get("role_arn") and not (
            values.get("aws_account_id") and values.get("role_name")
        ):
            continue
        try:
            ref, extension_color = _role_ref(name, values)
        except _Unusable as err:
            unusable.append((name, _unusable_reason(file, lines, name, err)))
            continue
        refs.append(ref)
        extra.append(
            {
                "region": values.get("region"),
                "endpoint_url": values.get("endpoint_url"),
                "credential_source": values.get("credential_source"),
                "extension_color": extension_color,
                "written_by_xacct": name in written,
            }
        )
    frame = refs_frame(refs)
    for column in CONFIG_COLUMNS[len(REF_COLUMNS) :]:
        frame[column] = [row[column] for row in extra]
    frame["written_by_xacct"] = frame["written_by_xacct"].astype(bool)
    frame = frame[list(CONFIG_COLUMNS)]
    frame.attrs["path"] = str(file)
    frame.attrs["unusable"] = unusable
    return frame


def _kind(values: Mapping[str, str]) -> str | None:
    if values.get("role_arn"):
        return None
    if values.get("aws_access_key_id"):
        return "keys"
    if values.get("sso_session") or values.get("sso_start_url"):
        return "sso"
    if values.get("credential_process"):
        return "credential_process"
    if values.get("web_identity_token_file"):
        return "web_identity"
    return None


def aws_base_profiles(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The profiles a RoleSwitcher can start from: keys, IAM Identity Center (SSO),
    ``credential_process`` or web identity; from the config file and the credentials file.

    No secret is read into the frame (``kind`` only says that the profile has keys). Columns
    :data:`BASE_COLUMNS`; ``file`` is ``config`` or ``credentials``.
    """
    file = config_path(path)
    profiles = load_profiles(file)
    rows: dict[str, dict[str, Any]] = {}
    for name, values in profiles.items():
        kind = _kind(values)
        if kind is not None:
            rows[name] = {
                "profile": name,
                "kind": kind,
                "file": "config",
                "region": values.get("region"),
                "endpoint_url": values.get("endpoint_url"),
                "sso_session": values.get("sso_session"),
                "sso_account_id": values.get("sso_account_id"),
                "sso_role_name": values.get("sso_role_name"),
            }
    for name in credentials_profiles(credentials_path()):
        config = profiles.get(name, {})
        if name not in rows and not config.get("role_arn"):
            rows[name] = {
                "profile": name,
                "kind": "keys",
                "file": "credentials",
                "region": config.get("region"),
                "endpoint_url": config.get("endpoint_url"),
            }
    return pd.DataFrame(list(rows.values()), columns=list(BASE_COLUMNS))


def profile_session(
    profile: str, *, region: str | None = None, path: str | os.PathLike[str] | None = None
) -> boto3.Session:
    """A ``boto3.Session`` for a named profile, its credentials resolved now by boto3 itself.

    Any kind of profile works (keys, SSO, ``credential_process``, a role profile), because
    boto3's own credential chain does the work; resolving at once makes a missing or expired
    SSO login fail here, with the profile's own ``aws sso login --profile NAME``, instead of at
    the first call. ``path`` is the config file (default as the CLI's).

    Raises:
        ExpiredSession: the SSO token is missing or expired.
        XacctError: the profile does not exist or yields no credentials.
    """
    core = botocore.session.Session()
    if path is not None:
        core.set_config_variable("config_file", str(config_path(path)))
    core.set_config_variable("profile", profile)
    try:
        session = boto3.Session(botocore_session=core, region_name=region)
        credentials = session.get_credentials()
        if credentials is None:
            raise XacctError(
                f"Profile {profile!r} gives no credentials.",
                fix=f"Give it keys (`aws configure --profile {profile}`), SSO settings, a "
                "credential_process or a role_arn + source_profile.",
            )
        credentials.get_frozen_credentials()  # fetch now; the keys are not kept here
    except (BotoCoreError, ClientError) as err:
        if isinstance(err, SSOError | TokenRetrievalError):
            raise ExpiredSession(
                f"The IAM Identity Center (SSO) sign-in of profile {profile!r} is missing or "
                f"has expired ({scrub_text(str(err))}).",
                code=error_code(err),
                fix=_SSO_FIX.format(profile=profile),
            ) from err
        if isinstance(err, ProfileNotFound):
            raise XacctError(
                f"Profile {profile!r} is in neither {config_path(path)} nor {credentials_path()}.",
                fix="Check the name (xw.aws_base_profiles() lists them), or create it with "
                f"`aws configure --profile {profile}` or `aws configure sso`.",
            ) from err
        raise wrap_client_error(err, action="credentials", resource=f"profile {profile}") from err
    return session
