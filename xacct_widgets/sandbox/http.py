"""The HTTP front of the moto server: what the sandbox adds around moto's WSGI app.

A latency knob (``latency_ms``) lets benchmarks and demos feel AWS's round trips on loopback;
``/_xacct/sandbox.json`` lets another process (``Sandbox.attach``) learn the seeded principals;
and a busy port is reported as a SandboxError before werkzeug prints and calls ``sys.exit``.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable
from typing import Any, Final

from ..errors import SandboxError

__all__ = ["INFO_PATH", "WSGIApp", "check_port_free", "reset_moto", "with_latency_and_info"]

INFO_PATH: Final = "/_xacct/sandbox.json"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def with_latency_and_info(app: WSGIApp, latency_s: float, info: Callable[[], bytes]) -> WSGIApp:
    """WSGI middleware: serve the seed description, and delay every AWS request by ``latency_s``."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == INFO_PATH:
            body = info()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        if latency_s and not path.startswith("/moto-api"):
            time.sleep(latency_s)
        return app(environ, start_response)

    return middleware


def reset_moto() -> None:
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


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
