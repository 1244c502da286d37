"""apply(): later edits are diffs, re-applying writes nothing, and every failure rolls back.

Failures are real: principals created in the target account with missing permissions, and a
policy deleted by "someone else" between plan and write (a botocore event hook on the client
doing a real DeletePolicy call through the admin session). Nothing of boto3 is mocked.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from botocore.exceptions import ClientError
from helpers import READ_ONLY, ROLE, SECURITY_AUDIT, SOURCE, VIEW_ONLY, Calls, limited_session
from target_helpers import EC2_READ, S3_READ, snapshot

from xacct_widgets.core.target import RoleSpec, TargetAccount
from xacct_widgets.errors import (
    AccessDenied,
    ApplyDenied,
    ApplyFailed,
    InvalidRoleSpec,
    PolicyNotFound,
)

MISSING = "arn:aws:iam::aws:policy/NoSuchPolicyAnywhere"

#: What a role administrator needs, minus what each test takes away.
ROLE_ADMIN = [
    "iam:Get*",
    "iam:List*",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:UpdateRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
]


def base_spec(**changes):
    fields = {
        "name": ROLE,
        "trusted_account": SOURCE,
        "managed_policy_arns": [READ_ONLY, VIEW_ONLY],
        "inline_policies": {"s3-read": S3_READ},
        "description": "support engineers",
        "tags": {"team": "support", "env": "prod"},
    }
    return RoleSpec(**{**fields, **changes})


@pytest.fixture
def admin(fresh_sandbox):
    return TargetAccount(fresh_sandbox.session("target", "admin"))


def test_second_apply_writes_nothing(admin):
    spec = base_spec(external_id="tenant-42", require_mfa=True, max_session_duration=7200)
    admin.apply(spec)
    calls = Calls(admin.iam)
    plan = admin.plan(spec)
    assert plan.is_noop and plan.changes.empty
    assert "nothing to change" in repr(plan)
    admin.apply(spec)
    assert calls.writes == []
    # A no-op plan reads only what it needs: the role, its policy lists and inline documents.
    assert sorted(set(calls.names)) == [
        "GetRole",
        "GetRolePolicy",
        "ListAttachedRolePolicies",
        "ListRolePolicies",
    ]


def test_later_edits_are_diffs(fresh_sandbox, admin):
    first = admin.apply(base_spec())
    edited = base_spec(
        managed_policy_arns=[READ_ONLY, SECURITY_AUDIT],  # ViewOnly removed, SecurityAudit added
        inline_policies={"s3-read": EC2_READ, "ec2-read": EC2_READ},  # one changed, one new
        external_id="tenant-42",  # trust changed
        max_session_duration=7200,
        description="support engineers (EU)",
        tags={"team": "support-eu", "cost-center": "42"},  # changed, added; env removed
    )
    plan = admin.plan(edited)
    assert [(s.action, s.target) for s in plan.steps] == [
        ("update trust policy", ROLE),
        ("update max session duration", ROLE),
        ("update description", ROLE),
        ("untag role", ROLE),
        ("tag role", ROLE),
        ("detach policy", VIEW_ONLY),
        ("attach policy", SECURITY_AUDIT),
        ("put inline policy", "s3-read"),
        ("put inline policy", "ec2-read"),
    ]
    assert "sts:ExternalId=tenant-42" in plan.steps[0].detail
    assert plan.steps[1].detail == "3600 s -> 7200 s"
    assert "env" in plan.steps[3].detail
    calls = Calls(admin.iam)
    role = admin.apply(edited, allow_destructive=True)
    assert "CreateRole" not in calls.names and "DeleteRole" not in calls.names
    assert role.role_id == first.role_id  # edited in place, never re-created
    state = snapshot(fresh_sandbox)["roles"][ROLE]
    assert state["attached"] == sorted([READ_ONLY, SECURITY_AUDIT])
    assert set(state["inline"]) == {"s3-read", "ec2-read"}
    assert state["max_session"] == 7200
    assert state["description"] == "support engineers (EU)"
    assert state["tags"] == [("cost-center", "42"), ("team", "support-eu")]
    assert state["trust"]["Statement"][0]["Condition"] == {
        "StringEquals": {"sts:ExternalId": "tenant-42"}
    }
    assert admin.plan(edited).is_noop

    # Removing an inline policy, the ExternalId and all tags.
    trimmed = dataclasses.replace(
        edited, inline_policies={"ec2-read": EC2_READ}, external_id=None, tags={}
    )
    plan = admin.plan(trimmed)
    assert [s.action for s in plan.steps] == [
        "update trust policy",
        "untag role",
        "delete inline policy",
    ]
    admin.apply(trimmed, allow_destructive=True)
    assert admin.plan(trimmed).is_noop
    assert admin.role(ROLE).tags == {}


def test_missing_policy_arn_is_a_plan_problem_and_apply_writes_nothing(fresh_sandbox, admin):
    before = snapshot(fresh_sandbox)
    spec = base_spec(managed_policy_arns=[READ_ONLY, MISSING])
    plan = admin.plan(spec)
    assert not plan.ok and not plan.is_noop
    assert [(p.problem, p.target) for p in plan.problems] == [("policy not found", MISSING)]
    assert plan.problem_frame.loc[0, "target"] == MISSING
    calls = Calls(admin.iam)
    with pytest.raises(PolicyNotFound) as info:
        admin.apply(spec)
    assert MISSING in str(info.value) and "Nothing was changed" in str(info.value)
    assert calls.writes == []
    assert snapshot(fresh_sandbox) == before
    assert ROLE not in set(admin.roles()["name"])


def test_path_change_is_refused(admin):
    admin.apply(base_spec())
    plan = admin.plan(base_spec(path="/ops/"))
    assert [p.problem for p in plan.problems] == ["path differs"]
    with pytest.raises(InvalidRoleSpec, match="path"):
        admin.apply(base_spec(path="/ops/"))


def test_failure_half_way_through_creating_leaves_no_role(fresh_sandbox):
    allowed = [a for a in ROLE_ADMIN if a != "iam:PutRolePolicy"]
    session = limited_session(fresh_sandbox, "half-admin", allowed, deny=["iam:PutRolePolicy"])
    before = snapshot(fresh_sandbox)
    target = TargetAccount(session)
    calls = Calls(target.iam)
    with pytest.raises(ApplyFailed) as info:
        target.apply(base_spec())
    err = info.value
    assert err.step == "put inline policy s3-read"
    assert err.rolled_back
    assert isinstance(err, AccessDenied) and isinstance(err, ApplyDenied)
    assert "iam:PutRolePolicy" in str(err)
    assert "account is as before" in str(err)
    assert isinstance(err.__cause__, AccessDenied)
    assert isinstance(err.__cause__.__cause__, ClientError)
    # The role was created and policies attached, then all of it undone in reverse.
    assert calls.writes == [
        "CreateRole",
        "AttachRolePolicy",
        "AttachRolePolicy",
        "PutRolePolicy",
        "DetachRolePolicy",
        "DetachRolePolicy",
        "DeleteRole",
    ]
    assert snapshot(fresh_sandbox) == before
    assert ROLE not in set(TargetAccount(fresh_sandbox.session("target", "admin")).roles()["name"])


def test_failure_updating_restores_the_previous_role(fresh_sandbox, admin):
    admin.apply(base_spec())
    allowed = [a for a in ROLE_ADMIN if a != "iam:PutRolePolicy"]
    session = limited_session(fresh_sandbox, "half-admin", allowed, deny=["iam:PutRolePolicy"])
    before = snapshot(fresh_sandbox)
    edited = base_spec(
        managed_policy_arns=[READ_ONLY, SECURITY_AUDIT],
        inline_policies={"s3-read": S3_READ, "ec2-read": EC2_READ},  # the denied step, last
        trusted_principals=[f"arn:aws:iam::{SOURCE}:user/operator"],
        external_id="tenant-42",
        require_mfa=True,
        max_session_duration=10800,
        description="changed",
        tags={"team": "other", "new": "tag"},
    )
    with pytest.raises(ApplyFailed) as info:
        TargetAccount(session).apply(edited, allow_destructive=True)
    assert info.value.step == "put inline policy ec2-read"
    assert info.value.rolled_back
    assert snapshot(fresh_sandbox) == before


def test_policy_deleted_between_plan_and_attach_rolls_everything_back(fresh_sandbox, admin):
    """A customer policy vanishes just before AttachRolePolicy: inline deletes are restored."""
    iam = fresh_sandbox.session("target", "admin").client("iam")
    doomed = iam.create_policy(PolicyName="Doomed", PolicyDocument=json.dumps(S3_READ))
    doomed_arn = doomed["Policy"]["Arn"]
    admin.apply(base_spec(inline_policies={"s3-read": S3_READ, "old": EC2_READ}))
    before = snapshot(fresh_sandbox)

    def delete_policy_first(params, **_):
        if params.get("PolicyArn") == doomed_arn:
            iam.delete_policy(PolicyArn=doomed_arn)

    admin.iam.meta.events.register(
        "before-parameter-build.iam.AttachRolePolicy", delete_policy_first
    )
    edited = base_spec(
        managed_policy_arns=[READ_ONLY, doomed_arn],
        inline_policies={"s3-read": S3_READ},  # "old" is deleted before the attach fails
        external_id="tenant-42",
        tags={"team": "other"},
    )
    with pytest.raises(ApplyFailed) as info:
        admin.apply(edited, allow_destructive=True)
    err = info.value
    assert err.step == f"attach policy {doomed_arn}"
    assert err.rolled_back and not isinstance(err, AccessDenied)
    assert isinstance(err.__cause__, PolicyNotFound)
    after = snapshot(fresh_sandbox)
    before["local_policies"].remove(doomed_arn)  # the only change: the other party's delete
    assert after == before


def test_incomplete_rollback_is_reported(fresh_sandbox, admin):
    """Denied PutRolePolicy also blocks restoring a deleted inline policy: say what is left."""
    admin.apply(base_spec(inline_policies={"s3-read": S3_READ, "old": EC2_READ}))
    allowed = [a for a in ROLE_ADMIN if a != "iam:PutRolePolicy"]
    session = limited_session(fresh_sandbox, "half-admin", allowed, deny=["iam:PutRolePolicy"])
    edited = base_spec(inline_policies={"s3-read": S3_READ, "ec2-read": EC2_READ})
    with pytest.raises(ApplyFailed) as info:
        TargetAccount(session).apply(edited, allow_destructive=True)
    err = info.value
    print(err)  # shown by pytest on failure; also proves messages pass the secret scan
    assert err.step == "put inline policy ec2-read"
    assert not err.rolled_back
    assert "delete inline policy old" in str(err) and "by hand" in str(err)


def test_access_denied_reads_name_the_missing_action(fresh_sandbox):
    nobody = TargetAccount(limited_session(fresh_sandbox, "nobody", allow=[]))
    with pytest.raises(AccessDenied) as info:
        nobody.roles()
    assert "iam:ListRoles" in str(info.value)
    with pytest.raises(AccessDenied) as info:
        nobody.plan(base_spec())
    assert "iam:GetRole" in str(info.value)
    assert "Grant" in (info.value.fix or "")


def test_intern_cannot_create_a_role(fresh_sandbox):
    intern = TargetAccount(fresh_sandbox.session("source", "intern"))  # IAMReadOnlyAccess only
    spec = base_spec()
    assert not intern.plan(spec).role_exists  # reading is allowed
    with pytest.raises(AccessDenied) as info:
        intern.apply(spec)
    err = info.value
    assert isinstance(err, ApplyFailed) and err.step == f"create role {ROLE}"
    assert "iam:CreateRole" in str(err) and err.code == "AccessDenied"
    assert ROLE not in set(intern.roles()["name"])


def test_delete_role_removes_everything(fresh_sandbox, admin):
    admin.apply(base_spec())
    iam = fresh_sandbox.session("target", "admin").client("iam")
    iam.create_instance_profile(InstanceProfileName="cross-account-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="cross-account-profile", RoleName=ROLE)
    done = admin.delete_role(ROLE, confirm=True)
    assert [s.action for s in done] == [
        "detach policy",
        "detach policy",
        "delete inline policy",
        "remove from instance profile",
        "delete role",
    ]
    assert ROLE not in snapshot(fresh_sandbox)["roles"]
    assert ROLE not in set(admin.roles()["name"])
    profile = iam.get_instance_profile(InstanceProfileName="cross-account-profile")
    assert profile["InstanceProfile"]["Roles"] == []
    # And it can be created again from scratch.
    assert not admin.plan(base_spec()).role_exists
    admin.apply(base_spec())
    assert admin.plan(base_spec()).is_noop


def test_interrupt_half_way_rolls_back_and_reraises(fresh_sandbox, admin):
    """A notebook user pressing Stop during apply must not be left with half a role."""
    before = snapshot(fresh_sandbox)

    def interrupt(**_):
        raise KeyboardInterrupt

    admin.iam.meta.events.register("before-call.iam.PutRolePolicy", interrupt)
    with pytest.raises(KeyboardInterrupt):
        admin.apply(base_spec())
    assert snapshot(fresh_sandbox) == before
