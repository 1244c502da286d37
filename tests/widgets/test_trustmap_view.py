"""``TrustMapView``: filters, the table and the SVG picture of a trust map, and "Switch into this
role" offered only on an edge that starts at the notebook's own caller (then done by the
RoleSwitcher, for real, in the sandbox)."""

from __future__ import annotations

from typing import Any

import pytest

import xacct_widgets as xw
from xacct_widgets.core.frames import to_frame
from xacct_widgets.core.query import ERROR_COLUMNS, clear_credential_cache
from xacct_widgets.core.source.snapshot import Entity, Snapshot
from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.core.trustmap import TrustMap
from xacct_widgets.core.trustmap.model import AccountData, OrgData
from xacct_widgets.widgets.trustmap_picture import MAX_EDGES, trust_map_svg
from xacct_widgets.widgets.trustmap_view import TrustMapView, conditions_text

A, B = "111111111111", "222222222222"


def _trust(principal: Any, condition: Any = None) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def _offline_map() -> TrustMap:
    """Account A: roles trusted by B's root, a service and an outside account (ExternalId);
    account B: user bob allowed to assume anything."""
    a, b = Snapshot(), Snapshot()
    roles = {
        "ops": _trust({"AWS": f"arn:aws:iam::{B}:root"}),
        "ci": _trust({"Service": "codebuild.amazonaws.com"}),
        "vendor": _trust(
            {"AWS": "arn:aws:iam::999988887777:root"},
            {"StringEquals": {"sts:ExternalId": "tenant-42"}},
        ),
    }
    for name, trust in roles.items():
        a.roles[name] = Entity("role", name, f"arn:aws:iam::{A}:role/{name}", trust=trust)
    allow = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
    }
    b.users["bob"] = Entity("user", "bob", f"arn:aws:iam::{B}:user/bob", {"switch": allow})
    org = OrgData("o-example1234", B, {A: {"ou": "prod"}, B: {"ou": ""}}, {}, scps_read=True)
    accounts = [AccountData(A, a, ou="prod"), AccountData(B, b)]
    return TrustMap(accounts, org, to_frame([], ERROR_COLUMNS))


def test_filters_table_and_picture():
    view = TrustMapView(_offline_map())
    assert len(view.frame) == 3 and "3 of 3 edges shown" in view.status.value
    assert view.svg.startswith("<svg") and "role/ops" in view.svg and "user/bob" in view.svg
    assert "outside the map" in view.svg  # the service and the outside account
    assert 'stroke="#b00020"' in view.svg  # an external edge is red
    assert "stroke-dasharray" in view.svg  # a conditional edge is dashed
    view.external_only.value = True
    assert list(view.frame.principal_arn) == ["arn:aws:iam::999988887777:root"]
    assert "sts:ExternalId=tenant-42" in view.table.value
    view.external_only.value = False
    view.search.value = "CODEBUILD"
    assert list(view.frame.principal_type) == ["service"]
    view.search.value = ""
    view.account.value = B
    assert list(view.frame.principal_arn) == [f"arn:aws:iam::{B}:user/bob"]
    view.search.value = "nothing-like-this"
    assert view.frame.empty and "No edge matches" in view.table.value
    assert repr(view) == "TrustMapView(0 of 3 edges shown)"


def test_choosing_an_edge_shows_both_sides_without_a_switcher():
    view = TrustMapView(_offline_map())
    view.edge.value = next(i for label, i in view.edge.options if label.endswith("role/vendor"))
    assert "tenant-42" in view.details.value and "trust statement" in view.details.value
    assert view.selected is not None and view.selected["external"]
    assert view.switch_button.disabled  # no switcher: nothing to switch with


def test_conditions_text():
    assert conditions_text([]) == ""
    condition = {
        "side": "trust",
        "operator": "Bool",
        "key": "aws:MultiFactorAuthPresent",
        "values": ["true"],
    }
    assert conditions_text([condition]) == "trust: Bool aws:MultiFactorAuthPresent=true"


def test_picture_caps_the_edges_it_draws():
    tm = _offline_map()
    many = tm.edges.loc[tm.edges.index.repeat(MAX_EDGES)].reset_index(drop=True)
    assert f"{len(many) - MAX_EDGES} more edges not drawn" in trust_map_svg(many)


def test_switch_offered_only_from_the_callers_own_edges(fresh_sandbox):
    clear_credential_cache()
    admin = fresh_sandbox.session("management", "admin")
    tm = xw.TrustMap.collect(xw.Organization(admin), session=admin)
    switcher = RoleSwitcher(admin, history=":memory:")
    view = TrustMapView(tm, switcher=switcher)
    member = fresh_sandbox.member_account_ids[0]
    auditor = f"arn:aws:iam::{member}:role/auditor"
    labels = dict(view.edge.options)
    vendor = next(i for label, i in labels.items() if "999988887777" in label)
    view.edge.value = vendor
    assert view.switch_button.disabled  # not the notebook's caller
    mine = f"arn:aws:iam::{fresh_sandbox.MANAGEMENT}:user/admin → {auditor}"
    view.edge.value = labels[mine]
    assert not view.switch_button.disabled
    view.switch_button.click()
    assert view.error_text == ""
    assert switcher.active is not None and switcher.active.role_arn == auditor
    assert "Switched into" in view.status.value
    # From the role now active, the admin's edges are no longer the caller's.
    view.edge.value = labels[mine]
    assert view.switch_button.disabled


@pytest.mark.parametrize("name", ["TrustMapView"])
def test_exported(name):
    assert getattr(xw, name) is TrustMapView
