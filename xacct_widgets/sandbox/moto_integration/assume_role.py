"""The one wrap around moto's AssumeRole: STS's checks before it, the session recorded after.

moto answers AssumeRole with credentials and forgets the rest. The sandbox, while it enforces,
first refuses what STS refuses after authorization (:func:`..decision.sts_limits.check_assume_role`:
duration, role chaining, session tags); then, as moto answers, records one
:class:`..sessions.IssuedSession` per new access key - its expiry on the sandbox clock,
whether it chains, its session policies, MFA state and tags - which expiry, the decision, the
next AssumeRole and the console read. One wrap, so no order between wraps can matter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from moto.sts.responses import TokenResponse

from ..clock import CLOCK
from ..decision.request_map import params_of
from ..decision.sts_limits import check_assume_role, requested_duration
from ..sessions import IssuedSession, issued_session, record_session
from .hooks import enforcing
from .keys import index_key

__all__ = ["wrap_assume_role"]


def wrap_assume_role(original: Callable[..., Any]) -> Callable[..., Any]:
    """``TokenResponse.assume_role`` with STS's checks before and the session recorded after."""

    def assume_role(self: TokenResponse) -> Any:
        if enforcing():
            check_assume_role(self)
        answer = original(self)
        _record(self, answer)
        return answer

    return assume_role


def _record(response: TokenResponse, answer: Any) -> None:
    """Record the session AssumeRole just issued (nothing when it issued none)."""
    credentials = getattr(answer, "result", {}).get("Credentials")
    key_id = getattr(credentials, "access_key_id", None)
    if credentials is None or key_id is None:
        return
    account = getattr(credentials, "account_id", None)
    partition = getattr(credentials, "partition", None)
    if isinstance(account, str) and isinstance(partition, str):
        index_key(key_id, account, partition)
    params = params_of(response.querystring, None)
    arns = tuple(v for k, v in sorted(params.items()) if k.startswith("PolicyArns.member."))
    tags = {
        v: params.get(k.removesuffix(".Key") + ".Value", "")
        for k, v in params.items()
        if k.startswith("Tags.member.") and k.endswith(".Key")
    }
    mfa = bool(params.get("SerialNumber") and params.get("TokenCode"))
    issued_at = CLOCK.now()  # the sandbox's clock, which the request context reads too
    record_session(
        IssuedSession(
            access_key_id=key_id,
            arn=str(credentials.arn),
            role_arn=str(credentials.role_arn),
            issued_at=issued_at,
            expires_at=issued_at + timedelta(seconds=requested_duration(response)),
            chained=issued_session(response.get_access_key()) is not None,
            policy=params.get("Policy"),
            policy_arns=arns,
            mfa_at=issued_at if mfa else None,
            tags=tags,
        )
    )
