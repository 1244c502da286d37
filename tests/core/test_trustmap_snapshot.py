"""``TrustMap`` snapshots, diffs and failures: save/load offline, edges added/removed between
two collects, an account that cannot be read (a row of ``errors``, never a lost account), and an
organization the session may not read (SCPs left out, said so)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
from helpers import SOURCE, issued_secrets, limited_session

import xacct_widgets as xw
from xacct_widgets.core.query import clear_credential_cache
from xacct_widgets.core.sessions import assumed_session
from xacct_widgets.core.trustmap import DIFF_COLUMNS, TrustMap


@pytest.fixture(autouse=True)
def _fresh_credentials() -> None:
    """Role credentials cached by an earlier fan-out died with the sandbox's last reset."""
    clear_credential_cache()


def _collect(sandbox: Any, accounts: Any = None) -> TrustMap:
    admin = sandbox.session("management", "admin")
    return xw.TrustMap.collect(accounts or xw.Organization(admin), session=admin)


def _records(frame: Any) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True, default=str) for r in frame.to_dict("records"))


def test_save_and_load_round_trip(fresh_sandbox, tmp_path):
    tm = _collect(fresh_sandbox)
    path = tm.save(tmp_path / "map.json")
    text = path.read_text()
    assert not [s for s in issued_secrets() if s in text]
    assert "SecretAccessKey" not in text and "SessionToken" not in text
    again = TrustMap.load(path)
    assert _records(again.edges) == _records(tm.edges)
    assert len(again.accounts) == len(tm.accounts) == 4
    assert again.org.org_id == tm.org.org_id and again.org.scps_read
    assert {a.ou for a in again.accounts} == {"", "prod", "dev"}


def test_load_refuses_other_files(tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"format": "something else"}')
    with pytest.raises(xw.InvalidInput, match="not a trust map snapshot"):
        TrustMap.load(other)
    with pytest.raises(xw.InvalidInput, match="not a readable"):
        TrustMap.load(tmp_path / "missing.json")


def test_diff_between_two_collects(fresh_sandbox):
    before = _collect(fresh_sandbox)
    member = fresh_sandbox.member_account_ids[0]
    admin = fresh_sandbox.session("management", "admin")
    role = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    iam = assumed_session(admin, role, "seed").client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{fresh_sandbox.MANAGEMENT}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName="new-ops", AssumeRolePolicyDocument=json.dumps(trust))
    iam.delete_role(RoleName="auditor")
    after = _collect(fresh_sandbox)
    changes = after.diff(before)
    assert tuple(changes.columns) == DIFF_COLUMNS
    added = changes[changes.change == "added"]
    removed = changes[changes.change == "removed"]
    assert list(added.role_arn) == [f"arn:aws:iam::{member}:role/new-ops"]
    assert list(removed.role_arn) == [f"arn:aws:iam::{member}:role/auditor"]
    assert set(added.principal_arn) == {f"arn:aws:iam::{fresh_sandbox.MANAGEMENT}:user/admin"}
    assert after.diff(after).empty
    with pytest.raises(xw.InvalidInput, match="another TrustMap"):
        after.diff(after.edges)  # type: ignore[arg-type]


def test_an_unreadable_account_is_an_error_row(fresh_sandbox):
    """The source account has no OrganizationAccountAccessRole: its row says so, the others
    are mapped, and roles trusting it get an 'any principal of SOURCE' row."""
    members = fresh_sandbox.member_account_ids
    tm = _collect(fresh_sandbox, [fresh_sandbox.MANAGEMENT, *members, SOURCE])
    assert list(tm.errors.account_id) == [SOURCE]
    assert tm.errors.iloc[0].stage == "assume"
    assert sorted(a.account_id for a in tm.accounts) == sorted([fresh_sandbox.MANAGEMENT, *members])


def test_organization_not_readable_is_said(fresh_sandbox):
    """A caller that may read IAM but not the organization: the map is built without SCPs,
    and ``errors`` says that the organization could not be read."""
    reader = limited_session(
        fresh_sandbox,
        "iam-reader",
        ["iam:Get*", "iam:List*", "sts:AssumeRole"],
        account="management",
    )
    members = fresh_sandbox.member_account_ids
    tm = xw.TrustMap.collect([fresh_sandbox.MANAGEMENT, *members], session=reader)
    assert len(tm.accounts) == 4 and not tm.org.known and not tm.org.scps_read
    assert list(tm.errors.stage) == ["organization"]
    assert tm.errors.iloc[0].error_code == "AccessDeniedException"
    admin = f"arn:aws:iam::{fresh_sandbox.MANAGEMENT}:user/admin"
    assert len(tm.what_can(admin)) == 2 * len(members)  # auditor, OrganizationAccountAccessRole


def test_accounts_of_one_ou_through_a_thread_pool(fresh_sandbox):
    """A frame of accounts (one OU, the management account among them when listed) and the
    caller's own executor: the same edges as the whole organization's, restricted."""
    from concurrent.futures import ThreadPoolExecutor

    admin = fresh_sandbox.session("management", "admin")
    org = xw.Organization(admin)
    prod = org.accounts(ou="prod")
    with ThreadPoolExecutor(2) as pool:
        tm = xw.TrustMap.collect(prod, session=admin, executor=pool, max_workers=2)
    assert tm.errors.empty
    assert sorted(a.account_id for a in tm.accounts) == sorted(prod.account_id)
    assert set(tm.edges.role_account) == set(prod.account_id)
    # The management account is not in the OU: its admin is "any principal of" it here, on
    # auditor and OrganizationAccountAccessRole of each prod account; the vendor as before.
    assert set(tm.edges.principal_type) == {"account"}
    management = f"arn:aws:iam::{fresh_sandbox.MANAGEMENT}:root"
    counts = tm.edges.principal_arn.value_counts().to_dict()
    assert counts == {management: 2 * len(prod), "arn:aws:iam::999988887777:root": len(prod)}
    with_management = pd.concat([prod, org.accounts().query("ou == ''")])
    both = xw.TrustMap.collect(with_management, session=admin)
    assert both.errors.empty and len(both.accounts) == len(prod) + 1
