"""Part A in the caller's partition: trust policies, policy ARNs and read-back for aws-cn/-us-gov.

Each partition is its own set of accounts with its own ARN prefix; a GovCloud or China role must
trust principals and attach policies of its own partition, or IAM rejects the write:
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-arns.html
- https://docs.amazonaws.cn/en_us/aws/latest/userguide/ARNs.html

The sandbox is commercial only, so these tests are pure (RoleState built by hand, as IAM returns
it), except the last, which checks that a target refuses a spec made for another partition.
"""

from __future__ import annotations

import dataclasses

import pytest
from helpers import Calls
from target_helpers import S3_READ

from xacct_widgets.core import policies
from xacct_widgets.core.identity import Identity
from xacct_widgets.core.source.snapshot import Entity
from xacct_widgets.core.source.trust_checks import trust_unknown
from xacct_widgets.core.target import (
    RoleRecord,
    RoleSpec,
    RoleState,
    TargetAccount,
    diff,
    read_trust,
    spec_from_state,
)
from xacct_widgets.core.target.existing import is_root
from xacct_widgets.errors import InvalidRoleSpec

SOURCE = "987654329876"
TARGET = "123456781234"
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


def _policy(partition: str, name: str = "ReadOnlyAccess") -> str:
    return f"arn:{partition}:iam::aws:policy/{name}"


def _state(spec: RoleSpec, trust: dict | None = None, **changes) -> RoleState:
    """The role as IAM would return it: its ARN (and so its partition) from the spec."""
    record = RoleRecord(
        name=spec.name,
        arn=spec.role_arn(TARGET),
        account_id=TARGET,
        path=spec.path,
        role_id="AROAEXAMPLE",
        created=None,
        max_session_duration=spec.max_session_duration,
        trust_policy=trust if trust is not None else spec.trust_policy(),
        managed_policy_arns=tuple(sorted(spec.managed_policy_arns)),
        inline_policy_names=tuple(sorted(spec.inline_policies)),
        tags=spec.tags,
        switch_role_url="",
        description=spec.description,
        permissions_boundary=spec.permissions_boundary,
    )
    return RoleState(dataclasses.replace(record, **changes), dict(spec.inline_policies))


# -- trust policy per partition (principal element: reference_policies_elements_principal.html) --
def test_commercial_trust_policy_is_unchanged():
    assert policies.trust_policy(SOURCE) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    spec = RoleSpec(name="cross-account", trusted_account=SOURCE)
    assert spec.partition == "aws"
    assert spec.trust_policy() == policies.trust_policy(SOURCE)
    assert spec.role_arn(TARGET) == f"arn:aws:iam::{TARGET}:role/cross-account"


@pytest.mark.parametrize("partition", PARTITIONS)
def test_trust_policy_roots_the_account_in_its_partition(partition):
    # GovCloud / China ARNs: using-govcloud-arns.html, docs.amazonaws.cn .../ARNs.html
    spec = RoleSpec(
        name="cross-account",
        trusted_account=SOURCE,
        partition=partition,
        external_id="tenant-42",
        path="/ops/",
    )
    statement = spec.trust_policy()["Statement"][0]
    assert statement["Principal"] == {"AWS": f"arn:{partition}:iam::{SOURCE}:root"}
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": "tenant-42"}}
    assert spec.role_arn(TARGET) == f"arn:{partition}:iam::{TARGET}:role/ops/cross-account"
    assert (
        policies.trust_policy(SOURCE, partition=partition)
        == RoleSpec(name="r", trusted_account=SOURCE, partition=partition).trust_policy()
    )


@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov"])
def test_principals_of_the_partition_are_trusted(partition):
    users = [f"arn:{partition}:iam::{SOURCE}:user/alice", f"arn:{partition}:iam::{SOURCE}:role/ci"]
    spec = RoleSpec(
        name="cross-account", trusted_account=SOURCE, trusted_principals=users, partition=partition
    )
    assert spec.trust_policy()["Statement"][0]["Principal"] == {"AWS": users}


def test_partition_is_validated_and_normalised():
    # Supported partitions: aws, aws-cn, aws-us-gov (core.partitions).
    assert RoleSpec(name="r", trusted_account=SOURCE, partition=" AWS-US-GOV ").partition == (
        "aws-us-gov"
    )
    with pytest.raises(InvalidRoleSpec, match=r"RoleSpec\.partition: Partition 'aws-iso'") as err:
        RoleSpec(name="r", trusted_account=SOURCE, partition="aws-iso")
    assert "aws-us-gov" in (err.value.fix or "")


