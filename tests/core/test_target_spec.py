"""RoleSpec validation (A2-A5): every bad value fails on construction, before any API call."""

from __future__ import annotations

import dataclasses
import json

import pytest

from xacct_widgets.core.target import (
    ACTIONS,
    FrozenMap,
    Plan,
    PlanProblem,
    PlanStep,
    RoleRecord,
    RoleSpec,
    RoleState,
    diff,
)
from xacct_widgets.core.target.apply import STEPS
from xacct_widgets.core.target.spec import description, inline_policy
from xacct_widgets.errors import InvalidPolicy, InvalidRoleSpec, PolicyNotFound, XacctError

SOURCE = "987654329876"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
S3_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}


def spec(**changes):
    fields = {"name": "cross-account", "trusted_account": "9876-5432-9876"}
    return RoleSpec(**{**fields, **changes})


def test_defaults_and_normalisation():
    s = spec(
        managed_policy_arns=[READ_ONLY, f" {READ_ONLY} ", "arn:aws:iam::aws:policy/SecurityAudit"],
        inline_policies={"s3": S3_READ},
        tags={"team": "ops"},
    )
    assert s.trusted_account == SOURCE
    assert s.managed_policy_arns == (READ_ONLY, "arn:aws:iam::aws:policy/SecurityAudit")
    assert s.inline_policies == {"s3": S3_READ}
    assert s.tags == {"team": "ops"}
    assert (s.external_id, s.require_mfa, s.max_session_duration, s.path) == (
        None,
        False,
        3600,
        "/",
    )
    assert s.trusted_principals == ()
    assert s.role_arn("1234-5678-1234") == "arn:aws:iam::123456781234:role/cross-account"


def test_spec_is_frozen_hashable_and_comparable():
    a = spec(managed_policy_arns=[READ_ONLY], tags={"team": "ops"}, inline_policies={"s3": S3_READ})
    b = spec(
        managed_policy_arns=(READ_ONLY,), tags={"team": "ops"}, inline_policies={"s3": S3_READ}
    )
    assert a == b and hash(a) == hash(b)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        a.tags["team"] = "dev"  # type: ignore[index]
    # Re-validated and still equal after dataclasses.replace (how later edits are made).
    assert dataclasses.replace(a, description="x").tags == {"team": "ops"}


def test_caller_mutation_does_not_reach_the_spec():
    tags = {"team": "ops"}
    doc = {"Version": "2012-10-17", "Statement": [dict(S3_READ["Statement"][0])]}
    s = spec(tags=tags, inline_policies={"s3": doc})
    tags["team"] = "dev"
    doc["Statement"][0]["Action"] = "s3:*"
    assert s.tags == {"team": "ops"}
    assert s.inline_policies["s3"]["Statement"][0]["Action"] == "s3:GetObject"


def test_trust_policy_root_by_default():
    assert spec().trust_policy() == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def test_trust_policy_principals_external_id_and_mfa():
    user = f"arn:aws:iam::{SOURCE}:user/operator"
    s = spec(trusted_principals=[user, user], external_id="tenant-42", require_mfa=True)
    assert s.trusted_principals == (user,)
    statement = s.trust_policy()["Statement"][0]
    assert statement["Principal"] == {"AWS": user}
    assert statement["Condition"] == {
        "StringEquals": {"sts:ExternalId": "tenant-42"},
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
    }


