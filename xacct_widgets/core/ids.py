"""Account IDs, IAM names and ARNs: parse, normalise, validate.

Every value a user types is checked here against IAM/STS's own limits *before* any API call, so a
typo becomes an error naming the bad value and the rule instead of an opaque ``ValidationError``
half-way through applying a role. Validators return the normalised value (e.g. an account ID
without hyphens); surrounding whitespace is stripped because it never belongs to these values and
creeps in when copying from the console.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, NoReturn

from ..aws_limits import (
    CHAINED_SESSION_SECONDS,
    IAM_NAME_CHARACTERS,
    MAX_SESSION_DURATION_RANGE,
    ROLE_NAME_LENGTH,
    SESSION_NAME_LENGTH,
    SESSION_SECONDS_RANGE,
)
from ..errors import InvalidAccountId, InvalidArn, InvalidInput, InvalidRoleName, InvalidRoleSpec

__all__ = [
    "Arn",
    "account_id",
    "duration_seconds",
    "external_id",
    "iam_path",
    "managed_policy_arn",
    "max_session_duration",
    "mfa_code",
    "mfa_serial",
    "parse_arn",
    "parse_role_arn",
    "policy_name",
    "role_arn",
    "role_name",
    "session_name",
]

# IAM's "\w" is ASCII-only; re.ASCII keeps Unicode letters and digits out.
_ACCOUNT_RE: Final = re.compile(r"[0-9]{12}|[0-9]{4}-[0-9]{4}-[0-9]{4}", re.ASCII)
_NAME_RE: Final = re.compile(
    rf"[{IAM_NAME_CHARACTERS}]{{{ROLE_NAME_LENGTH[0]},{ROLE_NAME_LENGTH[1]}}}", re.ASCII
)
_POLICY_NAME_RE: Final = re.compile(rf"[{IAM_NAME_CHARACTERS}]{{1,128}}", re.ASCII)
# IAM's documented Path pattern is (\u002F)|(\u002F[\u0021-\u007E]+\u002F); DEL (\u007F), which
# the prose mentions, is left out on purpose: it is never intended and IAM's pattern refuses it.
_PATH_RE: Final = re.compile(r"/|/[\u0021-\u007E]+/")
_EXTERNAL_ID_RE: Final = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)
_SESSION_NAME_RE: Final = re.compile(
    rf"[{IAM_NAME_CHARACTERS}]{{{SESSION_NAME_LENGTH[0]},{SESSION_NAME_LENGTH[1]}}}", re.ASCII
)
_MFA_CODE_RE: Final = re.compile(r"[0-9]{6}", re.ASCII)
_HW_SERIAL_RE: Final = re.compile(r"[\w+=/:,.@-]{9,256}", re.ASCII)
_PARTITION_RE: Final = re.compile(r"aws(-[a-z]+)*")
_SERVICE_RE: Final = re.compile(r"[a-z0-9][a-z0-9-]*")
_DIGITS12_RE: Final = re.compile(r"[0-9]{12}")
_TYPED_RESOURCE_RE: Final = re.compile(r"([A-Za-z0-9_.-]+)([/:])(.+)", re.DOTALL)
_MFA_NAME_RE: Final = re.compile(rf"[{IAM_NAME_CHARACTERS}]{{1,226}}", re.ASCII)

NAME_RULE: Final = (
    f"{ROLE_NAME_LENGTH[0]}-{ROLE_NAME_LENGTH[1]} characters, letters, digits and "
    "+ = , . @ _ - only"
)
PATH_RULE: Final = (
    "'/' alone, or 1-512 printable ASCII characters (! to ~) that start and end with '/'"
)
ACCOUNT_RULE: Final = "12 digits, optionally written 1234-5678-1234"


def _fail(cls: type[InvalidInput], what: str, value: object, rule: str, fix: str) -> NoReturn:
    raise cls(f"{what} {value!r} is invalid: it must be {rule}.", fix=fix)


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) else None


def _matched(
    pattern: re.Pattern[str],
    cls: type[InvalidInput],
    what: str,
    value: object,
    rule: str,
    fix: str,
) -> str:
    """``value`` stripped, if it is a string that ``pattern`` matches in full; else ``cls``."""
    text = _text(value)
    if text is None or not pattern.fullmatch(text):
        _fail(cls, what, value, rule, fix)
    return text


def account_id(value: str) -> str:
    """Return a 12-digit account ID from ``"9876-5432-9876"`` or ``"987654329876"``.

    Strings only: an int would silently drop an account's leading zeros.
    """
    text = _text(value)
    if text is None or not _ACCOUNT_RE.fullmatch(text):
        fix = (
            "Pass the ID as a string: an int loses leading zeros."
            if isinstance(value, int) and not isinstance(value, bool)
            else "Copy the 12-digit ID from the console's account menu (an alias will not do)."
        )
        _fail(InvalidAccountId, "Account ID", value, ACCOUNT_RULE, fix)
    return text.replace("-", "")


def role_name(value: str) -> str:
    """Return ``value`` if it is a valid IAM role name (1-64 of ``[\\w+=,.@-]``)."""
    return _matched(
        _NAME_RE,
        InvalidRoleName,
        "Role name",
        value,
        NAME_RULE,
        "Give the name without its path (put the path in path=), e.g. 'cross-account'.",
    )


def _user_name(value: str) -> str:
    return _matched(
        _NAME_RE, InvalidArn, "IAM user name", value, NAME_RULE, "Check the user's name in IAM."
    )


def iam_path(value: str) -> str:
    """Return ``value`` if it is a valid IAM path (``/`` or ``/division/team/``)."""
    if not isinstance(value, str) or len(value) > 512 or not _PATH_RE.fullmatch(value):
        _fail(InvalidRoleSpec, "IAM path", value, PATH_RULE, "Use '/' unless you need a path.")
    return value


def role_arn(account: str, name: str, path: str = "/", *, partition: str = "aws") -> str:
    """Build ``arn:aws:iam::ACCOUNT:role{path}{name}`` from validated parts."""
    if not _PARTITION_RE.fullmatch(partition):
        _fail(InvalidArn, "Partition", partition, "'aws' or 'aws-<name>'", "Use 'aws'.")
    return f"arn:{partition}:iam::{account_id(account)}:role{iam_path(path)}{role_name(name)}"


@dataclass(frozen=True)
class Arn:
    """The parts of an ARN.

    ``resource`` is what follows the resource type, path included (``ops/cross-account`` for
    ``role/ops/cross-account``); ``name`` is its last segment; ``separator`` is the character
    between type and resource (``/`` for IAM and STS), kept so that ``str(arn)`` round-trips.
    """

    partition: str
    service: str
    region: str
    account_id: str
    resource_type: str
    resource: str
    name: str
    separator: str = "/"

    @property
    def path(self) -> str:
        """The IAM path of the resource, ``"/"`` when it has none."""
        head, _, _ = self.resource.rpartition("/")
        return f"/{head}/" if head else "/"

    @property
    def arn(self) -> str:
        """The ARN as a string again."""
        tail = (
            f"{self.resource_type}{self.separator}{self.resource}"
            if self.resource_type
            else self.resource
        )
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account_id}:{tail}"

    def __str__(self) -> str:
        return self.arn


def parse_arn(arn: str) -> Arn:
    """Split an ARN into its parts; only the generic ARN shape is checked here."""
    text = _text(arn)
    rule = "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, with no spaces"
    fix = "Copy the ARN from the resource's page in the console."
    parts = text.split(":", 5) if text else []
    if text is None or len(parts) != 6 or parts[0] != "arn" or any(c.isspace() for c in text):
        _fail(InvalidArn, "ARN", arn, rule, fix)
    _, partition, service, region, account, resource = parts
    if not _PARTITION_RE.fullmatch(partition):
        _fail(InvalidArn, "ARN", arn, "in partition 'aws' or 'aws-<name>'", fix)
    if not _SERVICE_RE.fullmatch(service):
        _fail(InvalidArn, "ARN", arn, "naming a service such as 'iam'", fix)
    if account not in ("", "aws") and not _DIGITS12_RE.fullmatch(account):
        _fail(InvalidArn, "ARN", arn, "for a 12-digit account ID (or 'aws', or none)", fix)
    if not resource:
        _fail(InvalidArn, "ARN", arn, rule, fix)
    # S3 object ARNs are bucket/key with no type; everything else is type/... or type:...
    match = None if service == "s3" else _TYPED_RESOURCE_RE.fullmatch(resource)
    if match:
        resource_type, separator, rest = match.groups()
    else:
        resource_type, separator, rest = "", "/", resource
    name = re.split(r"[/:]", rest)[-1]
    return Arn(partition, service, region, account, resource_type, rest, name, separator)


def parse_role_arn(arn: str) -> Arn:
    """Parse ``arn`` and check it names an IAM role (path allowed), not a session or a user."""
    parsed = parse_arn(arn)
    rule = "an IAM role ARN: arn:aws:iam::123456789012:role/[path/]name"
    if parsed.service == "sts" and parsed.resource_type == "assumed-role":
        role = parsed.resource.split("/")[0]
        _fail(
            InvalidArn,
            "Role ARN",
            arn,
            rule,
            f"This is a session ARN; the role is arn:{parsed.partition}:iam::"
            f"{parsed.account_id}:role/{role} (plus its path, if it has one).",
        )
    if (
        parsed.service != "iam"
        or parsed.resource_type != "role"
        or parsed.region
        or not _DIGITS12_RE.fullmatch(parsed.account_id)
    ):
        _fail(InvalidArn, "Role ARN", arn, rule, "Copy the ARN from the role's summary page.")
    try:
        iam_path(parsed.path)
        role_name(parsed.name)
    except InvalidInput as err:
        raise InvalidArn(f"Role ARN {arn!r} is invalid: {err.message}", fix=err.fix) from err
    return parsed


def managed_policy_arn(value: str) -> str:
    """Return ``value`` if it is an AWS- or customer-managed policy ARN.

    ``arn:aws:iam::aws:policy/[path/]Name`` for AWS-managed policies, or the same with a 12-digit
    account ID for customer-managed ones.
    """
    rule = (
        "a managed policy ARN: arn:aws:iam::aws:policy/[path/]NAME or "
        "arn:aws:iam::123456789012:policy/[path/]NAME"
    )
    fix = "Copy the ARN from the policy's page, e.g. arn:aws:iam::aws:policy/ReadOnlyAccess."
    try:
        parsed = parse_arn(value)
    except InvalidArn:
        _fail(InvalidArn, "Policy ARN", value, rule, fix)
    if (
        parsed.service != "iam"
        or parsed.region
        or parsed.resource_type != "policy"
        or parsed.account_id == ""
        or not _POLICY_NAME_RE.fullmatch(parsed.name)
        or not _PATH_RE.fullmatch(parsed.path)
    ):
        _fail(InvalidArn, "Policy ARN", value, rule, fix)
    return parsed.arn  # stripped of surrounding whitespace


def policy_name(value: str) -> str:
    """Return ``value`` if it is a valid IAM policy name (1-128 of ``[\\w+=,.@-]``).

    The one rule for inline policy names and the name part of a managed policy ARN.
    """
    return _matched(
        _POLICY_NAME_RE,
        InvalidInput,
        "Policy name",
        value,
        "1-128 characters, letters, digits and + = , . @ _ - only",
        "Name the policy e.g. 'allow-s3-read'.",
    )


def external_id(value: str) -> str:
    """Return ``value`` if it is a valid sts:ExternalId (2-1224 of ``[\\w+=,.@:/-]``)."""
    return _matched(
        _EXTERNAL_ID_RE,
        InvalidInput,
        "External ID",
        value,
        "2-1224 characters, letters, digits and + = , . @ : / _ - only",
        "Use the exact ExternalId the role's owner gave you.",
    )


def session_name(value: str) -> str:
    """Return ``value`` if it is a valid RoleSessionName (2-64 of ``[\\w+=,.@-]``)."""
    return _matched(
        _SESSION_NAME_RE,
        InvalidInput,
        "Session name",
        value,
        f"{SESSION_NAME_LENGTH[0]}-{SESSION_NAME_LENGTH[1]} characters, letters, digits and "
        "+ = , . @ _ - only",
        "Use something like your user name, e.g. 'operator'.",
    )


def mfa_code(value: str) -> str:
    """Return ``value`` if it is a 6-digit MFA token code (a string: codes may start with 0)."""
    return _matched(
        _MFA_CODE_RE,
        InvalidInput,
        "MFA code",
        value,
        "exactly 6 digits, as a string",
        "Type the current code shown by your MFA device.",
    )


def _int_in(
    value: object, low: int, high: int, what: str, fix: str, cls: type[InvalidInput]
) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _fail(cls, what, value, f"a whole number of seconds from {low} to {high}", fix)
    return value


def duration_seconds(value: int, max_allowed: int = SESSION_SECONDS_RANGE[1]) -> int:
    """Return ``value`` if it is a valid DurationSeconds for a role allowing ``max_allowed``.

    STS refuses more than the role's MaxSessionDuration (and an hour when chaining roles), so
    the caller passes that limit in.
    """
    low, most = SESSION_SECONDS_RANGE
    high = _int_in(max_allowed, low, most, "Maximum duration", f"Use {low}-{most}.", InvalidInput)
    return _int_in(
        value,
        low,
        high,
        "DurationSeconds",
        f"Ask for at most {high} s (the role's maximum session duration, or "
        f"{CHAINED_SESSION_SECONDS} when chaining).",
        InvalidInput,
    )


def max_session_duration(value: int) -> int:
    """Return ``value`` if it is a valid role MaxSessionDuration (3600-43200 seconds)."""
    low, high = MAX_SESSION_DURATION_RANGE
    return _int_in(
        value,
        low,
        high,
        "MaxSessionDuration",
        f"Use {low} (1 hour, the default) up to {high} (12 hours).",
        InvalidRoleSpec,
    )


def mfa_serial(value: str) -> str:
    """Return ``value`` if it is a virtual MFA device ARN or a hardware MFA serial number."""
    text = _text(value)
    fix = "Copy the device's identifier from 'Security credentials' in the console."
    if text is not None and text.startswith("arn:"):
        parsed = parse_arn(text)
        if (
            parsed.service != "iam"
            or parsed.region
            or parsed.resource_type != "mfa"
            or not _DIGITS12_RE.fullmatch(parsed.account_id)
            or not _PATH_RE.fullmatch(parsed.path)
            or not _MFA_NAME_RE.fullmatch(parsed.name)
        ):
            _fail(InvalidArn, "MFA device ARN", value, "arn:aws:iam::123456789012:mfa/NAME", fix)
        return text
    return _matched(
        _HW_SERIAL_RE,
        InvalidInput,
        "MFA serial number",
        value,
        "an MFA device ARN (arn:aws:iam::123456789012:mfa/NAME) or a hardware serial of "
        "9-256 characters, letters, digits and + = / : , . @ _ - only",
        fix,
    )
