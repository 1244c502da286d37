"""A trust map as a picture: accounts side by side, their principals and roles, and the edges.

Plain SVG text built from the ``edges`` frame (no JavaScript, no CDN), so the same picture shows
in JupyterLab, in Voila, in a saved notebook and under nbval. Each account is a column headed by
its ID (and OU when known); principals outside the map (services, providers, other accounts,
anyone) share a last column. An edge is a curve from principal to role, red when the principal
is outside the organization, dashed when conditions are left to the request. A picture past
:data:`MAX_EDGES` edges says how many it leaves out: filter first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pandas as pd

from .html import esc

__all__ = ["MAX_EDGES", "trust_map_svg"]

#: Edges drawn at most; the rest are counted in the caption.
MAX_EDGES: Final = 400
_COL_W: Final = 230
_ROW_H: Final = 22
_TOP: Final = 46
_OUTSIDE: Final = "outside the map"


def _short(arn: str) -> str:
    if arn == "*":
        return "anyone (*)"
    tail = arn.split(":", 5)[-1]
    text = tail.rsplit("/", 1)[-1] if "/" in tail else tail
    kind = tail.split("/", 1)[0] if "/" in tail else ""
    label = f"{kind}/{text}" if kind in ("user", "role") else text
    return label if len(label) <= 28 else label[:27] + "…"


def _column(arn: str, account: str, mapped: set[str]) -> str:
    return account if account in mapped else _OUTSIDE


def trust_map_svg(edges: pd.DataFrame, ous: Mapping[str, str] | None = None) -> str:
    """The picture of ``edges`` (a ``TrustMap.edges`` frame, maybe filtered) as SVG text."""
    ous = ous or {}
    shown = edges.head(MAX_EDGES)
    mapped = set(shown["role_account"].astype(str))
    columns: dict[str, list[str]] = {}
    place: dict[str, tuple[int, int]] = {}

    def node(arn: str, account: str) -> tuple[int, int]:
        if arn not in place:
            col = _column(arn, account, mapped)
            names = columns.setdefault(col, [])
            names.append(arn)
            place[arn] = (-1, len(names) - 1)
        return place[arn]

    records = shown.to_dict("records")
    for r in records:
        node(str(r["role_arn"]), str(r["role_account"]))
    for r in records:
        node(str(r["principal_arn"]), str(r["principal_account"] or ""))
    order = sorted(c for c in columns if c != _OUTSIDE) + [c for c in columns if c == _OUTSIDE]
    index = {c: i for i, c in enumerate(order)}
    xy: dict[str, tuple[float, float]] = {}
    for col, names in columns.items():
        for row, arn in enumerate(names):
            xy[arn] = (index[col] * _COL_W + 16, _TOP + row * _ROW_H)
    height = _TOP + max((len(n) for n in columns.values()), default=0) * _ROW_H + 30
    width = max(len(order), 1) * _COL_W + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="xacct-trustmap-svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" '
        'font-size="11">'
    ]
    for col in order:
        x = index[col] * _COL_W + 8
        title = col if col == _OUTSIDE else f"{col[:4]}-{col[4:8]}-{col[8:]}"
        ou = ous.get(col, "")
        parts.append(
            f'<rect x="{x}" y="8" width="{_COL_W - 16}" height="{height - 16}" rx="6" '
            'fill="#f5f7fa" stroke="#c9d1d9"/>'
            f'<text x="{x + 8}" y="26" font-weight="bold">{esc(title)}</text>'
            f'<text x="{x + 8}" y="38" fill="#57606a">{esc(ou)}</text>'
        )
    for r in records:
        (x1, y1), (x2, y2) = xy[str(r["principal_arn"])], xy[str(r["role_arn"])]
        colour = "#b00020" if r["external"] else "#0969da"
        dash = ' stroke-dasharray="4 3"' if r["conditions"] else ""
        start, end = (x1 + 150, y1 - 4), (x2, y2 - 4)
        mid = (start[0] + end[0]) / 2
        parts.append(
            f'<path d="M{start[0]},{start[1]} C{mid},{start[1]} {mid},{end[1]} {end[0]},{end[1]}"'
            f' fill="none" stroke="{colour}" stroke-opacity="0.55"{dash}>'
            f"<title>{esc(str(r['principal_arn']))} → {esc(str(r['role_arn']))}</title></path>"
        )
    roles = set(shown["role_arn"])
    for arn, (nx, ny) in xy.items():
        is_role = arn in roles
        mark = "#1a7f37" if is_role else "#57606a"
        parts.append(
            f'<circle cx="{nx}" cy="{ny - 4}" r="4" fill="{mark}"/>'
            f'<text x="{nx + 8}" y="{ny}"><title>{esc(arn)}</title>{esc(_short(arn))}</text>'
        )
    left = len(edges) - len(shown)
    if left > 0:
        parts.append(
            f'<text x="12" y="{height - 6}" fill="#b00020">{left} more edges not drawn: '
            "filter by account or name.</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
