""" "Open the console as <display name>": the console sign-in for the active role, on one click.

Why the URL never reaches a widget: the federation sign-in URL carries a sign-in token that is as
good as the role's keys for its lifetime (AWS: "Enable custom identity broker access to the AWS
console", https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html).
A link in an ``HTML`` widget would be saved in the notebook's widget state and shown to whoever
opens the file, so the button asks the core for the URL and hands it straight to a browser in
the click handler (:meth:`RoleSwitcher.open_console`); only "Console opened as <label>" is shown.
When the kernel cannot open a browser (a remote kernel, a headless server), the operator is told
how to open it from their own machine instead of being shown the link.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from ..core.switch import RoleSwitcher
from .fields import button
from .html import box_html, esc
from .panel import Panel

__all__ = ["NO_BROWSER_HELP", "ConsoleButton", "Opener"]

#: Opens a URL in a browser and says whether it could (``webbrowser.open``'s contract).
Opener = Callable[[str], Any]

#: What to do when no browser could be opened from the kernel.
NO_BROWSER_HELP: Final = (
    "No browser could be opened from this kernel (it may run on another machine). On your own "
    "machine, run <code>webbrowser.open(str(switcher.console_sign_in_url()))</code> in a "
    "notebook or Python shell with the same role active, or <code>xacct console PROFILE</code> "
    "for a role profile you exported. The link signs whoever holds it in as "
    "the role for a while: open it, never paste, share or save it."
)


class ConsoleButton:
    """The console button of a panel showing ``switcher``: label and visibility follow the
    active role (hidden when none); clicking opens the console through ``opener`` (default:
    the core's, ``webbrowser.open``), busy and errors shown by ``panel``.

    ``opener`` may be replaced later (``panel.console.opener = ...``), e.g. by tests.
    """

    def __init__(
        self, panel: Panel, switcher: RoleSwitcher, css: str, *, opener: Opener | None = None
    ) -> None:
        self.panel = panel
        self.switcher = switcher
        self.opener = opener
        self.button: Any = button(
            "Open the console",
            css,
            self.click,
            icon="external-link",
            tooltip="Sign in to the AWS console as the active role, in a new browser tab",
            layout={"width": "auto"},
        )
        self.button.add_class("xacct-console-button")
        self.sync()

    @property
    def label(self) -> str | None:
        """The active role's label, or None when no role is active."""
        active = self.switcher.active
        return active.label if active is not None else None

    def sync(self) -> None:
        """Follow the active role: its label on the button, hidden when no role is active."""
        label = self.label
        self.button.layout.display = "none" if label is None else None
        self.button.disabled = label is None
        self.button.description = (
            f"Open the console as {label}" if label is not None else "Open the console"
        )

    def click(self) -> bool:
        """Open the console as the active role; True if a browser was asked to open it."""
        label = self.label
        if label is None:
            self.sync()
            return False
        opened: list[bool] = []

        def open_console() -> None:
            # The URL lives only inside the core call: never returned here, stored or shown.
            sw = self.switcher
            done = sw.open_console() if self.opener is None else sw.open_console(opener=self.opener)
            opened.append(bool(done))

        if not self.panel.act(f"opening the console as {label}", open_console):
            return False
        if opened and opened[0]:
            self.panel.say(f"Console opened as {label}.", "ok")
            return True
        self.panel.status.value = box_html(
            "warning", f"<b>The console was not opened as {esc(label)}.</b> {NO_BROWSER_HELP}"
        )
        return False
