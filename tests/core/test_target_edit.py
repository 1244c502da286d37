"""Edit in place: spec_of() reads a role back as its RoleSpec, Plan.destructive lists what a
change takes away, and apply()/delete_role() refuse it, before any write, unless confirmed.

Roles are made with plain boto3 where the shape matters (a console-style trust policy, a Sid),
so spec_of is tested on roles it did not write itself.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from helpers import READ_ONLY, ROLE, SECURITY_AUDIT, SOURCE, VIEW_ONLY, make_role
from target_helpers import EC2_READ, S3_READ, snapshot

from xacct_widgets.core.target import (
    DESTRUCTIVE_COLUMNS,
    RoleSpec,
    TargetAccount,
    read_trust,
)
from xacct_widgets.errors import DestructiveChange, InvalidRoleSpec, RoleNotFound, XacctError

USER = f"arn:aws:iam::{SOURCE}:user/operator"
OTHER_USER = f"arn:aws:iam::{SOURCE}:user/intern"
ROOT = f"arn:aws:iam::{SOURCE}:root"


def settings(spec):
    """A spec's settings with lists as sets: IAM keeps no order of attachments."""
    values = dataclasses.asdict(spec)
    for key in ("managed_policy_arns", "trusted_principals"):
        values[key] = set(values[key])
    return values


@pytest.fixture
def admin(fresh_sandbox):
    return TargetAccount(fresh_sandbox.session("target", "admin"))


def full_spec(**changes):
    fields = {
        "name": ROLE,
        "trusted_account": SOURCE,
        "managed_policy_arns": [READ_ONLY, VIEW_ONLY],
        "inline_policies": {"s3-read": S3_READ, "ec2-read": EC2_READ},
        "trusted_principals": [USER, OTHER_USER],
        "external_id": "tenant-42",
        "require_mfa": True,
        "max_session_duration": 14400,
        "path": "/ops/",
        "description": "support engineers",
        "tags": {"team": "support", "env": "prod"},
        "permissions_boundary": READ_ONLY,
    }
    return RoleSpec(**{**fields, **changes})


# -- spec_of ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "spec",
    [
        full_spec(),
        full_spec(trusted_principals=[], external_id=None, require_mfa=False),
        full_spec(permissions_boundary=None, tags={}, inline_policies={}, path="/"),
        RoleSpec(name="bare", trusted_account=SOURCE),
        RoleSpec(name="one-user", trusted_account=SOURCE, trusted_principals=[USER]),
    ],
    ids=["everything", "root-no-conditions", "no-boundary-tags-inline", "bare", "one-user"],
)
def test_spec_of_round_trip_is_a_noop(admin, spec):
    admin.apply(spec)
    read = admin.spec_of(spec.name)
    assert settings(read) == settings(spec)
    assert admin.plan(read).is_noop, admin.plan(read)


def test_spec_of_reads_a_role_made_elsewhere(fresh_sandbox, admin):
    make_role(fresh_sandbox, external_id="ext-1", require_mfa=True)
    iam = fresh_sandbox.session("target", "admin").client("iam")
    iam.put_role_policy(RoleName=ROLE, PolicyName="s3", PolicyDocument=json.dumps(S3_READ))
    iam.tag_role(RoleName=ROLE, Tags=[{"Key": "owner", "Value": "ops"}])
    iam.put_role_permissions_boundary(RoleName=ROLE, PermissionsBoundary=READ_ONLY)
    spec = admin.spec_of(ROLE)
    assert spec.trusted_account == SOURCE and spec.trusted_principals == ()
    assert spec.external_id == "ext-1" and spec.require_mfa
    assert spec.managed_policy_arns == (READ_ONLY,)
    assert dict(spec.inline_policies) == {"s3": S3_READ}
    assert dict(spec.tags) == {"owner": "ops"} and spec.permissions_boundary == READ_ONLY
    assert admin.plan(spec).is_noop


def test_console_style_trust_is_no_change(fresh_sandbox, admin):
    # The console writes a Sid-less statement with an empty Condition; a Sid and an Action list
    # are the same trust too: no "update trust policy" step, so the plan is a no-op.
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Console",
                "Effect": "Allow",
                "Principal": {"AWS": SOURCE},
                "Action": ["sts:AssumeRole"],
                "Condition": {},
            }
        ],
    }
    iam = fresh_sandbox.session("target", "admin").client("iam")
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    spec = admin.spec_of(ROLE)
    assert spec == RoleSpec(name=ROLE, trusted_account=SOURCE)
    assert admin.plan(spec).is_noop


@pytest.mark.parametrize(
    ("principal", "why"),
    [
        ({"Service": "ec2.amazonaws.com"}, "not AWS accounts"),
        ({"AWS": [ROOT, "arn:aws:iam::111122223333:root"]}, "2 accounts"),
        ({"AWS": "*"}, "trusts '*'"),
    ],
)
def test_spec_of_refuses_what_a_rolespec_cannot_say(fresh_sandbox, admin, principal, why):
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}],
    }
    iam = fresh_sandbox.session("target", "admin").client("iam")
    iam.create_role(RoleName="odd", AssumeRolePolicyDocument=json.dumps(trust))
    with pytest.raises(InvalidRoleSpec) as caught:
        admin.spec_of("odd")
    assert "'odd'" in caught.value.message and why in caught.value.message
    assert "Trust relationships" in caught.value.fix


