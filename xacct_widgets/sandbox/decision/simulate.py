"""IAM's policy simulator in the sandbox: ``SimulatePrincipalPolicy`` and ``SimulateCustomPolicy``.

moto answers both with HTTP 500; the sandbox answers them from the same engine that decides its
requests (:func:`xacct_widgets.policy.decide`), with the request parameters and the response
shape of the IAM API reference (``API_SimulatePrincipalPolicy``, ``API_SimulateCustomPolicy``,
``API_EvaluationResult``, ``API_Statement``): one ``EvaluationResult`` per action and resource,
each with ``EvalDecision`` (``allowed`` / ``explicitDeny`` / ``implicitDeny``), the deciding
``MatchedStatements`` (policy id, policy type, start and end position in the document),
``MissingContextValues``, ``OrganizationsDecisionDetail``, ``PermissionsBoundaryDecisionDetail``
and ``ResourceSpecificResults``. As in AWS, the simulator's request context holds only what the
caller passes in ``ContextEntries`` plus the keys that follow from the simulated principal
(``aws:username``, ``aws:PrincipalArn``…): it does not invent a time, an address or MFA.

Who may call them is decided like any request (``iam:SimulatePrincipalPolicy`` on the
``PolicySourceArn``, ``iam:SimulateCustomPolicy`` on ``*``) before these handlers run.

Also here, because moto lacks them: ``PutUserPermissionsBoundary`` /
``DeleteUserPermissionsBoundary`` and ``CreateUser(PermissionsBoundary=…)`` (HTTP 500 or
ignored in moto), stored where :mod:`.principals` reads a user's boundary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from moto.core.responses import ActionResult, EmptyResult
from moto.iam.exceptions import InvalidInput, MalformedPolicyDocument, NoSuchEntity
from moto.iam.models import iam_backends

from ...errors import XacctError
from ...policy import (
    ContextValue,
    Decision,
    MatchedStatement,
    Policy,
    Principal,
    RequestContext,
    decide,
    evaluate_identity_policies,
    owner_account,
    parse_policy,
)
from ...policy.positions import statement_positions
from ..accounts import PARTITION
from .principals import managed_document, scp_levels

__all__ = ["handlers"]

_ARN: Final = re.compile(r"^arn:aws:(iam|sts)::(\d{12}):(user|role|group|assumed-role)/(.+)$")
_LIST_TYPES: Final = ("List",)


@dataclass(frozen=True)
class _Source:
    """A policy the simulation evaluates, and how AWS names it in ``MatchedStatements``."""

    policy: Policy
    policy_id: str
    policy_type: str  # user | group | role | aws-managed | user-managed | resource | none
    text: str


def _source(text: str, policy_id: str, policy_type: str, key: int) -> _Source:
    try:
        policy = parse_policy(text, f"#{key} {policy_id}")
    except XacctError as err:
        raise MalformedPolicyDocument(f"{policy_id}: {err}") from None
    return _Source(policy, policy_id, policy_type, text)


class _Sources:
    def __init__(self) -> None:
        self.items: list[_Source] = []

    def add(self, text: str, policy_id: str, policy_type: str) -> _Source:
        source = _source(text, policy_id, policy_type, len(self.items))
        self.items.append(source)
        return source

    def managed(self, account: str, arns: Sequence[str]) -> None:
        for arn in arns:
            document = managed_document(account, arn)
            if document is not None:
                kind = "aws-managed" if arn.startswith("arn:aws:iam::aws:") else "user-managed"
                self.add(document, arn.rsplit("/", 1)[-1], kind)

    def by_source(self, name: str) -> _Source | None:
        return next((s for s in self.items if s.policy.source == name), None)


def _entity(arn: str) -> tuple[Principal | None, _Sources, str | None]:
    """(simulated principal, its identity policies, its boundary ARN) for PolicySourceArn."""
    match = _ARN.match(arn or "")
    if match is None:
        raise InvalidInput(f"Invalid ARN: {arn!r} is not the ARN of an IAM user, group or role.")
    _, account, kind, rest = match.groups()
    name = rest.rsplit("/", 1)[-1]
    backend = iam_backends[account][PARTITION]
    sources = _Sources()
    try:
        if kind == "user":
            user = backend.get_user(name)
            for policy_name, text in user.policies.items():
                sources.add(text, policy_name, "user")
            sources.managed(account, list(user.managed_policies))
            for group in backend.get_groups_for_user(name):
                for policy_name, text in group.policies.items():
                    sources.add(text, policy_name, "group")
                sources.managed(account, list(group.managed_policies))
            boundary = getattr(user, "permissions_boundary_arn", None)
            return Principal(user.arn, userid=user.id), sources, boundary
        if kind in ("role", "assumed-role"):
            role = backend.get_role(name if kind == "role" else rest.split("/")[0])
            for policy_name, text in role.policies.items():
                sources.add(text, policy_name, "role")
            sources.managed(account, list(role.managed_policies))
            session = f"arn:aws:sts::{account}:assumed-role/{role.name}/SimulatePrincipalPolicy"
            principal = Principal(session, role_arn=role.arn, userid=f"{role.id}:simulation")
            return principal, sources, role.permissions_boundary_arn
        group = backend.get_group(name)
        for policy_name, text in group.policies.items():
            sources.add(text, policy_name, "group")
        sources.managed(account, list(group.managed_policies))
        return None, sources, None
    except NoSuchEntity:
        raise
    except Exception:
        raise NoSuchEntity(f"The {kind} with name {name} cannot be found.") from None


def _context_keys(entries: Sequence[dict[str, Any]] | None) -> dict[str, ContextValue]:
    keys: dict[str, ContextValue] = {}
    for entry in entries or ():
        name = entry.get("ContextKeyName")
        if not name:
            raise InvalidInput("Every ContextEntries member needs a ContextKeyName.")
        values = [str(v) for v in entry.get("ContextKeyValues") or ()]
        kind = str(entry.get("ContextKeyType") or "string")
        keys[str(name)] = (
            tuple(values) if kind.endswith(_LIST_TYPES) or len(values) != 1 else (values[0])
        )
    return keys


def _statement(source: _Source, matched: MatchedStatement) -> dict[str, Any]:
    spans = statement_positions(source.text)
    found: dict[str, Any] = {
        "SourcePolicyId": source.policy_id,
        "SourcePolicyType": source.policy_type,
    }
    if matched.index < len(spans):
        start, end = spans[matched.index]
        found["StartPosition"] = {"Line": start.line, "Column": start.column}
        found["EndPosition"] = {"Line": end.line, "Column": end.column}
    return found


def _matched(sources: _Sources, decision: Decision) -> list[dict[str, Any]]:
    out = []
    for matched in decision.matched:
        source = sources.by_source(matched.source)
        if source is not None:
            out.append(_statement(source, matched))
    return out


@dataclass(frozen=True)
class _Simulation:
    principal: Principal | None
    identity: _Sources
    boundary: _Sources
    resource_policy: _Sources
    resource_owner: str | None
    scps: list[list[Policy]] | None
    keys: dict[str, ContextValue]


def _result(sim: _Simulation, action: str, resource: str) -> dict[str, Any]:
    context = RequestContext(action, resource, sim.principal, sim.keys)
    boundary_docs = [s.policy for s in sim.boundary.items]
    boundary = None
    if boundary_docs:
        statements = tuple(st for p in boundary_docs for st in p.statements)
        boundary = Policy(statements, source=boundary_docs[0].source)
    resource_policy = sim.resource_policy.items[0].policy if sim.resource_policy.items else None
    given_owner = sim.resource_owner or ""  # an account ID, or its root ARN
    owner = (
        owner_account(given_owner)
        or given_owner
        or owner_account(resource)
        or (sim.principal.account if sim.principal else None)
    )
    decision = decide(
        context,
        identity=[s.policy for s in sim.identity.items],
        resource=resource_policy,
        resource_account=owner,
        scps=sim.scps,
        boundary=boundary,
    )
    everything = _Sources()
    everything.items = sim.identity.items + sim.boundary.items + sim.resource_policy.items
    matched = _matched(everything, decision)
    missing = list(decision.missing_context_values)
    specific: dict[str, Any] = {
        "EvalResourceName": resource,
        "EvalResourceDecision": decision.decision,
        "MatchedStatements": matched,
        "MissingContextValues": missing,
    }
    result: dict[str, Any] = {
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": decision.decision,
        "MatchedStatements": matched,
        "MissingContextValues": missing,
        "ResourceSpecificResults": [specific],
    }
    if sim.scps is not None:
        allowed = all(evaluate_identity_policies(level, context).allowed for level in sim.scps)
        result["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": allowed}
    if boundary is not None:
        detail = {
            "AllowedByPermissionsBoundary": evaluate_identity_policies([boundary], context).allowed
        }
        result["PermissionsBoundaryDecisionDetail"] = detail
        specific["PermissionsBoundaryDecisionDetail"] = detail
    return result


def _page(response: Any, results: list[dict[str, Any]]) -> ActionResult:
    marker = response._get_param("Marker")
    start = int(marker) if marker and str(marker).isdigit() else 0
    size = int(response._get_param("MaxItems") or 1000)
    page = results[start : start + size]
    answer: dict[str, Any] = {"EvaluationResults": page, "IsTruncated": start + size < len(results)}
    if answer["IsTruncated"]:
        answer["Marker"] = str(start + size)
    return ActionResult(answer)


def _run(response: Any, sim: _Simulation) -> ActionResult:
    actions = response._get_param("ActionNames") or []
    if not actions:
        raise InvalidInput("ActionNames must name at least one action.")
    resources = response._get_param("ResourceArns") or ["*"]
    results = [_result(sim, str(a), str(r)) for a in actions for r in resources]
    return _page(response, results)


def _inputs(response: Any, name: str, kind: str) -> _Sources:
    sources = _Sources()
    for i, text in enumerate(response._get_param(name) or [], start=1):
        sources.add(str(text), f"{name}.{i}", kind)
    return sources


def _resource_policy(response: Any) -> _Sources:
    sources = _Sources()
    text = response._get_param("ResourcePolicy")
    if text:
        sources.add(str(text), "ResourcePolicy", "resource")
    return sources


def _caller(response: Any, default: Principal | None) -> Principal | None:
    caller_arn = response._get_param("CallerArn")
    if not caller_arn:
        return default
    if not re.match(r"^arn:aws:iam::\d{12}:user/.+$", str(caller_arn)):
        raise InvalidInput(f"CallerArn {caller_arn!r} must be the ARN of an IAM user.")
    return Principal(str(caller_arn))


def simulate_principal_policy(self: Any) -> ActionResult:
    source_arn = str(self._get_param("PolicySourceArn") or "")
    principal, identity, boundary_arn = _entity(source_arn)
    identity.items += _inputs(self, "PolicyInputList", "none").items
    boundary = _inputs(self, "PermissionsBoundaryPolicyInputList", "none")
    if not boundary.items and boundary_arn:
        document = managed_document(source_arn.split(":")[4], boundary_arn)
        boundary.add(
            document or '{"Statement": []}', boundary_arn.rsplit("/", 1)[-1], "user-managed"
        )
    principal = _caller(self, principal)
    account = source_arn.split(":")[4]
    sim = _Simulation(
        principal,
        identity,
        boundary,
        _resource_policy(self),
        self._get_param("ResourceOwner"),
        scp_levels(account),
        _context_keys(self._get_param("ContextEntries")),
    )
    return _run(self, sim)


def simulate_custom_policy(self: Any) -> ActionResult:
    identity = _inputs(self, "PolicyInputList", "none")
    if not identity.items:
        raise InvalidInput("PolicyInputList must hold at least one policy.")
    sim = _Simulation(
        _caller(self, None),
        identity,
        _inputs(self, "PermissionsBoundaryPolicyInputList", "none"),
        _resource_policy(self),
        self._get_param("ResourceOwner"),
        None,
        _context_keys(self._get_param("ContextEntries")),
    )
    return _run(self, sim)


# -- user permissions boundaries ----------------------------------------------------------------
def _set_boundary(backend: Any, user_name: str, arn: str | None) -> None:
    user = backend.get_user(user_name)
    if arn is not None:
        if not backend.policy_arn_regex.match(arn):
            raise InvalidInput(f"ARN {arn} is not valid.")
        if managed_document(backend.account_id, arn) is None:
            raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
    user.permissions_boundary_arn = arn
    user.permissions_boundary = (
        {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}
        if arn
        else None
    )


def put_user_permissions_boundary(self: Any) -> EmptyResult:
    _set_boundary(self.backend, self._get_param("UserName"), self._get_param("PermissionsBoundary"))
    return EmptyResult()


def delete_user_permissions_boundary(self: Any) -> EmptyResult:
    _set_boundary(self.backend, self._get_param("UserName"), None)
    return EmptyResult()


def handlers(original_create_user: Callable[..., Any]) -> dict[str, Callable[..., Any]]:
    """The ``IamResponse`` methods this module answers (moto dispatches by method name),
    ``CreateUser`` with its ``PermissionsBoundary`` around moto's own; installed by
    :mod:`..moto_integration.patches`."""

    def create_user(self: Any) -> Any:
        boundary = self._get_param("PermissionsBoundary")
        if boundary and managed_document(self.current_account, boundary) is None:
            raise NoSuchEntity(f"Policy {boundary} does not exist or is not attachable.")
        answer = original_create_user(self)
        if boundary:
            _set_boundary(self.backend, self._get_param("UserName"), boundary)
        return answer

    return {
        "simulate_principal_policy": simulate_principal_policy,
        "simulate_custom_policy": simulate_custom_policy,
        "put_user_permissions_boundary": put_user_permissions_boundary,
        "delete_user_permissions_boundary": delete_user_permissions_boundary,
        "create_user": create_user,
    }
