"""Put a role back exactly as a snapshot had it, through the one change engine.

``result.rollback()`` must leave each account as it was before the rollout, not as a spec
describes it: a spec cannot hold every trust policy byte for byte (:mod:`..target.existing`
reads only the console's shape), so the restore compares the snapshot taken just before the
apply (:func:`..target.reads.role_state`, every inline document) with the role now, and makes
one engine step per field that differs - trust document, description and session duration,
tags, permissions boundary, managed policies, inline documents - each the same write with its
undo as an apply makes (:mod:`..target.writes`), so a failed restore is itself rolled back.
A role the rollout created is deleted (with the policies IAM requires gone first).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from ...errors import RoleNotFound
from ..changes import ChangeReport, Step, Undo, apply_steps
from ..target import reads, writes
from ..target.apply import purge
from ..target.record import RoleState

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

__all__ = ["restore_role", "restore_steps"]


def _step(label: str, action: str, name: str, run: Callable[[], Undo]) -> Step:
    return Step(label, run, destructive=True, action=f"iam:{action}", resource=f"role {name}")


def restore_steps(iam: IAMClient, name: str, before: RoleState, now: RoleState) -> list[Step]:
    """The writes that turn ``now`` back into ``before`` (removals before additions), each the
    same write with its undo as :mod:`..target.apply` makes (:mod:`..target.writes`)."""
    old, new = before.record, now.record
    steps: list[Step] = []

    def add(label: str, action: str, run: Callable[[], Undo]) -> None:
        steps.append(_step(label, action, name, run))

    if old.trust_policy != new.trust_policy:
        add(
            "restore trust policy",
            "UpdateAssumeRolePolicy",
            lambda: writes.set_trust(iam, name, old.trust_policy, new.trust_policy),
        )
    settings = {"Description": old.description, "MaxSessionDuration": old.max_session_duration}
    current = {"Description": new.description, "MaxSessionDuration": new.max_session_duration}
    if settings != current:
        add(
            "restore description and session duration",
            "UpdateRole",
            lambda: writes.set_settings(iam, name, settings, current),
        )
    extra = {k: v for k, v in new.tags.items() if k not in old.tags}
    if extra:
        add(f"untag {', '.join(extra)}", "UntagRole", lambda: writes.untag(iam, name, extra))
    changed = {k: v for k, v in old.tags.items() if new.tags.get(k) != v}
    if changed:
        add(
            f"tag {', '.join(changed)}",
            "TagRole",
            lambda: writes.tag(iam, name, changed, new.tags),
        )
    if old.permissions_boundary != new.permissions_boundary:
        add(
            "restore permissions boundary",
            "PutRolePermissionsBoundary"
            if old.permissions_boundary
            else "DeleteRolePermissionsBoundary",
            lambda: writes.set_boundary(
                iam, name, old.permissions_boundary, new.permissions_boundary
            ),
        )
    for arn in sorted(set(new.managed_policy_arns) - set(old.managed_policy_arns)):
        add(
            f"detach policy {arn}",
            "DetachRolePolicy",
            functools.partial(writes.detach, iam, name, arn),
        )
    for policy in sorted(set(now.inline_documents) - set(before.inline_documents)):
        add(
            f"delete inline policy {policy}",
            "DeleteRolePolicy",
            functools.partial(
                writes.delete_inline, iam, name, policy, now.inline_documents[policy]
            ),
        )
    for arn in sorted(set(old.managed_policy_arns) - set(new.managed_policy_arns)):
        add(
            f"re-attach policy {arn}",
            "AttachRolePolicy",
            functools.partial(writes.attach, iam, name, arn),
        )
    for policy, doc in sorted(before.inline_documents.items()):
        if now.inline_documents.get(policy) != doc:
            add(
                f"restore inline policy {policy}",
                "PutRolePolicy",
                functools.partial(
                    writes.put_inline, iam, name, policy, doc, now.inline_documents.get(policy)
                ),
            )
    return steps


def restore_role(iam: IAMClient, name: str, before: RoleState | None) -> ChangeReport:
    """Make role ``name`` what ``before`` says (None: it did not exist, so delete it)."""
    subject = f"Rolling back role {name!r}"
    if before is None:
        deleted: list[object] = []

        def delete() -> Callable[[], object]:
            with contextlib.suppress(RoleNotFound):  # deleted already: what rollback wants
                deleted.extend(purge(iam, name))  # its own reads: no snapshot needed
            return lambda: None

        report = apply_steps(
            [_step(f"delete role {name}", "DeleteRole", name, delete)],
            subject=subject,
            allow_destructive=True,
        )
        return report if deleted else ChangeReport(subject)
    now = reads.role_state(iam, name)
    if now is None:
        raise RoleNotFound(
            f"Role {name!r} was deleted since the rollout changed it: there is nothing to put "
            "back. Nothing was changed.",
            code="NoSuchEntity",
            fix="Re-create it by hand from the snapshot, or apply the spec again.",
        )
    return apply_steps(
        restore_steps(iam, name, before, now), subject=subject, allow_destructive=True
    )
