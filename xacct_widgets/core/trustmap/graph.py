"""A trust map as a ``networkx.MultiDiGraph``, for the graph algorithms networkx already has.

networkx is an optional extra (``pip install 'xacct_widgets[graph]'``): the map itself, its
questions and its pictures never need it, so it is imported only when :func:`to_graph` runs.

Nodes are ARNs (``*`` for anyone, a service's name, a provider's ARN): every user and role of
the map, and every principal of an edge. Each node says what it is (``type``: user, role,
service, federated-saml, federated-oidc, account, any), where it lives (``account``, and the
account's ``ou`` and ``account_name`` when the organization was read) and whether it is outside
the organization (``external``). Each row of ``TrustMap.edges`` is one edge from its principal
to its role, the row's columns as the edge's attributes, so two grants into the same role
(two groups, two trust statements) stay two edges.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ...errors import GraphUnavailable
from .model import AccountData, OrgData
from .queries import records

__all__ = ["GraphUnavailable", "to_graph"]

#: What to install for :meth:`TrustMap.graph`.
INSTALL = "pip install 'xacct_widgets[graph]'"


def _networkx() -> Any:
    try:
        return importlib.import_module("networkx")
    except ImportError as err:
        raise GraphUnavailable(
            "TrustMap.graph() builds a networkx.MultiDiGraph, and networkx is not installed.",
            fix=f"Install the graph extra: {INSTALL} (the table, questions and pictures "
            "work without it).",
        ) from err


def _name(arn: str) -> str:
    """The last part of an ARN (``role/ops`` -> ``ops``), the service or ``*`` itself."""
    tail = arn.split(":", 5)[-1]
    return tail.rsplit("/", 1)[-1] if "/" in tail else tail


def to_graph(
    edges: pd.DataFrame, accounts: Iterable[AccountData], org: OrgData
) -> Any:  # networkx.MultiDiGraph: networkx is optional, so it is not imported for the hint
    """The map as a ``networkx.MultiDiGraph`` (nodes: principals and roles; one edge a row)."""
    nx = _networkx()
    graph = nx.MultiDiGraph(org_id=org.org_id, management=org.management)
    mapped = list(accounts)
    about: dict[str, dict[str, str]] = {a: dict(v) for a, v in org.accounts.items()}
    for a in mapped:
        known = about.setdefault(a.account_id, {})
        known.setdefault("ou", a.ou)
        known.setdefault("name", a.name)

    def attrs(kind: str, account: str, external: bool) -> dict[str, Any]:
        info = about.get(account, {})
        return {
            "type": kind,
            "account": account,
            "ou": str(info.get("ou") or ""),
            "account_name": str(info.get("name") or ""),
            "external": external,
        }

    for a in mapped:
        outside = org.known and not org.member(a.account_id)
        for entity in [*a.snapshot.users.values(), *a.snapshot.roles.values()]:
            graph.add_node(
                entity.arn, name=entity.name, **attrs(entity.kind, a.account_id, outside)
            )
    for row in records(edges):
        principal, role = str(row["principal_arn"]), str(row["role_arn"])
        if principal not in graph:
            kind, account = str(row["principal_type"]), str(row["principal_account"] or "")
            outside = bool(row["external"])
            graph.add_node(principal, name=_name(principal), **attrs(kind, account, outside))
        if role not in graph:
            graph.add_node(role, name=_name(role), **attrs("role", str(row["role_account"]), False))
        graph.add_edge(principal, role, **row)
    return graph
