"""A principal deleted after a policy named it: the others keep working, the name is not trusted
again (issue 19, item 9).

"AWS JSON policy elements: Principal": "If your Principal element in a role trust policy contains
an ARN that points to a specific IAM role, and that role is deleted", the policy shows the role's
unique ID (``AROA…``; ``AIDA…`` for a user) where the ARN was, and a new role or user of the same
name is a different principal: it is not trusted until the policy names it again. The policy's
other principals are untouched. Checked over HTTP: AssumeRole, GetRole, GetObject and
GetBucketPolicy after DeleteUser / DeleteRole.
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

PRINCIPAL = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
)
_names = itertools.count(1)


def cite(url: str) -> None:
    assert url.startswith("https://docs.aws.amazon.com/"), url


@pytest.fixture(scope="module")
def sb(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.reset()
    yield sandbox
    sandbox.reset()


def _user(sb: Sandbox, account: str = "source") -> tuple[str, Any]:
    name = f"gone-user-{next(_names)}"
    return name, limited_session(sb, name, ["sts:AssumeRole", "s3:GetObject"], account=account)


def _delete_user(sb: Sandbox, name: str, account: str = "source") -> str:
    """Delete the user as IAM requires (keys and policies first); its unique ID."""
    iam = sb.session(account, "admin").client("iam")
    user_id = iam.get_user(UserName=name)["User"]["UserId"]
    iam.delete_user_policy(UserName=name, PolicyName="limited")
    for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=name)
    return str(user_id)


def _trusting(sb: Sandbox, *principals: str) -> str:
    name = f"gone-role-{next(_names)}"
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": list(principals)},
        "Action": "sts:AssumeRole",
    }
    sb.session("target", "admin").client("iam").create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    return name


def _assumes(session: Any, role: str) -> bool:
    try:
        session.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{TARGET}:role/{role}", RoleSessionName="after"
        )
    except ClientError as err:
        assert err.response["Error"]["Code"] == "AccessDenied", err.response
        return False
    return True


def _trusted(sb: Sandbox, role: str) -> list[str]:
    document = sb.session("target", "admin").client("iam").get_role(RoleName=role)["Role"]
    return list(document["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"])


def _arn(name: str, account: str = SOURCE, kind: str = "user") -> str:
    return f"arn:aws:iam::{account}:{kind}/{name}"


def test_a_deleted_user_leaves_the_others_trusted(sb: Sandbox) -> None:
    cite(PRINCIPAL)
    stays, stays_session = _user(sb)
    goes, _ = _user(sb)
    role = _trusting(sb, _arn(stays), _arn(goes))
    user_id = _delete_user(sb, goes)
    assert _trusted(sb, role) == [_arn(stays), user_id]
    assert _assumes(stays_session, role)


def test_a_recreated_user_is_not_trusted(sb: Sandbox) -> None:
    cite(PRINCIPAL)
    name, _ = _user(sb)
    role = _trusting(sb, _arn(name))
    old_id = _delete_user(sb, name)
    recreated = limited_session(sb, name, ["sts:AssumeRole"], account="source")
    assert not _assumes(recreated, role)
    new_id = sb.session("source", "admin").client("iam").get_user(UserName=name)["User"]["UserId"]
    assert new_id != old_id
    assert _trusted(sb, role) == [old_id]


def test_a_deleted_role_leaves_the_others_trusted(sb: Sandbox) -> None:
    cite(PRINCIPAL)
    stays, stays_session = _user(sb)
    source_iam = sb.session("source", "admin").client("iam")
    hop = f"gone-hop-{next(_names)}"
    created = source_iam.create_role(
        RoleName=hop,
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
    )["Role"]
    role = _trusting(sb, _arn(hop, kind="role"), _arn(stays))
    source_iam.delete_role(RoleName=hop)
    assert _trusted(sb, role) == [created["RoleId"], _arn(stays)]
    assert created["RoleId"].startswith("AROA")
    assert _assumes(stays_session, role)


def test_same_account_principals_keep_working(sb: Sandbox) -> None:
    cite(PRINCIPAL)
    stays, stays_session = _user(sb, "target")
    goes, _ = _user(sb, "target")
    role = _trusting(sb, _arn(goes, TARGET), _arn(stays, TARGET))
    _delete_user(sb, goes, "target")
    assert _assumes(stays_session, role)


def test_a_bucket_policy_forgets_the_deleted_user_too(sb: Sandbox) -> None:
    cite(PRINCIPAL)
    stays, stays_session = _user(sb)
    goes, _ = _user(sb)
    bucket = f"gone-bucket-{next(_names)}"
    s3 = sb.session("target", "admin").client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"hello")
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": [_arn(stays), _arn(goes)]},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )
    user_id = _delete_user(sb, goes)
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert policy["Statement"][0]["Principal"]["AWS"] == [_arn(stays), user_id]
    assert stays_session.client("s3").get_object(Bucket=bucket, Key="k")["Body"].read() == b"hello"
    recreated = limited_session(sb, goes, ["s3:GetObject"], account="source")
    with pytest.raises(ClientError) as caught:
        recreated.client("s3").get_object(Bucket=bucket, Key="k")
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
