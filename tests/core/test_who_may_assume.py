"""Who in the source account may switch into a role (``SourceAccount.who_may_assume``).

Real IAM state in the sandbox; each answer is the policy engine's, cross-checked where it
matters with a real ``sts:AssumeRole`` attempt.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from helpers import ROLE_ARN, SOURCE, make_role

from xacct_widgets.core.source import WHO_COLUMNS, SourceAccount
from xacct_widgets.errors import InvalidArn


def _admin(sandbox):
    return SourceAccount(sandbox.session("source", "admin"))


def _iam(sandbox):
    return sandbox.session("source", "admin").client("iam")


def _doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def can_assume(sandbox, user, role_arn=ROLE_ARN) -> bool:
    """A real sts:AssumeRole as ``user`` (a seeded name, or a boto3 session)."""
    session = user if not isinstance(user, str) else sandbox.session("source", user)
    try:
        session.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="probe")
    except ClientError as err:
        assert err.response["Error"]["Code"] == "AccessDenied"
        return False
    return True


def _rows(frame):
    return {(r.principal_type, r.name): r for r in frame.itertuples()}


def test_seeded_account(fresh_sandbox):
    make_role(fresh_sandbox)
    frame = _admin(fresh_sandbox).who_may_assume(ROLE_ARN)
    assert tuple(frame.columns) == WHO_COLUMNS
    assert frame["allowed"].dtype == bool
    rows = _rows(frame)
    operator = rows[("user", "operator")]
    assert operator.allowed and "group:role-switchers/allow-switch-role" in operator.via
    assert "member of the group" in operator.why
    assert operator.principal == f"arn:aws:iam::{SOURCE}:user/operator"
    intern = rows[("user", "intern")]
    assert not intern.allowed and "none of its policies" in intern.why
    admin = rows[("user", "admin")]
    assert admin.allowed and admin.administrator
    assert "AdministratorAccess" in admin.via and "administrator policy" in admin.why
    assert "permissions boundary" in admin.why
    group = rows[("group", "role-switchers")]
    assert group.allowed and "members of group role-switchers" in group.why
    assert not frame.isna().any().any()  # no None cells
    # The engine's answers are AWS's (the sandbox): a real attempt agrees.
    assert can_assume(fresh_sandbox, "operator") and not can_assume(fresh_sandbox, "intern")


def test_explicit_deny_and_conditions(fresh_sandbox):
    make_role(fresh_sandbox)
    iam = _iam(fresh_sandbox)
    iam.put_user_policy(
        UserName="operator",
        PolicyName="no-prod",
        PolicyDocument=_doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": ROLE_ARN}),
    )
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    iam.put_user_policy(
        UserName="intern",
        PolicyName="with-mfa",
        PolicyDocument=_doc(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE_ARN, "Condition": mfa}
        ),
    )
    rows = _rows(_admin(fresh_sandbox).who_may_assume(ROLE_ARN))
    operator = rows[("user", "operator")]
    assert not operator.allowed
    assert "explicitly denies" in operator.why and "user:operator/no-prod" in operator.via
    intern = rows[("user", "intern")]
    assert intern.allowed and "Only when" in intern.why
    assert "aws:MultiFactorAuthPresent" in intern.why
    assert not can_assume(fresh_sandbox, "operator")


def test_customer_managed_policy_and_source_roles(fresh_sandbox):
    iam = _iam(fresh_sandbox)
    arn = iam.create_policy(
        PolicyName="switch-to-target",
        PolicyDocument=_doc(
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": "arn:aws:iam::*:role/cross-*",
            }
        ),
    )["Policy"]["Arn"]
    iam.attach_user_policy(UserName="intern", PolicyArn=arn)
    trust = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(
        RoleName="deployer",
        PolicyName="hop",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE_ARN}),
    )
    rows = _rows(_admin(fresh_sandbox).who_may_assume(ROLE_ARN))
    intern = rows[("user", "intern")]
    assert intern.allowed and f"managed:{arn}" in intern.via
    assert "customer-managed policy switch-to-target" in intern.why
    deployer = rows[("role", "deployer")]
    assert deployer.allowed and "role:deployer/hop" in deployer.via
    assert deployer.principal == f"arn:aws:iam::{SOURCE}:role/deployer"
    other = _rows(_admin(fresh_sandbox).who_may_assume("arn:aws:iam::123456781234:role/billing"))
    assert not other[("user", "intern")].allowed and not other[("role", "deployer")].allowed


def test_reads_with_one_paginated_call_and_validates_first(fresh_sandbox, calls):
    admin = _admin(fresh_sandbox)
    with pytest.raises(InvalidArn):
        admin.who_may_assume("arn:aws:iam::123:role/x")
    assert calls.count() == 0
    admin.who_may_assume(ROLE_ARN)
    assert calls.count("GetAccountAuthorizationDetails") >= 1
    assert calls.writes == []
