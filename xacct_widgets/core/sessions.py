"""Assumed-role ``boto3.Session`` objects that refresh themselves with botocore's own machinery.

Why not just call ``sts.assume_role`` and build a session from the three keys? Because a notebook
outlives the credentials: an hour later every cell fails with ``ExpiredToken``. botocore already
knows how to renew assume-role credentials (``AssumeRoleCredentialFetcher`` feeding
``RefreshableCredentials``, the same pair behind ``role_arn`` profiles in ``~/.aws/config``), with
the locking that makes it safe across threads; this module only wires it to an arbitrary base
session and never re-implements refresh.

The AssumeRole rules that botocore does not know about live here, once; the switcher and the
fan-out call them rather than restating them:

* an MFA token code cannot be re-prompted inside a running notebook, so MFA arguments come as a
  pair (:func:`mfa_arguments`) and an MFA session is fetched once and raises
  :class:`~xacct_widgets.errors.ExpiredSession` (with the fix) instead of refreshing;
* role chaining (assuming a role from role credentials, :func:`chains_from`) is capped by AWS at
  one hour, so a longer ``duration_seconds`` is refused up front (:func:`session_duration`)
  rather than by STS;
* AWS never lets the root user switch roles (:func:`refuse_root`), and a RoleSessionName made
  from a user or role name must be cleaned to STS's alphabet (:func:`clean_session_name`).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

import boto3
import botocore.session
from botocore.credentials import AssumeRoleCredentialFetcher, Credentials, RefreshableCredentials

from ..aws_limits import CHAINED_SESSION_SECONDS, IAM_NAME_CHARACTERS, SESSION_SECONDS_RANGE
from ..errors import ExpiredSession, InvalidInput, RootUserError
from . import ids
from .aws import aws_call, client_config
from .identity import Identity

__all__ = [
    "ASSUME_ROLE_METHOD",
    "AwsSession",
    "assumed_credentials",
    "assumed_session",
    "chains_from",
    "clean_session_name",
    "credentials_expiry",
    "derived_session",
    "is_role_credentials",
    "mfa_arguments",
    "refuse_root",
    "require_session",
    "session_duration",
]

#: The session type the widgets name: they wire core objects and never import boto3 themselves.
AwsSession = boto3.Session

log = logging.getLogger(__name__)

#: ``Credentials.method`` of the sessions built here (botocore's own label is ``assume-role``).
ASSUME_ROLE_METHOD: Final = "xacct-assume-role"

# botocore credential methods whose credentials belong to a role session: assuming a role from
# them is role chaining. (Environment variables with a session token are ambiguous - they may come
# from GetSessionToken - so they are not guessed at; pass ``chained=`` to be explicit.)
_ROLE_METHODS: Final = frozenset(
    {
        ASSUME_ROLE_METHOD,
        "assume-role",
        "assume-role-with-web-identity",
        "sso",
        "container-role",
        "iam-role",
    }
)

# Session settings that must follow the credentials into the derived session, so a sandbox's
# endpoint (``endpoint_url`` in its profile) or a real profile's region and retry settings apply
# to the assumed role as they did to the caller.
_CARRIED_VARIABLES: Final = (
    "config_file",
    "credentials_file",
    "profile",
    "region",
    "ca_bundle",
    "retry_mode",
    "max_attempts",
    "sts_regional_endpoints",
    "ignore_configured_endpoint_urls",
    "defaults_mode",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
)

# botocore's defaults: refresh in the background 15 min before expiry, block at 10 min. Those
# assume a 1-hour session; for a 15-minute one they would refresh on every call.
_ADVISORY_S: Final = 15 * 60
_MANDATORY_S: Final = 10 * 60
# An MFA session cannot refresh: use it until this close to its expiry, then say so.
_MFA_MARGIN_S: Final = 60
# Refresh windows are computed as if a session had at least this long to live (clock skew).
_MIN_LIFETIME_S: Final = 60.0
# What STS refuses in a RoleSessionName (it allows 2-64 of ``[\w+=,.@-]``).
_SESSION_NAME_BAD: Final = re.compile(rf"[^{IAM_NAME_CHARACTERS}]", re.ASCII)


class _NoCache(dict[str, Any]):
    """A credential cache that never holds anything.

    ``AssumeRoleCredentialFetcher`` keeps its last answer in a cache with its own expiry window;
    ``RefreshableCredentials`` already decides when to refresh, and a second layer with a
    different window can hand the same (about to expire) keys back. It also keeps secrets out of
    any long-lived structure other than the credentials object itself.
    """

    def __contains__(self, key: object) -> bool:
        return False

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __setitem__(self, key: str, value: Any) -> None:
        return None


def require_session(session: object, owner: str, *, example: str | None = None) -> boto3.Session:
    """``session`` if it is a ``boto3.Session``; else a clear InvalidInput naming ``owner``.

    Every public constructor that takes a session checks it here, before any call, so a
    ``None`` or a client passed by mistake never surfaces as a raw AttributeError later.
    """
    if not isinstance(session, boto3.Session):
        raise InvalidInput(
            f"{owner} needs a boto3.Session, got {type(session).__name__}.",
            fix=f"Pass {example or 'boto3.Session(profile_name=...) or xw.connect(...)'}.",
        )
    return session


def is_role_credentials(credentials: Credentials | None) -> bool:
    """True when ``credentials`` come from a role session (so assuming from them is chaining)."""
    return getattr(credentials, "method", None) in _ROLE_METHODS


def chains_from(base: boto3.Session, caller: Identity | None = None) -> bool:
    """True when assuming a role from ``base`` is role chaining (AWS's 1-hour cap applies).

    ``caller`` is ``base``'s identity when known: an ``assumed-role`` caller chains even when
    botocore's credential method does not tell (e.g. role keys in environment variables).
    """
    if caller is not None and caller.principal_type == "assumed-role":
        return True
    return is_role_credentials(base.get_credentials())


def mfa_arguments(mfa_serial: str | None, mfa_token: str | None) -> tuple[str | None, str | None]:
    """Validate MFA arguments: both or neither (a notebook cannot prompt), each well formed."""
    if (mfa_serial is None) != (mfa_token is None):
        raise InvalidInput(
            "mfa_serial and mfa_token go together: got only "
            f"{'mfa_serial' if mfa_serial is not None else 'mfa_token'}.",
            fix="Pass the MFA device's ARN as mfa_serial and its current 6-digit code as "
            "mfa_token (a notebook cannot prompt for it).",
        )
    if mfa_serial is not None and mfa_token is not None:
        return ids.mfa_serial(mfa_serial), ids.mfa_code(mfa_token)
    return None, None


def session_duration(
    duration_seconds: int | None, *, chained: bool = False, caller: str | None = None
) -> int | None:
    """Validate a DurationSeconds: :data:`~xacct_widgets.aws_limits.SESSION_SECONDS_RANGE`, and at
    most one hour when ``chained``.

    ``caller`` (an ARN) only makes the chaining refusal name who is a role session. None stays
    None (STS's default of one hour).
    """
    if duration_seconds is None:
        return None
    limit = CHAINED_SESSION_SECONDS if chained else SESSION_SECONDS_RANGE[1]
    if chained and isinstance(duration_seconds, int) and duration_seconds > limit:
        who = f"{caller} is itself a role session, and " if caller else ""
        raise InvalidInput(
            f"DurationSeconds {duration_seconds!r} is invalid when chaining roles: {who}AWS "
            f"caps a session assumed from another role's session at {limit} seconds.",
            fix=f"Ask for at most {limit} seconds, or go back to the base user first.",
        )
    return ids.duration_seconds(duration_seconds, limit)


def refuse_root(caller: Identity, fix: str | None = None) -> None:
    """Raise ``RootUserError`` when ``caller`` is a root user: AWS never lets root switch."""
    if caller.is_root:
        raise RootUserError(
            f"{caller.arn} is the root user of account {caller.account_id}, and AWS never lets "
            "the root user switch roles.",
            code="RootUser",
            fix=fix
            or "Sign in as an IAM user (e.g. 'operator') and switch from there; keep root for "
            "account emergencies.",
        )


def clean_session_name(text: str | None) -> str:
    """A valid RoleSessionName made from ``text`` (a user or role name, maybe with a prefix).

    Characters STS refuses become ``-``, the result is cut to 64 and padded to at least 2.
    """
    name = _SESSION_NAME_BAD.sub("-", text or "xacct")[:64]
    return ids.session_name(name if len(name) >= 2 else f"{name}-xacct"[:64])


def credentials_expiry(session: boto3.Session) -> datetime | None:
    """When the session's current credentials expire (UTC), or None for long-term keys.

    Reads botocore's public ``RefreshableCredentials`` state without triggering a refresh.
    """
    credentials = session.get_credentials()
    expiry = getattr(credentials, "_expiry_time", None)
    if isinstance(expiry, datetime):
        return expiry.astimezone(UTC)
    return None


def derived_session(base: boto3.Session, credentials: Credentials) -> boto3.Session:
    """A new ``boto3.Session`` with ``base``'s settings (profile, config file, region) and
    ``credentials``.

    The settings are copied rather than shared because a botocore session caches clients and
    credentials; sharing one would let the role's keys leak back into the caller's session.
    """
    source = base._session  # boto3 exposes no public accessor for its botocore session
    core = botocore.session.Session()
    for name in _CARRIED_VARIABLES:
        value = source.get_config_variable(name)
        if value is not None:
            core.set_config_variable(name, value)
    # The established idiom for handing a botocore session ready-made (here refreshable)
    # credentials: the credential resolver is only consulted while ``_credentials`` is None, and
    # ``set_credentials`` would accept static keys only.
    core._credentials = credentials  # type: ignore[attr-defined]
    return boto3.Session(botocore_session=core, region_name=core.get_config_variable("region"))


def _mfa_cannot_refresh(role_arn: str) -> Callable[[], Mapping[str, Any]]:
    def refresh() -> Mapping[str, Any]:
        raise ExpiredSession(
            f"The MFA session for {role_arn} has expired and cannot renew itself: an MFA code "
            "cannot be asked for again from inside a running call.",
            code="ExpiredToken",
            fix="Switch again with a fresh MFA code (RoleSwitcher.switch(..., mfa_token=...)).",
        )

    return refresh


def _wrapped(
    fetcher: AssumeRoleCredentialFetcher, role_arn: str
) -> Callable[[], Mapping[str, Any]]:
    """botocore's fetch, with a refused refresh raised as our error rather than a ClientError."""

    def refresh() -> Mapping[str, Any]:
        with aws_call("sts:AssumeRole", role_arn):
            return fetcher.fetch_credentials()

    return refresh


def _lifetime(metadata: Mapping[str, Any]) -> float:
    """Seconds until ``metadata``'s expiry; at least a minute, so that a skewed clock cannot
    give refresh windows of zero."""
    expiry = datetime.fromisoformat(str(metadata["expiry_time"]))
    if expiry.tzinfo is None:
        expiry = expiry.replace(tzinfo=UTC)
    return max(float((expiry - datetime.now(UTC)).total_seconds()), _MIN_LIFETIME_S)


def assumed_credentials(
    client_creator: Callable[..., Any],
    source_credentials: Credentials,
    role_arn: str,
    session_name: str,
    *,
    external_id: str | None = None,
    mfa_serial: str | None = None,
    mfa_token: str | None = None,
    duration_seconds: int | None = None,
) -> RefreshableCredentials:
    """Assume ``role_arn`` once and return botocore credentials that renew themselves.

    The one place that wires botocore's ``AssumeRoleCredentialFetcher`` to
    ``RefreshableCredentials`` (no second cache, refresh windows proportional to the session's
    lifetime, an MFA session that says it expired instead of refreshing); used by
    :func:`assumed_session` and by the fan-out in :mod:`.query`.

    ``client_creator`` is called like ``botocore.session.Session.create_client`` (with the
    frozen ``source_credentials``) for each fetch; return one shared STS client from it to avoid
    building a client per role and per refresh. The arguments are sent as given: validate them
    first (:func:`assumed_session` does). Costs one ``sts:AssumeRole`` now, whose failure is
    raised as botocore's ``ClientError``/``BotoCoreError`` (the caller decides how to report
    it); a refused *refresh* later raises the matching ``XacctError``.
    """
    extra: dict[str, Any] = {"RoleSessionName": session_name}
    if external_id is not None:
        extra["ExternalId"] = external_id
    if mfa_serial is not None:
        extra["SerialNumber"] = mfa_serial
    if duration_seconds is not None:
        extra["DurationSeconds"] = duration_seconds
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=client_creator,
        source_credentials=source_credentials,
        role_arn=role_arn,
        extra_args=extra,
        mfa_prompter=lambda _prompt: mfa_token or "",
        cache=_NoCache(),
    )
    metadata = fetcher.fetch_credentials()
    lifetime = _lifetime(metadata)
    refresh: Callable[[], Mapping[str, Any]]
    if mfa_token is not None:
        refresh = _mfa_cannot_refresh(role_arn)
        advisory = mandatory = min(_MFA_MARGIN_S, lifetime / 10)
    else:
        refresh = _wrapped(fetcher, role_arn)
        advisory, mandatory = min(_ADVISORY_S, lifetime / 3), min(_MANDATORY_S, lifetime / 6)
    return RefreshableCredentials.create_from_metadata(
        metadata,
        refresh_using=refresh,
        method=ASSUME_ROLE_METHOD,
        advisory_timeout=int(advisory),
        mandatory_timeout=int(mandatory),
    )


def assumed_session(
    base: boto3.Session,
    role_arn: str,
    session_name: str,
    *,
    external_id: str | None = None,
    mfa_serial: str | None = None,
    mfa_token: str | None = None,
    duration_seconds: int | None = None,
    chained: bool | None = None,
) -> boto3.Session:
    """Assume ``role_arn`` from ``base`` and return a session whose credentials renew themselves.

    Costs exactly one ``sts:AssumeRole`` now (so a denial or a bad MFA code surfaces here, not at
    the first use) and one more each time botocore decides to refresh. ``chained`` says whether
    ``base`` itself holds role credentials (AWS's 1-hour cap then applies); when None it is
    inferred from how botocore obtained ``base``'s credentials.

    Raises ``InvalidInput`` subclasses before any call for a malformed argument, ``AccessDenied``
    when STS refuses (AWS's message kept), ``ExpiredSession`` when ``base`` has no usable
    credentials.
    """
    arn = ids.parse_role_arn(role_arn).arn
    name = ids.session_name(session_name)
    if external_id is not None:
        external_id = ids.external_id(external_id)
    mfa_serial, mfa_token = mfa_arguments(mfa_serial, mfa_token)
    source_credentials = base.get_credentials()
    if source_credentials is None:
        raise ExpiredSession(
            "The base session has no credentials to assume the role with.",
            code="NoCredentials",
            fix="Configure credentials (a profile, environment variables or SSO login) first.",
        )
    if chained is None:
        chained = is_role_credentials(source_credentials)
    duration_seconds = session_duration(duration_seconds, chained=chained)

    with aws_call("sts:AssumeRole", arn):
        credentials = assumed_credentials(
            functools.partial(base._session.create_client, config=client_config()),
            source_credentials,
            arn,
            name,
            external_id=external_id,
            mfa_serial=mfa_serial,
            mfa_token=mfa_token,
            duration_seconds=duration_seconds,
        )
    log.debug(
        "assumed %s as session %s (chained=%s, mfa=%s)", arn, name, chained, mfa_token is not None
    )
    return derived_session(base, credentials)