def test_spec_of_missing_role(admin):
    with pytest.raises(RoleNotFound, match="'nope'"):
        admin.spec_of("nope")


def test_read_trust_conditions():
    doc = full_spec().trust_policy()
    read = read_trust(doc)
    assert read.principals == (USER, OTHER_USER) and read.external_id == "tenant-42"
    assert read.require_mfa and read.unreadable == ""
    odd = json.loads(json.dumps(doc))
    odd["Statement"][0]["Condition"]["IpAddress"] = {"aws:SourceIp": "10.0.0.0/8"}
    assert "IpAddress aws:SourceIp" in read_trust(odd).unreadable


# -- Plan.destructive ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "action", "removes"),
    [
        ({"managed_policy_arns": [READ_ONLY]}, "detach policy", "ViewOnlyAccess grants"),
        ({"inline_policies": {"s3-read": S3_READ}}, "delete inline policy", "ec2-read"),
        (
            {"inline_policies": {"s3-read": EC2_READ, "ec2-read": EC2_READ}},
            "put inline policy",
            "old document allowed",
        ),
        ({"trusted_principals": [USER]}, "update trust policy", f"trust in {OTHER_USER}"),
        (
            {"trusted_principals": [USER, f"arn:aws:iam::{SOURCE}:user/admin"]},
            "update trust policy",
            f"trust in {OTHER_USER}",
        ),
        ({"external_id": "tenant-43"}, "update trust policy", "the old ExternalId"),
        ({"max_session_duration": 3600}, "update max session duration", "longer than 3600 s"),
        ({"description": "other"}, "update description", "'support engineers'"),
        ({"tags": {"team": "support"}}, "untag role", "env=prod"),
        ({"tags": {"team": "ops", "env": "prod"}}, "tag role", "team=support"),
        ({"permissions_boundary": None}, "delete permissions boundary", "ReadOnlyAccess"),
        ({"permissions_boundary": VIEW_ONLY}, "put permissions boundary", "ReadOnlyAccess"),
    ],
)
def test_each_kind_of_destructive_row(admin, changes, action, removes):
    admin.apply(full_spec())
    plan = admin.plan(full_spec(**changes))
    rows = plan.destructive
    assert tuple(rows.columns) == DESTRUCTIVE_COLUMNS
    assert list(rows["action"]) == [action], plan
    assert removes in rows.iloc[0]["removes"]
    # The row number points into plan.changes.
    assert plan.changes.iloc[rows.iloc[0]["step"] - 1]["action"] == action


@pytest.mark.parametrize(
    ("before", "after", "removes"),
    [
        ({}, {"external_id": "tenant-42"}, "without this ExternalId"),
        ({}, {"require_mfa": True}, "without MFA"),
        ({}, {"trusted_principals": [USER]}, f"trust in {ROOT}"),
        ({"permissions_boundary": None}, {}, "does not allow"),
    ],
)
def test_new_requirements_and_narrower_trust_are_destructive(admin, before, after, removes):
    base = {"trusted_principals": [], "external_id": None, "require_mfa": False}
    admin.apply(full_spec(**{**base, **before}))
    rows = admin.plan(full_spec(**{**base, **after})).destructive
    assert len(rows) == 1 and removes in rows.iloc[0]["removes"], rows.to_dict("records")


@pytest.mark.parametrize(
    "changes",
    [
        {"managed_policy_arns": [READ_ONLY, VIEW_ONLY, SECURITY_AUDIT]},
        {"inline_policies": {"s3-read": S3_READ, "ec2-read": EC2_READ, "more": S3_READ}},
        {"trusted_principals": [USER, OTHER_USER, f"arn:aws:iam::{SOURCE}:user/admin"]},
        {"external_id": None, "require_mfa": False},
        {"max_session_duration": 43200},
        {"tags": {"team": "support", "env": "prod", "new": "yes"}},
    ],
)
def test_additions_are_not_destructive(admin, changes):
    admin.apply(full_spec())
    plan = admin.plan(full_spec(**changes))
    assert not plan.is_noop and plan.destructive.empty, plan
    admin.apply(full_spec(**changes))  # allowed without confirmation


def test_new_role_is_never_destructive(admin):
    plan = admin.plan(full_spec())
    assert plan.destructive.empty and list(plan.destructive.columns) == list(DESTRUCTIVE_COLUMNS)


def test_description_added_where_there_was_none_is_not_destructive(admin):
    admin.apply(full_spec(description=""))
    assert admin.plan(full_spec()).destructive.empty


