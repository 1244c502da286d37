"""The trust map's solver on hand-built snapshots (no AWS): the rules that the seeded sandbox
organization does not exercise, each decided by the one policy engine.

AWS pages: "AWS JSON policy elements: Principal"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html),
"Policy evaluation logic"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html),
"aws:PrincipalOrgID"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid).
"""

from __future__ import annotations

from typing import Any

import pytest

from xacct_widgets.core.source.snapshot import Entity, Snapshot
from xacct_widgets.core.trustmap.model import AccountData, OrgData
from xacct_widgets.core.trustmap.solve import solve

A = "111111111111"
B = "222222222222"
ORG = "o-exampleorg1"
SWITCH_ANY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
}


def _trust(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(principal: Any, action: str = "sts:AssumeRole", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, **extra}


def _account(
    account: str, roles: dict[str, dict[str, Any]], users: tuple[str, ...] = ()
) -> AccountData:
    snap = Snapshot()
    for name in users:
        arn = f"arn:aws:iam::{account}:user/{name}"
        snap.users[name] = Entity("user", name, arn, {"switch": SWITCH_ANY})
    for name, trust in roles.items():
        path = "/team/" if name == "pathed" else "/"
        arn = f"arn:aws:iam::{account}:role{path}{name}"
        snap.roles[name] = Entity("role", name, arn, trust=trust)
    return AccountData(account, snap)


def _org(*members: str) -> OrgData:
    return OrgData(ORG, A, {m: {"name": m, "ou": ""} for m in members}, {}, scps_read=True)


def _edges(accounts: list[AccountData], org: OrgData) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["principal_arn"], r["role_arn"].rsplit("/", 1)[-1]): r for r in solve(accounts, org)}


def test_star_trust_limited_to_the_organization():
    """Principal '*' with aws:PrincipalOrgID: the map knows each mapped principal's
    organization (evaluated, not kept), and keeps the condition on the 'anyone' row."""
    trust = _trust(_allow("*", Condition={"StringEquals": {"aws:PrincipalOrgID": ORG}}))
    accounts = [_account(A, {"shared": trust}), _account(B, {}, users=("bob",))]
    inside = _edges(accounts, _org(A, B))
    bob = inside[(f"arn:aws:iam::{B}:user/bob", "shared")]
    assert bob["conditions"] == [] and not bob["external"]
    anyone = inside[("*", "shared")]
    assert anyone["principal_type"] == "any" and anyone["external"]
    assert [c["key"] for c in anyone["conditions"]] == ["aws:PrincipalOrgID"]
    # Outside the organization, bob's aws:PrincipalOrgID differs: no edge.
    outside = _edges(accounts, _org(A))
    assert (f"arn:aws:iam::{B}:user/bob", "shared") not in outside


def test_trust_deny_excludes_one_principal_of_a_trusted_account():
    trust = _trust(
        _allow({"AWS": f"arn:aws:iam::{B}:root"}),
        {
            "Effect": "Deny",
            "Principal": {"AWS": f"arn:aws:iam::{B}:user/mallory"},
            "Action": "sts:AssumeRole",
        },
    )
    edges = _edges(
        [_account(A, {"ops": trust}), _account(B, {}, users=("bob", "mallory"))], _org(A, B)
    )
    assert (f"arn:aws:iam::{B}:user/bob", "ops") in edges
    assert (f"arn:aws:iam::{B}:user/mallory", "ops") not in edges


@pytest.mark.parametrize(
    ("principal", "action", "kind", "external"),
    [
        (
            {"Federated": f"arn:aws:iam::{A}:saml-provider/okta"},
            "sts:AssumeRoleWithSAML",
            "federated-saml",
            True,
        ),
        (
            {"Federated": "accounts.google.com"},
            "sts:AssumeRoleWithWebIdentity",
            "federated-oidc",
            True,
        ),
        ({"Service": "ec2.amazonaws.com"}, "sts:AssumeRole", "service", False),
        ({"AWS": "arn:aws:iam::333333333333:role/ci"}, "sts:AssumeRole", "role", True),
        ({"AWS": "444444444444"}, "sts:AssumeRole", "account", True),
    ],
)
def test_principals_outside_the_map(principal, action, kind, external):
    edges = solve([_account(A, {"target": _trust(_allow(principal, action))})], _org(A))
    assert [(e["principal_type"], e["external"]) for e in edges] == [(kind, external)]


