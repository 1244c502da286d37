"""Same-account AssumeRole over real signed requests: the role's trust policy must allow the caller.

AWS, "Policy evaluation logic" (https://docs.aws.amazon.com/IAM/latest/UserGuide/
reference_policies_evaluation-logic.html): "IAM role trust policies and KMS key policies are
exceptions to this logic, because they must explicitly allow access for principals." A role
trusting only ``ec2.amazonaws.com`` cannot be assumed by its own account's administrator; a trust
naming the account root delegates to the identity policies; a trust naming ``user/intern``
lets intern in without any identity policy. "Cross-account policy evaluation logic"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)
still asks both sides across accounts.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from xacct_widgets.sandbox import Sandbox

SOURCE, TARGET = "987654329876", "123456781234"
EC2_ONLY = {"Service": "ec2.amazonaws.com"}


def _role(sandbox: Sandbox, account: str, name: str, *principals: object) -> str:
    statements = [
        {"Effect": "Allow", "Principal": p, "Action": "sts:AssumeRole"} for p in principals
    ]
    iam = sandbox.session(account, "admin").client("iam")
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=document)["Role"]["Arn"]


def _can_assume(sandbox: Sandbox, account: str, user: str, role_arn: str) -> bool:
    sts = sandbox.session(account, user).client("sts")
    try:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="same-account")
    except ClientError as err:
        assert err.response["Error"]["Code"] == "AccessDenied"
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        return False
    return True


@pytest.mark.parametrize(
    ("account", "user"),
    [
        pytest.param("target", "admin", id="target-admin-AdministratorAccess"),
        pytest.param("source", "admin", id="source-admin-AdministratorAccess"),
        pytest.param("source", "operator", id="operator-allowed-every-role"),
    ],
)
def test_trust_of_ec2_only_refuses_the_accounts_own_users(
    fresh_sandbox: Sandbox, account: str, user: str
) -> None:
    """Their identity policies allow sts:AssumeRole on the role; the trust policy does not."""
    arn = _role(fresh_sandbox, account, "ec2-instance", EC2_ONLY)
    assert not _can_assume(fresh_sandbox, account, user, arn)


def test_account_root_delegates_to_identity_policies(fresh_sandbox: Sandbox) -> None:
    arn = _role(fresh_sandbox, "source", "local", {"AWS": f"arn:aws:iam::{SOURCE}:root"})
    assert _can_assume(fresh_sandbox, "source", "operator", arn)  # group allows role/*
    assert _can_assume(fresh_sandbox, "source", "admin", arn)  # AdministratorAccess
    assert not _can_assume(fresh_sandbox, "source", "intern", arn)  # no identity Allow


def test_user_named_directly_needs_no_identity_policy(fresh_sandbox: Sandbox) -> None:
    intern = f"arn:aws:iam::{SOURCE}:user/intern"
    arn = _role(fresh_sandbox, "source", "for-intern", {"AWS": intern})
    assert _can_assume(fresh_sandbox, "source", "intern", arn)
    # operator's identity policy allows every role, but the trust names only intern
    assert not _can_assume(fresh_sandbox, "source", "operator", arn)


def test_across_accounts_a_named_user_still_needs_identity(fresh_sandbox: Sandbox) -> None:
    intern = f"arn:aws:iam::{SOURCE}:user/intern"
    arn = _role(fresh_sandbox, "target", "names-intern", {"AWS": intern})
    assert not _can_assume(fresh_sandbox, "source", "intern", arn)


def test_missing_role_in_own_account_refuses_admin(fresh_sandbox: Sandbox) -> None:
    arn = f"arn:aws:iam::{TARGET}:role/does-not-exist"
    assert not _can_assume(fresh_sandbox, "target", "admin", arn)
