"""What fan-out clients share so a unit costs little CPU: endpoint rules and timestamp parsing.

Counted through botocore's own caches and parsers, against the sandbox; the answers must be the
ones a plain boto3 client gets.
"""

from __future__ import annotations

import boto3
import pandas as pd
import pytest
from botocore.endpoint_provider import EndpointProvider

from xacct_widgets.core.query import query
from xacct_widgets.core.query.credentials import clear_credential_cache
from xacct_widgets.sandbox import Sandbox

OAAR = "OrganizationAccountAccessRole"


@pytest.fixture
def mgmt(sandbox: Sandbox) -> boto3.Session:
    return sandbox.session("management", "admin")


def test_clients_of_one_service_share_endpoint_rules(sandbox: Sandbox, mgmt: boto3.Session) -> None:
    """botocore memoises endpoint answers per rule-set object (an LRU of 100 for the process):
    the accounts share one client per (service, region), so every call after the first finds
    its answer cached."""
    cache_info = getattr(getattr(EndpointProvider, "_resolve_endpoint", None), "cache_info", None)
    if cache_info is None:
        pytest.skip("this botocore does not memoise endpoint answers this way")
    clear_credential_cache()
    targets = [(a, OAAR) for a in sandbox.member_account_ids]
    assert query(targets, "s3", "list_buckets", session=mgmt).ok  # roles assumed: no STS below
    before = cache_info().hits
    result = query(targets, "iam", "list_roles", session=mgmt, jmespath="Roles[].RoleName")
    hits = cache_info().hits - before
    assert result.ok and result.clients_built == 1 and result.assume_calls == 0
    assert hits >= len(targets) - 1  # every call after the first found the answer cached


def test_timestamps_are_the_ones_botocore_gives(sandbox: Sandbox, mgmt: boto3.Session) -> None:
    clear_credential_cache()
    account = sandbox.member_account_ids[0]
    result = query([(account, OAAR)], "s3", "list_buckets", session=mgmt)
    assert result.ok and len(result.frame) > 0
    sts = mgmt.client("sts")
    keys = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{OAAR}", RoleSessionName="timestamps"
    )["Credentials"]
    plain = boto3.Session(
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
        region_name=sandbox.region,
    ).client("s3", endpoint_url=sandbox.endpoint_url)
    expected = {b["Name"]: b["CreationDate"] for b in plain.list_buckets()["Buckets"]}
    got = dict(zip(result.frame["Name"], result.frame["CreationDate"], strict=True))
    assert got.keys() == expected.keys()
    for name, when in got.items():
        assert when == expected[name]
        assert repr(when) == repr(pd.Timestamp(expected[name]))  # same tzinfo, same dtype
