"""Who in the source account may switch into a role: every user, group and role, and why.

The tutorial's last note: the target's trust policy grants the whole source *account*, so the
source account's own identity policies decide who may actually call ``sts:AssumeRole``. This
module answers that for every principal at once, on a :class:`~.snapshot.Snapshot`, with the one
policy engine (:mod:`xacct_widgets.policy`): user policies and their groups', managed and inline,
and a permissions boundary when there is one. The *why* names the grant in plain words, and says
so when only an administrator policy (``"Action": "*"``) gives the access: such access is not a
grant for switching, cannot be taken away by editing a policy (an administrator can undo any
edit) and is limited with a permissions boundary instead.

For a role of the source account itself, its trust policy (in the snapshot) decides too, with
the one engine's same-account rule (:func:`xacct_widgets.policy.decide`; AWS, "Policy evaluation
logic": "IAM role trust policies and KMS key policies are exceptions"): the trust policy must
admit the caller even within the account, so an identity grant to a role that trusts only
``ec2.amazonaws.com`` lets nobody in (``untrusted``); a trust naming the account root delegates
to the identity policies; a trust naming ``user/intern`` lets intern in with no identity policy
at all (``allowed`` through the trust policy, named as such in ``via`` and ``why``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final, Literal

import pandas as pd

from ...policy import (
    RESOURCE,
    Decision,
    MatchedStatement,
    Policy,
    Principal,
    RequestContext,
    decide,
    evaluate_identity_policies,
    match_principal,
    matching_statements,
)
from ..frames import to_frame
from .preflight import ACTION, known_keys
from .snapshot import Entity, Overlay, Snapshot

__all__ = ["WHO_COLUMNS", "Access", "describe_ref", "evaluate", "who_may_assume"]

#: Columns of :meth:`SourceAccount.who_may_assume`.
WHO_COLUMNS: Final = (
    "principal",
    "principal_type",
    "name",
    "allowed",
    "via",
    "why",
    "administrator",
)

State = Literal["allowed", "conditional", "denied", "not allowed", "boundary", "untrusted"]
#: An action only an administrator has: who holds it on themselves can undo any restriction.
_SELF_EDIT: Final = {
    "user": "iam:DeleteUserPolicy",
    "group": "iam:DeleteGroupPolicy",
    "role": "iam:DeleteRolePolicy",
}


def describe_ref(ref: str) -> str:
    """A policy reference in words: ``inline policy allow-switch-role of group role-switchers``."""
    if ref.startswith("trust:"):
        return f"the trust policy of role {ref.removeprefix('trust:')}"
    if ref.startswith("managed:"):
        arn = ref.removeprefix("managed:")
        owner = "AWS-managed" if arn.split(":")[4] == "aws" else "customer-managed"
        return f"the {owner} policy {arn.rsplit('/', 1)[-1]}"
    kind, _, rest = ref.partition(":")
    name, _, policy = rest.partition("/")
    return f"inline policy {policy} of {kind} {name}"


@dataclass(frozen=True)
class Access:
    """Whether one entity may call sts:AssumeRole on one role, and through what."""

    entity: Entity
    role_arn: str
    state: State
    decision: Decision
    administrator: bool = False
    admin_only: bool = False
    boundary: str = ""
    #: For a conditional grant, the Allow statements whose conditions decide at the switch.
    conditional_grants: tuple[MatchedStatement, ...] = ()

    @property
    def allowed(self) -> bool:
        """True when some request can get through (conditional grants included)."""
        return self.state in ("allowed", "conditional")

    @property
    def matched(self) -> tuple[MatchedStatement, ...]:
        return self.conditional_grants or self.decision.matched

    @property
    def via_trust(self) -> bool:
        """Allowed because the role's trust policy names the principal itself (or everyone)."""
        return (
            self.allowed
            and bool(self.matched)
            and all(m.source.startswith("trust:") for m in self.matched)
        )

    @property
    def via(self) -> str:
        if self.state == "boundary":
            return f"managed:{self.boundary}"
        return ", ".join(str(m) for m in self.matched)

    def why(self) -> str:
        """Plain words: may or may not switch, through which policy, and what that means."""
        who = self.entity.label
        if self.entity.kind == "group":
            who = f"members of group {self.entity.name}"
        grants = "; ".join(
            dict.fromkeys(f"{describe_ref(m.source)} allows it" for m in self.matched)
        )
        if self.state == "boundary":
            return (
                f"{who} may not switch: its permissions boundary "
                f"{self.boundary.rsplit('/', 1)[-1]} does not allow {ACTION} on this role."
            )
        if self.state == "denied":
            denies = ", ".join(dict.fromkeys(describe_ref(m.source) for m in self.matched))
            return f"{who} may not switch: {denies} explicitly denies {ACTION} on this role."
        if self.state == "not allowed":
            return f"{who} may not switch: none of its policies allows {ACTION} on this role."
        if self.state == "untrusted":
            account = self.role_arn.split(":")[4]
            return (
                f"{who} may not switch: {describe_ref(_trust_source(self))} admits neither "
                f"{who} nor account {account}. Within its own account too, a role's trust "
                "policy must allow the caller: an identity policy alone is not enough."
            )
        if self.via_trust:
            text = (
                f"{who} may switch: {grants.replace(' allows it', '')} names it directly, "
                "which lets it in without any identity policy (same account)."
            )
            if self.state == "conditional":
                keys = ", ".join(self.decision.missing_context_values)
                text += f" Only when the request's {keys} satisfy the trust policy's conditions."
            return text
        if self.admin_only:
            text = (
                f"{who} may switch only because {grants.replace(' allows it', '')} allows every "
                "action: an administrator policy, not a grant for switching. Editing policies "
                "cannot take it away (an administrator can undo any edit); a permissions "
                "boundary can."
            )
        else:
            member = " (as a member of the group)" if self._through_group() else ""
            text = f"{who} may switch{member}: {grants}."
        if self.state == "conditional":
            keys = ", ".join(self.decision.missing_context_values)
            text += f" Only when the request's {keys} satisfy the policy's conditions."
        return text

    def _through_group(self) -> bool:
        return self.entity.kind == "user" and all(
            m.source.startswith("group:") for m in self.matched
        )

    def row(self) -> dict[str, object]:
        return {
            "principal": self.entity.arn,
            "principal_type": self.entity.kind,
            "name": self.entity.name,
            "allowed": self.allowed,
            "via": self.via,
            "why": self.why(),
            "administrator": self.administrator,
        }


