"""Tables meant to be *read*, not scrolled: wrapped cells, left-aligned headers, marked rows.

The shared :func:`~.html.html_table` keeps cells on one line (ARNs, URLs), which suits lists of
roles but hid the preflight's "what it means" and "what to do" behind a sideways scroll. Tables
of sentences use this renderer instead: cells wrap, headers sit over their cells, a ✔/✘/?
column is coloured, rows that take access away are red, and the administrator's details fold
away under a ``<details>`` element (native HTML: works in JupyterLab, Voila and screenshots).
Cells wrap between words only (``overflow-wrap: break-word``, not ``anywhere``, which let a
narrow column split "result" or "B7CA9D"); only a word longer than the cell (an ARN) breaks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pandas as pd

from .html import esc

__all__ = ["READABLE_STYLE", "details_html", "readable_table_html"]

READABLE_STYLE: Final = """<style>
.xacct-readable { border-collapse: collapse; font-size: 13px; margin: 4px 0 8px 0; }
table.xacct-readable th, table.xacct-readable td { border: 1px solid #ccc; padding: 3px 8px;
  text-align: left; vertical-align: top; white-space: normal; max-width: 24em;
  overflow-wrap: break-word; word-break: normal; }
table.xacct-readable th { white-space: nowrap; }
.xacct-readable th { background: #f3f3f3; }
.xacct-readable .xacct-mark { text-align: center; font-weight: bold; font-size: 15px; }
.xacct-readable .xacct-mark-ok { color: #2e7d32; }
.xacct-readable .xacct-mark-fail { color: #b00020; }
.xacct-readable .xacct-mark-unknown { color: #777; }
.xacct-readable tr.xacct-destructive td { background: #fdecee; color: #8a0016; }
.xacct-details summary { cursor: pointer; color: #1a5fb4; margin: 4px 0; }
</style>"""

_MARK_CLASS: Final = {"✔": "xacct-mark-ok", "✘": "xacct-mark-fail", "?": "xacct-mark-unknown"}


def _cell(column: str, value: object, mark_column: str | None) -> str:
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif value is None or (isinstance(value, float) and pd.isna(value)):
        text = "-"
    else:
        text = str(value)
    if column == mark_column:
        css = _MARK_CLASS.get(text, "")
        return f'<td class="xacct-mark {css}">{esc(text)}</td>'
    return f"<td>{esc(text)}</td>"


def readable_table_html(
    frame: pd.DataFrame,
    *,
    css: str = "",
    empty: str = "(nothing to show)",
    mark_column: str | None = None,
    red_rows: Sequence[bool] | None = None,
) -> str:
    """``frame`` as a wrapped, left-aligned table; ``red_rows[i]`` marks row i destructive."""
    if frame.empty:
        return f'<p class="xacct-empty"><i>{esc(empty)}</i></p>'
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for i, record in enumerate(frame.itertuples(index=False)):
        red = bool(red_rows[i]) if red_rows is not None else False
        attr = ' class="xacct-destructive"' if red else ""
        cells = "".join(
            _cell(c, v, mark_column) for c, v in zip(frame.columns, record, strict=True)
        )
        rows.append(f"<tr{attr}>{cells}</tr>")
    # xacct-table too: every table of the package answers to one selector (tests, styling).
    classes = " ".join(filter(None, ["xacct-table", "xacct-readable", css]))
    return (
        f'{READABLE_STYLE}<table class="{classes}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def details_html(summary: str, body_html: str, *, css: str = "") -> str:
    """A folded section (``<details>``): ``summary`` is text, ``body_html`` already HTML."""
    classes = " ".join(filter(None, ["xacct-details", css]))
    return f'<details class="{classes}"><summary>{esc(summary)}</summary>{body_html}</details>'
