"""``TrustMapView``: a trust map as a filterable table and a picture, and a switch from an edge.

The picture is :class:`.TrustMapGraph` (interactive: zoom, pan, click an edge); the static SVG
(``svg``) is kept beside it for saved notebooks and nbval. It renders a
:class:`~xacct_widgets.core.trustmap.TrustMap` (collected or loaded, so it works offline) and
wires one thing: choosing an edge whose principal is the notebook's own caller
(the switcher's signed-in user, or its active role) offers "Switch into this role", done by the
existing :class:`~xacct_widgets.core.switch.RoleSwitcher` (its preflight, its history, its
errors). Every decision shown is the map's; the widget decides nothing.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

import ipywidgets as w
import pandas as pd

from ..core import ids
from ..core.trustmap.statements import edge_statements
from .base import Panel, button, classed, esc
from .readable import readable_table_html
from .trustmap_graph import TrustMapGraph
from .trustmap_picture import trust_map_svg

if TYPE_CHECKING:
    from ..core.switch import RoleSwitcher
    from ..core.trustmap import TrustMap

__all__ = ["TrustMapView", "conditions_text"]

ALL: Final = ""
#: Edges listed (and tabled) at most; the picture draws every edge the filters keep.
MAX_LISTED: Final = 1000
_NONE: Final = {
    "identity": "No identity statement needed or readable (the trust policy names the "
    "principal, or its account is not in the map).",
    "trust": "The role's trust policy is not in the map.",
}
HELP: Final = (
    "Every principal that can switch into every role of the map, as the policy engine decided "
    "it. Filter by account, OU, outside-the-organization, or a name; click an edge in the "
    "picture (or choose it in the list) to see its identity statement, its trust statement and "
    "the conditions left to the request."
)


def conditions_text(conditions: Any) -> str:
    """An edge's ``conditions`` in one line (``trust: StringEquals sts:ExternalId=...``)."""
    items = list(conditions or [])
    return "; ".join(
        f"{c['side']}: {c['operator']} {c['key']}={','.join(c['values'])}" for c in items
    )


def _caller_arn(switcher: RoleSwitcher | None) -> str:
    if switcher is None:
        return ""
    active = switcher.active
    return active.role_arn if active is not None else switcher.base_identity.arn