def _decide(
    snapshot: Snapshot, entity: Entity, action: str, resource: str, overlay: Overlay | None
) -> Decision:
    context = RequestContext(action, resource, entity.principal, known_keys())
    return evaluate_identity_policies(snapshot.policies(entity, overlay), context)


def _boundary_allows(snapshot: Snapshot, entity: Entity, action: str, resource: str) -> bool:
    boundary = snapshot.boundary(entity)
    if boundary is None:
        return True
    context = RequestContext(action, resource, entity.principal, known_keys())
    return evaluate_identity_policies([boundary], context).allowed


def _conditional_grants(
    snapshot: Snapshot, entity: Entity, role_arn: str, overlay: Overlay | None, decision: Decision
) -> tuple[MatchedStatement, ...]:
    """Allows that fail only for lack of context keys (MFA, source IP…): they may hold."""
    if not decision.missing_context_values:
        return ()
    context = RequestContext(ACTION, role_arn, entity.principal, known_keys())
    found = []
    for policy in snapshot.policies(entity, overlay):
        for st in matching_statements(policy, context, resource_policy=False, conditions=False):
            if st.effect == "Allow" and st.condition_keys() & {
                k.lower() for k in decision.missing_context_values
            }:
                found.append(MatchedStatement(policy.source, "Allow", st.sid, st.index))
    return tuple(found)


def is_administrator(snapshot: Snapshot, entity: Entity, overlay: Overlay | None = None) -> bool:
    """Whether the entity may delete its own inline policies (and so undo any restriction)."""
    action = _SELF_EDIT[entity.kind]
    decision = _decide(snapshot, entity, action, entity.arn, overlay)
    return (
        decision.allowed
        and not decision.missing_context_values
        and _boundary_allows(snapshot, entity, action, entity.arn)
    )


