"""The step framework every wizard shares: indicator, help, Back/Next, status, errors, tables.

Why one framework: an operator following the tutorial should meet the same layout at every step
of both wizards (where am I, what do I type, what went wrong and how to fix it), and the browser
tests should find the same CSS classes everywhere. Everything here is stock ipywidgets 8.

Rules kept here so no wizard can forget them:

* Calls run synchronously inside click handlers, wrapped in :meth:`Wizard.act`: buttons are
  disabled before the call and restored in ``finally`` (no double-submits while AWS answers).
* An :class:`~xacct_widgets.errors.XacctError` is shown as its message and its fix, HTML
  escaped and scrubbed of key IDs/tokens; never as a traceback. Anything else shows a short
  message and goes to the log with its traceback (for whoever debugs, not the operator).
* Tables are plain ``DataFrame.to_html`` in an ``HTML`` widget (no pandas Styler: its random
  element ids would make saved notebooks differ on every run).
"""

from __future__ import annotations

import html
import logging
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import ipywidgets as w
import pandas as pd

from ..core import colors
from ..core.frames import scrub_text
from ..errors import SwitchDenied, XacctError

__all__ = [
    "STYLE",
    "Step",
    "Wizard",
    "color_options",
    "error_html",
    "esc",
    "field",
    "html_table",
    "notify",
    "register",
]

log = logging.getLogger("xacct_widgets.widgets")

