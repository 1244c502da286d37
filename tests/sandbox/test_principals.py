"""Every seeded principal exists and acts as DESIGN.md says, through real boto3 calls."""

from __future__ import annotations

import json

import pytest

from xacct_widgets.errors import SandboxError
from xacct_widgets.sandbox import Sandbox
from xacct_widgets.sandbox.moto_integration.catalog import CURATED_POLICIES

SOURCE, TARGET = "987654329876", "123456781234"


@pytest.mark.parametrize(
    ("account", "user", "arn"),
    [
        ("source", "operator", f"arn:aws:iam::{SOURCE}:user/operator"),
        ("source", "intern", f"arn:aws:iam::{SOURCE}:user/intern"),
        ("source", "admin", f"arn:aws:iam::{SOURCE}:user/admin"),
        ("source", "root", f"arn:aws:iam::{SOURCE}:root"),
        ("9876-5432-9876", "operator", f"arn:aws:iam::{SOURCE}:user/operator"),
        ("target", "admin", f"arn:aws:iam::{TARGET}:user/admin"),
        ("target", "root", f"arn:aws:iam::{TARGET}:root"),
        (TARGET, "admin", f"arn:aws:iam::{TARGET}:user/admin"),
        ("management", "admin", f"arn:aws:iam::{Sandbox.MANAGEMENT}:user/admin"),
    ],
)
def test_each_principal_is_who_it_claims(
    sandbox: Sandbox, account: str, user: str, arn: str
) -> None:
    identity = sandbox.session(account, user).client("sts").get_caller_identity()
    assert identity["Arn"] == arn
    assert identity["Account"] == arn.split(":")[4]


def test_root_identity_looks_like_aws_root(sandbox: Sandbox) -> None:
    identity = sandbox.session("source", "root").client("sts").get_caller_identity()
    assert identity["UserId"] == SOURCE


def test_target_has_no_cross_account_role_yet(fresh_sandbox: Sandbox) -> None:
    iam = fresh_sandbox.session("target", "admin").client("iam")
    names = [
        r["RoleName"]
        for r in iam.get_paginator("list_roles").paginate().build_full_result()["Roles"]
    ]
    assert "cross-account" not in names


#: An empty Statement list is refused by IAM ("Syntax errors in policy."): trust the account.
TRUST_TARGET_ACCOUNT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": TARGET}, "Action": "sts:AssumeRole"}],
}


def test_target_admin_can_create_roles(fresh_sandbox: Sandbox) -> None:
    iam = fresh_sandbox.session("target", "admin").client("iam")
    iam.create_role(RoleName="probe", AssumeRolePolicyDocument=json.dumps(TRUST_TARGET_ACCOUNT))
    assert iam.get_role(RoleName="probe")["Role"]["Arn"] == f"arn:aws:iam::{TARGET}:role/probe"


def test_curated_managed_policies_only(sandbox: Sandbox) -> None:
    iam = sandbox.session("target", "admin").client("iam")
    pages = iam.get_paginator("list_policies").paginate(Scope="AWS").build_full_result()
    names = {p["PolicyName"] for p in pages["Policies"]}
    assert names == set(CURATED_POLICIES)
    for required in (
        "AdministratorAccess",
        "ReadOnlyAccess",
        "PowerUserAccess",
        "ViewOnlyAccess",
        "SecurityAudit",
        "IAMReadOnlyAccess",
        "AmazonS3ReadOnlyAccess",
        "AmazonEC2ReadOnlyAccess",
    ):
        assert required in names


def test_managed_policy_attachable_by_aws_arn(fresh_sandbox: Sandbox) -> None:
    iam = fresh_sandbox.session("target", "admin").client("iam")
    iam.create_role(RoleName="probe", AssumeRolePolicyDocument=json.dumps(TRUST_TARGET_ACCOUNT))
    iam.attach_role_policy(RoleName="probe", PolicyArn="arn:aws:iam::aws:policy/SecurityAudit")
    attached = iam.list_attached_role_policies(RoleName="probe")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == ["arn:aws:iam::aws:policy/SecurityAudit"]


def test_operator_has_mfa_device(sandbox: Sandbox) -> None:
    serial = sandbox.principal("source", "operator")["mfa_serial"]
    assert serial == f"arn:aws:iam::{SOURCE}:mfa/operator"
    iam = sandbox.session("source", "admin").client("iam")
    devices = iam.list_mfa_devices(UserName="operator")["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [serial]


def test_organization_members(sandbox: Sandbox) -> None:
    mgmt = sandbox.session("management", "admin")
    accounts = mgmt.client("organizations").get_paginator("list_accounts").paginate()
    ids = {a["Id"] for page in accounts for a in page["Accounts"]}
    assert set(sandbox.member_account_ids) <= ids
    assert len(sandbox.member_account_ids) == 3
    member = sandbox.member_account_ids[0]
    creds = mgmt.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", RoleSessionName="t1"
    )["Credentials"]
    import boto3

    inside = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )
    iam = inside.client("iam", endpoint_url=sandbox.endpoint_url)
    attached = iam.list_attached_role_policies(RoleName="OrganizationAccountAccessRole")
    assert [p["PolicyName"] for p in attached["AttachedPolicies"]] == ["AdministratorAccess"]
    roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert {"OrganizationAccountAccessRole", "auditor", "vendor-readonly"} <= roles
    buckets = {
        b["Name"]
        for b in inside.client("s3", endpoint_url=sandbox.endpoint_url).list_buckets()["Buckets"]
    }
    assert buckets == {f"xacct-{member}-logs", f"xacct-{member}-data"}


@pytest.mark.parametrize(
    ("account", "user", "fragment"),
    [
        ("nowhere", "operator", "no seeded principals in account 'nowhere'"),
        ("111122223333", "operator", "111122223333"),
        ("source", "bob", "No user 'bob'"),
        ("target", "operator", "No user 'operator' in sandbox account 123456781234"),
    ],
)
def test_unknown_account_or_user_is_a_clear_error(
    sandbox: Sandbox, account: str, user: str, fragment: str
) -> None:
    with pytest.raises(SandboxError, match=fragment) as caught:
        sandbox.session(account, user)
    assert caught.value.fix


def test_principals_table_has_no_secrets(sandbox: Sandbox) -> None:
    table = sandbox.principals()
    text = table.to_string() + repr(sandbox)
    assert not any(secret in text for secret in sandbox.secrets())
    assert all(k.startswith("****") for k in table["access_key_id"])
    assert set(table["user"]) >= {"operator", "intern", "root", "admin"}
