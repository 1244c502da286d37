"""Cross-account fan-out against the embedded sandbox: real calls, no mocked boto3.

The shared sandbox has 3 member accounts, each with OrganizationAccountAccessRole (trusting the
management account), ``auditor``, ``vendor-readonly`` (trusting an outside vendor only) and two
buckets ``xacct-<id>-logs`` / ``xacct-<id>-data``.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pandas as pd
import pytest

from xacct_widgets.core.query import (
    ERROR_COLUMNS,
    SUMMARY_COLUMNS,
    Organization,
    QueryProgress,
    QueryTarget,
    clear_credential_cache,
    query,
)
from xacct_widgets.core.sessions import assumed_session
from xacct_widgets.core.switch import RoleHistory, RoleSwitcher
from xacct_widgets.errors import InvalidInput
from xacct_widgets.sandbox import Sandbox

OAAR = "OrganizationAccountAccessRole"


@pytest.fixture
def mgmt(sandbox: Sandbox) -> boto3.Session:
    return sandbox.session("management", "admin")


@pytest.fixture
def members(sandbox: Sandbox) -> list[str]:
    ids = sandbox.member_account_ids
    assert len(ids) == 3
    return ids


def _assume_counter(session: boto3.Session) -> list[int]:
    """Count sts:AssumeRole calls made by clients created from ``session`` from now on."""
    calls = [0]

    def count(**_: object) -> None:
        calls[0] += 1

    session.events.register("before-call.sts.AssumeRole", count)
    return calls


def _no_secret_in(sandbox: Sandbox, *texts: str) -> None:
    joined = "\n".join(texts)
    assert not [s for s in sandbox.secrets() if s in joined]


# -- mixed outcomes ------------------------------------------------------------------------------
def test_mixed_targets_exact_counts(
    sandbox: Sandbox, mgmt: boto3.Session, members: list[str]
) -> None:
    """Two good accounts, a role whose trust excludes the caller, a role that does not exist."""
    targets = [
        (members[0], OAAR),
        (members[1], OAAR),
        (members[2], "vendor-readonly"),  # trusts only the outside vendor: denied
        (Sandbox.TARGET, OAAR),  # the tutorial's target account has no such role
    ]
    result = query(targets, "s3", "list_buckets", session=mgmt)

    assert result.targets == 4
    assert list(result.frame.columns[:2]) == ["account_id", "region"]
    assert len(result.frame) == 4  # 2 buckets in each good account
    assert set(result.frame["account_id"]) == {members[0], members[1]}
    assert set(result.frame["region"]) == {"us-east-1"}
    assert sorted(result.frame["Name"]) == sorted(
        f"xacct-{a}-{p}" for a in members[:2] for p in ("logs", "data")
    )

    errors = result.errors
    assert list(errors.columns) == list(ERROR_COLUMNS)
    assert len(errors) == 2
    assert set(errors["account_id"]) == {members[2], Sandbox.TARGET}
    assert set(errors["stage"]) == {"assume"}
    assert set(errors["error_code"]) == {"AccessDenied"}
    denied = str(errors.set_index("account_id").loc[members[2], "message"])
    assert "sts:AssumeRole" in denied and "vendor-readonly" in denied
    # Nothing lost: every target is in the frame or in the errors, never both.
    assert len(set(result.frame["account_id"])) + len(set(errors["account_id"])) == result.targets
    assert not result.ok
    assert list(result.summary.columns) == list(SUMMARY_COLUMNS)
    assert result.summary["ok"].tolist() == [True, True, False, False]
    print(result, result.frame.to_string(), errors.to_string())  # scanned by the leak check


def test_bad_region_is_an_error_row_not_an_exception(
    mgmt: boto3.Session, members: list[str]
) -> None:
    result = query(
        [(a, OAAR) for a in members],
        "s3",
        "list_buckets",
        session=mgmt,
        regions=["us-east-1", "xx-fake-1"],
    )
    assert result.regions == ("us-east-1", "xx-fake-1")
    assert len(result.frame) == 6
    assert set(result.frame["region"]) == {"us-east-1"}
    assert len(result.errors) == 3
    assert set(result.errors["region"]) == {"xx-fake-1"}
    assert set(result.errors["stage"]) == {"call"}
    assert set(result.errors["error_code"]) == {"InvalidRegion"}
    assert len(result.summary) == 6  # one row per (account, region)


def test_caller_without_assume_role_permission(sandbox: Sandbox, members: list[str]) -> None:
    intern = sandbox.session("source", "intern")
    result = query(members, "s3", "list_buckets", session=intern)
    assert result.frame.empty
    assert list(result.frame.columns) == ["account_id", "region"]
    assert len(result.errors) == 3
    assert set(result.errors["stage"]) == {"assume"}
    assert set(result.errors["error_code"]) == {"AccessDenied"}
    assert all("user/intern" in m for m in result.errors["message"])


# -- credentials cache ---------------------------------------------------------------------------
def test_second_query_makes_no_assume_role_call(
    sandbox: Sandbox, mgmt: boto3.Session, members: list[str]
) -> None:
    clear_credential_cache()  # so this session's clients (and hook) are the ones used
    calls = _assume_counter(mgmt)
    targets = [(a, OAAR) for a in members]

    first = query(targets, "s3", "list_buckets", session=mgmt)
    assert first.ok and len(first.frame) == 6
    assert first.assume_calls == 3 and calls[0] == 3

    second = query(targets, "iam", "list_roles", session=mgmt, jmespath="Roles[].RoleName")
    assert second.ok and len(second.frame) == 9
    assert second.assume_calls == 0 and calls[0] == 3

    # Another session object for the same identity shares the cache too.
    third = query(targets, "s3", "list_buckets", session=sandbox.session("management", "admin"))
    assert third.assume_calls == 0 and calls[0] == 3


def test_sandbox_reset_invalidates_cached_credentials(
    sandbox: Sandbox, mgmt: boto3.Session, members: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Credentials AWS stops accepting are dropped and the role assumed again, once."""
    targets = [(a, OAAR) for a in members]
    assert query(targets, "s3", "list_buckets", session=mgmt).ok
    sandbox.reset()  # every issued role session is gone; same seeded users and IDs
    again = query(targets, "s3", "list_buckets", session=sandbox.session("management", "admin"))
    assert again.ok, again.errors.to_string()
    assert len(again.frame) == 6
    assert again.assume_calls == 3
    assert caplog.text.count("refused; assuming again") == 3


