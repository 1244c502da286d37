"""Partitions: ARNs, switch-role links, and the history, for aws / aws-cn / aws-us-gov.

Each case cites the AWS page it models:
- ARN format and partitions: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
- switch-role link: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-console.html
- regional sign-in hosts: https://docs.aws.amazon.com/general/latest/gr/signin-service.html
- China: https://docs.amazonaws.cn/en_us/aws/latest/userguide/iam.html
- GovCloud: https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-endpoints.html
"""

from __future__ import annotations

import sqlite3

import pytest
from test_history import read_only  # (tests/core is on sys.path: pytest's prepend mode)

from xacct_widgets.core import ids, partitions, urls
from xacct_widgets.core.identity import Identity
from xacct_widgets.core.profiles import RoleRef, refs_frame, role_refs
from xacct_widgets.core.switch import ActiveRole, RoleHistory
from xacct_widgets.errors import InvalidInput, InvalidSwitchRoleUrl

TARGET = "123456781234"
# (partition, sign-in host, a regional sign-in host of it)
HOSTS = [
    ("aws", "signin.aws.amazon.com", "eu-west-1.signin.aws.amazon.com"),
    ("aws-cn", "signin.amazonaws.cn", "cn-north-1.signin.amazonaws.cn"),
    ("aws-us-gov", "signin.amazonaws-us-gov.com", "us-gov-west-1.signin.amazonaws-us-gov.com"),
]


@pytest.mark.parametrize(("name", "host", "regional"), HOSTS)
def test_role_arns_per_partition(name, host, regional):  # reference-arns.html
    arn = ids.role_arn(TARGET, "ops", "/team/", partition=name)
    assert arn == f"arn:{name}:iam::{TARGET}:role/team/ops"
    assert partitions.partition_of(arn).name == name
    assert partitions.partition_of(f"arn:{name}:sts::{TARGET}:assumed-role/ops/me").name == name
    ref = RoleRef.from_arn(arn)
    assert (ref.partition, ref.path, ref.role_arn) == (name, "/team/", arn)


@pytest.mark.parametrize(("name", "host", "regional"), HOSTS)
def test_switch_role_url_built_per_partition(name, host, regional):  # switch-role-console.html
    url = urls.switch_role_url(TARGET, "ops", "prod", "Green", partition=name)
    assert url == (
        f"https://{host}/switchrole?roleName=ops&account={TARGET}&displayName=prod&color=B7CA9D"
    )
    link = urls.SwitchRoleLink(TARGET, "ops", partition=name)
    assert link.role_arn == f"arn:{name}:iam::{TARGET}:role/ops"


def test_commercial_url_unchanged():  # the default stays byte-identical
    assert urls.switch_role_url(TARGET, "cross-account") == (
        "https://signin.aws.amazon.com/switchrole?roleName=cross-account&account=123456781234"
    )
    assert urls.SWITCH_ROLE_BASE == "https://signin.aws.amazon.com/switchrole"


@pytest.mark.parametrize(("name", "host", "regional"), HOSTS)
@pytest.mark.parametrize("which", ["global", "regional"])
def test_switch_role_url_parsed_per_partition(name, host, regional, which):  # signin-service
    where = host if which == "global" else regional
    link = urls.parse_switch_role_url(
        f"https://{where}/switchrole?roleName=team/ops&account={TARGET}&color=Blue"
    )
    assert (link.partition, link.path, link.color) == (name, "/team/", "99BCE3")
    assert link.role_arn == f"arn:{name}:iam::{TARGET}:role/team/ops"
    assert link.url.startswith(f"https://{host}/switchrole?")  # rebuilt on the global host


@pytest.mark.parametrize(
    "host",
    [
        "signin.aws.amazon.com.cn",  # not a sign-in host, whatever it ends with
        "evil.signin.aws.amazon.com",  # a prefix that is not a region
        "signin.amazonaws.cn.example.com",
        "console.amazonaws-us-gov.com",  # the console, not sign-in
        "signin.amazonaws.com",
    ],
)
def test_wrong_hosts_refused(host):
    with pytest.raises(InvalidSwitchRoleUrl, match="host"):
        urls.parse_switch_role_url(f"https://{host}/switchrole?roleName=x&account={TARGET}")


