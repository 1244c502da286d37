"""The policy statements behind one edge: the identity side's and the trust side's, as written.

An edge names them (``via``: ``<policy> (statement 'Sid')`` or ``<policy> (Statement[i])``;
``trust_statement``: Sids or indexes); this finds their text in the collected snapshot so a
reader sees the JSON that grants the switch on each side, not only its name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .model import AccountData

__all__ = ["edge_statements"]


def _statements(document: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    found = (document or {}).get("Statement", [])
    return [dict(s) for s in (found if isinstance(found, list) else [found])]


def _named(source: str, index: int, statement: Mapping[str, Any]) -> str:
    sid = str(statement.get("Sid") or "")
    return f"{source} (statement {sid!r})" if sid else f"{source} (Statement[{index}])"


def edge_statements(
    accounts: Iterable[AccountData], edge: Mapping[str, Any]
) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """``{"identity": [(label, statement)], "trust": [(label, statement)]}`` for ``edge``.

    The identity side is empty for a principal the map did not read (its account's IAM is not
    in the snapshot) and when the trust policy names the principal (no identity policy needed).
    """
    principal, role = str(edge["principal_arn"]), str(edge["role_arn"])
    via, admitted = str(edge.get("via") or ""), str(edge.get("trust_statement") or "")
    labels = {t.strip() for t in admitted.split(",") if t.strip()}
    out: dict[str, list[tuple[str, dict[str, Any]]]] = {"identity": [], "trust": []}
    for data in accounts:
        snap = data.snapshot
        for entity in [*snap.users.values(), *snap.roles.values()]:
            if entity.arn != principal:
                continue
            for ref in snap.refs(entity):
                for i, statement in enumerate(_statements(snap.document(ref))):
                    if _named(ref, i, statement) in via:
                        out["identity"].append((_named(ref, i, statement), statement))
        found = snap.role_named(role)
        if found is not None:
            for i, statement in enumerate(_statements(found.trust)):
                label = str(statement.get("Sid") or i)
                if label in labels:
                    out["trust"].append((f"trust policy of {found.name} ({label})", statement))
    return out
