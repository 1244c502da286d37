"""The sandbox's HTTP server under the WSGI stack: keep-alive connections, counted.

werkzeug's development server answers every request with ``Connection: close`` (its
``run_wsgi`` cannot drain a request body before the next request line), so each AWS call would
open a new TCP connection and a client's connection pool could never be seen at work. AWS keeps
connections open (HTTP/1.1 persistent connections, RFC 9112 section 9.3), and connection reuse is
what a fan-out saves on real AWS. So :func:`request_handler` reads each request's body whole
before the application runs, writes the answer with its length (or chunked), and keeps the
connection for the next request.

:class:`ServerStats` counts what a benchmark asks of the sandbox (``Sandbox.stats()``): the
connections accepted, those that carried a request other than the sandbox's own ``/_xacct/``
pages, and those requests. A connection may wait ``connect_latency_s`` before its first answer,
as the handshake to a far region costs, once per connection (:mod:`.stack`'s latency is per
request). On a TLS sandbox the handshake runs here, in the connection's thread, not in the
thread that accepts connections.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, Final

__all__ = ["CONNECTION_KEY", "ConnectionRecord", "ServerStats", "request_handler", "serve_tls"]

#: The environ key under which the handler hands the stack its connection's record.
CONNECTION_KEY: Final = "xacct.connection"
_HANDSHAKE_TIMEOUT_S: Final = 10.0
_WRITE_BUFFER: Final = 64 * 1024  # bytes buffered per connection before a write goes out
_log = logging.getLogger(__name__)


@dataclass(eq=False)
class ConnectionRecord:
    """One accepted connection: its socket (to close it at stop) and whether it carried a
    request that counts (one other than the sandbox's own pages)."""

    sock: socket.socket
    counted: bool = False


class ServerStats:
    """What the server has done since start; thread-safe (one thread per connection)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accepted = 0
        self._connections = 0
        self._requests = 0
        self._handshake_failures = 0
        self._open: set[ConnectionRecord] = set()

    def opened(self, sock: socket.socket) -> ConnectionRecord:
        record = ConnectionRecord(sock)
        with self._lock:
            self._accepted += 1
            self._open.add(record)
        return record

    def closed(self, record: ConnectionRecord) -> None:
        with self._lock:
            self._open.discard(record)

    def handshake_failed(self) -> None:
        with self._lock:
            self._handshake_failures += 1

    def served(self, environ: dict[str, Any]) -> None:
        """Count a request (not one of the sandbox's own pages) and, at its first, its
        connection."""
        record = environ.get(CONNECTION_KEY)
        with self._lock:
            self._requests += 1
            if isinstance(record, ConnectionRecord) and not record.counted:
                record.counted = True
                self._connections += 1

    def snapshot(self) -> dict[str, int]:
        """``connections``: accepted connections that carried a request other than the
        sandbox's own ``/_xacct/`` pages; ``requests``: those requests; ``accepted``: every
        connection accepted (own pages and failed TLS handshakes too); ``open_connections``;
        ``handshake_failures`` (TLS)."""
        with self._lock:
            return {
                "connections": self._connections,
                "requests": self._requests,
                "accepted": self._accepted,
                "open_connections": len(self._open),
                "handshake_failures": self._handshake_failures,
            }

    def close_all(self) -> None:
        """Close every open connection, so a kept-alive client cannot reach a stopped sandbox."""
        with self._lock:
            records = list(self._open)
        for record in records:
            with contextlib.suppress(OSError):  # already closed by the client
                record.sock.shutdown(socket.SHUT_RDWR)


def request_handler(stats: ServerStats, connect_latency_s: float = 0) -> type[Any]:
    """moto's request handler, speaking HTTP/1.1 keep-alive, counting into ``stats``, and
    waiting ``connect_latency_s`` once per new connection (moto loads here, not at import)."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class SandboxRequestHandler(MotoRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = _WRITE_BUFFER  # an answer's head and body leave in one write (one flush)

        def setup(self) -> None:
            self._record = stats.opened(self.request)
            _no_delay(self.request)
            self._refused = False
            if connect_latency_s:
                time.sleep(connect_latency_s)
            if isinstance(self.request, ssl.SSLSocket):
                self._refused = not _handshake(self.request)
                if self._refused:
                    stats.handshake_failed()
            super().setup()

        def handle(self) -> None:
            if not self._refused:
                super().handle()

        def finish(self) -> None:
            try:
                super().finish()
            finally:
                stats.closed(self._record)

        def make_environ(self) -> dict[str, Any]:
            environ: dict[str, Any] = super().make_environ()
            environ[CONNECTION_KEY] = self._record
            return environ

        def run_wsgi(self) -> None:
            if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                self.wfile.flush()
            environ = self.make_environ()
            self.environ = environ
            response = _Response(self, environ)
            if not _read_body(environ, self.rfile):
                self.close_connection = True
                response.error("400 Bad Request")
                return
            try:
                result = self.server.app(environ, response.start_response)
                try:
                    for data in result:
                        response.write(data)
                    response.finish()
                finally:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()
            except (ConnectionError, TimeoutError, ssl.SSLError):
                self.close_connection = True
            except Exception:
                _log.exception("The sandbox failed to answer %s %s", self.command, self.path)
                if response.sent:
                    self.close_connection = True  # the client cannot tell where the body ends
                else:
                    response.error("500 Internal Server Error")

    return SandboxRequestHandler


def _no_delay(sock: socket.socket) -> None:
    """Send each answer as soon as it is written (``TCP_NODELAY``), as AWS's endpoints do.

    With Nagle's algorithm on, the last segment of an answer waits for the client to
    acknowledge the previous one, and clients delay that acknowledgement (40 ms on Linux): on a
    kept-alive connection every answer longer than one segment, or written in two parts, came
    ~40 ms late, a latency no AWS endpoint adds and which the ``latency_ms`` knob already models.
    """
    with contextlib.suppress(OSError):  # not TCP (a Unix socket): nothing to tune
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def serve_tls(server: Any, context: ssl.SSLContext) -> None:
    """Make werkzeug's ``server`` answer HTTPS with ``context``. Its listening socket is wrapped
    so that accepting does not shake hands: each connection's thread does (:func:`_handshake`),
    so a slow or plain-HTTP client never holds up the others."""
    server.socket = context.wrap_socket(
        server.socket, server_side=True, do_handshake_on_connect=False
    )
    server.ssl_context = context  # werkzeug's environ then says https


def _handshake(sock: ssl.SSLSocket) -> bool:
    """Complete the TLS handshake of an accepted connection; False when the client cannot."""
    try:
        sock.settimeout(_HANDSHAKE_TIMEOUT_S)
        sock.do_handshake()
        sock.settimeout(None)
    except (OSError, ValueError):  # ssl.SSLError is an OSError: plain HTTP, an unknown CA
        return False
    return True


def _read_body(environ: dict[str, Any], rfile: IO[bytes] | io.BufferedIOBase) -> bool:
    """Replace ``wsgi.input`` by the whole body, read now, so the next request starts where
    this one ends; False when the request's length is unreadable or the body is cut short."""
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):  # chunked: werkzeug's reader knows the end
        try:
            environ["wsgi.input"] = io.BytesIO(stream.read())
        except OSError:
            return False
        return True
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    body = rfile.read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return len(body) == max(length, 0)


class _Response:
    """One answer on a kept-alive connection: with its length, or chunked when the
    application gives none (no body for HEAD, 1xx, 204 and 304)."""

    def __init__(self, handler: Any, environ: dict[str, Any]) -> None:
        self._handler = handler
        self._head = environ.get("REQUEST_METHOD") == "HEAD"
        self._status: str | None = None
        self._headers: list[tuple[str, str]] = []
        self._chunked = False
        self._bodiless = False
        self.sent = False

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        if exc_info and self.sent:
            raise exc_info[1].with_traceback(exc_info[2])
        self._status, self._headers = status, list(headers)
        return self.write

    def write(self, data: bytes) -> None:
        handler = self._handler
        if not self.sent:
            self._send_headers()
        if data and not self._bodiless:
            if self._chunked:
                handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            else:
                handler.wfile.write(data)
        handler.wfile.flush()

    def finish(self) -> None:
        if not self.sent:
            self.write(b"")
        if self._chunked:
            self._handler.wfile.write(b"0\r\n\r\n")
            self._handler.wfile.flush()

    def error(self, status: str) -> None:
        body = status.encode()
        self._status = status
        self._headers = [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
        self._chunked = False
        self.write(body)

    def _send_headers(self) -> None:
        handler = self._handler
        if self._status is None:
            raise RuntimeError("The application wrote before start_response.")
        code_text, _, reason = self._status.partition(" ")
        code = int(code_text)
        self._bodiless = self._head or 100 <= code < 200 or code in (204, 304)
        names = {name.lower() for name, _ in self._headers}
        handler.send_response(code, reason)
        for name, value in self._headers:
            handler.send_header(name, value)
        if "content-length" not in names and not self._bodiless:
            if handler.request_version >= "HTTP/1.1":
                self._chunked = True
                handler.send_header("Transfer-Encoding", "chunked")
            else:
                handler.close_connection = True  # an HTTP/1.0 body ends where the connection does
        if handler.close_connection:
            handler.send_header("Connection", "close")
        handler.end_headers()
        self.sent = True
