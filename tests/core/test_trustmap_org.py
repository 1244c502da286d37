"""``xw.TrustMap`` on a seeded sandbox organization: every edge kind, every blocker, and the
sandbox's own AssumeRole decisions agreeing with every edge and non-edge.

The organization (``Sandbox(member_accounts=3)``: management M, members A and C in OU prod, B
in OU dev) gets, through plain boto3 as its administrators:

* user ``alice`` in M, allowed ``sts:AssumeRole`` on ``role/deploy`` through group
  ``deployers`` (a group grant), and role ``deploy`` in A trusting M's root;
* user ``bounded`` in M with AdministratorAccess but a permissions boundary allowing only S3;
* an SCP on OU dev denying ``sts:AssumeRole``; role ``hopper`` in B (may assume anything,
  trusts M) and role ``from-dev`` in A trusting B's root: the SCP blocks that edge;
* role ``hopper`` in C (prod, no such SCP) and role ``from-prod`` in A trusting C's root: a
  two-hop chain M/admin -> C/hopper -> A/from-prod;
* role ``local-reader`` in A trusting ``role/deploy`` of A by ARN (same account, no identity
  policy needed);
* ``lambda-exec`` trusting a service, ``gh-actions`` trusting an OIDC provider with ``aud`` /
  ``sub`` conditions, ``break-glass`` trusting M under MFA; the seeded ``vendor-readonly``
  trusts an account outside the organization under an ExternalId.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import session_with_keys

import xacct_widgets as xw
from xacct_widgets.core.query import clear_credential_cache
from xacct_widgets.core.sessions import assumed_session
from xacct_widgets.core.trustmap import EDGE_COLUMNS, PATH_COLUMNS, VERIFY_COLUMNS, TrustMap

ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
VENDOR = "999988887777"
OIDC_URL = "token.actions.githubusercontent.com"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _trust(principal: dict[str, Any], condition: dict[str, Any] | None = None, **extra: Any) -> str:
    statement: dict[str, Any] = {
        "Sid": extra.get("sid", "Trust"),
        "Effect": "Allow",
        "Principal": principal,
        "Action": extra.get("action", "sts:AssumeRole"),
    }
    if condition:
        statement["Condition"] = condition
    return _doc(statement)


def _member_iam(sandbox: Any, account: str) -> Any:
    admin = sandbox.session("management", "admin")
    role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
    return assumed_session(admin, role, "seed").client("iam")


def _user(iam: Any, sandbox: Any, name: str) -> Any:
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return session_with_keys(
        sandbox, key["AccessKeyId"], key["SecretAccessKey"], account="management"
    )


def _seed(sandbox: Any) -> dict[str, Any]:
    mgmt = sandbox.MANAGEMENT
    a, b, c = sandbox.member_account_ids
    root = {"AWS": f"arn:aws:iam::{mgmt}:root"}
    iam = sandbox.session("management", "admin").client("iam")
    iam.create_group(GroupName="deployers")
    iam.put_group_policy(
        GroupName="deployers",
        PolicyName="may-deploy",
        PolicyDocument=_doc(
            {
                "Sid": "Deploy",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": "arn:aws:iam::*:role/deploy",
            }
        ),
    )
    sessions = {f"arn:aws:iam::{mgmt}:user/alice": _user(iam, sandbox, "alice")}
    iam.add_user_to_group(GroupName="deployers", UserName="alice")
    sessions[f"arn:aws:iam::{mgmt}:user/bounded"] = _user(iam, sandbox, "bounded")
    iam.attach_user_policy(UserName="bounded", PolicyArn=ADMIN_POLICY)
    s3_only = iam.create_policy(
        PolicyName="s3-only",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
    )["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=s3_only)

    may_assume = _doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    member_a = _member_iam(sandbox, a)
    member_a.create_role(RoleName="deploy", AssumeRolePolicyDocument=_trust(root))
    member_a.create_role(
        RoleName="from-dev", AssumeRolePolicyDocument=_trust({"AWS": f"arn:aws:iam::{b}:root"})
    )
    member_a.create_role(
        RoleName="from-prod", AssumeRolePolicyDocument=_trust({"AWS": f"arn:aws:iam::{c}:root"})
    )
    member_a.create_role(
        RoleName="local-reader",
        AssumeRolePolicyDocument=_trust(
            {"AWS": f"arn:aws:iam::{a}:role/deploy"}, sid="DeployReads"
        ),
    )
    member_a.create_role(
        RoleName="lambda-exec",
        AssumeRolePolicyDocument=_trust({"Service": "lambda.amazonaws.com"}),
    )
    provider = member_a.create_open_id_connect_provider(
        Url=f"https://{OIDC_URL}", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40]
    )["OpenIDConnectProviderArn"]
    member_a.create_role(
        RoleName="gh-actions",
        AssumeRolePolicyDocument=_trust(
            {"Federated": provider},
            {
                "StringEquals": {f"{OIDC_URL}:aud": "sts.amazonaws.com"},
                "StringLike": {f"{OIDC_URL}:sub": "repo:example/*"},
            },
            action="sts:AssumeRoleWithWebIdentity",
        ),
    )
    member_a.create_role(
        RoleName="break-glass",
        AssumeRolePolicyDocument=_trust(root, {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
    )
    for account in (b, c):
        member = _member_iam(sandbox, account)
        member.create_role(RoleName="hopper", AssumeRolePolicyDocument=_trust(root))
        member.put_role_policy(RoleName="hopper", PolicyName="hop", PolicyDocument=may_assume)

    orgs = sandbox.session("management", "admin").client("organizations")
    dev = next(
        ou
        for ou in orgs.list_organizational_units_for_parent(
            ParentId=orgs.list_roots()["Roots"][0]["Id"]
        )["OrganizationalUnits"]
        if ou["Name"] == "dev"
    )
    scp = orgs.create_policy(
        Name="no-switching",
        Description="dev principals may not assume roles",
        Type="SERVICE_CONTROL_POLICY",
        Content=_doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}),
    )["Policy"]["PolicySummary"]["Id"]
    orgs.attach_policy(PolicyId=scp, TargetId=dev["Id"])
    return sessions


@pytest.fixture(scope="module")
def org(sandbox: Any) -> Iterator[tuple[Any, TrustMap, dict[str, Any]]]:
    sandbox.reset()
    clear_credential_cache()  # role credentials cached before the reset are gone
    sessions = _seed(sandbox)
    admin = sandbox.session("management", "admin")
    tm = xw.TrustMap.collect(xw.Organization(admin), session=admin)
    yield sandbox, tm, sessions
    sandbox.reset()


def _arns(sandbox: Any) -> dict[str, str]:
    mgmt = sandbox.MANAGEMENT
    a, b, c = sandbox.member_account_ids
    return {
        "admin": f"arn:aws:iam::{mgmt}:user/admin",
        "alice": f"arn:aws:iam::{mgmt}:user/alice",
        "bounded": f"arn:aws:iam::{mgmt}:user/bounded",
        "deploy": f"arn:aws:iam::{a}:role/deploy",
        "from-dev": f"arn:aws:iam::{a}:role/from-dev",
        "from-prod": f"arn:aws:iam::{a}:role/from-prod",
        "local-reader": f"arn:aws:iam::{a}:role/local-reader",
        "lambda-exec": f"arn:aws:iam::{a}:role/lambda-exec",
        "gh-actions": f"arn:aws:iam::{a}:role/gh-actions",
        "break-glass": f"arn:aws:iam::{a}:role/break-glass",
        "auditor": f"arn:aws:iam::{a}:role/auditor",
        "vendor": f"arn:aws:iam::{a}:role/vendor-readonly",
        "hopper-b": f"arn:aws:iam::{b}:role/hopper",
        "hopper-c": f"arn:aws:iam::{c}:role/hopper",
        "oaar-b": f"arn:aws:iam::{b}:role/OrganizationAccountAccessRole",
    }


def _edge(tm: TrustMap, principal: str, role: str) -> dict[str, Any] | None:
    found = tm.edges[(tm.edges.principal_arn == principal) & (tm.edges.role_arn == role)]
    assert len(found) <= 1
    return None if found.empty else dict(found.iloc[0])


def test_columns_and_no_errors(org):
    _, tm, _ = org
    assert tuple(tm.edges.columns) == EDGE_COLUMNS
    assert tm.edges["external"].dtype == bool
    assert tm.errors.empty, tm.errors
    assert len(tm.accounts) == 4


def test_group_grant_through_account_root_trust(org):
    sandbox, tm, _ = org
    arn = _arns(sandbox)
    edge = _edge(tm, arn["alice"], arn["deploy"])
    assert edge is not None
    assert edge["principal_type"] == "user" and edge["principal_account"] == sandbox.MANAGEMENT
    assert "group:deployers/may-deploy" in edge["via"] and "'Deploy'" in edge["via"]
    assert edge["trust_statement"] == "Trust" and edge["conditions"] == []
    assert not edge["external"]
    # Root expansion stops at the identity side: alice's group names only role/deploy.
    assert _edge(tm, arn["alice"], arn["auditor"]) is None
    # The administrator is expanded into every role trusting the management account.
    for role in ("deploy", "auditor", "hopper-b", "hopper-c"):
        assert _edge(tm, arn["admin"], arn[role]) is not None, role
    assert "AdministratorAccess" in str(_edge(tm, arn["admin"], arn["auditor"])["via"])


def test_boundary_blocks(org):
    sandbox, tm, _ = org
    arn = _arns(sandbox)
    assert tm.what_can(arn["bounded"]).empty


def test_scp_blocks_the_member_principal_not_the_management_account(org):
    sandbox, tm, _ = org
    arn = _arns(sandbox)
    assert _edge(tm, arn["hopper-b"], arn["from-dev"]) is None
    assert _edge(tm, arn["oaar-b"], arn["from-dev"]) is None
    assert tm.who_can_assume(arn["from-dev"]).empty
    # The same grant from an account the SCP does not cover is an edge.
    edge = _edge(tm, arn["hopper-c"], arn["from-prod"])
    assert edge is not None and "role:hopper/hop" in edge["via"]


def test_same_account_trust_by_arn_needs_no_identity_policy(org):
    sandbox, tm, _ = org
    arn = _arns(sandbox)
    edge = _edge(tm, arn["deploy"], arn["local-reader"])
    assert edge is not None
    assert edge["trust_statement"] == "DeployReads"
    assert "names the principal" in edge["via"]
    # ...and nobody else of the account gets in on it.
    assert list(tm.who_can_assume(arn["local-reader"]).principal_arn) == [arn["deploy"]]


def test_service_oidc_and_outside_account_rows_keep_conditions(org):
    sandbox, tm, _ = org
    arn = _arns(sandbox)
    service = tm.who_can_assume(arn["lambda-exec"])
    assert list(service.principal_arn) == ["lambda.amazonaws.com"]
    assert list(service.principal_type) == ["service"] and not service.external.any()
    oidc = tm.who_can_assume(arn["gh-actions"]).iloc[0]
    assert oidc.principal_type == "federated-oidc" and oidc.external
    assert oidc.principal_arn.endswith(f"oidc-provider/{OIDC_URL}")
    keys = {(c["operator"], c["key"], tuple(c["values"])) for c in oidc.conditions}
    assert keys == {
        ("StringEquals", f"{OIDC_URL}:aud", ("sts.amazonaws.com",)),
        ("StringLike", f"{OIDC_URL}:sub", ("repo:example/*",)),
    }
    vendor = tm.who_can_assume(arn["vendor"]).iloc[0]
    assert vendor.principal_arn == f"arn:aws:iam::{VENDOR}:root"
    assert vendor.principal_type == "account" and vendor.external
    assert "not in the map" in vendor.via
    assert [(c["side"], c["key"], c["values"]) for c in vendor.conditions] == [
        ("trust", "sts:ExternalId", ["vendor-audit"])
    ]
    mfa = _edge(tm, arn["admin"], arn["break-glass"])
    assert mfa is not None
    assert [c["key"] for c in mfa["conditions"]] == ["aws:MultiFactorAuthPresent"]


def test_external_findings(org):
    sandbox, tm, _ = org
    arn = _arns(sandbox)
    found = tm.external()
    outside = found[found.finding == "external"]
    assert set(outside.principal_type) == {"account", "federated-oidc"}
    assert outside.external.all()
    inside = found[found.finding == "cross-account"]
    assert not inside.external.any()
    assert arn["alice"] in set(inside.principal_arn)
    assert not (inside.principal_account == inside.role_account).any()


def test_paths_flag_role_chaining(org):
    sandbox, tm, _ = org
    arn = _arns(sandbox)
    paths = tm.paths(arn["admin"], arn["from-prod"])
    assert tuple(paths.columns) == PATH_COLUMNS
    ways = [list(p) for p in paths.path]
    assert [arn["admin"], arn["hopper-c"], arn["from-prod"]] in ways
    assert len(ways) == 2  # through C's hopper or C's OrganizationAccountAccessRole
    assert list(paths.hops) == [2, 2] and paths.chained.all()
    assert list(paths.max_session_s) == [3600, 3600]
    direct = tm.paths(arn["alice"], arn["deploy"])
    assert list(direct.hops) == [1] and not direct.iloc[0].chained
    two = tm.paths(arn["alice"], arn["local-reader"])
    assert list(two.iloc[0].path) == [arn["alice"], arn["deploy"], arn["local-reader"]]
    assert tm.paths(arn["admin"], arn["from-dev"]).empty  # the SCP cuts every way in
    assert tm.paths(arn["admin"], arn["from-prod"], max_hops=1).empty
    with pytest.raises(xw.InvalidInput, match="max_hops"):
        tm.paths(arn["admin"], arn["from-prod"], max_hops=0)


def test_verify_agrees_with_real_assume_role_calls(org):
    sandbox, tm, sessions = org
    arn = _arns(sandbox)
    result = tm.verify(sandbox=sandbox, sessions=sessions)
    assert tuple(result.columns) == VERIFY_COLUMNS
    differences = result[result.agree == False]  # noqa: E712 (None: skipped)
    assert differences.empty, differences.to_dict("records")
    pairs = {(r.principal_arn, r.role_arn): r for r in result.itertuples()}
    expected = {
        ("alice", "deploy"): "allowed",  # group grant, account:root trust
        ("admin", "auditor"): "allowed",  # account:root trust expanded
        ("deploy", "local-reader"): "allowed",  # same-account trust by ARN (reached via alice)
        ("hopper-c", "from-prod"): "allowed",  # second hop of a chain
        ("bounded", "deploy"): "refused",  # the boundary
        ("hopper-b", "from-dev"): "refused",  # the SCP
        ("alice", "auditor"): "refused",  # root trust, identity side says no
    }
    for (who, role), decided in expected.items():
        row = pairs[(arn[who], arn[role])]
        assert (row.predicted, row.actual) == (decided, decided), (who, role, row.detail)
    # Skipped: principals outside the map, and the MFA edge (admin has no MFA device).
    skipped = result[result.agree.isna()]
    assert set(skipped.predicted) == {"allowed"}
    assert {r.rsplit("/", 1)[-1] for r in skipped.role_arn} == {
        "vendor-readonly",
        "gh-actions",
        "lambda-exec",
        "break-glass",
    }
    replayed = result[result.agree.notna()]
    assert (replayed.predicted == "allowed").sum() == 13
    assert (replayed.predicted == "refused").sum() >= 100
    # A sample replays that many edges and that many non-edges.
    sampled = tm.verify(3, sandbox=sandbox, sessions=sessions, seed=1)
    assert list(sampled.predicted).count("allowed") == 3
    assert (sampled.agree != False).all()  # noqa: E712
