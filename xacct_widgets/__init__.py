"""xacct_widgets: the AWS switch-role-across-accounts procedure as live Jupyter notebooks.

The public API is imported lazily so ``import xacct_widgets`` stays cheap in a kernel: boto3,
pandas, moto and ipywidgets load only when a name that needs them is first used. The table
below is the one place that says where each public name lives; ``__all__`` and the
type-checking imports repeat it for static tools, and a test keeps the three in agreement.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Sandbox": "xacct_widgets.sandbox",
    "connect": "xacct_widgets.connection",
    "account_id": "xacct_widgets.core.ids",
    "switch_role_url": "xacct_widgets.core.urls",
    "parse_switch_role_url": "xacct_widgets.core.urls",
    "CONSOLE_COLORS": "xacct_widgets.core.colors",
    "Identity": "xacct_widgets.core.identity",
    "RoleSpec": "xacct_widgets.core.target",
    "Plan": "xacct_widgets.core.target",
    "RoleRecord": "xacct_widgets.core.target",
    "TargetAccount": "xacct_widgets.core.target",
    "Preflight": "xacct_widgets.core.source",
    "SourceAccount": "xacct_widgets.core.source",
    "ActiveRole": "xacct_widgets.core.switch",
    "RoleSwitcher": "xacct_widgets.core.switch",
    "RoleHistory": "xacct_widgets.core.switch",
    "HistoryEntry": "xacct_widgets.core.switch",
    "Organization": "xacct_widgets.core.query",
    "TrustMap": "xacct_widgets.core.trustmap",
    "QueryResult": "xacct_widgets.core.query",
    "QueryTarget": "xacct_widgets.core.query",
    "CallerSpec": "xacct_widgets.core.query",
    "query": "xacct_widgets.core.query",
    "CreateRoleWizard": "xacct_widgets.widgets.create_role",
    "SwitchRoleWizard": "xacct_widgets.widgets.switch_role",
    "RoleSwitcherBar": "xacct_widgets.widgets.active_role_bar",
    "QueryPanel": "xacct_widgets.widgets.query_panel",
    "WhoMaySwitchWizard": "xacct_widgets.widgets.who_may_switch",
    "TrustMapView": "xacct_widgets.widgets.trustmap_view",
    "RolloutWizard": "xacct_widgets.widgets.rollout_wizard",
    "RoleExportPanel": "xacct_widgets.widgets.role_exports",
    "RestrictPlan": "xacct_widgets.core.source",
    "Rollout": "xacct_widgets.core.rollout",
    "RolloutPlan": "xacct_widgets.core.rollout",
    "RolloutResult": "xacct_widgets.core.rollout",
    "XacctError": "xacct_widgets.errors",
    "InvalidInput": "xacct_widgets.errors",
    "InvalidAccountId": "xacct_widgets.errors",
    "InvalidRoleName": "xacct_widgets.errors",
    "InvalidArn": "xacct_widgets.errors",
    "InvalidRoleSpec": "xacct_widgets.errors",
    "InvalidPolicy": "xacct_widgets.errors",
    "InvalidColor": "xacct_widgets.errors",
    "InvalidSwitchRoleUrl": "xacct_widgets.errors",
    "SandboxError": "xacct_widgets.errors",
    "AwsError": "xacct_widgets.errors",
    "AccessDenied": "xacct_widgets.errors",
    "SwitchDenied": "xacct_widgets.errors",
    "RootUserError": "xacct_widgets.errors",
    "PolicyNotFound": "xacct_widgets.errors",
    "RoleNotFound": "xacct_widgets.errors",
    "ExpiredSession": "xacct_widgets.errors",
    "Throttled": "xacct_widgets.errors",
    "ApplyFailed": "xacct_widgets.errors",
    "ApplyDenied": "xacct_widgets.errors",
    "DestructiveChange": "xacct_widgets.errors",
    "RoleRef": "xacct_widgets.core.profiles",
    "aws_config_profiles": "xacct_widgets.core.profiles",
    "aws_base_profiles": "xacct_widgets.core.profiles",
    "profile_session": "xacct_widgets.core.profiles",
    "export_profiles": "xacct_widgets.core.profiles",
    "esr_config": "xacct_widgets.core.profiles",
    "parse_esr_config": "xacct_widgets.core.profiles",
    "bookmarks_html": "xacct_widgets.core.profiles",
    "parse_bookmarks_html": "xacct_widgets.core.profiles",
    "SignInUrl": "xacct_widgets.core.switch.console",
    "ProfileConflict": "xacct_widgets.errors",
    "RunbookFailed": "xacct_widgets.errors",
    "GraphUnavailable": "xacct_widgets.errors",
}

__all__ = [
    "CONSOLE_COLORS",
    "AccessDenied",
    "ActiveRole",
    "ApplyDenied",
    "ApplyFailed",
    "AwsError",
    "CallerSpec",
    "CreateRoleWizard",
    "DestructiveChange",
    "ExpiredSession",
    "GraphUnavailable",
    "HistoryEntry",
    "Identity",
    "InvalidAccountId",
    "InvalidArn",
    "InvalidColor",
    "InvalidInput",
    "InvalidPolicy",
    "InvalidRoleName",
    "InvalidRoleSpec",
    "InvalidSwitchRoleUrl",
    "Organization",
    "Plan",
    "PolicyNotFound",
    "Preflight",
    "ProfileConflict",
    "QueryPanel",
    "QueryResult",
    "QueryTarget",
    "RestrictPlan",
    "RoleExportPanel",
    "RoleHistory",
    "RoleNotFound",
    "RoleRecord",
    "RoleRef",
    "RoleSpec",
    "RoleSwitcher",
    "RoleSwitcherBar",
    "Rollout",
    "RolloutPlan",
    "RolloutResult",
    "RolloutWizard",
    "RootUserError",
    "RunbookFailed",
    "Sandbox",
    "SandboxError",
    "SignInUrl",
    "SourceAccount",
    "SwitchDenied",
    "SwitchRoleWizard",
    "TargetAccount",
    "Throttled",
    "TrustMap",
    "TrustMapView",
    "WhoMaySwitchWizard",
    "XacctError",
    "account_id",
    "aws_base_profiles",
    "aws_config_profiles",
    "bookmarks_html",
    "connect",
    "esr_config",
    "export_profiles",
    "parse_bookmarks_html",
    "parse_esr_config",
    "parse_switch_role_url",
    "profile_session",
    "query",
    "switch_role_url",
]

if TYPE_CHECKING:
    from .connection import connect as connect
    from .core.colors import CONSOLE_COLORS as CONSOLE_COLORS
    from .core.identity import Identity as Identity
    from .core.ids import account_id as account_id
    from .core.profiles import RoleRef as RoleRef
    from .core.profiles import aws_base_profiles as aws_base_profiles
    from .core.profiles import aws_config_profiles as aws_config_profiles
    from .core.profiles import bookmarks_html as bookmarks_html
    from .core.profiles import esr_config as esr_config
    from .core.profiles import export_profiles as export_profiles
    from .core.profiles import parse_bookmarks_html as parse_bookmarks_html
    from .core.profiles import parse_esr_config as parse_esr_config
    from .core.profiles import profile_session as profile_session
    from .core.query import CallerSpec as CallerSpec
    from .core.query import Organization as Organization
    from .core.query import QueryResult as QueryResult
    from .core.query import QueryTarget as QueryTarget
    from .core.query import query as query
    from .core.rollout import Rollout as Rollout
    from .core.rollout import RolloutPlan as RolloutPlan
    from .core.rollout import RolloutResult as RolloutResult
    from .core.source import Preflight as Preflight
    from .core.source import RestrictPlan as RestrictPlan
    from .core.source import SourceAccount as SourceAccount
    from .core.switch import ActiveRole as ActiveRole
    from .core.switch import HistoryEntry as HistoryEntry
    from .core.switch import RoleHistory as RoleHistory
    from .core.switch import RoleSwitcher as RoleSwitcher
    from .core.switch.console import SignInUrl as SignInUrl
    from .core.target import Plan as Plan
    from .core.target import RoleRecord as RoleRecord
    from .core.target import RoleSpec as RoleSpec
    from .core.target import TargetAccount as TargetAccount
    from .core.trustmap import TrustMap as TrustMap
    from .core.urls import parse_switch_role_url as parse_switch_role_url
    from .core.urls import switch_role_url as switch_role_url
    from .errors import AccessDenied as AccessDenied
    from .errors import ApplyDenied as ApplyDenied
    from .errors import ApplyFailed as ApplyFailed
    from .errors import AwsError as AwsError
    from .errors import DestructiveChange as DestructiveChange
    from .errors import ExpiredSession as ExpiredSession
    from .errors import GraphUnavailable as GraphUnavailable
    from .errors import InvalidAccountId as InvalidAccountId
    from .errors import InvalidArn as InvalidArn
    from .errors import InvalidColor as InvalidColor
    from .errors import InvalidInput as InvalidInput
    from .errors import InvalidPolicy as InvalidPolicy
    from .errors import InvalidRoleName as InvalidRoleName
    from .errors import InvalidRoleSpec as InvalidRoleSpec
    from .errors import InvalidSwitchRoleUrl as InvalidSwitchRoleUrl
    from .errors import PolicyNotFound as PolicyNotFound
    from .errors import ProfileConflict as ProfileConflict
    from .errors import RoleNotFound as RoleNotFound
    from .errors import RootUserError as RootUserError
    from .errors import RunbookFailed as RunbookFailed
    from .errors import SandboxError as SandboxError
    from .errors import SwitchDenied as SwitchDenied
    from .errors import Throttled as Throttled
    from .errors import XacctError as XacctError
    from .sandbox import Sandbox as Sandbox
    from .widgets.active_role_bar import RoleSwitcherBar as RoleSwitcherBar
    from .widgets.create_role import CreateRoleWizard as CreateRoleWizard
    from .widgets.query_panel import QueryPanel as QueryPanel
    from .widgets.role_exports import RoleExportPanel as RoleExportPanel
    from .widgets.rollout_wizard import RolloutWizard as RolloutWizard
    from .widgets.switch_role import SwitchRoleWizard as SwitchRoleWizard
    from .widgets.trustmap_view import TrustMapView as TrustMapView
    from .widgets.who_may_switch import WhoMaySwitchWizard as WhoMaySwitchWizard


#: Old public names -> the name that replaced them; reading one warns (DeprecationWarning).
_DEPRECATED: dict[str, str] = {
    # A fan-out target read like part A's TargetAccount; it is a query's target.
    "Target": "QueryTarget",
}


def __getattr__(name: str) -> Any:
    if name in _DEPRECATED:
        new = _DEPRECATED[name]
        warnings.warn(
            f"xacct_widgets.{name} is deprecated; use xacct_widgets.{new} (the same class).",
            DeprecationWarning,
            stacklevel=2,
        )
        return __getattr__(new)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'xacct_widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _register_notebook_progress() -> None:
    """``progress=True`` in a Jupyter kernel shows our ipywidgets bar (loaded only then)."""
    from .widgets.rollout_progress import install

    install()


_register_notebook_progress()
