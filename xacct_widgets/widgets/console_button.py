""" "Open the console as <display name>": a sign-in link for the active role, opened by the
operator's own browser.

Why a link and not ``webbrowser.open``: the kernel may run on another machine (a remote Lab, the
Voila app), where opening a browser opens it on the server, or nowhere. So the button asks the
core for the federation sign-in URL and renders it as an anchor styled as a button
(``<a target="_blank" rel="noopener noreferrer">``): the click that opens the console happens in
the page, whatever machine runs the kernel. ipywidgets has no front-end code without a custom
model; an anchor needs none.

Why it disappears: the URL carries a sign-in token that is as good as the role's keys for its
lifetime (15 minutes; AWS: "Enable custom identity broker access to the AWS console",
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html),
and an ``HTML`` widget's value is widget state, which a notebook may save. So the link exists
only when the operator asks for it (one click: "Get a console sign-in link"), sits in the
panel's status line only, and is removed after :data:`LINK_SECONDS` (a timer), at any switch
or Back (a link for another session), or when another action's status replaces it; it is never
logged, put in a repr, or kept in an attribute. A widget state saved later holds no token.

``opener=`` (a callable, e.g. ``webbrowser.open``) keeps the old behaviour for scripts whose
kernel runs on the operator's own machine: the URL goes straight to it and is never shown.
"""

from __future__ import annotations

import html
import os
import threading
from collections.abc import Callable
from typing import Any, Final

from ..aws_limits import SIGN_IN_TOKEN_SECONDS
from ..core.switch import ConsolePage, RoleSwitcher
from ..errors import InvalidInput
from .fields import button
from .html import box_html, esc
from .panel import Panel

__all__ = [
    "LINK_CSS",
    "LINK_SECONDS",
    "LINK_SECONDS_ENV",
    "NO_BROWSER_HELP",
    "ConsoleButton",
    "Opener",
    "link_seconds_default",
]

#: Opens a URL in a browser and says whether it could (``webbrowser.open``'s contract).
Opener = Callable[[str], Any]

#: Seconds a sign-in link stays on the page before it is removed (the token lives 15 minutes).
LINK_SECONDS: Final = 60.0
#: Environment variable setting that lifetime for every button (e.g. shorter on a shared screen).
LINK_SECONDS_ENV: Final = "XACCT_CONSOLE_LINK_SECONDS"


def link_seconds_default() -> float:
    """``$XACCT_CONSOLE_LINK_SECONDS`` (seconds, > 0) if set, else :data:`LINK_SECONDS`."""
    raw = os.environ.get(LINK_SECONDS_ENV, "").strip()
    if not raw:
        return LINK_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= SIGN_IN_TOKEN_SECONDS:
        raise InvalidInput(
            f"{LINK_SECONDS_ENV}={raw[:20]!r} is not a number of seconds between 0 and "
            f"{SIGN_IN_TOKEN_SECONDS} "
            "(the sign-in token's 15 minutes).",
            fix=f"Set {LINK_SECONDS_ENV} to e.g. 30, or unset it for {LINK_SECONDS:.0f} s.",
        )
    return seconds


#: CSS class of the rendered sign-in anchor (the browser tests' hook).
LINK_CSS: Final = "xacct-console-link"
_LINK_STYLE: Final = (
    "display:inline-block;padding:4px 14px;border-radius:2px;background:#ec7211;color:#fff;"
    "font-weight:bold;text-decoration:none"
)

#: What to do when no browser could be opened from the kernel (``opener=`` only).
NO_BROWSER_HELP: Final = (
    "No browser could be opened from this kernel (it may run on another machine). Use the "
    "console button without <code>opener=</code>: it shows a sign-in link that your own browser "
    "opens. The link signs whoever holds it in as the role for a while: open it, never paste, "
    "share or save it."
)


