"""A ``credential_process`` for sandbox principals: an AWS config profile that reaches the sandbox
with no key written to disk.

botocore and the AWS CLI run the profile's command and read the keys from its JSON ("Sourcing
credentials with an external process",
https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html), so a
profile for the sandbox's operator is ``credential_process = <this command>`` plus
``endpoint_url``; the keys are asked of the running sandbox each time, as ``Sandbox.attach``
does, and printed only to the process that asked (the contract of a credential process).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from ..errors import XacctError
from .handle import SandboxHandle
from .remote import credential_command as command

__all__ = ["command", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m xacct_widgets.sandbox.credential_process URL ACCOUNT:USER [--ca-bundle PEM]``
    (the CA bundle of an HTTPS sandbox, ``Sandbox(tls=True)``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    ca_bundle = None
    if len(args) == 4 and args[2] == "--ca-bundle":
        ca_bundle = args.pop()
        args.pop()
    if len(args) != 2 or ":" not in args[1]:
        print(
            "usage: python -m xacct_widgets.sandbox.credential_process URL ACCOUNT:USER"
            " [--ca-bundle PEM]",
            file=sys.stderr,
        )
        return 2
    account, _, user = args[1].partition(":")
    try:
        env = SandboxHandle.attach(args[0], ca_bundle=ca_bundle).env(account, user)
    except XacctError as err:
        print(f"xacct credential_process: {err}", file=sys.stderr)
        return 1
    keys = {
        "AccessKeyId": env["AWS_ACCESS_KEY_ID"],
        "SecretAccessKey": env["AWS_SECRET_ACCESS_KEY"],
    }
    print(json.dumps({"Version": 1, **keys}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
