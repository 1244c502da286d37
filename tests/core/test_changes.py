"""The one change engine over real IAM calls (the sandbox): consent, order, rollback, report."""

from __future__ import annotations

import json

import pytest
from helpers import limited_session

from xacct_widgets.core.changes import REPORT_COLUMNS, Step, apply_steps
from xacct_widgets.errors import (
    AccessDenied,
    ApplyDenied,
    ApplyFailed,
    DestructiveChange,
    InvalidInput,
)

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::987654329876:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def _create(iam, name):
    def run():
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
        return lambda: iam.delete_role(RoleName=name)

    return Step(f"create role {name}", run, action="iam:CreateRole", resource=f"role {name}")


def _attach(iam, name, arn=READ_ONLY):
    def run():
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        return lambda: iam.detach_role_policy(RoleName=name, PolicyArn=arn)

    return Step(f"attach {arn}", run, action="iam:AttachRolePolicy", resource=f"role {name}")


def _detach(iam, name, arn=READ_ONLY):
    def run():
        iam.detach_role_policy(RoleName=name, PolicyArn=arn)
        return lambda: iam.attach_role_policy(RoleName=name, PolicyArn=arn)

    return Step(
        f"detach {arn}", run, destructive=True, why="removes what it grants", action="iam:Detach"
    )


def _roles(iam):
    return {r["RoleName"] for r in iam.list_roles()["Roles"]}


@pytest.fixture
def iam(fresh_sandbox):
    return fresh_sandbox.session("target", "admin").client("iam")


def test_steps_run_in_order_and_are_reported(iam) -> None:
    report = apply_steps([_create(iam, "r1"), _attach(iam, "r1")], subject="Applying r1")
    assert "r1" in _roles(iam)
    attached = iam.list_attached_role_policies(RoleName="r1")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [READ_ONLY]
    assert report.changed
    assert list(report.frame.columns) == REPORT_COLUMNS
    assert report.frame["change"].tolist() == ["create role r1", f"attach {READ_ONLY}"]


def test_a_failure_undoes_every_completed_step_newest_first(iam) -> None:
    missing = "arn:aws:iam::aws:policy/NoSuchPolicy"
    steps = [_create(iam, "r2"), _attach(iam, "r2"), _attach(iam, "r2", missing)]
    with pytest.raises(ApplyFailed) as caught:
        apply_steps(steps, subject="Applying r2")
    assert caught.value.rolled_back
    assert caught.value.step == f"attach {missing}"
    assert "step 3 of 3" in str(caught.value) and "2 completed step(s) were undone" in str(
        caught.value
    )
    assert "r2" not in _roles(iam)  # the detach ran before the delete: newest first


def test_an_interrupt_rolls_back_too(iam) -> None:
    def interrupted():
        raise KeyboardInterrupt

    steps = [_create(iam, "r3"), Step("interrupted", interrupted)]
    with pytest.raises(KeyboardInterrupt):
        apply_steps(steps, subject="Applying r3")
    assert "r3" not in _roles(iam)


@pytest.mark.parametrize("flag", [False, None])
def test_destructive_steps_are_refused_before_any_write(iam, flag) -> None:
    steps = [_create(iam, "r4"), _detach(iam, "r4")]
    with pytest.raises(DestructiveChange) as caught:
        apply_steps(steps, subject="Applying r4", allow_destructive=flag)
    assert caught.value.rows == (f"detach {READ_ONLY}: removes what it grants",)
    assert "r4" not in _roles(iam)


@pytest.mark.parametrize("flag", ["false", "False", 1, "yes"])
def test_only_true_is_consent(iam, flag) -> None:
    with pytest.raises(InvalidInput, match="allow_destructive"):
        apply_steps([_create(iam, "r5")], subject="Applying r5", allow_destructive=flag)
    assert "r5" not in _roles(iam)


def test_consent_runs_destructive_steps(iam) -> None:
    apply_steps([_create(iam, "r6"), _attach(iam, "r6")], subject="Applying r6")
    report = apply_steps([_detach(iam, "r6")], subject="Applying r6", allow_destructive=True)
    assert report.frame["destructive"].tolist() == [True]
    assert iam.list_attached_role_policies(RoleName="r6")["AttachedPolicies"] == []


def test_a_denied_step_stays_an_access_denied(fresh_sandbox, iam) -> None:
    intern = limited_session(fresh_sandbox, "reader", ["iam:Get*", "iam:List*"])
    steps = [_create(intern.client("iam"), "r7")]
    with pytest.raises(ApplyDenied) as caught:
        apply_steps(steps, subject="Applying r7")
    assert isinstance(caught.value, AccessDenied)
    assert caught.value.code == "AccessDenied"
    assert "the account is as before" in str(caught.value)


def test_nothing_to_do_reports_nothing() -> None:
    report = apply_steps([], subject="Applying nothing")
    assert not report.changed and report.frame.empty
