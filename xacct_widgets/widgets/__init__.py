"""ipywidgets views over the core: the tutorial's two parts as guided wizards, plus a bar.

* :class:`CreateRoleWizard` - part A (A1-A7), in the target account.
* :class:`SwitchRoleWizard` - part B (B1-B7), in the source account.
* :class:`RoleSwitcherBar` - the console's account menu on one line.
* :class:`QueryPanel` - one question asked of many accounts (cross-account fan-out).

Built on one base (:mod:`.base`: the ``Panel`` with fields from a table, busy/error/status,
the stable repr and background work; ``Wizard`` on top of it) and shared pickers
(:mod:`.pickers`: the active-role badge and the role-history picker). Every rule a field applies
is a core function: widgets collect input, call the core and render what comes back.

Imported lazily: ``import xacct_widgets.widgets`` does not load ipywidgets or boto3 until a
widget is used. Widgets make no AWS call of their own, only core calls.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["CreateRoleWizard", "QueryPanel", "RoleSwitcherBar", "SwitchRoleWizard"]

_EXPORTS = {
    "CreateRoleWizard": "xacct_widgets.widgets.create_role",
    "SwitchRoleWizard": "xacct_widgets.widgets.switch_role",
    "RoleSwitcherBar": "xacct_widgets.widgets.active_role_bar",
    "QueryPanel": "xacct_widgets.widgets.query_panel",
}

if TYPE_CHECKING:
    from .active_role_bar import RoleSwitcherBar as RoleSwitcherBar
    from .create_role import CreateRoleWizard as CreateRoleWizard
    from .query_panel import QueryPanel as QueryPanel
    from .switch_role import SwitchRoleWizard as SwitchRoleWizard


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'xacct_widgets.widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
