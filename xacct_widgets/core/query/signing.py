"""One client per (service, region) for every account: each request signed as its unit's role.

Building a botocore client costs ~6 ms of CPU (a class with a method per operation, a copy of
the session's ~250 event handlers, the endpoint rule tree parsed again, an HTTP session); the
rest of a first-pass unit (AssumeRole, the call) costs ~4 ms. A client per account made the
first pass cost ~12 ms per account; nothing in a client depends on the account but two things,
and both are taken per request here:

* **The credentials**: the client is built with :data:`UNIT_CREDENTIALS`, botocore
  ``Credentials`` whose ``get_frozen_credentials()`` (what the signer asks, once per request)
  answers those of the unit running in this thread (:func:`signing_as`, a context variable).
  They are the role's own ``RefreshableCredentials``, so they still renew near expiry; without
  a unit the client signs nothing (``NoCredentialsError``).
* **Adaptive retries' client-side rate limiting**: a throttled account and region must slow
  itself down, not the fan-out. The shared client retries in botocore's ``standard`` mode and
  :class:`RoleLimiters` keeps one botocore ``ClientRateLimiter`` per role, on the same
  ``before-send`` / ``needs-retry`` events botocore's ``adaptive`` mode uses.

A unit runs its whole call (pages, retries) in one thread, so the context variable holds for
every request it makes.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Hashable, Iterator
from typing import Any, Final

from botocore.credentials import Credentials, ReadOnlyCredentials
from botocore.exceptions import NoCredentialsError
from botocore.retries import adaptive, bucket, standard, throttling

from .lru import LRU

__all__ = ["UNIT_CREDENTIALS", "RoleLimiters", "UnitCredentials", "signing_as"]

_LIMITERS: Final = 10_000  # roles whose rate limiter is kept per shared client

_UNIT: contextvars.ContextVar[tuple[Hashable, Credentials] | None] = contextvars.ContextVar(
    "xacct_query_unit", default=None
)


@contextlib.contextmanager
def signing_as(key: Hashable, credentials: Credentials) -> Iterator[None]:
    """Within this block, in this thread, shared clients sign as ``credentials`` (of role
    ``key``) and rate-limit as that role."""
    token = _UNIT.set((key, credentials))
    try:
        yield
    finally:
        _UNIT.reset(token)


def _current() -> tuple[Hashable, Credentials]:
    found = _UNIT.get()
    if found is None:
        raise NoCredentialsError()
    return found


class UnitCredentials(Credentials):
    """The credentials of the unit running in this thread (see the module doc); holds none."""

    def __init__(self) -> None:  # no keys of its own: every answer is the current unit's
        self.method = "xacct-unit"

    @property
    def access_key(self) -> str:  # type: ignore[override]
        return str(_current()[1].access_key)

    @property
    def secret_key(self) -> str:  # type: ignore[override]
        return str(_current()[1].secret_key)

    @property
    def token(self) -> str | None:  # type: ignore[override]
        return _current()[1].token

    @property
    def account_id(self) -> str | None:
        found = _UNIT.get()
        return None if found is None else getattr(found[1], "account_id", None)

    def get_frozen_credentials(self) -> ReadOnlyCredentials:
        return _current()[1].get_frozen_credentials()

    def __repr__(self) -> str:
        return "UnitCredentials()"


#: What every shared client is built with.
UNIT_CREDENTIALS: Final = UnitCredentials()


def _limiter() -> adaptive.ClientRateLimiter:
    """A rate limiter as botocore's ``adaptive`` mode gives each client."""
    clock = bucket.Clock()
    return adaptive.ClientRateLimiter(
        rate_adjustor=throttling.CubicCalculator(
            starting_max_rate=0, start_time=clock.current_time()
        ),
        rate_clocker=adaptive.RateClocker(clock),
        token_bucket=bucket.TokenBucket(max_rate=1, clock=clock),
        throttling_detector=standard.ThrottlingErrorDetector(
            retry_event_adapter=standard.RetryEventAdapter()
        ),
        clock=clock,
    )


class RoleLimiters:
    """Adaptive retries' rate limiting of one shared client, one limiter per role."""

    def __init__(self) -> None:
        self._limiters = LRU(_LIMITERS)

    def register(self, client: Any) -> None:
        """Hook the client's events, as botocore's ``adaptive`` mode does."""
        client.meta.events.register("before-send", self.on_sending_request)
        client.meta.events.register("needs-retry", self.on_receiving_response)

    def _for_unit(self) -> adaptive.ClientRateLimiter | None:
        found = _UNIT.get()
        if found is None:
            return None
        limiter = self._limiters.get(found[0])
        if limiter is None:
            limiter = _limiter()
            self._limiters.put(found[0], limiter)
        return limiter  # type: ignore[no-any-return]

    def on_sending_request(self, request: Any, **kwargs: Any) -> None:
        limiter = self._for_unit()
        if limiter is not None:
            limiter.on_sending_request(request=request, **kwargs)

    def on_receiving_response(self, **kwargs: Any) -> None:
        limiter = self._for_unit()
        if limiter is not None:
            limiter.on_receiving_response(**kwargs)
