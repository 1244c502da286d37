"""Part B, switching: RoleSwitcher and assumed_session against the sandbox, with real calls."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from helpers import ROLE, ROLE_ARN, SOURCE, TARGET, make_role

from xacct_widgets.core.identity import identity_of
from xacct_widgets.core.sessions import ASSUME_ROLE_METHOD, assumed_session
from xacct_widgets.core.switch import ACTIVE_COLUMNS, RoleSwitcher
from xacct_widgets.errors import (
    ExpiredSession,
    InvalidAccountId,
    InvalidColor,
    InvalidInput,
    InvalidRoleName,
    InvalidSwitchRoleUrl,
    RootUserError,
    SwitchDenied,
)

TUTORIAL_URL = (
    "https://signin.aws.amazon.com/switchrole?roleName=cross-account&account=123456781234"
)


@pytest.fixture(autouse=True)
def _private_history(tmp_path, monkeypatch):
    """Never touch the real user's history file."""
    monkeypatch.setenv("XACCT_HISTORY", str(tmp_path / "history.sqlite3"))


@pytest.fixture
def role(fresh_sandbox):
    return make_role(fresh_sandbox)


@pytest.fixture
def switcher(fresh_sandbox, role):
    return RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")


def force_expiry(session):
    """Make botocore believe the credentials expired (test only: botocore has no public setter)."""
    credentials = session.get_credentials()
    credentials._expiry_time = datetime.now(UTC) - timedelta(minutes=1)


# -- the happy path ----------------------------------------------------------------------------
def test_switch_works_in_target(fresh_sandbox, switcher):
    active = switcher.switch("1234-5678-1234", ROLE, display_name="prod", color="Green")
    assert active.account_id == TARGET and active.role_arn == ROLE_ARN
    assert active.identity_arn == f"arn:aws:sts::{TARGET}:assumed-role/{ROLE}/operator"
    assert active.source_arn == f"arn:aws:iam::{SOURCE}:user/operator"
    assert active.color == "B7CA9D" and active.display_name == "prod"
    assert active.expiration and active.expiration > datetime.now(UTC) + timedelta(minutes=50)
    assert switcher.active == active
    who = identity_of(switcher.session)
    assert (who.principal_type, who.account_id) == ("assumed-role", TARGET)
    roles = switcher.session.client("iam").list_roles()["Roles"]
    assert ROLE_ARN in [r["Arn"] for r in roles]
    frame = switcher.frame()
    assert list(frame.columns) == list(ACTIVE_COLUMNS) and len(frame) == 1
    assert switcher.session.get_credentials().method == ASSUME_ROLE_METHOD
    history = switcher.history.frame()
    assert history.loc[0, "role_name"] == ROLE and history.loc[0, "display_name"] == "prod"


def test_switch_costs_two_calls_after_the_first(switcher, calls):
    switcher.switch(TARGET, ROLE)
    assert sorted(calls.names) == ["AssumeRole", "GetCallerIdentity", "GetCallerIdentity"]
    switcher.back()
    calls.names.clear()
    switcher.switch(TARGET, ROLE)
    assert sorted(calls.names) == ["AssumeRole", "GetCallerIdentity"]


def test_switch_url_tutorial_link(switcher):
    active = switcher.switch_url(TUTORIAL_URL)
    assert (active.account_id, active.role_name, active.display_name) == (TARGET, ROLE, None)
    switcher.back()
    labelled = switcher.switch_url(TUTORIAL_URL + "&displayName=prod%20ops&color=FAD791")
    assert (labelled.display_name, labelled.color) == ("prod ops", "FAD791")
    switcher.back()
    overridden = switcher.switch_url(TUTORIAL_URL, display_name="other")
    assert overridden.display_name == "other"
    with pytest.raises(InvalidSwitchRoleUrl):
        switcher.switch_url("https://example.com/switchrole?roleName=x&account=123456781234")


