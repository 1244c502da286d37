"""``xacct rollout plan|apply``: one role to every account of an organization, from a shell.

``plan`` prints one row per account and exits like ``terraform plan -detailed-exitcode``: 0
when every account already has the role as specified, 2 when anything would change (or is
blocked), 1 on an error - so a CI job can tell "in sync" from "drifted" without parsing text.
``apply`` applies and prints the result table; it exits 1 if any account failed.

Without ``--profile`` it talks to the sandbox named by ``XACCT_SANDBOX_URL`` (``xacct sandbox``,
``xacct lab``), else to an embedded one started for the command, as the management account's
``admin``. With ``--profile`` the profile is the caller (the management account or a delegated
administrator).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .errors import XacctError

if TYPE_CHECKING:
    import boto3

    from .core.rollout import Rollout

__all__ = ["EXIT_CHANGES", "EXIT_ERROR", "EXIT_OK", "add_rollout_parser"]

#: Exit codes, as ``terraform plan -detailed-exitcode``.
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role-name", required=True, help="the role to create in every account")
    parser.add_argument(
        "--trusted-account", required=True, metavar="ID", help="the account allowed to assume it"
    )
    parser.add_argument(
        "--managed-policy",
        action="append",
        default=[],
        metavar="ARN",
        help="a managed policy to attach (repeat for several)",
    )
    parser.add_argument(
        "--accounts",
        default=None,
        metavar="ID,...",
        help="only these account IDs (default: every active account of the organization)",
    )
    parser.add_argument(
        "--execution-role",
        default="OrganizationAccountAccessRole",
        help="the role assumed in each member account (default: %(default)s)",
    )
    parser.add_argument(
        "--profile",
        default=None,
        help="an AWS profile of the management account (default: the sandbox)",
    )
    parser.add_argument(
        "--member-accounts",
        type=int,
        default=3,
        metavar="N",
        help="an embedded sandbox's member accounts, when no sandbox is named (default: 3)",
    )


def add_rollout_parser(sub: Any) -> None:
    rollout = sub.add_parser(
        "rollout",
        help="plan or apply one role in every account of an organization",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = rollout.add_subparsers(dest="verb", required=True)
    plan = verbs.add_parser("plan", help="print what would change; exit 0 in sync, 2 changes")
    _options(plan)
    apply = verbs.add_parser("apply", help="apply the plan and print the result")
    _options(apply)
    apply.add_argument(
        "--allow-destructive",
        action="store_true",
        help="allow changes that remove permissions or trust from an existing role",
    )
    rollout.set_defaults(run=run_command)


@contextmanager
def _caller(args: argparse.Namespace) -> Iterator[boto3.Session]:
    """The management account's session: the profile, else the named or an embedded sandbox."""
    if args.profile:
        import boto3

        yield boto3.Session(profile_name=args.profile)
        return
    from .sandbox import ENV_URL, Sandbox

    if os.environ.get(ENV_URL, "").strip():
        yield Sandbox.from_env().session("management", "admin")
        return
    with Sandbox(member_accounts=args.member_accounts) as sb:
        print(f"Embedded sandbox at {sb.endpoint_url} ({sb.member_accounts} member accounts).")
        yield sb.session("management", "admin")


def _rollout(args: argparse.Namespace, session: boto3.Session) -> Rollout:
    from .core.query.organization import Organization
    from .core.rollout import Rollout
    from .core.target import RoleSpec

    spec = RoleSpec(
        name=args.role_name,
        trusted_account=args.trusted_account,
        managed_policy_arns=tuple(args.managed_policy),
    )
    accounts: Any = Organization(session)
    if args.accounts:
        accounts = [a.strip() for a in args.accounts.split(",") if a.strip()]
    return Rollout(spec, accounts, session=session, execution_role=args.execution_role)


def _print_table(frame: Any) -> None:
    print(frame.to_string(index=False) if len(frame) else "(no accounts)")


def run_command(args: argparse.Namespace) -> int:
    """Run ``plan`` or ``apply``; an XacctError is printed with its fix and exits 1 (not 2,
    which means "changes" here)."""
    try:
        with _caller(args) as session:
            rollout = _rollout(args, session)
            plan = rollout.plan()
            _print_table(plan.frame)
            counts = ", ".join(f"{n} {a}" for a, n in plan.counts().items() if n)
            print(f"\nPlan: {counts or 'no accounts'}.")
            if args.verb == "plan":
                return EXIT_OK if plan.is_noop else EXIT_CHANGES
            if plan.is_noop:
                print("Nothing to apply: every account already has the role as specified.")
                return EXIT_OK
            result = rollout.apply(
                plan,
                allow_destructive=bool(args.allow_destructive),
                progress=sys.stderr.isatty(),
            )
            print()
            _print_table(result.frame)
            done = ", ".join(f"{n} {s}" for s, n in result.counts().items() if n)
            print(f"\nApply: {done or 'nothing'}.")
            failed = any(r.status == "failed" for r in result.rows)
            return EXIT_ERROR if failed else EXIT_OK
    except XacctError as err:
        print(f"xacct rollout: {err.message}", file=sys.stderr)
        if err.fix:
            print(f"fix: {err.fix}", file=sys.stderr)
        return EXIT_ERROR