# -- pagination, selection -----------------------------------------------------------------------
def test_pagination_reads_every_page(
    sandbox: Sandbox, mgmt: boto3.Session, members: list[str]
) -> None:
    account = members[0]
    admin = assumed_session(mgmt, f"arn:aws:iam::{account}:role/{OAAR}", "test-pages")
    s3 = admin.client("s3")
    bucket = "xacct-test-pagination"
    s3.create_bucket(Bucket=bucket)
    keys = [f"obj-{i}" for i in range(5)]
    try:
        for key in keys:
            s3.put_object(Bucket=bucket, Key=key, Body=b"x")
        result = query(
            [(account, OAAR)],
            "s3",
            "list_objects_v2",
            session=mgmt,
            params={"Bucket": bucket, "MaxKeys": 2},  # 3 pages
        )
        assert result.ok, result.errors.to_string()
        assert result.frame["Key"].tolist() == keys
        assert set(result.frame["account_id"]) == {account}
        # list_objects_v2 returns Contents and CommonPrefixes: Contents (the paginator's first
        # result key) is taken; jmespath picks anything else.
        only_sizes = query(
            [(account, OAAR)],
            "s3",
            "list_objects_v2",
            session=mgmt,
            params={"Bucket": bucket, "MaxKeys": 2},
            jmespath="Contents[].Size",
        )
        assert only_sizes.frame["value"].tolist() == [1] * 5
    finally:
        for key in keys:
            s3.delete_object(Bucket=bucket, Key=key)
        s3.delete_bucket(Bucket=bucket)


