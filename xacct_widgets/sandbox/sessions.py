"""The role sessions the sandbox issued, keyed by access key ID: one registry for every reader.

moto answers AssumeRole but keeps none of what AWS later evaluates for the session: when it
expires (on the sandbox clock), whether it was assumed from another role session (role
chaining), its session policies, whether MFA was presented, its session tags. The one AssumeRole
wrap (:mod:`.moto_integration.assume_role`) records an :class:`IssuedSession` here as moto
answers; expiry (:mod:`.wsgi.expiry`), the policy decision (:mod:`.decision`), STS's limits and
the console read it. No secret is kept: requests name the access key ID, the secret stays in
moto.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["IssuedSession", "forget_sessions", "issued_session", "record_session"]


@dataclass(frozen=True)
class IssuedSession:
    """What AssumeRole fixed for one session: who it acts as, until when, and what it carries.

    "Session policies" (in "Policies and permissions in IAM"), ``aws:MultiFactorAuthPresent``,
    "Passing session tags in AWS STS", "Role chaining" in "Methods to assume a role".
    """

    access_key_id: str
    arn: str
    role_arn: str
    issued_at: datetime
    expires_at: datetime
    #: Assumed from another role session (role chaining): one hour at most, and the console
    #: federation refuses SessionDuration for it (:mod:`.console`).
    chained: bool = False
    policy: str | None = None
    policy_arns: tuple[str, ...] = ()
    mfa_at: datetime | None = None  # when MFA was presented; None without MFA
    tags: dict[str, str] = field(default_factory=dict)


_sessions: dict[str, IssuedSession] = {}
_lock = threading.Lock()


def record_session(session: IssuedSession) -> None:
    with _lock:
        _sessions[session.access_key_id] = session


def issued_session(access_key_id: str | None) -> IssuedSession | None:
    """The session these keys belong to, if the sandbox issued them (a role session)."""
    if not access_key_id:
        return None
    with _lock:
        return _sessions.get(access_key_id)


def forget_sessions() -> None:
    """Forget every session (the sandbox is being reset or stopped)."""
    with _lock:
        _sessions.clear()