class ConsoleButton:
    """The console button of a panel showing ``switcher``: label and visibility follow the
    active role (hidden when none); clicking shows a sign-in link in ``panel``'s status line for
    :data:`LINK_SECONDS` (or, with ``opener``, opens the URL through it), busy and errors shown
    by ``panel``.

    ``link_seconds`` None means :func:`link_seconds_default`. ``destination`` is the console
    page signed in to: a URL, a ``ConsolePage(region, service)`` (a deep link), or None for
    the regional console home. ``opener``, ``link_seconds`` and ``destination`` may be
    replaced later (``panel.console.destination = ConsolePage(service="s3")``).
    """

    def __init__(
        self,
        panel: Panel,
        switcher: RoleSwitcher,
        css: str,
        *,
        opener: Opener | None = None,
        link_seconds: float | None = None,
        destination: str | ConsolePage | None = None,
    ) -> None:
        self.panel = panel
        self.switcher = switcher
        self.opener = opener
        self.destination = destination
        self.link_seconds = link_seconds_default() if link_seconds is None else link_seconds
        self._timer: threading.Timer | None = None
        self._link_version: int | None = None  # the switcher's version the link was made at
        self.button: Any = button(
            "Open the console",
            css,
            self.click,
            icon="external-link",
            tooltip="Get a link that signs your browser in to the AWS console as the active role",
            layout={"width": "auto"},
        )
        self.button.add_class("xacct-console-button")
        self.sync()

    @property
    def label(self) -> str | None:
        """The active role's label, or None when no role is active."""
        active = self.switcher.active
        return active.label if active is not None else None

    @property
    def link_shown(self) -> bool:
        """Whether the panel's status line holds a sign-in link now."""
        return LINK_CSS in self.panel.status.value

    def sync(self) -> None:
        """Follow the active role: its label on the button, hidden when no role is active; a
        sign-in link made before a switch or Back is removed (it was for the session then)."""
        if self._link_version is not None and self._link_version != self.switcher.version:
            self.expire()
        label = self.label
        self.button.layout.display = "none" if label is None else None
        self.button.disabled = label is None
        self.button.description = (
            f"Get console link as {label}" if label is not None else "Open the console"
        )

    def expire(self) -> None:
        """Remove the sign-in link from the page (its token with it); idempotent."""
        timer, self._timer, self._link_version = self._timer, None, None
        if timer is not None:
            timer.cancel()
        if self.link_shown:
            self.panel.status.value = ""

    def _expire_later(self, seconds: float) -> None:
        def fire() -> None:
            if self._timer is not timer:
                return  # replaced by a newer link, or expired already
            if self.panel.status.value.startswith("⏳"):  # busy: status comes back after it
                self._expire_later(1.0)
                return
            self.expire()

        timer = threading.Timer(seconds, fire)
        timer.daemon = True
        self._timer = timer
        timer.start()

    def click(self) -> bool:
        """Show a sign-in link as the active role (or open it through ``opener``); True if done."""
        label = self.label
        if label is None:
            self.sync()
            return False
        if self.opener is not None:
            return self._open(label, self.opener)
        self.expire()
        shown: list[bool] = []

        def show_link() -> None:
            # The URL lives only in the rendered anchor: never returned here, stored or logged
            # (html.escape, not esc: esc scrubs the very token the link needs).
            version = self.switcher.version
            url = self.switcher.console_sign_in_url(self.destination)
            self._link_version = version
            self.panel.status.value = box_html(
                "ok",
                f'<a class="{LINK_CSS}" href="{html.escape(str(url))}" target="_blank" '
                f'rel="noopener noreferrer" style="{_LINK_STYLE}">Open the console as '
                f"{esc(label)} &#x2197;</a> Opens in a new tab of your browser; signs in as "
                f"{esc(label)}. The link is removed in {self.link_seconds:.0f} s: never copy, "
                "share or save it.",
            )
            shown.append(True)

        if not self.panel.act(f"getting a console sign-in link as {label}", show_link):
            return False
        if shown and self.link_seconds > 0:
            self._expire_later(self.link_seconds)
        return bool(shown)

    def _open(self, label: str, opener: Opener) -> bool:
        opened: list[bool] = []

        def open_console() -> None:
            opened.append(bool(self.switcher.open_console(self.destination, opener=opener)))

        if not self.panel.act(f"opening the console as {label}", open_console):
            return False
        if opened and opened[0]:
            self.panel.say(f"Console opened as {label}.", "ok")
            return True
        self.panel.status.value = box_html(
            "warning", f"<b>The console was not opened as {esc(label)}.</b> {NO_BROWSER_HELP}"
        )
        return False