def test_unknown_partition_refused():
    with pytest.raises(InvalidInput, match="aws-iso"):
        urls.switch_role_url(TARGET, "ops", partition="aws-iso")
    with pytest.raises(InvalidInput):
        RoleRef(TARGET, "ops", partition="aws-iso")


@pytest.mark.parametrize(("name", "host", "regional"), HOSTS)
def test_roles_elsewhere_take_their_arns_partition(name, host, regional):
    arn = f"arn:{name}:iam::{TARGET}:role/ops"
    active = ActiveRole(
        TARGET, "ops", arn, "me", f"arn:{name}:sts::{TARGET}:assumed-role/ops/me", "prod", None,
        None, f"arn:{name}:iam::987654329876:user/me",
    )  # fmt: skip
    assert active.partition == name
    assert active.switch_role_url.startswith(f"https://{host}/switchrole?roleName=ops")
    caller = Identity.from_arn(active.identity_arn)
    assert (caller.partition, caller.role_arn) == (name, arn)
    ref = role_refs([active])[0]
    assert ref.partition == name and ref.switch_role_url.startswith(f"https://{host}/")
    # a link and a pasted URL keep theirs too
    assert role_refs(urls.SwitchRoleLink(TARGET, "ops", partition=name))[0].partition == name
    frame = refs_frame(role_refs([f"https://{regional}/switchrole?roleName=ops&account={TARGET}"]))
    assert frame.loc[0, "partition"] == name and frame.loc[0, "role_arn"] == arn


@pytest.mark.parametrize(("name", "host", "regional"), HOSTS)
def test_history_stores_partition(tmp_path, name, host, regional):
    path = tmp_path / "history.sqlite3"
    with RoleHistory(path) as history:
        entry = history.record(TARGET, "ops", "prod", partition=name)
        history.bookmark("222233334444", "audit", partition=name)
        assert entry.partition == name
        assert entry.role_arn == f"arn:{name}:iam::{TARGET}:role/ops"
    with RoleHistory(path) as reopened:  # read back from the file
        assert {e.partition for e in reopened.entries()} == {name}
        frame = reopened.frame()
        assert set(frame["partition"]) == {name}
        assert all(u.startswith(f"https://{host}/") for u in frame["switch_role_url"])
        assert [r.partition for r in role_refs(frame)] == [name, name]


_V1 = """
CREATE TABLE roles (
    account_id TEXT NOT NULL, role_name TEXT NOT NULL, path TEXT NOT NULL DEFAULT '/',
    display_name TEXT, color TEXT, last_used TEXT, use_count INTEGER NOT NULL DEFAULT 0,
    bookmarked INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL,
    PRIMARY KEY (account_id, role_name))
"""


def _v1_file(path):
    conn = sqlite3.connect(path)
    conn.execute(_V1)
    conn.executemany(
        "INSERT INTO roles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (TARGET, "ops", "/", "prod", "B7CA9D", "2026-01-02T03:04:05+00:00", 3, 0, 2),
            ("222233334444", "audit", "/team/", None, None, None, 0, 1, 1),
        ],
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def test_version_1_history_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "history.sqlite3"
    _v1_file(path)
    with RoleHistory(path) as history:
        assert history.warning is None
        entries = history.entries()
        assert [(e.role_name, e.partition, e.use_count) for e in entries] == [
            ("ops", "aws", 3),
            ("audit", "aws", 0),
        ]
        assert entries[0].display_name == "prod" and entries[1].path == "/team/"
        history.record("333344445555", "gov", partition="aws-us-gov")
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    rows = dict(conn.execute("SELECT role_name, partition FROM roles").fetchall())
    conn.close()
    assert rows == {"ops": "aws", "audit": "aws", "gov": "aws-us-gov"}
    with RoleHistory(path) as again:  # a second open changes nothing
        assert len(again) == 3


def test_read_only_version_1_history_still_read(tmp_path):
    path = tmp_path / "history.sqlite3"
    _v1_file(path)
    with read_only(path):
        history = RoleHistory(path)
        assert history.warning  # cannot be upgraded in place: read into memory instead
        assert [e.partition for e in history.entries()] == ["aws", "aws"]
        history.close()
