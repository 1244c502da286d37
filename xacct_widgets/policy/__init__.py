"""The IAM policy language, in pure Python: the ONE evaluator of the project.

Parse and validate documents against IAM's grammar and quotas (:mod:`.document`,
:mod:`.validate`), describe a request (:mod:`.context`), match actions, ARNs and principals the
way AWS does (:mod:`.wildcards`, :mod:`.principals`), test conditions (:mod:`.conditions`,
:mod:`.variables`) and decide (:mod:`.evaluate` for one policy set, :mod:`.layers` for the whole
pipeline). The sandbox enforces with it; core's preflight
uses it where AWS cannot be asked. It imports nothing outside the standard library and
:mod:`xacct_widgets.errors`, so it can be reasoned about (and tested) without AWS.
"""

from __future__ import annotations

from .conditions import OPERATORS, Condition, ConditionResult, evaluate_conditions, parse_operator
from .context import ContextValue, Principal, PrincipalType, RequestContext, assume_role_context
from .document import (
    POLICY_VERSION,
    Policy,
    Statement,
    canonical,
    equivalent,
    load_document,
    parse_policy,
)
from .evaluate import (
    Decision,
    DecisionKind,
    MatchedStatement,
    combine,
    evaluate_identity_policies,
    evaluate_resource_policy,
    matching_statements,
)
from .layers import (
    BOUNDARY,
    IDENTITY,
    RESOURCE,
    SCP,
    SESSION,
    TRUST_POLICY_ACTIONS,
    decide,
    owner_account,
    resource_policy_required,
)
from .principals import PrincipalMatch, match_principal
from .validate import MAX_POLICY_CHARS, PolicyKind, validate_document
from .variables import resolve as resolve_variables
from .wildcards import action_matches, arn_matches, wildcard_match

__all__ = [
    "BOUNDARY",
    "IDENTITY",
    "MAX_POLICY_CHARS",
    "OPERATORS",
    "POLICY_VERSION",
    "RESOURCE",
    "SCP",
    "SESSION",
    "TRUST_POLICY_ACTIONS",
    "Condition",
    "ConditionResult",
    "ContextValue",
    "Decision",
    "DecisionKind",
    "MatchedStatement",
    "Policy",
    "PolicyKind",
    "Principal",
    "PrincipalMatch",
    "PrincipalType",
    "RequestContext",
    "Statement",
    "action_matches",
    "arn_matches",
    "assume_role_context",
    "canonical",
    "combine",
    "decide",
    "equivalent",
    "evaluate_conditions",
    "evaluate_identity_policies",
    "evaluate_resource_policy",
    "load_document",
    "match_principal",
    "matching_statements",
    "owner_account",
    "parse_operator",
    "parse_policy",
    "resolve_variables",
    "resource_policy_required",
    "validate_document",
    "wildcard_match",
]