def _identity_access(
    snapshot: Snapshot, entity: Entity, role_arn: str, overlay: Overlay | None
) -> Access:
    """The identity side alone: the entity's policies and its permissions boundary."""
    decision = _decide(snapshot, entity, ACTION, role_arn, overlay)
    admin = is_administrator(snapshot, entity, overlay)
    if decision.decision == "explicitDeny":
        certain = [m for m in decision.matched if not m.missing]
        if certain or not decision.missing_context_values:
            return Access(entity, role_arn, "denied", decision, admin)
    if not decision.allowed:
        grants = _conditional_grants(snapshot, entity, role_arn, overlay, decision)
        if grants:
            return Access(
                entity, role_arn, "conditional", decision, admin, conditional_grants=grants
            )
        return Access(entity, role_arn, "not allowed", decision, admin)
    if not _boundary_allows(snapshot, entity, ACTION, role_arn):
        return Access(entity, role_arn, "boundary", decision, admin, boundary=entity.boundary or "")
    policies = {p.source: p for p in snapshot.policies(entity, overlay)}
    admin_only = all(
        policies[m.source].statements[m.index].covers_action(_SELF_EDIT["user"])
        for m in decision.matched
    )
    state: State = "conditional" if decision.missing_context_values else "allowed"
    return Access(entity, role_arn, state, decision, admin, admin_only)


def _trust_source(access: Access) -> str:
    return f"trust:{access.role_arn.rsplit('/', 1)[-1]}"


def _trust_caller(entity: Entity) -> Principal:
    """Who asks, for the trust policy: a group stands for a member the trust does not name."""
    if entity.principal is not None:
        return entity.principal
    partition, account = entity.arn.split(":")[1], entity.arn.split(":")[4]
    # Spaces and parentheses are not allowed in IAM names: no trust policy can name this ARN.
    return Principal(f"arn:{partition}:iam::{account}:user/(a member of group {entity.name})")


def _conditional_trust(
    trust: Policy, context: RequestContext, missing: tuple[str, ...]
) -> tuple[MatchedStatement, ...]:
    """Trust Allows naming the caller that fail only for lack of context keys (e.g. MFA)."""
    wanted = {k.lower() for k in missing}
    found = []
    for st in matching_statements(trust, context, resource_policy=True, conditions=False):
        if st.effect == "Allow" and st.condition_keys() & wanted:
            via = match_principal(st.principals or (), context.principal)
            found.append(MatchedStatement(trust.source, "Allow", st.sid, st.index, via))
    return tuple(found)


def evaluate(
    snapshot: Snapshot, entity: Entity, role_arn: str, overlay: Overlay | None = None
) -> Access:
    """May ``entity`` call sts:AssumeRole on ``role_arn`` (with ``overlay``'s planned edits)?

    For another account's role, the identity side (its trust policy is not in the snapshot).
    For a role of this account, the engine decides with its trust policy too
    (:func:`xacct_widgets.policy.decide`), and the answer says which side decided.
    """
    access = _identity_access(snapshot, entity, role_arn, overlay)
    trust = snapshot.trust_policy(role_arn, overlay)
    if trust is None or access.state == "denied":
        return access  # an identity Deny wins whatever the trust policy says
    context = RequestContext(ACTION, role_arn, _trust_caller(entity), known_keys())
    boundary = snapshot.boundary(entity)
    final = decide(
        context,
        identity=snapshot.policies(entity, overlay),
        resource=trust,
        boundary=boundary,
    )
    admin = access.administrator
    if final.denied_by == RESOURCE:
        if final.decision == "explicitDeny":
            certain = [m for m in final.matched if not m.missing]
            if certain or not final.missing_context_values:
                return Access(entity, role_arn, "denied", final, admin)
        grants = _conditional_trust(trust, context, final.missing_context_values)
        direct = tuple(m for m in grants if m.principal != "account")
        if direct:
            return Access(entity, role_arn, "conditional", final, admin, conditional_grants=direct)
        if grants and access.allowed:  # the account is trusted under conditions: identity grants
            keys = final.missing_context_values
            decision = Decision(final.decision, final.reason, access.matched, keys)
            return replace(access, state="conditional", decision=decision, conditional_grants=())
        return Access(entity, role_arn, "untrusted", final, admin)
    if final.allowed and all(m.source == trust.source for m in final.matched):
        state: State = "conditional" if final.missing_context_values else "allowed"
        return Access(entity, role_arn, state, final, admin)
    return access  # the trust delegates to the account: the identity side decides


def who_may_assume(snapshot: Snapshot, role_arn: str) -> pd.DataFrame:
    """One row per user, group and role of the account (columns :data:`WHO_COLUMNS`)."""
    rows = [evaluate(snapshot, e, role_arn).row() for e in snapshot.entities()]
    frame = to_frame(rows, WHO_COLUMNS)
    for column in ("allowed", "administrator"):
        frame[column] = frame[column].astype(bool)
    return frame