def test_switch_url_of_another_partition_is_refused_before_assume_role(switcher, calls):
    """AssumeRole never crosses partitions: a GovCloud link is not switched into as a commercial
    role of the same account ID (https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/
    govcloud-differences.html, "separate partition")."""
    gov = "https://signin.amazonaws-us-gov.com/switchrole?roleName=cross-account&account=" + TARGET
    with pytest.raises(InvalidSwitchRoleUrl, match="across partitions") as err:
        switcher.switch_url(gov)
    assert "aws-us-gov" in err.value.message and "AssumeRole" not in calls.names
    assert switcher.active is None


def test_back_returns_to_base(switcher, calls):
    switcher.switch(TARGET, ROLE)
    calls.names.clear()
    who = switcher.back()
    assert who.arn == f"arn:aws:iam::{SOURCE}:user/operator"
    assert switcher.active is None and switcher.session is switcher.base_session
    assert switcher.frame().empty and list(switcher.frame().columns) == list(ACTIVE_COLUMNS)
    assert calls.count() == 0  # base identity is cached
    assert switcher.back().arn == who.arn  # nothing active: harmless


def test_switch_entry_from_history_and_frame(switcher):
    switcher.switch(TARGET, ROLE, display_name="prod", color="Red")
    switcher.back()
    entry = switcher.history.entries()[0]
    assert switcher.switch_entry(entry).display_name == "prod"
    switcher.back()
    row = switcher.history.frame().iloc[0]
    again = switcher.switch_entry(row)
    assert (again.role_name, again.color) == (ROLE, "F2B0A9")
    assert switcher.history.get(TARGET, ROLE).use_count == 3


def test_history_survives_a_new_switcher(fresh_sandbox, role, tmp_path):
    path = tmp_path / "h.sqlite3"
    RoleSwitcher(fresh_sandbox.session("source", "operator"), history=path).switch(TARGET, ROLE)
    later = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=str(path))
    assert later.history.frame()["role_name"].tolist() == [ROLE]


def test_default_history_follows_env(fresh_sandbox, tmp_path, monkeypatch):
    # A sandbox session's default history is the sandbox's own, never $XACCT_HISTORY.
    monkeypatch.setenv("XACCT_SANDBOX_HISTORY", str(tmp_path / "sandbox.sqlite3"))
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"))
    assert str(switcher.history.path) == str(tmp_path / "sandbox.sqlite3")


# -- refusals ----------------------------------------------------------------------------------
def test_root_is_refused_before_assume_role(fresh_sandbox, role, calls):
    switcher = RoleSwitcher(fresh_sandbox.session("source", "root"), history=":memory:")
    with pytest.raises(RootUserError, match="root") as raised:
        switcher.switch(TARGET, ROLE)
    assert calls.count("AssumeRole") == 0
    assert calls.names == ["GetCallerIdentity"]
    assert raised.value.fix and "IAM user" in raised.value.fix
    assert switcher.active is None and len(switcher.history) == 0


def test_intern_is_denied_with_reasons(fresh_sandbox, role):
    switcher = RoleSwitcher(fresh_sandbox.session("source", "intern"), history=":memory:")
    with pytest.raises(SwitchDenied) as raised:
        switcher.switch(TARGET, ROLE)
    err = raised.value
    assert any("sts:AssumeRole" in r and ROLE_ARN in r for r in err.reasons)
    assert "is not authorized to perform: sts:AssumeRole" in str(err)  # AWS's own message
    assert "allow_assume_role" in (err.fix or "")  # additive advice
    assert err.__cause__ is not None
    assert switcher.active is None and len(switcher.history) == 0


def test_missing_role_is_denied(switcher):
    with pytest.raises(SwitchDenied) as raised:
        switcher.switch(TARGET, "no-such-role")
    assert raised.value.reasons  # the unknowns that could explain it
    assert "no-such-role" in str(raised.value)


def test_external_id(fresh_sandbox):
    make_role(fresh_sandbox, external_id="tenant-42")
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    with pytest.raises(SwitchDenied):
        switcher.switch(TARGET, ROLE, external_id="tenant-43")
    with pytest.raises(SwitchDenied):
        switcher.switch(TARGET, ROLE)
    assert switcher.switch(TARGET, ROLE, external_id="tenant-42").account_id == TARGET


