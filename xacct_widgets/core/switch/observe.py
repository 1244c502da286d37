"""One observable "current session" per switcher: who acts now, announced after each change.

Why in the core: a switch may come from any widget or from a notebook cell
(``switcher.switch(...)``), and every view of that switcher - the bar, the wizard, the history -
must then show the same thing, with no stale badge or error. Widgets cannot see a cell's call;
the switcher can. Callbacks are plain Python (no ipywidgets here): each is called once per
change, after the change is complete; one that fails is logged and never undoes the change or
stops the others.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .active import ActiveRole

__all__ = ["Observers", "SessionChange", "SessionObserver"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionChange:
    """A change of a switcher's current session: ``kind`` is what happened, ``active`` the role
    now active (None: the base user acts), ``version`` counts the switcher's changes."""

    kind: Literal["switch", "back"]
    active: ActiveRole | None
    version: int


SessionObserver = Callable[[SessionChange], object]


class Observers:
    """The callbacks of one switcher, and its change counter."""

    def __init__(self) -> None:
        self._callbacks: list[SessionObserver] = []
        self._lock = threading.Lock()
        self.version = 0

    def add(self, callback: SessionObserver) -> Callable[[], None]:
        """Call ``callback`` after every change; returns the function that stops it."""
        with self._lock:
            self._callbacks.append(callback)

        def stop() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return stop

    def emit(self, kind: Literal["switch", "back"], active: ActiveRole | None) -> SessionChange:
        """Count the change and tell every callback (outside the lock: they may read back)."""
        with self._lock:
            self.version += 1
            change = SessionChange(kind, active, self.version)
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback(change)
            except Exception:  # a broken view must not undo a switch that worked
                log.error("a session observer failed after %s", kind, exc_info=True)
        return change