# -- DestructiveChange --------------------------------------------------------------------------
def test_apply_refuses_before_any_write(fresh_sandbox, admin, calls):
    admin.apply(full_spec())
    before = snapshot(fresh_sandbox)
    wizardish = full_spec(
        managed_policy_arns=[SECURITY_AUDIT], max_session_duration=3600, tags={}, description=""
    )
    calls.clear()
    with pytest.raises(DestructiveChange) as caught:
        admin.apply(wizardish)
    assert calls.writes == []
    assert snapshot(fresh_sandbox) == before
    err = caught.value
    assert isinstance(err, XacctError)
    assert len(err.rows) == 5, err.rows  # 2 detaches, session, description, untag
    for part in (READ_ONLY, VIEW_ONLY, "update max session duration", "untag role"):
        assert part in err.message
    assert "allow_destructive=True" in err.fix and "Nothing was changed" in err.message
    # Confirmed, it goes through; the additions of the same plan too.
    admin.apply(wizardish, allow_destructive=True)
    assert settings(admin.spec_of(ROLE)) == settings(wizardish)


def test_problems_are_reported_before_destruction(admin):
    admin.apply(full_spec())
    missing = "arn:aws:iam::aws:policy/NoSuchPolicyAnywhere"
    with pytest.raises(XacctError) as caught:
        admin.apply(full_spec(managed_policy_arns=[missing]))
    assert not isinstance(caught.value, DestructiveChange)


def test_plan_repr_and_html_name_what_is_taken_away(admin):
    admin.apply(full_spec())
    plan = admin.plan(full_spec(managed_policy_arns=[READ_ONLY]))
    assert "[removes: the permissions policy ViewOnlyAccess grants]" in repr(plan)
    assert "allow_destructive=True" in plan._repr_html_()


def test_delete_role_needs_confirmation(fresh_sandbox, admin, calls):
    admin.apply(full_spec())
    before = snapshot(fresh_sandbox)
    calls.clear()
    with pytest.raises(DestructiveChange) as caught:
        admin.delete_role(ROLE)
    assert calls.writes == [] and snapshot(fresh_sandbox) == before
    assert f"delete_role({ROLE!r}, confirm=True)" in caught.value.fix
    assert any(READ_ONLY in row for row in caught.value.rows)
    assert caught.value.rows[-1].startswith(f"delete role {ROLE}")
    admin.delete_role(ROLE, confirm=True)
    assert ROLE not in set(admin.roles()["name"])


# -- RoleSpec.plus, boundary, descriptions ------------------------------------------------------
def test_plus_only_adds(admin):
    admin.apply(full_spec())
    more = admin.spec_of(ROLE).plus(
        managed_policy_arns=[READ_ONLY, SECURITY_AUDIT],
        inline_policies={"s3-read": EC2_READ, "new": S3_READ},
        tags={"team": "other", "extra": "1"},
    )
    assert more.managed_policy_arns[-1] == SECURITY_AUDIT
    assert more.inline_policies["s3-read"] == S3_READ  # the role's version wins
    assert more.tags["team"] == "support" and more.tags["extra"] == "1"
    plan = admin.plan(more)
    assert plan.destructive.empty and not plan.is_noop


def test_boundary_is_applied_and_rolled_into_the_record(fresh_sandbox, admin):
    role = admin.apply(RoleSpec(name=ROLE, trusted_account=SOURCE, permissions_boundary=VIEW_ONLY))
    assert role.permissions_boundary == VIEW_ONLY
    iam = fresh_sandbox.session("target", "admin").client("iam")
    raw = iam.get_role(RoleName=ROLE)["Role"]
    assert raw["PermissionsBoundary"]["PermissionsBoundaryArn"] == VIEW_ONLY
    assert (
        "permissions boundary ViewOnlyAccess"
        in admin.plan(
            RoleSpec(name="other", trusted_account=SOURCE, permissions_boundary=VIEW_ONLY)
        )
        .steps[0]
        .detail
    )
    missing = "arn:aws:iam::aws:policy/NoSuchBoundary"
    plan = admin.plan(dataclasses.replace(admin.spec_of(ROLE), permissions_boundary=missing))
    assert [p.problem for p in plan.problems] == ["policy not found"]


def test_created_has_no_microseconds(admin):
    role = admin.apply(RoleSpec(name=ROLE, trusted_account=SOURCE))
    assert admin.role(ROLE).created.microsecond == 0
    assert role.created is None or role.created.microsecond == 0
    assert all(t.microsecond == 0 for t in admin.roles()["created"])


def test_policy_descriptions_are_read_once(fresh_sandbox, admin, calls):
    iam = fresh_sandbox.session("target", "admin").client("iam")
    arn = iam.create_policy(
        PolicyName="support-extra", PolicyDocument=json.dumps(S3_READ), Description="S3 reads"
    )["Policy"]["Arn"]
    calls.clear()
    frame = admin.managed_policies("Local", describe=True)
    assert frame.set_index("arn").loc[arn, "description"] == "S3 reads"
    assert calls.count("GetPolicy") == 1
    again = admin.managed_policies("Local")  # no describe: what is known is shown, no call
    assert again.set_index("arn").loc[arn, "description"] == "S3 reads"
    admin.managed_policies("Local", describe=True)
    assert calls.count("GetPolicy") == 1
    assert "description" in admin.managed_policies("AWS", search="ReadOnly").columns
