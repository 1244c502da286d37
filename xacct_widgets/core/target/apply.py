"""Apply a Plan: check, then run each step with its undo through the one change engine.

IAM has no transactions: a role is made by several calls (CreateRole, AttachRolePolicy,
PutRolePolicy, ...), and the console leaves a half-made role behind when one of them fails. Here
each plan action maps, in :data:`STEPS`, to one function that makes the write and returns the
write that undoes it (the previous state comes from the plan's snapshot, or is read just before
it is overwritten). The steps run in :func:`xacct_widgets.core.changes.apply_steps`, the engine
every writer shares: on any failure, an interrupt included, completed steps are undone newest
first and :class:`~xacct_widgets.errors.ApplyFailed` names the failed step and whatever could
not be undone. The role returned is built from what was written, not read again, because IAM
reads can lag its writes.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import ClientError

from ..aws import aws_call, error_code
from ..changes import Step, apply_steps
from ..consent import consent
from . import reads, writes
from .plan import Plan, PlanStep
from .record import RoleRecord
from .spec import RoleSpec
from .writes import Undo

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

__all__ = ["STEPS", "StepKind", "Undo", "apply_plan", "purge"]

log = logging.getLogger(__name__)


@dataclass
class _Run:
    """What the step functions share while one plan is applied."""

    iam: IAMClient
    plan: Plan
    created: dict[str, Any] = field(default_factory=dict)  # CreateRole's answer
    settings: dict[str, Any] = field(default_factory=dict)  # what UpdateRole last sent

    @property
    def spec(self) -> RoleSpec:
        return self.plan.spec

    @property
    def name(self) -> str:
        return self.plan.spec.name


@dataclass(frozen=True)
class StepKind:
    """How one plan action is performed: the IAM action (named in a denial) and the function."""

    iam_action: str
    run: Callable[[_Run, PlanStep], Undo]


# -- the step functions: each writes, then returns its undo ------------------------------------
def _create_role(run: _Run, step: PlanStep) -> Undo:
    spec = run.spec
    kwargs: dict[str, Any] = {
        "RoleName": spec.name,
        "Path": spec.path,
        "AssumeRolePolicyDocument": json.dumps(run.plan.trust_policy),
        "MaxSessionDuration": spec.max_session_duration,
    }
    if spec.description:
        kwargs["Description"] = spec.description
    if spec.tags:
        kwargs["Tags"] = writes.tag_list(spec.tags)
    if spec.permissions_boundary:
        kwargs["PermissionsBoundary"] = spec.permissions_boundary
    run.created.update(run.iam.create_role(**kwargs)["Role"])
    return lambda: _delete_created(run.iam, spec.name)


def _update_trust(run: _Run, step: PlanStep) -> Undo:
    return writes.set_trust(run.iam, run.name, run.plan.trust_policy, _current(run).trust_policy)


def _update_settings(run: _Run, step: PlanStep) -> Undo:
    # Every UpdateRole sends both settings (:func:`.writes.set_settings`): the state after the
    # step, and for the undo the state before it.
    prior = dict(run.settings)
    if step.action == "update description":
        after = {**prior, "Description": run.spec.description}
    else:
        after = {**prior, "MaxSessionDuration": run.spec.max_session_duration}
    undo = writes.set_settings(run.iam, run.name, after, prior)
    run.settings = after
    return undo


def _untag(run: _Run, step: PlanStep) -> Undo:
    old = {k: v for k, v in _current(run).tags.items() if k not in run.spec.tags}
    return writes.untag(run.iam, run.name, old)


def _tag(run: _Run, step: PlanStep) -> Undo:
    previous = run.plan.current.tags if run.plan.current is not None else {}
    new = {k: v for k, v in run.spec.tags.items() if previous.get(k) != v}
    return writes.tag(run.iam, run.name, new, previous)


def _put_boundary(run: _Run, step: PlanStep) -> Undo:
    old = _current(run).permissions_boundary
    return writes.set_boundary(run.iam, run.name, step.target, old)


def _delete_boundary(run: _Run, step: PlanStep) -> Undo:
    return writes.set_boundary(run.iam, run.name, None, step.target)


def _detach(run: _Run, step: PlanStep) -> Undo:
    return writes.detach(run.iam, run.name, step.target)


def _attach(run: _Run, step: PlanStep) -> Undo:
    return writes.attach(run.iam, run.name, step.target)


def _delete_inline(run: _Run, step: PlanStep) -> Undo:
    iam, name, policy = run.iam, run.name, step.target
    old = reads.inline_document(iam, name, policy)  # the plan did not read it: kept for the undo
    return writes.delete_inline(iam, name, policy, old)


def _put_inline_step(run: _Run, step: PlanStep) -> Undo:
    iam, name, policy = run.iam, run.name, step.target
    old = run.plan.current_inline_policies.get(policy)
    current = run.plan.current
    if old is None and current is not None and policy in current.inline_policy_names:
        old = reads.inline_document(iam, name, policy)  # overwritten below: keep it for the undo
    return writes.put_inline(iam, name, policy, run.spec.inline_policies[policy], old)


#: Plan action -> how it is performed, in the order of ``plan.ACTIONS``. IAM authorises all of
#: these calls on the role, whatever the step's target.
STEPS: Final[Mapping[str, StepKind]] = {
    "create role": StepKind("CreateRole", _create_role),
    "update trust policy": StepKind("UpdateAssumeRolePolicy", _update_trust),
    "update max session duration": StepKind("UpdateRole", _update_settings),
    "update description": StepKind("UpdateRole", _update_settings),
    "untag role": StepKind("UntagRole", _untag),
    "tag role": StepKind("TagRole", _tag),
    "put permissions boundary": StepKind("PutRolePermissionsBoundary", _put_boundary),
    "detach policy": StepKind("DetachRolePolicy", _detach),
    "delete inline policy": StepKind("DeleteRolePolicy", _delete_inline),
    "attach policy": StepKind("AttachRolePolicy", _attach),
    "put inline policy": StepKind("PutRolePolicy", _put_inline_step),
    "delete permissions boundary": StepKind("DeleteRolePermissionsBoundary", _delete_boundary),
}


# -- the pipeline ------------------------------------------------------------------------------
def apply_plan(iam: IAMClient, plan: Plan, *, allow_destructive: bool = False) -> RoleRecord:
    """Perform exactly the steps of ``plan``, all or nothing; return the role as left.

    Raises:
        PolicyNotFound, InvalidRoleSpec: the plan has problems (nothing is written).
        DestructiveChange: the plan takes something away and ``allow_destructive`` is not
            True (nothing is written).
        InvalidInput: ``allow_destructive`` is neither a bool nor None (:func:`.consent`).
        ApplyFailed: a step failed; ``step`` names it, ``rolled_back`` says whether every
            completed step was undone, ``__cause__`` is the AWS error (e.g. AccessDenied).
    """
    allowed = consent(allow_destructive, "allow_destructive")
    plan.raise_for_problems()
    if not allowed:
        plan.raise_for_destructive()
    if plan.current is not None and not plan.steps:
        return plan.current
    run = _Run(iam, plan)
    if plan.current is not None:
        run.settings = {
            "MaxSessionDuration": plan.current.max_session_duration,
            "Description": plan.current.description,
        }
    _run_steps(run, allow_destructive=allowed)
    return _record_after(plan, run.created)


def _run_steps(run: _Run, *, allow_destructive: bool) -> None:
    """The plan's steps through the one change engine (:mod:`..changes`): in order, each with
    its undo, rolled back newest first on a failure or an interrupt."""
    steps = [
        Step(
            step.label,
            functools.partial(STEPS[step.action].run, run, step),
            destructive=step.is_destructive,
            action=f"iam:{STEPS[step.action].iam_action}",
            resource=f"role {run.name}",
            why=step.removes,
        )
        for step in run.plan.steps
    ]
    apply_steps(
        steps,
        subject=f"Applying role {run.name!r}",
        allow_destructive=allow_destructive,
        confirm_fix="call apply(spec, allow_destructive=True)",
    )


def _record_after(plan: Plan, created: Mapping[str, Any]) -> RoleRecord:
    """The role as apply left it, built from what was written: IAM reads can lag writes."""
    spec = plan.spec
    raw: dict[str, Any] = dict(created)
    if plan.current is not None:
        raw = {
            "RoleName": plan.current.name,
            "Arn": plan.current.arn,
            "Path": plan.current.path,
            "RoleId": plan.current.role_id,
            "CreateDate": plan.current.created,
        }
    raw.update(
        MaxSessionDuration=spec.max_session_duration,
        Description=spec.description,
        Tags=writes.tag_list(spec.tags),
    )
    if spec.permissions_boundary:
        raw["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": spec.permissions_boundary,
        }
    else:
        raw.pop("PermissionsBoundary", None)
    return RoleRecord.from_iam(
        raw, spec.managed_policy_arns, spec.inline_policies, trust=plan.trust_policy
    )


# -- deleting ----------------------------------------------------------------------------------
def purge(iam: IAMClient, name: str) -> tuple[PlanStep, ...]:
    """Delete a role and what IAM requires gone first; return the steps performed.

    IAM refuses to delete a role with attached or inline policies or instance profiles, so
    those are removed first, in that order.
    """
    done: list[PlanStep] = []
    for arn in reads.attached_arns(iam, name):
        with aws_call("iam:DetachRolePolicy", arn):
            iam.detach_role_policy(RoleName=name, PolicyArn=arn)
        done.append(PlanStep("detach policy", arn))
    for policy in reads.inline_names(iam, name):
        with aws_call("iam:DeleteRolePolicy", f"{name}/{policy}"):
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
        done.append(PlanStep("delete inline policy", policy))
    for profile in reads.instance_profiles(iam, name):
        with aws_call("iam:RemoveRoleFromInstanceProfile", profile):
            iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=name)
        done.append(PlanStep("remove from instance profile", profile))
    with aws_call("iam:DeleteRole", name):
        iam.delete_role(RoleName=name)
    done.append(PlanStep("delete role", name))
    log.info("deleted role %s (%d step(s))", name, len(done))
    return tuple(done)


def _delete_created(iam: IAMClient, name: str) -> None:
    """Undo "create role": later steps were undone first, so a plain delete normally works."""
    try:
        iam.delete_role(RoleName=name)
    except ClientError as err:
        if error_code(err) != "DeleteConflict":
            raise
        purge(iam, name)


# -- small helpers -----------------------------------------------------------------------------
def _current(run: _Run) -> RoleRecord:
    if run.plan.current is None:  # pragma: no cover - diff() makes these steps for roles only
        raise AssertionError(f"no current role to update for {run.name!r}")
    return run.plan.current
