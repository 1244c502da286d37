"""``xacct profiles`` and ``xacct console``: the exported role profiles from a terminal.

``xacct console PROFILE`` is ``aws-vault login`` / Granted's ``assume -c`` for a role profile:
it opens the console as that role in the default browser. ``--url`` prints the sign-in URL
instead (for another browser profile); it signs anyone in for 15 minutes, so it goes to stdout
only, never to a log.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .aws_limits import SESSION_SECONDS_RANGE
from .core import profiles
from .core.profiles.redact import clip


def list_profiles(args: argparse.Namespace) -> int:
    """The role profiles as a table (stdout); each one that cannot be used, with why (stderr).

    Exit 0 when there is at least one usable role profile, else 1.
    """
    found = profiles.aws_config_profiles(args.config)
    unusable = found.attrs.get("unusable", [])
    if found.empty:
        which = "usable role profiles" if unusable else "role profiles"
        print(f"No {which} in {profiles.config_path(args.config)}.", file=sys.stderr)
    else:
        columns = ["profile", "account_id", "role_name", "display_name", "color", "source_profile"]
        print(found[columns].fillna("").to_string(index=False))
    for name, why in unusable:
        print(f"xacct: profile {clip(name)!r} cannot be used: {why}", file=sys.stderr)
    return 1 if found.empty else 0


def open_console(args: argparse.Namespace) -> int:
    if args.url:
        url = profiles.profile_console_url(
            args.profile, args.destination, path=args.config, session_duration=args.duration
        )
        print(str(url))  # asked for: the operator pastes it into the browser of their choice
        return 0
    opened = profiles.open_profile_console(
        args.profile, args.destination, path=args.config, session_duration=args.duration
    )
    if not opened:
        print(
            f"xacct: no browser could be opened here; run `xacct console {args.profile} --url` "
            "and open the URL yourself (it signs in for 15 minutes: do not share it).",
            file=sys.stderr,
        )
        return 1
    print(f"Console opened as profile {args.profile}.", file=sys.stderr)
    return 0


def add_profiles_parsers(sub: Any) -> None:
    """Add ``profiles`` and ``console`` to the ``xacct`` sub-parsers (each sets ``run=``)."""
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument(
        "--config", default=None, help="AWS config file (default: $AWS_CONFIG_FILE, ~/.aws/config)"
    )
    listing = sub.add_parser("profiles", parents=[config], help="list the role profiles")
    listing.set_defaults(run=list_profiles)
    console = sub.add_parser(
        "console", parents=[config], help="open the AWS console as a role profile"
    )
    console.add_argument("profile", help="a role profile (role_arn + source_profile)")
    console.add_argument("--destination", default=None, help="console page to open")
    console.add_argument(
        "--duration",
        type=int,
        default=None,
        help="console session in seconds ({}-{})".format(*SESSION_SECONDS_RANGE),
    )
    console.add_argument(
        "--url", action="store_true", help="print the sign-in URL instead of opening it"
    )
    console.set_defaults(run=open_console)
