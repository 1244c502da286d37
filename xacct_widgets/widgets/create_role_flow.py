"""The Create-role wizard's flow as data: what each step shows and does, what a field triggers.

Kept out of :mod:`.create_role` so that the wizard's class holds behaviour and this module the
order of the tutorial (A1-A7): reading the steps here reads the console's pages in order.
Hooks name the wizard's methods; nothing here calls AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from .create_role_steps import (
    H_ACCOUNT,
    H_NAME,
    H_PERMS,
    H_RESULT,
    H_REVIEW,
    H_ROLES,
    H_TYPE,
    ROLE_TYPE_HTML,
    Html,
    StepSpec,
)

if TYPE_CHECKING:
    from .create_role import CreateRoleWizard

__all__ = ["REACTIONS", "STEPS"]


def _call(method: str) -> Callable[..., Any]:
    """A hook calling the wizard's ``method`` with the hook's other arguments."""
    return lambda wizard, *args: getattr(wizard, method)(*args)


#: What else happens when a field changes, after its own core check.
REACTIONS: Final[dict[str, tuple[Callable[[CreateRoleWizard], None], ...]]] = {
    "name": (_call("_note_existing"), _call("_refresh_choices")),
    "external_id": (_call("_refresh_choices"), _call("_preview_trust")),
    "require_mfa": (_call("_refresh_choices"), _call("_preview_trust")),
    "max_session": (_call("_refresh_choices"),),
    "trusted_account": (_call("_refresh_choices"), _call("_preview_trust")),
}

#: The seven steps: what each shows, and the one thing it does.
STEPS: Final[tuple[StepSpec[CreateRoleWizard], ...]] = (
    StepSpec(
        "A1",
        "Existing roles",
        H_ROLES,
        ("roles_table", "refresh_roles_button"),
        enter=lambda wiz, _d: wiz._load_roles(),
    ),
    StepSpec(
        "A2",
        "Role name",
        H_NAME,
        ("name", "name_note", "role_description", "path", "tags"),
        ready=_call("_name_ok"),
    ),
    StepSpec(
        "A3",
        "Role type and options",
        H_TYPE,
        (Html(ROLE_TYPE_HTML), "external_id", "require_mfa", "max_session"),
        ready=_call("_options_ok"),
    ),
    StepSpec(
        "A4",
        "Trusted account",
        H_ACCOUNT,
        ("trusted_account", "trust_preview"),
        enter=lambda wiz, _d: wiz._preview_trust(),
        ready=_call("_trusted_ok"),
    ),
    StepSpec(
        "A5",
        "Permissions",
        H_PERMS,
        ("picker", "permissions_boundary"),
        enter=lambda wiz, _d: wiz.picker.load(),
        leave=_call("_make_plan"),
        next_label="Review →",
        leave_doing="planning the changes",
    ),
    StepSpec(
        "A6",
        "Review and apply",
        H_REVIEW,
        ("review", "apply_button"),
        enter=_call("_enter_review"),
        next_label=None,
    ),
    StepSpec(
        "A7",
        "Role created",
        H_RESULT,
        ("result",),
        enter=_call("_enter_result"),
    ),
)
