"""Helpers for the TargetAccount tests: policy documents and account snapshots (call counting and
limited principals are in ``tests/helpers.py``).

Snapshots read the account with the admin's plain boto3 client, independently of the code under
test, so "the account is exactly as before" is checked by something that did not do the work.
"""

from __future__ import annotations

from xacct_widgets.core.policies import canonical

S3_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}
EC2_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}],
}


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
