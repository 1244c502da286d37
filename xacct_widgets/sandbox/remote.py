"""Reaching a sandbox from a process: AWS config files that name it, its seed and clock over HTTP.

A ``boto3.Session`` for the sandbox finds the endpoint through an AWS config file (botocore reads
``endpoint_url`` from a profile), and holds only that file's path. So the file belongs to the
process, one per sandbox, not to the ``Sandbox`` handle that made the session: a session from
``Sandbox.attach(url).session()`` keeps working after the handle is garbage-collected, and so
does every session derived from it. The files are removed when the process exits.

Another process learns the seeded principals from ``/_xacct/sandbox.json``, reads or moves
the sandbox clock through ``/_xacct/clock`` (:mod:`.clock`) and reads the server's counts at
``/_xacct/stats``. Nothing here loads moto.
"""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from ..errors import SandboxError

__all__ = [
    "CLOCK_PATH",
    "INFO_PATH",
    "PROFILE",
    "STATS_PATH",
    "config_file",
    "credential_command",
    "fetch_info",
    "remote_clock",
    "remote_stats",
]

PROFILE: Final = "xacct-sandbox"
#: Where the sandbox describes itself to another process (served by :mod:`.wsgi.xacct_paths`).
INFO_PATH: Final = "/_xacct/sandbox.json"
#: Where another process reads or moves the sandbox clock (served by :mod:`.wsgi.xacct_paths`).
CLOCK_PATH: Final = "/_xacct/clock"
#: Where another process reads the server's connection and request counts (``Sandbox.stats()``).
STATS_PATH: Final = "/_xacct/stats"

_lock = threading.Lock()
#: (endpoint URL, region) -> the folder of its config file; cleaned up when the process exits.
_config_dirs: dict[tuple[str, str], tempfile.TemporaryDirectory[str]] = {}


def config_file(url: str, region: str) -> Path:
    """The AWS config file whose profile :data:`PROFILE` names ``url`` as the endpoint."""
    with _lock:
        folder = _config_dirs.get((url, region))
        if folder is None:
            folder = tempfile.TemporaryDirectory(prefix="xacct-sandbox-")
            (Path(folder.name) / "config").write_text(
                f"[profile {PROFILE}]\nregion = {region}\nendpoint_url = {url}\n"
            )
            _config_dirs[(url, region)] = folder
        return Path(folder.name) / "config"


def fetch_info(url: str) -> dict[str, Any]:
    """The seed description another process's sandbox serves."""
    try:
        with urllib.request.urlopen(url + INFO_PATH, timeout=10) as answer:
            return dict(json.load(answer))
    except (OSError, ValueError) as err:
        raise SandboxError(
            f"No xacct sandbox answers at {url!r} ({err}).",
            fix="Start one with `xacct sandbox` and use the URL it prints.",
        ) from err


def remote_clock(url: str, change: Mapping[str, float] | None = None) -> datetime:
    """The clock of the sandbox at ``url``, after applying ``change`` (``{"advance": s}``)."""
    request = urllib.request.Request(
        url + CLOCK_PATH, json.dumps(change).encode() if change else None
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return datetime.fromisoformat(json.load(answer)["now"])
    except (OSError, ValueError, KeyError) as err:
        raise SandboxError(
            f"The sandbox at {url} did not answer its clock ({err}).",
            fix="Check it still runs; an `xacct sandbox` older than this package has no clock.",
        ) from err


def remote_stats(url: str) -> dict[str, int]:
    """The connection and request counts of the sandbox at ``url`` (``Sandbox.stats()``)."""
    try:
        with urllib.request.urlopen(url + STATS_PATH, timeout=10) as answer:
            return {str(k): int(v) for k, v in json.load(answer).items()}
    except (OSError, ValueError, AttributeError) as err:
        raise SandboxError(
            f"The sandbox at {url} did not answer its stats ({err}).",
            fix="Check it still runs; an `xacct sandbox` older than this package has no stats.",
        ) from err


def credential_command(url: str, account: str = "source", user: str = "operator") -> str:
    """The ``credential_process`` line for ``user`` in ``account`` of the sandbox at ``url``: it
    runs :mod:`.credential_process`, which asks the sandbox for the keys each time."""
    module = f"{__package__}.credential_process"
    return shlex.join([sys.executable, "-m", module, url, f"{account}:{user}"])
