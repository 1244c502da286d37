"""The AWS documentation pages the policy-engine cases follow: (title, URL) per page.

Every case in tests/policy names one of these, so a reader can check the expected answer against
AWS's own words rather than against this project's code.
"""

from __future__ import annotations

from typing import NamedTuple

_IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"


class Doc(NamedTuple):
    title: str
    url: str


EVALUATION = Doc("Policy evaluation logic", _IAM + "reference_policies_evaluation-logic.html")
CROSS_ACCOUNT = Doc(
    "Cross-account policy evaluation logic",
    _IAM + "reference_policies_evaluation-logic-cross-account.html",
)
OPERATORS = Doc(
    "IAM JSON policy elements: Condition operators",
    _IAM + "reference_policies_elements_condition_operators.html",
)
CONDITION = Doc(
    "IAM JSON policy elements: Condition", _IAM + "reference_policies_elements_condition.html"
)
MULTI_VALUE = Doc(
    "Conditions with multiple context keys or values",
    _IAM + "reference_policies_multi-value-conditions.html",
)
GLOBAL_KEYS = Doc(
    "AWS global condition context keys", _IAM + "reference_policies_condition-keys.html"
)
VARIABLES = Doc(
    "IAM policy elements: Variables and tags", _IAM + "reference_policies_variables.html"
)
ACTION = Doc("IAM JSON policy elements: Action", _IAM + "reference_policies_elements_action.html")
NOT_ACTION = Doc(
    "IAM JSON policy elements: NotAction", _IAM + "reference_policies_elements_notaction.html"
)
RESOURCE = Doc(
    "IAM JSON policy elements: Resource", _IAM + "reference_policies_elements_resource.html"
)
NOT_RESOURCE = Doc(
    "IAM JSON policy elements: NotResource", _IAM + "reference_policies_elements_notresource.html"
)
PRINCIPAL = Doc(
    "AWS JSON policy elements: Principal", _IAM + "reference_policies_elements_principal.html"
)
NOT_PRINCIPAL = Doc(
    "AWS JSON policy elements: NotPrincipal",
    _IAM + "reference_policies_elements_notprincipal.html",
)
GRAMMAR = Doc("Grammar of the IAM JSON policy language", _IAM + "reference_policies_grammar.html")
VERSION = Doc(
    "IAM JSON policy elements: Version", _IAM + "reference_policies_elements_version.html"
)
SID = Doc("IAM JSON policy elements: Sid", _IAM + "reference_policies_elements_sid.html")
EFFECT = Doc("IAM JSON policy elements: Effect", _IAM + "reference_policies_elements_effect.html")
QUOTAS = Doc("IAM and AWS STS quotas", _IAM + "reference_iam-quotas.html")
ASSUME_ROLE = Doc(
    "AssumeRole - AWS Security Token Service API Reference",
    "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html",
)


def check(doc: Doc) -> None:
    """Each case must cite an AWS documentation page."""
    assert doc.url.startswith("https://docs.aws.amazon.com/") and doc.title, doc


# -- pages added for the full pipeline and the simulator (issue 10) ------------------------------
BOUNDARIES = Doc(
    "Permissions boundaries for IAM entities", _IAM + "access_policies_boundaries.html"
)
SESSION_POLICIES = Doc(
    "Policies and permissions in IAM: Session policies",
    _IAM + "access_policies.html#policies_session",
)
SCPS = Doc(
    "Service control policies (SCPs)",
    "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html",
)
SCP_EVALUATION = Doc(
    "SCP evaluation",
    "https://docs.aws.amazon.com/organizations/latest/userguide/"
    "orgs_manage_policies_scps_evaluation.html",
)
ACCESS_DENIED = Doc(
    "Troubleshoot access denied error messages", _IAM + "troubleshoot_access-denied.html"
)
SIMULATE_PRINCIPAL = Doc(
    "SimulatePrincipalPolicy - IAM API Reference",
    "https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html",
)
SIMULATE_CUSTOM = Doc(
    "SimulateCustomPolicy - IAM API Reference",
    "https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html",
)
STATEMENT_POSITION = Doc(
    "Statement - IAM API Reference (StartPosition, EndPosition)",
    "https://docs.aws.amazon.com/IAM/latest/APIReference/API_Statement.html",
)
