"""The role as IAM has it: plain values, built from IAM's answers but making no call themselves.

Kept apart from the reads so that the plan (a pure diff) and the apply engine can take a snapshot
of the current role as an argument: the diff is then testable without an account, and what it
compared against is visible in the Plan it returns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from ...aws_limits import DEFAULT_SESSION_SECONDS
from .. import ids, policies, urls
from ..frames import to_frame
from .spec import FrozenMap

__all__ = [
    "RoleRecord",
    "RoleState",
    "compact",
    "policy_scope",
    "trusted_text",
    "whole_seconds",
]


def trusted_text(doc: Mapping[str, Any] | str | None) -> str:
    """A trust policy in one line: ``AWS account 9876... (sts:ExternalId=...)``."""
    if not doc:
        return ""
    entries = policies.trust_principals(doc)
    return "; ".join(
        f"{e.principal_type} {e.principal}" + (f" ({e.conditions})" if e.conditions else "")
        for e in entries
    )


def compact(doc: Mapping[str, Any]) -> str:
    """A policy document as JSON without whitespace (how IAM counts its size)."""
    return json.dumps(doc, separators=(",", ":"))


def whole_seconds(when: Any) -> Any:
    """A timestamp without its microseconds (IAM's own are whole seconds; moto's are not)."""
    return when.replace(microsecond=0) if isinstance(when, datetime) else when


def policy_scope(arn: str) -> str:
    """``AWS`` for an AWS-managed policy ARN, ``Local`` for a customer-managed one."""
    return "AWS" if ":aws:policy/" in arn else "Local"


@dataclass(frozen=True)
class RoleRecord:
    """A role as IAM has it, read back (or as apply just left it)."""

    name: str
    arn: str
    account_id: str
    path: str
    role_id: str
    created: datetime | None
    max_session_duration: int
    trust_policy: dict[str, Any] = field(hash=False)
    managed_policy_arns: tuple[str, ...]
    inline_policy_names: tuple[str, ...]
    tags: Mapping[str, str] = field(hash=False)
    switch_role_url: str
    description: str = ""
    permissions_boundary: str | None = None

    @property
    def partition(self) -> str:
        """The role's partition (``aws``, ``aws-cn``, ``aws-us-gov``), from its ARN."""
        return ids.parse_arn(self.arn).partition

    @classmethod
    def from_iam(
        cls,
        raw: Mapping[str, Any],
        managed: Iterable[str],
        inline: Iterable[str],
        *,
        trust: Mapping[str, Any] | None = None,
    ) -> RoleRecord:
        """Build from a GetRole/CreateRole ``Role`` dict plus the two policy lists.

        ``trust`` overrides the document in ``raw`` (apply knows what it wrote; IAM reads lag).
        """
        arn = ids.parse_arn(str(raw["Arn"]))
        doc = trust if trust is not None else raw.get("AssumeRolePolicyDocument") or {}
        path = str(raw.get("Path", "/"))
        boundary = (raw.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        return cls(
            name=str(raw["RoleName"]),
            arn=arn.arn,
            account_id=arn.account_id,
            path=path,
            role_id=str(raw.get("RoleId", "")),
            created=whole_seconds(raw.get("CreateDate")),
            max_session_duration=int(raw.get("MaxSessionDuration", DEFAULT_SESSION_SECONDS)),
            trust_policy=policies.load_policy(doc),
            managed_policy_arns=tuple(sorted(managed)),
            inline_policy_names=tuple(sorted(inline)),
            tags=FrozenMap({t["Key"]: t["Value"] for t in raw.get("Tags") or []}),
            switch_role_url=urls.switch_role_url(
                arn.account_id, str(raw["RoleName"]), path=path, partition=arn.partition
            ),
            description=str(raw.get("Description") or ""),
            permissions_boundary=str(boundary) if boundary else None,
        )

    def frame(self) -> pd.DataFrame:
        """The role as a two-column (field, value) table, the console's role summary page."""
        rows = [
            ("name", self.name),
            ("arn", self.arn),
            ("account_id", self.account_id),
            ("path", self.path),
            ("role_id", self.role_id),
            ("created", self.created),
            ("description", self.description),
            ("max_session_duration", self.max_session_duration),
            ("trusted", trusted_text(self.trust_policy)),
            ("managed_policy_arns", ", ".join(self.managed_policy_arns)),
            ("inline_policy_names", ", ".join(self.inline_policy_names)),
            ("tags", ", ".join(f"{k}={v}" for k, v in self.tags.items())),
            ("permissions_boundary", self.permissions_boundary or ""),
            ("switch_role_url", self.switch_role_url),
        ]
        return to_frame(({"field": k, "value": v} for k, v in rows), ("field", "value"))


@dataclass(frozen=True)
class RoleState:
    """A snapshot of an existing role, what :func:`~.plan.diff` compares a spec with.

    ``inline_documents`` holds the documents that were read: for a plan only those of inline
    policies the spec also names (the others are deleted unread), for a full read all of them.
    """

    record: RoleRecord
    inline_documents: Mapping[str, Mapping[str, Any]] = field(default_factory=FrozenMap, hash=False)
