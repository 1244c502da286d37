"""The widget toolkit, one import for every widget module: the :class:`Panel` base, the
:class:`Wizard` built on it, form fields from a table, the HTML helpers, and the registry that
keeps several views of one switcher in sync.

Where things live: :mod:`.panel` (busy/error/status, repr, background work), :mod:`.wizard`
(steps and navigation), :mod:`.fields` (the field table), :mod:`.html` (stylesheet, escaping,
tables, boxes). Widget modules import from here, so those can move without touching them.
"""

from __future__ import annotations

import functools
import logging
import weakref
from typing import Any

from .. import lab_status
from .fields import (
    FIELD_LAYOUT,
    LABEL_WIDTH,
    Field,
    FieldSpec,
    build_fields,
    button,
    classed,
    color_options,
    field,
)
from .html import STYLE, box_html, error_html, esc, html_table, plural, text_of
from .panel import Panel
from .wizard import Step, Wizard

__all__ = [
    "FIELD_LAYOUT",
    "LABEL_WIDTH",
    "STYLE",
    "Field",
    "FieldSpec",
    "Panel",
    "Step",
    "Wizard",
    "box_html",
    "build_fields",
    "button",
    "classed",
    "color_options",
    "error_html",
    "esc",
    "field",
    "html_table",
    "notify",
    "plural",
    "register",
    "text_of",
]

log = logging.getLogger("xacct_widgets.widgets")

#: The old private name of :func:`text_of`.
_text_of = text_of


# -- keeping several views of one RoleSwitcher in sync ------------------------------------------
# The core switcher announces every change of its current session (RoleSwitcher.observe), made
# from a widget or a notebook cell; each live view of it then follows (session_changed, else
# refresh). Other changes (bookmarks) are told by the widget that made them (notify).
_views: weakref.WeakKeyDictionary[Any, weakref.WeakSet[Any]] = weakref.WeakKeyDictionary()


def register(switcher: Any, view: Any) -> None:
    """Remember that ``view`` (with a ``refresh()`` method) shows ``switcher``; the first view
    of a switcher subscribes to its session changes (held weakly: views may go away)."""
    views = _views.get(switcher)
    if views is None:
        views = _views[switcher] = weakref.WeakSet()
        if callable(getattr(switcher, "observe", None)):
            switcher.observe(functools.partial(_follow, weakref.ref(switcher)))
            lab_status.follow(switcher)  # JupyterLab's status bar too, in a kernel
    views.add(view)


def _follow(switcher_ref: weakref.ref[Any], change: Any) -> None:
    """Every live view of the switcher follows a change of its current session."""
    for view in list(_views.get(switcher_ref(), ())):
        follow = getattr(view, "session_changed", None)
        try:
            if callable(follow):
                follow(change)
            else:
                view.refresh()
        except Exception:  # a broken view must not undo the switch, nor stop the others
            log.error("refreshing %s failed", type(view).__name__, exc_info=True)


def notify(switcher: Any, source: Any = None) -> None:
    """Refresh every other live view of ``switcher`` after ``source`` changed it."""
    for view in list(_views.get(switcher, ())):
        if view is not source:
            try:
                view.refresh()
            except Exception:  # a broken sibling view must not undo this one's action
                log.error("refreshing %s failed", type(view).__name__, exc_info=True)
