"""``xacct``: the sandbox, JupyterLab wired to it, and the headless runbook."""

from __future__ import annotations

import argparse
import contextlib
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from . import launch, resources
from .errors import XacctError

#: The working folder ``xacct lab`` opens: copies of the notebooks (git ignores it).
LAB_FOLDER = "xacct-notebooks"


def _wait_for_interrupt() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()


def cmd_sandbox(args: argparse.Namespace) -> int:
    sb = launch.start_sandbox(args)
    account, _, user = args.as_principal.partition(":")
    exports = sb.env(account, user or "operator")
    print(f"xacct sandbox running at {sb.endpoint_url}  (Ctrl-C to stop)")
    print(f"endpoint: {sb.endpoint_url}")
    if sb.ca_bundle:
        print(f"CA bundle: {sb.ca_bundle}  (removed at stop)")
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


def lab_folder(requested: str | None) -> Path:
    """The folder JupyterLab opens: the one asked for, else a working copy of the notebooks in
    ``xacct-notebooks/`` - at a checkout's top (git ignores it), or in the current directory
    for an installed package. JupyterLab autosaves and running a cell writes its outputs: the
    checkout's tracked ``notebooks/`` (and site-packages) stay as they are."""
    if requested:
        return Path(requested).resolve()
    base = resources.notebooks_dir().parent if resources.in_checkout() else Path.cwd()
    folder = (base / LAB_FOLDER).resolve()
    copied = resources.working_copy(folder)
    if copied:
        print(f"Copied {len(copied)} tutorial notebook(s) into {folder}.", flush=True)
    for kept in resources.outdated_copies(folder):
        print(
            f"Kept your {kept.name}: the shipped one changed since it was copied; "
            "delete yours to get the new version.",
            flush=True,
        )
    print(
        f"JupyterLab opens the working copies in {folder}"
        + (" (the checkout's notebooks/ stay clean)." if resources.in_checkout() else "."),
        flush=True,
    )
    return folder


def jupyter_lab_command(folder: Path, args: argparse.Namespace, extra: Sequence[str]) -> list[str]:
    """The JupyterLab command line: loopback only, rooted at ``folder``."""
    command = launch.python_module(
        "jupyter", "lab", f"--ServerApp.root_dir={folder}", "--ServerApp.ip=127.0.0.1"
    )
    if args.port:
        command.append(f"--ServerApp.port={args.port}")
    if args.no_browser:
        command.append("--no-browser")
    return command + launch.as_root_flags() + list(extra)


def cmd_lab(args: argparse.Namespace, extra: Sequence[str]) -> int:
    from .sandbox import ENV_URL

    with launch.sandbox_env(args) as (env, _sandbox):
        print(f"xacct sandbox at {env[ENV_URL]}; kernels find it through {ENV_URL}.", flush=True)
        folder = lab_folder(args.notebooks)
        return launch.run_forwarding_signals(jupyter_lab_command(folder, args, extra), env)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xacct", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sandbox = sub.add_parser("sandbox", help="run the embedded AWS sandbox until interrupted")
    launch.add_sandbox_options(sandbox)
    sandbox.add_argument(
        "--as",
        dest="as_principal",
        default="source:operator",
        metavar="ACCOUNT:USER",
        help="whose keys the export lines carry",
    )
    sandbox.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a certificate from a CA made at start (its bundle is exported "
        "as AWS_CA_BUNDLE; nothing enters the system's trust store)",
    )
    sandbox.add_argument(
        "--connect-latency-ms",
        type=float,
        default=0,
        metavar="MS",
        help="make each new connection wait this long before its first answer, as the "
        "handshake to a far region does (once per connection; --latency-ms is per request)",
    )

    lab = sub.add_parser("lab", help="JupyterLab on the tutorial notebooks, wired to the sandbox")
    # Notebook 04 asks the organization's member accounts: seed some, so every notebook runs.
    launch.add_sandbox_options(lab, port_flag="--sandbox-port", member_accounts=3)
    lab.add_argument("--port", type=int, default=0, help="JupyterLab's port (default: its own)")
    lab.add_argument(
        "--notebooks",
        default=None,
        help=f"folder to open (default: {LAB_FOLDER}/ holding copies of the notebooks, at the "
        "checkout's top or, installed from a wheel, in the current directory)",
    )
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")

    from .app import add_app_parser
    from .profiles_cli import add_profiles_parsers
    from .rollout_cli import add_rollout_parser
    from .runbook import add_runbook_parser

    add_runbook_parser(sub)
    add_app_parser(sub)
    add_profiles_parsers(sub)
    add_rollout_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in ("lab", "app"):  # the servers take their own options
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
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
