"""The HTTP front of the moto server: what the sandbox adds around moto's WSGI app.

A latency knob (``latency_ms``) lets benchmarks and demos feel AWS's round trips on loopback;
a request budget (``requests_per_second``) makes the sandbox throttle as AWS does when a
fan-out asks too fast (:class:`RequestBudget`); ``/_xacct/sandbox.json`` lets another process
(``Sandbox.attach``, a process pool or Dask worker through ``SandboxHandle.caller_spec``)
learn the seeded principals; and a busy port is reported as a SandboxError before werkzeug
prints and calls ``sys.exit``.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Final

from ..errors import SandboxError
from .answers import Answer, error_answer
from .client import INFO_PATH
from .console_pages import CONSOLE_PATHS

__all__ = [
    "INFO_PATH",
    "RequestBudget",
    "WSGIApp",
    "check_port_free",
    "reset_moto",
    "with_latency_and_info",
]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def with_latency_and_info(
    app: WSGIApp,
    latency_s: float,
    info: Callable[[], bytes],
    requests_per_second: float | None = None,
) -> WSGIApp:
    """WSGI middleware: serve the seed description, delay every AWS request by ``latency_s``,
    and answer AWS's throttling error past ``requests_per_second`` (per service)."""
    budget = RequestBudget(requests_per_second) if requests_per_second else None

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == INFO_PATH:
            body = info()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        if path.startswith("/moto-api"):
            return app(environ, start_response)
        if path in CONSOLE_PATHS:  # the console's pages: federation, sign-in, switch role
            from .console import serve  # loads moto: only in the process serving the sandbox

            return serve(environ, start_response)
        if latency_s:
            time.sleep(latency_s)
        if budget is not None:
            service = _service_of(environ)
            if not budget.take(service):
                status, headers, body = throttled(service, environ)
                start_response(status, [*headers, ("Content-Length", str(len(body)))])
                return [body]
        return app(environ, start_response)

    return middleware


# -- throttling ----------------------------------------------------------------------------------
_SCOPE_RE: Final = re.compile(r"Credential=[^/,]+/\d{8}/[^/,]+/([^/,]+)/aws4_request")


def _service_of(environ: dict[str, Any]) -> str:
    """The signing service of a request (its SigV4 credential scope), e.g. ``iam``, ``s3``."""
    found = _SCOPE_RE.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    return found.group(1) if found else "unsigned"


class RequestBudget:
    """A request-rate quota per service: a token bucket of ``per_second`` tokens, refilled
    continuously, holding at most one second's worth (the burst).

    AWS meters API requests and refuses the excess with a throttling error rather than queueing
    it (IAM and STS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html;
    Organizations: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html;
    S3: https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html). AWS
    meters per account and API; here one bucket per service serves every account, the stricter
    case for a fan-out.
    """

    def __init__(self, per_second: float) -> None:
        if per_second <= 0:
            raise SandboxError(f"requests_per_second must be > 0, got {per_second!r}.")
        self.per_second = float(per_second)
        self._tokens: dict[str, tuple[float, float]] = {}  # service -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, service: str) -> bool:
        """Spend one request of ``service``'s budget; False when there is none left now."""
        now = time.monotonic()
        with self._lock:
            tokens, at = self._tokens.get(service, (self.per_second, now))
            tokens = min(self.per_second, tokens + (now - at) * self.per_second)
            allowed = tokens >= 1.0
            self._tokens[service] = (tokens - 1.0 if allowed else tokens, now)
            return allowed


def throttled(service: str, environ: dict[str, Any]) -> Answer:
    """AWS's throttling answer for ``service``, in that service's protocol.

    * S3 (REST-XML): 503 ``SlowDown`` "Please reduce your request rate."
      (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
    * EC2: 503 ``RequestLimitExceeded``
      (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/throttling.html).
    * JSON protocols (``X-Amz-Target``): 400 ``TooManyRequestsException`` for Organizations
      (https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html), else
      400 ``ThrottlingException``.
    * Query protocol (IAM, STS): 400 ``Throttling`` "Rate exceeded", as IAM and STS answer
      (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).
    """
    if service == "s3":
        return error_answer("s3", "503 Slow Down", "SlowDown", "Please reduce your request rate.")
    if service == "ec2":
        return error_answer(
            "ec2", "503 Service Unavailable", "RequestLimitExceeded", "Request limit exceeded."
        )
    if environ.get("HTTP_X_AMZ_TARGET"):
        code = "TooManyRequestsException" if service == "organizations" else "ThrottlingException"
        message = "You have sent too many requests in too short a period of time."
        return error_answer("json", "400 Bad Request", code, message)
    return error_answer("query", "400 Bad Request", "Throttling", "Rate exceeded")


# -- reaching the sandbox from a worker process --------------------------------------------------
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
