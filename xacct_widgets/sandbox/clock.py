"""The sandbox's own clock, and the expiry of the session credentials it issues.

STS credentials stop working at their ``Expiration`` (AssumeRole API reference, "Credentials";
"Requesting temporary security credentials"): every request signed with them afterwards is
refused with ``ExpiredToken`` - "The security token included in the request is expired". A test
cannot wait an hour for that, so the sandbox keeps a clock of its own, real time plus an offset
that :meth:`Sandbox.advance_clock` moves, and every expiry decision reads it. moto's own
timestamps (the ``Expiration`` it answers) do not move; only the decision does.

The clock lives in the server process. Another process (a kernel that reached the sandbox with
``Sandbox.attach``) reads and moves it through ``/_xacct/clock``, so both see the same time.

The HTTP status follows what AWS answers per protocol: 403 with ``<ErrorResponse>`` for the query
APIs (IAM, STS, SQS: "ExpiredToken ... status code: 403" in SDK logs), ``ExpiredTokenException``
in JSON for the JSON APIs, and S3's own ``ExpiredToken`` (400, "The provided token has expired.").
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Final
from urllib.parse import parse_qs

from .answers import Answer, error_answer
from .hooks import enforcing

__all__ = [
    "CLOCK",
    "CLOCK_PATH",
    "EXPIRED_MESSAGE",
    "IssuedSession",
    "SandboxClock",
    "forget_sessions",
    "issued_session",
    "record_session",
    "with_clock",
]

CLOCK_PATH: Final = "/_xacct/clock"
EXPIRED_MESSAGE: Final = "The security token included in the request is expired"
_S3_EXPIRED_MESSAGE: Final = "The provided token has expired."
_CREDENTIAL: Final = re.compile(r"Credential=([A-Z0-9]+)/[^/,]*/[^/,]*/([^/,]+)/")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class SandboxClock:
    """Real time plus an offset that only moves forward; shared by every thread of the server."""

    def __init__(self) -> None:
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset.total_seconds()

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` (>= 0); the new time."""
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            raise ValueError(f"seconds must be a number >= 0, got {seconds!r}")
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta()


#: The one clock of this process's sandbox (moto, and so the sandbox, is one per process).
CLOCK: Final = SandboxClock()


@dataclass(frozen=True)
class IssuedSession:
    """Temporary credentials the sandbox issued: who they act as and until when (sandbox time).

    No secret here: the access key ID is what requests name, the secret never leaves moto.
    """

    access_key_id: str
    arn: str
    role_arn: str
    expires_at: datetime
    #: Assumed from another role session (role chaining): the console federation refuses
    #: SessionDuration for it (:mod:`.console`).
    chained: bool = False


_sessions: dict[str, IssuedSession] = {}
_sessions_lock = threading.Lock()


def record_session(
    access_key_id: str, arn: str, role_arn: str, duration_s: int, chained: bool = False
) -> IssuedSession:
    issued = IssuedSession(
        access_key_id, arn, role_arn, CLOCK.now() + timedelta(seconds=duration_s), chained
    )
    with _sessions_lock:
        _sessions[access_key_id] = issued
    return issued


def issued_session(access_key_id: str | None) -> IssuedSession | None:
    """The session these keys belong to, if the sandbox issued them (a role session)."""
    if not access_key_id:
        return None
    with _sessions_lock:
        return _sessions.get(access_key_id)


def forget_sessions() -> None:
    with _sessions_lock:
        _sessions.clear()


# -- HTTP ------------------------------------------------------------------------------------------
def _signed_with(environ: dict[str, Any]) -> tuple[str, str] | None:
    """(access key ID, signing service) of a SigV4 request, from its header or presigned URL."""
    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match:
        return match.group(1), match.group(2)
    credential = parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential")
    if credential:
        parts = credential[0].split("/")
        if len(parts) >= 4:
            return parts[0], parts[3]
    return None


@lru_cache(maxsize=64)
def _protocol(service: str) -> str:
    import botocore.session

    try:
        model = botocore.session.get_session().get_service_model(service)
    except Exception:  # an unknown signing name: answer as the query APIs do
        return "query"
    return str(model.protocol)


def _expired(service: str) -> Answer:
    protocol = _protocol(service)
    if protocol in ("json", "rest-json"):
        return error_answer("json", "400 Bad Request", "ExpiredTokenException", EXPIRED_MESSAGE)
    if service == "s3":
        return error_answer("s3", "400 Bad Request", "ExpiredToken", _S3_EXPIRED_MESSAGE)
    return error_answer("query", "403 Forbidden", "ExpiredToken", EXPIRED_MESSAGE)


def _clock_answer(environ: dict[str, Any]) -> tuple[str, bytes]:
    """GET: the time; POST ``{"advance": seconds}`` or ``{"reset": true}``: move it first."""
    if environ.get("REQUEST_METHOD") == "POST":
        try:
            size = int(environ.get("CONTENT_LENGTH") or 0)
            asked = json.loads(environ["wsgi.input"].read(size) or b"{}")
            if asked.get("reset"):
                CLOCK.reset()
            else:
                CLOCK.advance(asked.get("advance", 0))
        except (ValueError, TypeError, AttributeError) as err:
            return "400 Bad Request", json.dumps({"error": str(err)}).encode()
    body = {"now": CLOCK.now().isoformat(), "offset_seconds": CLOCK.offset_seconds}
    return "200 OK", json.dumps(body).encode()


def with_clock(app: WSGIApp) -> WSGIApp:
    """WSGI middleware: serve the clock, and refuse requests signed with expired session keys."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "") == CLOCK_PATH:
            status, body = _clock_answer(environ)
            start_response(
                status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        signed = _signed_with(environ)
        if signed is not None and enforcing():
            session = issued_session(signed[0])
            if session is not None and CLOCK.now() >= session.expires_at:
                status, headers, body = _expired(signed[1])
                start_response(status, [*headers, ("Content-Length", str(len(body)))])
                return [body]
        return app(environ, start_response)

    return middleware