def test_mfa_right_and_wrong_code_and_no_refresh(fresh_sandbox):
    make_role(fresh_sandbox, require_mfa=True)
    serial = fresh_sandbox.principal("source", "operator")["mfa_serial"]
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    with pytest.raises(SwitchDenied):
        switcher.switch(TARGET, ROLE)
    with pytest.raises(SwitchDenied) as wrong:
        switcher.switch(TARGET, ROLE, mfa_serial=serial, mfa_token="000000")
    assert any("MFA code" in r for r in wrong.value.reasons)
    active = switcher.switch(TARGET, ROLE, mfa_serial=serial, mfa_token=fresh_sandbox.MFA_CODE)
    assert active.mfa
    iam = switcher.session.client("iam")
    iam.list_roles()
    force_expiry(switcher.session)
    with pytest.raises(ExpiredSession, match="MFA") as expired:
        iam.list_roles()
    assert "fresh MFA code" in (expired.value.fix or "")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"color": "Purple"}, InvalidColor),
        ({"account": "1234-5678"}, InvalidAccountId),
        ({"role": "cross account"}, InvalidRoleName),
        ({"external_id": "x"}, InvalidInput),
        ({"mfa_serial": f"arn:aws:iam::{SOURCE}:mfa/operator"}, InvalidInput),
        ({"mfa_serial": f"arn:aws:iam::{SOURCE}:mfa/operator", "mfa_token": "12345"}, InvalidInput),
        ({"duration_seconds": 60}, InvalidInput),
        ({"duration_seconds": 50000}, InvalidInput),
        ({"display_name": "x" * 65}, InvalidInput),
    ],
)
def test_bad_input_fails_before_any_call(sandbox, calls, kwargs, error):
    switcher = RoleSwitcher(sandbox.session("source", "operator"), history=":memory:")
    args = {"account": TARGET, "role": ROLE, **kwargs}
    with pytest.raises(error):
        switcher.switch(**args)
    assert calls.count() == 0


# -- role chaining -----------------------------------------------------------------------------
def test_role_chaining_and_its_one_hour_cap(fresh_sandbox, calls):
    make_role(fresh_sandbox, max_session_duration=7200)  # AWS refuses more than the maximum
    admin = fresh_sandbox.session("target", "admin").client("iam")
    admin.put_role_policy(
        RoleName=ROLE,
        PolicyName="may-chain",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
            }
        ),
    )
    make_role(fresh_sandbox, "second-hop", trusted=TARGET)
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    first = switcher.switch(TARGET, ROLE, duration_seconds=7200)
    calls.names.clear()
    with pytest.raises(InvalidInput, match="3600"):
        switcher.switch(TARGET, "second-hop", duration_seconds=7200)
    assert calls.count() == 0
    second = switcher.switch(TARGET, "second-hop", duration_seconds=3600)
    assert sorted(calls.names) == ["AssumeRole", "GetCallerIdentity"]
    assert second.chained and second.source_arn == first.identity_arn
    assert second.expiration <= datetime.now(UTC) + timedelta(seconds=3610)
    assert len(switcher.stack) == 2
    assert switcher.back().arn == first.identity_arn
    assert switcher.active.role_name == ROLE
    assert switcher.back(to_base=True).name == "operator"


