"""Connections shared across accounts: one pool per endpoint, whoever signs the request.

A botocore client owns its connection pool, so a client per account meant a TCP (and TLS)
handshake per account and endpoint - 100-300 ms each to a far region - where W workers need W
connections. The pool does not depend on the credentials: a request is signed before it is sent.
So the fan-out's clients send through one shared, thread-safe
``botocore.httpsession.URLLib3Session`` per (CA bundle, proxies, timeouts, pool size), with
botocore's documented ``before-send`` event: the first handler answer that is not None is the
response, and botocore then sends nothing itself.

botocore calls *every* ``before-send`` handler, and other handlers answer there too: moto's
in-process mock (``mock_aws``) is one of botocore's built-in handlers (``BUILTIN_HANDLERS``).
Sending as well would send the request for real. So :func:`share_connections` takes the
built-in ``before-send`` handlers off the emitter it is given and :class:`SharedSender` asks
them first, sending only when none answered: under ``mock_aws`` nothing leaves the process.
The sender is registered last, after the client's own ``before-send`` handlers (adaptive
retries wait for a token there).

A shared pool opens its sockets with the options botocore gives a client's own
(:func:`socket_options_of`): Nagle's algorithm off, and TCP keep-alive when configured. A
``URLLib3Session`` made without them sets none, and botocore writes a request's head and body
separately, so each body waited for the server's delayed ACK of the head (~40 ms per request).

The pools are closed by :func:`close_pools` (``clear_client_cache``) and forgotten after a fork.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import botocore.handlers
from botocore.httpsession import URLLib3Session
from botocore.utils import get_environ_proxies
from urllib3.connection import HTTPConnection

from .lru import LRU

__all__ = [
    "PoolSettings",
    "SharedSender",
    "close_pools",
    "pools_open",
    "share_connections",
    "socket_options_of",
    "verify_of",
]

#: One ``setsockopt`` call: (level, option, value).
SocketOption = tuple[int, int, int]

_POOL_LIMIT: Final = 32  # distinct settings kept; each holds one urllib3 pool per endpoint
_EVENT: Final = "before-send"


@dataclass(frozen=True)
class PoolSettings:
    """What a shared pool is for: TLS verification, socket options, timeouts and how many
    connections per endpoint it keeps (about one per worker). Proxies are looked up per
    endpoint."""

    verify: bool | str
    connections: int
    socket_options: tuple[SocketOption, ...]
    connect_timeout: float = 60
    read_timeout: float = 60


def verify_of(session: Any) -> bool | str:
    """What a client of botocore ``session`` verifies TLS against, as botocore decides it:
    the session's ``ca_bundle`` (``AWS_CA_BUNDLE``, a profile's setting), else
    ``REQUESTS_CA_BUNDLE``, else the system's trust store."""
    bundle = session.get_config_variable("ca_bundle")
    if bundle is not None:
        return str(bundle)
    return os.environ.get("REQUESTS_CA_BUNDLE") or True


def socket_options_of(session: Any) -> tuple[SocketOption, ...]:
    """The socket options botocore gives a client of botocore ``session``: urllib3's defaults
    (``TCP_NODELAY``), plus ``SO_KEEPALIVE`` when ``tcp_keepalive`` is set (profile or
    ``BOTOCORE_TCP_KEEPALIVE``)."""
    options: list[SocketOption] = list(HTTPConnection.default_socket_options)
    if session.get_config_variable("tcp_keepalive"):
        options.append((socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1))
    return tuple(options)


def _close(_key: Any, pool: URLLib3Session) -> None:
    pool.close()


_POOLS = LRU(_POOL_LIMIT, on_evict=_close)
_POOLS_LOCK = threading.Lock()


def _pool(settings: PoolSettings, proxies: tuple[tuple[str, str], ...]) -> URLLib3Session:
    key = (settings, proxies)
    found = _POOLS.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    with _POOLS_LOCK:
        found = _POOLS.get(key)
        if found is None:
            found = URLLib3Session(
                verify=settings.verify,  # type: ignore[arg-type]  # a bundle's path, too
                proxies=dict(proxies) or None,
                timeout=(settings.connect_timeout, settings.read_timeout),  # type: ignore[arg-type]
                max_pool_connections=settings.connections,
                # The stubs say list[str]; urllib3 takes (level, option, value) tuples.
                socket_options=list(settings.socket_options),  # type: ignore[arg-type]
            )
            _POOLS.put(key, found)
        return found  # type: ignore[no-any-return]


def close_pools() -> None:
    """Close every shared pool's connections (the next request opens new ones)."""
    _POOLS.clear()


def pools_open() -> int:
    """Shared pools currently kept (one per settings and proxies in use)."""
    return len(_POOLS)


def _builtin_senders() -> list[Callable[..., Any]]:
    """The ``before-send`` handlers botocore registers on every new session (moto's mock)."""
    return [spec[1] for spec in botocore.handlers.BUILTIN_HANDLERS if spec[0] == _EVENT]


class SharedSender:
    """A ``before-send`` handler: the answer of a built-in handler (moto's mock) if any, else
    the response of the shared pool for :attr:`settings` (which may grow: see
    :meth:`resize`)."""

    def __init__(self, settings: PoolSettings) -> None:
        self.settings = settings
        self._proxies: dict[str, tuple[tuple[str, str], ...]] = {}  # per scheme://host:port

    def resize(self, connections: int) -> None:
        """Use a pool of ``connections`` per endpoint from now on (when more workers run)."""
        if connections > self.settings.connections:
            self.settings = dataclasses.replace(self.settings, connections=connections)

    def __call__(self, request: Any, **kwargs: Any) -> Any:
        for other in _builtin_senders():
            answer = other(request=request, **kwargs)
            if answer is not None:
                return answer
        return _pool(self.settings, self._proxies_for(request.url)).send(request)

    def _proxies_for(self, url: str) -> tuple[tuple[str, str], ...]:
        """The environment's proxies for ``url``'s endpoint, as botocore looks them up for a
        client's endpoint (``HTTPS_PROXY``, ``NO_PROXY``), once per endpoint."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        found = self._proxies.get(origin)
        if found is None:
            found = tuple(sorted(get_environ_proxies(origin).items()))
            self._proxies[origin] = found
        return found


def share_connections(events: Any, sender: SharedSender) -> None:
    """Send the requests of ``events``' clients (a botocore session's ``event_emitter``
    component, or a client's ``meta.events``) through ``sender``: the built-in
    ``before-send`` handlers are moved inside it, so each is still asked once, before
    anything is sent."""
    for handler in _builtin_senders():
        events.unregister(_EVENT, handler)
    events.register_last(_EVENT, sender, unique_id="xacct-shared-connections")
