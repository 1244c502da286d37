"""The sandbox's WSGI stack: one SigV4 parser for throttling and expiry (header or presigned URL),
and one registry of issued sessions that every reader shares.

SigV4 scope: "Elements of an AWS API request signature",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html; presigned:
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest
from botocore.config import Config
from helpers import make_role

from xacct_widgets.sandbox import Sandbox
from xacct_widgets.sandbox.sessions import issued_session
from xacct_widgets.sandbox.wsgi.sigv4 import Signature, signature_of

SOURCE, TARGET = "987654329876", "123456781234"
PRESIGNED = "https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html"
HEADER = (
    "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE123/20261207/us-east-1/iam/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=abc"
)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        pytest.param(
            {"HTTP_AUTHORIZATION": HEADER},
            Signature("ASIAEXAMPLE123", "20261207", "us-east-1", "iam"),
            id="header",
        ),
        pytest.param(
            {
                "QUERY_STRING": "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
                "ASIAEXAMPLE123%2F20261207%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Signature=x"
            },
            Signature("ASIAEXAMPLE123", "20261207", "eu-west-1", "s3"),
            id="presigned-url",
        ),
        pytest.param(
            {"QUERY_STRING": "list-type=2&AWSAccessKeyId=ASIAEXAMPLE123&Signature=x&Expires=1"},
            Signature("ASIAEXAMPLE123", "", "", "s3"),
            id="presigned-s3-query-signature",
        ),
        pytest.param({"QUERY_STRING": "list-type=2"}, None, id="unsigned"),
        pytest.param(
            {"QUERY_STRING": "X-Amz-Credential=ASIAEXAMPLE123%2Fnot-a-scope"}, None, id="bad-scope"
        ),
    ],
)
def test_one_parser_reads_header_and_presigned_scope(
    environ: dict[str, Any], expected: Signature | None
) -> None:
    assert signature_of(environ) == expected


def _role_session(sandbox: Sandbox, **params: Any) -> dict[str, Any]:
    role_arn = make_role(
        sandbox,
        "stack-probe",
        actions=["sts:AssumeRole", "sts:TagSession"],
        policy_arns=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
    )
    sts = sandbox.session("source", "operator").client("sts")
    answer = sts.assume_role(RoleArn=role_arn, RoleSessionName="probe", **params)
    return answer["Credentials"]  # type: ignore[no-any-return]


def test_one_registry_holds_expiry_chaining_and_what_the_session_carries(
    fresh_sandbox: Sandbox,
) -> None:
    credentials = _role_session(
        fresh_sandbox, DurationSeconds=1800, Tags=[{"Key": "team", "Value": "blue"}]
    )
    issued = issued_session(credentials["AccessKeyId"])
    assert issued is not None
    assert issued.role_arn == f"arn:aws:iam::{TARGET}:role/stack-probe"
    assert (issued.expires_at - issued.issued_at).total_seconds() == 1800
    assert issued.tags == {"team": "blue"}
    assert issued.chained is False
    assert issued.mfa_at is None


def test_an_expired_session_s_presigned_url_is_refused_as_s3_refuses_it(
    fresh_sandbox: Sandbox,
) -> None:
    # PRESIGNED: the URL carries the session's key in X-Amz-Credential, no Authorization header.
    credentials = _role_session(fresh_sandbox)
    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=fresh_sandbox.region,
    )
    s3 = session.client("s3", endpoint_url=fresh_sandbox.endpoint_url)
    bucket = f"xacct-{TARGET}-logs"
    presign = {"Params": {"Bucket": bucket}, "ExpiresIn": 86400}
    urls = [s3.generate_presigned_url("list_objects_v2", **presign)]  # S3's query signature
    sigv4 = session.client(
        "s3", endpoint_url=fresh_sandbox.endpoint_url, config=Config(signature_version="s3v4")
    )
    urls.append(sigv4.generate_presigned_url("list_objects_v2", **presign))
    # (Served, moto itself cannot authorize a presigned request yet: it reads the Authorization
    # header. The expiry is decided before moto, from the URL's X-Amz-Credential.)
    fresh_sandbox.advance_clock(3601)
    for url in urls:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=30)
        assert refused.value.code == 400
        assert b"<Code>ExpiredToken</Code>" in refused.value.read()
