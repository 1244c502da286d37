"""Typed input of a fan-out: the one rule shared by ``query()`` and the QueryPanel.

Pure checks (no AWS), plus the promise that ``query()`` refuses a bad region list before its
first call.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import Calls

from xacct_widgets.core.query import (
    Organization,
    QueryTarget,
    clear_credential_cache,
    parse_jmespath,
    parse_params,
    parse_regions,
    parse_targets,
    query,
)
from xacct_widgets.errors import InvalidInput
from xacct_widgets.sandbox import Sandbox


# -- targets -------------------------------------------------------------------------------------
def test_typed_targets_skip_comments_and_blanks_and_take_the_default_role() -> None:
    text = "# audit\n\n 111111111111 \n222222222222, auditor\n333333333333,auditor,ext-id-1234\n"
    assert parse_targets(text, default_role="OrganizationAccountAccessRole") == [
        QueryTarget("111111111111", "OrganizationAccountAccessRole"),
        QueryTarget("222222222222", "auditor"),
        QueryTarget("333333333333", "auditor", external_id="ext-id-1234"),
    ]


def test_a_line_naming_its_role_needs_no_default() -> None:
    assert parse_targets("111111111111,auditor", default_role=None) == [
        QueryTarget("111111111111", "auditor")
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type at least one account ID"),
        ("# only a comment\n  \n", "Type at least one account ID"),
        ("123456789012\nnot-an-account", "Line 2: Account ID 'not-an-account' is invalid"),
        ("123456789012,auditor,x", "Line 1: External ID 'x' is invalid"),
        ("123456789012,a,b,c", "Line 1 ('123456789012,a,b,c') has 4 fields"),
        ("123456789012,bad role!", "Line 1: Role name 'bad role!' is invalid"),
    ],
)
def test_typed_target_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_targets(text, default_role="auditor")
    assert message in caught.value.message


def test_a_line_without_role_and_no_default_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Line 2 names no role"):
        parse_targets("111111111111,auditor\n222222222222", default_role=None)


# -- regions -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  \n", None),
        ("all", "all"),
        (" all ", "all"),
        (["all"], "all"),
        ("us-east-1, eu-west-1 us-east-1", ["us-east-1", "eu-west-1"]),
        (["eu-west-1", " us-east-1 ", "eu-west-1"], ["eu-west-1", "us-east-1"]),
        ("us-east-1", ["us-east-1"]),
        # One unknown name among known ones runs; the runner reports it as that region's row.
        (["us-east-1", "xx-fake-1"], ["us-east-1", "xx-fake-1"]),
    ],
)
def test_regions(value: Any, expected: Any) -> None:
    assert parse_regions(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("us-east-1, Frankfurt", "Region 'Frankfurt' is not a region name"),
        ("all, us-east-1", "Region 'all' is not a region name"),
        (["eu_west_1"], "Region 'eu_west_1' is not a region name"),
        (["mars-1"], "Region 'mars-1' is not a region of any partition known to botocore"),
        ("mars-1 venus-2", "Region 'mars-1' is not a region of any partition"),
        ([], "regions is empty"),
        ([""], "Region '' is invalid"),
        ([42], "Region 42 is invalid"),
        (42, "regions 42 is invalid"),
    ],
)
def test_bad_regions_are_refused(value: Any, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_regions(value)
    assert message in caught.value.message


def test_regions_are_checked_in_the_callers_partition() -> None:
    assert parse_regions("cn-north-1", partition="aws-cn") == ["cn-north-1"]
    with pytest.raises(InvalidInput, match="partition 'aws-cn'"):
        parse_regions("us-east-1", partition="aws-cn")


# -- params and JMESPath ---------------------------------------------------------------------------
def test_params() -> None:
    assert parse_params("  ") is None
    assert parse_params('{"MaxItems": 100}') == {"MaxItems": 100}
    with pytest.raises(InvalidInput, match=r"Params are not valid JSON: .*\(line 1, column 2\)"):
        parse_params("{not json")
    with pytest.raises(InvalidInput, match=r"Params must be a JSON object .* not a list"):
        parse_params("[1, 2]")


def test_jmespath() -> None:
    assert parse_jmespath("") is None
    assert parse_jmespath("  Buckets[].Name ") == "Buckets[].Name"
    with pytest.raises(InvalidInput, match="the expression is incomplete") as caught:
        parse_jmespath("Buckets[?")
    assert caught.value.fix and "Buckets[].Name" in caught.value.fix
    with pytest.raises(InvalidInput, match=r"JMESPath 'Buckets\[\]\.\^' is invalid: .*character"):
        parse_jmespath("Buckets[].^")


# -- query() uses the same rule, before any call ---------------------------------------------------
@pytest.mark.parametrize("regions", [["mars-1"], "mars-1", "us-east-1, Frankfurt", []])
def test_query_refuses_bad_regions_before_any_call(
    sandbox: Sandbox, calls: Calls, regions: Any
) -> None:
    clear_credential_cache()  # a cached caller would hide a GetCallerIdentity
    mgmt = sandbox.session("management", "admin")
    for targets in ([(sandbox.member_account_ids[0], "auditor")], Organization(mgmt)):
        with pytest.raises(InvalidInput, match=r"[Rr]egion"):
            query(targets, "s3", "list_buckets", session=mgmt, regions=regions)
    assert calls.names == []
