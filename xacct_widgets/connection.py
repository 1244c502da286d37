"""Where a notebook's sessions come from: a real AWS profile, or the embedded sandbox.

Notebooks call :func:`connect` for each side of the procedure. With ``profile`` it is plain
boto3 and the sandbox (with moto) is never imported; without, it uses the sandbox named by
``XACCT_SANDBOX_URL`` (set by ``xacct lab``) or, if none is named, starts one inside the
kernel, so a notebook also runs under plain ``jupyter``, nbval or papermill.
"""

from __future__ import annotations

import os
import shlex
import threading
from typing import TYPE_CHECKING

import boto3
import botocore.session

from .core import ids
from .core.identity import identity_of
from .errors import InvalidAccountId, InvalidInput
from .sandbox import ENV_URL

if TYPE_CHECKING:
    from .sandbox.handle import SandboxHandle

_embedded: SandboxHandle | None = None
_lock = threading.Lock()


def sandbox() -> SandboxHandle:
    """The sandbox this process uses: one already running here, the one named in the
    environment, or else one started here once."""
    from .sandbox import server

    global _embedded
    with _lock:
        running = server.running_in_process()
        if running is not None:  # one started by hand in this kernel wins: moto has one state
            return running
        if _embedded is None or not _embedded.is_running:
            _embedded = (
                server.Sandbox.from_env() if os.environ.get(ENV_URL) else server.Sandbox().start()
            )
        return _embedded


def connect(
    account: str = "source",
    user: str = "operator",
    *,
    profile: str | None = None,
    region: str | None = None,
) -> boto3.Session:
    """A session for one side of the procedure.

    Without ``profile``, the seeded sandbox principal ``user`` of ``account`` (``"source"``,
    ``"target"``, ``"management"`` or an account ID). With ``profile``, the profile's session,
    and the labels are checked against what the profile is for wherever that can be known, so a
    profile given for the wrong side fails here and not at the first write:

    * ``account`` an account ID: the profile's account must be it (from its ``role_arn`` or
      ``sso_account_id``, else one ``sts:GetCallerIdentity`` call);
    * a sandbox ``credential_process`` profile (its line from ``Sandbox.credential_process``)
      names its account and user: both labels must match them.

    A side label with any other profile (``connect("target", "admin", profile="prod")``) only
    says which side it is for: a real account has no sandbox alias to check it against.

    Raises:
        InvalidInput: the labels contradict the profile (``field`` names ``account`` or
            ``user``); nothing has been called with the profile's credentials but STS.
    """
    if profile:
        session = boto3.Session(profile_name=profile, region_name=region)
        _check_labels(session, profile, account, user)
        return session
    return sandbox().session(account, user, region=region)


def _configured(profile: str) -> tuple[str | None, str | None, str | None]:
    """What a profile's own config says it is for: (account ID, sandbox account, sandbox user),
    each None when it does not say; read from the config files, no call."""
    config = botocore.session.Session(profile=profile).get_scoped_config()
    account = config.get("sso_account_id")
    if config.get("role_arn"):
        account = ids.parse_arn(str(config["role_arn"])).account_id
    words = shlex.split(str(config.get("credential_process", "")))
    if len(words) == 5 and words[2] == "xacct_widgets.sandbox.credential_process":
        side, _, who = words[4].partition(":")
        return account, side, who
    return account, None, None


def _account_id_or_none(label: str) -> str | None:
    try:
        return ids.account_id(label)
    except InvalidAccountId:
        return None


def _conflict(profile: str, field: str, label: str, actual: str) -> InvalidInput:
    return InvalidInput(
        f"connect() was told {field} {label!r}, but profile {profile!r} is for {field} {actual!r}.",
        fix=f"Pass the profile for {field} {label!r}, or the {field} that profile is for.",
        field=field,
    )


def _check_labels(session: boto3.Session, profile: str, account: str, user: str) -> None:
    """Refuse labels that contradict the profile (see :func:`connect`)."""
    configured, side, who = _configured(profile)
    expected = _account_id_or_none(account)
    # Alias against alias only ("target" vs "source"); an ID label is checked by the identity.
    if side not in (None, account) and expected is None and _account_id_or_none(side) is None:
        raise _conflict(profile, "account", account, side)
    if who is not None and who != user:
        raise _conflict(profile, "user", user, who)
    if expected is not None:
        actual = configured or identity_of(session).account_id
        if actual != expected:
            raise _conflict(profile, "account", expected, actual)
