"""AWS partitions: which sign-in, console and federation hosts serve an ARN's partition.

A role in China (``aws-cn``) or GovCloud (``aws-us-gov``) is switched into, signed in to and
linked on different hosts than a commercial one; a commercial switch-role link for a GovCloud
role simply does not work. The partition is read from an ARN (the caller's, the role's), never
guessed, and every URL in the toolkit takes its hosts from here.

Hosts: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html
(federation endpoints per partition), https://docs.amazonaws.cn/en_us/aws/latest/userguide/iam.html
(China), https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-endpoints.html.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from ..errors import InvalidInput
from . import ids

__all__ = ["PARTITIONS", "Partition", "partition", "partition_of", "partition_of_host"]


@dataclass(frozen=True)
class Partition:
    """One partition's public hosts."""

    name: str
    signin_host: str
    console_host: str

    @property
    def switch_role_base(self) -> str:
        """Where the console's switch-role links point."""
        return f"https://{self.signin_host}/switchrole"

    @property
    def federation_url(self) -> str:
        """The federation endpoint (getSigninToken, login)."""
        return f"https://{self.signin_host}/federation"

    @property
    def console_url(self) -> str:
        """The console's home page: the default sign-in destination."""
        return f"https://{self.console_host}/"


PARTITIONS: Final = {
    p.name: p
    for p in (
        Partition("aws", "signin.aws.amazon.com", "console.aws.amazon.com"),
        Partition("aws-cn", "signin.amazonaws.cn", "console.amazonaws.cn"),
        Partition("aws-us-gov", "signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com"),
    )
}
# Regional sign-in hosts (us-east-1.signin.aws.amazon.com) serve the same switch-role page.
_REGIONAL: Final = re.compile(r"(?:[a-z]{2}(?:-[a-z]+)+-[0-9]+\.)?(?P<host>.+)")


def partition(name: str) -> Partition:
    """The partition called ``name`` (``aws``, ``aws-cn`` or ``aws-us-gov``)."""
    found = PARTITIONS.get(name.strip().lower()) if isinstance(name, str) else None
    if found is None:
        raise InvalidInput(
            f"Partition {name!r} is not supported.",
            fix="Use one of " + ", ".join(repr(p) for p in PARTITIONS) + ".",
        )
    return found


def partition_of(arn: str) -> Partition:
    """The partition of any ARN (a role's, a user's, an assumed-role session's)."""
    return partition(ids.parse_arn(arn).partition)


def partition_of_host(host: str) -> Partition | None:
    """The partition whose sign-in host (global or regional) is ``host``; None if none."""
    match = _REGIONAL.fullmatch(host.strip().lower())
    name = match.group("host") if match else ""
    return next((p for p in PARTITIONS.values() if p.signin_host in (name, host.lower())), None)