# -- a principal of another partition is refused (reference_policies_elements_principal.html) --
@pytest.mark.parametrize(
    ("partition", "principal", "found"),
    [
        ("aws-us-gov", f"arn:aws:iam::{SOURCE}:user/alice", "aws"),
        ("aws-cn", f"arn:aws-us-gov:iam::{SOURCE}:role/ci", "aws-us-gov"),
        ("aws", f"arn:aws-cn:iam::{SOURCE}:root", "aws-cn"),
    ],
)
def test_principal_in_another_partition_is_refused(partition, principal, found):
    with pytest.raises(InvalidRoleSpec, match=f"in partition '{found}', not the role's") as err:
        RoleSpec(
            name="r", trusted_account=SOURCE, trusted_principals=[principal], partition=partition
        )
    assert f"RoleSpec.trusted_principals: Principal {principal!r}" in err.value.message
    assert f"arn:{partition}:iam::{SOURCE}:user/NAME" in err.value.message
    assert f"partition={found!r}" in (err.value.fix or "")
    with pytest.raises(InvalidRoleSpec, match="not the role's partition"):
        policies.trust_policy(SOURCE, [principal], partition=partition)


def test_commercial_principal_rule_text_is_unchanged():
    with pytest.raises(InvalidRoleSpec) as err:
        policies.trust_policy(SOURCE, [f"arn:aws:iam::{SOURCE}:group/ops"])
    assert (
        f"it must be arn:aws:iam::{SOURCE}:user/NAME, arn:aws:iam::{SOURCE}:role/NAME or "
        f"arn:aws:iam::{SOURCE}:root (no wildcards, same account as trusted_account)."
    ) in err.value.message


# -- managed policies: arn:<partition>:iam::aws:policy/... (using-govcloud-arns.html) ------------
@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov"])
def test_managed_policies_must_be_in_the_spec_partition(partition):
    ok = RoleSpec(
        name="r",
        trusted_account=SOURCE,
        partition=partition,
        managed_policy_arns=[_policy(partition)],
        permissions_boundary=_policy(partition, "PowerUserAccess"),
    )
    assert ok.managed_policy_arns == (_policy(partition),)
    with pytest.raises(InvalidRoleSpec, match=r"RoleSpec\.managed_policy_arns") as err:
        RoleSpec(
            name="r",
            trusted_account=SOURCE,
            partition=partition,
            managed_policy_arns=[_policy("aws")],
        )
    assert f"in the spec's partition {partition!r}" in err.value.message
    assert repr(_policy(partition)) in (err.value.fix or "")
    with pytest.raises(InvalidRoleSpec, match=r"RoleSpec\.permissions_boundary"):
        RoleSpec(
            name="r",
            trusted_account=SOURCE,
            partition=partition,
            permissions_boundary=_policy("aws"),
        )
    with pytest.raises(InvalidRoleSpec, match=r"RoleSpec\.managed_policy_arns"):
        RoleSpec(name="r", trusted_account=SOURCE, managed_policy_arns=[_policy(partition)])


# -- reading a GovCloud / China trust policy back (existing.read_trust, spec_from_state) --------
@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov"])
def test_read_trust_of_any_partition(partition):
    root = f"arn:{partition}:iam::{SOURCE}:root"
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "",
                "Effect": "Allow",
                "Principal": {"AWS": [root, f"arn:{partition}:iam::{SOURCE}:user/alice"]},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        ],
    }
    read = read_trust(doc)
    assert not read.unreadable
    assert read.principals == (root, f"arn:{partition}:iam::{SOURCE}:user/alice")
    assert read.accounts == (SOURCE,) and read.partitions == (partition,)
    assert read.require_mfa and read.external_id is None
    assert is_root(root) and not is_root(f"arn:{partition}:iam::{SOURCE}:user/alice")
    # A bare account ID (which IAM stores as the root ARN) is read in the role's partition,
    # or in that of the document's other principals.
    bare = {**doc, "Statement": [{**doc["Statement"][0], "Principal": {"AWS": SOURCE}}]}
    assert read_trust(bare, partition).principals == (root,)
    both = {"AWS": [f"arn:{partition}:iam::{SOURCE}:user/bob", SOURCE]}
    mixed = {**doc, "Statement": [{**doc["Statement"][0], "Principal": both}]}
    assert read_trust(mixed).principals[1] == root
    assert read_trust(bare).principals == (f"arn:aws:iam::{SOURCE}:root",)


