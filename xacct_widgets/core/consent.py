"""Consent is exact: the one rule for every flag that authorises taking something away.

``allow_destructive="false"`` is a non-empty string, so Python's truthiness reads it as yes; a
value typed on a command line, read from YAML or a widget arrives that way, and a check such as
``if not allow_destructive`` then deletes what the caller meant to keep. So a consent flag
(:data:`CONSENT_FLAGS`) is read by :func:`consent` only: ``True`` authorises, ``False`` and
``None`` refuse, and anything else - ``"false"``, ``"yes"``, ``1``, ``numpy.bool_`` - is
:class:`~xacct_widgets.errors.InvalidInput` naming the parameter, raised before any call.
Every entry point that takes such a flag calls it first, and a change engine that merges them
calls the same function.
"""

from __future__ import annotations

from typing import Final

from ..errors import InvalidInput

__all__ = ["CONSENT_FLAGS", "consent"]

#: Parameter names that authorise taking something away (access, settings, a profile someone
#: wrote, writes in every account). A public function with one of these reads it with consent().
CONSENT_FLAGS: Final = frozenset({"allow_destructive", "confirm", "overwrite", "allow_writes"})


def consent(value: object, name: str) -> bool:
    """True only for ``True``; False for ``False`` and ``None``; InvalidInput otherwise.

    Args:
        value: what the caller passed.
        name: the parameter's name, for the message (e.g. ``"allow_destructive"``).

    Raises:
        InvalidInput: ``value`` is neither a bool nor None (nothing has been changed).
    """
    if value is True:
        return True
    if value is False or value is None:
        return False
    shown = repr(value) if isinstance(value, str | int | float) else type(value).__name__
    if len(shown) > 40:
        shown = shown[:37] + "..."
    raise InvalidInput(
        f"{name}={shown} is not True or False: only True authorises taking something away, "
        "and a string such as 'false' is not False. Nothing was changed.",
        fix=f"Pass {name}=True to go ahead, or {name}=False (the default) to refuse.",
    )
