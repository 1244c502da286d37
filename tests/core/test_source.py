"""Part B, source side: whoami, preflight (every denial path), restricting who may switch.

Real calls against the sandbox; the target role is created here with plain boto3 so these tests
do not depend on part A's code.
"""

from __future__ import annotations

import pytest
from helpers import ROLE, ROLE_ARN, SOURCE, TARGET, limited_session, make_role

from xacct_widgets.core.identity import IDENTITY_COLUMNS, Identity
from xacct_widgets.core.source import (
    CHECK_COLUMNS,
    SWITCHER_COLUMNS,
    TABLE_COLUMNS,
    SourceAccount,
)
from xacct_widgets.core.source.preflight import BY_ENGINE, BY_SIMULATION
from xacct_widgets.errors import InvalidAccountId, InvalidInput, InvalidRoleName


# -- whoami ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("user", "ptype", "name", "is_root"),
    [
        ("operator", "user", "operator", False),
        ("intern", "user", "intern", False),
        ("root", "root", "root", True),
    ],
)
def test_whoami(sandbox, user, ptype, name, is_root):
    who = SourceAccount(sandbox.session("source", user)).whoami()
    assert (who.account_id, who.principal_type, who.name, who.is_root) == (
        SOURCE,
        ptype,
        name,
        is_root,
    )
    frame = who.frame()
    assert list(frame.columns) == list(IDENTITY_COLUMNS)
    assert frame.loc[0, "arn"] == who.arn


def test_identity_from_arns():
    assumed = Identity.from_arn(f"arn:aws:sts::{TARGET}:assumed-role/{ROLE}/operator")
    assert (assumed.principal_type, assumed.name, assumed.session_name) == (
        "assumed-role",
        ROLE,
        "operator",
    )
    assert assumed.role_arn == ROLE_ARN
    pathed = Identity.from_arn(f"arn:aws:iam::{SOURCE}:user/staff/ops/operator")
    assert (pathed.principal_type, pathed.name) == ("user", "operator")
    fed = Identity.from_arn(f"arn:aws:sts::{SOURCE}:federated-user/bob")
    assert fed.principal_type == "federated"


def test_whoami_is_cached(sandbox, calls):
    source = SourceAccount(sandbox.session("source", "operator"))
    source.whoami()
    source.whoami()
    assert calls.count("GetCallerIdentity") == 1


# -- preflight ---------------------------------------------------------------------------------
def test_preflight_ok_for_operator(fresh_sandbox):
    make_role(fresh_sandbox)
    source = SourceAccount(fresh_sandbox.session("source", "operator"))
    blind = source.preflight("1234-5678-1234", ROLE)
    assert blind.ok
    assert list(blind.checks.columns) == list(CHECK_COLUMNS)
    assert {c.check for c in blind.unknown} >= {"role exists", "trust policy names caller"}
    full = source.preflight(
        "1234-5678-1234", ROLE, target_session=fresh_sandbox.session("target", "admin")
    )
    assert full.ok and not full.unknown, str(full)
    assert full.checks["ok"].tolist() == [True] * len(full.checks)


def test_preflight_fails_for_intern_with_fix(fresh_sandbox):
    make_role(fresh_sandbox)
    result = SourceAccount(fresh_sandbox.session("source", "intern")).preflight(TARGET, ROLE)
    assert not result.ok
    (failed,) = result.failed
    assert failed.check == "identity policy allows sts:AssumeRole"
    assert ROLE_ARN in failed.detail
    assert "allow_assume_role" in failed.fix  # advice adds access, never takes any away
    row = result.checks.set_index("check").loc["identity policy allows sts:AssumeRole"]
    assert row["ok"] is False and row["fix"]


def test_preflight_fails_for_root(fresh_sandbox):
    make_role(fresh_sandbox)
    result = SourceAccount(fresh_sandbox.session("source", "root")).preflight(TARGET, ROLE)
    assert not result.ok
    assert [c.check for c in result.failed] == ["caller is not root"]
    assert "root" in result.failed[0].fix


