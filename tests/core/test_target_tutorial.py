"""The tutorial's part A, steps A1-A7, end to end against the sandbox, plus the read-back views."""

from __future__ import annotations

import json

import pytest
from helpers import READ_ONLY, ROLE, SOURCE, TARGET, Calls
from target_helpers import S3_READ, snapshot

from xacct_widgets.core.policies import TRUST_COLUMNS
from xacct_widgets.core.target import (
    ATTACHED_COLUMNS,
    INLINE_COLUMNS,
    MANAGED_POLICY_COLUMNS,
    ROLE_COLUMNS,
    RoleRecord,
    RoleSpec,
    TargetAccount,
)
from xacct_widgets.errors import (
    InvalidColor,
    InvalidInput,
    InvalidRoleName,
    InvalidRoleSpec,
    RoleNotFound,
)

URL = "https://signin.aws.amazon.com/switchrole?roleName=cross-account&account=123456781234"


@pytest.fixture
def target(fresh_sandbox):
    return TargetAccount(fresh_sandbox.session("target", "admin"))


def test_tutorial_part_a(fresh_sandbox, target):
    # A1: the roles table, before the role exists.
    roles = target.roles()
    assert list(roles.columns) == list(ROLE_COLUMNS)
    assert ROLE not in set(roles["name"])
    assert target.account_id == TARGET

    # A2/A4: bad input fails before any call.
    calls = Calls(target.iam)
    for bad in ({"name": "bad name!"}, {"name": "x" * 65}, {"trusted_account": "1234"}):
        with pytest.raises(InvalidRoleSpec):
            RoleSpec(**{"name": ROLE, "trusted_account": "9876-5432-9876", **bad})
    with pytest.raises(InvalidRoleSpec, match="managed_policy_arns"):
        RoleSpec(name=ROLE, trusted_account=SOURCE, managed_policy_arns=["ReadOnlyAccess"])
    assert calls.names == []

    # A3/A5: the spec, and the policies to choose from.
    spec = RoleSpec(name=ROLE, trusted_account="9876-5432-9876", managed_policy_arns=[READ_ONLY])
    assert spec.trust_policy()["Statement"][0]["Principal"] == {
        "AWS": f"arn:aws:iam::{SOURCE}:root"
    }
    choices = target.managed_policies(scope="AWS", search="ReadOnly")
    assert READ_ONLY in set(choices["arn"])

    # A6: review. The plan lists create + attach and writes nothing.
    calls.clear()
    plan = target.plan(spec)
    assert calls.writes == []
    assert not plan.role_exists and plan.ok and not plan.is_noop
    assert [(s.action, s.target) for s in plan.steps] == [
        ("create role", ROLE),
        ("attach policy", READ_ONLY),
    ]
    assert plan.changes["action"].tolist() == ["create role", "attach policy"]
    assert plan.trust_policy == spec.trust_policy()
    assert ROLE not in snapshot(fresh_sandbox)["roles"]

    role = target.apply(spec)
    assert isinstance(role, RoleRecord)
    assert role.arn == f"arn:aws:iam::{TARGET}:role/{ROLE}"
    assert role.managed_policy_arns == (READ_ONLY,)
    assert role.switch_role_url == URL
    assert target.switch_role_url(ROLE) == URL
    assert target.switch_role_url(ROLE, display_name="prod", color="Green") == (
        URL + "&displayName=prod&color=B7CA9D"
    )

    # A7: the Trust relationships tab.
    trust = target.trust_relationships(ROLE)
    assert list(trust.columns) == list(TRUST_COLUMNS)
    assert trust[["principal_type", "principal", "conditions"]].values.tolist() == [
        ["AWS account", SOURCE, ""]
    ]
    assert ROLE in set(target.roles()["name"])
    assert target.attached_policies(ROLE)["arn"].tolist() == [READ_ONLY]

    # Applying again converges: no-op plan, zero writes.
    calls.clear()
    assert target.plan(spec).is_noop
    again = target.apply(spec)
    assert calls.writes == []
    assert again.arn == role.arn and again.role_id == role.role_id


def test_trust_relationships_show_external_id_and_mfa(target):
    spec = RoleSpec(name=ROLE, trusted_account=SOURCE, external_id="tenant-42", require_mfa=True)
    target.apply(spec)
    rows = target.trust_relationships(ROLE).to_dict("records")
    assert len(rows) == 1
    assert (rows[0]["principal_type"], rows[0]["principal"]) == ("AWS account", SOURCE)
    assert "sts:ExternalId=tenant-42" in rows[0]["conditions"]
    assert "aws:MultiFactorAuthPresent=true" in rows[0]["conditions"]
    assert "(StringEquals sts:ExternalId=tenant-42" in target.roles().loc[0, "trusted"]


