"""Copy-to-clipboard buttons that work in JupyterLab and in Voila, with no front-end extension.

Why plain HTML with an inline handler: an ``HTML`` widget renders its markup as is, and an
``onclick`` attribute runs in the page, so the copy happens in the browser (where the clipboard
is) without a round trip to the kernel, which has no clipboard. ``navigator.clipboard`` needs a
secure context (``https`` or ``127.0.0.1``/``localhost``, which is how ``xacct lab`` and
``xacct app`` serve); elsewhere the handler falls back to selecting the text and
``document.execCommand("copy")``, and the text itself is always shown selectable, so copying by
hand is never impossible. The text is an attribute value, HTML-escaped: it cannot break out.
"""

from __future__ import annotations

from typing import Final

from .html import esc

__all__ = ["COPY_JS", "copy_box_html", "copy_button_html"]

#: The click handler: clipboard API first, then a selected hidden textarea + execCommand.
COPY_JS: Final = (
    "(function(b){var t=b.getAttribute('data-copy');"
    "function done(ok){b.textContent=ok?'✔ Copied':'Select the text and press Ctrl+C';"
    "b.setAttribute('data-copied',ok?'yes':'no');"
    "setTimeout(function(){b.textContent=b.getAttribute('data-label');},2500);}"
    "function old(){var a=document.createElement('textarea');a.value=t;"
    "a.style.position='fixed';a.style.opacity='0';document.body.appendChild(a);a.select();"
    "var ok=false;try{ok=document.execCommand('copy');}catch(e){}"
    "document.body.removeChild(a);done(ok);}"
    "if(navigator.clipboard&&window.isSecureContext){"
    "navigator.clipboard.writeText(t).then(function(){done(true);},old);}else{old();}"
    "})(this)"
)

_BUTTON_STYLE: Final = (
    "cursor:pointer;padding:2px 10px;margin:2px 6px 2px 0;border:1px solid #888;"
    "border-radius:3px;background:#f3f3f3;font-size:12px;"
)


def copy_button_html(text: str, *, label: str = "Copy", css: str = "") -> str:
    """A button that copies ``text`` to the clipboard (``css`` is an extra class for tests)."""
    classes = " ".join(c for c in ("xacct-copy-button", css) if c)
    return (
        f'<button type="button" class="{classes}" data-copy="{esc(text)}" '
        f'data-label="{esc(label)}" title="Copy to the clipboard" style="{_BUTTON_STYLE}" '
        f'onclick="{esc(COPY_JS)}">{esc(label)}</button>'
    )


def copy_box_html(text: str, *, label: str = "Copy", css: str = "") -> str:
    """``text`` shown whole (wrapping, selectable) with a copy button before it."""
    return (
        f'<div class="xacct-copy-box {esc(css)}">{copy_button_html(text, label=label)}'
        f'<code class="xacct-copy-text" style="user-select:all;word-break:break-all;">'
        f"{esc(text)}</code></div>"
    )