class TrustMapView(Panel):
    """The map's edges, filtered, as a table and a picture; a chosen edge's details.

    State for notebook code: ``frame`` (the edges shown; ``rows`` their rows in
    ``trust_map.edges``), ``selected`` (the chosen edge as a dict, or None), ``graph`` (the
    interactive picture), ``svg`` (the static picture's text).
    """

    error_css = ("xacct-trustmap-error", "xacct-error")
    status_css = ("xacct-trustmap-status",)

    def __init__(self, trust_map: TrustMap, *, switcher: RoleSwitcher | None = None) -> None:
        super().__init__()
        self.add_class("xacct-trustmap")
        self.trust_map = trust_map
        self.switcher = switcher
        self.ous = {a.account_id: a.ou for a in trust_map.accounts}
        accounts = sorted(
            set(trust_map.edges["role_account"]) | set(trust_map.edges["principal_account"])
        )
        self.account = classed(
            w.Dropdown(
                options=[("(all accounts)", ALL)]
                + [(self._account_label(a), a) for a in accounts if a],
                description="Account",
            ),
            "xacct-trustmap-account",
        )
        ous = sorted({a.ou for a in trust_map.accounts if a.ou})
        self.ou = classed(
            w.Dropdown(options=[("(all OUs)", ALL)] + [(o, o) for o in ous], description="OU"),
            "xacct-trustmap-ou",
        )
        self.color_by = classed(
            w.ToggleButtons(
                options=[("account", "account"), ("OU", "ou")], description="Colour by"
            ),
            "xacct-trustmap-colour",
        )
        self.color_by.style.button_width = "6em"
        self.external_only = classed(
            w.Checkbox(description="Outside the organization only", indent=False),
            "xacct-trustmap-external",
        )
        self.search = classed(
            w.Text(description="Name", placeholder="e.g. auditor"), "xacct-trustmap-search"
        )
        self.picture = classed(w.HTML(""), "xacct-trustmap-picture")
        self.graph = TrustMapGraph(trust_map)
        for name in ("account", "ou", "external_only", "search", "color_by"):
            w.dlink((getattr(self, name), "value"), (self.graph, name))
        self.table = classed(w.HTML(""), "xacct-trustmap-table")
        self.edge = classed(w.Select(description="Edge", rows=8), "xacct-trustmap-edge")
        self.edge.layout.width = "60em"
        self.details = classed(w.HTML(""), "xacct-trustmap-details")
        self.switch_button = button(
            "Switch into this role", "xacct-trustmap-switch", self._switch, disabled=True
        )
        self.frame = trust_map.edges.iloc[0:0]
        self.rows: list[int] = []
        self._position: dict[int, int] = {}
        self.selected: dict[str, Any] | None = None
        self.svg = ""
        for control in (self.account, self.ou, self.external_only, self.search):
            control.observe(lambda _c: self.refresh(), names="value")
        self._listing = True  # False while the list is cleared for an edge it does not hold
        self.edge.observe(lambda _c: self._choose() if self._listing else None, names="value")
        self.graph.observe(lambda _c: self._clicked(), names="selected_row")
        self.children = [
            w.HTML(f"<p>{esc(HELP)}</p>"),
            w.HBox([self.account, self.ou, self.external_only]),
            w.HBox([self.search, self.color_by]),
            self.status,
            self.error,
            self.graph,
            self.edge,
            self.details,
            self.switch_button,
            self.table,
        ]
        self.refresh()

    def __repr__(self) -> str:
        return f"TrustMapView({len(self.frame)} of {len(self.trust_map.edges)} edges shown)"

    def _account_label(self, account: str) -> str:
        ou = self.ous.get(account, "")
        text = f"{account[:4]}-{account[4:8]}-{account[8:]}" if account.isdigit() else account
        return f"{text} ({ou})" if ou else text

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget, and the static picture for where no widget renders (a saved notebook)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            bundle.setdefault("text/html", self.svg)
        return bundle

    # -- filtering ---------------------------------------------------------------------------
    def filtered(self) -> pd.DataFrame:
        edges = self.trust_map.edges
        keep = pd.Series(True, index=edges.index)
        if self.account.value:
            account = self.account.value
            keep &= (edges["role_account"] == account) | (edges["principal_account"] == account)
        if self.ou.value:
            in_ou = {a for a, o in self.ous.items() if o == self.ou.value}
            keep &= edges["role_account"].isin(in_ou) | edges["principal_account"].isin(in_ou)
        if self.external_only.value:
            keep &= edges["external"]
        needle = self.search.value.strip().lower()
        if needle:
            keep &= edges["principal_arn"].str.lower().str.contains(needle, regex=False) | edges[
                "role_arn"
            ].str.lower().str.contains(needle, regex=False)
        return edges[keep]

    def refresh(self) -> None:
        """Apply the filters: table, picture and the edge list."""
        kept = self.filtered()
        self.rows = [int(i) for i in kept.index]
        self._position = {row: i for i, row in enumerate(self.rows)}
        self.frame = kept.reset_index(drop=True)
        self.svg = trust_map_svg(self.frame, self.ous)
        self.picture.value = self.svg
        listed = self.frame.head(MAX_LISTED)
        view = pd.DataFrame(
            {
                "principal": listed["principal_arn"],
                "type": listed["principal_type"],
                "role": listed["role_arn"],
                "via": listed["via"],
                "trust statement": listed["trust_statement"],
                "conditions": listed["conditions"].map(conditions_text),
                "outside": listed["external"].map({True: "yes", False: ""}),
            }
        )
        more = len(self.frame) - len(listed)
        note = (
            f"<p>The first {MAX_LISTED:,} of {len(self.frame):,} edges are listed: filter to "
            "list the others (the picture draws them all).</p>"
            if more > 0
            else ""
        )
        self.table.value = note + readable_table_html(
            view, css="xacct-trustmap-rows", empty="No edge matches these filters."
        )
        self.edge.options = [
            (f"{r.principal_arn} → {r.role_arn}", i) for i, r in enumerate(listed.itertuples())
        ]
        total = len(self.trust_map.edges)
        self.say(f"{len(self.frame)} of {total} edges shown.")
        self._choose()

    # -- one edge ------------------------------------------------------------------------------
    def _choose(self, index: int | None = None) -> None:
        """Show the edge at ``index`` of ``frame`` (default: the one chosen in the list)."""
        if index is None:
            index = self.edge.value
        if index is None or index >= len(self.frame):
            self.selected = None
            self.details.value = ""
            self.graph.selected_row = -1
        else:
            self.selected = dict(self.frame.iloc[index])
            self.details.value = self._details_html(self.selected)
            self.graph.selected_row = self.rows[index]
        self.sync_buttons()

    def _clicked(self) -> None:
        """An edge clicked in the picture: choose it in the list (details, switch button)."""
        position = self._position.get(self.graph.selected_row)
        if position is None or position == self.edge.value:
            return
        if position < len(self.edge.options):
            self.edge.value = position
        else:  # drawn, not listed: shown without a choice in the list
            self._listing = False
            try:
                self.edge.value = None
            finally:
                self._listing = True
            self._choose(position)

    def _details_html(self, edge: dict[str, Any]) -> str:
        rows = [
            ("principal", f"{edge['principal_arn']} ({edge['principal_type']})"),
            ("role", edge["role_arn"]),
            ("identity side", edge["via"]),
            ("trust statement", edge["trust_statement"] or "(none named)"),
            ("conditions", conditions_text(edge["conditions"]) or "none"),
            ("outside the organization", "yes" if edge["external"] else "no"),
        ]
        body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(str(v))}</td></tr>" for k, v in rows)
        table = f'<table class="xacct-table xacct-trustmap-edge-details">{body}</table>'
        found = edge_statements(self.trust_map.accounts, edge)
        sides = []
        for side, title in (("identity", "Identity side"), ("trust", "Trust side")):
            shown = (
                "".join(
                    f"<div>{esc(label)}</div><pre>{esc(json.dumps(st, indent=1))}</pre>"
                    for label, st in found[side]
                )
                or f"<div>{esc(_NONE[side])}</div>"
            )
            sides.append(
                f'<div class="xacct-trustmap-{side}-statement"><b>{title}</b>{shown}</div>'
            )
        return table + '<div class="xacct-trustmap-statements">' + "".join(sides) + "</div>"

    def can_switch(self) -> bool:
        """True when the chosen edge starts at the notebook's own caller."""
        return (
            self.switcher is not None
            and self.selected is not None
            and self.selected["principal_arn"] == _caller_arn(self.switcher)
        )

    def sync_buttons(self) -> None:
        self.switch_button.disabled = not self.can_switch()

    def _external_id(self) -> str | None:
        assert self.selected is not None
        for c in self.selected["conditions"] or []:
            if str(c["key"]).lower() == "sts:externalid" and c["values"]:
                return str(c["values"][0])
        return None

    def _switch(self) -> None:
        if not self.can_switch():
            return
        assert self.switcher is not None and self.selected is not None
        switcher = self.switcher
        role = ids.parse_role_arn(str(self.selected["role_arn"]))
        external_id = self._external_id()

        def run() -> None:
            active = switcher.switch(
                role.account_id, role.name, path=role.path, external_id=external_id
            )
            self.say(f"Switched into {active.role_arn}.", "ok")

        self.act("Switching", run)
