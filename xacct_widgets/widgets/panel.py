"""``Panel``: the one widget base - fields, busy/error/status, repr and background work.

Rules kept here so no widget can forget them:

* Calls run inside :meth:`Panel.act` (or :meth:`Panel.in_background`): every button is disabled
  before the call and restored in ``finally`` (no double-submits while AWS answers).
* An :class:`~xacct_widgets.errors.XacctError` is shown as its message and its fix, HTML escaped
  and scrubbed of key IDs/tokens; never as a traceback. Anything else shows a short message and
  goes to the log with its traceback (for whoever debugs, not the operator).
* ``text/plain`` is the widget's own short, stable ``repr`` (notebooks compare it), never cut
  at 110 characters as ipywidgets would.
* Long work runs in a thread so the kernel stays free to receive a Stop click: a click handler
  that blocked until the work ended could never see it. ipywidgets sends trait changes from any
  thread, so the work may update the widget as it goes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import ipywidgets as w

from ..errors import XacctError
from .fields import Field, FieldSpec, build_fields, classed
from .html import box_html, error_html, esc, text_of

__all__ = ["Panel"]

log = logging.getLogger("xacct_widgets.widgets")


class Panel(w.VBox):  # type: ignore[misc]  # ipywidgets ships no type hints
    """A VBox with a status line, an error box, form fields and guarded actions.

    Subclasses lay out ``self.error`` and ``self.status`` among their children, declare their
    fields with :meth:`add_fields`, run calls through :meth:`act` / :meth:`in_background`, and
    recompute state-dependent buttons in :meth:`sync_buttons`.
    """

    #: CSS classes of the error box and the status line (the browser tests select on them).
    error_css: ClassVar[tuple[str, ...]] = ("xacct-error",)
    status_css: ClassVar[tuple[str, ...]] = ("xacct-status",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fields: dict[str, Field] = {}
        self.error = classed(w.HTML(""), *self.error_css)
        self.error.layout.display = "none"
        self.status = classed(w.HTML(""), *self.status_css)
        #: The last error an action raised (None after a success).
        self.last_error: BaseException | None = None
        #: Set by :meth:`request_stop`; a fresh event for every busy spell.
        self.stop_event = threading.Event()
        #: Controls other than buttons that are disabled while a call runs.
        self.lock_while_busy: list[Any] = []
        self._busy = 0
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def add_fields(
        self, specs: Iterable[FieldSpec], changed: Callable[[str], None] | None = None
    ) -> dict[str, Field]:
        """Build fields from a table (see :func:`.fields.build_fields`); each control also
        becomes ``self.<name>``."""
        made = build_fields(specs, changed)
        self.fields.update(made)
        for name, made_field in made.items():
            setattr(self, name, made_field.control)
        return made

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        # ipywidgets cuts text/plain at 110 characters; ours is short and stable, keep it whole.
        data: dict[str, Any] = super()._repr_mimebundle_(**kwargs) or {}
        data["text/plain"] = repr(self)
        return data

    # -- feedback -------------------------------------------------------------------------------
    def show_error(self, err: BaseException | None, *, doing: str = "") -> None:
        """Show ``err`` in the error box (None hides it); unexpected errors also go to the log."""
        if err is None:
            self.error.value = ""
            self.error.layout.display = "none"
            return
        if not isinstance(err, XacctError):
            log.error("%s failed (%s)", doing or "widget action", type(err).__name__, exc_info=err)
        self.error.value = error_html(err, doing=doing)
        self.error.layout.display = None

    @property
    def error_text(self) -> str:
        """The error box as plain text ("" when none): handy in tests and notebooks."""
        return text_of(self.error.value)

    def field_error(self, name: str) -> str:
        """The inline error under field ``name`` (e.g. ``"account"``) as plain text, or ""."""
        return self.fields[name].error_text

    def say(self, text: str, kind: str = "") -> None:
        """Put a one-line status (plain text, escaped); ``kind`` boxes it (ok/warning/error)."""
        self.status.value = box_html(kind, esc(text)) if kind and text else esc(text)

    # -- guarded work ---------------------------------------------------------------------------
    def sync_buttons(self) -> None:
        """Set state-dependent buttons from the widget's state (subclasses override).

        A busy spell restores the buttons it disabled, so any state-dependent button must be
        recomputed here rather than set once inside an action.
        """

    def refresh_controls(self) -> None:
        """What runs after every busy spell: :meth:`sync_buttons` unless still busy."""
        if not self._busy:
            self.sync_buttons()

    def _offstage(self) -> Sequence[Any]:
        """Widgets not among the children now whose buttons a busy spell also locks."""
        return ()

    def _buttons(self) -> list[Any]:
        found: list[Any] = []

        def walk(widget: Any) -> None:
            if isinstance(widget, w.Button):
                found.append(widget)
            for child in getattr(widget, "children", ()):
                walk(child)

        walk(self)
        for widget in self._offstage():
            walk(widget)
        return found

    def _enter_busy(self, doing: str, enable: Sequence[Any] = ()) -> Callable[[], None]:
        """Lock the controls and say what is happening; returns the function that undoes it."""
        locked = [c for c in [*self._buttons(), *self.lock_while_busy] if c not in enable]
        before = [(c, c.disabled) for c in [*locked, *enable]]
        if not self._busy:
            self.stop_event = threading.Event()
        self._busy += 1
        self.add_class("xacct-busy")
        previous_status = self.status.value
        self.status.value = f"⏳ {esc(doing[:1].upper() + doing[1:])}…"
        for control in locked:
            control.disabled = True
        for control in enable:
            control.disabled = False

        def release() -> None:
            for control, was in before:
                control.disabled = was
            self._busy -= 1
            if not self._busy:
                self.remove_class("xacct-busy")
            if self.status.value.startswith("⏳"):
                self.status.value = previous_status
            self.refresh_controls()

        return release

    @contextmanager
    def busy(self, doing: str, *, enable: Sequence[Any] = ()) -> Iterator[None]:
        """Disable every button (but ``enable``: e.g. Stop) while a call runs, and say so."""
        release = self._enter_busy(doing, enable)
        try:
            yield
        finally:
            release()

    def _attempt(self, doing: str, action: Callable[[], None]) -> bool:
        try:
            action()
        except Exception as err:  # shown, never re-raised into the front end
            self.last_error = err
            self.show_error(err, doing=doing)
            return False
        self.last_error = None
        return True

    def act(self, doing: str, action: Callable[[], None], *, enable: Sequence[Any] = ()) -> bool:
        """Run ``action`` busy, showing any error in the error box; True if it succeeded."""
        self.show_error(None)
        with self.busy(doing, enable=enable):
            ok = self._attempt(doing, action)
        return ok

    def in_background(
        self, doing: str, action: Callable[[], None], *, enable: Sequence[Any] = ()
    ) -> bool:
        """:meth:`act` in a thread: busy from now until ``action`` ends. False if one runs."""
        with self._lock:
            if self.running:
                return False
            self.show_error(None)
            release = self._enter_busy(doing, enable)

            def work() -> None:
                try:
                    self._attempt(doing, action)
                finally:
                    release()

            try:
                self._thread = threading.Thread(
                    target=work, name=f"xacct-{type(self).__name__}", daemon=True
                )
                self._thread.start()
            except BaseException:
                release()
                raise
        return True

    def session_changed(self, change: object) -> None:
        """The switcher this panel shows changed its current session (here or in a notebook
        cell): the last error and status are stale, so they go, and the panel redraws. A panel
        busy with its own action redraws itself when that ends."""
        if self._busy:
            return
        self.show_error(None)
        self.status.value = ""
        refresh = getattr(self, "refresh", None)
        if callable(refresh):
            refresh()

    @property
    def running(self) -> bool:
        """True while work started by :meth:`in_background` is in progress."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        """Wait for work started by :meth:`in_background`."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def request_stop(self) -> None:
        """Ask the running work to stop (it reads :attr:`stop_event`)."""
        self.stop_event.set()
