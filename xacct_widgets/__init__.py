"""xacct_widgets: the AWS switch-role-across-accounts procedure as live Jupyter notebooks.

The public API is imported lazily so that ``import xacct_widgets`` stays cheap in a kernel.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Sandbox": "xacct_widgets.sandbox",
    "connect": "xacct_widgets.connect",
    "account_id": "xacct_widgets.core.ids",
    "switch_role_url": "xacct_widgets.core.urls",
    "parse_switch_role_url": "xacct_widgets.core.urls",
    "CONSOLE_COLORS": "xacct_widgets.core.colors",
    "RoleSpec": "xacct_widgets.core.target",
    "Plan": "xacct_widgets.core.target",
    "RoleRecord": "xacct_widgets.core.target",
    "TargetAccount": "xacct_widgets.core.target",
    "Identity": "xacct_widgets.core.source",
    "Preflight": "xacct_widgets.core.source",
    "SourceAccount": "xacct_widgets.core.source",
    "ActiveRole": "xacct_widgets.core.switcher",
    "RoleSwitcher": "xacct_widgets.core.switcher",
    "RoleHistory": "xacct_widgets.core.history",
    "Organization": "xacct_widgets.core.query",
    "QueryResult": "xacct_widgets.core.query",
    "query": "xacct_widgets.core.query",
    "XacctError": "xacct_widgets.core.errors",
    "InvalidAccountId": "xacct_widgets.core.errors",
    "InvalidRoleSpec": "xacct_widgets.core.errors",
    "RootUserError": "xacct_widgets.core.errors",
    "AccessDenied": "xacct_widgets.core.errors",
    "SwitchDenied": "xacct_widgets.core.errors",
    "PolicyNotFound": "xacct_widgets.core.errors",
    "ExpiredSession": "xacct_widgets.core.errors",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .core.errors import AccessDenied as AccessDenied
    from .core.errors import ExpiredSession as ExpiredSession
    from .core.errors import InvalidAccountId as InvalidAccountId
    from .core.errors import InvalidRoleSpec as InvalidRoleSpec
    from .core.errors import PolicyNotFound as PolicyNotFound
    from .core.errors import RootUserError as RootUserError
    from .core.errors import SwitchDenied as SwitchDenied
    from .core.errors import XacctError as XacctError
    from .sandbox import Sandbox as Sandbox


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'xacct_widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
