"""Progress of a long fan-out (a rollout's apply or rollback), shown where the operator is.

The core knows nothing of widgets: it reports a :class:`RolloutProgress` after each account
to a :class:`ProgressBar` (``update``, ``close``) or a plain callable. ``progress=True`` picks
the bar by environment: each factory registered with :func:`register_progress` is asked,
newest first, and may decline (return None); when all decline, a tqdm bar on stderr is used.
``import xacct_widgets`` registers the ipywidgets bar (:mod:`..widgets.rollout_progress`), which
only accepts inside a Jupyter kernel, so a notebook shows our bar and a terminal shows tqdm.

Standard library only at import: the package imports this module while staying cheap.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias, runtime_checkable

from ..errors import InvalidInput

__all__ = [
    "Progress",
    "ProgressBar",
    "ProgressFactory",
    "RolloutProgress",
    "TerminalBar",
    "default_bar",
    "progress_sink",
    "register_progress",
]


@dataclass(frozen=True)
class RolloutProgress:
    """Handed on after each account finishes, in the thread that called (never a worker).

    ``status`` is this account's (e.g. ``applied``, ``failed``, ``skipped``); ``counts`` holds
    every status so far, the accounts not finished yet excluded.
    """

    label: str
    done: int
    total: int
    account_id: str
    status: str
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status not in ("failed", "skipped")

    @property
    def errors(self) -> int:
        """Accounts failed so far."""
        return self.counts.get("failed", 0)

    def summary(self) -> str:
        """``3 applied · 1 failed · 0 skipped of 8``: what a bar's label says."""
        counts = " · ".join(f"{n} {status}" for status, n in self.counts.items())
        return f"{counts} of {self.total}"


@runtime_checkable
class ProgressBar(Protocol):
    """What shows progress: told after each account, closed once at the end (even on error)."""

    def update(self, event: RolloutProgress) -> None: ...

    def close(self) -> None: ...


#: Makes a bar for ``total`` accounts of ``label`` (``apply``...), or None to decline.
ProgressFactory: TypeAlias = Callable[[int, str], ProgressBar | None]
#: What ``progress=`` accepts: True (a bar chosen by environment), None/False, a bar, a callable.
Progress: TypeAlias = bool | ProgressBar | Callable[[RolloutProgress], Any] | None

_FACTORIES: list[ProgressFactory] = []
_LOCK = threading.Lock()


def register_progress(factory: ProgressFactory) -> Callable[[], None]:
    """Ask ``factory`` first for every ``progress=True`` bar from now on (once, even if
    registered again); returns the function that unregisters it."""
    with _LOCK:
        if factory not in _FACTORIES:
            _FACTORIES.append(factory)

    def unregister() -> None:
        with _LOCK:
            if factory in _FACTORIES:
                _FACTORIES.remove(factory)

    return unregister


class TerminalBar:
    """A tqdm bar on stderr, the counts of each status as its postfix."""

    def __init__(self, total: int, label: str) -> None:
        from tqdm.std import tqdm

        self._bar = tqdm(total=total, desc=label, unit="account", file=sys.stderr)

    def update(self, event: RolloutProgress) -> None:
        self._bar.set_postfix(dict(event.counts), refresh=False)
        self._bar.update(1)

    def close(self) -> None:
        self._bar.close()


def default_bar(total: int, label: str) -> ProgressBar:
    """The bar ``progress=True`` means here: the newest registered factory that accepts, else
    a :class:`TerminalBar`."""
    with _LOCK:
        factories = list(reversed(_FACTORIES))
    for factory in factories:
        bar = factory(total, label)
        if bar is not None:
            return bar
    return TerminalBar(total, label)


def progress_sink(
    progress: Progress, total: int, label: str
) -> tuple[Callable[[RolloutProgress], Any] | None, Callable[[], None]]:
    """A callable to report to and its closer, from what ``progress=`` was given."""
    if progress is None or progress is False:
        return None, lambda: None
    if progress is True:
        bar = default_bar(total, label)
        return bar.update, bar.close
    if isinstance(progress, ProgressBar):
        return progress.update, progress.close
    if callable(progress):
        return progress, lambda: None
    raise InvalidInput(
        f"progress {progress!r} is invalid.",
        fix="Use True (a progress bar), None, a callable taking a RolloutProgress, or an "
        "object with update(event) and close().",
    )
