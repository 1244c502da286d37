"""Apply a :class:`~.restrict.RestrictPlan`: each write with its undo, all or nothing.

Each policy edit is a step of the one change engine (:mod:`xacct_widgets.core.changes`), as
part A's apply is: destructive rows refused unless confirmed, before any write; then step by
step with undo, rolled back newest first on a failure or an interrupt (``ApplyFailed``, or
``ApplyDenied`` for a refusal, naming the step). A customer-managed policy is changed by a new
default version (its old version is the undo); IAM keeps at most five versions, which is
checked before anything is written. A role's trust policy (``trust:NAME``, for a role of the
same account) is replaced with ``UpdateAssumeRolePolicy``, the previous document being the
undo.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from ...errors import ApplyFailed
from ..aws import aws_call
from ..changes import Step, apply_steps, check_consent
from ..consent import consent
from .restrict_plan import RestrictPlan, RestrictStep

__all__ = ["Restriction", "apply_restriction"]

log = logging.getLogger(__name__)

_MAX_VERSIONS: Final = 5
Undo = Callable[[], None]


def _inline(ref: str) -> tuple[str, str, str]:
    kind, _, rest = ref.partition(":")
    name, _, policy = rest.partition("/")
    return kind, name, policy


def _put_inline(iam: Any, kind: str, name: str, policy: str, doc: dict[str, Any]) -> None:
    key = {"user": "UserName", "group": "GroupName", "role": "RoleName"}[kind]
    put = getattr(iam, f"put_{kind}_policy")
    put(**{key: name}, PolicyName=policy, PolicyDocument=json.dumps(doc))


def _delete_inline(iam: Any, kind: str, name: str, policy: str) -> None:
    key = {"user": "UserName", "group": "GroupName", "role": "RoleName"}[kind]
    getattr(iam, f"delete_{kind}_policy")(**{key: name}, PolicyName=policy)


def _write_inline(iam: Any, step: RestrictStep) -> Undo:
    kind, name, policy = _inline(step.ref)
    if step.after is None:
        _delete_inline(iam, kind, name, policy)
    else:
        _put_inline(iam, kind, name, policy, step.after)
    before = step.before

    def undo() -> None:
        if before is None:
            _delete_inline(iam, kind, name, policy)
        else:
            _put_inline(iam, kind, name, policy, before)

    return undo


def _write_trust(iam: Any, step: RestrictStep) -> Undo:
    name = step.ref.removeprefix("trust:")
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(step.after))
    before = step.before

    def undo() -> None:
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(before))

    return undo


def _writer(ref: str) -> Callable[[Any, RestrictStep], Undo]:
    if ref.startswith("managed:"):
        return _write_managed
    return _write_trust if ref.startswith("trust:") else _write_inline


def _default_version(iam: Any, arn: str) -> str:
    return str(iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"])


def _write_managed(iam: Any, step: RestrictStep) -> Undo:
    arn = step.ref.removeprefix("managed:")
    old = _default_version(iam, arn)
    made = iam.create_policy_version(
        PolicyArn=arn, PolicyDocument=json.dumps(step.after), SetAsDefault=True
    )["PolicyVersion"]["VersionId"]

    def undo() -> None:
        iam.set_default_policy_version(PolicyArn=arn, VersionId=old)
        iam.delete_policy_version(PolicyArn=arn, VersionId=made)

    return undo


def _check_versions(iam: Any, plan: RestrictPlan) -> None:
    for step in plan.steps:
        if not step.ref.startswith("managed:"):
            continue
        arn = step.ref.removeprefix("managed:")
        with aws_call("iam:ListPolicyVersions", arn):
            pages = iam.get_paginator("list_policy_versions").paginate(PolicyArn=arn)
            count = sum(len(p.get("Versions", [])) for p in pages)
        if count >= _MAX_VERSIONS:
            raise ApplyFailed(
                f"Policy {arn} already has {count} versions, IAM's maximum: a new one cannot "
                "be added. Nothing was changed.",
                step=f"update {arn}",
                code="LimitExceeded",
                fix="Delete a non-default version (iam delete-policy-version), then run again.",
            )


def apply_restriction(iam: Any, plan: RestrictPlan, *, allow_destructive: bool = False) -> None:
    """Write ``plan`` through the one change engine (:mod:`..changes`); see
    :meth:`SourceAccount.restrict_assume_role`."""
    allowed = consent(allow_destructive, "allow_destructive")
    steps = [
        Step(
            f"{step.policy}: {step.change}",
            functools.partial(_writer(step.ref), iam, step),
            destructive=step.destructive,
            action=f"update {step.ref}",
            resource=step.ref,
            why=f"affects {', '.join(step.principals)}",
        )
        for step in plan.steps
    ]
    subject = "Restricting who may switch"
    check_consent(steps, subject=subject, allow_destructive=allowed, confirm_fix=_CONFIRM)
    _check_versions(iam, plan)  # IAM's five-version limit, read before the first write
    apply_steps(steps, subject=subject, allow_destructive=allowed, confirm_fix=_CONFIRM)


_CONFIRM: Final = (
    "call restrict_assume_role(..., allow_destructive=True) (or apply_restriction(plan, "
    "allow_destructive=True)) after reviewing plan_restriction(...).destructive"
)


@dataclass(frozen=True)
class Restriction:
    """What :meth:`SourceAccount.restrict_assume_role` planned and whether it was written."""

    plan: RestrictPlan
    applied: bool

    @property
    def changed(self) -> bool:
        """True when something was written (False on a second run: nothing left to do)."""
        return self.applied and not self.plan.is_noop

    @property
    def role_arns(self) -> tuple[str, ...]:
        return self.plan.role_arns

    def frame(self) -> pd.DataFrame:
        """The plan's changes (what was, or with ``dry_run=True`` would be, written)."""
        return self.plan.changes

    def __repr__(self) -> str:
        state = "applied" if self.applied else "not applied (dry run)"
        return f"Restriction({state}: {self.plan!r})"
