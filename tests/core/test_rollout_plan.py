"""Rollout plans (issue 21): one row per account, every action and every blocked reason in
words, read-only, with the management account planned through the caller's own session."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from helpers import READ_ONLY, SECURITY_AUDIT
from rollout_helpers import ROLLED, SPEC, Org, org_fixture  # noqa: F401 (the org fixture)

import xacct_widgets as xw
from xacct_widgets.core.rollout import PLAN_CHANGE_COLUMNS, PLAN_COLUMNS
from xacct_widgets.errors import InvalidInput


def test_every_action_and_every_blocked_reason(org: Org, calls) -> None:
    org.make_role(org.management, SPEC)  # already as specified: noop
    org.make_role(org.ok, dataclasses.replace(SPEC, managed_policy_arns=(SECURITY_AUDIT,)))
    fresh = org.add_account("tenant-new")  # no role yet: create
    closed = org.add_account("tenant-closed")
    org.mgmt.client("organizations").close_account(AccountId=closed)
    calls.clear()

    plan = xw.Rollout(SPEC, xw.Organization(org.mgmt), session=org.mgmt).plan()

    assert tuple(plan.frame.columns) == PLAN_COLUMNS
    rows = plan.frame.set_index("account_id")
    assert rows.loc[org.management, "action"] == "noop"
    assert rows.loc[org.ok, "action"] == "update"
    assert bool(rows.loc[org.ok, "destructive"])  # SecurityAudit would be detached
    assert rows.loc[fresh, "action"] == "create"
    assert rows.loc[fresh, "role_arn"] == f"arn:aws:iam::{fresh}:role/{ROLLED}"
    assert rows.loc[org.no_role, "action"] == "blocked"
    assert "OrganizationAccountAccessRole cannot be assumed" in rows.loc[org.no_role, "reason"]
    assert rows.loc[org.locked, "action"] == "blocked"
    assert rows.loc[org.locked, "reason"] == "an SCP denies iam:CreateRole in this account"
    assert rows.loc[org.locked, "ou"] == "locked"
    assert rows.loc[closed, "action"] == "blocked"
    assert "suspended" in rows.loc[closed, "reason"]
    assert rows.loc[org.ok, "account_name"] == "tenant-001"
    assert rows.loc[org.ok, "ou"] == "prod"
    assert set(plan.blocked["account_id"]) == {org.no_role, org.locked, closed}
    assert list(plan.destructive["account_id"]) == [org.ok]
    assert not plan.is_noop
    assert plan.counts() == {"create": 1, "update": 1, "noop": 1, "blocked": 3}
    # Reads only (the policy simulator is IAM's dry check, not a write).
    assert not [c for c in calls.writes if c not in ("AssumeRole", "SimulatePrincipalPolicy")]


def test_changes_are_each_accounts_steps(org: Org) -> None:
    org.make_role(org.ok, dataclasses.replace(SPEC, managed_policy_arns=(SECURITY_AUDIT,)))
    plan = xw.Rollout(SPEC, [org.ok, org.management], session=org.mgmt).plan()
    changes = plan.changes
    assert tuple(changes.columns) == PLAN_CHANGE_COLUMNS
    ok = changes[changes["account_id"] == org.ok]
    assert set(ok["action"]) == {"detach policy", "attach policy"}
    assert ok.set_index("action").loc["detach policy", "destructive"]
    management = changes[changes["account_id"] == org.management]
    assert management["action"].iloc[0] == "create role"


def test_quota_of_managed_policies_blocks(org: Org) -> None:
    arns = [f"arn:aws:iam::aws:policy/Quota{i}" for i in range(10)] + [READ_ONLY]
    spec = dataclasses.replace(SPEC, managed_policy_arns=tuple(arns))
    plan = xw.Rollout(spec, [org.ok, org.management], session=org.mgmt).plan()
    assert list(plan.frame["action"]) == ["blocked", "blocked"]
    for reason in plan.frame["reason"]:
        assert "at most 10 managed policies" in reason and "attaches 11" in reason


def test_accounts_as_frame_and_ids_are_placed_in_their_ous(org: Org) -> None:
    frame = xw.Organization(org.mgmt).accounts(ou="prod")
    by_frame = xw.Rollout(SPEC, frame, session=org.mgmt).plan().frame
    assert set(by_frame["ou"]) == {"prod"}
    by_ids = xw.Rollout(SPEC, [org.ok, org.management], session=org.mgmt).plan().frame
    assert list(by_ids["ou"]) == ["prod", ""]
    assert list(by_ids["action"]) == ["create", "create"]


def test_an_account_added_later_is_a_create_row(org: Org) -> None:
    rollout = xw.Rollout(SPEC, xw.Organization(org.mgmt), session=org.mgmt)
    first = rollout.plan()
    rollout.apply(first, progress=False)
    later = org.add_account("tenant-late")
    again = rollout.plan().frame.set_index("account_id")
    assert again.loc[later, "action"] == "create"
    assert set(again.drop(index=later)["action"]) == {"noop", "blocked"}


@pytest.mark.parametrize(
    ("accounts", "kwargs"),
    [
        ([], {}),
        ("123456789012", {}),
        (pd.DataFrame({"id": ["123456789012"]}), {}),
        (["12345"], {}),
        (["123456789012"], {"execution_role": "bad name!"}),
    ],
)
def test_bad_arguments_are_refused_before_any_call(org: Org, calls, accounts, kwargs) -> None:
    calls.clear()
    with pytest.raises(InvalidInput):
        xw.Rollout(SPEC, accounts, session=org.mgmt, **kwargs).plan()
    assert calls.count("AssumeRole") == 0


def test_max_workers_is_checked(org: Org) -> None:
    with pytest.raises(InvalidInput, match="max_workers"):
        xw.Rollout(SPEC, [org.ok], session=org.mgmt).plan(max_workers=0)


def test_organization_filter_include_and_exclude(org: Org) -> None:
    organization = xw.Organization(org.mgmt)
    every = organization.accounts(status=None)
    kept = organization.accounts(status=None, include=[org.ok, "master"])
    assert sorted(kept["account_id"]) == sorted([org.ok, org.management])
    dropped = organization.accounts(status=None, exclude=["tenant-001"])
    assert set(dropped["account_id"]) == set(every["account_id"]) - {org.ok}
    prod = organization.accounts(ou="prod", exclude=[org.ok])
    assert org.ok not in set(prod["account_id"])
    plan = xw.Rollout(SPEC, kept, session=org.mgmt).plan()
    assert list(plan.frame["action"]) == ["create", "create"]
    with pytest.raises(InvalidInput, match="include must be a list"):
        organization.accounts(include=org.ok)


def test_executor_a_thread_pool_of_yours_and_not_a_process_pool(org: Org) -> None:
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    rollout = xw.Rollout(SPEC, [org.ok, org.management], session=org.mgmt)
    with ThreadPoolExecutor(max_workers=2) as pool:
        plan = rollout.plan(executor=pool)
    assert list(plan.frame["action"]) == ["create", "create"]
    # A process pool plans too (test_rollout_executors.py), given a caller that can travel:
    # a session made from explicit keys cannot.
    with (
        ProcessPoolExecutor(max_workers=1) as pool,
        pytest.raises(InvalidInput, match="CallerSpec"),
    ):
        rollout.plan(executor=pool)
