"""Both writers of the toolkit go through the one change engine (issue 18): a restriction of who
may switch now fails as a role apply does, with ``ApplyDenied`` for a refusal (an
``AccessDenied`` too), every completed write undone, and the same refusal of unconfirmed
destructive rows. Read back with the admin's plain boto3."""

from __future__ import annotations

import pytest
from helpers import ROLE_ARN, limited_session, make_role

from xacct_widgets.core.source import SourceAccount
from xacct_widgets.errors import AccessDenied, ApplyDenied, DestructiveChange


def _inline(iam, user):
    return iam.list_user_policies(UserName=user)["PolicyNames"]


def test_a_denied_restriction_is_undone_and_stays_a_denial(fresh_sandbox) -> None:
    make_role(fresh_sandbox)
    limited = limited_session(
        fresh_sandbox, "half-admin", ["iam:*"], ["iam:PutGroupPolicy"], account="source"
    )
    plan = SourceAccount(limited).plan_restriction(ROLE_ARN, users=["operator"])
    assert [s.ref.split(":")[0] for s in plan.steps] == ["user", "group"]  # the second is denied
    iam = fresh_sandbox.session("source", "admin").client("iam")
    before = _inline(iam, "operator")
    with pytest.raises(ApplyDenied) as raised:
        SourceAccount(limited).apply_restriction(plan, allow_destructive=True)
    err = raised.value
    assert isinstance(err, AccessDenied)  # callers catching denials catch it
    assert err.rolled_back and "failed at step 2 of 2" in err.message
    assert "completed step(s) were undone" in err.message
    assert _inline(iam, "operator") == before  # the first write was taken back


def test_unconfirmed_rows_are_named_before_any_write(fresh_sandbox, calls) -> None:
    make_role(fresh_sandbox)
    admin = SourceAccount(fresh_sandbox.session("source", "admin"))
    plan = admin.plan_restriction(ROLE_ARN, users=["operator"])
    calls.clear()
    with pytest.raises(DestructiveChange) as raised:
        admin.apply_restriction(plan)
    assert raised.value.rows and "group role-switchers" in raised.value.rows[0]
    assert calls.names == []  # not even the policy-version read
