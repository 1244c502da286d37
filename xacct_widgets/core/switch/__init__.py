"""Part B, the switching side: the console's "Switch role" / "Back to <user>" and its memory.

Kept apart from ``core.source`` (who may switch, and why not) because switching holds state -
a stack of live role sessions and a persistent history shared across kernels - while the source
side only reads. Widgets and the query fan-out import from here, never from the modules below.
"""

from .console import ConsolePage
from .history import HISTORY_COLUMNS, HistoryEntry, RoleHistory
from .observe import SessionChange
from .switcher import ACTIVE_COLUMNS, ActiveRole, RoleSwitcher

__all__ = [
    "ACTIVE_COLUMNS",
    "HISTORY_COLUMNS",
    "ActiveRole",
    "ConsolePage",
    "HistoryEntry",
    "RoleHistory",
    "RoleSwitcher",
    "SessionChange",
]
