"""``TrustMap.show()``: the interactive picture (TrustMapGraph, an anywidget with its own ESM)
inside TrustMapView: its state, filters synced from the view's controls, a click on an edge
choosing it (both statements shown), and the static SVG kept for where no widget renders. The
picture in a real browser: tests/browser/test_trust_map_browser.py."""

from __future__ import annotations

import time

import pandas as pd
from test_trustmap_view import A, B, _offline_map

from xacct_widgets.widgets.trustmap_graph import TrustMapGraph
from xacct_widgets.widgets.trustmap_layout import OUTSIDE, graph_data
from xacct_widgets.widgets.trustmap_view import MAX_LISTED, TrustMapView


def test_show_returns_the_view_with_the_interactive_picture():
    tm = _offline_map()
    view = tm.show()
    assert isinstance(view, TrustMapView) and isinstance(view.graph, TrustMapGraph)
    assert view.graph in view.children
    data = view.graph.data
    assert sorted(data["links"]["row"]) == list(tm.edges.index)
    ids = data["nodes"]["id"]
    assert set(tm.edges.principal_arn) | set(tm.roles()) == set(ids)
    titles = [g["title"] for g in data["groups"]]
    assert titles == ["2222-2222-2222", "1111-1111-1111", OUTSIDE]  # by OU ('' first), then ID
    prod = data["groups"][1]
    assert prod["ou"] == "prod"
    for i, arn in enumerate(ids):  # every node sits inside its account's box
        box = data["groups"][data["nodes"]["group"][i]]
        assert box["x"] < data["nodes"]["x"][i] < box["x"] + box["w"], arn
        assert box["y"] < data["nodes"]["y"][i] < box["y"] + box["h"], arn
    vendor = next(
        k for k, r in enumerate(data["links"]["row"]) if tm.edges.role_arn[r].endswith("vendor")
    )
    assert data["links"]["ext"][vendor] == 1 and data["links"]["cond"][vendor] == 1
    esm = TrustMapGraph._esm
    assert (
        "export default" in esm
        and "canvas" in esm
        and "http" not in esm.replace("http://www.w3", "")
    )


def test_filters_reach_the_picture():
    view = _offline_map().show()
    view.ou.value = "prod"
    view.search.value = "vendor"
    view.external_only.value = True
    view.color_by.value = "ou"
    graph = view.graph
    assert (graph.ou, graph.search, graph.external_only, graph.color_by) == (
        "prod",
        "vendor",
        True,
        "ou",
    )
    assert list(view.frame.role_arn) == [f"arn:aws:iam::{A}:role/vendor"]
    view.external_only.value = False
    view.search.value = ""
    assert set(view.frame.role_account) == {A}  # prod: A's roles, from B's bob and outside


def test_clicking_an_edge_shows_both_statements():
    tm = _offline_map()
    view = tm.show()
    bob = f"arn:aws:iam::{B}:user/bob"
    row = int(tm.edges.index[tm.edges.principal_arn == bob][0])
    view.graph.selected_row = row  # what the front-end sets on a click
    assert view.selected is not None and view.selected["principal_arn"] == bob
    details = view.details.value
    assert "Identity side" in details and "user:bob/switch (Statement[0])" in details
    assert "Trust side" in details and "trust policy of ops" in details
    assert "&quot;sts:AssumeRole&quot;" in details  # the statements' JSON, escaped
    view.graph.selected_row = int(tm.edges.index[tm.edges.role_arn.str.endswith("vendor")][0])
    assert "tenant-42" in view.details.value and "No identity statement" in view.details.value
    # Choosing in the list marks the edge in the picture.
    view.edge.value = 0
    assert view.graph.selected_row == view.rows[0]
    # A filter that hides the chosen edge clears the choice.
    view.search.value = "nothing-like-this"
    assert view.selected is None and view.graph.selected_row == -1


def test_static_picture_rides_along_for_saved_notebooks():
    view = _offline_map().show()
    bundle = view._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith("<svg") and bundle["text/html"] == view.svg


def test_layout_of_5000_nodes():
    """5,000 principals and roles over 100 accounts: laid out in well under a second, each
    account one box, the state compact (columns, not one dict per node)."""
    accounts = [f"{100000000000 + i}" for i in range(100)]
    rows = []
    for i, account in enumerate(accounts):
        nxt = accounts[(i + 1) % len(accounts)]
        for u in range(25):
            for r in range(2):
                rows.append(
                    {
                        "principal_arn": f"arn:aws:iam::{account}:user/u{u}",
                        "principal_type": "user",
                        "principal_account": account,
                        "role_arn": f"arn:aws:iam::{nxt}:role/r{u}-{r}",
                        "external": False,
                        "conditions": [],
                    }
                )
    edges = pd.DataFrame(rows)
    started = time.perf_counter()
    data = graph_data(edges, [], {a: "ou-x" for a in accounts})
    assert time.perf_counter() - started < 2
    assert len(data["nodes"]["id"]) == 100 * 25 * 3 == 7500
    assert len(data["groups"]) == 100 and len(data["links"]["row"]) == 5000


def test_a_long_map_lists_the_first_edges_and_a_click_reaches_any():
    """Past MAX_LISTED edges the list and table stop (said so); the picture still draws every
    edge, and a click on one the list does not hold shows it all the same."""
    tm = _offline_map()
    edges = tm.edges.loc[tm.edges.index.repeat(MAX_LISTED)].reset_index(drop=True)
    tm.edges = edges
    view = TrustMapView(tm)
    assert len(view.edge.options) == MAX_LISTED and len(view.frame) == len(edges)
    assert f"The first {MAX_LISTED:,} of {len(edges):,} edges are listed" in view.table.value
    assert len(view.graph.data["links"]["row"]) == len(edges)
    last = len(edges) - 1
    view.graph.selected_row = last
    assert view.edge.value is None and view.selected == dict(edges.iloc[last])
    assert view.graph.selected_row == last and "Trust side" in view.details.value
    view.edge.value = 1  # the list again
    assert view.selected == dict(edges.iloc[1]) and view.graph.selected_row == 1
