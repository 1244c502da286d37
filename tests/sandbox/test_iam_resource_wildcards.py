"""IAM resources written as ``arn:aws:iam::*:*`` or ``arn:aws:iam::ACCOUNT:*``: accepted on write,
and then granting what they say (issue 19, item 9).

IAM's own refusal reads 'IAM resource path must either be "*" or start with user/, ...', so a
resource part of ``*`` is valid; AWS managed policies use it (CloudFrontFullAccess allows
``iam:ListRoles`` on ``arn:aws:iam::*:*``) and ``root`` (IAMAuditRootUserCredentials denies on
``NotResource: arn:aws:iam::*:root``). moto refused all three with that same message.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from helpers import SOURCE, TARGET, limited_session

from xacct_widgets.sandbox import Sandbox

RESOURCE = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"
)
IAM_ARNS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns"
)
MANAGED = (
    "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/CloudFrontFullAccess.html"
)
_names = itertools.count(1)


def cite(url: str) -> None:
    assert url.startswith("https://docs.aws.amazon.com/"), url


@pytest.fixture(scope="module")
def sb(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.reset()
    sandbox.session("target", "admin").client("iam").create_role(
        RoleName="wildcard-target",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    yield sandbox
    sandbox.reset()


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(actions: list[str], resource: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


WRITTEN = [
    pytest.param(_allow(["iam:ListRoles"], "arn:aws:iam::*:*"), id="any-account-any-resource"),
    pytest.param(_allow(["iam:Get*"], f"arn:aws:iam::{TARGET}:*"), id="own-account-any-resource"),
    pytest.param(
        {"Effect": "Deny", "Action": ["iam:GetUser"], "NotResource": "arn:aws:iam::*:root"},
        id="not-resource-root",
    ),
]


@pytest.mark.parametrize("statement", WRITTEN)
@pytest.mark.parametrize("write", ["put_user_policy", "create_policy", "put_role_policy"])
def test_accepted_on_write(sb: Sandbox, statement: dict[str, Any], write: str) -> None:
    cite(RESOURCE)
    cite(MANAGED)
    iam = sb.session("target", "admin").client("iam")
    name = f"wildcard-{next(_names)}"
    document = _doc(statement)
    if write == "put_user_policy":
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=document)
    elif write == "put_role_policy":
        iam.put_role_policy(RoleName="wildcard-target", PolicyName=name, PolicyDocument=document)
    else:
        iam.create_policy(PolicyName=name, PolicyDocument=document)


@pytest.mark.parametrize(
    "resource",
    [
        pytest.param(f"arn:aws:iam::{TARGET}:bogus/x", id="unknown-resource-type"),
        pytest.param("arn:aws:iam:us-east-1:*:*", id="iam-arn-with-a-region"),
    ],
)
def test_still_refused_as_iam_refuses(sb: Sandbox, resource: str) -> None:
    cite(IAM_ARNS)
    iam = sb.session("target", "admin").client("iam")
    with pytest.raises(ClientError) as caught:
        iam.create_policy(
            PolicyName=f"wildcard-{next(_names)}",
            PolicyDocument=_doc(_allow(["iam:GetRole"], resource)),
        )
    assert caught.value.response["Error"]["Code"] == "MalformedPolicyDocument"


def _user_with(sb: Sandbox, resource: str, actions: list[str]) -> Any:
    name = f"wildcard-user-{next(_names)}"
    session = limited_session(sb, name, [])
    sb.session("target", "admin").client("iam").put_user_policy(
        UserName=name, PolicyName="wild", PolicyDocument=_doc(_allow(actions, resource))
    )
    return session.client("iam")


def _refused(call: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return str(caught.value.response["Error"]["Code"])


def test_any_account_any_resource_grants_iam_resources(sb: Sandbox) -> None:
    cite(RESOURCE)
    iam = _user_with(sb, "arn:aws:iam::*:*", ["iam:ListRoles", "iam:GetRole"])
    assert "wildcard-target" in {r["RoleName"] for r in iam.list_roles()["Roles"]}
    assert iam.get_role(RoleName="wildcard-target")["Role"]["RoleName"] == "wildcard-target"
    assert _refused(iam.get_user, UserName="admin") == "AccessDenied"  # not an allowed action


def test_an_account_scoped_wildcard_grants_that_account_only(sb: Sandbox) -> None:
    cite(RESOURCE)
    own = _user_with(sb, f"arn:aws:iam::{TARGET}:*", ["iam:GetRole"])
    assert own.get_role(RoleName="wildcard-target")["Role"]["RoleName"] == "wildcard-target"
    other = _user_with(sb, f"arn:aws:iam::{SOURCE}:*", ["iam:GetRole"])
    assert _refused(other.get_role, RoleName="wildcard-target") == "AccessDenied"


def test_not_resource_root_denies_every_user_but_root(sb: Sandbox) -> None:
    """IAMAuditRootUserCredentials' shape: Deny iam:GetUser on NotResource ``*:root``."""
    cite(MANAGED)
    name = f"wildcard-user-{next(_names)}"
    session = limited_session(sb, name, ["iam:GetUser"])
    sb.session("target", "admin").client("iam").put_user_policy(
        UserName=name,
        PolicyName="not-root",
        PolicyDocument=_doc(
            {"Effect": "Deny", "Action": "iam:GetUser", "NotResource": "arn:aws:iam::*:root"}
        ),
    )
    assert _refused(session.client("iam").get_user, UserName="admin") == "AccessDenied"
