"""An IAM user's unique ID is ``AIDA…``, and that is its ``aws:userid`` (issue 19, item 9).

The principal table of "IAM policy elements: Variables and tags": for an IAM user ``aws:username``
is the user's name, ``aws:userid`` its unique ID, ``aws:PrincipalType`` ``User``; for a role
session ``aws:userid`` is ``role-id:session-name`` and there is no ``aws:username``. "IAM
identifiers" gives the prefixes: ``AIDA`` for a user, ``AROA`` for a role. moto gave users 20
lower-case characters, so a condition on ``aws:userid`` written for AWS never matched. Checked
with real signed requests: GetUser, GetCallerIdentity, and trust policies of AssumeRole calls.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from helpers import SOURCE, TARGET, limited_session, session_with_keys

from xacct_widgets.sandbox import Sandbox

PRINCIPAL_TABLE = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"
    "#principaltable"
)
UNIQUE_IDS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html"
    "#identifiers-unique-ids"
)
#: AIDA + 17 of IAM's unique-ID alphabet (upper-case letters and digits 2-7), 21 in all.
USER_ID = re.compile(r"AIDA[A-Z2-7]{17}")
_names = itertools.count(1)


def cite(url: str) -> None:
    assert url.startswith("https://docs.aws.amazon.com/"), url


@pytest.fixture(scope="module")
def sb(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.reset()
    yield sandbox
    sandbox.reset()


@pytest.mark.parametrize(("account", "user"), [("source", "operator"), ("target", "admin")])
def test_seeded_users_have_iams_ids(sb: Sandbox, account: str, user: str) -> None:
    cite(UNIQUE_IDS)
    session = sb.session(account, user)
    identity = session.client("sts").get_caller_identity()
    assert USER_ID.fullmatch(identity["UserId"]), identity["UserId"]
    got = sb.session(account, "admin").client("iam").get_user(UserName=user)["User"]["UserId"]
    assert got == identity["UserId"]


def test_a_new_user_has_an_iam_id(sb: Sandbox) -> None:
    cite(UNIQUE_IDS)
    iam = sb.session("target", "admin").client("iam")
    created = iam.create_user(UserName=f"id-user-{next(_names)}")["User"]["UserId"]
    assert USER_ID.fullmatch(created), created
    assert created not in {u["UserId"] for u in iam.list_users()["Users"] if u["UserId"] != created}


def _role(
    sb: Sandbox, condition: dict[str, Any], principal: str = f"arn:aws:iam::{SOURCE}:root"
) -> str:
    name = f"id-role-{next(_names)}"
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
        "Condition": condition,
    }
    sb.session("target", "admin").client("iam").create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    return f"arn:aws:iam::{TARGET}:role/{name}"


def _assumes(session: Any, role_arn: str, name: str = "id-test") -> bool:
    try:
        session.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=name)
    except ClientError as err:
        assert err.response["Error"]["Code"] == "AccessDenied", err.response
        return False
    return True


def _source_user(sb: Sandbox) -> tuple[str, Any]:
    name = f"id-user-{next(_names)}"
    return name, limited_session(sb, name, ["sts:AssumeRole"], account="source")


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        pytest.param({"StringLike": {"aws:userid": "AIDA*"}}, True, id="userid-is-aida"),
        pytest.param({"StringLike": {"aws:userid": "AROA*"}}, False, id="userid-not-a-role-id"),
        pytest.param({"StringEquals": {"aws:PrincipalType": "User"}}, True, id="type-user"),
        pytest.param({"Null": {"aws:username": "false"}}, True, id="username-present"),
        pytest.param({"Null": {"aws:TokenIssueTime": "true"}}, True, id="no-token-time"),
    ],
)
def test_a_users_keys_in_a_trust_policy(
    sb: Sandbox, condition: dict[str, Any], expected: bool
) -> None:
    cite(PRINCIPAL_TABLE)
    _, session = _source_user(sb)
    assert _assumes(session, _role(sb, condition)) is expected


def test_userid_equals_the_users_own_id(sb: Sandbox) -> None:
    cite(PRINCIPAL_TABLE)
    name, session = _source_user(sb)
    user_id = sb.session("source", "admin").client("iam").get_user(UserName=name)["User"]["UserId"]
    role = _role(sb, {"StringEquals": {"aws:userid": user_id, "aws:username": name}})
    assert _assumes(session, role)
    _, someone_else = _source_user(sb)
    assert not _assumes(someone_else, role)


def test_a_sessions_keys_in_a_trust_policy(sb: Sandbox) -> None:
    """Role chaining: the session's aws:userid is ROLE-ID:session, it has no aws:username."""
    cite(PRINCIPAL_TABLE)
    _, session = _source_user(sb)
    first = _role(sb, {"StringLike": {"aws:userid": "AIDA*"}})
    creds = session.client("sts").assume_role(RoleArn=first, RoleSessionName="hop")["Credentials"]
    sb.session("target", "admin").client("iam").put_role_policy(
        RoleName=first.rsplit("/", 1)[1],
        PolicyName="chain",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
            }
        ),
    )
    chained = session_with_keys(sb, creds["AccessKeyId"], creds["SecretAccessKey"])
    chained._session.set_credentials(
        creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
    )
    role_id = (
        sb.session("target", "admin")
        .client("iam")
        .get_role(RoleName=first.rsplit("/", 1)[1])["Role"]["RoleId"]
    )
    second = _role(
        sb,
        {
            "StringEquals": {"aws:userid": f"{role_id}:hop", "aws:PrincipalType": "AssumedRole"},
            "Null": {"aws:username": "true"},
        },
        principal=f"arn:aws:iam::{TARGET}:root",
    )
    assert _assumes(chained, second)
