"""Rollout drift as field-level rows (issue 21): each field of the rolled-out role is changed by
hand in the sandbox after the apply, through IAM as a person would, and ``rollout.drift()``
must name exactly that account and field with the value apply wrote and the value found; the
drift's plan puts it back, after which there is no drift."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest
from helpers import READ_ONLY, SECURITY_AUDIT, SOURCE
from rollout_helpers import SPEC, Org, inline_doc, org_fixture  # noqa: F401 (the org fixture)

import xacct_widgets as xw
from xacct_widgets.core.rollout import DRIFT_COLUMNS
from xacct_widgets.core.target.apply import purge
from xacct_widgets.errors import InvalidInput

DRIFT_SPEC = dataclasses.replace(
    SPEC,
    inline_policies={"read": inline_doc("s3:GetObject")},
    tags={"team": "platform"},
    description="rolled out",
)
NAME = DRIFT_SPEC.name
OTHER = "111122223333"


def _doc(action: str) -> str:
    return json.dumps(inline_doc(action), sort_keys=True, separators=(",", ":"))


def _trust(iam: Any) -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.update_assume_role_policy(RoleName=NAME, PolicyDocument=json.dumps(doc))


def _inline(policy: str, action: str) -> Callable[[Any], None]:
    def put(iam: Any) -> None:
        iam.put_role_policy(
            RoleName=NAME, PolicyName=policy, PolicyDocument=json.dumps(inline_doc(action))
        )

    return put


def _settings(description: str, seconds: int) -> Callable[[Any], None]:
    def update(iam: Any) -> None:
        iam.update_role(RoleName=NAME, Description=description, MaxSessionDuration=seconds)

    return update


# (what is done by hand, the field, expected, actual); None: checked by a predicate below.
CASES: dict[str, tuple[Callable[[Any], None], str, str | None, str | None]] = {
    "trust": (_trust, "trust_policy", None, None),
    "inline changed": (
        _inline("read", "sqs:*"),
        "inline_policy:read",
        _doc("s3:GetObject"),
        _doc("sqs:*"),
    ),
    "inline added": (_inline("extra", "ec2:*"), "inline_policy:extra", "(none)", _doc("ec2:*")),
    "inline deleted": (
        lambda iam: iam.delete_role_policy(RoleName=NAME, PolicyName="read"),
        "inline_policy:read",
        _doc("s3:GetObject"),
        "(none)",
    ),
    "managed": (
        lambda iam: iam.attach_role_policy(RoleName=NAME, PolicyArn=SECURITY_AUDIT),
        "managed_policies",
        READ_ONLY,
        ", ".join(sorted([READ_ONLY, SECURITY_AUDIT])),
    ),
    "description": (
        _settings("edited by hand", 3600),
        "description",
        "rolled out",
        "edited by hand",
    ),
    "session": (_settings("rolled out", 7200), "max_session_duration", "3600", "7200"),
    "tags": (
        lambda iam: iam.tag_role(
            RoleName=NAME, Tags=[{"Key": "team", "Value": "hand"}, {"Key": "x", "Value": "1"}]
        ),
        "tags",
        "team=platform",
        "team=hand, x=1",
    ),
    "boundary": (
        lambda iam: iam.put_role_permissions_boundary(RoleName=NAME, PermissionsBoundary=READ_ONLY),
        "permissions_boundary",
        "(none)",
        READ_ONLY,
    ),
    "role deleted": (lambda iam: purge(iam, NAME), "role", None, "(deleted)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_field_changed_by_hand_is_one_row(org: Org, calls, case: str) -> None:
    change, field, expected, actual = CASES[case]
    rollout = xw.Rollout(DRIFT_SPEC, [org.management, org.ok], session=org.mgmt)
    rollout.apply(progress=False)
    applied_plan = rollout.last_plan
    assert rollout.drift().is_noop
    change(org.session(org.ok).client("iam"))

    calls.clear()
    drift = rollout.drift()

    writes = [c for c in calls.writes if c not in ("AssumeRole", "SimulatePrincipalPolicy")]
    assert writes == []  # drift reads only
    assert rollout.last_plan is applied_plan  # and is not taken for the last plan
    frame = drift.frame
    assert tuple(frame.columns) == DRIFT_COLUMNS
    assert frame[["account_id", "field"]].values.tolist() == [[org.ok, field]], frame
    row = frame.iloc[0]
    if expected is not None:
        assert row["expected"] == expected
    if actual is not None:
        assert row["actual"] == actual
    if case == "trust":
        assert SOURCE in row["expected"] and OTHER not in row["expected"]
        assert OTHER in row["actual"] and SOURCE not in row["actual"]
    if case == "role deleted":
        assert row["expected"] == f"arn:aws:iam::{org.ok}:role/{NAME}"
    assert drift.accounts == [org.ok] and not drift.is_noop
    assert "1 field(s) changed by hand in 1" in repr(drift)
    assert set(drift.changes["account_id"]) == {org.ok}  # the steps that put it back

    rollout.apply(drift.plan, allow_destructive=True, progress=False)
    assert rollout.drift().is_noop


def test_several_fields_in_several_accounts(org: Org) -> None:
    rollout = xw.Rollout(DRIFT_SPEC, [org.management, org.ok], session=org.mgmt)
    rollout.apply(progress=False)
    _settings("edited", 7200)(org.mgmt.client("iam"))
    CASES["tags"][0](org.session(org.ok).client("iam"))
    frame = rollout.drift().frame
    assert frame[["account_id", "field"]].values.tolist() == [
        [org.management, "description"],
        [org.management, "max_session_duration"],
        [org.ok, "tags"],
    ]


def test_drift_needs_an_apply_first(org: Org) -> None:
    rollout = xw.Rollout(DRIFT_SPEC, [org.ok], session=org.mgmt)
    with pytest.raises(InvalidInput, match="Nothing has been applied"):
        rollout.drift()
