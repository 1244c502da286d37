"""AWS's policy evaluation logic ("Policy evaluation logic", "Cross-account policy evaluation").

Within one set of policies: an explicit Deny in any applicable statement wins; otherwise some
Allow must apply; otherwise the request is implicitly denied. A statement applies when its
Action (or NotAction), its Resource (or NotResource), its Principal (resource policies only) and
every condition match the request.

Across policy types, :func:`xacct_widgets.policy.layers.decide` is the pipeline (SCPs,
resource policy, identity policies, permissions boundary, session policies); :func:`combine` is
its two-sided special case (identity and resource policy only):

* an explicit Deny in either wins;
* across accounts *both* sides must allow;
* within an account either side may allow, except that a resource policy naming only the
  account (``arn:aws:iam::ID:root``) delegates to the identity policies and never allows alone;
* a role's trust policy and a KMS key policy are the exception ("IAM role trust policies and
  KMS key policies are exceptions to this logic, because they must explicitly allow access for
  principals"): they must allow even within the account (``resource_must_allow``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from .conditions import evaluate_conditions
from .context import RequestContext
from .document import Policy, Statement
from .principals import PrincipalMatch, match_principal
from .variables import resolve
from .wildcards import arn_matches

__all__ = [
    "Decision",
    "DecisionKind",
    "MatchedStatement",
    "combine",
    "evaluate_identity_policies",
    "evaluate_resource_policy",
    "matching_statements",
]

DecisionKind = Literal["allowed", "explicitDeny", "implicitDeny"]


@dataclass(frozen=True)
class MatchedStatement:
    """A statement that decided a request; ``principal`` is how a resource policy named the
    caller (``any``, ``account`` or ``arn``), None in identity policies; ``missing`` the
    condition keys it tested that the request lacked."""

    source: str
    effect: str
    sid: str | None
    index: int
    principal: PrincipalMatch | None = None
    missing: tuple[str, ...] = ()

    def __str__(self) -> str:
        which = f"statement {self.sid!r}" if self.sid else f"Statement[{self.index}]"
        return f"{self.source} ({which})"


@dataclass(frozen=True)
class Decision:
    """The answer for one request, with AWS's ``EvalDecision`` names.

    ``matched`` are the deciding statements (the Denies of an explicit deny, the Allows of an
    allow, none for an implicit deny); ``missing_context_values`` the condition keys the
    applicable statements tested that the request lacked (AWS's ``MissingContextValues``).
    """

    decision: DecisionKind
    reason: str
    matched: tuple[MatchedStatement, ...] = ()
    missing_context_values: tuple[str, ...] = ()
    #: The policy type that refused, in AWS's words for denial messages ("identity-based
    #: policy", "service control policy", "resource-based policy", "permissions boundary",
    #: "session policy"); empty when allowed or when no layer beyond one policy set was asked.
    denied_by: str = ""

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"

    @property
    def sources(self) -> tuple[str, ...]:
        """The policies of the deciding statements, each once, in order."""
        return tuple(dict.fromkeys(m.source for m in self.matched))


@dataclass(frozen=True)
class _Outcome:
    targets: bool  # action, resource and principal match
    holds: bool | None = None  # the conditions (None: an operator we do not know)
    principal: PrincipalMatch | None = None
    missing: tuple[str, ...] = ()
    unmet: str = ""


def _resource_matches(statement: Statement, context: RequestContext, variables: bool) -> bool:
    if statement.resources is None:
        return True  # a trust policy: the resource is the role itself
    found = False
    for pattern in statement.resources:
        resolved = resolve(pattern, context.get) if variables else pattern
        if resolved is not None and arn_matches(resolved, context.resource):
            found = True
            break
    return not found if statement.not_resource else found


def _outcome(
    statement: Statement, context: RequestContext, *, variables: bool, resource_policy: bool
) -> _Outcome:
    if not statement.covers_action(context.action) or not _resource_matches(
        statement, context, variables
    ):
        return _Outcome(False)
    via: PrincipalMatch | None = None
    if resource_policy:
        if statement.principals is None:
            return _Outcome(False)
        via = match_principal(statement.principals, context.principal)
        if statement.not_principal:
            if via is not None:
                return _Outcome(False)
            via = "any"
        elif via is None:
            return _Outcome(False)
    result = evaluate_conditions(statement.conditions, context.get, variables=variables)
    unmet = f"condition {result.failed} not met" if result.failed else ""
    if result.holds is None:
        unmet = f"condition operator {result.failed.operator if result.failed else '?'} unknown"
    return _Outcome(True, result.holds, via, result.missing, unmet)


def _evaluate(
    policies: Iterable[Policy], context: RequestContext, *, resource_policy: bool
) -> Decision:
    denies: list[MatchedStatement] = []
    allows: list[MatchedStatement] = []
    unmet: list[str] = []
    missing: list[str] = []
    for policy in policies:
        for statement in policy.statements:
            outcome = _outcome(
                statement,
                context,
                variables=policy.has_variables,
                resource_policy=resource_policy,
            )
            if not outcome.targets:
                continue
            missing.extend(outcome.missing)
            matched = MatchedStatement(
                policy.source,
                statement.effect,
                statement.sid,
                statement.index,
                outcome.principal,
                outcome.missing,
            )
            if statement.effect == "Deny" and outcome.holds is not False:
                denies.append(matched)  # an unknown operator never lets a Deny off (fail closed)
            elif statement.effect == "Allow" and outcome.holds is True:
                allows.append(matched)
            elif statement.effect == "Allow":
                unmet.append(f"{matched}: {outcome.unmet}")
    keys = tuple(dict.fromkeys(missing))
    request = f"{context.action} on {context.resource}"
    if denies:
        by = ", ".join(str(m) for m in denies)
        return Decision(
            "explicitDeny", f"{request} is explicitly denied by {by}.", tuple(denies), keys
        )
    if allows:
        by = ", ".join(str(m) for m in allows)
        return Decision("allowed", f"{request} is allowed by {by}.", tuple(allows), keys)
    if unmet:
        return Decision("implicitDeny", f"{request} is not allowed: {'; '.join(unmet)}.", (), keys)
    kind = "resource policy" if resource_policy else "identity policy"
    return Decision("implicitDeny", f"No {kind} statement allows {request}.", (), keys)


def evaluate_identity_policies(policies: Iterable[Policy], context: RequestContext) -> Decision:
    """One principal's identity policies (user + groups, or role; managed and inline)."""
    return _evaluate(policies, context, resource_policy=False)


def evaluate_resource_policy(policy: Policy, context: RequestContext) -> Decision:
    """A resource policy, e.g. a role's trust policy: statements apply to the principals named."""
    return _evaluate([policy], context, resource_policy=True)


def matching_statements(
    policy: Policy, context: RequestContext, *, resource_policy: bool, conditions: bool = True
) -> list[Statement]:
    """The statements of ``policy`` that apply to the request (ignoring conditions if asked).

    Used to ask narrower questions than a full decision, e.g. "does the trust policy name the
    caller at all?" before "do its conditions hold?".
    """
    found = []
    for statement in policy.statements:
        outcome = _outcome(
            statement, context, variables=policy.has_variables, resource_policy=resource_policy
        )
        if outcome.targets and (not conditions or outcome.holds is True):
            found.append(statement)
    return found


def combine(
    identity: Decision,
    resource: Decision,
    *,
    same_account: bool,
    resource_must_allow: bool = False,
) -> Decision:
    """The identity side and the resource side of one request, as AWS combines them.

    ``resource_must_allow``: the resource policy is a role's trust policy or a KMS key policy
    (:func:`~xacct_widgets.policy.layers.resource_policy_required`), which must allow the
    caller even within its own account.
    """
    for side in (identity, resource):
        if side.decision == "explicitDeny":
            return side
    missing = tuple(
        dict.fromkeys(identity.missing_context_values + resource.missing_context_values)
    )
    if not same_account:
        if identity.allowed and resource.allowed:
            return Decision(
                "allowed",
                f"Both sides allow: {identity.reason} {resource.reason}",
                identity.matched + resource.matched,
                missing,
            )
        refusing = resource if identity.allowed else identity
        return Decision(
            "implicitDeny",
            f"Across accounts both the identity and the resource policy must allow: "
            f"{refusing.reason}",
            (),
            missing,
        )
    if resource_must_allow and not resource.allowed:
        return Decision(
            "implicitDeny",
            f"{resource.reason} (a role's trust policy must allow the caller even within its own "
            "account: an identity-policy Allow is not enough)",
            (),
            missing,
        )
    direct = tuple(m for m in resource.matched if m.principal != "account")
    if resource.allowed and direct:
        return Decision("allowed", resource.reason, direct, missing)
    if identity.allowed:
        return Decision("allowed", identity.reason, identity.matched, missing)
    return Decision(
        "implicitDeny",
        f"{identity.reason} (a resource policy naming only the account delegates to the "
        "identity policies)",
        (),
        missing,
    )
