"""Every (principal, role) pair that can ``sts:AssumeRole``, decided by the one policy engine.

For each role, its trust policy says whom to ask about: principals named by ARN, every
principal of an account it names (``arn:aws:iam::ID:root`` delegates to that account's IAM),
everyone (``*``), services and SAML/OIDC providers. Each principal of the snapshot so named is
decided by :func:`xacct_widgets.policy.decide` with everything AWS evaluates for it: its
identity policies (a user's groups' included), its permissions boundary, the SCPs of its
account's organization levels, and the trust policy under the same-account or cross-account
rule. The SCPs of the *role's* account are not asked: SCPs limit the principals of member
accounts, not who may reach a resource there; they do limit what that role may do next, which is
where a chain meets them (the role, as a principal, is decided with its own account's SCPs).

Principals the snapshot cannot see become rows decided on the trust side alone: an account
outside the snapshot ("any principal of ACCOUNT allowed by its IAM"), a named ARN there,
``*``, services, and federated providers (``sts:AssumeRoleWithSAML`` /
``sts:AssumeRoleWithWebIdentity``).

Conditions are kept as data, not evaluated away (:mod:`.lifted`): a condition on a key the map
cannot know (MFA, ExternalId, source IP, session name, OIDC ``sub``/``aud``, ...) is lifted
before deciding and listed in the edge's ``conditions``; keys the map does know (the
principal's ARN, account, type, user name and ID, organization ID) are evaluated as AWS does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from ...policy import (
    ContextValue,
    Decision,
    Policy,
    Principal,
    RequestContext,
    Statement,
    decide,
    evaluate_resource_policy,
    matching_statements,
    parse_policy,
)
from ..source.snapshot import Entity, Snapshot
from .lifted import Lifted, Row
from .model import AccountData, OrgData

__all__ = ["EDGE_COLUMNS", "solve"]

#: Columns of :attr:`TrustMap.edges`, in order.
EDGE_COLUMNS: Final = (
    "principal_arn",
    "principal_type",
    "principal_account",
    "role_arn",
    "role_account",
    "via",
    "trust_statement",
    "conditions",
    "external",
)
ASSUME: Final = "sts:AssumeRole"
SAML: Final = "sts:AssumeRoleWithSAML"
OIDC: Final = "sts:AssumeRoleWithWebIdentity"


@dataclass(frozen=True)
class _Caller:
    """A user or role of the snapshot, with everything AWS evaluates when it calls."""

    entity: Entity
    account: str
    principal: Principal
    identity: tuple[Policy, ...]
    boundary: Policy | None
    scps: tuple[tuple[Policy, ...], ...] | None
    keys: Mapping[str, ContextValue]


def _callers(
    accounts: Iterable[AccountData], org: OrgData, lift: Lifted
) -> dict[str, list[_Caller]]:
    scp_cache: dict[str, tuple[tuple[Policy, ...], ...] | None] = {}
    out: dict[str, list[_Caller]] = {}
    for data in accounts:
        snap = data.snapshot
        account = data.account_id
        if account not in scp_cache:
            levels = org.scps.get(account) if org.scps_read else None
            scp_cache[account] = (
                tuple(
                    tuple(lift.relax(parse_policy(doc, f"SCP {name}"), "scp") for name, doc in lvl)
                    for lvl in levels
                )
                if levels is not None
                else None
            )
        keys: dict[str, ContextValue] = {}
        if org.known and org.member(account):
            keys["aws:PrincipalOrgID"] = org.org_id
        found = []
        for entity in [*snap.users.values(), *snap.roles.values()]:
            principal = entity.principal
            assert principal is not None
            identity = tuple(lift.relax(p, account) for p in snap.policies(entity))
            boundary = snap.boundary(entity)
            found.append(
                _Caller(
                    entity,
                    account,
                    principal,
                    identity,
                    lift.relax(boundary, account) if boundary is not None else None,
                    scp_cache[account],
                    keys,
                )
            )
        out[account] = found
    return out


def _federated_type(value: str) -> str:
    return "federated-saml" if ":saml-provider/" in value else "federated-oidc"


def _external_principal(kind: str, value: str) -> tuple[Principal, str, str] | None:
    """(a stand-in caller, principal_type, action) for a principal the snapshot cannot see."""
    if kind == "*" or value == "*":
        return Principal("arn:aws:iam::000000000000:user/anyone"), "any", ASSUME
    if kind == "Service":
        return Principal(value), "service", ASSUME
    if kind == "Federated":
        ftype = _federated_type(value)
        return Principal(value), ftype, SAML if ftype == "federated-saml" else OIDC
    if kind != "AWS":
        return None
    if value.isdigit() or value.endswith(":root"):
        account = value if value.isdigit() else value.split(":")[4]
        return Principal(f"arn:aws:iam::{account}:root"), "account", ASSUME
    parts = value.split(":")
    if len(parts) < 6 or not parts[4].isdigit():
        return None  # a unique ID left by a deleted principal: nobody
    if parts[5].startswith("role/"):
        name = parts[5].rsplit("/", 1)[-1]
        session = f"arn:{parts[1]}:sts::{parts[4]}:assumed-role/{name}/trustmap"
        return Principal(session, role_arn=value), "role", ASSUME
    return Principal(value), "user", ASSUME


def _label(st: Statement) -> str:
    return st.sid or str(st.index)


class _Solver:
    def __init__(self, accounts: list[AccountData], org: OrgData) -> None:
        self.org = org
        self.lift = Lifted()
        self.callers = _callers(accounts, org, self.lift)
        self.by_arn = {c.entity.arn: c for cs in self.callers.values() for c in cs}
        self.accounts = {a.account_id for a in accounts}

    def external(self, account: str) -> bool:
        if self.org.known:
            return not self.org.member(account)
        return account not in self.accounts

    def _conditions(
        self,
        caller: _Caller,
        role: str,
        trust: Policy,
        context: RequestContext,
        decision: Decision,
    ) -> tuple[str, str, list[Row]]:
        """(via, trust_statement, conditions) of an allowed edge: the identity statements the
        engine's decision names, the trust statements admitting the caller, and what was
        lifted from them (and from the boundary and SCP statements that allow)."""
        statements = {p.source: p for p in caller.identity}
        rows: list[Row] = []
        via = []
        for m in decision.matched:
            if m.source == trust.source:
                continue
            via.append(str(m))
            policy = statements[m.source]
            matched = [st for st in policy.statements if st.index == m.index]
            rows += self.lift.of(caller.account, "identity", policy, matched)
        for policy in caller.identity:
            rows += self.lift.unless(caller.account, "identity", policy, context, False)
        rows += self.lift.unless(role, "trust", trust, context, True)
        admitted = [
            st
            for st in matching_statements(trust, context, resource_policy=True)
            if st.effect == "Allow"
        ]
        rows += self.lift.of(role, "trust", trust, admitted)
        if caller.boundary is not None and self.lift.touched(caller.account, caller.boundary):
            found = matching_statements(caller.boundary, context, resource_policy=False)
            allows = [st for st in found if st.effect == "Allow"][:1]
            rows += self.lift.of(caller.account, "boundary", caller.boundary, allows)
            rows += self.lift.unless(caller.account, "boundary", caller.boundary, context, False)
        for level in caller.scps or ():
            for policy in level:
                if not self.lift.touched("scp", policy):
                    continue
                found = matching_statements(policy, context, resource_policy=False)
                rows += self.lift.of(
                    "scp", "scp", policy, [s for s in found if s.effect == "Allow"]
                )
                rows += self.lift.unless("scp", "scp", policy, context, False)
        if not via:
            via = [f"{trust.source} (names the principal: no identity policy needed)"]
        trust_label = ", ".join(_label(st) for st in admitted)
        return ", ".join(via), trust_label, rows

    def _inside(
        self, caller: _Caller, role: Entity, role_account: str, trust: Policy
    ) -> Row | None:
        if caller.entity.arn == role.arn:
            return None  # a role assuming itself adds no reach
        context = RequestContext(ASSUME, role.arn, caller.principal, caller.keys)
        decision = decide(
            context,
            identity=caller.identity,
            resource=trust,
            resource_account=role_account,
            scps=caller.scps,
            boundary=caller.boundary,
        )
        if not decision.allowed:
            return None
        via, statement, conditions = self._conditions(caller, role.arn, trust, context, decision)
        return {
            "principal_arn": caller.entity.arn,
            "principal_type": caller.entity.kind,
            "principal_account": caller.account,
            "role_arn": role.arn,
            "role_account": role_account,
            "via": via,
            "trust_statement": statement,
            "conditions": conditions,
            "external": self.external(caller.account),
        }

    def _outside(
        self, kind: str, value: str, role: Entity, role_account: str, trust: Policy
    ) -> Row | None:
        found = _external_principal(kind, value)
        if found is None:
            return None
        principal, ptype, action = found
        context = RequestContext(action, role.arn, principal)
        if not evaluate_resource_policy(trust, context).allowed:
            return None
        admitted = [
            st
            for st in matching_statements(trust, context, resource_policy=True)
            if st.effect == "Allow"
        ]
        account = principal.account if ptype in ("account", "user", "role") else ""
        arn = {"any": "*", "account": f"arn:aws:iam::{account}:root"}.get(ptype, value)
        via = {
            "any": "anyone whose own policies allow it (Principal '*')",
            "account": f"any principal of {account} allowed by its IAM (account not in the map)",
            "service": "the service itself",
        }.get(ptype, "its own account's IAM (not in the map)" if account else action)
        return {
            "principal_arn": arn,
            "principal_type": ptype,
            "principal_account": account,
            "role_arn": role.arn,
            "role_account": role_account,
            "via": via,
            "trust_statement": ", ".join(_label(st) for st in admitted),
            "conditions": self.lift.of(f"outside:{role.arn}", "trust", trust, admitted)
            + self.lift.unless(f"outside:{role.arn}", "trust", trust, context, True),
            "external": ptype in ("any", "federated-saml", "federated-oidc")
            or (bool(account) and self.external(account)),
        }

    def role_edges(self, role: Entity, role_account: str) -> list[Row]:
        stored = parse_policy(dict(role.trust or {}), f"trust:{role.name}")
        trust = self.lift.relax(stored, role.arn)
        candidates: dict[str, _Caller] = {}
        outside: dict[tuple[str, str], None] = {}
        for st in trust.statements:
            if st.effect != "Allow" or not any(st.covers_action(a) for a in (ASSUME, SAML, OIDC)):
                continue
            entries = st.principals or ()
            if st.not_principal:
                entries = (("*", "*"),)
            for kind, value in entries:
                if kind == "*" or (kind == "AWS" and value == "*"):
                    candidates.update({c.entity.arn: c for c in self.by_arn.values()})
                    outside[("*", "*")] = None
                elif kind == "AWS" and (value.isdigit() or value.endswith(":root")):
                    account = value if value.isdigit() else value.split(":")[4]
                    if account in self.callers:
                        candidates.update({c.entity.arn: c for c in self.callers[account]})
                    else:
                        outside[(kind, value)] = None
                elif kind == "AWS" and value in self.by_arn:
                    candidates[value] = self.by_arn[value]
                elif (
                    kind == "AWS" and value.split(":")[4:5] and value.split(":")[4] in self.accounts
                ):
                    continue  # names a principal that no longer exists in a mapped account
                else:
                    outside[(kind, value)] = None
        rows = [self._inside(c, role, role_account, trust) for c in candidates.values()]
        if outside:  # nothing is known of a principal outside the map: every condition stays
            blind = self.lift.relax(stored, f"outside:{role.arn}", known=frozenset())
            rows += [self._outside(k, v, role, role_account, blind) for k, v in outside]
        return [r for r in rows if r is not None]


def solve(accounts: list[AccountData], org: OrgData) -> list[Row]:
    """Every edge of the map (rows with :data:`EDGE_COLUMNS`), sorted by role then principal."""
    solver = _Solver(accounts, org)
    rows: list[Row] = []
    for data in accounts:
        for role in data.snapshot.roles.values():
            if role.trust:
                rows += solver.role_edges(role, data.account_id)
    rows.sort(key=lambda r: (r["role_arn"], r["principal_arn"]))
    return rows


def snapshot_of(accounts: list[AccountData], account: str) -> Snapshot | None:
    return next((a.snapshot for a in accounts if a.account_id == account), None)
