"""The console's switch-role colours, in one table.

AWS has changed this palette before; keeping it in a single mapping means a change is a one-line
edit, and every widget, URL and history entry agrees on what a colour is called.
"""

from __future__ import annotations

import re
from typing import Final

from ..errors import InvalidColor

__all__ = ["CONSOLE_COLORS", "color", "color_name"]

#: Console colour name -> upper-case hex without ``#`` (as the switch-role URL carries it).
CONSOLE_COLORS: Final[dict[str, str]] = {
    "Red": "F2B0A9",
    "Orange": "FBBF93",
    "Yellow": "FAD791",
    "Green": "B7CA9D",
    "Blue": "99BCE3",
}

_HEX_RE = re.compile(r"#?([0-9A-Fa-f]{6})", re.ASCII)


def _allowed() -> str:
    return ", ".join(f"{name} ({hexcode})" for name, hexcode in CONSOLE_COLORS.items())


def color(value: str) -> str:
    """Return the upper-case hex of a console colour given by name or hex (``#`` optional).

    The console only offers these five colours, so anything else is rejected rather than passed
    through: a URL with another colour would not look the same in the console.
    """
    if isinstance(value, str):
        text = value.strip()
        for name, hexcode in CONSOLE_COLORS.items():
            if text.lower() == name.lower():
                return hexcode
        match = _HEX_RE.fullmatch(text)
        if match and match.group(1).upper() in CONSOLE_COLORS.values():
            return match.group(1).upper()
    raise InvalidColor(
        f"Colour {value!r} is not one of the console's role colours.",
        fix=f"Use one of: {_allowed()}; names are case-insensitive, '#' is optional.",
    )


def color_name(hexcode: str) -> str:
    """Return the console's name (e.g. ``"Green"``) for a colour given as hex or name."""
    canonical = color(hexcode)
    return next(name for name, value in CONSOLE_COLORS.items() if value == canonical)
