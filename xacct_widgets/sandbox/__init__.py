"""The embedded default AWS: a moto server seeded with the tutorial's two accounts.

Importing this package is cheap and imports no moto: ``Sandbox`` (and with it moto) loads on
first use, so code that only needs :data:`ENV_URL` - ``connect(profile=...)`` on real AWS, the
CLI's argument parsing - never pays for the sandbox. ``SandboxHandle``, what a client of another
process's sandbox holds, never loads moto.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

__all__ = ["ENV_CA_BUNDLE", "ENV_URL", "Sandbox", "SandboxHandle"]

#: The environment variable through which ``xacct lab`` / ``xacct app`` hand their kernels the
#: sandbox's URL (``Sandbox.from_env()`` reads it).
ENV_URL: Final = "XACCT_SANDBOX_URL"
#: The CA bundle of an HTTPS sandbox (``Sandbox(tls=True)``), set beside :data:`ENV_URL` by
#: ``Sandbox.env()``; ``Sandbox.from_env()`` reads it (else ``AWS_CA_BUNDLE``).
ENV_CA_BUNDLE: Final = "XACCT_SANDBOX_CA_BUNDLE"

if TYPE_CHECKING:
    from .handle import SandboxHandle as SandboxHandle
    from .server import Sandbox as Sandbox


def __getattr__(name: str) -> Any:
    if name == "Sandbox":
        return importlib.import_module(".server", __name__).Sandbox
    if name == "SandboxHandle":
        return importlib.import_module(".handle", __name__).SandboxHandle
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
