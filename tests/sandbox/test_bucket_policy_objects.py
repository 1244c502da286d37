"""Object requests under a bucket policy: decided by the engine alone, Principal and Condition
included (issue 19, item 9).

moto consults a bucket-policy check of its own on object GET, PUT and HEAD (and on each key of a
multi-object delete) that reads Action and Resource only: a Deny whose condition is false, or that
names another principal, still refused with an empty 403. AWS evaluates the statement whole
("Policy evaluation logic"; the bucket policies of "Examples of Amazon S3 bucket policies" deny
on ``aws:SourceIp`` and ``aws:SecureTransport`` conditions). Every case is a real signed boto3
request to the sandbox.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from helpers import SOURCE, TARGET, limited_session

from xacct_widgets.sandbox import Sandbox

EXAMPLES = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html"
EVALUATION = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
)
CROSS_ACCOUNT = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
    "reference_policies_evaluation-logic-cross-account.html"
)
DELETE_OBJECTS = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html"
_names = itertools.count(1)

#: The sandbox is reached on loopback: 127.0.0.1 is every request's aws:SourceIp.
NOT_THIS_ADDRESS = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
THIS_ADDRESS = {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}


def cite(url: str) -> None:
    assert url.startswith("https://docs.aws.amazon.com/"), url


@pytest.fixture(scope="module")
def sb(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.reset()
    yield sandbox
    sandbox.reset()


Statements = Callable[[str], list[dict[str, Any]]]


def _bucket(sb: Sandbox, statements: Statements | None = None) -> str:
    """A target-account bucket with objects ``k``, ``tmp/a`` and ``keep/b``; its bucket policy
    is ``statements(bucket name)``."""
    name = f"objects-policy-{next(_names)}"
    s3 = sb.session("target", "admin").client("s3")
    s3.create_bucket(Bucket=name)
    for key in ("k", "tmp/a", "keep/b"):
        s3.put_object(Bucket=name, Key=key, Body=b"hello")
    if statements is not None:
        policy = {"Version": "2012-10-17", "Statement": statements(name)}
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    return name


def _deny_objects(bucket: str, principal: Any = "*", **extra: Any) -> dict[str, Any]:
    return {
        "Effect": "Deny",
        "Principal": principal,
        "Action": "s3:*",  # as the aws:SecureTransport example of the S3 guide
        "Resource": f"arn:aws:s3:::{bucket}/*",
        **extra,
    }


def _user(sb: Sandbox, allow: tuple[str, ...] = ("s3:*",), account: str = "target") -> Any:
    name = f"objects-user-{next(_names)}"
    return name, limited_session(sb, name, list(allow), account=account)


def _arn(name: str, account: str = TARGET) -> dict[str, str]:
    return {"AWS": f"arn:aws:iam::{account}:user/{name}"}


OBJECT_CALLS: dict[str, Callable[[Any, str], Any]] = {
    "get_object": lambda s3, bucket: s3.get_object(Bucket=bucket, Key="k")["Body"].read(),
    "head_object": lambda s3, bucket: s3.head_object(Bucket=bucket, Key="k"),
    "put_object": lambda s3, bucket: s3.put_object(Bucket=bucket, Key="new", Body=b"x"),
}


def _refusal(call: Callable[[], Any]) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    answer = caught.value.response
    return answer["Error"]["Code"], answer["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize("operation", sorted(OBJECT_CALLS))
def test_a_deny_whose_condition_is_false_does_not_deny(sb: Sandbox, operation: str) -> None:
    cite(EXAMPLES)
    cite(EVALUATION)
    bucket = _bucket(sb, lambda b: [_deny_objects(b, Condition=NOT_THIS_ADDRESS)])
    _, session = _user(sb)
    OBJECT_CALLS[operation](session.client("s3"), bucket)


@pytest.mark.parametrize("operation", sorted(OBJECT_CALLS))
def test_a_deny_naming_another_principal_does_not_deny(sb: Sandbox, operation: str) -> None:
    cite(EVALUATION)
    other, _ = _user(sb)
    bucket = _bucket(sb, lambda b: [_deny_objects(b, _arn(other))])
    _, session = _user(sb)
    OBJECT_CALLS[operation](session.client("s3"), bucket)


@pytest.mark.parametrize("operation", sorted(OBJECT_CALLS))
def test_a_deny_whose_condition_holds_refuses_as_s3_does(sb: Sandbox, operation: str) -> None:
    """Refused by the engine: S3's XML AccessDenied (HEAD answers have no body: only 403)."""
    cite(EXAMPLES)
    bucket = _bucket(sb, lambda b: [_deny_objects(b, Condition=THIS_ADDRESS)])
    _, session = _user(sb)
    code, status = _refusal(lambda: OBJECT_CALLS[operation](session.client("s3"), bucket))
    assert status == 403
    assert code == ("403" if operation == "head_object" else "AccessDenied")


