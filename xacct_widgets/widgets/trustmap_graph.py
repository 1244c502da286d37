"""``TrustMapGraph``: the trust map as an interactive picture (zoom, pan, filter, click an edge).

A small anywidget: its front-end is :file:`trustmap_graph.js`, an ES module shipped inside this
package and served by anywidget's prebuilt JupyterLab/Voila extension, so it works offline
(no CDN, no build step) in JupyterLab 4 and Voila. It draws on a canvas from positions computed
once in Python (:mod:`.trustmap_layout`), so thousands of nodes stay interactive; filters and
colours are synced traits, applied in the browser without sending the map again. A click on an
edge sets ``selected_row`` (the row of ``TrustMap.edges``); :class:`.TrustMapView` shows that
edge's statements. The static SVG (:mod:`.trustmap_picture`) stays for saved notebooks and nbval.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import anywidget
import traitlets

from .trustmap_layout import graph_data

if TYPE_CHECKING:
    from ..core.trustmap import TrustMap

__all__ = ["COLOR_BY", "TrustMapGraph"]

#: What the boxes, nodes and edges are coloured by.
COLOR_BY: Final = ("account", "ou")
_HERE = Path(__file__).resolve().parent
_CSS: Final = """
.xacct-trustmap-graph { position: relative; width: 100%; min-width: 480px; }
.xacct-trustmap-canvas { display: block; border: 1px solid #d0d7de; border-radius: 6px;
  background: #fff; cursor: grab; }
.xacct-trustmap-tip { position: absolute; display: none; pointer-events: none; z-index: 2;
  background: #24292f; color: #fff; font: 11px sans-serif; padding: 2px 6px; border-radius: 4px;
  max-width: 40em; }
.xacct-trustmap-graph-status { font: 11px sans-serif; color: #57606a; margin-top: 2px; }
"""


class TrustMapGraph(anywidget.AnyWidget):
    """The picture of a map. Synced state: ``data`` (layout, sent once), the filters
    ``account``, ``ou``, ``external_only``, ``search``, ``color_by`` and ``selected_row``
    (-1: no edge chosen)."""

    _esm = (_HERE / "trustmap_graph.js").read_text()
    _css = _CSS

    data = traitlets.Dict().tag(sync=True)
    account = traitlets.Unicode("").tag(sync=True)
    ou = traitlets.Unicode("").tag(sync=True)
    external_only = traitlets.Bool(False).tag(sync=True)
    search = traitlets.Unicode("").tag(sync=True)
    color_by = traitlets.Enum(COLOR_BY, default_value="account").tag(sync=True)
    selected_row = traitlets.Int(-1).tag(sync=True)

    def __init__(self, trust_map: TrustMap, **kwargs: Any) -> None:
        ous = {a.account_id: a.ou for a in trust_map.accounts}
        names = {a.account_id: a.name for a in trust_map.accounts}
        roles = [
            (role.arn, a.account_id)
            for a in trust_map.accounts
            for role in a.snapshot.roles.values()
        ]
        super().__init__(data=graph_data(trust_map.edges, roles, ous, names), **kwargs)
        self.add_class("xacct-trustmap-graph-widget")

    def __repr__(self) -> str:
        nodes = len(self.data.get("nodes", {}).get("id", []))
        return (
            f"TrustMapGraph({nodes} nodes, {len(self.data.get('links', {}).get('row', []))} edges)"
        )
