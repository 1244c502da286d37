"""``Sandbox``: the embedded default AWS, a seeded moto server on loopback, in this process.

It is a :class:`.handle.SandboxHandle` (sessions, env, clock, ...) that also starts, stops and
resets the server (a thread, as tests and ``xacct lab`` use it). Another process reaches it with
:meth:`Sandbox.attach` / :meth:`Sandbox.from_env`, which return a plain handle read from the
server itself, so a notebook kernel needs only ``XACCT_SANDBOX_URL``. Its clock
(:meth:`Sandbox.advance_clock`) decides when issued credentials expire (:mod:`.clock`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from datetime import datetime
from types import TracebackType
from typing import Any

from ..errors import SandboxError
from .accounts import REGION
from .canary import CanaryResult, run_canary
from .clock import CLOCK
from .handle import SandboxHandle
from .moto_integration import catalog, patches, state
from .moto_integration.keys import forget_keys
from .remote import trust
from .seed import Seed, describe, seed_all
from .sessions import forget_sessions
from .wsgi.local_ca import LocalCA, make_local_ca
from .wsgi.serving import ServerStats, request_handler, serve_tls
from .wsgi.stack import check_port_free, sandbox_app

_running_in_process: Sandbox | None = None
_process_lock = threading.Lock()


class Sandbox(SandboxHandle):
    """A moto server seeded with the tutorial's accounts, enforcing IAM as AWS does.

    ``with Sandbox() as sb:`` or ``sb = Sandbox().start()`` ... ``sb.stop()``. Only one sandbox
    runs per process, because moto keeps its state per process.
    """

    def __init__(
        self,
        *,
        member_accounts: int = 0,
        latency_ms: float = 0,
        port: int = 0,
        host: str = "127.0.0.1",
        region: str = REGION,
        enforce: bool = True,
        requests_per_second: float | None = None,
        tls: bool = False,
        connect_latency_ms: float = 0,
    ) -> None:
        if not isinstance(member_accounts, int) or not 0 <= member_accounts <= 5000:
            raise SandboxError(
                f"member_accounts must be an integer 0-5000, got {member_accounts!r}."
            )
        for name, value in (("latency_ms", latency_ms), ("connect_latency_ms", connect_latency_ms)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise SandboxError(
                    f"{name} must be a number of milliseconds >= 0, got {value!r}.",
                    fix=f"e.g. {name}=100 to model a far region's round trip.",
                )
        if not isinstance(tls, bool):
            raise SandboxError(f"tls must be True or False, got {tls!r}.")
        if not host.startswith("127.") and host not in ("localhost", "::1"):
            raise SandboxError(
                f"The sandbox binds loopback only, not {host!r}.", fix="Use host='127.0.0.1'."
            )
        super().__init__(
            None,
            region=region,
            latency_ms=latency_ms,
            member_accounts=member_accounts,
            connect_latency_ms=connect_latency_ms,
        )
        self.enforce = enforce
        # HTTPS with a certificate of a CA made at start (.wsgi.local_ca); ca_bundle names it.
        self.tls = tls
        self._ca: LocalCA | None = None
        # Past this many requests per second per service: AWS's throttling error (http.py).
        self.requests_per_second = requests_per_second
        self._host = host
        self._port = port
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._seed: Seed | None = None
        self._saved_auth: tuple[float, int] | None = None
        self._stats: ServerStats | None = None
        self.self_check: CanaryResult | None = None  # the start-up check (.canary)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> Sandbox:
        global _running_in_process
        if self._url:
            raise SandboxError(f"This sandbox is already running at {self._url}.")
        with _process_lock:
            if _running_in_process is not None:
                raise SandboxError(
                    f"A sandbox already runs in this process at "
                    f"{_running_in_process.endpoint_url}; moto keeps one state per process.",
                    fix="Reuse it, stop it first, or reach another process's with "
                    "Sandbox.attach(url).",
                )
            _running_in_process = self
        try:
            self._start()
        except BaseException:
            with _process_lock:
                _running_in_process = None
            self._teardown()
            raise
        return self

    def _start(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        catalog.narrow_managed_policies()
        patches.install()
        _forget_everything()
        self._seed = seed_all(self.member_accounts)
        self._principals = describe(self._seed.principals)
        moto_app = DomainDispatcherApplication(create_backend_app)
        self._stats = stats = ServerStats()
        app = sandbox_app(
            moto_app,
            info=self._info,
            latency_s=self.latency_ms / 1000,
            requests_per_second=self.requests_per_second,
            stats=stats,
        )
        check_port_free(self._host, self._port)
        handler = request_handler(stats, self.connect_latency_ms / 1000)
        try:
            self._server = make_server(
                self._host, self._port, app, threaded=True, request_handler=handler
            )
        except (OSError, SystemExit) as err:  # werkzeug exits on EADDRINUSE; a race got there first
            raise SandboxError(
                f"Cannot listen on {self._host}:{self._port}.",
                fix="Pass port=0 to let the sandbox pick a free port.",
            ) from err
        host, port = self._server.server_address[:2]
        self._url = f"http://{host}:{port}"
        if self.tls:
            self._ca = make_local_ca(host)
            serve_tls(self._server, self._ca.server_context())
            self._url = f"https://{host}:{port}"
            self.ca_bundle = str(self._ca.ca_bundle)
            trust(self._url, self.ca_bundle)
        if self.enforce:
            self._saved_auth = state.start_authorizing()
            # Real questions before serving (.canary), through the same stack without its
            # latency and budget: raises, and start() tears down.
            checked = sandbox_app(moto_app, info=self._info)
            self.self_check = run_canary(checked, self._url, self.region, self._principals)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="xacct-sandbox", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        global _running_in_process
        if self._url is None:
            raise SandboxError(
                "This sandbox is not running (stop() was already called, or start() never was)."
            )
        self._teardown()
        _forget_everything()
        with _process_lock:
            _running_in_process = None

    def _teardown(self) -> None:
        if self._server is not None:
            if self._thread is not None:  # else shutdown() waits for a serve_forever never run
                self._server.shutdown()
            self._server.server_close()
        if self._stats is not None:
            self._stats.close_all()  # kept-alive connections: no client reaches a stopped server
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._ca is not None:
            if self._url is not None:
                trust(self._url, None)
            self._ca.remove()
        if self._saved_auth is not None:
            state.restore_authorization(self._saved_auth)
        self._server = self._thread = self._saved_auth = None
        self._url = self._ca = self.ca_bundle = None

    def reset(self) -> None:
        """Wipe everything done since start and seed afresh (same keys, same IDs, real time)."""
        if self._url is None:
            raise SandboxError("Only a running in-process sandbox can be reset.")
        _forget_everything()
        self._seed = seed_all(self.member_accounts)
        self._principals = describe(self._seed.principals)

    def __enter__(self) -> Sandbox:
        return self if self._url else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._url is not None:
            self.stop()

    # -- what the server knows first-hand ----------------------------------------------------
    @property
    def member_account_ids(self) -> list[str]:
        return list(self._seed.member_accounts) if self._seed is not None else []

    def stats(self) -> dict[str, int]:
        """The server's counts since start, read here without a request (see
        :meth:`SandboxHandle.stats`)."""
        _ = self.endpoint_url  # raises when not running
        return self._stats.snapshot() if self._stats is not None else {}

    def _clock(self, change: Mapping[str, float] | None = None) -> datetime:
        _ = self.endpoint_url  # raises when not running
        return CLOCK.advance(change["advance"]) if change else CLOCK.now()

    # -- internals ---------------------------------------------------------------------------
    def _info(self) -> bytes:
        return json.dumps(
            {
                "region": self.region,
                "latency_ms": self.latency_ms,
                "connect_latency_ms": self.connect_latency_ms,
                "tls": self.tls,
                "member_accounts": self.member_accounts,
                "member_account_ids": self.member_account_ids,
                "principals": self._principals,
            }
        ).encode()


def _forget_everything() -> None:
    """moto's state, the root keys and key index, the issued sessions, the console's sessions
    and the clock's offset: what a start, a stop and a reset all begin from."""
    from .console.app import forget_console

    forget_keys()
    forget_sessions()
    forget_console()
    CLOCK.reset()
    state.reset_moto()


def running_in_process() -> Sandbox | None:
    """The sandbox started in this process, if one is running."""
    with _process_lock:
        return _running_in_process
