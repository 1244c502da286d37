"""``Wizard``: a :class:`~.panel.Panel` that shows one :class:`Step` at a time, with Back/Next.

Why one framework for both tutorial parts: an operator should meet the same layout at every
step (where am I, what do I type, what went wrong and how to fix it), and the browser tests
should find the same CSS classes everywhere. Each step calls one core function; a step that
fails keeps the wizard where it is, with the error and its fix shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as w
import pandas as pd

from .fields import classed
from .html import STYLE, esc, html_table
from .panel import Panel

__all__ = ["Step", "Wizard"]


@dataclass
class Step:
    """One wizard step.

    ``enter`` runs (with error display) each time the step is shown, ``direction`` being
    ``"forward"``, ``"back"`` or ``"jump"``; ``leave`` runs when Next is clicked and keeps the
    wizard on this step if it raises; ``ready`` says whether Next may be clicked (pure: no
    calls, it runs on every keystroke). ``next_label=None`` hides Next (the step has its own
    action button, like Apply or Switch).
    """

    key: str
    title: str
    help: str
    body: Any
    enter: Callable[[str], None] | None = None
    leave: Callable[[], None] | None = None
    ready: Callable[[], bool] | None = None
    next_label: str | None = "Next →"
    leave_doing: str = "checking this step"


class Wizard(Panel):
    """A Panel showing one :class:`Step` at a time, with the shared navigation and feedback.

    Subclasses build their steps and call :meth:`_setup`. ``step`` is the 0-based index of
    the step shown; ``step_key`` its tutorial key (``"A2"``).
    """

    _css: str = "xacct-wizard"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._steps: list[Step] = []
        self.step = 0
        self._frames: dict[str, pd.DataFrame] = {}
        self.indicator = classed(w.HTML(), "xacct-step-indicator")
        self.help = classed(w.HTML(), "xacct-help")
        self.body = classed(w.VBox(), "xacct-step-body")
        self.back_button = classed(
            w.Button(description="← Previous step", tooltip="Go to the previous step"), "xacct-back"
        )
        self.next_button = classed(
            w.Button(description="Next →", button_style="primary", tooltip="Go to the next step"),
            "xacct-next",
        )
        self.back_button.on_click(lambda _b: self.go_back())
        self.next_button.on_click(lambda _b: self.go_next())
        self._header: list[Any] = []

    def _setup(self, steps: Sequence[Step], header: Sequence[Any] = ()) -> None:
        self._steps = list(steps)
        self._header = list(header)
        classed(self, "xacct-wizard", self._css)
        nav = classed(w.HBox([self.back_button, self.next_button]), "xacct-nav")
        self.children = [
            w.HTML(STYLE),
            self.indicator,
            *self._header,
            self.help,
            self.body,
            self.error,
            nav,
            self.status,
        ]
        self.go(0, "forward")

    # -- state ----------------------------------------------------------------------------------
    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(self._steps)

    @property
    def current(self) -> Step:
        return self._steps[self.step]

    @property
    def step_key(self) -> str:
        return self.current.key

    @property
    def step_title(self) -> str:
        return self.current.title

    @property
    def frame(self) -> pd.DataFrame:
        """The table the current step shows, as a DataFrame (a copy: edit it freely)."""
        found = self._frames.get(self.current.key)
        return found.copy() if found is not None else pd.DataFrame()

    def _where(self) -> str:
        return f"step {self.step + 1} of {len(self._steps)}: {self.current.title}"

    def show_table(self, target: Any, key: str, frame: pd.DataFrame, empty: str = "") -> None:
        """Render ``frame`` into the HTML widget ``target`` and make it step ``key``'s frame."""
        self._frames[key] = frame
        target.value = html_table(frame, empty=empty or "(nothing to show)")

    def _offstage(self) -> Sequence[Any]:
        return [step.body for step in self._steps]

    # -- navigation -----------------------------------------------------------------------------
    def refresh_controls(self) -> None:
        self.refresh_nav()

    def refresh_nav(self) -> None:
        """Enable Back/Next from the current step's state (runs on every input change)."""
        if not self._steps or self._busy:
            return
        self.sync_buttons()
        step = self.current
        last = self.step >= len(self._steps) - 1
        self.back_button.disabled = self.step == 0
        hide = step.next_label is None or last
        self.next_button.layout.display = "none" if hide else None
        if step.next_label:
            self.next_button.description = step.next_label
        self.next_button.disabled = hide or not (step.ready() if step.ready else True)
        self.indicator.value = (
            f"<h4 style='margin:4px 0'>Step {self.step + 1} of {len(self._steps)} — "
            f"{esc(step.title)} <small style='color:#777'>({esc(step.key)})</small></h4>"
        )

    def go(self, index: int, direction: str = "jump") -> None:
        """Show step ``index`` (0-based) and run its ``enter`` hook."""
        if not 0 <= index < len(self._steps):
            raise IndexError(f"step {index} does not exist (0..{len(self._steps) - 1})")
        self.step = index
        step = self.current
        self.body.children = [step.body]
        self.help.value = f'<div class="xacct-help-text">{step.help}</div>'
        self.show_error(None)
        self.status.value = ""
        self.refresh_nav()
        if step.enter is not None:
            enter = step.enter
            self.act(f"loading {step.title.lower()}", lambda: enter(direction))

    def go_next(self) -> bool:
        """Next: run the step's ``leave`` (stay here if it fails), then show the next step."""
        step = self.current
        if self.next_button.disabled or self.step >= len(self._steps) - 1:
            return False
        if step.leave is not None and not self.act(step.leave_doing, step.leave):
            return False
        self.go(self.step + 1, "forward")
        return True

    def go_back(self) -> bool:
        if self.step == 0:
            return False
        self.go(self.step - 1, "back")
        return True
