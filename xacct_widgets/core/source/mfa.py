"""The caller's MFA devices (``iam:ListMFADevices``), so a switch asks only for the code.

A role whose trust policy requires MFA needs the caller's device (its ARN or serial) *and* its
current code. Nobody should have to type the device's ARN: it is the caller's own, and IAM lists
it. Listing may be refused (a policy without ``iam:ListMFADevices``) or meaningless (a role
session has no devices of its own); then :class:`MfaDevices` says so and the device has to be
typed. Listing never raises: it is a convenience, and AWS has the last word at the switch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ...errors import InvalidInput
from .. import ids
from ..identity import Identity

__all__ = ["MfaDevices", "list_mfa_devices", "resolve_mfa_serial"]


@dataclass(frozen=True)
class MfaDevices:
    """The caller's MFA devices; ``listed`` is False when they could not be listed (``why``).

    ``serials`` are the devices' ARNs (virtual) or serial numbers (hardware), in IAM's order.
    When ``listed`` is False the device must be typed (``must_type``).
    """

    caller_arn: str
    serials: tuple[str, ...] = ()
    listed: bool = True
    why: str = ""

    @property
    def must_type(self) -> bool:
        """True when the device cannot be chosen from a list: it has to be typed."""
        return not self.listed or not self.serials

    @property
    def only(self) -> str | None:
        """The one device, when the caller has exactly one (the usual case)."""
        return self.serials[0] if self.listed and len(self.serials) == 1 else None


def list_mfa_devices(iam: Any, caller: Identity) -> MfaDevices:
    """``caller``'s MFA devices, read with ``iam`` (a client of the caller's session).

    An IAM user's devices are listed (``iam:ListMFADevices`` on itself); a refusal or any other
    error gives ``listed=False`` with the reason, never an exception. Other callers (a role
    session, root) have no devices IAM can list for them.
    """
    if caller.principal_type != "user":
        return MfaDevices(
            caller.arn,
            listed=False,
            why=f"{caller.arn} is not an IAM user: IAM lists MFA devices of users only",
        )
    try:
        pages = iam.get_paginator("list_mfa_devices").paginate(UserName=caller.name)
        serials = [d["SerialNumber"] for page in pages for d in page.get("MFADevices", [])]
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "error")
        return MfaDevices(
            caller.arn,
            listed=False,
            why=f"iam:ListMFADevices was refused ({code}): your permissions do not allow "
            "listing your MFA devices",
        )
    except BotoCoreError as err:
        return MfaDevices(
            caller.arn, listed=False, why=f"your MFA devices could not be listed ({err})"
        )
    return MfaDevices(caller.arn, tuple(dict.fromkeys(serials)))


def resolve_mfa_serial(devices: MfaDevices) -> str:
    """The device to use with a code given alone: the caller's only one, else InvalidInput."""
    if devices.only is not None:
        return ids.mfa_serial(devices.only)
    if not devices.listed:
        raise InvalidInput(
            f"An MFA code was given without its device, and the device cannot be looked up: "
            f"{devices.why}.",
            fix="Pass your MFA device's ARN as mfa_serial= with the code (copy it from "
            "'Security credentials' in the console), or ask for iam:ListMFADevices on yourself.",
        )
    if not devices.serials:
        raise InvalidInput(
            f"An MFA code was given, but {devices.caller_arn} has no MFA device.",
            fix="Assign an MFA device to your user ('Security credentials' in the console), "
            "then switch with its code.",
        )
    raise InvalidInput(
        f"An MFA code was given without its device, and {devices.caller_arn} has "
        f"{len(devices.serials)}: {', '.join(devices.serials)}.",
        fix="Pass the device the code is from as mfa_serial=.",
    )
