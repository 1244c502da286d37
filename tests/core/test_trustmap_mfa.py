"""A trust map of accounts outside any organization, read through sessions already in them (the
tutorial's source and target accounts), with a "deny without MFA" policy: the edge is kept with
its condition, and verify() replays it with the operator's MFA device."""

from __future__ import annotations

import json

from helpers import ROLE_ARN, SOURCE, make_role

import xacct_widgets as xw
from xacct_widgets.core.query import clear_credential_cache

FORCE_MFA = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "NotAction": "iam:*",
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        }
    ],
}


def test_deny_without_mfa_edge_replayed_with_mfa(fresh_sandbox):
    clear_credential_cache()
    make_role(fresh_sandbox)
    source = fresh_sandbox.session("source", "admin")
    source.client("iam").put_user_policy(
        UserName="operator", PolicyName="force-mfa", PolicyDocument=json.dumps(FORCE_MFA)
    )
    target = fresh_sandbox.session("target", "admin")
    tm = xw.TrustMap.collect([source, target], session=source)
    assert tm.errors.empty and not tm.org.known
    who = tm.who_can_assume(ROLE_ARN).set_index("principal_arn")
    operator = f"arn:aws:iam::{SOURCE}:user/operator"
    assert set(who.index) == {operator, f"arn:aws:iam::{SOURCE}:user/admin"}
    assert "group:role-switchers/allow-switch-role" in who.loc[operator, "via"]
    [condition] = who.loc[operator, "conditions"]
    assert (condition["side"], condition["key"]) == ("identity deny", "aws:MultiFactorAuthPresent")
    assert not who.loc[operator, "external"]  # no organization: the map's accounts are inside

    result = tm.verify(sandbox=fresh_sandbox).set_index(["principal_arn", "role_arn"])
    assert (result.agree != False).all(), result[result.agree == False]  # noqa: E712
    assert result.loc[(operator, ROLE_ARN), "actual"] == "allowed"  # with the MFA code
    intern = f"arn:aws:iam::{SOURCE}:user/intern"
    assert result.loc[(intern, ROLE_ARN), ["predicted", "actual"]].tolist() == ["refused"] * 2
