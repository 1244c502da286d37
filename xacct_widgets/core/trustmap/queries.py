"""Questions asked of a solved map: who reaches a role, where a principal goes, in how many hops.

All of them read the ``edges`` frame only (no AWS call, no policy evaluated again), so they work
the same on a map just collected and on one loaded from a snapshot file.

Role chaining: a role session that assumes another role is capped at one hour, whatever the
role's maximum session duration ("Role chaining",
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles.html#iam-term-role-chaining); every
path with a second hop says so (``chained``, ``max_session_s`` 3600).
"""

from __future__ import annotations

from collections import deque
from typing import Any, Final

import pandas as pd

from ..frames import to_frame

__all__ = [
    "CHAINED_SESSION_S",
    "DIFF_COLUMNS",
    "PATH_COLUMNS",
    "diff_edges",
    "edge_key",
    "find_paths",
    "records",
]

#: A chained role session lasts at most one hour.
CHAINED_SESSION_S: Final = 3600
#: Columns of :meth:`TrustMap.paths`.
PATH_COLUMNS: Final = ("hops", "path", "chained", "max_session_s", "conditions", "external")
#: Columns of :meth:`TrustMap.diff`: ``change`` is ``added`` or ``removed``, then the edge's.
DIFF_COLUMNS: Final = ("change", "principal_arn", "principal_type", "role_arn", "via")


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dicts keyed by column name."""
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def edge_key(row: Any) -> tuple[str, str]:
    return (str(row["principal_arn"]), str(row["role_arn"]))


def find_paths(edges: pd.DataFrame, start: str, goal: str, max_hops: int) -> pd.DataFrame:
    """Every simple path of at most ``max_hops`` edges from ``start`` to ``goal``, shortest
    first. Only roles can be the middle of a path (a role session assumes the next role)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for record in records(edges):
        out.setdefault(str(record["principal_arn"]), []).append(record)
    found: list[dict[str, Any]] = []
    queue: deque[list[dict[str, Any]]] = deque([[]])
    while queue:
        walked = queue.popleft()
        here = str(walked[-1]["role_arn"]) if walked else start
        if walked and here == goal:
            found.append(_path_row(start, walked))
            continue
        if len(walked) >= max_hops:
            continue
        seen = {start} | {str(e["role_arn"]) for e in walked}
        for edge in out.get(here, []):
            if str(edge["role_arn"]) not in seen:
                queue.append([*walked, edge])
    return to_frame(found, PATH_COLUMNS)


def _path_row(start: str, walked: list[dict[str, Any]]) -> dict[str, Any]:
    chained = len(walked) > 1
    conditions = [
        {**c, "hop": i + 1} for i, e in enumerate(walked) for c in (e["conditions"] or [])
    ]
    return {
        "hops": len(walked),
        "path": [start, *(str(e["role_arn"]) for e in walked)],
        "chained": chained,
        "max_session_s": CHAINED_SESSION_S if chained else None,
        "conditions": conditions,
        "external": bool(walked[0]["external"]),
    }


def diff_edges(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Edges in ``after`` and not in ``before`` (``added``), and the other way (``removed``)."""
    old = {edge_key(r): r for r in records(before)}
    new = {edge_key(r): r for r in records(after)}
    rows = [{"change": "added", **new[k]} for k in sorted(set(new) - set(old))]
    rows += [{"change": "removed", **old[k]} for k in sorted(set(old) - set(new))]
    return to_frame(rows, DIFF_COLUMNS)