def test_federated_trust_for_the_wrong_action_is_no_edge():
    """A SAML provider trusted for sts:AssumeRole only can never federate into the role."""
    trust = _trust(_allow({"Federated": f"arn:aws:iam::{A}:saml-provider/okta"}))
    assert solve([_account(A, {"target": trust})], _org(A)) == []


def test_role_with_a_path_is_matched_by_its_full_arn():
    pathed = f"arn:aws:iam::{A}:role/team/pathed"
    trust = _trust(
        _allow({"AWS": pathed}),
    )
    accounts = [_account(A, {"pathed": _trust(), "reader": trust})]
    edges = _edges(accounts, _org(A))
    assert (pathed, "reader") in edges
    assert edges[(pathed, "reader")]["principal_type"] == "role"


def test_outside_account_in_the_organization_is_not_external():
    """An account of the organization that was not collected (an error row) keeps its
    'any principal of ACCOUNT' row, marked internal."""
    edges = solve(
        [_account(A, {"ops": _trust(_allow({"AWS": f"arn:aws:iam::{B}:root"}))})], _org(A, B)
    )
    assert [(e["principal_type"], e["external"]) for e in edges] == [("account", False)]


def test_deny_without_mfa_is_kept_as_a_condition():
    """The common "deny everything without MFA" policy (BoolIfExists, so long-term keys are
    denied) depends on the request: the edge stays, with the Deny's condition listed.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_my-sec-creds-self-manage.html
    """
    accounts = [
        _account(A, {"ops": _trust(_allow({"AWS": f"arn:aws:iam::{B}:root"}))}),
        _account(B, {}, users=("bob",)),
    ]
    force_mfa = {
        "Effect": "Deny",
        "NotAction": "iam:*",
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }
    bob = accounts[1].snapshot.users["bob"]
    policy = {"Version": "2012-10-17", "Statement": [SWITCH_ANY["Statement"][0], force_mfa]}
    accounts[1].snapshot.users["bob"] = Entity("user", "bob", bob.arn, {"switch": policy})
    edge = _edges(accounts, _org(A, B))[(bob.arn, "ops")]
    assert edge["conditions"] == [
        {
            "side": "identity deny",
            "policy": "user:bob/switch",
            "operator": "BoolIfExists",
            "key": "aws:MultiFactorAuthPresent",
            "values": ["false"],
        }
    ]
    # A Deny that does not depend on the request still refuses.
    certain = {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}
    policy = {"Version": "2012-10-17", "Statement": [SWITCH_ANY["Statement"][0], certain]}
    accounts[1].snapshot.users["bob"] = Entity("user", "bob", bob.arn, {"switch": policy})
    assert (bob.arn, "ops") not in _edges(accounts, _org(A, B))


def test_questions_refuse_what_is_not_an_arn():
    from xacct_widgets.core.frames import to_frame
    from xacct_widgets.core.query import ERROR_COLUMNS
    from xacct_widgets.core.trustmap import TrustMap
    from xacct_widgets.errors import InvalidArn

    tm = TrustMap([_account(A, {})], _org(A), to_frame([], ERROR_COLUMNS))
    for ask in (tm.who_can_assume, tm.what_can):
        with pytest.raises(InvalidArn, match="is not an ARN"):
            ask("auditor")
    with pytest.raises(InvalidArn, match="from_arn"):
        tm.paths("", f"arn:aws:iam::{A}:role/x")
    assert tm.what_can("lambda.amazonaws.com").empty  # a service name is a principal too
