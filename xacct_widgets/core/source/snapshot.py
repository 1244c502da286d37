"""Every identity policy of the source account, read once, so "who may switch" is a pure question.

Who may assume a role is a question about *all* users, groups and roles at once, and restricting
it means trying edits before making them. Both are evaluated on this snapshot: one paginated
``iam:GetAccountAuthorizationDetails`` (users with their groups, inline and attached policies and
permissions boundaries; groups; roles; managed policies with their default version) instead of
several calls per principal. Planned edits are an *overlay* (policy reference -> new document,
or None for "deleted"), so a plan is evaluated exactly as the account will be after it.

A policy reference names where a document lives, in the words a check's detail uses:
``user:NAME/POLICY``, ``group:NAME/POLICY``, ``role:NAME/POLICY`` (inline), ``managed:ARN``, or
``trust:NAME`` for the trust policy of role NAME. The account's own roles come with their trust
policies, because for a role of the *same* account the trust policy decides too: it must allow
the caller, and a principal it names directly needs no identity policy at all (AWS, "Policy
evaluation logic": "IAM role trust policies and KMS key policies are exceptions").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ...policy import Policy, Principal, parse_policy
from .. import policies
from ..aws import aws_call

__all__ = [
    "Entity",
    "EntityKind",
    "ManagedPolicy",
    "Overlay",
    "Snapshot",
    "inline_ref",
    "read",
    "trust_ref",
]

EntityKind = Literal["user", "group", "role"]
#: Planned documents by policy reference; None means the inline policy is deleted.
Overlay = Mapping[str, dict[str, Any] | None]


def inline_ref(kind: str, name: str, policy: str) -> str:
    return f"{kind}:{name}/{policy}"


def trust_ref(role_name: str) -> str:
    """The reference of role ``role_name``'s trust policy."""
    return f"trust:{role_name}"


@dataclass(frozen=True)
class Entity:
    """A user, group or role with the policies IAM has stored for it."""

    kind: EntityKind
    name: str
    arn: str
    inline: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    managed: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    boundary: str | None = None
    userid: str | None = None
    #: A role's trust policy (None for users and groups).
    trust: Mapping[str, Any] | None = None

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def principal(self) -> Principal | None:
        """The engine's caller for this entity (a group is never a caller: None)."""
        if self.kind == "user":
            return Principal(self.arn, userid=self.userid)
        if self.kind == "role":
            # The session ARN is in the role's partition (arn:aws-us-gov:sts::...):
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
            _, partition, _, _, account = self.arn.split(":")[:5]
            session = f"arn:{partition}:sts::{account}:assumed-role/{self.name}/xacct-check"
            return Principal(session, role_arn=self.arn)
        return None


@dataclass(frozen=True)
class ManagedPolicy:
    arn: str
    document: dict[str, Any]
    version: str

    @property
    def aws_managed(self) -> bool:
        return self.arn.split(":")[4] == "aws"

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


