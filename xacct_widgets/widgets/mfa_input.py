"""``MfaInput``: the MFA code box of every one-click switch (the bar, history and bookmarks).

Why one small part: a role that requires MFA must be switchable from wherever a switch starts,
and each place must ask the same thing - only the 6-digit code. The device is the caller's own
(the core looks it up: ``RoleSwitcher.mfa_devices``); only when it cannot be listed does a
device field appear, with the reason. The code is a one-time secret-like value: :meth:`take`
hands it over and empties the box, so it never stays in widget state after a switch.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..core import ids
from ..core.switch import RoleSwitcher
from ..errors import InvalidInput
from .fields import classed

__all__ = ["MfaInput"]


class MfaInput:
    """An "MFA code" box (and a device box shown only when the device must be typed).

    ``css`` prefixes the controls' classes (``<css>-mfa-code``, ``<css>-mfa-serial``).
    """

    def __init__(self, switcher: RoleSwitcher, css: str) -> None:
        self.switcher = switcher
        self.code = classed(
            w.Text(
                value="",
                description="MFA code",
                tooltip="Only if the role requires MFA: the 6-digit code your device shows now",
                style={"description_width": "5em"},
                layout={"width": "13em"},
            ),
            f"{css}-mfa-code",
        )
        self.serial = classed(
            w.Text(
                value="",
                description="MFA device",
                tooltip="Your MFA device's ARN (arn:aws:iam::123456789012:mfa/NAME)",
                style={"description_width": "6em"},
                layout={"width": "30em", "display": "none"},
            ),
            f"{css}-mfa-serial",
        )
        self.box = w.HBox([self.code, self.serial], layout={"flex_flow": "row wrap"})

    def take(self) -> dict[str, Any]:
        """The MFA arguments of ``switch``/``switch_entry`` ({} without a code), checked; the
        code box is emptied whatever happens (use it once)."""
        code = str(self.code.value).strip()
        typed = str(self.serial.value).strip()
        self.code.value = ""
        if not code:
            return {}
        ids.mfa_code(code)
        if typed:
            return {"mfa_serial": ids.mfa_serial(typed), "mfa_token": code}
        devices = self.switcher.mfa_devices()
        if devices.only is not None:
            return {"mfa_serial": devices.only, "mfa_token": code}
        self.serial.layout.display = None  # from now on the device is asked for too
        if devices.must_type:
            why = devices.why or f"{devices.caller_arn} has no MFA device listed"
        else:
            why = f"you have {len(devices.serials)} MFA devices: {', '.join(devices.serials)}"
        raise InvalidInput(
            f"Your MFA device could not be chosen for you ({why}).",
            fix="Type your MFA device's ARN in the 'MFA device' box that is now shown, and "
            "the code again (codes are used once).",
        )
