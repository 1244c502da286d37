"""MFA first-class in the core (issue 20, item 1): the caller's devices are listed, a switch
needs only the code, and a refusal by a role that requires MFA says exactly that."""

from __future__ import annotations

import json

import pytest
from helpers import ROLE, SOURCE, TARGET, count_calls, make_role

from xacct_widgets.core.source import SourceAccount
from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.errors import InvalidInput, SwitchDenied

DENY_LISTING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "iam:ListMFADevices", "Resource": "*"}],
}


@pytest.fixture
def mfa_role(fresh_sandbox):
    return make_role(fresh_sandbox, require_mfa=True)


@pytest.fixture
def serial(fresh_sandbox):
    return fresh_sandbox.principal("source", "operator")["mfa_serial"]


def deny_listing(sandbox) -> None:
    sandbox.session("source", "admin").client("iam").put_user_policy(
        UserName="operator", PolicyName="no-mfa-listing", PolicyDocument=json.dumps(DENY_LISTING)
    )


def test_the_callers_devices_are_listed(fresh_sandbox, serial):
    operator = fresh_sandbox.session("source", "operator")
    devices = SourceAccount(operator).mfa_devices()
    assert devices.listed and devices.serials == (serial,) and devices.only == serial
    assert not devices.must_type
    assert RoleSwitcher(operator, history=":memory:").mfa_devices() == devices
    intern = SourceAccount(fresh_sandbox.session("source", "intern")).mfa_devices()
    assert intern.listed and intern.serials == () and intern.must_type


def test_a_refused_listing_says_the_device_must_be_typed(fresh_sandbox):
    deny_listing(fresh_sandbox)
    devices = SourceAccount(fresh_sandbox.session("source", "operator")).mfa_devices()
    assert not devices.listed and devices.must_type and devices.only is None
    assert "iam:ListMFADevices was refused (AccessDenied)" in devices.why


def test_the_code_alone_switches_with_the_callers_only_device(fresh_sandbox, mfa_role):
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    active = switcher.switch(TARGET, ROLE, mfa_token=fresh_sandbox.MFA_CODE)
    assert active.mfa and active.role_arn == mfa_role


def test_the_code_alone_is_refused_before_any_assume_role_when_devices_are_not_listed(
    fresh_sandbox, mfa_role, serial, monkeypatch
):
    deny_listing(fresh_sandbox)
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    switcher.base_identity  # noqa: B018 - read before counting
    calls = count_calls(monkeypatch)
    with pytest.raises(InvalidInput, match="cannot be looked up") as err:
        switcher.switch(TARGET, ROLE, mfa_token=fresh_sandbox.MFA_CODE)
    assert "mfa_serial=" in (err.value.fix or "")
    assert calls.count("AssumeRole") == 0
    assert switcher.switch(TARGET, ROLE, mfa_serial=serial, mfa_token=fresh_sandbox.MFA_CODE).mfa


def test_a_malformed_code_is_refused_before_any_call(fresh_sandbox, monkeypatch):
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    calls = count_calls(monkeypatch)
    with pytest.raises(InvalidInput, match="MFA code"):
        switcher.switch(TARGET, ROLE, mfa_token="12345")
    assert calls.count() == 0


def test_a_refusal_without_the_code_says_the_role_requires_mfa(fresh_sandbox, mfa_role, serial):
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    with pytest.raises(SwitchDenied) as denied:
        switcher.switch(TARGET, ROLE)
    reasons = denied.value.reasons
    assert reasons[0].startswith("This role most likely requires MFA"), reasons
    assert not any(r.startswith("Unknown") for r in reasons), reasons
    fix = denied.value.fix or ""
    assert "6-digit code" in fix and serial in fix
    assert "SourceAccount.preflight" not in fix


def test_a_refusal_by_a_readable_trust_policy_requiring_mfa_is_certain(fresh_sandbox):
    # A role of the caller's own account: its trust policy is read, so MFA is known, not guessed.
    make_role(fresh_sandbox, "local-mfa", require_mfa=True, policy_arns=(), account="source")
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    with pytest.raises(SwitchDenied) as denied:
        switcher.switch(SOURCE, "local-mfa")
    assert denied.value.reasons[0] == (
        "This role requires MFA, and the switch was made without an MFA code "
        "(its trust policy asks for aws:MultiFactorAuthPresent)."
    )
    assert switcher.switch(SOURCE, "local-mfa", mfa_token=fresh_sandbox.MFA_CODE).mfa


def test_a_refusal_for_another_reason_does_not_blame_mfa(fresh_sandbox, mfa_role):
    switcher = RoleSwitcher(fresh_sandbox.session("source", "intern"), history=":memory:")
    with pytest.raises(SwitchDenied) as denied:
        switcher.switch(TARGET, ROLE)
    assert not any("MFA" in r for r in denied.value.reasons[:1]), denied.value.reasons
    assert "No identity policy of the caller allows sts:AssumeRole" in denied.value.reasons[0]
