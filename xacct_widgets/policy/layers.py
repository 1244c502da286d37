"""The whole pipeline of AWS's "Policy evaluation logic", one request through every policy type.

Following the flow chart of that page (and "Cross-account policy evaluation logic"):

1. **Explicit deny**: a Deny that applies in *any* policy (SCP, resource-based, identity-based,
   permissions boundary, session policy) ends evaluation.
2. **Service control policies**: for a principal of an organization's member account, every
   level of the organization (root, each OU, the account) must allow through one of its SCPs.
   SCPs never apply to the management account.
3. **Resource-based policy**: within one account, an Allow that names the caller's own ARN (an
   IAM user, or a role *session* ARN) or ``*`` grants on its own, even without an identity
   Allow and despite a permissions boundary or session policy; one that names the *role* ARN
   behind a session grants without an identity Allow but is still limited by the boundary and
   session policies; one that names only the account (``arn:aws:iam::ID:root``) delegates to
   the identity policies. Across accounts, the resource policy *and* the identity side must
   both allow. **Role trust policies and KMS key policies are the exception** ("IAM role trust
   policies and KMS key policies are exceptions to this logic, because they must explicitly
   allow access for principals"): for ``sts:AssumeRole`` (and the other actions a trust
   policy authorises, :func:`resource_policy_required`) the trust policy must allow the caller
   even within the role's own account, so an administrator whose identity policy allows
   everything still cannot assume a role that trusts only ``ec2.amazonaws.com``. Naming the
   account root there delegates to the identity policies, which must then allow too; naming
   the caller directly (``user/intern``) lets it in without an identity Allow.
4. **Identity-based policies** (the user's and its groups', managed and inline; the role's for a
   role session) must allow, unless step 3 granted.
5. **Permissions boundary**: when the principal has one, it must allow too.
6. **Session policies** (``Policy=`` / ``PolicyArns=`` passed to AssumeRole): when the session
   has any, they must allow too.

Each refusal names the policy type that refused (``Decision.denied_by``), in the words AWS uses
in its denial messages ("Troubleshoot access denied error messages").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from .context import RequestContext
from .document import Policy
from .evaluate import (
    Decision,
    MatchedStatement,
    evaluate_identity_policies,
    evaluate_resource_policy,
)

__all__ = [
    "BOUNDARY",
    "IDENTITY",
    "RESOURCE",
    "SCP",
    "SESSION",
    "TRUST_POLICY_ACTIONS",
    "decide",
    "owner_account",
    "resource_policy_required",
]

#: Policy types, as AWS's denial messages name them.
IDENTITY = "identity-based policy"
RESOURCE = "resource-based policy"
SCP = "service control policy"
BOUNDARY = "permissions boundary"
SESSION = "session policy"


#: The actions a role's trust policy authorises, lower-cased ("Granting permissions to pass a
#: session tag / source identity": sts:TagSession and sts:SetSourceIdentity are allowed in the
#: trust policy, beside the AssumeRole calls).
TRUST_POLICY_ACTIONS: Final = frozenset(
    {
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:tagsession",
        "sts:setsourceidentity",
        "sts:setcontext",
    }
)
_KMS_KEY: Final = re.compile(r"^arn:[\w-]+:kms:[\w-]*:\d{12}:key/", re.IGNORECASE)


def resource_policy_required(action: str, resource: str) -> bool:
    """Whether the resource's own policy must allow ``action`` even within its account.

    True for a role's trust policy (:data:`TRUST_POLICY_ACTIONS`) and a KMS key's key policy
    ("Policy evaluation logic": "IAM role trust policies and KMS key policies are exceptions";
    "Key policies in AWS KMS": "Unless the key policy explicitly allows it, you cannot use IAM
    policies to allow access to a KMS key"); False for every other resource-based policy.
    """
    lowered = action.lower()
    if lowered in TRUST_POLICY_ACTIONS:
        return True
    return lowered.startswith("kms:") and bool(_KMS_KEY.match(resource))


def owner_account(resource: str) -> str:
    """The account part of an ARN (empty for ``*``, S3 buckets and other account-less ARNs)."""
    parts = resource.split(":")
    return parts[4] if len(parts) > 5 else ""


def _names_caller_exactly(
    policy: Policy, matched: MatchedStatement, context: RequestContext
) -> bool:
    """Whether a resource statement names the caller's own ARN (user or session) or everyone."""
    principal = context.principal
    if principal is None or matched.principal == "account":
        return False
    if matched.principal == "any":
        return True
    statement = policy.statements[matched.index]
    return any(value == principal.arn for _, value in statement.principals or ())


def _missing(decisions: Sequence[Decision | None]) -> tuple[str, ...]:
    keys: list[str] = []
    for decision in decisions:
        if decision is not None:
            keys.extend(decision.missing_context_values)
    return tuple(dict.fromkeys(keys))


def _refuse(decision: Decision, kind: str, missing: tuple[str, ...]) -> Decision:
    return Decision(decision.decision, decision.reason, decision.matched, missing, kind)


def _must_allow(decision: Decision) -> Decision:
    """A same-account refusal by a trust (or key) policy, saying why identity was not enough."""
    reason = (
        f"{decision.reason.rstrip('.')}. A role's trust policy (or a KMS key policy) must itself "
        "allow the caller, even within its own account: an identity-policy Allow is not enough."
    )
    return Decision(decision.decision, reason, decision.matched, decision.missing_context_values)


def decide(
    context: RequestContext,
    *,
    identity: Sequence[Policy] = (),
    resource: Policy | None = None,
    resource_account: str | None = None,
    scps: Sequence[Sequence[Policy]] | None = None,
    boundary: Policy | None = None,
    session: Sequence[Policy] | None = None,
) -> Decision:
    """Evaluate one request against every policy type that applies to it.

    ``resource_account`` owns the resource (default: the account part of ``context.resource``;
    pass it for account-less ARNs such as S3 buckets); it chooses between the same-account and
    cross-account rules. ``resource`` None means the resource side is not evaluated (no
    resource-based policy, or a simulation of the identity side only); a role's trust policy
    or a KMS key policy that is given must allow in any account
    (:func:`resource_policy_required`). ``scps`` has one entry per organization level (root,
    OUs, account), each the SCPs attached there; None when the caller's account is not an
    organization member (or is its management account). ``boundary`` is the principal's
    permissions boundary; ``session`` the session policies (None when the session has none,
    which is not the same as an empty list: an empty list allows nothing).
    """
    identity_decision = evaluate_identity_policies(identity, context)
    resource_decision = (
        evaluate_resource_policy(resource, context) if resource is not None else None
    )
    scp_decisions = [evaluate_identity_policies(level, context) for level in scps or ()]
    boundary_decision = evaluate_identity_policies([boundary], context) if boundary else None
    session_decision = evaluate_identity_policies(session, context) if session is not None else None
    missing = _missing(
        [identity_decision, resource_decision, boundary_decision, session_decision, *scp_decisions]
    )
    layers: list[tuple[str, Decision | None]] = [
        *((SCP, d) for d in scp_decisions),
        (RESOURCE, resource_decision),
        (IDENTITY, identity_decision),
        (BOUNDARY, boundary_decision),
        (SESSION, session_decision),
    ]
    for kind, decision in layers:
        if decision is not None and decision.decision == "explicitDeny":
            return _refuse(decision, kind, missing)
    for decision in scp_decisions:
        if not decision.allowed:
            return _refuse(decision, SCP, missing)

    owner = resource_account if resource_account is not None else owner_account(context.resource)
    caller = context.principal.account if context.principal else ""
    same_account = bool(owner) and owner == caller
    granted_by_resource: tuple[MatchedStatement, ...] = ()
    resource_reason = resource_decision.reason if resource_decision else ""
    if resource is not None and resource_decision is not None and resource_decision.allowed:
        if same_account:
            direct = tuple(m for m in resource_decision.matched if m.principal != "account")
            exact = tuple(m for m in direct if _names_caller_exactly(resource, m, context))
            if exact:
                return Decision("allowed", resource_decision.reason, exact, missing)
            granted_by_resource = direct
    elif resource is not None and resource_decision is not None:
        if not same_account:
            return _refuse(resource_decision, RESOURCE, missing)
        if resource_policy_required(context.action, context.resource):
            return _refuse(_must_allow(resource_decision), RESOURCE, missing)

    if not granted_by_resource and not identity_decision.allowed:
        return _refuse(identity_decision, IDENTITY, missing)
    if boundary_decision is not None and not boundary_decision.allowed:
        return _refuse(boundary_decision, BOUNDARY, missing)
    if session_decision is not None and not session_decision.allowed:
        return _refuse(session_decision, SESSION, missing)
    if granted_by_resource:
        return Decision("allowed", resource_reason, granted_by_resource, missing)
    matched = identity_decision.matched
    reason = identity_decision.reason
    if resource_decision is not None and resource_decision.allowed and not same_account:
        matched += resource_decision.matched
        reason = f"Both sides allow: {identity_decision.reason} {resource_decision.reason}"
    return Decision("allowed", reason, matched, missing)