@pytest.mark.parametrize(
    ("changes", "field", "bad"),
    [
        ({"name": "bad name!"}, "name", "bad name!"),
        ({"name": "x" * 65}, "name", "x" * 65),
        ({"name": ""}, "name", "''"),
        ({"trusted_account": "1234"}, "trusted_account", "1234"),
        ({"trusted_account": "9876-5432-987"}, "trusted_account", "9876-5432-987"),
        ({"managed_policy_arns": ["ReadOnlyAccess"]}, "managed_policy_arns", "ReadOnlyAccess"),
        (
            {"managed_policy_arns": ["arn:aws:iam::aws:role/ReadOnlyAccess"]},
            "managed_policy_arns",
            "arn:aws:iam::aws:role/ReadOnlyAccess",
        ),
        ({"managed_policy_arns": [7]}, "managed_policy_arns", "7"),
        ({"external_id": "x"}, "external_id", "'x'"),
        ({"external_id": "has space"}, "external_id", "has space"),
        ({"max_session_duration": 3599}, "max_session_duration", "3599"),
        ({"max_session_duration": 43201}, "max_session_duration", "43201"),
        ({"max_session_duration": "3600"}, "max_session_duration", "'3600'"),
        ({"path": "ops"}, "path", "'ops'"),
        ({"path": "/ops"}, "path", "'/ops'"),
        ({"require_mfa": "yes"}, "require_mfa", "'yes'"),
        ({"description": "x" * 1001}, "description", "xxxx"),
        ({"description": "rocket \U0001f680"}, "description", "rocket"),
        ({"inline_policies": {"bad name!": S3_READ}}, "inline_policies", "bad name!"),
        ({"inline_policies": [S3_READ]}, "inline_policies", "Version"),
        ({"tags": {"aws:owner": "me"}}, "tags", "aws:owner"),
        ({"tags": {"team": "ops", "TEAM": "dev"}}, "tags", "TEAM"),
        ({"tags": {"k" * 129: "v"}}, "tags", "kkkk"),
        ({"tags": {"team": "a" * 257}}, "tags", "aaaa"),
        ({"tags": {"team": 5}}, "tags", "5"),
        ({"tags": {f"k{i}": "v" for i in range(51)}}, "tags", "51 tags"),
        (
            {"trusted_principals": ["arn:aws:iam::111122223333:user/bob"]},
            "trusted_principals",
            "111122223333",
        ),
        ({"trusted_principals": ["*"]}, "trusted_principals", "'*'"),
        (
            {"managed_policy_arns": [f"arn:aws:iam::aws:policy/P{i}" for i in range(21)]},
            "managed_policy_arns",
            "21 policies",
        ),
    ],
)
def test_invalid_fields_name_the_field_value_and_rule(changes, field, bad):
    with pytest.raises(InvalidRoleSpec) as info:
        spec(**changes)
    message = str(info.value)
    assert f"RoleSpec.{field}" in message
    assert bad in message
    assert "must" in message  # the rule
    assert isinstance(info.value, XacctError)


@pytest.mark.parametrize(
    ("inline", "bad"),
    [
        ({"s3": {"Statement": S3_READ["Statement"]}}, "Version"),
        ({"s3": {"Version": "2012-10-17", "Statement": []}}, "Statement"),
        ({"s3": "{not json"}, "JSON"),
        (
            {
                "s3": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "s3:*"}],
                }
            },
            "Resource",
        ),
    ],
)
def test_invalid_inline_policies(inline, bad):
    with pytest.raises(InvalidPolicy) as info:
        spec(inline_policies=inline)
    assert "RoleSpec.inline_policies" in str(info.value)
    assert bad in str(info.value)


def test_inline_policies_total_size_limit():
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "x" * 3000}
    doc = {"Version": "2012-10-17", "Statement": [statement]}
    with pytest.raises(InvalidPolicy, match="10240"):
        spec(inline_policies={"a": doc, "b": doc, "c": doc, "d": doc})


def test_inline_policy_accepts_json_text():
    s = spec(inline_policies={"s3": json.dumps(S3_READ)})
    assert s.inline_policies["s3"] == S3_READ


def test_frozen_map_behaves_like_a_read_only_dict():
    m = FrozenMap({"a": 1})
    assert m == {"a": 1} and repr(m) == "{'a': 1}" and dict(m) == {"a": 1}
    assert hash(m) == hash(FrozenMap({"a": 1}))
    assert m != {"a": 2}


