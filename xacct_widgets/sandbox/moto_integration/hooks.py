"""What every sandbox hook into moto shares: find the method it wraps, and know when to act.

A hook that silently stops applying after a moto upgrade would let the sandbox say *yes* where
AWS says *no*. So a hook takes the moto method it wraps through :func:`original`, which refuses
to install against a moto that no longer has it, and acts only while the sandbox enforces
(``Sandbox(enforce=False)`` leaves moto as it is).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from ...errors import SandboxError

__all__ = ["enforcing", "original"]


def original(owner: Any, name: str) -> Callable[..., Any]:
    """``owner.name``, the moto method a hook wraps; a SandboxError when moto has changed."""
    found = getattr(owner, name, None)
    if not callable(found):
        raise SandboxError(
            f"moto's {getattr(owner, '__name__', owner)}.{name} is gone: this moto version is not "
            "one the sandbox's hooks were built for.",
            fix="Install the moto range pinned in pyproject.toml.",
        )
    return cast(Callable[..., Any], found)


def enforcing() -> bool:
    """Whether the sandbox enforces (moto's authorization is on); off, nothing is checked."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    return bool(ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT)
