"""``xacct runbook``: the onboarding runbook, headless (papermill), for machines with no browser."""

from __future__ import annotations

import argparse
from typing import Any


def add_runbook_parser(sub: Any) -> None:
    runbook = sub.add_parser("runbook", help="run the onboarding runbook headless (papermill)")
    runbook.set_defaults(run=_not_yet)


def _not_yet(args: argparse.Namespace) -> int:
    raise SystemExit("xacct runbook: the onboarding runbook notebook is not in this build yet.")
