"""RoleSwitcher honours a role's partition wherever it comes from (issue 19, item 5): a RoleRef,
a history entry, a frame row or a role ARN in GovCloud or China is refused from a commercial
session before any AssumeRole, as ``switch_url`` refuses such a link, instead of assuming the
commercial ARN of the same account and name. AssumeRole never crosses partitions:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html (partition), and
https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-differences.html.
"""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import ROLE, ROLE_ARN, TARGET, make_role

from xacct_widgets.core.profiles import RoleRef, aws_config_profiles
from xacct_widgets.core.switch import HistoryEntry, RoleSwitcher
from xacct_widgets.errors import InvalidInput


@pytest.fixture
def switcher(fresh_sandbox):
    make_role(fresh_sandbox)
    return RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")


GOV = RoleRef(TARGET, ROLE, partition="aws-us-gov")
ENTRIES = {
    "RoleRef": GOV,
    "history entry": HistoryEntry(TARGET, ROLE, partition="aws-cn"),
    "row with role_arn": pd.Series({"role_arn": f"arn:aws-us-gov:iam::{TARGET}:role/{ROLE}"}),
    "row with partition": {"account_id": TARGET, "role_name": ROLE, "partition": "aws-cn"},
    "row with a link": {
        "switch_role_url": f"https://signin.amazonaws.cn/switchrole?roleName={ROLE}&account={TARGET}"
    },
}


@pytest.mark.parametrize("kind", sorted(ENTRIES))
def test_another_partitions_role_is_refused_before_assume_role(switcher, calls, kind):
    with pytest.raises(InvalidInput, match="across partitions") as refused:
        switcher.switch_entry(ENTRIES[kind])
    assert "AssumeRole" not in calls.names and switcher.active is None
    assert "arn:aws-" in refused.value.message and "'aws'" in refused.value.message
    assert len(switcher.history.entries()) == 0


def test_switch_takes_the_partition_too(switcher, calls):
    with pytest.raises(InvalidInput, match="across partitions"):
        switcher.switch(TARGET, ROLE, partition="aws-us-gov")
    with pytest.raises(InvalidInput, match="not supported"):
        switcher.switch(TARGET, ROLE, partition="aws-iso")
    assert "AssumeRole" not in calls.names
    assert switcher.switch(TARGET, ROLE, partition="aws").role_arn == ROLE_ARN


def test_the_callers_partition_switches_as_before(switcher, tmp_path):
    assert switcher.switch_entry(RoleRef(TARGET, ROLE)).role_arn == ROLE_ARN
    config = tmp_path / "config"
    config.write_text(f"[profile prod]\nrole_arn = {ROLE_ARN}\nsource_profile = operator\n")
    row = aws_config_profiles(config).iloc[0]
    assert switcher.switch_entry(row, from_base=True).role_arn == ROLE_ARN
    assert switcher.history.entries()[0].partition == "aws"
