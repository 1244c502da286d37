"""Put a role back exactly as a snapshot had it, through the one change engine.

``result.rollback()`` must leave each account as it was before the rollout, not as a spec
describes it: a spec cannot hold every trust policy byte for byte (:mod:`..target.existing`
reads only the console's shape), so the restore compares the snapshot taken just before the
apply (:func:`..target.reads.role_state`, every inline document) with the role now, and makes
one engine step per field that differs - trust document, description and session duration,
tags, permissions boundary, managed policies, inline documents - each with its undo, so a
failed restore is itself rolled back. A role the rollout created is deleted (with the policies
IAM requires gone first).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ...errors import RoleNotFound
from ..changes import ChangeReport, Step, Undo, apply_steps
from ..target import reads
from ..target.apply import purge
from ..target.record import RoleState

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

__all__ = ["restore_role", "restore_steps"]


def _step(label: str, action: str, name: str, run: Callable[[], Callable[[], object]]) -> Step:
    return Step(label, run, destructive=True, action=f"iam:{action}", resource=f"role {name}")


def _then(do: Callable[[], object], undo: Callable[[], object]) -> Callable[[], Undo]:
    """A step's ``run``: ``do()``, then hand back ``undo``."""

    def run() -> Undo:
        do()
        return undo

    return run


def _tags(tags: Mapping[str, str]) -> list[Any]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def restore_steps(iam: IAMClient, name: str, before: RoleState, now: RoleState) -> list[Step]:
    """The writes that turn ``now`` back into ``before`` (removals before additions)."""
    old, new = before.record, now.record
    steps: list[Step] = []

    def put_trust(doc: Mapping[str, Any]) -> Callable[[], object]:
        return lambda: iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(doc))

    if old.trust_policy != new.trust_policy:
        steps.append(
            _step(
                "restore trust policy",
                "UpdateAssumeRolePolicy",
                name,
                _then(put_trust(old.trust_policy), put_trust(new.trust_policy)),
            )
        )
    settings = {"Description": old.description, "MaxSessionDuration": old.max_session_duration}
    current = {"Description": new.description, "MaxSessionDuration": new.max_session_duration}
    if settings != current:
        steps.append(
            _step(
                "restore description and session duration",
                "UpdateRole",
                name,
                _then(
                    lambda: iam.update_role(RoleName=name, **settings),  # type: ignore[arg-type]
                    lambda: iam.update_role(RoleName=name, **current),  # type: ignore[arg-type]
                ),
            )
        )
    extra = [k for k in new.tags if k not in old.tags]
    if extra:
        gone = {k: new.tags[k] for k in extra}
        steps.append(
            _step(
                f"untag {', '.join(extra)}",
                "UntagRole",
                name,
                _then(
                    lambda: iam.untag_role(RoleName=name, TagKeys=extra),
                    lambda: iam.tag_role(RoleName=name, Tags=_tags(gone)),
                ),
            )
        )
    changed = {k: v for k, v in old.tags.items() if new.tags.get(k) != v}
    if changed:
        back = {k: new.tags[k] for k in changed if k in new.tags}
        added = [k for k in changed if k not in new.tags]

        def retag() -> Callable[[], object]:
            iam.tag_role(RoleName=name, Tags=_tags(changed))

            def undo() -> None:
                if added:
                    iam.untag_role(RoleName=name, TagKeys=added)
                if back:
                    iam.tag_role(RoleName=name, Tags=_tags(back))

            return undo

        steps.append(_step(f"tag {', '.join(changed)}", "TagRole", name, retag))
    steps += _boundary(iam, name, old.permissions_boundary, new.permissions_boundary)
    for arn in sorted(set(new.managed_policy_arns) - set(old.managed_policy_arns)):
        steps.append(_managed(iam, name, arn, attach=False))
    for policy in sorted(set(now.inline_documents) - set(before.inline_documents)):
        steps.append(_inline(iam, name, policy, None, now.inline_documents[policy]))
    for arn in sorted(set(old.managed_policy_arns) - set(new.managed_policy_arns)):
        steps.append(_managed(iam, name, arn, attach=True))
    for policy, doc in sorted(before.inline_documents.items()):
        if now.inline_documents.get(policy) != doc:
            steps.append(_inline(iam, name, policy, doc, now.inline_documents.get(policy)))
    return steps


def _boundary(iam: IAMClient, name: str, old: str | None, new: str | None) -> list[Step]:
    if old == new:
        return []

    def put(arn: str | None) -> None:
        if arn:
            iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=arn)
        else:
            iam.delete_role_permissions_boundary(RoleName=name)

    return [
        _step(
            "restore permissions boundary",
            "PutRolePermissionsBoundary" if old else "DeleteRolePermissionsBoundary",
            name,
            _then(lambda: put(old), lambda: put(new)),
        )
    ]


def _managed(iam: IAMClient, name: str, arn: str, *, attach: bool) -> Step:
    def attach_it() -> None:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)

    def detach_it() -> None:
        iam.detach_role_policy(RoleName=name, PolicyArn=arn)

    do, undo = (attach_it, detach_it) if attach else (detach_it, attach_it)
    action = "AttachRolePolicy" if attach else "DetachRolePolicy"
    label = f"{'re-attach' if attach else 'detach'} policy {arn}"
    return _step(label, action, name, _then(do, undo))


def _inline(
    iam: IAMClient,
    name: str,
    policy: str,
    doc: Mapping[str, Any] | None,
    now: Mapping[str, Any] | None,
) -> Step:
    def put(value: Mapping[str, Any] | None) -> None:
        if value is None:
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
        else:
            iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=json.dumps(value))

    label = f"{'delete' if doc is None else 'restore'} inline policy {policy}"
    action = "DeleteRolePolicy" if doc is None else "PutRolePolicy"
    return _step(label, action, name, _then(lambda: put(doc), lambda: put(now)))


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
