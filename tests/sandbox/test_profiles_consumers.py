"""The real consumers of exported profiles, against the sandbox: botocore's own AssumeRole
provider (``boto3.Session(profile_name=...)``) and the AWS CLI (``aws --profile ...`` in a
subprocess with nothing but AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE). Also profiles as
switch and query targets, and a ``credential_process`` profile as the base session.

The operator's keys go into a private temporary credentials file, never to the output.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import boto3
import pytest
from helpers import EXTERNAL_ID, ROLE, ROLE_ARN, TARGET, VENDOR_ROLE
from support import aws_cli

import xacct_widgets as xw
from xacct_widgets.core.profiles import (
    RoleRef,
    aws_config_profiles,
    export_profiles,
    profile_session,
    role_refs,
)
from xacct_widgets.core.query.run import query
from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.errors import InvalidInput, SandboxError, SwitchDenied


def cli(*args: str, files: dict[str, Path]) -> subprocess.CompletedProcess[str]:
    """The AWS CLI of this venv with only the two files as its AWS environment, and a home of
    its own (the CLI caches assumed-role keys in ~/.aws/cli/cache, stale after a reset)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["HOME"] = str(files["config"].parent / "cli-home")
    env["AWS_CONFIG_FILE"] = str(files["config"])
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(files["credentials"])
    return aws_cli(*args, env=env)


def assumed(arn: str, role: str) -> bool:
    return arn.startswith(f"arn:aws:sts::{TARGET}:assumed-role/{role}/")


def test_exported_history_works_in_boto3_and_the_cli(fresh_sandbox, aws_files) -> None:
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    switcher.switch(TARGET, ROLE, display_name="prod", color="Green")
    entries = [switcher.active, RoleRef(TARGET, VENDOR_ROLE, external_id=EXTERNAL_ID)]
    diff = export_profiles(entries, source_profile="operator")  # $AWS_CONFIG_FILE
    assert list(diff["profile"]) == ["prod", f"{VENDOR_ROLE}-{TARGET}"]
    assert set(diff["endpoint_url"]) == {fresh_sandbox.endpoint_url}  # from the source profile

    for profile, role in (("prod", ROLE), (f"{VENDOR_ROLE}-{TARGET}", VENDOR_ROLE)):
        # botocore's own AssumeRole provider
        who = boto3.Session(profile_name=profile).client("sts").get_caller_identity()
        assert assumed(who["Arn"], role), who["Arn"]
        # the AWS CLI
        done = cli("--profile", profile, "sts", "get-caller-identity", files=aws_files)
        assert done.returncode == 0, done.stderr[-2000:]
        assert assumed(json.loads(done.stdout)["Arn"], role), done.stdout

    # read back: what was exported
    read = {r.profile: r for r in role_refs(aws_config_profiles())}
    assert read["prod"].role_arn == ROLE_ARN and read["prod"].color == "B7CA9D"
    assert read[f"{VENDOR_ROLE}-{TARGET}"].external_id == EXTERNAL_ID
    assert {r.source_profile for r in read.values()} == {"operator"}


def test_external_id_is_what_makes_the_profile_work(fresh_sandbox, aws_files) -> None:
    """Without its ExternalId the same role is refused: the exported key is really used."""
    export_profiles([RoleRef(TARGET, VENDOR_ROLE, profile="no-id")], source_profile="operator")
    done = cli("--profile", "no-id", "sts", "get-caller-identity", files=aws_files)
    assert done.returncode != 0 and "AccessDenied" in done.stderr


def test_role_session_name_and_duration_reach_sts(fresh_sandbox, aws_files) -> None:
    ref = RoleRef(TARGET, ROLE, profile="named", role_session_name="from-cli", duration_seconds=900)
    export_profiles([ref], source_profile="operator")
    done = cli("--profile", "named", "sts", "get-caller-identity", files=aws_files)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["Arn"].endswith(f"assumed-role/{ROLE}/from-cli")


def test_profiles_switch_and_query_with_their_external_id(fresh_sandbox, aws_files) -> None:
    export_profiles(
        [
            RoleRef(TARGET, ROLE, profile="tutorial", role_session_name="tutorial-run"),
            RoleRef(TARGET, VENDOR_ROLE, profile="vendor", external_id=EXTERNAL_ID),
        ],
        source_profile="operator",
    )
    profiles = aws_config_profiles().set_index("profile", drop=False)
    operator = fresh_sandbox.session("source", "operator")
    switcher = RoleSwitcher(operator, history=":memory:")
    active = switcher.switch_entry(profiles.loc["vendor"])  # a profiles-frame row
    assert active.role_name == VENDOR_ROLE
    switcher.back()
    ref = role_refs(profiles.loc[["tutorial"]])[0]
    active = switcher.switch_entry(ref)  # a RoleRef
    assert active.identity_arn.endswith("/tutorial-run")
    # the same frame as query targets: each role with its ExternalId
    result = query(profiles, "sts", "get_caller_identity", session=operator)
    assert result.errors.empty, result.errors.to_dict("records")
    assert sorted(result.frame["Arn"].map(lambda a: a.split("/")[1])) == [ROLE, VENDOR_ROLE]


def test_switch_entry_refuses_an_mfa_profile_without_a_code(fresh_sandbox, aws_files) -> None:
    serial = fresh_sandbox.principal("source", "operator")["mfa_serial"]
    ref = RoleRef(TARGET, ROLE, mfa_serial=serial)
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    with pytest.raises(InvalidInput, match="mfa_token"):
        switcher.switch_entry(ref)
    assert switcher.switch_entry(ref, mfa_token=fresh_sandbox.MFA_CODE).role_name == ROLE


def test_credential_process_profile_is_a_base_session(fresh_sandbox, aws_files) -> None:
    """The sandbox's ``credential_process`` (no key written anywhere) plus endpoint_url: boto3
    runs it (xw.connect(profile=...)), then a switch into the tutorial role works from it."""
    with aws_files["config"].open("a") as handle:
        handle.write(
            f"\n[profile proc]\ncredential_process = {fresh_sandbox.credential_process()}\n"
            f"region = {fresh_sandbox.region}\nendpoint_url = {fresh_sandbox.endpoint_url}\n"
        )
    assert fresh_sandbox.env()["AWS_SECRET_ACCESS_KEY"] not in aws_files["config"].read_text()
    for session in (xw.connect(profile="proc"), profile_session("proc")):
        assert session.get_credentials().method == "custom-process"
        switcher = RoleSwitcher(session, history=":memory:")
        assert switcher.base_identity.arn.endswith(":user/operator")
        active = switcher.switch(TARGET, ROLE)
        assert assumed(active.identity_arn, ROLE)
    # and a role profile exported with it as its source works in the CLI
    export_profiles([RoleRef(TARGET, ROLE, profile="via-proc")], source_profile="proc")
    done = cli("--profile", "via-proc", "sts", "get-caller-identity", files=aws_files)
    assert done.returncode == 0, done.stderr[-2000:]
    assert assumed(json.loads(done.stdout)["Arn"], ROLE)


def test_a_refused_profile_switch_is_explained(fresh_sandbox, aws_files) -> None:
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    with pytest.raises(SwitchDenied):
        switcher.switch_entry(RoleRef(TARGET, VENDOR_ROLE, external_id="wrong-id"))


def test_credential_process_for_an_unknown_user_is_refused_at_once(fresh_sandbox) -> None:
    with pytest.raises(SandboxError, match="No user 'nobody'"):
        fresh_sandbox.credential_process("source", "nobody")
