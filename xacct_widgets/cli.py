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

#: Where ``xacct lab`` copies the notebooks when running from an installed package.
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
    """The folder JupyterLab opens: the one asked for, a checkout's ``notebooks/``, or else a
    working copy in the current directory (JupyterLab autosaves; site-packages is no place)."""
    if requested:
        return Path(requested).resolve()
    if resources.in_checkout():
        return resources.notebooks_dir()
    folder = Path(LAB_FOLDER).resolve()
    copied = resources.working_copy(folder)
    if copied:
        print(f"Copied {len(copied)} tutorial notebook(s) into {folder}.", flush=True)
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

    folder = lab_folder(args.notebooks)
    with launch.sandbox_env(args) as (env, _sandbox):
        print(f"xacct sandbox at {env[ENV_URL]}; kernels find it through {ENV_URL}.", flush=True)
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

    lab = sub.add_parser("lab", help="JupyterLab on the tutorial notebooks, wired to the sandbox")
    # Notebook 04 asks the organization's member accounts: seed some, so every notebook runs.
    launch.add_sandbox_options(lab, port_flag="--sandbox-port", member_accounts=3)
    lab.add_argument("--port", type=int, default=0, help="JupyterLab's port (default: its own)")
    lab.add_argument(
        "--notebooks",
        default=None,
        help=f"folder to open (default: the checkout's notebooks/, or ./{LAB_FOLDER} "
        "holding a copy of them when installed from a wheel)",
    )
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")

    from .app import add_app_parser
    from .profiles_cli import add_profiles_parsers
    from .runbook import add_runbook_parser

    add_runbook_parser(sub)
    add_app_parser(sub)
    add_profiles_parsers(sub)
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
