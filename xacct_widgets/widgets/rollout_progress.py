"""Our progress bar for a rollout in a notebook: an ``IntProgress`` and a line of counts.

``rollout.apply(progress=True)`` asks the factories registered with the core
(:func:`xacct_widgets.core.progress.register_progress`); ``import xacct_widgets`` registers
:func:`notebook_bar` here, which accepts only inside a Jupyter kernel with ipywidgets, so the
same call shows this bar in a notebook and tqdm in a terminal. The wizard embeds the same bar.

This module is imported by ``import xacct_widgets`` (to register), which must stay cheap: it
loads ipywidgets and IPython only when a bar is made.
"""

from __future__ import annotations

import importlib.util
import sys
from html import escape
from typing import TYPE_CHECKING, Any

from ..core.progress import RolloutProgress, register_progress

if TYPE_CHECKING:
    import ipywidgets as w

__all__ = ["RolloutProgressBar", "in_kernel", "install", "notebook_bar"]

#: What the bar says before the first account has finished.
WAITING = "waiting for the first account…"


class RolloutProgressBar:
    """``widget``: the bar (``progress``, an IntProgress) and its ``label`` of counts, e.g.
    ``apply: 3 applied · 1 failed · 0 skipped of 8``; failures turn the bar red."""

    def __init__(self, total: int = 0, label: str = "apply") -> None:
        import ipywidgets as w

        self.label_text = label
        self.progress: w.IntProgress = w.IntProgress(
            value=0,
            min=0,
            max=max(total, 1),
            description=label,
            bar_style="info",
            layout={"width": "30em"},
        )
        self.progress.add_class("xacct-rollout-progress")
        self.label: w.HTML = w.HTML(f"<span>{escape(WAITING)}</span>")
        self.label.add_class("xacct-rollout-progress-label")
        self.widget: w.HBox = w.HBox([self.progress, self.label])
        self.widget.add_class("xacct-rollout-progress-bar")
        self.last: RolloutProgress | None = None

    def start(self, total: int, label: str) -> None:
        """Empty again, for ``total`` accounts of ``label`` (a bar reused by the wizard)."""
        self.label_text = label
        self.last = None
        self.progress.description = label
        self.progress.max = max(total, 1)
        self.progress.value = 0
        self.progress.bar_style = "info"
        self.label.value = f"<span>{escape(WAITING)}</span>"

    def update(self, event: RolloutProgress) -> None:
        self.last = event
        self.progress.max = max(event.total, 1)
        self.progress.value = event.done
        if event.errors:
            self.progress.bar_style = "danger"
        elif event.done >= event.total:
            self.progress.bar_style = "success"
        self.label.value = f"<span>{escape(event.summary())}</span>"

    def close(self) -> None:
        """Leave the final counts shown (the bar stays in the output, as tqdm's does)."""
        if self.last is not None and not self.last.errors:
            self.progress.bar_style = "success"

    @property
    def text(self) -> str:
        """The label as plain text (what the operator reads next to the bar)."""
        return self.last.summary() if self.last is not None else WAITING

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def in_kernel() -> bool:
    """True inside a Jupyter kernel (not a terminal IPython, not plain Python)."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ipython = shell.get_ipython()
    return ipython is not None and getattr(ipython, "kernel", None) is not None


def _display(widget: Any) -> None:
    from IPython.display import display

    display(widget)  # type: ignore[no-untyped-call]


def notebook_bar(total: int, label: str) -> RolloutProgressBar | None:
    """The factory registered with the core: a bar shown in the cell's output, or None (not a
    kernel, or no ipywidgets) so the core falls back to tqdm."""
    if not in_kernel() or importlib.util.find_spec("ipywidgets") is None:
        return None
    bar = RolloutProgressBar(total, label)
    _display(bar.widget)
    return bar


def install() -> None:
    """Register :func:`notebook_bar` (idempotent)."""
    register_progress(notebook_bar)
