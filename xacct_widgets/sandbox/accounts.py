"""The sandbox's fixed facts: its accounts, Region and partition, and the two sign-in values it
documents (the console password and the MFA code).

Kept apart from :mod:`.seed` (which writes them into moto) so that what a client holds - a
:class:`.handle.SandboxHandle`, a worker process, ``credential_process`` - loads no moto.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ACCOUNT_ALIASES",
    "CONSOLE_PASSWORD",
    "EXTERNAL_VENDOR_ACCOUNT",
    "MANAGEMENT_ACCOUNT",
    "PARTITION",
    "REGION",
    "SANDBOX_MFA_CODE",
    "SOURCE_ACCOUNT",
    "TARGET_ACCOUNT",
]

SOURCE_ACCOUNT: Final = "987654329876"
TARGET_ACCOUNT: Final = "123456781234"
MANAGEMENT_ACCOUNT: Final = "210987654321"
EXTERNAL_VENDOR_ACCOUNT: Final = "999988887777"
REGION: Final = "us-east-1"
#: The one partition the sandbox models (moto keeps a backend per account and partition).
PARTITION: Final = "aws"

ACCOUNT_ALIASES: Final[dict[str, str]] = {
    "source": SOURCE_ACCOUNT,
    "target": TARGET_ACCOUNT,
    "management": MANAGEMENT_ACCOUNT,
}

#: The console password of every seeded IAM user (their login profile), documented like the
#: sandbox's MFA code: the sandbox console's sign-in form checks it.
CONSOLE_PASSWORD: Final = "xacct-sandbox-console"

#: The one TOTP code the sandbox accepts for its virtual MFA devices.
SANDBOX_MFA_CODE: Final = "123456"
