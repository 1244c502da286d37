"""The whole evaluation pipeline: SCPs, resource policy, identity, boundary, session policies.

One table, each case naming the AWS page whose rule it checks, the decision and the policy type
AWS's denial message would name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from policy_docs import (
    ACCESS_DENIED,
    BOUNDARIES,
    CROSS_ACCOUNT,
    EVALUATION,
    SCP_EVALUATION,
    SCPS,
    SESSION_POLICIES,
    Doc,
    check,
)

from xacct_widgets.policy import (
    BOUNDARY,
    IDENTITY,
    RESOURCE,
    SCP,
    SESSION,
    Principal,
    RequestContext,
    decide,
    owner_account,
    parse_policy,
)

ACCOUNT, OTHER = "111122223333", "444455556666"
USER = Principal(f"arn:aws:iam::{ACCOUNT}:user/dev")
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s1"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/app"
ROLE_SESSION = Principal(SESSION_ARN, role_arn=ROLE_ARN)
BUCKET = "arn:aws:s3:::reports/q1.csv"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"
FOREIGN_TOPIC = f"arn:aws:sns:us-east-1:{OTHER}:alerts"


def allow(action: str = "*", resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str = "*", resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def grant(principal: Any, action: str = "*", effect: str = "Allow") -> dict[str, Any]:
    return {"Effect": effect, "Principal": principal, "Action": action, "Resource": "*"}


@dataclass
class Case:
    id: str
    doc: Doc
    decision: str
    denied_by: str = ""
    identity: list[dict[str, Any]] = field(default_factory=list)
    resource_policy: list[dict[str, Any]] | None = None
    scps: list[list[dict[str, Any]]] | None = None
    boundary: list[dict[str, Any]] | None = None
    session: list[list[dict[str, Any]]] | None = None
    caller: Principal = USER
    action: str = "sns:Publish"
    resource: str = TOPIC
    owner: str | None = None
    keys: dict[str, Any] = field(default_factory=dict)


def _doc(statements: list[dict[str, Any]], name: str) -> Any:
    return parse_policy({"Version": "2012-10-17", "Statement": statements}, name)


CASES = [
    # -- identity alone -------------------------------------------------------------------------
    Case("identity-allows", EVALUATION, "allowed", identity=[allow()]),
    Case("no-policy-implicit", EVALUATION, "implicitDeny", IDENTITY),
    Case("identity-deny", EVALUATION, "explicitDeny", IDENTITY, identity=[allow(), deny()]),
    # -- SCPs -----------------------------------------------------------------------------------
    Case("scp-full-access", SCPS, "allowed", identity=[allow()], scps=[[allow()]]),
    Case("scp-allows-nothing", SCPS, "implicitDeny", SCP, identity=[allow()], scps=[[]]),
    Case(
        "scp-allows-other-service",
        SCPS,
        "implicitDeny",
        SCP,
        identity=[allow()],
        scps=[[allow("s3:*")]],
    ),
    Case(
        "scp-explicit-deny",
        SCPS,
        "explicitDeny",
        SCP,
        identity=[allow()],
        scps=[[allow(), deny("sns:*")]],
    ),
    Case(
        "scp-every-level-must-allow",
        SCP_EVALUATION,
        "implicitDeny",
        SCP,
        identity=[allow()],
        scps=[[allow()], [allow("s3:*")], [allow()]],
    ),
    Case(
        "scp-all-levels-allow",
        SCP_EVALUATION,
        "allowed",
        identity=[allow()],
        scps=[[allow()], [allow("sns:*")], [allow("sns:Publish")]],
    ),
    Case(
        "scp-allow-grants-nothing-alone",
        SCPS,
        "implicitDeny",
        IDENTITY,
        scps=[[allow()]],
    ),
    Case(
        "scp-limits-root",
        SCPS,
        "explicitDeny",
        SCP,
        identity=[allow()],
        scps=[[allow(), deny("sns:Publish")]],
        caller=Principal(f"arn:aws:iam::{ACCOUNT}:root"),
    ),
    Case(
        "scp-condition-holds",
        SCPS,
        "explicitDeny",
        SCP,
        identity=[allow()],
        scps=[
            [
                allow(),
                deny(Condition={"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}),
            ]
        ],
        keys={"aws:RequestedRegion": "us-east-1"},
    ),
    Case(
        "scp-condition-not-met",
        SCPS,
        "allowed",
        identity=[allow()],
        scps=[
            [
                allow(),
                deny(Condition={"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}),
            ]
        ],
        keys={"aws:RequestedRegion": "us-east-1"},
    ),
    # -- permissions boundaries -----------------------------------------------------------------
    Case("boundary-allows", BOUNDARIES, "allowed", identity=[allow()], boundary=[allow("sns:*")]),
    Case(
        "boundary-limits",
        BOUNDARIES,
        "implicitDeny",
        BOUNDARY,
        identity=[allow()],
        boundary=[allow("s3:*")],
    ),
    Case(
        "boundary-grants-nothing-alone",
        BOUNDARIES,
        "implicitDeny",
        IDENTITY,
        boundary=[allow()],
    ),
    Case(
        "boundary-deny",
        BOUNDARIES,
        "explicitDeny",
        BOUNDARY,
        identity=[allow()],
        boundary=[allow(), deny("sns:Publish")],
    ),
    Case(
        "boundary-resource-scoped",
        BOUNDARIES,
        "implicitDeny",
        BOUNDARY,
        identity=[allow()],
        boundary=[allow("sns:*", f"arn:aws:sns:*:{ACCOUNT}:other")],
    ),
    Case(
        "boundary-condition",
        BOUNDARIES,
        "implicitDeny",
        BOUNDARY,
        identity=[allow()],
        boundary=[allow(Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})],
    ),
    Case(
        "boundary-does-not-limit-resource-policy-for-user",
        BOUNDARIES,
        "allowed",
        resource_policy=[grant({"AWS": USER.arn})],
        boundary=[allow("s3:*")],
    ),
    Case(
        "boundary-limits-resource-policy-naming-role",
        BOUNDARIES,
        "implicitDeny",
        BOUNDARY,
        resource_policy=[grant({"AWS": ROLE_ARN})],
        boundary=[allow("s3:*")],
        caller=ROLE_SESSION,
    ),
    Case(
        "resource-policy-naming-role-needs-no-identity-allow",
        EVALUATION,
        "allowed",
        resource_policy=[grant({"AWS": ROLE_ARN})],
        caller=ROLE_SESSION,
    ),
    Case(
        "boundary-does-not-limit-resource-policy-naming-session",
        BOUNDARIES,
        "allowed",
        resource_policy=[grant({"AWS": SESSION_ARN})],
        boundary=[allow("s3:*")],
        caller=ROLE_SESSION,
    ),
    # -- session policies -----------------------------------------------------------------------
    Case(
        "session-allows",
        SESSION_POLICIES,
        "allowed",
        identity=[allow()],
        session=[[allow("sns:Publish")]],
        caller=ROLE_SESSION,
    ),
    Case(
        "session-limits",
        SESSION_POLICIES,
        "implicitDeny",
        SESSION,
        identity=[allow()],
        session=[[allow("s3:*")]],
        caller=ROLE_SESSION,
    ),
    Case(
        "session-grants-nothing-alone",
        SESSION_POLICIES,
        "implicitDeny",
        IDENTITY,
        session=[[allow()]],
        caller=ROLE_SESSION,
    ),
    Case(
        "session-deny",
        SESSION_POLICIES,
        "explicitDeny",
        SESSION,
        identity=[allow()],
        session=[[allow(), deny("sns:*")]],
        caller=ROLE_SESSION,
    ),
    Case(
        "session-several-policies-any-allows",
        SESSION_POLICIES,
        "allowed",
        identity=[allow()],
        session=[[allow("s3:*")], [allow("sns:Publish")]],
        caller=ROLE_SESSION,
    ),
    Case(
        "session-empty-list-allows-nothing",
        SESSION_POLICIES,
        "implicitDeny",
        SESSION,
        identity=[allow()],
        session=[[]],
        caller=ROLE_SESSION,
    ),
    Case(
        "session-and-boundary-both-must-allow",
        BOUNDARIES,
        "implicitDeny",
        BOUNDARY,
        identity=[allow()],
        boundary=[allow("s3:*")],
        session=[[allow()]],
        caller=ROLE_SESSION,
    ),
    Case(
        "session-does-not-limit-resource-policy-naming-session",
        SESSION_POLICIES,
        "allowed",
        resource_policy=[grant({"AWS": SESSION_ARN})],
        session=[[allow("s3:*")]],
        caller=ROLE_SESSION,
    ),
    Case(
        "session-limits-resource-policy-naming-role",
        SESSION_POLICIES,
        "implicitDeny",
        SESSION,
        resource_policy=[grant({"AWS": ROLE_ARN})],
        session=[[allow("s3:*")]],
        caller=ROLE_SESSION,
    ),
    # -- resource-based policies within one account ----------------------------------------------
    Case(
        "same-account-resource-policy-alone",
        EVALUATION,
        "allowed",
        resource_policy=[grant({"AWS": USER.arn})],
    ),
    Case(
        "same-account-star-principal",
        EVALUATION,
        "allowed",
        resource_policy=[grant("*")],
    ),
    Case(
        "same-account-root-delegates",
        EVALUATION,
        "implicitDeny",
        IDENTITY,
        resource_policy=[grant({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})],
    ),
    Case(
        "same-account-root-plus-identity",
        EVALUATION,
        "allowed",
        identity=[allow()],
        resource_policy=[grant({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})],
    ),
    Case(
        "same-account-resource-deny",
        EVALUATION,
        "explicitDeny",
        RESOURCE,
        identity=[allow()],
        resource_policy=[grant("*", effect="Deny")],
    ),
    Case(
        "same-account-identity-deny-beats-resource-allow",
        EVALUATION,
        "explicitDeny",
        IDENTITY,
        identity=[deny()],
        resource_policy=[grant({"AWS": USER.arn})],
    ),
    Case(
        "scp-limits-resource-policy",
        SCPS,
        "implicitDeny",
        SCP,
        resource_policy=[grant({"AWS": USER.arn})],
        scps=[[allow("s3:*")]],
    ),
    Case(
        "s3-bucket-owner-given",
        EVALUATION,
        "allowed",
        resource_policy=[grant({"AWS": USER.arn})],
        action="s3:GetObject",
        resource=BUCKET,
        owner=ACCOUNT,
    ),
    # -- across accounts --------------------------------------------------------------------------
    Case(
        "cross-account-both-allow",
        CROSS_ACCOUNT,
        "allowed",
        identity=[allow()],
        resource_policy=[grant({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})],
        resource=FOREIGN_TOPIC,
    ),
    Case(
        "cross-account-resource-alone",
        CROSS_ACCOUNT,
        "implicitDeny",
        IDENTITY,
        resource_policy=[grant({"AWS": USER.arn})],
        resource=FOREIGN_TOPIC,
    ),
    Case(
        "cross-account-identity-alone",
        CROSS_ACCOUNT,
        "implicitDeny",
        RESOURCE,
        identity=[allow()],
        resource_policy=[],
        resource=FOREIGN_TOPIC,
    ),
    Case(
        "cross-account-boundary-applies",
        CROSS_ACCOUNT,
        "implicitDeny",
        BOUNDARY,
        identity=[allow()],
        boundary=[allow("s3:*")],
        resource_policy=[grant({"AWS": USER.arn})],
        resource=FOREIGN_TOPIC,
    ),
    Case(
        "cross-account-bucket-owner",
        CROSS_ACCOUNT,
        "implicitDeny",
        RESOURCE,
        identity=[allow()],
        resource_policy=[],
        action="s3:GetObject",
        resource=BUCKET,
        owner=OTHER,
    ),
    # -- which policy type a refusal names ------------------------------------------------------
    Case(
        "deny-named-scp-before-identity",
        ACCESS_DENIED,
        "explicitDeny",
        SCP,
        identity=[deny()],
        scps=[[deny()]],
    ),
    Case(
        "deny-anywhere-beats-allow-everywhere",
        ACCESS_DENIED,
        "explicitDeny",
        SESSION,
        identity=[allow()],
        scps=[[allow()]],
        boundary=[allow()],
        session=[[deny()]],
        caller=ROLE_SESSION,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_pipeline(case: Case) -> None:
    check(case.doc)
    context = RequestContext(case.action, case.resource, case.caller, case.keys)
    answer = decide(
        context,
        identity=[_doc(case.identity, "identity")] if case.identity else [],
        resource=(
            _doc(case.resource_policy, "resource") if case.resource_policy is not None else None
        ),
        resource_account=case.owner,
        scps=(
            [[_doc(level, f"scp{i}")] for i, level in enumerate(case.scps)]
            if case.scps is not None
            else None
        ),
        boundary=_doc(case.boundary, "boundary") if case.boundary is not None else None,
        session=(
            [_doc(p, f"session{i}") for i, p in enumerate(case.session)]
            if case.session is not None
            else None
        ),
    )
    assert answer.decision == case.decision, answer.reason
    assert answer.denied_by == case.denied_by


@pytest.mark.parametrize(
    ("arn", "owner"),
    [
        pytest.param(TOPIC, ACCOUNT, id="regional"),
        pytest.param(ROLE_ARN, ACCOUNT, id="iam"),
        pytest.param(BUCKET, "", id="s3-has-no-account"),
        pytest.param("*", "", id="star"),
    ],
)
def test_owner_account(arn: str, owner: str) -> None:
    check(CROSS_ACCOUNT)
    assert owner_account(arn) == owner


def test_missing_context_values_are_collected_across_layers() -> None:
    check(EVALUATION)
    context = RequestContext("sns:Publish", TOPIC, USER)
    answer = decide(
        context,
        identity=[_doc([allow(Condition={"Bool": {"aws:SecureTransport": "true"}})], "i")],
        boundary=_doc([allow(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})], "b"),
    )
    assert set(answer.missing_context_values) == {"aws:SecureTransport", "aws:SourceIp"}
