"""Clients for a fan-out, built once and kept: one per (service, region) signing as each unit's
role (:mod:`.signing`), or one per (credentials, service, region) for work that holds a client
of its own (a rollout's IAM client); all of them send through shared connections
(:mod:`.connections`).

Building a botocore client costs ~5 ms of CPU and ~0.35 MiB (a client class with a method per
operation, a copy of the session's event handlers, the parsed endpoint rules); the call it makes
costs ~1 ms. Built per unit, under the GIL, the clients *were* the fan-out's run time. So:

* **A query's accounts share one client per (service, region)** (:func:`shared_client`): it
  signs each request as the unit running in that thread and rate-limits per role
  (:mod:`.signing`); a first pass builds one client per service and region, not per account.
* **A client per (role credentials, service, region)** (:func:`cached_client`), kept in a
  bounded, process-wide LRU (:data:`CLIENT_LIMIT`) next to the credentials it was built with.
  A repeated query, or the next operation in the same accounts, builds no client. botocore
  clients are thread-safe: the cache only guards its own dict, never a call.
* **Refreshable credentials stay refreshable**: the client is built with the role's botocore
  ``RefreshableCredentials`` object itself (not frozen keys), so it renews them when they near
  expiry and is never rebuilt for it. When a role is assumed again (credentials AWS refused),
  the entry no longer matches those credentials and a new client replaces it.
* **One factory session per caller** builds them: a botocore session with the caller's settings
  (profile, config file: a sandbox endpoint carries over) and the process's shared data loader
  (:mod:`.models`), whose ``get_credentials()`` answers the credentials named for the client
  being built, instead of a 15 ms botocore session per role.
* **One endpoint rule set per service**: every client resolves its endpoint per call through
  an ``EndpointProvider`` (the service's rule tree), whose answers botocore memoises in one
  process-wide LRU of 100 entries keyed by the provider. A provider per client meant 200 clients
  evicted each other and every call walked the rule tree again (~20% of a repeated call's
  CPU); the factory's clients of one service share the first one's provider (a pure function of
  the same rule set), so a call hits that cache.
* **Timestamps without dateutil**: the factory's clients parse AWS's ISO timestamps with
  :func:`.timestamps.iso_timestamp` (same values and tzinfo as botocore's parser, ~300x less
  CPU than dateutil's).
* **Connections are the caller's, not the account's**: the factory session's ``before-send``
  handler (inherited by every client it builds, and set on the caller's STS client) sends
  through one pool per endpoint sized for the query's workers (:mod:`.connections`).
* **Adaptive retries** (:data:`FANOUT_MAX_ATTEMPTS` attempts): botocore's client-side rate
  limiting, per client (per role for a shared client), so a throttled account and region
  slows itself down, not the fan-out; ``Throttling`` / ``TooManyRequestsException`` reach a
  unit's error row only when every attempt was throttled.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Hashable
from typing import Any, Final

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import Credentials

from ..aws import client_config
from ..sessions import derived_session
from .connections import (
    PoolSettings,
    SharedSender,
    close_pools,
    share_connections,
    socket_options_of,
    verify_of,
)
from .lru import LRU
from .models import shared_loader
from .signing import UNIT_CREDENTIALS, RoleLimiters
from .timestamps import iso_timestamp

__all__ = [
    "CLIENT_LIMIT",
    "FANOUT_MAX_ATTEMPTS",
    "ClientFactory",
    "cached_client",
    "clear_client_cache",
    "fanout_config",
    "session_client",
    "shared_client",
]

#: Clients kept at most (~0.35 MiB each); the least recently used is closed past it.
CLIENT_LIMIT: Final = 2048
#: Attempts per call of a fan-out client (adaptive mode: client-side rate limiting).
FANOUT_MAX_ATTEMPTS: Final = 10
# A per-role client serves one unit at a time; a small pool keeps idle sockets few.
_ROLE_POOL: Final = 4
# Connections per endpoint of a caller's shared pool, at least (grown to its query's workers).
_SHARED_POOL: Final = 16

_FOR_CLIENT: contextvars.ContextVar[Credentials | None] = contextvars.ContextVar(
    "xacct_query_client_credentials", default=None
)


def fanout_config(pool: int) -> Config:
    """Client config for fan-out: ``pool`` connections, adaptive retries (see module doc)."""
    return client_config(pool).merge(
        Config(retries={"mode": "adaptive", "max_attempts": FANOUT_MAX_ATTEMPTS})
    )


class ClientFactory(botocore.session.Session):
    """A botocore session that builds clients with credentials named per client.

    ``get_credentials()`` is botocore's public hook for where a client's credentials come from;
    here it answers the credentials of the client being built (set by :meth:`build` for the
    duration of the call, in this thread only), so no lock is held around it.
    """

    def __init__(self, template: boto3.Session) -> None:
        super().__init__()
        caller = template.get_credentials()
        assert caller is not None
        # derived_session is the one rule of which settings follow credentials; copy its result.
        for name, value in derived_session(template, caller)._session.instance_variables().items():
            self.set_config_variable(name, value)
        self.register_component("data_loader", shared_loader())
        # Same answers as botocore's parser, without dateutil for AWS's ISO form (timestamps.py).
        self.get_component("response_parser_factory").set_parser_defaults(
            timestamp_parser=iso_timestamp
        )
        self._built = 0
        self._count_lock = threading.Lock()
        self._providers: dict[str, Any] = {}  # service -> the EndpointProvider its clients share
        self.register("creating-client-class", self._count)
        #: Sends every request of this factory's clients through the shared pools.
        settings = PoolSettings(verify_of(self), _SHARED_POOL, socket_options_of(self))
        self.sender = SharedSender(settings)
        share_connections(self.get_component("event_emitter"), self.sender)

    def _count(self, **_: Any) -> None:
        with self._count_lock:
            self._built += 1

    @property
    def clients_built(self) -> int:
        """Clients this factory has built so far (botocore's ``creating-client-class`` event)."""
        with self._count_lock:
            return self._built

    def get_credentials(self) -> Credentials | None:
        chosen = _FOR_CLIENT.get()
        return chosen if chosen is not None else super().get_credentials()

    def build(self, credentials: Credentials, service: str, region: str, config: Config) -> Any:
        """A new client signing with ``credentials`` (kept refreshable)."""
        token = _FOR_CLIENT.set(credentials)
        try:
            client = self.create_client(service, region_name=region, config=config)
        finally:
            _FOR_CLIENT.reset(token)
        self._share_endpoint_rules(client, service)
        return client

    def _share_endpoint_rules(self, client: Any, service: str) -> None:
        """Point ``client`` at the endpoint provider of this factory's first ``service`` client
        (see the module doc). botocore has no public hook for it; when its internals differ,
        the client keeps its own provider (slower, same answers)."""
        resolver: Any = getattr(client, "_ruleset_resolver", None)
        own = getattr(resolver, "_provider", None)
        if own is None or not hasattr(own, "resolve_endpoint"):
            return
        shared = self._providers.setdefault(service, own)
        if shared is not own and type(shared) is type(own):
            resolver._provider = shared


def _close(_key: Hashable, value: Any) -> None:
    """Close an evicted client's connections now rather than at garbage collection."""
    value[1].close()


_CLIENTS = LRU(CLIENT_LIMIT, on_evict=_close)
_SHARED = LRU(CLIENT_LIMIT, on_evict=_close)  # (factory, service, region) -> (factory, client)
_SESSION_CLIENTS = LRU(256)  # clients of ready sessions (targets): keyed by the session's id
_BUILDING = threading.Lock()  # guards only the check-then-build of a missing entry


def _kept(cache: LRU, key: Hashable, owner: object, build: Callable[[], Any]) -> Any:
    """The client kept under ``key`` when it was built for ``owner`` (the same object), else
    ``build()``'s, kept in its place. Built under one lock, so no client is built twice; a call
    on a kept client takes no lock."""
    found = cache.get(key)
    if found is not None and found[0] is owner:
        return found[1]
    with _BUILDING:
        found = cache.get(key)
        if found is not None and found[0] is owner:
            return found[1]
        client = build()
        cache.put(key, (owner, client))
        return client


def cached_client(
    factory: ClientFactory, key: Hashable, credentials: Credentials, service: str, region: str
) -> Any:
    """The client for (role ``key``, service, region), built with ``credentials`` if missing
    or if it was built with other credentials (the role was assumed again)."""
    return _kept(
        _CLIENTS,
        (key, service, region),
        credentials,
        lambda: factory.build(credentials, service, region, fanout_config(_ROLE_POOL)),
    )


def shared_client(factory: ClientFactory, service: str, region: str) -> Any:
    """The factory's one client of (service, region), for every role: call it inside
    :func:`.signing.signing_as` (see that module)."""

    def build() -> Any:
        config = Config(
            retries={"mode": "standard", "max_attempts": FANOUT_MAX_ATTEMPTS},
            user_agent_extra="xacct_widgets",
        )
        client = factory.build(UNIT_CREDENTIALS, service, region, config)
        RoleLimiters().register(client)
        return client

    return _kept(_SHARED, (id(factory), service, region), factory, build)


def session_client(session: boto3.Session, service: str, region: str) -> Any:
    """A client of a ready session (a session target), built once per (session, service,
    region) and kept while that session lives."""
    # Built under the lock too: boto3 sessions are not documented as thread-safe.
    return _kept(
        _SESSION_CLIENTS,
        (id(session), service, region),
        session,
        lambda: session.client(
            service,  # type: ignore[call-overload]
            region_name=region,
            config=fanout_config(_ROLE_POOL),
        ),
    )


def clear_client_cache() -> None:
    """Close and forget every cached client."""
    _CLIENTS.clear()
    _SHARED.clear()
    _SESSION_CLIENTS.clear()
    close_pools()
