"""Consent is exact (issue 19, item 1): only ``True`` takes something away.

``allow_destructive="false"`` deleted an inline policy and narrowed six principals, and
``xacct runbook -p allow_destructive false`` went ahead, because a non-empty string is truthy.
Every entry point reads its consent flag with :func:`xacct_widgets.core.consent.consent`, before
any call; these tests drive each one against the sandbox and read the account back.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import READ_ONLY, ROLE, ROLE_ARN, make_role

from xacct_widgets import runbook
from xacct_widgets.core.consent import consent
from xacct_widgets.core.query import query
from xacct_widgets.core.source import SourceAccount
from xacct_widgets.core.target import TargetAccount
from xacct_widgets.errors import DestructiveChange, InvalidInput

NOT_BOOLS = ["false", "False", "no", "", "true", 0, 1, np.bool_(True), [], object()]


@pytest.mark.parametrize("value", NOT_BOOLS, ids=lambda v: type(v).__name__ + ":" + str(v)[:8])
def test_only_bools_and_none_are_read(value) -> None:
    with pytest.raises(InvalidInput, match=r"allow_destructive=.* is not True or False"):
        consent(value, "allow_destructive")


@pytest.mark.parametrize(("value", "meant"), [(True, True), (False, False), (None, False)])
def test_true_alone_authorises(value, meant) -> None:
    assert consent(value, "confirm") is meant


def test_a_long_value_is_cut_in_the_message() -> None:
    with pytest.raises(InvalidInput) as caught:
        consent("x" * 5000, "overwrite")
    assert len(caught.value.message) < 300


def test_target_apply_refuses_the_string_false(fresh_sandbox) -> None:
    target = TargetAccount(fresh_sandbox.session("target", "admin"))
    make_role(fresh_sandbox)
    iam = fresh_sandbox.session("target", "admin").client("iam")
    iam.put_role_policy(
        RoleName=ROLE,
        PolicyName="keep-me",
        PolicyDocument='{"Version":'
        '"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets",'
        '"Resource":"*"}]}',
    )
    spec = dataclasses.replace(target.spec_of(ROLE), inline_policies={})
    assert target.plan(spec).destructive["action"].tolist() == ["delete inline policy"]
    with pytest.raises(InvalidInput, match="allow_destructive='false'"):
        target.apply(spec, allow_destructive="false")  # type: ignore[arg-type]
    with pytest.raises(DestructiveChange):
        target.apply(spec, allow_destructive=None)  # type: ignore[arg-type]
    assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == ["keep-me"]


def test_delete_role_refuses_a_truthy_confirm(fresh_sandbox) -> None:
    target = TargetAccount(fresh_sandbox.session("target", "admin"))
    make_role(fresh_sandbox)
    with pytest.raises(InvalidInput, match="confirm='yes'"):
        target.delete_role(ROLE, confirm="yes")  # type: ignore[arg-type]
    assert target.spec_of(ROLE).managed_policy_arns == (READ_ONLY,)


def test_restriction_refuses_the_string_false(fresh_sandbox) -> None:
    make_role(fresh_sandbox)
    admin = SourceAccount(fresh_sandbox.session("source", "admin"))
    before = admin.who_may_assume(ROLE_ARN)
    plan = admin.plan_restriction(ROLE_ARN, users=["operator"])
    assert len(plan.destructive), "the seeded account has others to narrow"
    with pytest.raises(InvalidInput, match="allow_destructive='false'"):
        admin.apply_restriction(plan, allow_destructive="false")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        admin.restrict_assume_role(ROLE_ARN, users=["operator"], allow_destructive="false")  # type: ignore[arg-type]
    after = admin.who_may_assume(ROLE_ARN)
    assert after[["name", "allowed"]].equals(before[["name", "allowed"]])


def test_query_refuses_a_truthy_allow_writes(sandbox) -> None:
    with pytest.raises(InvalidInput, match="allow_writes='yes'"):
        query(
            ["123456781234"],
            "s3",
            "list_buckets",
            session=sandbox.session("source", "admin"),
            allow_writes="yes",  # type: ignore[arg-type]
        )


@pytest.mark.parametrize(
    ("raw", "value"), [("false", False), ("FALSE", False), ("true", True), (" True ", True)]
)
def test_runbook_reads_bools_as_bools(raw, value) -> None:
    assert runbook.parse_value("allow_destructive", raw, "bool") is value


@pytest.mark.parametrize("raw", ["no", "0", "'false'", "False!"])
def test_runbook_refuses_what_is_not_a_bool(raw) -> None:
    with pytest.raises(InvalidInput, match="allow_destructive is a bool"):
        runbook.parse_value("allow_destructive", raw, "bool")


def test_runbook_cell_declares_its_types() -> None:
    params = runbook.runbook_parameters()
    assert params["allow_destructive"]["inferred_type_name"] == "bool"
    parsed = runbook.parse_parameters(
        ["allow_destructive", "false", "users_to_allow", "operator,intern"], params
    )
    assert parsed == {"allow_destructive": False, "users_to_allow": ["operator", "intern"]}
