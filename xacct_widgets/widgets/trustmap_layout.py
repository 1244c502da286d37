"""Where the interactive trust map draws each node: accounts as boxes, their nodes in a grid.

Computed here, once per map, so the browser only draws (no force layout to settle: 5,000 nodes
stay interactive) and the positions are the same on every run. The result is plain lists
(columns, not one dict per node) because it travels to the browser as the widget's state.

Boxes are the map's accounts, ordered by OU then ID, and one last box for principals outside
the map (services, providers, accounts not read, anyone). Inside a box: users, then roles, then
the rest, in columns about four times as tall as wide (so edges into one box fan out instead of
lying on one line); boxes are packed in rows of at most :data:`ROW_WIDTH`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Final

import pandas as pd

__all__ = ["OUTSIDE", "ROW_WIDTH", "graph_data", "short_name"]

#: The box of principals the map did not read.
OUTSIDE: Final = "outside the map"
#: Widest row of boxes, in layout units (the browser scales to fit).
ROW_WIDTH: Final = 2400
_CELL_W: Final = 120
_CELL_H: Final = 26
_PAD: Final = 14
_HEAD: Final = 40
_GAP: Final = 40
#: Node kinds, in the order drawn inside a box.
KINDS: Final = ("user", "role", "service", "federated-saml", "federated-oidc", "account", "any")


def short_name(arn: str, width: int = 20) -> str:
    """``user/alice``, ``role/ops``, a service's name, ``anyone (*)``; at most ``width``
    characters (a box's cell), the whole ARN being in the hover text."""
    text = _short(arn)
    return text if len(text) <= width else text[: width - 1] + "…"


def _short(arn: str) -> str:
    if arn == "*":
        return "anyone (*)"
    tail = arn.split(":", 5)[-1]
    if "/" not in tail:
        return tail
    kind, _, rest = tail.partition("/")
    name = rest.rsplit("/", 1)[-1]
    return f"{kind}/{name}" if kind in ("user", "role") else name


def _box_title(account: str) -> str:
    if account.isdigit() and len(account) == 12:
        return f"{account[:4]}-{account[4:8]}-{account[8:]}"
    return account


def graph_data(
    edges: pd.DataFrame,
    roles: Iterable[tuple[str, str]],
    ous: Mapping[str, str],
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The widget's state for ``edges`` (a ``TrustMap.edges`` frame) and the map's ``roles``
    (``(arn, account)`` pairs, so a role nobody reaches is drawn too).

    ``edges.index`` is kept as each link's ``row``: a click names the frame's row.
    """
    names = names or {}
    mapped = {str(a) for a in ous}
    node_index: dict[str, int] = {}
    node_account: list[str] = []
    node_kind: list[str] = []
    node_external: list[bool] = []

    def node(arn: str, account: str, kind: str, external: bool) -> int:
        found = node_index.get(arn)
        if found is None:
            found = node_index[arn] = len(node_account)
            node_account.append(account)
            node_kind.append(kind if kind in KINDS else "any")
            node_external.append(external)
        return found

    for arn, account in roles:
        node(str(arn), str(account), "role", False)
    rows = edges[["principal_arn", "principal_type", "principal_account", "role_arn"]]
    links: dict[str, list[int]] = {"source": [], "target": [], "row": [], "ext": [], "cond": []}
    for row, principal, ptype, paccount, role, external, conditions in zip(
        edges.index,
        rows["principal_arn"],
        rows["principal_type"],
        rows["principal_account"],
        rows["role_arn"],
        edges["external"],
        edges["conditions"],
        strict=True,
    ):
        source = node(str(principal), str(paccount or ""), str(ptype), bool(external))
        target = node(str(role), str(role).split(":")[4], "role", False)
        links["source"].append(source)
        links["target"].append(target)
        links["row"].append(int(row))
        links["ext"].append(int(bool(external)))
        links["cond"].append(int(bool(conditions is not None and len(conditions))))
    arns = list(node_index)
    group_of = [a if a in mapped else OUTSIDE for a in node_account]
    order = sorted(mapped, key=lambda a: (ous.get(a, ""), a))
    if OUTSIDE in group_of:
        order.append(OUTSIDE)
    members: dict[str, list[int]] = {g: [] for g in order}
    for i, g in enumerate(group_of):
        members[g].append(i)
    x = [0.0] * len(arns)
    y = [0.0] * len(arns)
    groups: list[dict[str, Any]] = []
    cursor_x = cursor_y = row_h = 0.0
    for g in order:
        inside = sorted(members[g], key=lambda i: (KINDS.index(node_kind[i]), arns[i]))
        cols = max(1, math.ceil(math.sqrt(len(inside) / 4)))  # taller than wide
        rows_n = max(1, math.ceil(len(inside) / cols))
        w, h = cols * _CELL_W + 2 * _PAD, rows_n * _CELL_H + _HEAD + _PAD
        if cursor_x and cursor_x + w > ROW_WIDTH:
            cursor_x, cursor_y, row_h = 0.0, cursor_y + row_h + _GAP, 0.0
        for k, i in enumerate(inside):
            x[i] = cursor_x + _PAD + (k % cols) * _CELL_W + 6
            y[i] = cursor_y + _HEAD + (k // cols) * _CELL_H + _CELL_H / 2
        groups.append(
            {
                "id": g,
                "title": _box_title(g) if g != OUTSIDE else OUTSIDE,
                "name": str(names.get(g, "")),
                "ou": str(ous.get(g, "")) if g != OUTSIDE else "",
                "x": cursor_x,
                "y": cursor_y,
                "w": w,
                "h": h,
            }
        )
        cursor_x += w + _GAP
        row_h = max(row_h, h)
    group_index = {g["id"]: i for i, g in enumerate(groups)}
    return {
        "groups": groups,
        "nodes": {
            "id": arns,
            "label": [short_name(a) for a in arns],
            "kind": node_kind,
            "account": node_account,
            "group": [group_index[g] for g in group_of],
            "external": node_external,
            "x": [round(v, 1) for v in x],
            "y": [round(v, 1) for v in y],
        },
        "links": links,
    }