def test_the_named_principal_is_denied_and_only_it(sb: Sandbox) -> None:
    cite(EVALUATION)
    named, named_session = _user(sb)
    _, other_session = _user(sb)
    bucket = _bucket(sb, lambda b: [_deny_objects(b, _arn(named))])
    refused = _refusal(lambda: named_session.client("s3").get_object(Bucket=bucket, Key="k"))
    assert refused == ("AccessDenied", 403)
    assert other_session.client("s3").get_object(Bucket=bucket, Key="k")["Body"].read()


def test_cross_account_allow_with_a_false_deny(sb: Sandbox) -> None:
    """Another account's user: the bucket policy allows it, a Deny that does not apply is inert;
    without the allow its own identity policy is not enough."""
    cite(CROSS_ACCOUNT)
    name, session = _user(sb, ("s3:GetObject",), account="source")
    allow = {
        "Effect": "Allow",
        "Principal": _arn(name, SOURCE),
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::{}/*",
    }
    false_deny = {"Condition": {"Bool": {"aws:SecureTransport": "true"}}}  # the sandbox is http
    bucket = _bucket(
        sb,
        lambda b: [
            allow | {"Resource": allow["Resource"].format(b)},
            _deny_objects(b, **false_deny),
        ],
    )
    assert session.client("s3").get_object(Bucket=bucket, Key="k")["Body"].read() == b"hello"
    unshared = _bucket(sb, lambda b: [_deny_objects(b, **false_deny)])
    refused = _refusal(lambda: session.client("s3").get_object(Bucket=unshared, Key="k"))
    assert refused == ("AccessDenied", 403)


def _deleted(session: boto3.Session, bucket: str) -> tuple[list[str], list[tuple[str, str]]]:
    answer = session.client("s3").delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": "tmp/a"}, {"Key": "keep/b"}]}
    )
    deleted = sorted(d["Key"] for d in answer.get("Deleted", []))
    return deleted, sorted((e["Key"], e["Code"]) for e in answer.get("Errors", []))


def test_delete_objects_is_decided_per_key_by_identity(sb: Sandbox) -> None:
    """s3:DeleteObject on ``tmp/*`` only: tmp/a goes, keep/b is AccessDenied in Errors."""
    cite(DELETE_OBJECTS)
    bucket = _bucket(sb)
    name = f"objects-user-{next(_names)}"
    session = limited_session(sb, name, [])
    sb.session("target", "admin").client("iam").put_user_policy(
        UserName=name,
        PolicyName="tmp-only",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "s3:DeleteObject",
                        "Resource": f"arn:aws:s3:::{bucket}/tmp/*",
                    }
                ],
            }
        ),
    )
    assert _deleted(session, bucket) == (["tmp/a"], [("keep/b", "AccessDenied")])


def test_delete_objects_reads_the_deny_whole(sb: Sandbox) -> None:
    """A Deny on keep/* whose condition is false deletes both keys; one whose condition holds
    keeps keep/b."""
    cite(DELETE_OBJECTS)
    cite(EVALUATION)
    _, session = _user(sb)
    for condition, expected in (
        (NOT_THIS_ADDRESS, (["keep/b", "tmp/a"], [])),
        (THIS_ADDRESS, (["tmp/a"], [("keep/b", "AccessDenied")])),
    ):
        bucket = _bucket(
            sb,
            lambda b, c=condition: [
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:DeleteObject",
                    "Resource": f"arn:aws:s3:::{b}/keep/*",
                    "Condition": c,
                }
            ],
        )
        assert _deleted(session, bucket) == expected
