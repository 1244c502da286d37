"""`xacct rollout plan|apply` in its own process against the test's sandbox (XACCT_SANDBOX_URL).

plan exits like `terraform plan -detailed-exitcode` (0 in sync, 2 changes, 1 error), so the
cycle plan -> apply -> plan is 2, 0, 0; an XacctError prints its fix and exits 1, not 2.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from helpers import READ_ONLY, SECURITY_AUDIT, SOURCE

from xacct_widgets.core.query import clear_credential_cache
from xacct_widgets.core.target import RoleSpec, TargetAccount
from xacct_widgets.sandbox import ENV_URL, Sandbox
from xacct_widgets.sandbox.seed import seed_rollout

ROLE = ["--role-name", "org-reader", "--trusted-account", SOURCE, "--managed-policy", READ_ONLY]


@pytest.fixture(name="sb")
def sb_fixture(fresh_sandbox: Sandbox) -> Iterator[Sandbox]:
    clear_credential_cache()
    yield fresh_sandbox
    fresh_sandbox.reset()
    clear_credential_cache()


def xacct(sb: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env[ENV_URL] = sb.endpoint_url
    return subprocess.run(
        [sys.executable, "-m", "xacct_widgets.cli", "rollout", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_plan_apply_plan_converges(sb: Sandbox) -> None:
    accounts = [Sandbox.MANAGEMENT, *sb.member_account_ids]

    first = xacct(sb, "plan", *ROLE)
    assert first.returncode == 2, first.stderr
    assert "Plan: 4 create." in first.stdout
    for account in accounts:
        assert f"arn:aws:iam::{account}:role/org-reader" in first.stdout

    applied = xacct(sb, "apply", *ROLE)
    assert applied.returncode == 0, applied.stderr
    assert "Apply: 4 applied." in applied.stdout
    iam = sb.session("management", "admin").client("iam")
    role = iam.get_role(RoleName="org-reader")["Role"]
    assert SOURCE in str(role["AssumeRolePolicyDocument"])
    attached = iam.list_attached_role_policies(RoleName="org-reader")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [READ_ONLY]

    again = xacct(sb, "plan", *ROLE)
    assert again.returncode == 0, again.stderr
    assert "Plan: 4 noop." in again.stdout

    nothing = xacct(sb, "apply", *ROLE)
    assert nothing.returncode == 0
    assert "Nothing to apply" in nothing.stdout


def test_plan_shows_blocked_rows_with_reason(sb: Sandbox) -> None:
    realism = seed_rollout(sb.member_account_ids)
    planned = xacct(sb, "plan", *ROLE)
    assert planned.returncode == 2, planned.stderr
    rows = {line.split()[0]: line for line in planned.stdout.splitlines() if line[:1].isdigit()}
    assert "blocked" in rows[realism.scp_denied]
    assert "iam:CreateRole" in rows[realism.scp_denied]
    assert "blocked" in rows[realism.no_execution_role]
    assert "create" in rows[sb.member_account_ids[0]]


def test_accounts_option_limits_the_rollout(sb: Sandbox) -> None:
    only = sb.member_account_ids[0]
    planned = xacct(sb, "plan", *ROLE, "--accounts", only)
    assert planned.returncode == 2, planned.stderr
    assert "Plan: 1 create." in planned.stdout
    assert only in planned.stdout
    assert Sandbox.MANAGEMENT not in planned.stdout


def test_error_exits_1_with_fix(sb: Sandbox) -> None:
    bad = xacct(sb, "plan", "--role-name", "org-reader", "--trusted-account", "12345")
    assert bad.returncode == 1
    assert "xacct rollout:" in bad.stderr
    assert "12345" in bad.stderr
    assert bad.stdout == ""


def test_destructive_apply_needs_the_flag(sb: Sandbox) -> None:
    mgmt = sb.session("management", "admin")
    TargetAccount(mgmt).apply(
        RoleSpec(name="org-reader", trusted_account=SOURCE, managed_policy_arns=(SECURITY_AUDIT,))
    )
    only = ["--accounts", Sandbox.MANAGEMENT]

    refused = xacct(sb, "apply", *ROLE, *only)
    assert refused.returncode == 1
    assert "detach policy" in refused.stderr and "fix:" in refused.stderr
    assert "Traceback" not in refused.stderr
    attached = mgmt.client("iam").list_attached_role_policies(RoleName="org-reader")
    assert [p["PolicyArn"] for p in attached["AttachedPolicies"]] == [SECURITY_AUDIT]

    allowed = xacct(sb, "apply", *ROLE, *only, "--allow-destructive")
    assert allowed.returncode == 0, allowed.stderr
    assert "Apply: 1 applied." in allowed.stdout
    attached = mgmt.client("iam").list_attached_role_policies(RoleName="org-reader")
    assert [p["PolicyArn"] for p in attached["AttachedPolicies"]] == [READ_ONLY]
