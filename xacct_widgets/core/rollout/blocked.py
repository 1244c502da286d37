"""Why an account cannot take the change, in words, found before anything is written.

StackSets reports these as a failed stack instance after the fact; a plan says them up front:

* the account is suspended (its organization status; no call is made);
* the execution role cannot be assumed (the fan-out's ``assume`` stage failed);
* the execution role may not read IAM there (an AccessDenied on a plan read);
* a write the plan needs is denied - by an SCP (``OrganizationsDecisionDetail`` of IAM's policy
  simulator, asked once per account for the plan's actions on the role) or by the execution
  role's own policies;
* a quota: a role may have only so many managed policies (``AttachedPoliciesPerRoleQuota``,
  10 by default), read only when the spec attaches more than the default allows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from botocore.exceptions import BotoCoreError, ClientError

from ..aws import aws_call
from ..query.result import STAGE_ASSUME, Failure
from ..target.apply import STEPS
from ..target.plan import Plan
from .accounts import INACTIVE, AccountTarget

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

__all__ = [
    "DEFAULT_MANAGED_QUOTA",
    "denied_writes",
    "failure_reason",
    "inactive_reason",
    "problem_reason",
    "quota_reason",
]

log = logging.getLogger(__name__)

#: IAM's default "managed policies attached to a role" quota.
DEFAULT_MANAGED_QUOTA: Final = 10


def inactive_reason(target: AccountTarget) -> str:
    """Why nothing can be written to a suspended or closing account ("" when it is active)."""
    if target.status in INACTIVE:
        return (
            f"the account is {target.status.lower().replace('_', ' ')} in the organization: "
            "nothing can be changed in it"
        )
    return ""


def failure_reason(failure: Failure, execution_role: str) -> str:
    """A plan that could not be made in an account, said in words."""
    if failure.stage == STAGE_ASSUME:
        return (
            f"the execution role {execution_role} cannot be assumed in this account "
            f"({failure.code}: {failure.message})"
        )
    if "AccessDenied" in failure.code or "Unauthorized" in failure.code:
        return (
            "the execution role may not read IAM in this account (an SCP or its own policies "
            f"deny it): {failure.message}"
        )
    return f"the plan could not be read ({failure.code}: {failure.message})"


def problem_reason(plan: Plan) -> str:
    """A plan apply would refuse (e.g. a managed policy missing in that account)."""
    return "; ".join(f"{p.problem}: {p.target} ({p.detail})" for p in plan.problems)


def quota_reason(iam: IAMClient, plan: Plan) -> str:
    """Too many managed policies for this account's per-role quota ("" when within it)."""
    wanted = len(plan.spec.managed_policy_arns)
    if wanted <= DEFAULT_MANAGED_QUOTA:
        return ""
    with aws_call("iam:GetAccountSummary"):
        summary = iam.get_account_summary()["SummaryMap"]
    quota = int(summary.get("AttachedPoliciesPerRoleQuota", DEFAULT_MANAGED_QUOTA))
    if wanted <= quota:
        return ""
    return (
        f"a quota: a role may have at most {quota} managed policies in this account "
        f"(AttachedPoliciesPerRoleQuota) and the spec attaches {wanted}"
    )


def _actions(plan: Plan) -> list[str]:
    return list(dict.fromkeys(f"iam:{STEPS[s.action].iam_action}" for s in plan.steps))


def denied_writes(iam: IAMClient, plan: Plan, principal_arn: str, role_arn: str) -> str:
    """Ask IAM's policy simulator whether ``principal_arn`` may make the plan's writes on
    ``role_arn``; the denials in words ("" when all are allowed or the simulator cannot be
    asked: the plan then goes ahead and a denial shows at apply, rolled back)."""
    actions = _actions(plan)
    if not actions:
        return ""
    try:
        answer = iam.simulate_principal_policy(
            PolicySourceArn=principal_arn, ActionNames=actions, ResourceArns=[role_arn]
        )
    except (ClientError, BotoCoreError) as err:
        log.debug("policy simulator not available for %s: %s", principal_arn, err)
        return ""
    by_scp: list[str] = []
    by_role: list[str] = []
    for result in answer.get("EvaluationResults", []):
        if result.get("EvalDecision") == "allowed":
            continue
        action = str(result.get("EvalActionName"))
        organizations = result.get("OrganizationsDecisionDetail") or {}
        if organizations.get("AllowedByOrganizations") is False:
            by_scp.append(action)
        else:
            by_role.append(action)
    return _denial_text(by_scp, by_role, principal_arn)


def _denial_text(by_scp: Iterable[str], by_role: Iterable[str], principal_arn: str) -> str:
    parts = []
    scp, own = sorted(by_scp), sorted(by_role)
    if scp:
        parts.append(f"an SCP denies {', '.join(scp)} in this account")
    if own:
        parts.append(f"{principal_arn} is not allowed {', '.join(own)}")
    return "; ".join(parts)