def test_preflight_external_id(fresh_sandbox):
    make_role(fresh_sandbox, external_id="tenant-42")
    source = SourceAccount(fresh_sandbox.session("source", "operator"))
    target = fresh_sandbox.session("target", "admin")
    missing = source.preflight(TARGET, ROLE, target_session=target)
    assert [c.check for c in missing.failed] == ["external id"]
    assert "external_id=" in missing.failed[0].fix
    wrong = source.preflight(TARGET, ROLE, external_id="tenant-43", target_session=target)
    assert [c.check for c in wrong.failed] == ["external id"]
    assert "tenant-42" not in str(wrong.checks.to_dict())  # the expected value is not disclosed
    assert source.preflight(TARGET, ROLE, external_id="tenant-42", target_session=target).ok


def test_preflight_mfa_required(fresh_sandbox):
    make_role(fresh_sandbox, require_mfa=True)
    source = SourceAccount(fresh_sandbox.session("source", "operator"))
    target = fresh_sandbox.session("target", "admin")
    missing = source.preflight(TARGET, ROLE, target_session=target)
    assert [c.check for c in missing.failed] == ["mfa"]
    assert "mfa_serial=" in missing.failed[0].fix
    serial = fresh_sandbox.principal("source", "operator")["mfa_serial"]
    assert source.preflight(TARGET, ROLE, mfa_serial=serial, target_session=target).ok
    foreign = source.preflight(
        TARGET, ROLE, mfa_serial=f"arn:aws:iam::{SOURCE}:mfa/someone-else", target_session=target
    )
    assert [c.check for c in foreign.failed] == ["mfa"]


def test_preflight_role_missing_or_untrusting(fresh_sandbox):
    source = SourceAccount(fresh_sandbox.session("source", "operator"))
    target = fresh_sandbox.session("target", "admin")
    missing = source.preflight(TARGET, ROLE, target_session=target)
    assert [c.check for c in missing.failed] == ["role exists"]
    assert "create the role" in missing.failed[0].fix
    make_role(fresh_sandbox, trusted="111122223333")
    untrusting = source.preflight(TARGET, ROLE, target_session=target)
    assert [c.check for c in untrusting.failed] == ["trust policy names caller"]
    assert SOURCE in untrusting.failed[0].fix


def test_preflight_unknown_when_caller_cannot_read_its_policies(fresh_sandbox):
    make_role(fresh_sandbox)
    session = limited_session(fresh_sandbox, "contractor", ["sts:AssumeRole"], account="source")
    result = SourceAccount(session).preflight(TARGET, ROLE)
    check = next(c for c in result.results if c.check.startswith("identity policy"))
    assert check.ok is None
    assert "cannot read its own IAM policies" in check.detail
    assert result.ok  # unknown is not a failure


def test_preflight_validates_before_any_call(sandbox, calls):
    source = SourceAccount(sandbox.session("source", "operator"))
    with pytest.raises(InvalidAccountId, match="1234-5678"):
        source.preflight("1234-5678", ROLE)
    with pytest.raises(InvalidRoleName):
        source.preflight(TARGET, "cross account")
    with pytest.raises(InvalidInput, match="External ID"):
        source.preflight(TARGET, ROLE, external_id="x")
    assert calls.count() == 0