def test_jmespath_selects_and_renames(mgmt: boto3.Session, members: list[str]) -> None:
    result = query(
        [(a, OAAR) for a in members],
        "s3",
        "list_buckets",
        session=mgmt,
        jmespath="Buckets[?ends_with(Name, '-logs')].{bucket: Name}",
    )
    assert list(result.frame.columns) == ["account_id", "region", "bucket"]
    assert sorted(result.frame["bucket"]) == sorted(f"xacct-{a}-logs" for a in members)


def test_operation_without_a_list_gives_one_row_per_account(
    mgmt: boto3.Session, members: list[str]
) -> None:
    result = query([(a, OAAR) for a in members], "sts", "get_caller_identity", session=mgmt)
    assert len(result.frame) == 3
    assert (result.frame["Account"] == result.frame["account_id"]).all()
    assert all(f"assumed-role/{OAAR}/" in arn for arn in result.frame["Arn"])
    assert "ResponseMetadata.RequestId" not in result.frame.columns


# -- other kinds of targets ----------------------------------------------------------------------
def test_callable_targets(sandbox: Sandbox, mgmt: boto3.Session, members: list[str]) -> None:
    def roles(session: boto3.Session, region: str) -> pd.DataFrame:
        if session.client("sts").get_caller_identity()["Account"] == members[1]:
            raise ValueError("this account is broken on purpose")
        names = [r["RoleName"] for r in session.client("iam").list_roles()["Roles"]]
        return pd.DataFrame({"role": sorted(names), "seen_in": region})

    result = query([(a, OAAR) for a in members], roles, session=mgmt)
    assert result.operation == "roles"
    assert len(result.frame) == 6
    assert set(result.frame["account_id"]) == {members[0], members[2]}
    assert list(result.frame.columns) == ["account_id", "region", "role", "seen_in"]
    assert len(result.errors) == 1
    row = result.errors.iloc[0]
    assert (row["account_id"], row["stage"], row["error_code"]) == (
        members[1],
        "call",
        "ValueError",
    )
    assert row["message"] == "this account is broken on purpose"


def test_callable_output_is_redacted(
    sandbox: Sandbox, mgmt: boto3.Session, members: list[str]
) -> None:
    """Even a function that returns credentials cannot put a secret into the frame."""

    def leak(session: boto3.Session, region: str) -> list[dict[str, str]]:
        credentials = session.get_credentials()
        assert credentials is not None
        frozen = credentials.get_frozen_credentials()
        return [
            {
                "AccessKeyId": str(frozen.access_key),
                "SecretAccessKey": str(frozen.secret_key),
                "SessionToken": frozen.token or "",
            }
        ]

    result = query([(members[0], OAAR)], leak, session=mgmt)
    mgmt_credentials = mgmt.get_credentials()
    assert mgmt_credentials is not None
    creds = mgmt_credentials.get_frozen_credentials()
    row = result.frame.iloc[0]
    assert row["SecretAccessKey"] == "[redacted]" and row["SessionToken"] == "[redacted]"
    assert row["AccessKeyId"].startswith("****") and len(row["AccessKeyId"]) == 8
    text = "\n".join([repr(result), result.frame.to_string(), result.errors.to_string()])
    assert str(creds.secret_key) not in text
    _no_secret_in(sandbox, text)
    print(text)  # the autouse scan also checks the role session's token is not in it


def test_sessions_as_targets(sandbox: Sandbox) -> None:
    sessions = [sandbox.session("target", "admin"), sandbox.session("management", "admin")]
    result = query(sessions, "sts", "get_caller_identity")
    assert result.ok
    assert result.assume_calls == 0
    assert result.frame["account_id"].tolist() == [Sandbox.TARGET, Sandbox.MANAGEMENT]
    assert result.frame["Arn"].str.endswith("user/admin").all()


