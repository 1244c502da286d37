"""Where a notebook's sessions come from: a real AWS profile, or the embedded sandbox.

Notebooks call :func:`connect` for each side of the procedure. With ``profile`` it is plain
boto3 and the sandbox (with moto) is never imported; without, it uses the sandbox named by
``XACCT_SANDBOX_URL`` (set by ``xacct lab``) or, if none is named, starts one inside the
kernel, so a notebook also runs under plain ``jupyter``, nbval or papermill.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

import boto3

from .sandbox import ENV_URL

if TYPE_CHECKING:
    from .sandbox.server import Sandbox

_embedded: Sandbox | None = None
_lock = threading.Lock()


def sandbox() -> Sandbox:
    """The sandbox this process uses: one already running here, the one named in the
    environment, or else one started here once."""
    from .sandbox import server

    global _embedded
    with _lock:
        running = server.running_in_process()
        if running is not None:  # one started by hand in this kernel wins: moto has one state
            return running
        if _embedded is None or not _embedded.is_running:
            _embedded = (
                server.Sandbox.from_env() if os.environ.get(ENV_URL) else server.Sandbox().start()
            )
        return _embedded


def connect(
    account: str = "source",
    user: str = "operator",
    *,
    profile: str | None = None,
    region: str | None = None,
) -> boto3.Session:
    """A session for one side of the procedure.

    ``profile`` names a real AWS profile (``account``/``user`` are then only labels for the
    sandbox); without it, the seeded sandbox principal ``user`` of ``account`` is used.
    """
    if profile:
        return boto3.Session(profile_name=profile, region_name=region)
    return sandbox().session(account, user, region=region)
