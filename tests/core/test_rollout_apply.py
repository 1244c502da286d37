"""Rollout apply, failure tolerance, the destructive guard and exact rollback (issue 21; drift:
test_rollout_drift.py).

Failures are made at apply time the way they happen: the role appears in an account between
the plan and the apply (someone made it by hand), so that account's CreateRole fails with
EntityAlreadyExists and the change engine leaves it as it was.
"""

from __future__ import annotations

import dataclasses

import pytest
from helpers import READ_ONLY, SECURITY_AUDIT, SOURCE, VIEW_ONLY
from rollout_helpers import (  # noqa: F401 (the org fixture)
    ROLLED,
    SPEC,
    Org,
    as_json,
    inline_doc,
    org_fixture,
)

import xacct_widgets as xw
from xacct_widgets.core.rollout import RESULT_COLUMNS
from xacct_widgets.errors import DestructiveChange, InvalidInput


def _four(org: Org) -> list[str]:
    """Four accounts where a create works: management, the prod member, two new ones."""
    return [org.management, org.ok, org.add_account("tenant-a"), org.add_account("tenant-b")]


def test_apply_then_replan_is_noop_management_included(org: Org) -> None:
    rollout = xw.Rollout(SPEC, [org.management, org.ok], session=org.mgmt)
    seen = []
    result = rollout.apply(progress=seen.append)
    assert tuple(result.frame.columns) == RESULT_COLUMNS
    assert list(result.frame["status"]) == ["applied", "applied"]
    assert len(seen) == 2 and seen[-1].done == 2
    for account in (org.management, org.ok):
        state = org.state(account)
        assert state is not None and state.record.managed_policy_arns == (READ_ONLY,)
    again = rollout.plan()
    assert again.is_noop
    assert list(again.frame["action"]) == ["noop", "noop"]
    assert list(rollout.apply(again, progress=False).frame["status"]) == ["unchanged"] * 2


def test_blocked_rows_are_skipped_with_their_reason(org: Org) -> None:
    rollout = xw.Rollout(SPEC, xw.Organization(org.mgmt), session=org.mgmt)
    rows = rollout.apply(progress=False).frame.set_index("account_id")
    assert rows.loc[org.locked, "status"] == "skipped"
    assert rows.loc[org.locked, "message"] == "an SCP denies iam:CreateRole in this account"
    assert rows.loc[org.no_role, "status"] == "skipped"
    assert rows.loc[org.ok, "status"] == "applied"


@pytest.mark.parametrize(
    ("tolerance", "expected"),
    [
        (0, ["failed", "skipped", "skipped", "skipped"]),
        (1, ["failed", "failed", "skipped", "skipped"]),
        (0.25, ["failed", "failed", "skipped", "skipped"]),  # 1 of 4 tolerated
        (0.5, ["failed", "failed", "applied", "applied"]),  # 2 of 4 tolerated
    ],
)
def test_failure_tolerance_stops_new_accounts(org: Org, tolerance, expected) -> None:
    accounts = _four(org)
    rollout = xw.Rollout(SPEC, accounts, session=org.mgmt)
    plan = rollout.plan()
    assert list(plan.frame["action"]) == ["create"] * 4
    by_hand = dataclasses.replace(SPEC, description="made by hand")
    for account in accounts[:2]:  # between plan and apply: CreateRole will fail there
        org.make_role(account, by_hand)
    result = rollout.apply(plan, max_concurrent=1, failure_tolerance=tolerance, progress=False)
    frame = result.frame
    assert list(frame["status"]) == expected
    assert set(frame[frame["status"] == "failed"]["error_code"]) == {"EntityAlreadyExists"}
    for i, (account, status) in enumerate(zip(accounts, expected, strict=True)):
        state = org.state(account)
        if i < 2:  # failed, or never started: the role made by hand, untouched
            assert state is not None and state.record.description == "made by hand"
        elif status == "skipped":
            assert state is None  # never started
        else:
            assert state is not None and state.record.managed_policy_arns == (READ_ONLY,)


@pytest.mark.parametrize("bad", [-1, 1.0, "1", True, None])
def test_bad_failure_tolerance_is_refused(org: Org, bad) -> None:
    with pytest.raises(InvalidInput, match="failure_tolerance"):
        xw.Rollout(SPEC, [org.ok], session=org.mgmt).apply(failure_tolerance=bad)


