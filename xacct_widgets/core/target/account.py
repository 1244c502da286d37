"""TargetAccount: part A's one entry point, IAM in the account where the role lives.

A thin facade over the parts of this package: it holds the ``boto3.Session`` and one IAM client
(client creation costs more than a call), and ties reads, the pure diff and the apply pipeline
together so that a notebook needs a single object. Only the target-account session is used;
nothing here assumes roles.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING

import boto3
import pandas as pd

from ...errors import DestructiveChange, InvalidInput
from .. import ids, urls
from ..aws import aws_call, client_config
from ..consent import consent
from ..sessions import require_session
from . import reads
from .apply import apply_plan, purge
from .existing import spec_from_state
from .plan import Plan, PlanStep, diff
from .reads import Scope
from .record import RoleRecord
from .spec import RoleSpec

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

__all__ = ["TargetAccount"]


class TargetAccount:
    """IAM in the account where the role lives (the tutorial's 1234-5678-1234).

    Declarative, like the console's wizard but repeatable: :meth:`plan` compares a
    :class:`RoleSpec` with the account and lists the writes; :meth:`apply` performs exactly those,
    all or nothing, so that applying the same spec twice writes nothing the second time.
    """

    def __init__(self, session: boto3.Session) -> None:
        self.session = require_session(
            session, "TargetAccount", example="xw.connect('target', 'admin')"
        )
        #: Managed policy descriptions read so far (GetPolicy, one call each): ARN -> text.
        self.descriptions: dict[str, str] = {}

    def __repr__(self) -> str:
        known = self.__dict__.get("account_id")
        return f"TargetAccount({known or 'account not read yet'})"

    @cached_property
    def iam(self) -> IAMClient:
        """The IAM client, built once: client creation costs more than a call."""
        return self.session.client("iam", config=client_config())

    @cached_property
    def caller_arn(self) -> str:
        """Who this session is (sts:GetCallerIdentity, read once)."""
        with aws_call("sts:GetCallerIdentity"):
            return str(self.session.client("sts").get_caller_identity()["Arn"])

    @cached_property
    def account_id(self) -> str:
        """The account this session acts in (from :attr:`caller_arn`)."""
        return ids.parse_arn(self.caller_arn).account_id

    @property
    def partition(self) -> str:
        """The account's partition (``aws``, ``aws-cn``, ``aws-us-gov``), from the caller's ARN:
        its roles' ARNs and switch-role links are in it."""
        return ids.parse_arn(self.caller_arn).partition

    # -- reading -------------------------------------------------------------------------------
    def roles(self) -> pd.DataFrame:
        """All roles, sorted by name: :data:`ROLE_COLUMNS` (the console's IAM -> Roles list)."""
        return reads.roles(self.iam)

    def managed_policies(
        self,
        scope: Scope = "All",
        search: str | None = None,
        attached_only: bool = False,
        *,
        describe: bool = False,
    ) -> pd.DataFrame:
        """Managed policies to choose from (A5): ``scope`` AWS / Local (customer) / All.

        ``search`` keeps names containing it, ignoring case; ``attached_only`` keeps policies
        attached to something. Columns: :data:`MANAGED_POLICY_COLUMNS`. ``description`` holds
        the descriptions read so far; ``describe=True`` reads the missing ones (one GetPolicy
        each, remembered: narrow the list with ``search`` first).
        """
        frame = reads.managed_policies(self.iam, scope, search, attached_only, self.descriptions)
        if describe and not frame.empty:
            found = self.policy_descriptions(frame["arn"].astype(str))
            frame["description"] = [found[str(a)] for a in frame["arn"]]
        return frame

    def policy_descriptions(self, arns: Iterable[str]) -> dict[str, str]:
        """Each managed policy's description ("" if none): GetPolicy once per ARN, remembered."""
        return reads.policy_descriptions(self.iam, list(arns), self.descriptions)

    def role(self, name: str) -> RoleRecord:
        """Read a role back: trust policy, attached and inline policy names, tags, URL."""
        return reads.record(self.iam, name)

    def spec_of(self, name: str) -> RoleSpec:
        """The existing role's full settings as a RoleSpec: ``plan(spec_of(name)).is_noop``.

        Trusted principals, ExternalId, MFA, max session, description, path, tags, permissions
        boundary, managed and inline policies, partition (the role's ARN's): edit a copy
        (``dataclasses.replace``) or add to it (:meth:`RoleSpec.plus`) and nothing the role has
        is lost by accident.

        Raises:
            RoleNotFound: no such role.
            InvalidRoleSpec: its trust policy is not one RoleSpec can express (says which part).
        """
        state = reads.role_state(self.iam, ids.role_name(name))
        if state is None:
            reads.require_role(self.iam, name)  # raises RoleNotFound with its fix
            raise AssertionError("unreachable")  # pragma: no cover
        return spec_from_state(state)

    def trust_relationships(self, name: str) -> pd.DataFrame:
        """The role's "Trust relationships" tab: one row per trusted principal (A7)."""
        return reads.trust_relationships(self.iam, name)

    def attached_policies(self, name: str) -> pd.DataFrame:
        """Managed policies attached to the role (its Permissions tab): :data:`ATTACHED_COLUMNS`."""
        return reads.attached_policies(self.iam, name)

    def inline_policies(self, name: str) -> pd.DataFrame:
        """The role's inline policies: name and document as compact JSON."""
        return reads.inline_policies(self.iam, name)

    def switch_role_url(
        self, name: str, display_name: str | None = None, color: str | None = None
    ) -> str:
        """The console's switch-role link for an existing role (A6), path included."""
        # Validate display name and colour before the call; the account is filled in below.
        urls.switch_role_url("000000000000", name, display_name, color)
        raw = reads.require_role(self.iam, name)
        arn = ids.parse_arn(str(raw["Arn"]))
        path = str(raw.get("Path", "/"))
        return urls.switch_role_url(
            arn.account_id, name, display_name, color, path, partition=arn.partition
        )

    # -- planning and applying -----------------------------------------------------------------
    def plan(self, spec: RoleSpec) -> Plan:
        """Compare ``spec`` with the account and list the writes apply would make; writes nothing.

        Reads GetRole, the attached and inline policy lists, the inline documents the spec also
        names, and GetPolicy for each policy to attach (a missing one is a problem, not a step).
        A spec in the default partition is re-based to the account's (the role's ARN's, else the
        caller's: :meth:`RoleSpec.for_partition`); one made for another raises InvalidRoleSpec.
        """
        if not isinstance(spec, RoleSpec):
            raise InvalidInput(f"plan() needs a RoleSpec, not {type(spec).__name__}.")
        current = reads.role_state(self.iam, spec.name, inline=spec.inline_policies)
        record = current.record if current is not None else None
        spec = spec.for_partition(record.partition if record is not None else self.partition)
        attached = record.managed_policy_arns if record is not None else ()
        checked = [a for a in spec.managed_policy_arns if a not in attached]
        boundary = spec.permissions_boundary
        if boundary and (record is None or record.permissions_boundary != boundary):
            checked.append(boundary)
        return diff(spec, current, reads.policy_states(self.iam, checked))

    def apply(self, spec: RoleSpec, *, allow_destructive: bool = False) -> RoleRecord:
        """Make the role match ``spec``: exactly the steps of ``plan(spec)``, all or nothing.

        A plan that takes something away (``plan(spec).destructive``: a policy detached, a
        principal no longer trusted, a new ExternalId or MFA requirement, a shorter session,
        tags or the boundary removed) is refused before any write unless
        ``allow_destructive=True``. A second apply of the same spec writes nothing. If a step
        fails, the steps already done are undone in reverse and
        :class:`~xacct_widgets.errors.ApplyFailed` names the step (its ``__cause__`` is the AWS
        error, e.g. AccessDenied naming the missing permission).

        Raises:
            PolicyNotFound, InvalidRoleSpec: the plan has problems; nothing was written.
            DestructiveChange: the plan takes something away, not allowed; nothing was written.
            ApplyFailed: a step failed and what was done was rolled back.
            InvalidInput: ``allow_destructive`` is neither a bool nor None (before any call).
        """
        allowed = consent(allow_destructive, "allow_destructive")
        return apply_plan(self.iam, self.plan(spec), allow_destructive=allowed)

    def delete_role(self, name: str, *, confirm: bool = False) -> tuple[PlanStep, ...]:
        """Delete a role and what IAM requires gone first; returns the steps performed.

        IAM refuses to delete a role with attached or inline policies or instance profiles, so
        those are removed first, in that order. Deleting takes everyone's access away, so it
        needs ``confirm=True``.

        Raises:
            RoleNotFound: no such role.
            DestructiveChange: ``confirm`` is False or None (nothing was changed).
            InvalidInput: ``confirm`` is neither a bool nor None (before any call).
        """
        confirmed = consent(confirm, "confirm")
        reads.require_role(self.iam, name)
        if not confirmed:
            rows = (
                *(f"detach policy {a}" for a in reads.attached_arns(self.iam, name)),
                *(f"delete inline policy {p}" for p in reads.inline_names(self.iam, name)),
                f"delete role {name}: everyone who may switch into it loses that access",
            )
            raise DestructiveChange(
                f"Deleting role {name!r} would: {'; '.join(rows)}. Nothing was changed.",
                rows=rows,
                fix=f"If that is what you want, delete_role({name!r}, confirm=True).",
            )
        return purge(self.iam, name)
