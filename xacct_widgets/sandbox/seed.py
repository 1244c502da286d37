"""The sandbox's accounts and principals, as in the tutorial (see ``docs/tutorial.md``).

Seeding talks to moto's backends directly rather than over HTTP: the same objects, a fraction
of the time (200 member accounts would otherwise cost thousands of requests).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from moto.iam.models import iam_backends
from moto.moto_api._internal import mock_random

from ..aws_limits import DEFAULT_SESSION_SECONDS
from .accounts import (
    CONSOLE_PASSWORD,
    EXTERNAL_VENDOR_ACCOUNT,
    MANAGEMENT_ACCOUNT,
    PARTITION,
    REGION,
    SANDBOX_MFA_CODE,
    SOURCE_ACCOUNT,
    TARGET_ACCOUNT,
)
from .moto_integration.keys import register_root_key

ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
IAM_READ_POLICY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
MEMBER_ROLE = "OrganizationAccountAccessRole"
SWITCHERS_GROUP = "role-switchers"


@dataclass(frozen=True)
class Principal:
    """A seeded identity and its long-term keys (the secret never reaches a repr)."""

    account_id: str
    name: str
    arn: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    mfa_serial: str | None = None
    description: str = ""


@dataclass
class Seed:
    principals: dict[str, dict[str, Principal]] = field(default_factory=dict)
    member_accounts: list[str] = field(default_factory=list)

    def add(self, principal: Principal) -> None:
        self.principals.setdefault(principal.account_id, {})[principal.name] = principal


def _policy(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _user(
    seed: Seed,
    account: str,
    name: str,
    description: str,
    managed: tuple[str, ...] = (),
    mfa: bool = False,
) -> None:
    iam = iam_backends[account][PARTITION]
    user = iam.create_user(REGION, name)
    for arn in managed:
        iam.attach_user_policy(arn, name)
    key = iam.create_access_key(name)
    iam.create_login_profile(name, CONSOLE_PASSWORD)
    serial = None
    if mfa:
        device = iam.create_virtual_mfa_device(name, "/")
        serial = device.serial_number
        iam.enable_mfa_device(name, serial, SANDBOX_MFA_CODE, "654321")
    seed.add(
        Principal(
            account, name, user.arn, key.access_key_id, key.secret_access_key, serial, description
        )
    )


def _root(seed: Seed, account: str) -> None:
    key = register_root_key(account)
    seed.add(
        Principal(
            account,
            "root",
            f"arn:aws:iam::{account}:root",
            key.access_key_id,
            key.secret_access_key,
            None,
            "the account's root user (cannot switch roles)",
        )
    )


def seed_tutorial(seed: Seed) -> None:
    """Source 9876-5432-9876: operator, intern, admin, root. Target 1234-5678-1234: admin, root."""
    src = iam_backends[SOURCE_ACCOUNT][PARTITION]
    src.create_group(SWITCHERS_GROUP)
    src.put_group_policy(
        SWITCHERS_GROUP,
        "allow-switch-role",
        _policy(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/*"}
        ),
    )
    _user(
        seed,
        SOURCE_ACCOUNT,
        "operator",
        "may call sts:AssumeRole (via group role-switchers)",
        (IAM_READ_POLICY,),
        mfa=True,
    )
    src.add_user_to_group(SWITCHERS_GROUP, "operator")
    _user(
        seed,
        SOURCE_ACCOUNT,
        "intern",
        "may read IAM but not call sts:AssumeRole",
        (IAM_READ_POLICY,),
    )
    _user(seed, SOURCE_ACCOUNT, "admin", "administrator of the source account", (ADMIN_POLICY,))
    _root(seed, SOURCE_ACCOUNT)
    _user(seed, TARGET_ACCOUNT, "admin", "administrator of the target account", (ADMIN_POLICY,))
    _root(seed, TARGET_ACCOUNT)


def seed_organization(seed: Seed, member_accounts: int) -> None:
    """A management account whose members each have the roles and buckets a fan-out can query."""
    from moto.organizations.models import organizations_backends
    from moto.s3.models import s3_backends

    _user(
        seed,
        MANAGEMENT_ACCOUNT,
        "admin",
        "administrator of the organization's management account",
        (ADMIN_POLICY,),
    )
    orgs = organizations_backends[MANAGEMENT_ACCOUNT][PARTITION]
    orgs.create_organization(region=REGION, FeatureSet="ALL")
    root_id = orgs.org.root_id  # type: ignore[union-attr]
    ous = [
        orgs.create_organizational_unit(ParentId=root_id, Name=name)["OrganizationalUnit"]["Id"]
        for name in ("prod", "dev")
    ]
    vendor_trust = _policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{EXTERNAL_VENDOR_ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "vendor-audit"}},
        }
    )
    auditor_trust = _policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    for i in range(member_accounts):
        ou = ous[i % 2]
        created = orgs.create_account(
            AccountName=f"tenant-{i + 1:03d}", Email=f"aws+tenant-{i + 1:03d}@example.com"
        )
        account = created["CreateAccountStatus"]["AccountId"]
        orgs.move_account(AccountId=account, SourceParentId=root_id, DestinationParentId=ou)
        iam = iam_backends[account][PARTITION]
        iam.attach_role_policy(ADMIN_POLICY, MEMBER_ROLE)  # as AWS does; moto attaches nothing
        for name, trust in (("auditor", auditor_trust), ("vendor-readonly", vendor_trust)):
            iam.create_role(
                name, trust, "/", None, f"seeded {name} role", [], str(DEFAULT_SESSION_SECONDS)
            )
        s3 = s3_backends[account][PARTITION]
        for purpose in ("logs", "data"):
            s3.create_bucket(f"xacct-{account}-{purpose}", REGION)
        seed.member_accounts.append(account)


def seed_all(member_accounts: int) -> Seed:
    mock_random.seed(20261128)  # stable IDs, so notebook outputs compare across runs
    seed = Seed()
    seed_tutorial(seed)
    if member_accounts:
        seed_organization(seed, member_accounts)
    return seed


#: The OU whose SCP denies ``iam:CreateRole`` (:func:`seed_rollout`).
LOCKED_OU = "locked"


@dataclass(frozen=True)
class RolloutRealism:
    """What :func:`seed_rollout` changed: the account moved under the locked OU's SCP, and the
    account left without the execution role."""

    scp_denied: str
    no_execution_role: str


def seed_rollout(member_accounts: list[str]) -> RolloutRealism:
    """Organization realism for a rollout, applied on request only (after :func:`seed_all`, so
    the IDs seeded before are unchanged): the last member account moves to a new OU ``locked``
    whose SCP denies ``iam:CreateRole``, and the second member's ``OrganizationAccountAccessRole``
    is deleted (an account joined by invitation, where nobody created it). In-process sandboxes
    only (``seed_rollout(sandbox.member_account_ids)``); needs >= 3 members."""
    from moto.organizations.models import organizations_backends

    if len(member_accounts) < 3:
        raise ValueError("seed_rollout needs a sandbox with member_accounts >= 3")
    orgs = organizations_backends[MANAGEMENT_ACCOUNT][PARTITION]
    root_id = orgs.org.root_id  # type: ignore[union-attr]
    locked = orgs.create_organizational_unit(ParentId=root_id, Name=LOCKED_OU)
    locked_id = locked["OrganizationalUnit"]["Id"]
    policy = orgs.create_policy(
        Name="deny-create-role",
        Description="no new IAM roles in this OU",
        Type="SERVICE_CONTROL_POLICY",
        Content=_policy({"Effect": "Deny", "Action": "iam:CreateRole", "Resource": "*"}),
    )
    orgs.attach_policy(PolicyId=policy["Policy"]["PolicySummary"]["Id"], TargetId=locked_id)
    denied = member_accounts[-1]
    parent = next(a.parent_id for a in orgs.accounts if a.id == denied)
    orgs.move_account(AccountId=denied, SourceParentId=parent, DestinationParentId=locked_id)
    bare = member_accounts[1]
    iam = iam_backends[bare][PARTITION]
    iam.detach_role_policy(ADMIN_POLICY, MEMBER_ROLE)
    iam.delete_role(MEMBER_ROLE)
    return RolloutRealism(denied, bare)


def describe(
    principals: Mapping[str, Mapping[str, Principal]],
) -> dict[str, dict[str, dict[str, Any]]]:
    """The seeded principals as JSON-ready dicts (what ``/_xacct/sandbox.json`` serves)."""
    return {
        account: {
            name: {
                "account_id": p.account_id,
                "name": p.name,
                "arn": p.arn,
                "access_key_id": p.access_key_id,
                "secret_access_key": p.secret_access_key,
                "mfa_serial": p.mfa_serial,
                "description": p.description,
            }
            for name, p in users.items()
        }
        for account, users in principals.items()
    }
