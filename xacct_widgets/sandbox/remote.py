"""Reaching a sandbox from a process: AWS config files that name it, its seed and clock over HTTP.

A ``boto3.Session`` for the sandbox finds the endpoint through an AWS config file (botocore reads
``endpoint_url`` from a profile), and holds only that file's path. So the file belongs to the
process, one per sandbox, not to the ``Sandbox`` handle that made the session: a session from
``Sandbox.attach(url).session()`` keeps working after the handle is garbage-collected, and so
does every session derived from it. The files are removed when the process exits. An HTTPS
sandbox (``Sandbox(tls=True)``) is reached trusting its CA bundle only (:func:`trust`): the
profile's ``ca_bundle``, the credential command's ``--ca-bundle`` and the reads below.

Another process learns the seeded principals from ``/_xacct/sandbox.json``, reads or moves
the sandbox clock through ``/_xacct/clock`` (:mod:`.clock`) and reads the server's counts at
``/_xacct/stats``. Nothing here loads moto.
"""

from __future__ import annotations

import json
import shlex
import ssl
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
    "ca_bundle_of",
    "config_file",
    "credential_command",
    "fetch_info",
    "remote_clock",
    "remote_stats",
    "trust",
]

PROFILE: Final = "xacct-sandbox"
#: Where the sandbox describes itself to another process (served by :mod:`.wsgi.xacct_paths`).
INFO_PATH: Final = "/_xacct/sandbox.json"
#: Where another process reads or moves the sandbox clock (served by :mod:`.wsgi.xacct_paths`).
CLOCK_PATH: Final = "/_xacct/clock"
#: Where another process reads the server's connection and request counts (``Sandbox.stats()``).
STATS_PATH: Final = "/_xacct/stats"

_lock = threading.Lock()
#: (endpoint URL, region, CA bundle) -> the folder of its config file; removed at exit.
_config_dirs: dict[tuple[str, str, str], tempfile.TemporaryDirectory[str]] = {}
#: HTTPS sandbox URL -> the CA bundle its clients trust (``Sandbox(tls=True)``).
_ca_bundles: dict[str, str] = {}


def trust(url: str, ca_bundle: str | None) -> None:
    """Trust ``ca_bundle`` (a PEM file) for the HTTPS sandbox at ``url`` in this process: its
    config file's profile, its credential command and the reads below use it; None forgets."""
    with _lock:
        if ca_bundle:
            _ca_bundles[url] = ca_bundle
        else:
            _ca_bundles.pop(url, None)


def ca_bundle_of(url: str) -> str | None:
    """The CA bundle trusted for ``url`` (:func:`trust`), if any."""
    with _lock:
        return _ca_bundles.get(url)


def config_file(url: str, region: str) -> Path:
    """The AWS config file whose profile :data:`PROFILE` names ``url`` as the endpoint (and,
    for an HTTPS sandbox, its CA bundle as ``ca_bundle``)."""
    with _lock:
        ca_bundle = _ca_bundles.get(url, "")
        folder = _config_dirs.get((url, region, ca_bundle))
        if folder is None:
            folder = tempfile.TemporaryDirectory(prefix="xacct-sandbox-")
            trusted = f"ca_bundle = {ca_bundle}\n" if ca_bundle else ""
            (Path(folder.name) / "config").write_text(
                f"[profile {PROFILE}]\nregion = {region}\nendpoint_url = {url}\n{trusted}"
            )
            _config_dirs[(url, region, ca_bundle)] = folder
        return Path(folder.name) / "config"


def _open(url: str, request: str | urllib.request.Request) -> Any:
    """``urlopen`` for a sandbox's own page: over HTTPS, trusting only its CA bundle if known."""
    context = None
    if url.startswith("https:"):
        context = ssl.create_default_context(cafile=ca_bundle_of(url))
    return urllib.request.urlopen(request, timeout=10, context=context)


def fetch_info(url: str) -> dict[str, Any]:
    """The seed description another process's sandbox serves."""
    try:
        with _open(url, url + INFO_PATH) as answer:
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
        with _open(url, request) as answer:
            return datetime.fromisoformat(json.load(answer)["now"])
    except (OSError, ValueError, KeyError) as err:
        raise SandboxError(
            f"The sandbox at {url} did not answer its clock ({err}).",
            fix="Check it still runs; an `xacct sandbox` older than this package has no clock.",
        ) from err


def remote_stats(url: str) -> dict[str, int]:
    """The connection and request counts of the sandbox at ``url`` (``Sandbox.stats()``)."""
    try:
        with _open(url, url + STATS_PATH) as answer:
            return {str(k): int(v) for k, v in json.load(answer).items()}
    except (OSError, ValueError, AttributeError) as err:
        raise SandboxError(
            f"The sandbox at {url} did not answer its stats ({err}).",
            fix="Check it still runs; an `xacct sandbox` older than this package has no stats.",
        ) from err


def credential_command(url: str, account: str = "source", user: str = "operator") -> str:
    """The ``credential_process`` line for ``user`` in ``account`` of the sandbox at ``url``: it
    runs :mod:`.credential_process`, which asks the sandbox for the keys each time (over HTTPS
    trusting the CA bundle the line names)."""
    module = f"{__package__}.credential_process"
    ca_bundle = ca_bundle_of(url)
    trusted = ["--ca-bundle", ca_bundle] if ca_bundle else []
    return shlex.join([sys.executable, "-m", module, url, f"{account}:{user}", *trusted])