@dataclass
class Snapshot:
    """The source account's users, groups, roles and managed policies, read at one moment."""

    users: dict[str, Entity] = field(default_factory=dict)
    groups: dict[str, Entity] = field(default_factory=dict)
    roles: dict[str, Entity] = field(default_factory=dict)
    managed: dict[str, ManagedPolicy] = field(default_factory=dict)

    def entities(self) -> Iterator[Entity]:
        yield from self.users.values()
        yield from self.groups.values()
        yield from self.roles.values()

    def members(self, group: str) -> list[Entity]:
        return [u for u in self.users.values() if group in u.groups]

    def holders(self, ref: str) -> list[Entity]:
        """The entities a policy applies to directly (a group, not its members)."""
        if ref.startswith("managed:"):
            arn = ref.removeprefix("managed:")
            return [e for e in self.entities() if arn in e.managed]
        if ref.startswith("trust:"):
            return []  # a trust policy is the role's own, held by no principal
        kind, _, rest = ref.partition(":")
        name = rest.split("/", 1)[0]
        found = {"user": self.users, "group": self.groups, "role": self.roles}[kind].get(name)
        return [found] if found else []

    def document(self, ref: str, overlay: Overlay | None = None) -> dict[str, Any] | None:
        """The document at ``ref`` as the overlay (else IAM) has it; None when there is none."""
        if overlay is not None and ref in overlay:
            return overlay[ref]
        if ref.startswith("managed:"):
            found = self.managed.get(ref.removeprefix("managed:"))
            return found.document if found else None
        if ref.startswith("trust:"):
            role = self.roles.get(ref.removeprefix("trust:"))
            return dict(role.trust) if role is not None and role.trust is not None else None
        kind, _, rest = ref.partition(":")
        name, _, policy = rest.partition("/")
        table = {"user": self.users, "group": self.groups, "role": self.roles}[kind]
        entity = table.get(name)
        return entity.inline.get(policy) if entity else None

    def own_refs(self, entity: Entity, overlay: Overlay | None = None) -> list[str]:
        """References of the entity's own inline and attached managed policies."""
        prefix = inline_ref(entity.kind, entity.name, "")
        refs = [prefix + name for name in entity.inline]
        refs += [r for r in (overlay or {}) if r.startswith(prefix) and r not in refs]
        return refs + [f"managed:{arn}" for arn in entity.managed]

    def refs(self, entity: Entity, overlay: Overlay | None = None) -> list[str]:
        """Every identity policy that applies to the entity (a user's groups' included)."""
        found = self.own_refs(entity, overlay)
        for group in entity.groups:
            if group in self.groups:
                found += self.own_refs(self.groups[group], overlay)
        return found

    def policies(self, entity: Entity, overlay: Overlay | None = None) -> list[Policy]:
        """The entity's identity policies as the engine reads them, labelled by reference."""
        out = []
        for ref in self.refs(entity, overlay):
            doc = self.document(ref, overlay)
            if doc is not None:
                out.append(parse_policy(doc, source=ref))
        return out

    def role_named(self, role_arn: str) -> Entity | None:
        """The account's role with this ARN (None: not a role of this account)."""
        return next((r for r in self.roles.values() if r.arn == role_arn), None)

    def trust_policy(self, role_arn: str, overlay: Overlay | None = None) -> Policy | None:
        """The trust policy of ``role_arn`` when it is a role of this account (None otherwise:
        another account's role, whose trust policy this snapshot cannot see)."""
        role = self.role_named(role_arn)
        if role is None:
            return None
        ref = trust_ref(role.name)
        doc = self.document(ref, overlay)
        return parse_policy(doc if doc is not None else {"Statement": []}, source=ref)

    def boundary(self, entity: Entity) -> Policy | None:
        if entity.boundary is None or entity.boundary not in self.managed:
            return None
        return parse_policy(
            self.managed[entity.boundary].document, source=f"managed:{entity.boundary}"
        )


def _inline(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {p["PolicyName"]: policies.load_policy(p["PolicyDocument"]) for p in entries}


def _attached(item: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(p["PolicyArn"] for p in item.get("AttachedManagedPolicies", []))


def _boundary(item: Mapping[str, Any]) -> str | None:
    found = item.get("PermissionsBoundary") or {}
    return found.get("PermissionsBoundaryArn") or None


def _trust(item: Mapping[str, Any]) -> dict[str, Any] | None:
    found = item.get("AssumeRolePolicyDocument")
    return policies.load_policy(found) if found else None


def _managed(iam: Any, arn: str) -> ManagedPolicy:
    with aws_call("iam:GetPolicy", arn):
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        doc = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]
    return ManagedPolicy(arn, policies.load_policy(doc["Document"]), version)


def read(iam: Any) -> Snapshot:
    """Read the account (``iam:GetAccountAuthorizationDetails``, paginated)."""
    snap = Snapshot()
    pages = iam.get_paginator("get_account_authorization_details").paginate(
        Filter=["User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy"]
    )
    with aws_call("iam:GetAccountAuthorizationDetails"):
        for page in pages:
            for u in page.get("UserDetailList", []):
                snap.users[u["UserName"]] = Entity(
                    "user",
                    u["UserName"],
                    u["Arn"],
                    _inline(u.get("UserPolicyList", [])),
                    _attached(u),
                    tuple(u.get("GroupList", [])),
                    _boundary(u),
                    u.get("UserId"),
                )
            for g in page.get("GroupDetailList", []):
                snap.groups[g["GroupName"]] = Entity(
                    "group",
                    g["GroupName"],
                    g["Arn"],
                    _inline(g.get("GroupPolicyList", [])),
                    _attached(g),
                )
            for r in page.get("RoleDetailList", []):
                snap.roles[r["RoleName"]] = Entity(
                    "role",
                    r["RoleName"],
                    r["Arn"],
                    _inline(r.get("RolePolicyList", [])),
                    _attached(r),
                    boundary=_boundary(r),
                    userid=r.get("RoleId"),
                    trust=_trust(r),
                )
            for p in page.get("Policies", []):
                default = next(
                    (v for v in p.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None
                )
                if default is not None:
                    snap.managed[p["Arn"]] = ManagedPolicy(
                        p["Arn"], policies.load_policy(default["Document"]), default["VersionId"]
                    )
    wanted = {arn for e in snap.entities() for arn in e.managed}
    wanted |= {e.boundary for e in snap.entities() if e.boundary}
    for arn in sorted(wanted - set(snap.managed)):
        snap.managed[arn] = _managed(iam, arn)
    return snap
