"""moto's process-wide state the sandbox switches: its authorization, and a reset of everything.

moto authorizes requests only once ``settings.INITIAL_NO_AUTH_ACTION_COUNT`` requests have been
counted by ``ActionAuthenticatorMixin.request_count``; the sandbox sets the threshold to zero
while it enforces (``Sandbox(enforce=True)``) and puts both back when it stops, so another moto
user in the process (a ``mock_aws`` test) finds moto as it was.
"""

from __future__ import annotations

__all__ = ["reset_moto", "restore_authorization", "start_authorizing"]

Saved = tuple[float, int]


def start_authorizing() -> Saved:
    """Authorize every request from now on; what to give :func:`restore_authorization`."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    saved = (settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count)
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    return saved


def restore_authorization(saved: Saved) -> None:
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = saved


def reset_moto() -> None:
    """Wipe every backend (moto's own reset, as ``/moto-api/reset`` does)."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()