def test_plan_without_a_session_is_readable():
    plan = Plan(
        spec=spec(),
        role_exists=False,
        steps=(PlanStep("create role", "cross-account", "path /"),),
        trust_policy=spec().trust_policy(),
        problems=(PlanProblem("policy not found", "arn:x", "missing", "Check it."),),
    )
    assert not plan.is_noop and not plan.ok
    assert list(plan.changes.columns) == ["step", "action", "target", "detail"]
    assert plan.changes.loc[0, "step"] == 1
    assert "1. create role cross-account" in repr(plan)
    assert "policy not found" in repr(plan)
    assert "<table" in plan._repr_html_()
    assert list(plan.problem_frame.columns) == ["problem", "target", "detail", "fix"]


def test_field_rules_are_public_for_the_wizard():
    assert description(None) == ""
    with pytest.raises(InvalidRoleSpec, match=r"RoleSpec\.description"):
        description("rocket \U0001f680")
    assert inline_policy("s3", json.dumps(S3_READ)) == ("s3", S3_READ)
    with pytest.raises(InvalidRoleSpec, match="bad name!"):
        inline_policy("bad name!", S3_READ)
    with pytest.raises(InvalidPolicy, match="Version"):
        inline_policy("s3", {"Statement": S3_READ["Statement"]})


def test_trust_policy_size_is_checked():
    users = [f"arn:aws:iam::{SOURCE}:user/operator-{i:03}" for i in range(150)]
    with pytest.raises(InvalidRoleSpec, match=r"RoleSpec\.trusted_principals"):
        spec(trusted_principals=users)


def test_raise_for_problems_is_the_one_cannot_apply_error():
    s = spec()
    fine = Plan(spec=s, role_exists=False, steps=(), trust_policy=s.trust_policy())
    fine.raise_for_problems()
    missing = PlanProblem("policy not found", "arn:x", "missing", "Check it.")
    path = PlanProblem("path differs", "cross-account", "'/a/' vs '/'", "Use path='/a/'.")
    with pytest.raises(PolicyNotFound, match="Nothing was changed"):
        dataclasses.replace(fine, problems=(path, missing)).raise_for_problems()
    with pytest.raises(InvalidRoleSpec, match=r"Use path='/a/'\. Nothing was changed\.$"):
        dataclasses.replace(fine, problems=(path,)).raise_for_problems()


def _state(s, **changes):
    record = RoleRecord(
        name=s.name,
        arn=s.role_arn("123456781234"),
        account_id="123456781234",
        path=s.path,
        role_id="AROAEXAMPLE",
        created=None,
        max_session_duration=s.max_session_duration,
        trust_policy=s.trust_policy(),
        managed_policy_arns=tuple(sorted(s.managed_policy_arns)),
        inline_policy_names=tuple(sorted(s.inline_policies)),
        tags=s.tags,
        switch_role_url="",
        description=s.description,
    )
    return RoleState(dataclasses.replace(record, **changes), dict(s.inline_policies))


def test_diff_is_pure():
    s = spec(managed_policy_arns=[READ_ONLY], inline_policies={"s3": S3_READ}, tags={"a": "1"})
    assert [st.action for st in diff(s, None).steps] == [
        "create role",
        "attach policy",
        "put inline policy",
    ]
    assert diff(s, _state(s)).is_noop
    old = "arn:aws:iam::aws:policy/ViewOnlyAccess"
    plan = diff(
        s,
        _state(s, managed_policy_arns=(old,), max_session_duration=7200, path="/ops/"),
        {READ_ONLY: "not found"},
    )
    assert [(st.action, st.target) for st in plan.steps] == [
        ("update max session duration", "cross-account"),
        ("detach policy", old),
        ("attach policy", READ_ONLY),
    ]
    assert [p.problem for p in plan.problems] == ["path differs", "policy not found"]


def test_every_plan_action_has_a_step_function():
    assert tuple(STEPS) == ACTIONS
