"""Helpers for the TargetAccount tests: call counting, limited principals, account snapshots.

Snapshots read the account with the admin's plain boto3 client, independently of the code under
test, so "the account is exactly as before" is checked by something that did not do the work.
"""

from __future__ import annotations

import json

import boto3
import botocore.session

from xacct_widgets.core.policies import canonical

TARGET = "123456781234"
SOURCE = "987654329876"
ROLE = "cross-account"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SECURITY_AUDIT = "arn:aws:iam::aws:policy/SecurityAudit"
VIEW_ONLY = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
S3_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}
EC2_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}],
}


class Calls:
    """Records the API operations a client makes (botocore ``before-call`` event hook)."""

    def __init__(self, client):
        self.names: list[str] = []
        client.meta.events.register("before-call.*.*", self)

    def __call__(self, model, **_):
        self.names.append(model.name)

    @property
    def writes(self) -> list[str]:
        return [n for n in self.names if not n.startswith(("Get", "List"))]

    def clear(self) -> None:
        self.names.clear()


def session_with_keys(sandbox, access_key_id, secret):
    """A sandbox session for freshly created keys: the sandbox's config, other credentials."""
    base = sandbox.session("target", "admin")._session
    core = botocore.session.Session()
    for name in ("config_file", "credentials_file", "profile"):
        core.set_config_variable(name, base.get_config_variable(name))
    core.set_credentials(access_key_id, secret)
    return boto3.Session(botocore_session=core, region_name=sandbox.region)


def limited_session(sandbox, user, allow, deny=()):
    """Create IAM user ``user`` in the target allowed ``allow`` and denied ``deny``; its session."""
    iam = sandbox.session("target", "admin").client("iam")
    iam.create_user(UserName=user)
    statements = []
    if allow:
        statements.append({"Effect": "Allow", "Action": list(allow), "Resource": "*"})
    if deny:
        statements.append({"Effect": "Deny", "Action": list(deny), "Resource": "*"})
    if statements:
        iam.put_user_policy(
            UserName=user,
            PolicyName="limited",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return session_with_keys(sandbox, key["AccessKeyId"], key["SecretAccessKey"])


def snapshot(sandbox):
    """Every role (with trust, settings, tags, attachments, inline documents) and local policy."""
    iam = sandbox.session("target", "admin").client("iam")
    roles = {}
    for listed in iam.get_paginator("list_roles").paginate():
        for r in listed["Roles"]:
            name = r["RoleName"]
            role = iam.get_role(RoleName=name)["Role"]
            attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
            inline = iam.list_role_policies(RoleName=name)["PolicyNames"]
            roles[name] = {
                "trust": canonical(role["AssumeRolePolicyDocument"]),
                "max_session": role.get("MaxSessionDuration"),
                "description": role.get("Description", ""),
                "tags": sorted((t["Key"], t["Value"]) for t in role.get("Tags", [])),
                "attached": sorted(p["PolicyArn"] for p in attached),
                "inline": {
                    p: canonical(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"])
                    for p in inline
                },
            }
    local = sorted(p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"])
    return {"roles": roles, "local_policies": local}
