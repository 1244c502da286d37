"""``SandboxHandle``: what a client of a running sandbox holds, in whichever process it runs.

A URL, the seeded principals (read from the server's ``/_xacct/sandbox.json``), and what is
built from them: boto3 sessions, environment variables, ``credential_process`` lines, callers
for query workers, and the sandbox clock (read and moved over ``/_xacct/clock``). A handle
cannot start, stop or reset a server: :class:`.server.Sandbox` is the handle that also serves.

Nothing here loads moto, so a notebook kernel, a process-pool or Dask worker and the
``credential_process`` command reach a sandbox for the price of an HTTP request.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session

from ..errors import SandboxError
from . import ENV_CA_BUNDLE, ENV_URL
from .accounts import ACCOUNT_ALIASES, CONSOLE_PASSWORD, REGION, SANDBOX_MFA_CODE
from .remote import (
    PROFILE,
    ca_bundle_of,
    config_file,
    credential_command,
    fetch_info,
    remote_clock,
    remote_stats,
    trust,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..core.query import CallerSpec

__all__ = ["SandboxHandle", "principal_session"]

#: The seeded principals as ``/_xacct/sandbox.json`` serves them: account -> user -> fields.
Principals = dict[str, dict[str, dict[str, Any]]]


class SandboxHandle:
    """A running sandbox as a client sees it: ``SandboxHandle.attach(url)`` or ``from_env()``.

    ``Sandbox.attach`` and ``Sandbox.from_env`` return one too; it cannot start or stop the
    server it names (that is the serving process's :class:`~.server.Sandbox`).
    """

    SOURCE = ACCOUNT_ALIASES["source"]
    TARGET = ACCOUNT_ALIASES["target"]
    MANAGEMENT = ACCOUNT_ALIASES["management"]
    MFA_CODE = SANDBOX_MFA_CODE
    CONSOLE_PASSWORD = CONSOLE_PASSWORD

    def __init__(
        self,
        url: str | None,
        *,
        region: str = REGION,
        latency_ms: float = 0,
        member_accounts: int = 0,
        principals: Principals | None = None,
        member_account_ids: list[str] | None = None,
        connect_latency_ms: float = 0,
        ca_bundle: str | None = None,
    ) -> None:
        self._url = url
        self.region = region
        self.latency_ms = latency_ms
        self.connect_latency_ms = connect_latency_ms
        #: The PEM file an HTTPS sandbox's clients trust (``Sandbox(tls=True)``); None on HTTP.
        self.ca_bundle = ca_bundle
        self.member_accounts = member_accounts
        self._principals: Principals = principals or {}
        self._member_ids: list[str] = list(member_account_ids or [])

    # -- reaching a sandbox -------------------------------------------------------------------
    @classmethod
    def attach(cls, url: str, *, ca_bundle: str | None = None) -> SandboxHandle:
        """A handle on a sandbox served by another process (``xacct sandbox``, ``xacct lab``).

        An HTTPS sandbox (``xacct sandbox --tls``) needs its CA bundle: ``ca_bundle``, else the
        one this process already trusts for ``url``, else ``XACCT_SANDBOX_CA_BUNDLE``."""
        url = url.rstrip("/")
        if url.startswith("https:"):
            ca_bundle = ca_bundle or ca_bundle_of(url) or os.environ.get(ENV_CA_BUNDLE)
            if not ca_bundle:
                raise SandboxError(
                    f"The sandbox at {url} speaks HTTPS with its own CA, and no CA bundle is "
                    "known for it.",
                    fix=f"Pass ca_bundle= or set {ENV_CA_BUNDLE} to the file `xacct sandbox "
                    "--tls` prints.",
                )
            trust(url, ca_bundle)
        info = fetch_info(url)
        return SandboxHandle(
            url,
            region=info["region"],
            latency_ms=float(info["latency_ms"]),
            member_accounts=int(info["member_accounts"]),
            principals=info["principals"],
            member_account_ids=info["member_account_ids"],
            connect_latency_ms=float(info.get("connect_latency_ms", 0)),
            ca_bundle=ca_bundle if url.startswith("https:") else None,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SandboxHandle:
        """The sandbox named by ``XACCT_SANDBOX_URL`` (set by ``xacct lab`` for its kernels);
        an HTTPS one's CA bundle from ``XACCT_SANDBOX_CA_BUNDLE``, else ``AWS_CA_BUNDLE``."""
        env = environ if environ is not None else os.environ
        url = env.get(ENV_URL)
        if not url:
            raise SandboxError(
                f"{ENV_URL} is not set, so no sandbox is known to this process.",
                fix="Start JupyterLab with `xacct lab`, or run `xacct sandbox` and "
                f"export the {ENV_URL} it prints.",
            )
        trusted = env.get(ENV_CA_BUNDLE) or env.get("AWS_CA_BUNDLE")
        return SandboxHandle.attach(url, ca_bundle=trusted if url.startswith("https:") else None)

    # -- what a handle cannot do ---------------------------------------------------------------
    def start(self) -> SandboxHandle:
        raise SandboxError("This sandbox runs in another process; it is already started.")

    def stop(self) -> None:
        raise SandboxError(
            f"The sandbox at {self._url} runs in another process.",
            fix="Stop it there (Ctrl-C in the `xacct sandbox` terminal).",
        )

    def reset(self) -> None:
        raise SandboxError(
            "Only a running in-process sandbox can be reset.",
            fix="Reset it in the process that serves it, or restart `xacct sandbox`.",
        )

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None  # the server belongs to its own process

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
        if self.ca_bundle:  # over AWS_CA_BUNDLE from the environment, which names another CA
            core.set_config_variable("ca_bundle", self.ca_bundle)
        core.set_credentials(entry["access_key_id"], entry["secret_access_key"])
        return boto3.Session(botocore_session=core, region_name=region or self.region)

    def env(self, account: str = "source", user: str = "operator") -> dict[str, str]:
        """Environment for a kernel or the AWS CLI: endpoint, region and that principal's keys,
        and an HTTPS sandbox's CA bundle (``AWS_CA_BUNDLE``, which botocore and the CLI read)."""
        entry = self._principal(account, user)
        trusted = {ENV_CA_BUNDLE: self.ca_bundle, "AWS_CA_BUNDLE": self.ca_bundle}
        return {
            ENV_URL: self.endpoint_url,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": entry["access_key_id"],
            "AWS_SECRET_ACCESS_KEY": entry["secret_access_key"],
            **(trusted if self.ca_bundle else {}),
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }

    def credential_process(self, account: str = "source", user: str = "operator") -> str:
        """A ``credential_process`` line for an AWS config profile acting as that principal:
        the profile reaches the sandbox (with ``endpoint_url``) and no key is written anywhere."""
        self._principal(account, user)  # a clear error now rather than when the CLI runs it
        return credential_command(self.endpoint_url, account, user)

    def caller_spec(self, account: str = "source", user: str = "operator") -> CallerSpec:
        """A seeded principal as a :class:`~xacct_widgets.core.query.CallerSpec`, for
        ``query(..., session=sb.caller_spec("management", "admin"), executor=...)``: the URL and
        the principal's names travel to the workers, never its keys (:func:`principal_session`
        builds the session there)."""
        from ..core.query import CallerSpec

        self.principal(account, user)  # raises SandboxError for an unknown principal
        trusted = (self.ca_bundle,) if self.ca_bundle else ()
        return CallerSpec(principal_session, (self.endpoint_url, account, user, *trusted))

    def principals(self) -> pd.DataFrame:
        """The seeded principals as a table, access key IDs masked, no secrets."""
        import pandas as pd

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
        extra = ", tls" if self.ca_bundle else ""
        if self.connect_latency_ms:
            extra += f", connect_latency_ms={self.connect_latency_ms:g}"
        return (
            f"{type(self).__name__}({where}, member_accounts={self.member_accounts}, "
            f"latency_ms={self.latency_ms:g}{extra})"
        )

    # -- what the server counted -----------------------------------------------------------
    def stats(self) -> dict[str, int]:
        """The server's counts since start: ``connections`` (those that carried an AWS
        request; the sandbox's own ``/_xacct/`` pages, such as this read, do not count),
        ``requests`` (likewise), ``accepted``, ``open_connections``, ``handshake_failures``.

        So a test or benchmark sees connection reuse: a client pool making five calls on one
        kept-alive connection adds 1 connection and 5 requests."""
        return remote_stats(self.endpoint_url)

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
        return remote_clock(self.endpoint_url, change)


_ATTACHED: dict[str, SandboxHandle] = {}
_ATTACH_LOCK = threading.Lock()


def principal_session(
    url: str, account: str, user: str, ca_bundle: str | None = None
) -> boto3.Session:
    """A session for a seeded principal of the sandbox at ``url``, built in this process.

    How a process pool or Dask worker gets a sandbox caller's base credentials
    (:meth:`SandboxHandle.caller_spec`): it asks the sandbox, so the parent never sends a key.
    The attached handle is kept for the process's life.
    """
    with _ATTACH_LOCK:
        handle = _ATTACHED.get(url)
        if handle is None:
            handle = _ATTACHED[url] = SandboxHandle.attach(url, ca_bundle=ca_bundle)
    return handle.session(account, user)