@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov"])
@pytest.mark.parametrize("who", [(), ("user/alice", "role/ci")])
def test_spec_from_state_round_trip(partition, who):
    spec = RoleSpec(
        name="cross-account",
        trusted_account=SOURCE,
        partition=partition,
        managed_policy_arns=[f"arn:{partition}:iam::{TARGET}:policy/Local", _policy(partition)],
        inline_policies={"s3": S3_READ},
        trusted_principals=[f"arn:{partition}:iam::{SOURCE}:{p}" for p in who],
        external_id="tenant-42",
        require_mfa=True,
        max_session_duration=7200,
        path="/ops/",
        description="GovCloud or China",
        tags={"team": "ops"},
        permissions_boundary=_policy(partition, "PowerUserAccess"),
    )
    state = _state(spec)
    assert state.record.partition == partition
    back = spec_from_state(state)
    assert back == spec and back.partition == partition
    assert diff(back, state).is_noop
    # What IAM returns (a Sid, an empty Condition, a list Action) reads the same.
    statement = {**spec.trust_policy()["Statement"][0], "Sid": "", "Action": ["sts:AssumeRole"]}
    iam_doc = {"Version": "2012-10-17", "Statement": [statement]}
    assert spec_from_state(_state(spec, iam_doc)) == spec
    assert diff(spec, _state(spec, iam_doc)).is_noop


def test_spec_from_state_refuses_principals_of_another_partition():
    spec = RoleSpec(name="cross-account", trusted_account=SOURCE, partition="aws-us-gov")
    commercial = policies.trust_policy(SOURCE)  # arn:aws:...:root on a GovCloud role
    with pytest.raises(InvalidRoleSpec, match="principals in aws, the role is in aws-us-gov"):
        spec_from_state(_state(spec, commercial))


# -- planning: a default-partition spec is re-based to the target's ------------------------------
def test_default_spec_is_rebased_to_the_target_partition():
    spec = RoleSpec(
        name="cross-account",
        trusted_account=SOURCE,
        managed_policy_arns=[_policy("aws")],
        trusted_principals=[f"arn:aws:iam::{SOURCE}:user/alice"],
        permissions_boundary=_policy("aws", "PowerUserAccess"),
        external_id="tenant-42",
    )
    assert spec.for_partition("aws") is spec  # commercial: nothing changes
    gov = spec.for_partition("aws-us-gov")
    assert gov == dataclasses.replace(
        spec,
        partition="aws-us-gov",
        managed_policy_arns=(_policy("aws-us-gov"),),
        trusted_principals=(f"arn:aws-us-gov:iam::{SOURCE}:user/alice",),
        permissions_boundary=_policy("aws-us-gov", "PowerUserAccess"),
    )
    assert gov.trust_policy()["Statement"][0]["Principal"] == {
        "AWS": f"arn:aws-us-gov:iam::{SOURCE}:user/alice"
    }
    root = RoleSpec(name="r", trusted_account=SOURCE).for_partition("aws-cn")
    assert root.trust_policy() == policies.trust_policy(SOURCE, partition="aws-cn")
    # The plan of a re-based spec against the GovCloud role it describes is empty.
    assert diff(gov, _state(gov)).is_noop
    steps = [(s.action, s.target) for s in diff(gov, None).steps]
    assert ("attach policy", _policy("aws-us-gov")) in steps


def test_spec_made_for_another_partition_is_refused():
    spec = RoleSpec(name="cross-account", trusted_account=SOURCE, partition="aws-cn")
    assert spec.for_partition("aws-cn") is spec
    for target in ("aws", "aws-us-gov"):
        with pytest.raises(
            InvalidRoleSpec, match=f"in partition 'aws-cn'.*in partition '{target}'"
        ):
            spec.for_partition(target)
    with pytest.raises(InvalidRoleSpec, match=r"RoleSpec\.partition"):
        spec.for_partition("mars")


def test_sandbox_target_refuses_a_spec_of_another_partition(fresh_sandbox):
    # The sandbox is commercial (its caller ARNs are arn:aws:...): a China spec cannot be planned.
    target = TargetAccount(fresh_sandbox.session("target", "admin"))
    calls = Calls(target.iam)
    with pytest.raises(InvalidRoleSpec, match="in partition 'aws-cn'"):
        target.apply(RoleSpec(name="cross-account", trusted_account=SOURCE, partition="aws-cn"))
    assert calls.writes == []
    plan = target.plan(RoleSpec(name="cross-account", trusted_account=SOURCE, partition="aws"))
    assert plan.spec.partition == target.partition == "aws"


# -- the source side speaks the caller's partition ----------------------------------------------
@pytest.mark.parametrize("partition", PARTITIONS)
def test_source_checks_name_the_caller_partition(partition):
    # Assumed-role session ARNs: reference_identifiers.html#identifiers-arns
    role = Entity("role", "ci", f"arn:{partition}:iam::{SOURCE}:role/ci")
    principal = role.principal
    assert principal is not None
    assert principal.arn == f"arn:{partition}:sts::{SOURCE}:assumed-role/ci/xacct-check"
    caller = Identity.from_arn(f"arn:{partition}:iam::{SOURCE}:user/alice")
    role_arn = f"arn:{partition}:iam::{TARGET}:role/cross-account"
    names = trust_unknown(caller, role_arn, None)[0]
    assert f"names arn:{partition}:iam::{SOURCE}:root or {caller.arn}." in names.fix
