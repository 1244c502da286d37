"""What a trust map is built from: each account's IAM snapshot and the organization's SCPs.

Plain values only, so a collected map can be saved as JSON and re-opened offline (a notebook
without credentials) and so the solver is a pure function of them. An account's IAM is the
:class:`~xacct_widgets.core.source.snapshot.Snapshot` that ``SourceAccount`` already reads
(one paginated ``iam:GetAccountAuthorizationDetails``); the organization is its ID, its
management account, where each account sits and the SCPs attached at each level above it.
Nothing here holds a credential: policies, names and ARNs only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..source.snapshot import Entity, ManagedPolicy, Snapshot

__all__ = [
    "AccountData",
    "OrgData",
    "snapshot_from_json",
    "snapshot_to_json",
]


def _entity_to_json(entity: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {"name": entity.name, "arn": entity.arn}
    if entity.inline:
        out["inline"] = {k: dict(v) for k, v in entity.inline.items()}
    if entity.managed:
        out["managed"] = list(entity.managed)
    if entity.groups:
        out["groups"] = list(entity.groups)
    if entity.boundary:
        out["boundary"] = entity.boundary
    if entity.userid:
        out["userid"] = entity.userid
    if entity.trust is not None:
        out["trust"] = dict(entity.trust)
    return out


def _entity_from_json(kind: str, data: Mapping[str, Any]) -> Entity:
    trust = data.get("trust")
    return Entity(
        kind,  # type: ignore[arg-type]
        str(data["name"]),
        str(data["arn"]),
        dict(data.get("inline") or {}),
        tuple(data.get("managed") or ()),
        tuple(data.get("groups") or ()),
        data.get("boundary") or None,
        data.get("userid") or None,
        dict(trust) if trust is not None else None,
    )


def snapshot_to_json(snapshot: Snapshot) -> dict[str, Any]:
    """The snapshot as plain JSON, keeping only the managed policies some entity uses."""
    used = {arn for e in snapshot.entities() for arn in e.managed}
    used |= {e.boundary for e in snapshot.entities() if e.boundary}
    return {
        "users": [_entity_to_json(e) for e in snapshot.users.values()],
        "groups": [_entity_to_json(e) for e in snapshot.groups.values()],
        "roles": [_entity_to_json(e) for e in snapshot.roles.values()],
        "managed": [
            {"arn": p.arn, "document": p.document, "version": p.version}
            for arn, p in sorted(snapshot.managed.items())
            if arn in used
        ],
    }


def snapshot_from_json(data: Mapping[str, Any]) -> Snapshot:
    snap = Snapshot()
    for kind, table in (("user", snap.users), ("group", snap.groups), ("role", snap.roles)):
        for item in data.get(f"{kind}s", []):
            entity = _entity_from_json(kind, item)
            table[entity.name] = entity
    for item in data.get("managed", []):
        snap.managed[str(item["arn"])] = ManagedPolicy(
            str(item["arn"]), dict(item["document"]), str(item.get("version", ""))
        )
    return snap


@dataclass(frozen=True)
class AccountData:
    """One account as collected: its IAM snapshot, its name and OU path when known."""

    account_id: str
    snapshot: Snapshot = field(repr=False)
    name: str = ""
    ou: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "name": self.name,
            "ou": self.ou,
            "iam": snapshot_to_json(self.snapshot),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AccountData:
        return cls(
            str(data["account_id"]),
            snapshot_from_json(data.get("iam") or {}),
            str(data.get("name") or ""),
            str(data.get("ou") or ""),
        )


@dataclass(frozen=True)
class OrgData:
    """The organization as far as the session could read it (empty when it could not).

    ``scps`` maps each member account to its SCP levels (root, each OU, the account), each
    level the ``(name, document)`` of the SCPs attached there; levels with none are left out,
    as the sandbox does. The management account has no entry: SCPs never apply to it ("Service
    control policies (SCPs)", https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
    """

    org_id: str = ""
    management: str = ""
    accounts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    scps: Mapping[str, list[list[tuple[str, dict[str, Any]]]]] = field(default_factory=dict)
    #: Whether SCPs could be read; False: edges ignore SCPs (said in ``TrustMap.errors``).
    scps_read: bool = False

    @property
    def known(self) -> bool:
        return bool(self.org_id)

    def member(self, account: str) -> bool:
        return account in self.accounts

    def to_json(self) -> dict[str, Any]:
        return {
            "org_id": self.org_id,
            "management": self.management,
            "accounts": {k: dict(v) for k, v in self.accounts.items()},
            "scps": {
                k: [[[name, doc] for name, doc in level] for level in levels]
                for k, levels in self.scps.items()
            },
            "scps_read": self.scps_read,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OrgData:
        return cls(
            str(data.get("org_id") or ""),
            str(data.get("management") or ""),
            {str(k): dict(v) for k, v in (data.get("accounts") or {}).items()},
            {
                str(k): [[(str(n), dict(d)) for n, d in level] for level in levels]
                for k, levels in (data.get("scps") or {}).items()
            },
            bool(data.get("scps_read")),
        )