def test_trust_relationships_for_listed_principals(target):
    user = f"arn:aws:iam::{SOURCE}:user/operator"
    target.apply(RoleSpec(name=ROLE, trusted_account=SOURCE, trusted_principals=[user]))
    rows = target.trust_relationships(ROLE)[["principal_type", "principal"]].values.tolist()
    assert rows == [["IAM user", user]]


def test_role_read_back(target):
    spec = RoleSpec(
        name=ROLE,
        trusted_account=SOURCE,
        managed_policy_arns=[READ_ONLY],
        inline_policies={"s3-read": S3_READ},
        max_session_duration=7200,
        description="support engineers",
        tags={"team": "support"},
    )
    applied = target.apply(spec)
    role = target.role(ROLE)
    assert role.managed_policy_arns == (READ_ONLY,)
    assert role.inline_policy_names == ("s3-read",)
    assert role.tags == {"team": "support"}
    assert (role.max_session_duration, role.description) == (7200, "support engineers")
    assert role.account_id == TARGET and role.path == "/"
    # What apply returned (built from what it wrote) agrees with a fresh read.
    for name in ("arn", "role_id", "managed_policy_arns", "inline_policy_names", "tags"):
        assert getattr(applied, name) == getattr(role, name), name
    frame = role.frame()
    assert list(frame.columns) == ["field", "value"]
    assert dict(frame.values.tolist())["switch_role_url"] == URL

    inline = target.inline_policies(ROLE)
    assert list(inline.columns) == list(INLINE_COLUMNS)
    assert inline["policy_name"].tolist() == ["s3-read"]
    assert json.loads(inline.loc[0, "document"]) == S3_READ
    assert " " not in inline.loc[0, "document"]
    attached = target.attached_policies(ROLE)
    assert list(attached.columns) == list(ATTACHED_COLUMNS)
    assert attached.values.tolist() == [["ReadOnlyAccess", READ_ONLY, "AWS", "/"]]


def test_switch_role_url_includes_the_path(target):
    target.apply(RoleSpec(name=ROLE, trusted_account=SOURCE, path="/ops/team/"))
    assert target.switch_role_url(ROLE) == (
        "https://signin.aws.amazon.com/switchrole?roleName=ops/team/cross-account"
        "&account=123456781234"
    )
    assert target.role(ROLE).arn == f"arn:aws:iam::{TARGET}:role/ops/team/{ROLE}"


def test_missing_role_errors_name_the_role(target):
    for read in (
        target.role,
        target.trust_relationships,
        target.switch_role_url,
        target.delete_role,
        target.attached_policies,
    ):
        with pytest.raises(RoleNotFound) as info:
            read("no-such-role")
        assert "no-such-role" in str(info.value)
    with pytest.raises(RoleNotFound) as info:
        target.switch_role_url("no-such-role")
    assert "roles()" in (info.value.fix or "")


def test_bad_input_to_reads_fails_before_any_call(target):
    calls = Calls(target.iam)
    with pytest.raises(InvalidRoleName):
        target.role("bad name!")
    with pytest.raises(InvalidColor):
        target.switch_role_url(ROLE, color="Purple")
    with pytest.raises(InvalidInput, match="scope"):
        target.managed_policies(scope="Mine")  # type: ignore[arg-type]
    assert calls.names == []


def test_managed_policies_scopes_search_and_attached(fresh_sandbox, target):
    admin = fresh_sandbox.session("target", "admin").client("iam")
    local = admin.create_policy(PolicyName="TeamReadOnly", PolicyDocument=json.dumps(S3_READ))
    local_arn = local["Policy"]["Arn"]

    aws = target.managed_policies(scope="AWS")
    assert list(aws.columns) == list(MANAGED_POLICY_COLUMNS)
    assert set(aws["scope"]) == {"AWS"} and READ_ONLY in set(aws["arn"])
    assert target.managed_policies(scope="Local")["arn"].tolist() == [local_arn]
    assert set(target.managed_policies()["arn"]) >= {local_arn, READ_ONLY}
    found = target.managed_policies(search="readonly")
    assert local_arn in set(found["arn"]) and READ_ONLY in set(found["arn"])
    assert all("readonly" in n.lower() for n in found["name"])

    assert target.managed_policies(scope="Local", attached_only=True).empty
    target.apply(RoleSpec(name=ROLE, trusted_account=SOURCE, managed_policy_arns=[local_arn]))
    attached = target.managed_policies(scope="Local", attached_only=True)
    assert attached[["arn", "attachment_count"]].values.tolist() == [[local_arn, 1]]