def test_switch_from_base_replaces_the_active_role_only_on_success(fresh_sandbox, role, calls):
    make_role(fresh_sandbox, "untrusting", trusted="111122223333")
    make_role(fresh_sandbox, "second")
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    first = switcher.switch(TARGET, ROLE, display_name="prod")
    session = switcher.session
    with pytest.raises(SwitchDenied) as refused:
        switcher.switch(TARGET, "untrusting", from_base=True)
    # Refused: the previous role is still active, with its session; nothing was recorded.
    assert switcher.active.identity_arn == first.identity_arn and switcher.session is session
    assert switcher.stack == (first,)
    assert refused.value.reasons
    assert [e.role_name for e in switcher.history.entries()] == [ROLE]
    # Accepted: assumed from the user (not chained), and it replaces the active role.
    calls.names.clear()
    second = switcher.switch_entry({"account_id": TARGET, "role_name": "second"}, from_base=True)
    assert sorted(calls.names) == ["AssumeRole", "GetCallerIdentity"]
    assert not second.chained and second.source_arn == f"arn:aws:iam::{SOURCE}:user/operator"
    assert [a.role_name for a in switcher.stack] == ["second"]
    assert identity_of(switcher.session).arn == second.identity_arn
    # The same from a URL; back() then returns to the user, not to an older role.
    third = switcher.switch_url(TUTORIAL_URL, display_name="again", from_base=True)
    assert not third.chained and [a.role_name for a in switcher.stack] == [ROLE]
    assert switcher.back().arn == f"arn:aws:iam::{SOURCE}:user/operator"
    assert switcher.active is None


def test_assumed_session_caps_chaining_itself(fresh_sandbox):
    make_role(fresh_sandbox, max_session_duration=7200)  # AWS refuses more than the maximum
    base = fresh_sandbox.session("source", "operator")
    hop = assumed_session(base, ROLE_ARN, "ops-session", duration_seconds=7200)
    assert hop.get_credentials().method == ASSUME_ROLE_METHOD
    with pytest.raises(InvalidInput, match="chaining"):
        assumed_session(hop, ROLE_ARN, "ops-session", duration_seconds=3601)
    # The derived session keeps the base's profile/config (that is how it reaches the sandbox).
    assert hop._session.get_config_variable("profile") == base._session.get_config_variable(
        "profile"
    )
    assert hop.region_name == base.region_name


# -- refresh -----------------------------------------------------------------------------------
def test_credentials_refresh_with_a_new_assume_role(switcher, calls):
    first = switcher.switch(TARGET, ROLE, duration_seconds=900)
    assert first.expiration < datetime.now(UTC) + timedelta(seconds=901)
    iam = switcher.session.client("iam")
    iam.list_roles()
    calls.names.clear()
    iam.list_roles()
    assert calls.names == ["ListRoles"]  # a 15-minute session does not refresh on every call
    before = switcher.session.get_credentials().get_frozen_credentials().access_key
    force_expiry(switcher.session)
    calls.names.clear()
    iam.list_roles()
    # before-call fires before signing, where botocore refreshes: ListRoles is counted first.
    assert calls.names == ["ListRoles", "AssumeRole"]
    after = switcher.session.get_credentials().get_frozen_credentials().access_key
    assert after != before
    assert switcher.active.expiration > datetime.now(UTC) + timedelta(minutes=10)
    assert identity_of(switcher.session).account_id == TARGET


# -- secrets -----------------------------------------------------------------------------------
def test_no_secret_in_any_repr_frame_or_error(fresh_sandbox, switcher):
    active = switcher.switch(TARGET, ROLE, display_name="prod", color="Blue")
    frozen = switcher.session.get_credentials().get_frozen_credentials()
    intern = RoleSwitcher(fresh_sandbox.session("source", "intern"), history=":memory:")
    with pytest.raises(SwitchDenied) as denied:
        intern.switch(TARGET, ROLE)
    shown = "\n".join(
        [
            str(active),
            repr(active),
            repr(switcher),
            str(switcher),
            str(switcher.base_identity),
            repr(switcher.base_identity),
            switcher.frame().to_string(),
            switcher.frame().to_html(),
            switcher.history.frame().to_string(),
            switcher.history.bookmarks().to_string(),
            repr(switcher.history),
            str(switcher.history.entries()),
            str(denied.value),
            repr(denied.value.reasons),
            active.frame().to_json(date_format="iso"),
        ]
    )
    secrets = [*fresh_sandbox.secrets(), frozen.secret_key, frozen.token]
    assert all(secret and secret not in shown for secret in secrets)
    assert frozen.access_key not in shown
