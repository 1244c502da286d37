"""The source account (part B): the account the operator signs in to.

One object per ``boto3.Session`` there, which answers the three questions of the source side:
who am I (:meth:`SourceAccount.whoami`), can I switch into that role - and if not, why and how to
fix it (:meth:`SourceAccount.preflight`) - and who here may switch at all
(:meth:`SourceAccount.restrict_assume_role`, :meth:`SourceAccount.allowed_switchers`). The work is
done in the sibling modules; this class validates inputs before any call and holds the caller's
identity, which cannot change for a given session.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import boto3
import pandas as pd
from botocore.exceptions import BotoCoreError, ClientError

from ...errors import InvalidInput
from .. import ids
from ..aws import client_config, error_code
from ..identity import Identity, identity_of
from ..sessions import require_session
from . import restrict, trust_checks
from .iam_read import PolicyReader
from .preflight import ACTION, Check, Preflight, identity_verdict, principal_of
from .restrict import Restriction

__all__ = ["SourceAccount"]

_ROOT_FIX: Final = (
    "Sign in as an IAM user (or use an IAM user's or role's keys): AWS never lets the root user "
    "switch roles. Create an IAM user for daily work and keep root for account emergencies."
)


def _target_role_arn(account: str, role: str, path: str) -> str:
    if isinstance(role, str) and role.strip().startswith("arn:"):
        parsed = ids.parse_role_arn(role)
        if parsed.account_id != ids.account_id(account):
            raise InvalidInput(
                f"Role ARN {role!r} is in account {parsed.account_id}, not {account!r}.",
                fix="Pass the role's name, or an ARN in that account.",
            )
        return parsed.arn
    return ids.role_arn(account, role, path)


class SourceAccount:
    """The account the operator signs in to (9876-5432-9876 in the tutorial).

    Takes a ``boto3.Session`` acting there. Every method makes its own calls; nothing is cached
    across calls except the caller's identity, which cannot change for a given session.
    """

    def __init__(self, session: boto3.Session) -> None:
        self.session = require_session(
            session, "SourceAccount", example="xw.connect('source', 'operator')"
        )
        self._identity: Identity | None = None
        self._iam: Any = None

    def __repr__(self) -> str:
        who = self._identity.arn if self._identity else "identity not read yet"
        return f"SourceAccount({who})"

    @property
    def iam(self) -> Any:
        if self._iam is None:
            self._iam = self.session.client("iam", config=client_config())
        return self._iam

    def whoami(self) -> Identity:
        """The caller (``sts:GetCallerIdentity``, which IAM never denies), read once per object."""
        if self._identity is None:
            self._identity = identity_of(self.session)
        return self._identity

    # .. preflight ...............................................................................
    def preflight(
        self,
        account: str,
        role: str,
        *,
        path: str = "/",
        external_id: str | None = None,
        mfa_serial: str | None = None,
        target_session: boto3.Session | None = None,
    ) -> Preflight:
        """Check, before switching, every reason AWS could refuse ``account``/``role``.

        ``role`` is a role name (``path`` gives its IAM path) or a role ARN. The role and its
        trust policy can only be read with a session in the *target* account: pass
        ``target_session`` for that, otherwise those checks come back unknown (ok=None) unless
        the caller is itself in the target account. Inputs are validated before any call.
        """
        role_arn = _target_role_arn(account, role, path)
        if external_id is not None:
            external_id = ids.external_id(external_id)
        if mfa_serial is not None:
            mfa_serial = ids.mfa_serial(mfa_serial)
        caller = self.whoami()
        results: list[Check] = [self._check_root(caller)]
        results.append(self._check_identity_policies(caller, role_arn))
        iam = self.iam if caller.account_id == ids.parse_role_arn(role_arn).account_id else None
        trust, role_check = trust_checks.read_trust(iam, caller, role_arn, target_session)
        results.append(role_check)
        if trust is None:
            results += trust_checks.trust_unknown(caller, role_arn, external_id)
            required: bool | None = None
        else:
            principal = principal_of(caller)
            results.append(trust_checks.check_trust_names(trust, caller, principal, role_arn))
            naming = trust_checks.naming_allows(trust, principal, role_arn)
            results.append(trust_checks.check_external_id(naming, external_id))
            required = trust_checks.mfa_required(naming)
        devices = self._mfa_devices(caller) if mfa_serial is not None else None
        results.append(trust_checks.check_mfa(required, mfa_serial, caller, devices))
        return Preflight(caller, role_arn, tuple(results))

    @staticmethod
    def _check_root(caller: Identity) -> Check:
        if caller.is_root:
            return Check(
                "caller is not root",
                False,
                f"{caller.arn} is the account's root user, which cannot switch roles.",
                _ROOT_FIX,
            )
        return Check(
            "caller is not root", True, f"Signed in as {caller.principal_type} {caller.arn}."
        )

    def _check_identity_policies(self, caller: Identity, role_arn: str) -> Check:
        name = "identity policy allows sts:AssumeRole"
        grant_fix = (
            f"Allow sts:AssumeRole on {role_arn} for {caller.arn}: e.g. "
            f"SourceAccount(admin_session).restrict_assume_role(user={caller.name!r}, "
            f"role_arns=[{role_arn!r}]), or add the user to a group that allows it."
        )
        if caller.is_root:
            return Check(
                name, None, "Not applicable: root has every permission but cannot switch roles."
            )
        reader = PolicyReader(self.iam)
        try:
            if caller.principal_type == "user":
                found = reader.user(caller.name)
            elif caller.principal_type == "assumed-role":
                found = reader.role(caller.name)
            else:
                return Check(
                    name,
                    None,
                    f"Unknown: identity policies of a {caller.principal_type} "
                    "principal are not read here.",
                )
        except (ClientError, BotoCoreError) as err:
            return Check(
                name,
                None,
                f"Unknown: the caller cannot read its own IAM policies "
                f"({error_code(err)}), so this was not checked.",
                "Grant the caller iam:List*/iam:Get* on itself (e.g. IAMReadOnlyAccess) "
                "to have this checked, or ask an administrator.",
            )
        verdict = identity_verdict(found, role_arn, principal_of(caller), action=ACTION)
        note = " (permissions boundaries and SCPs are not evaluated)" if verdict.allowed else ""
        fix = "" if verdict.allowed else grant_fix
        return Check(name, verdict.allowed, verdict.detail + note, fix)

    def _mfa_devices(self, caller: Identity) -> set[str] | None:
        if caller.principal_type != "user":
            return None
        try:
            pages = self.iam.get_paginator("list_mfa_devices").paginate(UserName=caller.name)
            return {d["SerialNumber"] for page in pages for d in page.get("MFADevices", [])}
        except (ClientError, BotoCoreError):
            return None

    # .. restricting who may switch ...............................................................
    def restrict_assume_role(
        self,
        user: str | None = None,
        group: str | None = None,
        role_arns: str | Iterable[str] = (),
        policy_name: str = "xacct-assume-role",
    ) -> Restriction:
        """Put an inline policy on ``user``/``group`` allowing sts:AssumeRole on ``role_arns`` only.

        ``role_arns`` is one role ARN or several. Idempotent - an identical policy already in
        place is not rewritten. ``also_granted_by`` lists the principal's *other* policies that
        allow sts:AssumeRole too, since an inline policy can only add permissions.

        Raises:
            InvalidInput: not exactly one of user/group, a bad name, policy name or role ARN.
        """
        return restrict.restrict_assume_role(self.iam, user, group, role_arns, policy_name)

    def allowed_switchers(self, role_arns: str | Iterable[str]) -> pd.DataFrame:
        """Which IAM users of this account may call sts:AssumeRole on each role ARN.

        One row per (user, role); ``allowed`` is True/False/None (conditions that depend on the
        request make it unknown); ``via`` names the granting policies. Columns
        :data:`SWITCHER_COLUMNS`. Identity policies only: the target's trust policy also has to
        name the account or the user.
        """
        return restrict.allowed_switchers(self.iam, role_arns)