def test_destructive_rows_refused_before_any_write(org: Org, calls) -> None:
    org.make_role(org.ok, dataclasses.replace(SPEC, managed_policy_arns=(SECURITY_AUDIT,)))
    rollout = xw.Rollout(SPEC, [org.management, org.ok], session=org.mgmt)
    plan = rollout.plan()
    calls.clear()
    with pytest.raises(DestructiveChange, match=f"{org.ok}: detach policy") as refused:
        rollout.apply(plan, progress=False)
    step = next(s for a in plan.accounts if a.plan for s in a.plan.steps if s.is_destructive)
    assert refused.value.rows == (f"{org.ok}: detach policy {SECURITY_AUDIT}: {step.removes}",)
    assert calls.names == []  # not even an AssumeRole
    assert org.state(org.management) is None
    with pytest.raises(InvalidInput, match="allow_destructive='false'"):
        rollout.apply(plan, allow_destructive="false", progress=False)  # type: ignore[arg-type]
    assert calls.writes == []
    result = rollout.apply(plan, allow_destructive=True, progress=False)
    assert list(result.frame["status"]) == ["applied", "applied"]


def test_rollback_restores_every_field_exactly(org: Org) -> None:
    before_spec = xw.RoleSpec(
        name=ROLLED,
        trusted_account=SOURCE,
        trusted_principals=[f"arn:aws:iam::{SOURCE}:user/operator"],
        external_id="tenant-42",
        require_mfa=True,
        managed_policy_arns=[SECURITY_AUDIT, VIEW_ONLY],
        inline_policies={"keep": inline_doc("s3:GetObject"), "drop": inline_doc("sqs:*")},
        description="hand-made before the rollout",
        max_session_duration=7200,
        tags={"team": "audit", "cost": "42"},
        permissions_boundary=READ_ONLY,
    )
    org.make_role(org.ok, before_spec)
    before = org.state(org.ok)
    assert before is not None
    spec = dataclasses.replace(
        SPEC, inline_policies={"keep": inline_doc("s3:PutObject")}, tags={"team": "platform"}
    )
    rollout = xw.Rollout(spec, [org.management, org.ok], session=org.mgmt)
    applied = rollout.apply(allow_destructive=True, progress=False)
    assert list(applied.frame["status"]) == ["applied", "applied"]
    during = org.state(org.ok)
    assert during is not None and during.record.managed_policy_arns == (READ_ONLY,)

    undone = applied.rollback()

    assert list(undone.frame["status"]) == ["rolled_back", "rolled_back"]
    assert org.state(org.management) is None  # created by the rollout: deleted
    after = org.state(org.ok)
    assert after is not None
    old, new = before.record, after.record
    assert as_json(new.trust_policy) == as_json(old.trust_policy)
    assert new.managed_policy_arns == old.managed_policy_arns
    assert {k: as_json(v) for k, v in after.inline_documents.items()} == {
        k: as_json(v) for k, v in before.inline_documents.items()
    }
    assert new.description == old.description
    assert new.max_session_duration == old.max_session_duration == 7200
    assert dict(new.tags) == dict(old.tags)
    assert new.permissions_boundary == old.permissions_boundary == READ_ONLY
    assert new.role_id == old.role_id  # the same role, not a new one
    assert xw.Rollout(before_spec, [org.ok], session=org.mgmt).plan().is_noop
    with pytest.raises(InvalidInput, match="Only an apply"):
        undone.rollback()


def test_an_interrupt_rolls_back_the_accounts_in_flight(org: Org) -> None:
    accounts = _four(org)
    rollout = xw.Rollout(SPEC, accounts, session=org.mgmt)
    plan = rollout.plan()
    done: list[str] = []

    def interrupt(progress) -> None:
        done.append(progress.account_id)
        raise KeyboardInterrupt  # Ctrl-C as the first account is reported done

    with pytest.raises(KeyboardInterrupt):
        rollout.apply(plan, max_concurrent=2, progress=interrupt)

    assert len(done) == 1
    partial = rollout.last_result
    assert partial is not None
    statuses = dict(zip(partial.frame["account_id"], partial.frame["status"], strict=True))
    assert statuses[done[0]] == "applied"
    assert "rolled_back" in statuses.values()  # the other worker's account was in flight
    for account in accounts:
        has_role = org.state(account) is not None
        assert has_role == (account == done[0]), (account, statuses[account])
    assert list(partial.rollback().frame["status"]) == ["rolled_back"]
    assert all(org.state(account) is None for account in accounts)
