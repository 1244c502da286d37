"""``aws:RequestedRegion`` of IAM requests is us-east-1, whatever Region the client signs for
(issue 19, item 9).

"aws:RequestedRegion": "Some global services, such as IAM, have a single endpoint. Because this
endpoint is physically located in the US East (N. Virginia) Region, IAM calls are always made to
the us-east-1 Region." A client of the sandbox configured for another Region signs its IAM calls
for that Region (it is given an endpoint URL), and the sandbox took that as the requested Region.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from helpers import limited_session

from xacct_widgets.sandbox import Sandbox
from xacct_widgets.sandbox.decision.request_context import requested_region

REQUESTED_REGION = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
    "#condition-keys-requestedregion"
)
ELSEWHERE = "eu-west-1"
_names = itertools.count(1)


@pytest.fixture(scope="module")
def sb(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.reset()
    yield sandbox
    sandbox.reset()


def _client(sb: Sandbox, service: str, actions: list[str], region: str) -> Any:
    """A client signing for ``ELSEWHERE``, of a user allowed ``actions`` only in ``region``."""
    name = f"region-user-{next(_names)}"
    session = limited_session(sb, name, [])
    statement = {
        "Effect": "Allow",
        "Action": actions,
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestedRegion": region}},
    }
    sb.session("target", "admin").client("iam").put_user_policy(
        UserName=name,
        PolicyName="one-region",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    return session.client(service, region_name=ELSEWHERE, endpoint_url=sb.endpoint_url)


def _refused(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return str(caught.value.response["Error"]["Code"])


def test_iam_is_requested_in_us_east_1(sb: Sandbox) -> None:
    assert REQUESTED_REGION.startswith("https://docs.aws.amazon.com/")
    iam = _client(sb, "iam", ["iam:ListUsers"], "us-east-1")
    assert iam.meta.region_name == ELSEWHERE
    iam.list_users()


def test_iam_is_not_requested_where_the_client_signs(sb: Sandbox) -> None:
    iam = _client(sb, "iam", ["iam:ListUsers"], ELSEWHERE)
    assert _refused(iam.list_users) == "AccessDenied"


def test_a_regional_service_keeps_the_clients_region(sb: Sandbox) -> None:
    """S3 is regional: a request signed for eu-west-1 is requested in eu-west-1."""
    s3 = _client(sb, "s3", ["s3:ListAllMyBuckets"], ELSEWHERE)
    s3.list_buckets()
    s3_home = _client(sb, "s3", ["s3:ListAllMyBuckets"], "us-east-1")
    assert _refused(s3_home.list_buckets) == "AccessDenied"


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("iam", "us-east-1"),
        ("organizations", "us-east-1"),
        ("route53", "us-east-1"),
        ("s3", ELSEWHERE),
        ("sts", ELSEWHERE),
        ("ec2", ELSEWHERE),
    ],
)
def test_services_with_one_endpoint(service: str, expected: str) -> None:
    """Read from botocore's endpoint data: a service not regionalized, and its endpoint's
    credential scope."""
    assert requested_region(service, ELSEWHERE) == expected
