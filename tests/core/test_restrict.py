"""Restricting who may switch (``SourceAccount.restrict_assume_role``), verified by real attempts.

Every test ends with real ``sts:AssumeRole`` calls in the sandbox: the chosen principals get in,
everyone else gets AccessDenied, and access to the other roles is what it was before.
"""

from __future__ import annotations

import json

import pytest
from helpers import ROLE_ARN, SOURCE, limited_session, make_role, session_with_keys
from test_who_may_assume import can_assume

from xacct_widgets.core.source import CHANGE_COLUMNS, SourceAccount
from xacct_widgets.errors import ApplyFailed, DestructiveChange, InvalidArn, InvalidInput

BILLING_ARN = "arn:aws:iam::123456781234:role/billing"
ALL = ("operator", "intern", "admin")


@pytest.fixture
def roles(fresh_sandbox):
    make_role(fresh_sandbox)
    make_role(fresh_sandbox, "billing")
    return fresh_sandbox


def _admin(sandbox):
    return SourceAccount(sandbox.session("source", "admin"))


def _iam(sandbox):
    return sandbox.session("source", "admin").client("iam")


def _doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


_EXTRA: dict[str, object] = {}


def _add_user(sandbox, name, group=None):
    iam = _iam(sandbox)
    iam.create_user(UserName=name)
    if group:
        iam.add_user_to_group(GroupName=group, UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    _EXTRA[name] = session_with_keys(
        sandbox, key["AccessKeyId"], key["SecretAccessKey"], account="source"
    )


def _access(sandbox, users, role_arn=ROLE_ARN):
    return {u: can_assume(sandbox, _EXTRA.get(u, u), role_arn) for u in users}


def test_only_operator_narrows_the_group(roles):
    before_billing = _access(roles, ALL, BILLING_ARN)
    admin = _admin(roles)
    plan = admin.plan_restriction(ROLE_ARN, users=["operator"])
    assert tuple(plan.changes.columns) == CHANGE_COLUMNS
    narrowed = plan.destructive
    assert len(narrowed) == 1 and "allow-switch-role" in narrowed.loc[0, "policy"]
    assert "NotResource" in narrowed.loc[0, "change"]
    (admin_row,) = plan.cannot
    assert admin_row.principal.endswith(":user/admin")
    assert "permissions boundary" in admin_row.what_to_do
    result = admin.restrict_assume_role(ROLE_ARN, users=["operator"], allow_destructive=True)
    assert result.changed
    group_doc = _iam(roles).get_group_policy(
        GroupName="role-switchers", PolicyName="allow-switch-role"
    )["PolicyDocument"]
    assert group_doc["Statement"][0]["NotResource"] == ROLE_ARN
    # Real attempts: operator in, intern out, the administrator left as reported.
    assert _access(roles, ALL) == {"operator": True, "intern": False, "admin": True}
    assert _access(roles, ALL, BILLING_ARN) == before_billing  # other roles unchanged
    who = admin.who_may_assume(ROLE_ARN).set_index("name")
    assert not who.loc["role-switchers", "allowed"]


def test_second_run_changes_nothing(roles, calls):
    admin = _admin(roles)
    admin.restrict_assume_role(ROLE_ARN, users=["operator"], allow_destructive=True)
    calls.clear()
    again = admin.restrict_assume_role(ROLE_ARN, users=["operator"])  # no confirmation needed
    assert again.plan.is_noop and not again.changed
    assert calls.writes == []


def test_destructive_rows_need_confirmation_before_any_write(roles, calls):
    admin = _admin(roles)
    with pytest.raises(DestructiveChange) as raised:
        admin.restrict_assume_role(ROLE_ARN, users=["intern"])
    assert any("allow-switch-role" in row for row in raised.value.rows)
    assert "allow_destructive=True" in (raised.value.fix or "")
    assert calls.writes == []
    dry = admin.restrict_assume_role(ROLE_ARN, users=["intern"], dry_run=True)
    assert not dry.applied and not dry.plan.is_noop and calls.writes == []
    assert _access(roles, ("operator", "intern")) == {"operator": True, "intern": False}


def test_choose_another_user_then_switch_back(roles):
    admin = _admin(roles)
    admin.restrict_assume_role(ROLE_ARN, users=["intern"], allow_destructive=True)
    assert _access(roles, ("operator", "intern")) == {"operator": False, "intern": True}
    assert _access(roles, ("operator", "intern"), BILLING_ARN) == {
        "operator": True,  # the group still grants every other role
        "intern": False,
    }
    admin.restrict_assume_role(ROLE_ARN, users=["operator"], allow_destructive=True)
    assert _access(roles, ("operator", "intern")) == {"operator": True, "intern": False}
    names = _iam(roles).list_user_policies(UserName="intern")["PolicyNames"]
    assert "xacct-assume-role" not in names  # its only grant was taken back, policy deleted


def test_a_group_and_a_mixed_group(roles):
    _add_user(roles, "analyst", "role-switchers")
    _add_user(roles, "auditor", "role-switchers")
    admin = _admin(roles)
    admin.restrict_assume_role(ROLE_ARN, groups=["role-switchers"], allow_destructive=True)
    assert _access(roles, ("operator", "analyst", "auditor", "intern")) == {
        "operator": True,
        "analyst": True,
        "auditor": True,
        "intern": False,
    }
    admin.restrict_assume_role(ROLE_ARN, users=["analyst"], allow_destructive=True)
    assert _access(roles, ("operator", "analyst", "auditor")) == {
        "operator": False,
        "analyst": True,
        "auditor": False,
    }
    assert _access(roles, ("operator", "auditor"), BILLING_ARN) == {
        "operator": True,
        "auditor": True,
    }


def test_shared_managed_policy_falls_back_to_a_deny_per_principal(roles):
    _add_user(roles, "analyst")
    iam = _iam(roles)
    arn = iam.create_policy(
        PolicyName="target-roles",
        PolicyDocument=_doc(
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": "arn:aws:iam::123456781234:role/*",
            }
        ),
    )["Policy"]["Arn"]
    for user in ("intern", "analyst"):
        iam.attach_user_policy(UserName=user, PolicyArn=arn)
    admin = _admin(roles)
    plan = admin.plan_restriction([ROLE_ARN], users=["intern"])
    changes = " ".join(plan.changes["policy"])
    assert "xacct-deny-assume-role of user analyst" in changes
    admin.apply_restriction(plan, allow_destructive=True)
    assert _access(roles, ("intern", "analyst", "operator")) == {
        "intern": True,
        "analyst": False,
        "operator": False,
    }
    assert _access(roles, ("intern", "analyst"), BILLING_ARN) == {"intern": True, "analyst": True}
    assert admin.plan_restriction(ROLE_ARN, users=["intern"]).is_noop


def test_failure_rolls_back_what_was_written(roles):
    restrictor = limited_session(
        roles,
        "restrictor",
        ["iam:Get*", "iam:List*", "iam:PutUserPolicy", "iam:DeleteUserPolicy"],
        ["iam:PutGroupPolicy"],
        account="source",
    )
    with pytest.raises(ApplyFailed) as raised:
        SourceAccount(restrictor).restrict_assume_role(
            ROLE_ARN, users=["intern"], allow_destructive=True
        )
    assert raised.value.rolled_back and "allow-switch-role" in raised.value.step
    names = _iam(roles).list_user_policies(UserName="intern")["PolicyNames"]
    assert "xacct-assume-role" not in names  # the grant written first was undone
    assert _access(roles, ("operator", "intern")) == {"operator": True, "intern": False}


def test_inputs_are_checked_before_any_write(roles, calls):
    admin = _admin(roles)
    with pytest.raises(InvalidArn):
        admin.restrict_assume_role("arn:aws:iam::123:role/x", users=["intern"])
    with pytest.raises(InvalidInput, match="empty"):
        admin.restrict_assume_role([], users=["intern"])
    assert calls.count() == 0
    with pytest.raises(InvalidInput, match="no IAM user 'nobody'"):
        admin.restrict_assume_role(ROLE_ARN, users=["nobody"])
    with pytest.raises(InvalidInput, match="no IAM group"):
        admin.restrict_assume_role(ROLE_ARN, groups=["nobody"])
    one = admin.plan_restriction(ROLE_ARN, users="intern")  # one ARN, one name: not characters
    assert one.role_arns == (ROLE_ARN,) and one.users == ("intern",)
    assert calls.writes == []
    assert SOURCE in admin.whoami().arn
