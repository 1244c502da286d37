"""connect(account, user, profile=...) checks its labels against the profile (issue 18): a
profile given for the wrong side fails at once, with the field that is wrong."""

from __future__ import annotations

import pytest
from helpers import SOURCE, TARGET

import xacct_widgets as xw
from xacct_widgets.errors import InvalidInput


@pytest.fixture
def profiles(fresh_sandbox, aws_files):
    """``proc``: the sandbox's credential_process for source:operator; ``role``: a role profile
    in the target account; ``operator`` (from aws_files): the source operator's keys."""
    with aws_files["config"].open("a") as handle:
        handle.write(
            f"\n[profile proc]\ncredential_process = {fresh_sandbox.credential_process()}\n"
            f"region = {fresh_sandbox.region}\nendpoint_url = {fresh_sandbox.endpoint_url}\n"
            f"\n[profile role]\nrole_arn = arn:aws:iam::{TARGET}:role/cross-account\n"
            "source_profile = operator\n"
        )
    return aws_files


def refused(field, **kwargs):
    with pytest.raises(InvalidInput) as info:
        xw.connect(**kwargs)
    assert info.value.field == field
    return info.value


def test_a_sandbox_profile_must_match_both_labels(profiles) -> None:
    for session in (xw.connect(profile="proc"), xw.connect("source", "operator", profile="proc")):
        assert session.client("sts").get_caller_identity()["Arn"].endswith(":user/operator")
    err = refused("account", account="target", user="operator", profile="proc")
    assert "'target'" in err.message and "'source'" in err.message
    refused("user", account="source", user="admin", profile="proc")


def test_an_account_id_label_is_checked_against_the_identity(profiles) -> None:
    assert xw.connect(SOURCE, "operator", profile="operator").profile_name == "operator"
    assert xw.connect("9876-5432-9876", "operator", profile="proc").profile_name == "proc"
    err = refused("account", account=TARGET, profile="operator")
    assert TARGET in err.message and SOURCE in err.message


def test_a_role_profile_names_its_account(profiles) -> None:
    assert xw.connect(TARGET, "admin", profile="role").profile_name == "role"
    refused("account", account=SOURCE, profile="role")


def test_side_labels_with_a_real_profile_still_work(profiles) -> None:
    """A real account has no sandbox alias: the label only says which side (notebooks pass
    ``connect("target", "admin", profile=target_profile)``)."""
    session = xw.connect("target", "admin", profile="operator")
    assert session.profile_name == "operator"
