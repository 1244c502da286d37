"""``TrustMap.collect`` reads each account through the fan-out's operation path and the
AWS-managed policies once: the map is the one the policy engine decides from every account's
IAM, and a principal that may not read those policies fails only its own account (a row of
``errors``), the next account reading them instead."""

from __future__ import annotations

import json

import pytest

import xacct_widgets as xw
from xacct_widgets.core.query import clear_credential_cache

DENY_POLICY_READS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Action": ["iam:GetPolicy", "iam:GetPolicyVersion"],
            "Resource": "*",
        }
    ],
}


@pytest.fixture(autouse=True)
def _fresh_credentials() -> None:
    clear_credential_cache()


def test_aws_managed_policies_are_read_once_and_decide_edges(fresh_sandbox):
    admin = fresh_sandbox.session("management", "admin")
    before = fresh_sandbox.stats()["requests"]
    tm = xw.TrustMap.collect(xw.Organization(admin), session=admin)
    requests = fresh_sandbox.stats()["requests"] - before
    assert tm.errors.empty, tm.errors
    accounts = len(tm.accounts)
    managed = {
        arn
        for a in tm.accounts
        for e in a.snapshot.entities()
        for arn in e.managed
        if arn.startswith("arn:aws:iam::aws:")
    }
    assert managed  # the seeded roles use AWS-managed policies (AdministratorAccess, ...)
    for account in tm.accounts:  # each snapshot holds the documents of what it uses
        used = {arn for e in account.snapshot.entities() for arn in e.managed}
        assert used <= set(account.snapshot.managed)
    # Per member: one AssumeRole and one GetAccountAuthorizationDetails page; the AWS-managed
    # policies two calls each, once; a few organization reads and the caller's identity.
    assert requests <= 2 * accounts + 2 * len(managed) + 25, requests
    # An edge granted by an AWS-managed policy: the admin's AdministratorAccess.
    member = fresh_sandbox.member_account_ids[0]
    edge = tm.edges[
        (tm.edges.principal_arn == f"arn:aws:iam::{fresh_sandbox.MANAGEMENT}:user/admin")
        & (tm.edges.role_arn == f"arn:aws:iam::{member}:role/auditor")
    ]
    assert "AdministratorAccess" in edge.iloc[0]["via"]


def test_a_principal_that_may_not_read_them_fails_its_own_account_only(fresh_sandbox):
    admin = fresh_sandbox.session("management", "admin")
    admin.client("iam").put_user_policy(
        UserName="admin", PolicyName="no-policy-reads", PolicyDocument=json.dumps(DENY_POLICY_READS)
    )
    tm = xw.TrustMap.collect(xw.Organization(admin), session=admin)
    failed = tm.errors[tm.errors.account_id == fresh_sandbox.MANAGEMENT]
    assert list(failed.error_code) == ["AccessDenied"], tm.errors
    assert fresh_sandbox.MANAGEMENT not in {a.account_id for a in tm.accounts}
    members = set(fresh_sandbox.member_account_ids)
    assert members <= {a.account_id for a in tm.accounts}  # read their policies themselves
    assert len(tm.errors) == 1
