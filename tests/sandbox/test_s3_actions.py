"""S3 requests are authorized under IAM's action names, whatever moto calls the operation.

Each case is one boto3 call as a user allowed exactly one IAM action (it must succeed) and as a
user allowed everything but denied that action (it must be refused): so an allow and a deny on the
IAM action both reach the request, as in AWS ("Required permissions for Amazon S3 API
operations" and each API page's "Permissions" section).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError
from helpers import limited_session

from xacct_widgets.sandbox import Sandbox
from xacct_widgets.sandbox.decision.s3_actions import S3_PERMISSIONS_PAGE, s3_action

API = "https://docs.aws.amazon.com/AmazonS3/latest/API/"
BUCKET = "s3-actions-bucket"
_names = itertools.count(1)


@dataclass(frozen=True)
class Case:
    operation: str
    action: str
    doc: str
    params: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("list_buckets", "s3:ListAllMyBuckets", API + "API_ListBuckets.html"),
    Case("list_objects_v2", "s3:ListBucket", API + "API_ListObjectsV2.html", {"Bucket": BUCKET}),
    Case("list_objects", "s3:ListBucket", API + "API_ListObjects.html", {"Bucket": BUCKET}),
    Case("head_bucket", "s3:ListBucket", API + "API_HeadBucket.html", {"Bucket": BUCKET}),
    Case("get_object", "s3:GetObject", API + "API_GetObject.html", {"Bucket": BUCKET, "Key": "k"}),
    Case(
        "head_object", "s3:GetObject", API + "API_HeadObject.html", {"Bucket": BUCKET, "Key": "k"}
    ),
    Case(
        "put_object",
        "s3:PutObject",
        API + "API_PutObject.html",
        {"Bucket": BUCKET, "Key": "new", "Body": b"x"},
    ),
    Case(
        "get_bucket_location",
        "s3:GetBucketLocation",
        API + "API_GetBucketLocation.html",
        {"Bucket": BUCKET},
    ),
    Case(
        "get_object_tagging",
        "s3:GetObjectTagging",
        API + "API_GetObjectTagging.html",
        {"Bucket": BUCKET, "Key": "k"},
    ),
]


@pytest.fixture(scope="module")
def sb(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.reset()
    s3 = sandbox.session("target", "admin").client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"hello")
    yield sandbox
    sandbox.reset()


def _call(sb: Sandbox, session: Any, case: Case) -> None:
    client = session.client("s3", endpoint_url=sb.endpoint_url)
    getattr(client, case.operation)(**case.params)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.operation)
def test_allowed_by_the_iam_action(sb: Sandbox, case: Case) -> None:
    assert case.doc.startswith(API)
    session = limited_session(sb, f"s3-allow-{next(_names)}", [case.action])
    _call(sb, session, case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.operation)
def test_refused_by_a_deny_on_the_iam_action(sb: Sandbox, case: Case) -> None:
    session = limited_session(sb, f"s3-deny-{next(_names)}", ["s3:*"], deny=[case.action])
    with pytest.raises(ClientError) as caught:
        _call(sb, session, case)
    status = caught.value.response["ResponseMetadata"]["HTTPStatusCode"]
    assert status == 403, caught.value.response


@pytest.mark.parametrize(
    ("method", "path", "resource", "expected"),
    [
        ("GET", "/", "arn:aws:s3:::*", "s3:ListAllMyBuckets"),
        ("GET", "/b?list-type=2", "arn:aws:s3:::b", "s3:ListBucket"),
        ("HEAD", "/b", "arn:aws:s3:::b", "s3:ListBucket"),
        ("GET", "/b?policyStatus", "arn:aws:s3:::b", "s3:GetBucketPolicyStatus"),
        ("DELETE", "/b?tagging", "arn:aws:s3:::b", "s3:PutBucketTagging"),
        ("POST", "/b?delete", "arn:aws:s3:::b", "s3:DeleteObject"),
        ("HEAD", "/b/k?versionId=3", "arn:aws:s3:::b/k", "s3:GetObjectVersion"),
        ("POST", "/b/k?uploads", "arn:aws:s3:::b/k", "s3:PutObject"),
        ("DELETE", "/b/k?uploadId=1", "arn:aws:s3:::b/k", "s3:AbortMultipartUpload"),
    ],
)
def test_action_is_read_from_the_request(method, path, resource, expected) -> None:
    """The request decides the action; moto's own name (here a wrong one) does not."""
    assert S3_PERMISSIONS_PAGE.startswith("https://docs.aws.amazon.com/")
    assert s3_action(method, path, resource, "s3:SomethingElse") == expected


def test_an_unknown_request_keeps_motos_name() -> None:
    assert s3_action("PATCH", "/b", "arn:aws:s3:::b", "s3:Odd") == "s3:Odd"
