"""ipywidgets views over the core: the tutorial's two parts as guided wizards, plus a bar.

* :class:`CreateRoleWizard` - part A (A1-A7), in the target account.
* :class:`SwitchRoleWizard` - part B (B1-B7), in the source account.
* :class:`WhoMaySwitchWizard` - the tutorial's last step: exactly these users may switch.
* :class:`RoleSwitcherBar` - the console's account menu on one line.
* :class:`QueryPanel` - one question asked of many accounts (cross-account fan-out).
* :class:`RoleExportPanel` - roles out to AWS CLI profiles, the extension, bookmarks, the console.

Built on one base (:mod:`.base`: the ``Panel`` with fields from a table, busy/error/status,
the stable repr and background work; ``Wizard`` on top of it) and shared pickers
(:mod:`.pickers`: the active-role badge and the role-history picker). Every rule a field applies
is a core function: widgets collect input, call the core and render what comes back.

Imported lazily: ``import xacct_widgets.widgets`` loads no ipywidgets until a widget is used.
The names resolve through the package's one lazy-export table (``xacct_widgets._EXPORTS``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "CreateRoleWizard",
    "QueryPanel",
    "RoleExportPanel",
    "RoleSwitcherBar",
    "SwitchRoleWizard",
    "WhoMaySwitchWizard",
]

if TYPE_CHECKING:
    from .active_role_bar import RoleSwitcherBar as RoleSwitcherBar
    from .create_role import CreateRoleWizard as CreateRoleWizard
    from .query_panel import QueryPanel as QueryPanel
    from .role_exports import RoleExportPanel as RoleExportPanel
    from .switch_role import SwitchRoleWizard as SwitchRoleWizard
    from .who_may_switch import WhoMaySwitchWizard as WhoMaySwitchWizard


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'xacct_widgets.widgets' has no attribute {name!r}")
    import xacct_widgets

    value = getattr(xacct_widgets, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
