"""The Create-role wizard's flow as data: what each step shows and does, what a field triggers.

Kept out of :mod:`.create_role` so that the wizard's class holds behaviour and this module the
order of the tutorial (A1-A7): reading the steps here reads the console's pages in order.
Hooks call the public step actions of :class:`RoleSteps`, which the wizard implements; this
module never imports the wizard (imports point one way: create_role -> create_role_flow), and
nothing here calls AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Protocol

from .create_role_fields import (
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

__all__ = ["REACTIONS", "STEPS", "RoleSteps"]


class RoleSteps(Protocol):
    """What the steps do, one action each: the wizard's side of the flow."""

    def load_roles(self) -> None: ...
    def note_existing(self) -> None: ...
    def refresh_choices(self) -> None: ...
    def preview_trust(self) -> None: ...
    def load_policies(self) -> None: ...
    def name_ok(self) -> bool: ...
    def options_ok(self) -> bool: ...
    def trusted_ok(self) -> bool: ...
    def make_plan(self) -> None: ...
    def enter_review(self, direction: str) -> None: ...
    def enter_result(self, direction: str) -> None: ...


Hook = Callable[[RoleSteps], None]

#: What else happens when a field changes, after its own core check.
REACTIONS: Final[dict[str, tuple[Hook, ...]]] = {
    "name": (lambda wiz: wiz.note_existing(), lambda wiz: wiz.refresh_choices()),
    "external_id": (lambda wiz: wiz.refresh_choices(), lambda wiz: wiz.preview_trust()),
    "require_mfa": (lambda wiz: wiz.refresh_choices(), lambda wiz: wiz.preview_trust()),
    "max_session": (lambda wiz: wiz.refresh_choices(),),
    "trusted_account": (lambda wiz: wiz.refresh_choices(), lambda wiz: wiz.preview_trust()),
}

#: The seven steps: what each shows, and the one thing it does.
STEPS: Final[tuple[StepSpec[RoleSteps], ...]] = (
    StepSpec(
        "A1",
        "Existing roles",
        H_ROLES,
        ("roles_table", "refresh_roles_button"),
        enter=lambda wiz, _d: wiz.load_roles(),
    ),
    StepSpec(
        "A2",
        "Role name",
        H_NAME,
        ("name", "name_note", "role_description", "path", "tags"),
        ready=lambda wiz: wiz.name_ok(),
    ),
    StepSpec(
        "A3",
        "Role type and options",
        H_TYPE,
        (Html(ROLE_TYPE_HTML), "external_id", "require_mfa", "max_session"),
        ready=lambda wiz: wiz.options_ok(),
    ),
    StepSpec(
        "A4",
        "Trusted account",
        H_ACCOUNT,
        ("trusted_account", "trust_preview"),
        enter=lambda wiz, _d: wiz.preview_trust(),
        ready=lambda wiz: wiz.trusted_ok(),
    ),
    StepSpec(
        "A5",
        "Permissions",
        H_PERMS,
        ("picker", "permissions_boundary"),
        enter=lambda wiz, _d: wiz.load_policies(),
        leave=lambda wiz: wiz.make_plan(),
        next_label="Review →",
        leave_doing="planning the changes",
    ),
    StepSpec(
        "A6",
        "Review and apply",
        H_REVIEW,
        ("review", "apply_button"),
        enter=lambda wiz, direction: wiz.enter_review(direction),
        next_label=None,
    ),
    StepSpec(
        "A7",
        "Role created",
        H_RESULT,
        ("result",),
        enter=lambda wiz, direction: wiz.enter_result(direction),
    ),
)
