"""Serving a notebook server (JupyterLab or Voila) wired to the sandbox: one way, for both.

``xacct lab`` and ``xacct app`` start the same kind of child process, hand it the sandbox's
URL through the environment, and must shut it down cleanly on Ctrl-C or SIGTERM before the
sandbox stops (else kernels lose their AWS mid-cell). Signals are forwarded to the child as
SIGTERM, which both servers handle without the interactive "shut down? (y/n)" prompt that a
forwarded SIGINT can bring.

The kernels' role history is the sandbox's, not the operator's: the child is given
``XACCT_SANDBOX_HISTORY``, a file in a temporary folder that is removed when the server stops
(unless the environment already names one), so the notebooks and the app share one sandbox
history and the operator's ``~/.config/xacct_widgets`` is never touched.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import resources

if TYPE_CHECKING:
    from .sandbox import Sandbox

__all__ = [
    "add_sandbox_options",
    "as_root_flags",
    "python_module",
    "run_forwarding_signals",
    "sandbox_env",
    "sandbox_history",
    "start_sandbox",
]


def add_sandbox_options(
    parser: argparse.ArgumentParser, *, port_flag: str = "--port", member_accounts: int = 0
) -> None:
    """The options every command that starts a sandbox takes."""
    parser.add_argument(
        port_flag,
        dest="sandbox_port",
        type=int,
        default=0,
        metavar="PORT",
        help="the sandbox's port on 127.0.0.1 (default: a free one)",
    )
    parser.add_argument(
        "--member-accounts",
        type=int,
        default=member_accounts,
        metavar="N",
        help="also seed an organization with N member accounts (default: %(default)s)",
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0,
        help="delay every AWS request by this much, to model real round trips",
    )
    parser.add_argument(
        "--requests-per-second",
        type=float,
        default=None,
        metavar="N",
        help="throttle each service beyond N requests per second, answering as AWS does",
    )


def start_sandbox(args: argparse.Namespace) -> Sandbox:
    """Start a sandbox from :func:`add_sandbox_options`' options (moto is imported only here)."""
    from .sandbox import Sandbox

    return Sandbox(
        member_accounts=int(getattr(args, "member_accounts", 0) or 0),
        latency_ms=float(getattr(args, "latency_ms", 0) or 0),
        port=int(getattr(args, "sandbox_port", 0) or 0),
        requests_per_second=getattr(args, "requests_per_second", None),
        tls=bool(getattr(args, "tls", False)),
        connect_latency_ms=float(getattr(args, "connect_latency_ms", 0) or 0),
    ).start()


@contextmanager
def sandbox_history() -> Iterator[dict[str, str]]:
    """``{XACCT_SANDBOX_HISTORY: file}`` for a server child: a file in a temporary folder,
    removed on exit; nothing when the environment already names the sandbox's history."""
    from .core.switch.history_path import SANDBOX_ENV_VAR

    if os.environ.get(SANDBOX_ENV_VAR, "").strip():
        yield {}
        return
    with tempfile.TemporaryDirectory(prefix="xacct-sandbox-history-") as folder:
        yield {SANDBOX_ENV_VAR: str(Path(folder) / "history.sqlite3")}


@contextmanager
def sandbox_env(args: argparse.Namespace) -> Iterator[tuple[dict[str, str], Sandbox | None]]:
    """The environment for a server child: the sandbox named by ``XACCT_SANDBOX_URL`` if set,
    else one started here for the child's lifetime (yielded, so the caller can describe it),
    the sandbox's own role history (:func:`sandbox_history`), and our shipped Jupyter settings
    and templates (:func:`resources.jupyter_env`)."""
    from .sandbox import ENV_URL

    url = os.environ.get(ENV_URL, "").strip()
    sandbox = None
    if not url:
        sandbox = start_sandbox(args)
        url = sandbox.endpoint_url
    try:
        with sandbox_history() as history:
            yield resources.jupyter_env(dict(os.environ, **{ENV_URL: url}, **history)), sandbox
    finally:
        if sandbox is not None:
            sandbox.stop()


def as_root_flags() -> list[str]:
    """Jupyter servers refuse to run as root without ``--allow-root`` (containers, CI)."""
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def run_forwarding_signals(command: Sequence[str], env: Mapping[str, str]) -> int:
    """Run ``command`` until it exits; SIGINT/SIGTERM make it stop, and we wait for it.

    Returns:
        The child's exit status.
    """
    child = subprocess.Popen([*command], env=dict(env))

    def forward(_signum: int, _frame: Any) -> None:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:  # a second Ctrl-C while the child shuts down: keep waiting
                continue
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def python_module(module: str, *args: str) -> list[str]:
    """``python -m module args``, with this interpreter (the venv the command runs in)."""
    return [sys.executable, "-m", module, *args]
