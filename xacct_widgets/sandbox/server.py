"""``Sandbox``: the embedded default AWS, a seeded moto server on loopback.

Runs in this process (a thread, as tests and ``xacct lab`` use it) or is reached in another one
through :meth:`Sandbox.attach` / :meth:`Sandbox.from_env`, which read the seeded principals from
the server itself so a notebook kernel needs only ``XACCT_SANDBOX_URL``. Its clock
(:meth:`Sandbox.advance_clock`) decides when issued credentials expire (:mod:`.clock`).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Mapping
from datetime import datetime
from types import TracebackType
from typing import Any

import boto3
import botocore.session
import pandas as pd

from ..errors import SandboxError
from . import ENV_URL
from .canary import CanaryResult, run_canary
from .client import PROFILE, config_file, credential_command, describe, fetch_info, remote_clock
from .http import check_port_free, reset_moto, with_latency_and_info
from .seed import ACCOUNT_ALIASES, REGION, Seed

_running_in_process: Sandbox | None = None
_process_lock = threading.Lock()


class Sandbox:
    """A moto server seeded with the tutorial's accounts, enforcing IAM as AWS does.

    ``with Sandbox() as sb:`` or ``sb = Sandbox().start()`` ... ``sb.stop()``. Only one sandbox
    runs per process, because moto keeps its state per process.
    """

    SOURCE = ACCOUNT_ALIASES["source"]
    TARGET = ACCOUNT_ALIASES["target"]
    MANAGEMENT = ACCOUNT_ALIASES["management"]
    from .moto_patches import SANDBOX_MFA_CODE as MFA_CODE
    from .seed import CONSOLE_PASSWORD

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
    ) -> None:
        if not isinstance(member_accounts, int) or not 0 <= member_accounts <= 5000:
            raise SandboxError(
                f"member_accounts must be an integer 0-5000, got {member_accounts!r}."
            )
        if latency_ms < 0:
            raise SandboxError(f"latency_ms must be >= 0, got {latency_ms!r}.")
        if not host.startswith("127.") and host not in ("localhost", "::1"):
            raise SandboxError(
                f"The sandbox binds loopback only, not {host!r}.", fix="Use host='127.0.0.1'."
            )
        self.member_accounts = member_accounts
        self.latency_ms = latency_ms
        self.region = region
        self.enforce = enforce
        # Past this many requests per second per service: AWS's throttling error (http.py).
        self.requests_per_second = requests_per_second
        self._host = host
        self._port = port
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._seed: Seed | None = None
        self._principals: dict[str, dict[str, dict[str, Any]]] = {}
        self._url: str | None = None
        self._remote = False
        self._saved_auth: tuple[float, int] | None = None
        self._member_ids: list[str] = []
        self.self_check: CanaryResult | None = None  # the start-up check (.canary)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> Sandbox:
        global _running_in_process
        if self._remote:
            raise SandboxError("This sandbox runs in another process; it is already started.")
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
        from moto import settings
        from moto.core.authorization import ActionAuthenticatorMixin
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        from . import catalog, clock, iam_writes, moto_patches, seed, sts_limits

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        catalog.narrow_managed_policies()
        moto_patches.install()
        sts_limits.install()  # after moto_patches: wraps the AssumeRole it patched
        iam_writes.install()
        reset_moto()
        _forget_clock_and_sessions()
        self._seed = seed.seed_all(self.member_accounts)
        self._principals = describe(self._seed.principals)
        backend = clock.with_clock(DomainDispatcherApplication(create_backend_app))
        app = with_latency_and_info(
            backend,
            self.latency_ms / 1000,
            self._info,
            self.requests_per_second,
        )
        check_port_free(self._host, self._port)
        try:
            self._server = make_server(
                self._host, self._port, app, threaded=True, request_handler=MotoRequestHandler
            )
        except (OSError, SystemExit) as err:  # werkzeug exits on EADDRINUSE; a race got there first
            raise SandboxError(
                f"Cannot listen on {self._host}:{self._port}.",
                fix="Pass port=0 to let the sandbox pick a free port.",
            ) from err
        host, port = self._server.server_address[:2]
        self._url = f"http://{host}:{port}"
        if self.enforce:
            self._saved_auth = (
                settings.INITIAL_NO_AUTH_ACTION_COUNT,
                ActionAuthenticatorMixin.request_count,
            )
            settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
            ActionAuthenticatorMixin.request_count = 0
            # Real questions before serving (.canary): raises, and start() tears down.
            self.self_check = run_canary(backend, self._url, self.region, self._principals)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="xacct-sandbox", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        global _running_in_process
        if self._remote:
            raise SandboxError(
                f"The sandbox at {self._url} runs in another process.",
                fix="Stop it there (Ctrl-C in the `xacct sandbox` terminal).",
            )
        if self._url is None:
            raise SandboxError(
                "This sandbox is not running (stop() was already called, or start() never was)."
            )
        self._teardown()
        from . import moto_patches

        moto_patches.forget_root_keys()
        _forget_clock_and_sessions()
        reset_moto()
        with _process_lock:
            _running_in_process = None

    def _teardown(self) -> None:
        if self._server is not None:
            if self._thread is not None:  # else shutdown() waits for a serve_forever never run
                self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._saved_auth is not None:
            from moto import settings
            from moto.core.authorization import ActionAuthenticatorMixin

            settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = (
                self._saved_auth
            )
        self._server = self._thread = self._saved_auth = None
        self._url = None

    def reset(self) -> None:
        """Wipe everything done since start and seed afresh (same keys, same IDs, real time)."""
        if self._remote or self._url is None:
            raise SandboxError("Only a running in-process sandbox can be reset.")
        from . import moto_patches, seed

        moto_patches.forget_root_keys()
        _forget_clock_and_sessions()
        reset_moto()
        self._seed = seed.seed_all(self.member_accounts)
        self._principals = describe(self._seed.principals)

    def __enter__(self) -> Sandbox:
        return self if self._url else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._url is not None and not self._remote:
            self.stop()

    # -- another process's sandbox -----------------------------------------------------------
    @classmethod
    def attach(cls, url: str) -> Sandbox:
        """A handle on a sandbox served by another process (``xacct sandbox``, ``xacct lab``)."""
        url = url.rstrip("/")
        info = fetch_info(url)
        sandbox = cls(
            member_accounts=int(info["member_accounts"]),
            latency_ms=float(info["latency_ms"]),
            region=info["region"],
        )
        sandbox._url, sandbox._remote = url, True
        sandbox._principals = info["principals"]
        sandbox._member_ids = info["member_account_ids"]
        return sandbox

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Sandbox:
        """The sandbox named by ``XACCT_SANDBOX_URL`` (set by ``xacct lab`` for its kernels)."""
        url = (environ if environ is not None else os.environ).get(ENV_URL)
        if not url:
            raise SandboxError(
                f"{ENV_URL} is not set, so no sandbox is known to this process.",
                fix="Start JupyterLab with `xacct lab`, or run `xacct sandbox` and "
                f"export the {ENV_URL} it prints.",
            )
        return cls.attach(url)

    # -- what callers use --------------------------------------------------------------------
    @property
    def endpoint_url(self) -> str:
        if self._url is None:
            raise SandboxError("The sandbox is not running.", fix="Call start() first.")
        return self._url

    @property
    def is_running(self) -> bool:
        return self._url is not None

    @property
    def member_account_ids(self) -> list[str]:
        if self._seed is not None:
            return list(self._seed.member_accounts)
        return list(self._member_ids)

    def account(self, account: str) -> str:
        """Resolve an alias (``source``, ``target``, ``management``) or an ID with hyphens."""
        candidate = ACCOUNT_ALIASES.get(str(account).strip().lower(), str(account))
        candidate = candidate.replace("-", "").strip()
        if candidate not in self._principals:
            known = ", ".join(
                f"{a} ({i})" for a, i in ACCOUNT_ALIASES.items() if i in self._principals
            )
            raise SandboxError(
                f"The sandbox has no seeded principals in account {account!r}.",
                fix=f"Use one of: {known}.",
            )
        return candidate

    def principal(self, account: str = "source", user: str = "operator") -> dict[str, Any]:
        """The seeded principal, without its secret."""
        entry = self._principal(account, user)
        return {k: v for k, v in entry.items() if k != "secret_access_key"}

    def _principal(self, account: str, user: str) -> dict[str, Any]:
        account_id = self.account(account)
        users = self._principals[account_id]
        if user not in users:
            raise SandboxError(
                f"No user {user!r} in sandbox account {account_id}.",
                fix=f"Seeded users there: {', '.join(sorted(users))}.",
            )
        return users[user]

    def session(
        self, account: str = "source", user: str = "operator", region: str | None = None
    ) -> boto3.Session:
        """A boto3 session acting as a seeded principal, wired to this sandbox's endpoint.

        The session needs nothing from this handle afterwards: it keeps working after the handle
        is gone (``Sandbox.attach(url).session()`` in one expression), as long as the server runs.
        """
        entry = self._principal(account, user)
        core = botocore.session.Session()
        core.set_config_variable("config_file", str(config_file(self.endpoint_url, self.region)))
        core.set_config_variable("credentials_file", os.devnull)
        core.set_config_variable("profile", PROFILE)
        core.set_credentials(entry["access_key_id"], entry["secret_access_key"])
        return boto3.Session(botocore_session=core, region_name=region or self.region)

    def env(self, account: str = "source", user: str = "operator") -> dict[str, str]:
        """Environment for a kernel or the AWS CLI: endpoint, region and that principal's keys."""
        entry = self._principal(account, user)
        return {
            ENV_URL: self.endpoint_url,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": entry["access_key_id"],
            "AWS_SECRET_ACCESS_KEY": entry["secret_access_key"],
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }

    def credential_process(self, account: str = "source", user: str = "operator") -> str:
        """A ``credential_process`` line for an AWS config profile acting as that principal:
        the profile reaches the sandbox (with ``endpoint_url``) and no key is written anywhere."""
        self._principal(account, user)  # a clear error now rather than when the CLI runs it
        return credential_command(self.endpoint_url, account, user)

    def principals(self) -> pd.DataFrame:
        """The seeded principals as a table, access key IDs masked, no secrets."""
        from ..core.frames import mask_key_id

        rows = [
            {
                "account_id": p["account_id"],
                "user": p["name"],
                "arn": p["arn"],
                "access_key_id": mask_key_id(p["access_key_id"]),
                "mfa_serial": p["mfa_serial"] or "",
                "description": p["description"],
            }
            for users in self._principals.values()
            for p in users.values()
        ]
        return pd.DataFrame(
            rows,
            columns=["account_id", "user", "arn", "access_key_id", "mfa_serial", "description"],
        )

    def secrets(self) -> list[str]:
        """Every seeded secret key, for tests that scan outputs for leaks."""
        return [
            u["secret_access_key"] for users in self._principals.values() for u in users.values()
        ]

    def __repr__(self) -> str:
        where = self._url or "not running"
        return (
            f"Sandbox({where}, member_accounts={self.member_accounts}, "
            f"latency_ms={self.latency_ms:g})"
        )

    # -- the sandbox clock -------------------------------------------------------------------
    def now(self) -> datetime:
        """The sandbox's time: real time plus every :meth:`advance_clock` since start or reset.

        Every expiry decision reads it (session credentials answer ``ExpiredToken`` past it).
        """
        return self._clock()

    def advance_clock(self, seconds: float) -> datetime:
        """Move the sandbox's clock ``seconds`` forward, e.g. past a session's expiry, without
        waiting; the new time. Shared with every process attached to this sandbox."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise SandboxError(
                f"advance_clock takes a number of seconds >= 0, got {seconds!r}.",
                fix="e.g. sb.advance_clock(3601) to pass a one-hour session's expiry.",
            )
        return self._clock({"advance": seconds})

    def _clock(self, change: Mapping[str, float] | None = None) -> datetime:
        from .clock import CLOCK

        url = self.endpoint_url  # raises when not running
        if self._remote:
            return remote_clock(url, change)
        return CLOCK.advance(change["advance"]) if change else CLOCK.now()

    # -- internals ---------------------------------------------------------------------------
    def _info(self) -> bytes:
        return json.dumps(
            {
                "region": self.region,
                "latency_ms": self.latency_ms,
                "member_accounts": self.member_accounts,
                "member_account_ids": self.member_account_ids,
                "principals": self._principals,
            }
        ).encode()


def _forget_clock_and_sessions() -> None:
    from .clock import CLOCK, forget_sessions
    from .console import forget_console

    CLOCK.reset()
    forget_sessions()
    forget_console()


def running_in_process() -> Sandbox | None:
    """The sandbox started in this process, if one is running."""
    with _process_lock:
        return _running_in_process
