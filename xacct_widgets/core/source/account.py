"""The source account (part B): the account the operator signs in to.

One object per ``boto3.Session`` there, which answers the three questions of the source side:
who am I (:meth:`SourceAccount.whoami`), can I switch into that role - and if not, why and how to
fix it (:meth:`SourceAccount.preflight`) - and who here may switch at all, and why
(:meth:`SourceAccount.who_may_assume`), made exact by :meth:`SourceAccount.restrict_assume_role`
(plan, then apply all or nothing). The work is
done in the sibling modules; this class validates inputs before any call and holds the caller's
identity, which cannot change for a given session.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import boto3
import pandas as pd

from ...errors import InvalidInput
from .. import ids
from ..aws import client_config
from ..consent import consent
from ..identity import Identity, identity_of
from ..sessions import require_session
from . import identity_checks, restrict, restrict_apply, snapshot, trust_checks, who
from .mfa import MfaDevices, list_mfa_devices
from .preflight import Check, Preflight, principal_of
from .restrict import RestrictPlan
from .restrict_apply import Restriction
from .snapshot import Snapshot

#: Columns of :meth:`SourceAccount.allowed_switchers`.
SWITCHER_COLUMNS: Final = ("user_name", "user_arn", "role_arn", "allowed", "via")

__all__ = ["SWITCHER_COLUMNS", "SourceAccount"]


def _target_role_arn(account: str, role: str, path: str, partition: str = "aws") -> str:
    if isinstance(role, str) and role.strip().startswith("arn:"):
        parsed = ids.parse_role_arn(role)
        if parsed.account_id != ids.account_id(account):
            raise InvalidInput(
                f"Role ARN {role!r} is in account {parsed.account_id}, not {account!r}.",
                fix="Pass the role's name, or an ARN in that account.",
            )
        return parsed.arn
    return ids.role_arn(account, role, path, partition=partition)


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
        # A role given by name is in the caller's partition (no AssumeRole across partitions).
        role_arn = _target_role_arn(account, role, path, caller.partition)
        results: list[Check] = [identity_checks.check_root(caller)]
        results.append(identity_checks.check_identity(self.session, self.iam, caller, role_arn))
        same_account = caller.account_id == ids.parse_role_arn(role_arn).account_id
        iam = self.iam if same_account else None
        trust, role_check = trust_checks.read_trust(iam, caller, role_arn, target_session)
        results.append(role_check)
        if trust is None:
            results += trust_checks.trust_unknown(caller, role_arn, external_id)
            required: bool | None = None
        else:
            principal = principal_of(caller)
            results.append(trust_checks.check_trust_names(trust, caller, principal, role_arn))
            naming = trust_checks.naming_allows(trust, principal, role_arn)
            if same_account and trust_checks.names_directly(naming, principal):
                results[1] = trust_checks.identity_not_needed(results[1], role_arn)
            results.append(trust_checks.check_external_id(naming, external_id))
            required = trust_checks.mfa_required(naming)
        devices = self._mfa_devices(caller) if mfa_serial is not None else None
        results.append(trust_checks.check_mfa(required, mfa_serial, caller, devices))
        return Preflight(caller, role_arn, tuple(results))

    def _mfa_devices(self, caller: Identity) -> set[str] | None:
        devices = list_mfa_devices(self.iam, caller)
        return set(devices.serials) if devices.listed else None

    def mfa_devices(self) -> MfaDevices:
        """The caller's MFA devices (``iam:ListMFADevices``), so a switch asks only for the
        code; ``listed=False`` (never an exception) when they cannot be listed."""
        return list_mfa_devices(self.iam, self.whoami())

    # .. who may switch, and restricting it .....................................................
    def snapshot(self) -> Snapshot:
        """Every user, group, role and identity policy of the account, read now (one paginated
        ``iam:GetAccountAuthorizationDetails``)."""
        return snapshot.read(self.iam)

    def who_may_assume(self, role_arn: str) -> pd.DataFrame:
        """Every user, group and role of this account, and whether it may assume ``role_arn``.

        One row each (columns :data:`~.who.WHO_COLUMNS`): ``principal`` (ARN),
        ``principal_type``, ``name``, ``allowed`` (True also when only under conditions such
        as MFA), ``via`` (the deciding policies and statements), ``why`` (plain words, naming
        administrator-only access and denials) and ``administrator`` (may edit its own
        policies, so no restriction holds against it). For another account's role, the identity
        side only: its trust policy, in the target account, must also let the account in. For a
        role of this account, its trust policy decides too, as AWS does: it must admit the
        principal (an identity Allow alone is not enough), and a principal it names directly
        (``user/intern``) may switch with no identity policy (``via`` names the trust policy).

        Raises:
            InvalidArn: ``role_arn`` is not a role ARN (before any call).
        """
        arn = ids.parse_role_arn(role_arn).arn
        return who.who_may_assume(self.snapshot(), arn)

    def plan_restriction(
        self,
        role_arns: str | Iterable[str],
        users: str | Iterable[str] = (),
        groups: str | Iterable[str] = (),
    ) -> RestrictPlan:
        """What :meth:`restrict_assume_role` would write, without writing (see there)."""
        restrict.role_arn_list(role_arns)  # validate before any call
        return restrict.plan_restriction(self.snapshot(), role_arns, users, groups)

    def restrict_assume_role(
        self,
        role_arns: str | Iterable[str],
        users: str | Iterable[str] = (),
        groups: str | Iterable[str] = (),
        *,
        allow_destructive: bool = False,
        dry_run: bool = False,
    ) -> Restriction:
        """Make exactly ``users`` and the members of ``groups`` able to assume ``role_arns``.

        Plans first (:meth:`plan_restriction`): grants the chosen principals sts:AssumeRole on
        the roles, and narrows every other grant that reaches them - a group's
        ``arn:aws:iam::*:role/*`` becomes "every role but these" - so that access to *other*
        roles is unchanged. Then applies, all or nothing (a failure undoes what was written).
        Run again, it changes nothing. What cannot be narrowed (an administrator; a Deny it did
        not write) is in ``result.plan.cannot_narrow``, with the way to do it.

        Args:
            role_arns: one role ARN or a list of them.
            users, groups: the IAM users and groups of this account that may switch.
            allow_destructive: narrowing takes access away from someone; without this the
                call raises ``DestructiveChange`` (listing the rows) before any write.
            dry_run: plan only.

        Raises:
            InvalidInput: a bad ARN or name, a user/group that does not exist, or an
                ``allow_destructive`` that is neither a bool nor None (before any call).
            DestructiveChange: access would be taken away and ``allow_destructive`` is not True.
            ApplyFailed: a write failed; what was written before was undone.
        """
        allowed = consent(allow_destructive, "allow_destructive")
        plan = self.plan_restriction(role_arns, users, groups)
        if dry_run:
            return Restriction(plan, False)
        return self.apply_restriction(plan, allow_destructive=allowed)

    def allow_assume_role(
        self,
        role_arns: str | Iterable[str],
        users: str | Iterable[str] = (),
        groups: str | Iterable[str] = (),
        roles: str | Iterable[str] = (),
        *,
        dry_run: bool = False,
    ) -> Restriction:
        """Let ``users``, the members of ``groups`` and ``roles`` assume ``role_arns`` *too*.

        The additive half of :meth:`restrict_assume_role`: grants sts:AssumeRole on the roles
        (and takes back this project's own Denies from them), and narrows nobody, so whoever
        may switch now still may: ``result.plan.destructive`` is always empty. What the grant
        cannot overcome (a Deny it did not write, a permissions boundary, a same-account trust
        policy that does not admit them) is in ``result.plan.cannot_narrow``. This is what a
        preflight suggests when a principal is refused.

        Raises:
            InvalidInput: a bad ARN or name, nobody given, or a principal that does not exist.
            ApplyFailed: a write failed; what was written before was undone.
        """
        restrict.role_arn_list(role_arns)  # validate before any call
        plan = restrict.plan_allow(self.snapshot(), role_arns, users, groups, roles)
        if dry_run:
            return Restriction(plan, False)
        return self.apply_restriction(plan)

    def apply_restriction(
        self, plan: RestrictPlan, *, allow_destructive: bool = False
    ) -> Restriction:
        """Write a plan made by :meth:`plan_restriction` (what a reviewer saw), all or nothing.

        Raises:
            DestructiveChange: the plan takes access away and ``allow_destructive`` is not True.
            InvalidInput: ``allow_destructive`` is neither a bool nor None (before any write).
            ApplyFailed: a write failed; what was written before was undone.
        """
        restrict_apply.apply_restriction(self.iam, plan, allow_destructive=allow_destructive)
        return Restriction(plan, True)

    def allowed_switchers(self, role_arns: str | Iterable[str]) -> pd.DataFrame:
        """Which IAM users of this account may call sts:AssumeRole on each role ARN.

        One row per (user, role), columns :data:`SWITCHER_COLUMNS`; ``allowed`` True/False.
        :meth:`who_may_assume` tells the same for groups and roles too, and why.
        """
        arns = restrict.role_arn_list(role_arns)
        snap = self.snapshot()
        rows = []
        for arn in arns:
            for user in snap.users.values():
                access = who.evaluate(snap, user, arn)
                rows.append((user.name, user.arn, arn, access.allowed, access.via))
        return pd.DataFrame(rows, columns=list(SWITCHER_COLUMNS))
