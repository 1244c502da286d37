"""The HTTP front of the sandbox: every request's way to moto, in one function, in one order.

:func:`sandbox_app` is the whole WSGI stack around moto's app, read top to bottom:

1. the sandbox's own pages for other processes (:mod:`.xacct_paths`): its description at
   ``/_xacct/sandbox.json``, its clock at ``/_xacct/clock``, its counts at ``/_xacct/stats``;
   every other request is counted (:class:`.serving.ServerStats`);
2. moto's own API (``/moto-api``: reset, state), passed through untouched;
3. the console's pages (:mod:`..console`): federation, sign-in, switch role;
4. the latency knob (``latency_ms``), so benchmarks and demos feel AWS's round trips on loopback:
   an answer leaves ``latency_ms`` after its request arrived, the sandbox's own work (steps 5-8)
   included, as an AWS round trip includes AWS's; work that takes longer is not delayed further
   (an answer that waited after the work was counted twice: latency plus moto's CPU);
5. the SigV4 credential scope, parsed once (:mod:`.sigv4`);
6. throttling per signing service past ``requests_per_second`` (:mod:`.throttle`);
7. expired session keys refused with ``ExpiredToken`` (:mod:`.expiry`);
8. moto, where each signed request is decided by the policy engine (:mod:`..decision`, hooked
   in by :mod:`..moto_integration`) and answered.

A busy port is reported as a SandboxError before werkzeug prints and calls ``sys.exit``.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

from ...errors import SandboxError
from ..console.pages import CONSOLE_PATHS
from ..moto_integration.hooks import enforcing
from ..remote import CLOCK_PATH, INFO_PATH, STATS_PATH
from .answers import Answer
from .expiry import expired
from .serving import ServerStats
from .sigv4 import signature_of
from .throttle import RequestBudget, throttled
from .xacct_paths import clock_page

__all__ = ["WSGIApp", "check_port_free", "sandbox_app"]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def sandbox_app(
    moto_app: WSGIApp,
    *,
    info: Callable[[], bytes],
    latency_s: float = 0,
    requests_per_second: float | None = None,
    stats: ServerStats | None = None,
) -> WSGIApp:
    """moto's WSGI app behind the sandbox's stack (see the module docstring for the order)."""
    budget = RequestBudget(requests_per_second) if requests_per_second else None

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == INFO_PATH:
            return _json(start_response, "200 OK", info())
        if path == CLOCK_PATH:
            return _json(start_response, *clock_page(environ))
        if path == STATS_PATH:
            counts = stats.snapshot() if stats is not None else {}
            return _json(start_response, "200 OK", json.dumps(counts).encode())
        if stats is not None:
            stats.served(environ)
        if path.startswith("/moto-api"):
            return moto_app(environ, start_response)
        if path in CONSOLE_PATHS:
            from ..console.app import serve  # loads moto: only in the process serving the sandbox

            return serve(environ, start_response)
        answer_at = time.monotonic() + latency_s
        answer = aws(environ, start_response)
        if latency_s:
            time.sleep(max(0.0, answer_at - time.monotonic()))
        return answer

    def aws(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        signed = signature_of(environ)
        service = signed.service if signed is not None else "unsigned"
        if budget is not None and not budget.take(service):
            return _answer(start_response, throttled(service, environ))
        refusal = expired(signed) if signed is not None and enforcing() else None
        if refusal is not None:
            return _answer(start_response, refusal)
        return moto_app(environ, start_response)

    return app


def _json(start_response: Callable[..., Any], status: str, body: bytes) -> list[bytes]:
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def _answer(start_response: Callable[..., Any], answer: Answer) -> list[bytes]:
    status, headers, body = answer
    start_response(status, [*headers, ("Content-Length", str(len(body)))])
    return [body]


def check_port_free(host: str, port: int) -> None:
    """Fail with a clear error before werkzeug, which prints and calls sys.exit on a busy port."""
    if port == 0:
        return
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            raise SandboxError(
                f"Cannot listen on {host}:{port}: {err.strerror or err}.",
                fix="Pass port=0 to let the sandbox pick a free port, or stop what uses it.",
            ) from err
