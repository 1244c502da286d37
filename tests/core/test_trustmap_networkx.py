"""``TrustMap.graph()``: the edges as a ``networkx.MultiDiGraph`` (principals and roles as nodes
with account/OU/type, one graph edge per row of ``edges``), and a clear error without networkx."""

from __future__ import annotations

import sys
from typing import Any

import pytest

import xacct_widgets as xw
from xacct_widgets.core.frames import to_frame
from xacct_widgets.core.query import ERROR_COLUMNS
from xacct_widgets.core.source.snapshot import Entity, Snapshot
from xacct_widgets.core.trustmap import EDGE_COLUMNS, GraphUnavailable, TrustMap
from xacct_widgets.core.trustmap.model import AccountData, OrgData

nx = pytest.importorskip("networkx")

A, B, OUTSIDE = "111111111111", "222222222222", "999988887777"


def _doc(statement: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [statement]}


def _map() -> TrustMap:
    """A: role ops (trusts B's root, two statements), ci (a service), vendor (an outside account
    with an ExternalId), idle (trusts nobody); B: bob (direct grant), carol (no grant)."""
    a, b = Snapshot(), Snapshot()
    trusts = {
        "ops": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "FromB",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
                    "Action": "sts:AssumeRole",
                },
                {
                    "Sid": "Bob",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{B}:user/bob"},
                    "Action": "sts:AssumeRole",
                },
            ],
        },
        "ci": _doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "codebuild.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ),
        "vendor": _doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OUTSIDE}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "tenant-42"}},
            }
        ),
        "idle": _doc({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}),
    }
    for name, trust in trusts.items():
        a.roles[name] = Entity("role", name, f"arn:aws:iam::{A}:role/{name}", trust=trust)
    allow = _doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    b.users["bob"] = Entity("user", "bob", f"arn:aws:iam::{B}:user/bob", {"switch": allow})
    b.users["carol"] = Entity("user", "carol", f"arn:aws:iam::{B}:user/carol")
    org = OrgData(
        "o-example1234",
        B,
        {A: {"name": "prod-a", "ou": "prod"}, B: {"name": "mgmt", "ou": ""}},
        {},
        scps_read=True,
    )
    accounts = [AccountData(A, a, "prod-a", "prod"), AccountData(B, b, "mgmt")]
    return TrustMap(accounts, org, to_frame([], ERROR_COLUMNS))


def test_graph_nodes_and_one_edge_per_row():
    tm = _map()
    graph = tm.graph()
    assert isinstance(graph, nx.MultiDiGraph)
    assert graph.graph["org_id"] == "o-example1234"
    assert graph.number_of_edges() == len(tm.edges)
    bob, ops = f"arn:aws:iam::{B}:user/bob", f"arn:aws:iam::{A}:role/ops"
    # bob reaches ops through two trust statements: two rows, two parallel edges.
    statements = sorted(d["trust_statement"] for _, _, d in graph.edges(bob, data=True))
    rows = tm.edges[(tm.edges.principal_arn == bob) & (tm.edges.role_arn == ops)]
    assert graph.number_of_edges(bob, ops) == len(rows) >= 1
    assert statements == sorted(rows["trust_statement"])
    for _, _, data in graph.edges(data=True):
        assert set(EDGE_COLUMNS) <= set(data)
    assert graph.nodes[ops] == {
        "name": "ops",
        "type": "role",
        "account": A,
        "ou": "prod",
        "account_name": "prod-a",
        "external": False,
    }
    assert graph.nodes[bob]["type"] == "user" and graph.nodes[bob]["ou"] == ""
    # Every user and role of the map is a node, even with no edge (carol, idle).
    assert {f"arn:aws:iam::{B}:user/carol", f"arn:aws:iam::{A}:role/idle"} <= set(graph)
    assert graph.degree(f"arn:aws:iam::{A}:role/idle") == 0
    # Principals outside the map: the service and the outside account, typed and flagged.
    assert graph.nodes["codebuild.amazonaws.com"]["type"] == "service"
    outside = graph.nodes[f"arn:aws:iam::{OUTSIDE}:root"]
    assert outside["type"] == "account" and outside["external"] and outside["account"] == OUTSIDE
    vendor = next(iter(graph[f"arn:aws:iam::{OUTSIDE}:root"][f"arn:aws:iam::{A}:role/vendor"]))
    data = graph.edges[f"arn:aws:iam::{OUTSIDE}:root", f"arn:aws:iam::{A}:role/vendor", vendor]
    assert any("tenant-42" in c["values"] for c in data["conditions"])


def test_graph_answers_what_the_questions_answer():
    tm = _map()
    graph = tm.graph()
    for role in tm.roles():
        expected = sorted(set(tm.who_can_assume(role).principal_arn))
        assert sorted(graph.predecessors(role)) == expected


def test_graph_without_networkx_says_what_to_install(monkeypatch):
    tm = _map()
    monkeypatch.setitem(sys.modules, "networkx", None)  # import networkx -> ImportError
    with pytest.raises(GraphUnavailable, match=r"pip install 'xacct_widgets\[graph\]'") as err:
        tm.graph()
    assert isinstance(err.value, xw.XacctError) and isinstance(err.value, ImportError)
