"""The writes on one role, each returning the write that undoes it: one set for every writer.

Applying a plan (:mod:`.apply`) and restoring a snapshot (:mod:`..rollout.restore`) make the
same IAM calls on a role - trust, settings, tags, boundary, managed and inline policies - and
each needs the undo the change engine (:mod:`..changes`) runs on a failure. They differ only in
where the old and new values come from (the plan, or the snapshot and the role now), so the
calls and their undos live here once, taking both values as arguments.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_iam.type_defs import TagTypeDef

__all__ = [
    "Undo",
    "attach",
    "delete_inline",
    "detach",
    "put_inline",
    "set_boundary",
    "set_settings",
    "set_trust",
    "tag",
    "tag_list",
    "untag",
]

#: Undoes one completed write.
Undo = Callable[[], None]


def tag_list(tags: Mapping[str, str]) -> list[TagTypeDef]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def set_trust(iam: IAMClient, name: str, new: Mapping[str, Any], old: Mapping[str, Any]) -> Undo:
    """Replace the trust policy by ``new``; the undo puts ``old`` back."""

    def put(doc: Mapping[str, Any]) -> None:
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(doc))

    put(new)
    return lambda: put(old)


def set_settings(iam: IAMClient, name: str, new: Mapping[str, Any], old: Mapping[str, Any]) -> Undo:
    """UpdateRole with ``new`` (Description, MaxSessionDuration); the undo sends ``old``.

    UpdateRole resets an omitted MaxSessionDuration to 3600 (and moto also clears an omitted
    Description), so both mappings should hold both settings.
    """
    after, before = dict(new), dict(old)
    iam.update_role(RoleName=name, **after)
    return lambda: _none(iam.update_role(RoleName=name, **before))


def untag(iam: IAMClient, name: str, old: Mapping[str, str]) -> Undo:
    """Remove the tags ``old`` names (its values are what the undo puts back)."""
    gone = dict(old)
    iam.untag_role(RoleName=name, TagKeys=list(gone))
    return lambda: _none(iam.tag_role(RoleName=name, Tags=tag_list(gone)))


def tag(iam: IAMClient, name: str, new: Mapping[str, str], previous: Mapping[str, str]) -> Undo:
    """Set the tags ``new``; ``previous`` is the role's tags before (the undo removes the keys
    that were added and puts overwritten values back)."""
    values = dict(new)
    restore = {k: previous[k] for k in values if k in previous}
    added = [k for k in values if k not in previous]
    iam.tag_role(RoleName=name, Tags=tag_list(values))

    def undo() -> None:
        if added:
            iam.untag_role(RoleName=name, TagKeys=added)
        if restore:
            iam.tag_role(RoleName=name, Tags=tag_list(restore))

    return undo


def set_boundary(iam: IAMClient, name: str, new: str | None, old: str | None) -> Undo:
    """Put permissions boundary ``new`` (None: delete it); the undo makes it ``old`` again."""

    def put(arn: str | None) -> None:
        if arn:
            iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=arn)
        else:
            iam.delete_role_permissions_boundary(RoleName=name)

    put(new)
    return lambda: put(old)


def attach(iam: IAMClient, name: str, arn: str) -> Undo:
    iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    return lambda: _none(iam.detach_role_policy(RoleName=name, PolicyArn=arn))


def detach(iam: IAMClient, name: str, arn: str) -> Undo:
    iam.detach_role_policy(RoleName=name, PolicyArn=arn)
    return lambda: _none(iam.attach_role_policy(RoleName=name, PolicyArn=arn))


def put_inline(
    iam: IAMClient,
    name: str,
    policy: str,
    doc: Mapping[str, Any],
    old: Mapping[str, Any] | None,
) -> Undo:
    """Put inline policy ``policy``; the undo puts ``old`` back (None: deletes it)."""
    _put(iam, name, policy, doc)
    if old is not None:
        previous = old
        return lambda: _put(iam, name, policy, previous)
    return lambda: _none(iam.delete_role_policy(RoleName=name, PolicyName=policy))


def delete_inline(iam: IAMClient, name: str, policy: str, old: Mapping[str, Any]) -> Undo:
    """Delete inline policy ``policy``; the undo puts its document ``old`` back."""
    iam.delete_role_policy(RoleName=name, PolicyName=policy)
    return lambda: _put(iam, name, policy, old)


def _put(iam: IAMClient, role: str, policy: str, doc: Mapping[str, Any]) -> None:
    iam.put_role_policy(RoleName=role, PolicyName=policy, PolicyDocument=json.dumps(doc))


def _none(_: object) -> None:
    """Turn an API call's response into None, for undo lambdas."""
    return None