#: Width of the label column of every form field, so fields line up.
LABEL_WIDTH: Final = "13em"
FIELD_LAYOUT: Final = {"width": "36em"}

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
.xacct-json { font-size: 12px; background: #f7f7f7; padding: 6px; margin: 2px 0; }
.xacct-scroll { overflow-x: auto; max-width: 100%; }
.xacct-wizard a, .xacct-switcher-bar a { color: #1a5fb4; text-decoration: underline; }
</style>"""


def esc(value: object) -> str:
    """Text for HTML: scrubbed of key IDs and URL-borne tokens, then escaped."""
    return html.escape(scrub_text(str(value)))


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


def color_options() -> list[tuple[str, str]]:
    """Dropdown options for the console's role colours: ``(name (hex), hex)``, none first."""
    return [("(no colour)", "")] + [(f"{n} ({h})", h) for n, h in colors.CONSOLE_COLORS.items()]


def classed(widget: Any, *names: str) -> Any:
    """Add stable CSS classes (what the browser tests select on) and return the widget."""
    for name in names:
        widget.add_class(name)
    return widget


@dataclass
class Field:
    """A labelled control with help text under it and an inline error line below that."""

    control: Any
    box: Any
    error: Any

    def set_error(self, message: str | None) -> None:
        if message:
            self.error.value = f'<div class="xacct-field-error-text">⚠ {esc(message)}</div>'
            self.error.layout.display = None
        else:
            self.error.value = ""
            self.error.layout.display = "none"

    def check(self, validate: Callable[[], object], *, with_fix: bool = False) -> bool:
        """Validate the typed value with a core validator (``validate`` raises XacctError) and
        show its message under the field (with its fix too if ``with_fix``); a blank field has
        no error. True when the value passed or is blank."""
        if not str(self.control.value).strip():
            self.set_error(None)
            return True
        try:
            validate()
        except XacctError as err:
            self.set_error(f"{err.message} {err.fix or ''}".strip() if with_fix else err.message)
            return False
        self.set_error(None)
        return True

    @property
    def has_error(self) -> bool:
        return bool(self.error.value)

    @property
    def error_text(self) -> str:
        """The inline error as plain text ("" when the value is fine)."""
        return _text_of(self.error.value).lstrip("⚠ ")


def field(control: Any, label: str, help_text: str, css: str, *, width: str = "") -> Field:
    """Wrap ``control`` with a label, a help line and an (empty) inline error line.

    ``css`` (e.g. ``"xacct-role-name"``) goes on the control; its error line gets
    ``css + "-error"`` and the generic ``xacct-field-error``.
    """
    control.description = label
    control.style.description_width = LABEL_WIDTH
    if not isinstance(control, w.Checkbox):
        control.layout.width = width or FIELD_LAYOUT["width"]
    classed(control, css)
    help_line = w.HTML(f'<div class="xacct-field-help">{esc(help_text)}</div>')
    error = classed(w.HTML(""), "xacct-field-error", f"{css}-error")
    error.layout.display = "none"
    box = w.VBox([control, help_line, error])
    return Field(control, box, error)


# -- keeping several views of one RoleSwitcher in sync ------------------------------------------
# The core switcher has no callbacks (core never knows about widgets), so widgets that act on a
# switcher tell the other live widgets of the same switcher here, and each offers .refresh().
_views: weakref.WeakKeyDictionary[Any, weakref.WeakSet[Any]] = weakref.WeakKeyDictionary()


def register(switcher: Any, view: Any) -> None:
    """Remember that ``view`` (with a ``refresh()`` method) shows ``switcher``."""
    _views.setdefault(switcher, weakref.WeakSet()).add(view)


def notify(switcher: Any, source: Any = None) -> None:
    """Refresh every other live view of ``switcher`` after ``source`` changed it."""
    for view in list(_views.get(switcher, ())):
        if view is not source:
            try:
                view.refresh()
            except Exception:  # a broken sibling view must not undo this one's action
                log.error("refreshing %s failed", type(view).__name__, exc_info=True)


# -- steps and wizards ------------------------------------------------------------------------
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


class Wizard(w.VBox):  # type: ignore[misc]  # ipywidgets ships no type hints
    """A VBox showing one :class:`Step` at a time, with the shared navigation and feedback.

    Subclasses build their steps and call :meth:`_setup`. ``step`` is the 0-based index of
    the step shown; ``step_key`` its tutorial key (``"A2"``).
    """

    _css: str = "xacct-wizard"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._steps: list[Step] = []
        self.step = 0
        self._frames: dict[str, pd.DataFrame] = {}
        self.fields: dict[str, Field] = {}
        self.indicator = classed(w.HTML(), "xacct-step-indicator")
        self.help = classed(w.HTML(), "xacct-help")
        self.body = classed(w.VBox(), "xacct-step-body")
        self.error = classed(w.HTML(""), "xacct-error")
        self.error.layout.display = "none"
        self.status = classed(w.HTML(""), "xacct-status")
        self.back_button = classed(
            w.Button(description="← Back", tooltip="Go to the previous step"), "xacct-back"
        )
        self.next_button = classed(
            w.Button(description="Next →", button_style="primary", tooltip="Go to the next step"),
            "xacct-next",
        )
        self.back_button.on_click(lambda _b: self.go_back())
        self.next_button.on_click(lambda _b: self.go_next())
        self._header: list[Any] = []
        self._busy = False

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

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        # ipywidgets cuts text/plain at 110 characters; ours is short and stable, keep it whole.
        data: dict[str, Any] = super()._repr_mimebundle_(**kwargs) or {}
        data["text/plain"] = repr(self)
        return data

    # -- feedback -------------------------------------------------------------------------------
    def show_table(self, target: Any, key: str, frame: pd.DataFrame, empty: str = "") -> None:
        """Render ``frame`` into the HTML widget ``target`` and make it step ``key``'s frame."""
        self._frames[key] = frame
        target.value = html_table(frame, empty=empty or "(nothing to show)")

    def show_error(self, err: BaseException | None, *, doing: str = "") -> None:
        if err is None:
            self.error.value = ""
            self.error.layout.display = "none"
            return
        if not isinstance(err, XacctError):
            log.error("%s failed (%s)", doing or "widget action", type(err).__name__, exc_info=err)
        self.error.value = error_html(err, doing=doing)
        self.error.layout.display = None

    def field_error(self, name: str) -> str:
        """The inline error under field ``name`` (e.g. ``"account"``) as plain text, or ""."""
        return self.fields[name].error_text

    @property
    def error_text(self) -> str:
        """The error box as plain text ("" when none): handy in tests and notebooks."""
        return _text_of(self.error.value)

    def say(self, text: str, kind: str = "") -> None:
        """Put a one-line status (plain text, escaped) under the navigation."""
        self.status.value = box_html(kind, esc(text)) if kind else esc(text)

    def _buttons(self) -> list[Any]:
        found: list[Any] = []

        def walk(widget: Any) -> None:
            if isinstance(widget, w.Button):
                found.append(widget)
            for child in getattr(widget, "children", ()):
                walk(child)

        walk(self)
        for step in self._steps:
            walk(step.body)
        return found

    @contextmanager
    def busy(self, doing: str) -> Iterator[None]:
        """Disable every button while a call runs, and say what is happening."""
        buttons = self._buttons()
        before = [(b, b.disabled) for b in buttons]
        self._busy = True
        self.add_class("xacct-busy")
        previous_status = self.status.value
        self.status.value = f"⏳ {esc(doing[:1].upper() + doing[1:])}…"
        for b in buttons:
            b.disabled = True
        try:
            yield
        finally:
            for b, was in before:
                b.disabled = was
            self._busy = False
            self.remove_class("xacct-busy")
            if self.status.value.startswith("⏳"):
                self.status.value = previous_status
            self.refresh_nav()

    def act(self, doing: str, action: Callable[[], None]) -> bool:
        """Run ``action`` busy, showing any error in the step; True if it succeeded."""
        self.show_error(None)
        with self.busy(doing):
            try:
                action()
            except Exception as err:  # shown, never re-raised into the front end
                self.show_error(err, doing=doing)
                return False
        return True

    # -- navigation -----------------------------------------------------------------------------
    def sync_buttons(self) -> None:
        """Set the steps' own buttons from the wizard's state (subclasses override).

        Called after every navigation and after every busy spell: a busy spell restores the
        buttons it disabled, so any state-dependent button must be recomputed here rather than
        set once inside an action.
        """

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


def _text_of(markup: str) -> str:
    """Strip tags from our own small HTML snippets (for tests and reprs)."""
    import re

    text = re.sub(r"<li>", "\n- ", markup)
    text = re.sub(r"<br\s*/?>|</?(ul|div|p)[^>]*>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