def test_policy_evaluation_wildcards_and_denies():
    from xacct_widgets.core.source.preflight import identity_verdict
    from xacct_widgets.policy import parse_policy

    def policy(*statements):
        return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, "test")

    def _evaluate(found, action, resource):
        return identity_verdict(found, resource, action=action)

    allow_all_roles = {
        "Effect": "Allow",
        "Action": "sts:Assume*",
        "Resource": "arn:aws:iam::*:role/*",
    }
    assert _evaluate([policy(allow_all_roles)], "sts:AssumeRole", ROLE_ARN).allowed is True
    not_action = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    assert _evaluate([policy(not_action)], "sts:AssumeRole", ROLE_ARN).allowed is True
    not_resource = {"Effect": "Allow", "Action": "sts:AssumeRole", "NotResource": ROLE_ARN}
    assert _evaluate([policy(not_resource)], "sts:AssumeRole", ROLE_ARN).allowed is False
    deny = {"Effect": "Deny", "Action": "sts:*", "Resource": f"arn:aws:iam::{TARGET}:role/cross-*"}
    decided = _evaluate([policy(allow_all_roles), policy(deny)], "sts:AssumeRole", ROLE_ARN)
    assert decided.allowed is False and "explicitly denied" in decided.detail
    conditional = {**allow_all_roles, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
    assert _evaluate([policy(conditional)], "sts:AssumeRole", ROLE_ARN).allowed is None
    # '[' is literal in IAM, not a character class as in fnmatch.
    bracket = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/[a]"}
    assert _evaluate([policy(bracket)], "sts:AssumeRole", "arn:aws:iam::1:role/a").allowed is False


# -- readable preflight -----------------------------------------------------------------------
def test_preflight_table_reads_for_the_person_switching(fresh_sandbox):
    make_role(fresh_sandbox)
    result = SourceAccount(fresh_sandbox.session("source", "intern")).preflight(TARGET, ROLE)
    table = result.table
    assert tuple(table.columns) == TABLE_COLUMNS
    assert not table.isna().any().any() and (table != "").all().all()  # no None, no blanks
    assert set(table["result"]) <= {"✔", "✘", "?"}
    row = table.set_index("check").loc["Your permissions allow switching"]
    assert row["result"] == "✘"
    assert "ask an administrator of 9876-5432-9876" in row["what to do"].lower()
    assert "allow_assume_role" not in " ".join(table["what to do"])  # no Python for users
    admin = result.for_administrators.set_index("check")
    assert "allow_assume_role" in admin.loc["identity policy allows sts:AssumeRole", "fix"]
    # Each check says who answered: the sandbox does not serve the simulator yet, or does.
    answered = set(table["answered by"])
    assert answered & {BY_SIMULATION, BY_ENGINE}
    assert "AWS (sts:GetCallerIdentity)" in answered


def test_preflight_asks_aws_first(fresh_sandbox, calls):
    make_role(fresh_sandbox)
    calls.clear()
    SourceAccount(fresh_sandbox.session("source", "operator")).preflight(TARGET, ROLE)
    assert calls.count("SimulatePrincipalPolicy") == 1  # one attempt, no retries
    assert calls.writes == ["SimulatePrincipalPolicy"]


# -- restricting who may switch (more in test_restrict.py) ----------------------------------------
def test_restrict_assume_role_is_idempotent_and_effective(fresh_sandbox, calls):
    make_role(fresh_sandbox)
    make_role(fresh_sandbox, "billing")
    admin = SourceAccount(fresh_sandbox.session("source", "admin"))
    first = admin.restrict_assume_role(ROLE_ARN, users=["intern"], allow_destructive=True)
    assert first.changed and first.role_arns == (ROLE_ARN,)
    puts_before = calls.count("PutUserPolicy")
    second = admin.restrict_assume_role(ROLE_ARN, users=["intern"])
    assert not second.changed
    assert calls.count("PutUserPolicy") == puts_before  # no write when identical
    intern = SourceAccount(fresh_sandbox.session("source", "intern"))
    assert intern.preflight(TARGET, ROLE).ok
    assert not intern.preflight(TARGET, "billing").ok
    assert second.frame().columns[0] == "policy"


def test_allowed_switchers(fresh_sandbox):
    frame = SourceAccount(fresh_sandbox.session("source", "admin")).allowed_switchers([ROLE_ARN])
    assert tuple(frame.columns) == SWITCHER_COLUMNS
    allowed = dict(zip(frame["user_name"], frame["allowed"], strict=True))
    assert allowed["operator"] is True
    assert allowed["intern"] is False
    assert allowed["admin"] is True  # AdministratorAccess allows everything