def test_callable_with_session_targets_in_another_region(sandbox: Sandbox) -> None:
    seen: list[str] = []

    def where(session: boto3.Session, region: str) -> list[dict[str, str]]:
        seen.append(region)
        return [{"session_region": str(session.region_name)}]

    result = query([sandbox.session("target", "admin")], where, regions=["eu-west-1"])
    assert result.frame[["region", "session_region"]].values.tolist() == [
        ["eu-west-1", "eu-west-1"]
    ]
    assert seen == ["eu-west-1"]


def test_history_and_switcher_as_targets(
    sandbox: Sandbox, mgmt: boto3.Session, members: list[str]
) -> None:
    history = RoleHistory(":memory:")
    history.record(members[0], OAAR)
    # auditor trusts the management account but has no permission policy: the role is
    # assumed, the call is denied.
    history.record(members[1], "auditor")
    result = query(history, "s3", "list_buckets", session=mgmt)
    assert result.targets == 2
    assert set(result.frame["account_id"]) == {members[0]}
    assert result.errors[["account_id", "stage", "error_code"]].values.tolist() == [
        [members[1], "call", "AccessDenied"]
    ]

    switcher = RoleSwitcher(mgmt, history=history)  # caller defaults to its base session
    via_switcher = query(switcher, "s3", "list_buckets", jmespath="Buckets[].Name")
    assert sorted(via_switcher.frame["value"]) == sorted(result.frame["Name"])


def test_duplicate_targets_are_queried_once(mgmt: boto3.Session, members: list[str]) -> None:
    result = query(
        [(members[0], OAAR), (members[0], OAAR), QueryTarget.role(members[0], OAAR), members[0]],
        "s3",
        "list_buckets",
        session=mgmt,
    )
    assert result.targets == 1 and len(result.frame) == 2


# -- organization --------------------------------------------------------------------------------
def test_organization_accounts_and_ou_filter(mgmt: boto3.Session, members: list[str]) -> None:
    org = Organization(mgmt)
    accounts = org.accounts()
    assert list(accounts.columns) == ["account_id", "name", "email", "status", "ou", "ou_id"]
    assert set(accounts["account_id"]) == {*members, Sandbox.MANAGEMENT}
    assert set(accounts["status"]) == {"ACTIVE"}
    by_name = dict(zip(accounts["name"], accounts["ou"], strict=True))
    assert by_name["tenant-001"] == "prod" and by_name["tenant-002"] == "dev"
    assert by_name["tenant-003"] == "prod"

    prod = org.accounts(ou="prod")
    assert sorted(prod["name"]) == ["tenant-001", "tenant-003"]
    ou_id = prod["ou_id"].iloc[0]
    assert org.accounts(ou=ou_id).equals(prod)
    assert org.accounts(ou="dev")["name"].tolist() == ["tenant-002"]
    assert set(org.organizational_units()["ou"]) == {"prod", "dev"}

    with pytest.raises(InvalidInput, match="not in this organization"):
        org.accounts(ou="staging")
    with pytest.raises(InvalidInput, match="status"):
        org.accounts(status="RUNNING")


def test_organization_as_targets(mgmt: boto3.Session, members: list[str]) -> None:
    org = Organization(mgmt)
    result = query(org, "s3", "list_buckets")
    # Every ACTIVE account; the management account itself through the caller's own session.
    assert result.targets == 4 and result.ok
    assert set(result.summary["account_id"]) == {*members, Sandbox.MANAGEMENT}
    assert set(result.frame["account_id"]) == set(members)  # the management account has none

    prod = query(org.accounts(ou="prod"), "s3", "list_buckets", session=mgmt)
    assert prod.targets == 2 and len(prod.frame) == 4

    # A DataFrame of targets may name a role per row; missing ones take role_name's default.
    chosen = pd.DataFrame({"account_id": members[:2], "role_name": [OAAR, None]})
    assert query(chosen, "s3", "list_buckets", session=mgmt).ok


