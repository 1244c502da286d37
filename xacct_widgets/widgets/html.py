"""The HTML every widget renders: one stylesheet, escaped text, tables, error and note boxes.

Why plain HTML strings in ``HTML`` widgets: they look the same in JupyterLab, Voila and on
screenshots without a front-end extension, and saved notebooks stay byte-stable (no pandas
Styler: its random element ids would make every run differ). Why everything passes through
:func:`esc`: text shown to the operator may quote AWS messages, and those can carry access key
IDs or sign-in tokens; they are scrubbed before they are escaped, in one place.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from typing import Final

import pandas as pd

from ..core.frames import scrub_text
from ..errors import SwitchDenied, XacctError

__all__ = [
    "STYLE",
    "box_html",
    "error_html",
    "esc",
    "html_table",
    "marked_table_html",
    "plural",
    "text_of",
]

#: One small stylesheet, shipped inside each widget (HTML widgets render ``<style>``): tables
#: stay readable in JupyterLab, Voila and on screenshots without any front-end extension.
STYLE: Final = """<style>
.xacct-wizard { max-width: 72em; }
.xacct-table { border-collapse: collapse; font-size: 12px; margin: 4px 0 8px 0; }
.xacct-table th, .xacct-table td { border: 1px solid #ccc; padding: 2px 6px; text-align: left;
  vertical-align: top; white-space: nowrap; }
.xacct-table th { background: #f3f3f3; }
.xacct-help-text { color: #444; font-size: 13px; }
.xacct-field-help { color: #666; font-size: 12px; margin-left: 13.5em; }
.xacct-field-error-text { color: #b00020; font-size: 12px; margin-left: 13.5em; }
.xacct-error-box { border-left: 4px solid #b00020; background: #fdecee; padding: 4px 8px; }
.xacct-warning-box { border-left: 4px solid #c77700; background: #fff4e0; padding: 4px 8px; }
.xacct-ok-box { border-left: 4px solid #2e7d32; background: #edf7ee; padding: 4px 8px; }
.xacct-badge-box { display: inline-block; padding: 4px 10px; border-radius: 4px;
  border: 1px solid #888; color: #111; }
.xacct-json { font-size: 12px; background: #f7f7f7; padding: 6px; margin: 2px 0;
  font-family: var(--jp-code-font-family, Menlo, Consolas, monospace), monospace;
  line-height: 1.35; white-space: pre; }
.xacct-scroll { overflow-x: auto; max-width: 100%; }
.xacct-wizard a, .xacct-switcher-bar a { color: #1a5fb4; text-decoration: underline; }
.xacct-table thead tr, .xacct-table th, .xacct-wizard th { text-align: left !important; }
.xacct-table tr.xacct-destructive td { color: #b00020; background: #fdecee; font-weight: 600; }
</style>"""


def esc(value: object) -> str:
    """Text for HTML: scrubbed of key IDs and URL-borne tokens, then escaped."""
    return html.escape(scrub_text(str(value)))


def plural(n: int, word: str) -> str:
    """``"1 row"``, ``"2 rows"``: counts in status lines and reprs."""
    return f"{n} {word}" + ("" if n == 1 else "s")


def html_table(frame: pd.DataFrame, *, empty: str = "(nothing to show)") -> str:
    """A DataFrame as a plain, stable HTML table with class ``xacct-table``."""
    if frame.empty:
        return f'<p class="xacct-empty"><i>{esc(empty)}</i></p>'
    shown = frame.copy()
    for column in shown.columns:
        # Lists and dicts render as Python reprs otherwise; a comma list reads better.
        shown[column] = shown[column].map(
            lambda v: ", ".join(str(i) for i in v) if isinstance(v, list | tuple) else v
        )
    text: str = shown.to_html(index=False, classes="xacct-table", na_rep="", escape=True, border=0)
    # Wide tables (ARNs, URLs) scroll sideways instead of spilling out of the notebook.
    return f'<div class="xacct-scroll">{scrub_text(text)}</div>'


def marked_table_html(
    frame: pd.DataFrame,
    marked: Collection[int],
    *,
    css: str = "xacct-destructive",
    empty: str = "(nothing to show)",
) -> str:
    """:func:`html_table` with the body rows at positions ``marked`` (0-based) given class
    ``css`` (red for ``xacct-destructive``): rows to look at twice stand out."""
    text = html_table(frame, empty=empty)
    if frame.empty or not marked:
        return text
    head, _, body = text.partition("<tbody>")
    parts = body.split("<tr>")
    for index in marked:
        if 0 <= index < len(parts) - 1:
            parts[index + 1] = f'<tr class="{html.escape(css)}">' + parts[index + 1]
    rows = parts[0] + "".join(p if p.startswith("<tr class=") else "<tr>" + p for p in parts[1:])
    return head + "<tbody>" + rows


def error_html(err: BaseException, *, doing: str = "") -> str:
    """The error box: an XacctError's message, reasons and fix; anything else a short note."""
    if isinstance(err, XacctError):
        parts = [f"<b>{esc(err.message)}</b>"]
        reasons = err.reasons if isinstance(err, SwitchDenied) else ()
        if reasons:
            items = "".join(f"<li>{esc(r)}</li>" for r in reasons)
            parts.append(f"Reasons:<ul>{items}</ul>")
        if err.fix:
            parts.append(f"<br><b>Fix:</b> {esc(err.fix)}")
        body = "".join(parts)
    else:
        what = f" while {esc(doing)}" if doing else ""
        body = (
            f"<b>Something unexpected went wrong{what}: {esc(type(err).__name__)}.</b><br>"
            "Nothing more is shown here; the details are in the log "
            "(logger <code>xacct_widgets.widgets</code>). Try again, or report it."
        )
    return f'<div class="xacct-error-box">{body}</div>'


def box_html(kind: str, text_html: str) -> str:
    """A coloured note: kind is ``ok``, ``warning`` or ``error``; the text is already HTML."""
    return f'<div class="xacct-{kind}-box">{text_html}</div>'


def text_of(markup: str) -> str:
    """Strip tags from our own small HTML snippets (for tests and reprs)."""
    text = re.sub(r"<li>", "\n- ", markup)
    text = re.sub(r"<br\s*/?>|</?(ul|div|p)[^>]*>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
