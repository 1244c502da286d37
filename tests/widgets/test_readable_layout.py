"""Readable tables wrap between words only (issue 20, item 7: narrow columns split "resu/lt",
"sessio/n", "B7CA9/D" under ``overflow-wrap: anywhere``, which lets the browser shrink a column
below its longest word; ``break-word`` breaks only a word longer than the cell, such as an ARN).
https://developer.mozilla.org/en-US/docs/Web/CSS/overflow-wrap"""

from __future__ import annotations

import re

import pandas as pd

from xacct_widgets.widgets.readable import readable_table_html


def _rules(html: str, selector_part: str) -> str:
    """The declarations of every rule whose selector mentions ``selector_part``."""
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    found = re.findall(r"([^{}]+)\{([^}]*)\}", style)
    return " ".join(body for selector, body in found if selector_part in selector.strip())


def test_readable_cells_wrap_between_words_and_headers_stay_whole():
    frame = pd.DataFrame([{"check": "session", "result": "✔", "colour": "B7CA9D"}])
    html = readable_table_html(frame, mark_column="result")
    cells = _rules(html, "table.xacct-readable td")
    assert "overflow-wrap: break-word" in cells and "word-break: normal" in cells
    assert "anywhere" not in html and "break-all" not in html
    assert "white-space: nowrap" in _rules(html, "table.xacct-readable th")
    assert "<th>result</th>" in html and "<td>B7CA9D</td>" in html


def test_policy_json_is_monospace_and_single_spaced():
    """Issue 20, item 7: in Voila the trust policy was double-spaced in a proportional font (an
    HTML widget's 28px line height and the page's font reached the ``<pre>``)."""
    from xacct_widgets.widgets.create_role_fields import json_html
    from xacct_widgets.widgets.html import STYLE

    shown = json_html({"Version": "2012-10-17", "Statement": []})
    assert shown.startswith('<pre class="xacct-json">') and "\n  &quot;Statement" in shown
    rule = _rules(STYLE, ".xacct-json")
    assert "monospace" in rule and "font-family" in rule
    assert "line-height: 1.35" in rule and "white-space: pre" in rule
