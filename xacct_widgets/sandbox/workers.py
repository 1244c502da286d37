"""A sandbox principal as a caller for query workers: the URL and names travel, never a key.

A process pool or Dask worker cannot share the parent's ``Sandbox``; it attaches to the
sandbox by URL (``/_xacct/sandbox.json``) and builds the principal's session itself. Kept apart
from :mod:`.http` (which serves that page) so that imports point one way: this module uses the
server's handle, the server uses http.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import boto3

    from ..core.query import CallerSpec
    from .server import Sandbox

__all__ = ["caller_spec", "principal_session"]

_ATTACHED: dict[str, Sandbox] = {}
_ATTACH_LOCK = threading.Lock()


def principal_session(url: str, account: str, user: str) -> boto3.Session:
    """A session for a seeded principal of the sandbox at ``url``, built in this process.

    How a process pool or Dask worker gets a sandbox caller's base credentials: it asks the
    sandbox (``/_xacct/sandbox.json``), so the parent never sends a key. The attached handle is
    kept for the process's life (its session reads the handle's config file).
    """
    from .server import Sandbox  # here: importing this module loads no moto

    with _ATTACH_LOCK:
        sandbox = _ATTACHED.get(url)
        if sandbox is None:
            sandbox = _ATTACHED[url] = Sandbox.attach(url)
    return sandbox.session(account, user)


def caller_spec(sandbox: Sandbox, account: str = "source", user: str = "operator") -> CallerSpec:
    """The :class:`~xacct_widgets.core.query.CallerSpec` of a seeded principal, for
    ``query(..., session=caller_spec(sb, "management", "admin"), executor=...)``: the URL and
    the principal's names travel to the workers, never its keys."""
    from ..core.query import CallerSpec

    sandbox.principal(account, user)  # raises SandboxError for an unknown principal
    return CallerSpec(principal_session, (sandbox.endpoint_url, account, user))
