"""``xacct``: the sandbox, JupyterLab wired to it, and the headless runbook."""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import XacctError

if TYPE_CHECKING:
    from .sandbox import Sandbox

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _add_sandbox_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)"
    )
    parser.add_argument(
        "--member-accounts",
        type=int,
        default=0,
        metavar="N",
        help="also seed an organization with N member accounts",
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0,
        help="delay every AWS request by this much, to model real round trips",
    )


def _start_sandbox(args: argparse.Namespace) -> Sandbox:
    from .sandbox import Sandbox

    return Sandbox(
        member_accounts=args.member_accounts, latency_ms=args.latency_ms, port=args.port
    ).start()


def _wait_for_interrupt() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()


def cmd_sandbox(args: argparse.Namespace) -> int:
    sb = _start_sandbox(args)
    account, _, user = args.as_principal.partition(":")
    exports = sb.env(account, user or "operator")
    print(f"xacct sandbox running at {sb.endpoint_url}  (Ctrl-C to stop)")
    print(f"endpoint: {sb.endpoint_url}")
    print("principals (access key IDs masked; secrets only in the export lines below):")
    print(sb.principals().to_string(index=False))
    if sb.member_accounts:
        print(f"  + {sb.member_accounts} member accounts of organization {sb.MANAGEMENT}")
    print(f"\n# To reach it from a shell or the AWS CLI as {account}/{user or 'operator'}:")
    for name, value in exports.items():
        print(f"export {name}={shlex.quote(value)}")
    sys.stdout.flush()
    _wait_for_interrupt()
    sb.stop()
    return 0


def _jupyter_command(app: str, args: argparse.Namespace, extra: Sequence[str]) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "jupyter",
        app,
        f"--ServerApp.root_dir={args.notebooks}",
        "--ServerApp.ip=127.0.0.1",
    ]
    if args.no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command + list(extra)


def cmd_lab(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from .sandbox.server import ENV_URL

    sb = _start_sandbox(args)
    env = dict(os.environ, **{ENV_URL: sb.endpoint_url})
    print(f"xacct sandbox at {sb.endpoint_url}; kernels find it through {ENV_URL}.", flush=True)
    try:
        return _run_forwarding_signals(_jupyter_command("lab", args, extra), env)
    finally:
        sb.stop()


def _run_forwarding_signals(command: list[str], env: dict[str, str]) -> int:
    """Run a server child; Ctrl-C or SIGTERM shut it down cleanly, then the sandbox stops."""
    child = subprocess.Popen(command, env=env)

    def forward(signum: int, _frame: object) -> None:
        child.send_signal(signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xacct", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sandbox = sub.add_parser("sandbox", help="run the embedded AWS sandbox until interrupted")
    _add_sandbox_options(sandbox)
    sandbox.add_argument(
        "--as",
        dest="as_principal",
        default="source:operator",
        metavar="ACCOUNT:USER",
        help="whose keys the export lines carry",
    )

    lab = sub.add_parser("lab", help="JupyterLab on the tutorial notebooks, wired to the sandbox")
    _add_sandbox_options(lab)
    lab.add_argument("--notebooks", default=str(NOTEBOOKS), help="folder to open")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")

    from .app import add_app_parser
    from .runbook import add_runbook_parser

    add_runbook_parser(sub)
    add_app_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        if args.command == "sandbox":
            return cmd_sandbox(args)
        if args.command == "lab":
            return cmd_lab(args, extra)
        return int(args.run(args))
    except XacctError as err:
        print(f"xacct: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
