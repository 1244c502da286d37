"""Shared set-up of the rollout tests: the sandbox's organization with rollout realism.

``org`` resets the sandbox, applies :func:`xacct_widgets.sandbox.seed.seed_rollout` (one member
under an SCP denying iam:CreateRole, one without the execution role) and resets it again
afterwards, so no other test sees that realism.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from helpers import READ_ONLY, SOURCE
from moto.iam.models import iam_backends

from xacct_widgets.core.query import clear_credential_cache
from xacct_widgets.core.sessions import assumed_session
from xacct_widgets.core.target import RoleSpec, RoleState, TargetAccount, reads
from xacct_widgets.sandbox import Sandbox
from xacct_widgets.sandbox.seed import ADMIN_POLICY, MEMBER_ROLE, seed_rollout

ROLLED = "org-reader"
SPEC = RoleSpec(name=ROLLED, trusted_account=SOURCE, managed_policy_arns=[READ_ONLY])


@dataclass
class Org:
    sandbox: Sandbox
    mgmt: boto3.Session
    ok: str  # a member where everything works (prod)
    no_role: str  # a member without the execution role (dev)
    locked: str  # a member under the SCP denying iam:CreateRole

    @property
    def management(self) -> str:
        return Sandbox.MANAGEMENT

    def session(self, account: str) -> boto3.Session:
        """A session acting in ``account`` (the execution role, or the management admin)."""
        if account == self.management:
            return self.mgmt
        return assumed_session(
            self.mgmt, f"arn:aws:iam::{account}:role/{MEMBER_ROLE}", "rollout-test"
        )

    def add_account(self, name: str) -> str:
        """A new member account, made through Organizations as a person would (AWS creates the
        execution role with AdministratorAccess; moto makes the role only, so it is attached)."""
        orgs = self.mgmt.client("organizations")
        made = orgs.create_account(AccountName=name, Email=f"{name}@example.com")
        account = str(made["CreateAccountStatus"]["AccountId"])
        iam_backends[account]["aws"].attach_role_policy(ADMIN_POLICY, MEMBER_ROLE)
        return account

    def state(self, account: str, name: str = ROLLED) -> RoleState | None:
        return reads.role_state(TargetAccount(self.session(account)).iam, name)

    def make_role(self, account: str, spec: RoleSpec) -> None:
        TargetAccount(self.session(account)).apply(spec)


@pytest.fixture(name="org")
def org_fixture(fresh_sandbox: Sandbox) -> Iterator[Org]:
    clear_credential_cache()
    realism = seed_rollout(fresh_sandbox.member_account_ids)
    members = fresh_sandbox.member_account_ids
    yield Org(
        fresh_sandbox,
        fresh_sandbox.session("management", "admin"),
        members[0],
        realism.no_execution_role,
        realism.scp_denied,
    )
    fresh_sandbox.reset()
    clear_credential_cache()


def inline_doc(action: str) -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
    }


def as_json(doc: object) -> str:
    return json.dumps(doc, sort_keys=True)
