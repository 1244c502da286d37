"""``xacct app``: the two wizards as a standalone Voila web page, for operators who never open
a notebook.

Serves ``notebooks/onboarding_app.ipynb`` with Voila (outputs only: no code cell is shown) on
127.0.0.1. Its kernels reach the sandbox named by ``XACCT_SANDBOX_URL``; when that is not set,
an embedded sandbox is started here for the server's lifetime and handed to them through it.
Ctrl-C or SIGTERM stop Voila cleanly (the signal is forwarded to it), then the sandbox.

Wire it into the ``xacct`` parser with :func:`add_app_parser`; it sets ``run=serve_app``.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InvalidInput

if TYPE_CHECKING:
    from .sandbox import Sandbox

__all__ = ["APP_NOTEBOOK", "add_app_parser", "serve_app", "voila_command"]

APP_NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "onboarding_app.ipynb"


def voila_command(notebook: Path, port: int | None = None) -> list[str]:
    """The Voila command line: loopback only, no browser, the notebook's outputs only."""
    command = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
    ]
    if port is not None:
        command.append(f"--port={port}")
    return command


def _start_sandbox(args: argparse.Namespace) -> Sandbox:
    from .sandbox import Sandbox

    return Sandbox(
        member_accounts=int(getattr(args, "member_accounts", 0) or 0),
        latency_ms=float(getattr(args, "latency_ms", 0) or 0),
    ).start()


def serve_app(args: argparse.Namespace) -> int:
    """Run Voila on the onboarding app until interrupted; returns Voila's exit status."""
    from .sandbox.server import ENV_URL

    notebook = Path(getattr(args, "notebook", None) or APP_NOTEBOOK).resolve()
    if not notebook.is_file():
        raise InvalidInput(
            f"The app notebook {str(notebook)!r} does not exist.",
            fix="Run `xacct app` from a checkout of the project, or pass --notebook PATH.",
        )
    port: int | None = getattr(args, "port", None)
    sandbox: Sandbox | None = None
    url = os.environ.get(ENV_URL, "").strip()
    if not url:
        sandbox = _start_sandbox(args)
        url = sandbox.endpoint_url
    env = dict(os.environ, **{ENV_URL: url})
    where = f"http://127.0.0.1:{port}/" if port else "the URL Voila prints below"
    print(
        f"xacct app: {notebook.name} at {where}; sandbox {url} "
        f"({'started here' if sandbox else 'from ' + ENV_URL}). Ctrl-C to stop.",
        flush=True,
    )
    try:
        return _run_forwarding_signals(voila_command(notebook, port), env)
    finally:
        if sandbox is not None:
            sandbox.stop()


def _run_forwarding_signals(command: list[str], env: dict[str, str]) -> int:
    """Run the server child; SIGINT or SIGTERM make it stop (Voila stops cleanly on SIGTERM,
    without the confirmation prompt Ctrl-C may bring), and we wait for it to exit."""
    child = subprocess.Popen(command, env=env)

    def forward(_signum: int, _frame: Any) -> None:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:  # a second Ctrl-C while waiting: keep waiting for Voila
                continue
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def add_app_parser(sub: Any) -> None:
    """Add the ``app`` sub-command to the ``xacct`` sub-parsers (sets ``run=serve_app``)."""
    app = sub.add_parser(
        "app",
        help="the onboarding wizards as a standalone web page (Voila), wired to the sandbox",
        description="Serve the create-role and switch-role wizards with Voila on 127.0.0.1, "
        "without any code cell. Uses the sandbox named by XACCT_SANDBOX_URL, else starts one.",
    )
    app.add_argument(
        "--port", type=int, default=None, help="port on 127.0.0.1 (default: Voila's, 8866)"
    )
    app.add_argument(
        "--notebook",
        default=str(APP_NOTEBOOK),
        help="the app notebook to serve (default: %(default)s)",
    )
    app.add_argument(
        "--member-accounts",
        type=int,
        default=0,
        metavar="N",
        help="when starting a sandbox, also seed an organization with N member accounts",
    )
    app.add_argument(
        "--latency-ms",
        type=float,
        default=0,
        help="when starting a sandbox, delay every AWS request by this much",
    )
    app.set_defaults(run=serve_app)


def main(argv: list[str] | None = None) -> int:
    """``python -m xacct_widgets.app``: the same as ``xacct app``."""
    parser = argparse.ArgumentParser(prog="xacct")
    add_app_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["app", *(sys.argv[1:] if argv is None else argv)])
    try:
        return serve_app(args)
    except InvalidInput as err:
        print(f"xacct app: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