def test_all_regions(mgmt: boto3.Session, members: list[str]) -> None:
    result = query([(members[0], OAAR)], "sts", "get_caller_identity", session=mgmt, regions="all")
    assert len(result.regions) > 10 and "eu-west-1" in result.regions
    assert result.ok and len(result.frame) == len(result.regions)
    assert result.assume_calls <= 1  # assumed once (or cached), whatever the number of regions


# -- validation, progress, stop ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"service": "s4", "operation": "list_buckets"}, "unknown"),
        ({"service": "s3", "operation": "list_bukkets"}, "does not exist"),
        ({"service": "s3", "operation": "delete_bucket"}, "read-only"),
        ({"service": "s3", "operation": "list_objects_v2", "params": {"Bukket": "x"}}, "params"),
        ({"service": "s3", "operation": "list_buckets", "jmespath": "Buckets[?"}, "jmespath"),
        ({"service": "s3", "operation": "list_buckets", "max_workers": 0}, "max_workers"),
    ],
)
def test_invalid_input_is_refused_before_any_call(
    mgmt: boto3.Session, members: list[str], kwargs: dict[str, Any], match: str
) -> None:
    calls = _assume_counter(mgmt)
    with pytest.raises(InvalidInput, match=match):
        query([(members[0], OAAR)], session=mgmt, **kwargs)
    assert calls[0] == 0


def test_invalid_targets_are_refused(mgmt: boto3.Session) -> None:
    with pytest.raises(InvalidInput, match="Account ID"):
        query([("1234", OAAR)], "s3", "list_buckets", session=mgmt)
    with pytest.raises(InvalidInput, match="Role name"):
        query([("123456789012", "bad role")], "s3", "list_buckets", session=mgmt)
    with pytest.raises(InvalidInput, match="empty"):
        query([], "s3", "list_buckets", session=mgmt)
    with pytest.raises(InvalidInput, match="callable"):
        query([("123456789012", OAAR)], lambda s, r: [], "list_buckets", session=mgmt)


def test_progress_callback_runs_in_the_calling_thread(
    mgmt: boto3.Session, members: list[str]
) -> None:
    events: list[tuple[QueryProgress, bool]] = []

    def progress(p: QueryProgress) -> None:
        events.append((p, threading.current_thread() is threading.main_thread()))

    query(
        [(a, OAAR) for a in members] + [(members[0], "vendor-readonly")],
        "s3",
        "list_buckets",
        session=mgmt,
        progress=progress,
        max_workers=2,
    )
    assert [p.done for p, _ in events] == [1, 2, 3, 4]
    assert {p.total for p, _ in events} == {4}
    assert events[-1][0].errors == 1
    assert all(main for _, main in events)


def test_progress_bar(mgmt: boto3.Session, members: list[str]) -> None:
    result = query([(members[0], OAAR)], "s3", "list_buckets", session=mgmt, progress=True)
    assert result.ok


def test_stop_reports_cancelled_units(mgmt: boto3.Session, members: list[str]) -> None:
    stop = threading.Event()
    stop.set()
    result = query([(a, OAAR) for a in members], "s3", "list_buckets", session=mgmt, stop=stop)
    assert result.frame.empty
    assert len(result.errors) == 3
    assert set(result.errors["error_code"]) == {"Cancelled"}


def test_repr_is_short_and_safe(sandbox: Sandbox, mgmt: boto3.Session, members: list[str]) -> None:
    result = query([(members[0], OAAR)], "s3", "list_buckets", session=mgmt)
    text = repr(result)
    assert text.startswith("QueryResult(s3.list_buckets: 1 targets x 1 region(s), 2 rows")
    assert "AKIA" not in text and "ASIA" not in text
    _no_secret_in(sandbox, text)
