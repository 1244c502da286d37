"""``xacct app``: the two wizards as a standalone Voila web page, for operators who never open
a notebook.

Serves ``notebooks/onboarding_app.ipynb`` with Voila (outputs only: no code cell is shown) on
127.0.0.1. Its kernels reach the sandbox named by ``XACCT_SANDBOX_URL``; when that is not set,
an embedded sandbox is started here for the server's lifetime and handed to them through it.
Ctrl-C or SIGTERM stop Voila cleanly (the signal is forwarded to it), then the sandbox.

It takes ``xacct lab``'s options: ``--port``, ``--sandbox-port``, ``--no-browser`` (the page
opens in a browser unless given), and any other ``--Voila.x=y`` option is handed to Voila.

Wire it into the ``xacct`` parser with :func:`add_app_parser`; it sets ``run=serve_app``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import launch, resources
from .errors import InvalidInput, XacctError

__all__ = ["add_app_parser", "app_notebook", "serve_app", "voila_command"]


def app_notebook(requested: str | None = None) -> Path:
    """The notebook to serve: the one asked for, else the shipped onboarding app."""
    if not requested:
        return resources.notebook(resources.APP_NOTEBOOK)
    notebook = Path(requested).resolve()
    if not notebook.is_file():
        raise InvalidInput(
            f"The app notebook {str(notebook)!r} does not exist.",
            fix="Leave out --notebook to serve the shipped onboarding app, or give a path "
            "to an existing .ipynb file.",
        )
    return notebook


def voila_command(
    notebook: Path,
    port: int | None = None,
    *,
    open_browser: bool = False,
    extra: Sequence[str] = (),
) -> list[str]:
    """The Voila command line: loopback only, the notebook's outputs only, our offline template
    (found through :func:`resources.jupyter_env`); a browser only with ``open_browser``;
    ``extra`` options last, as given."""
    command = launch.python_module(
        "voila",
        str(notebook),
        "--Voila.ip=127.0.0.1",
        f"--template={resources.VOILA_TEMPLATE}",
    )
    if not open_browser:
        command.append("--no-browser")
    if port is not None:
        command.append(f"--port={port}")
    return command + list(extra)


def serve_app(args: argparse.Namespace) -> int:
    """Run Voila on the onboarding app until interrupted; returns Voila's exit status."""
    from .sandbox import ENV_URL

    notebook = app_notebook(getattr(args, "notebook", None))
    port: int | None = getattr(args, "port", None)
    command = voila_command(
        notebook,
        port,
        open_browser=not getattr(args, "no_browser", False),
        extra=getattr(args, "extra", ()),
    )
    with launch.sandbox_env(args) as (env, sandbox):
        where = f"http://127.0.0.1:{port}/" if port else "the URL Voila prints below"
        print(
            f"xacct app: {notebook.name} at {where}; sandbox {env[ENV_URL]} "
            f"({'started here' if sandbox else 'from ' + ENV_URL}). Ctrl-C to stop.",
            flush=True,
        )
        return launch.run_forwarding_signals(command, env)


def add_app_parser(sub: Any) -> None:
    """Add the ``app`` sub-command to the ``xacct`` sub-parsers (sets ``run=serve_app``)."""
    app = sub.add_parser(
        "app",
        help="the onboarding wizards as a standalone web page (Voila), wired to the sandbox",
        description="Serve the create-role and switch-role wizards with Voila on 127.0.0.1, "
        "without any code cell. Uses the sandbox named by XACCT_SANDBOX_URL, else starts one. "
        "Other --Voila.x=y options are handed to Voila.",
    )
    app.add_argument(
        "--port", type=int, default=None, help="port on 127.0.0.1 (default: Voila's, 8866)"
    )
    app.add_argument("--no-browser", action="store_true", help="do not open a browser")
    app.add_argument(
        "--notebook",
        default=None,
        help=f"the app notebook to serve (default: the shipped {resources.APP_NOTEBOOK})",
    )
    launch.add_sandbox_options(app, port_flag="--sandbox-port", member_accounts=3)
    app.set_defaults(run=serve_app)


def main(argv: list[str] | None = None) -> int:
    """``python -m xacct_widgets.app``: the same as ``xacct app``."""
    parser = argparse.ArgumentParser(prog="xacct")
    add_app_parser(parser.add_subparsers(dest="command", required=True))
    args, extra = parser.parse_known_args(["app", *(sys.argv[1:] if argv is None else argv)])
    args.extra = extra
    try:
        return serve_app(args)
    except XacctError as err:
        print(f"xacct app: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
