"""Roles in and out of the operator's other tools: AWS config profiles, the aws-extend-switch-roles
extension's config, browser bookmarks and the console's sign-in.

Every format reads into and writes from :class:`RoleRef` (``refs``), so what a row may carry is
decided once; widgets and the CLI import from here, never from the modules below.
"""

from .aws_config import (
    BASE_COLUMNS,
    CONFIG_COLUMNS,
    aws_base_profiles,
    aws_config_profiles,
    profile_session,
)
from .bookmarks import BOOKMARK_COLUMNS, bookmarks_html, parse_bookmarks_html
from .config_file import config_path
from .console import open_profile_console, profile_console_url
from .esr import ESR_COLUMNS, esr_config, parse_esr_config
from .export import EXPORT_COLUMNS, export_profiles, profile_names
from .refs import REF_COLUMNS, RoleRef, refs_frame, role_refs

__all__ = [
    "BASE_COLUMNS",
    "BOOKMARK_COLUMNS",
    "CONFIG_COLUMNS",
    "ESR_COLUMNS",
    "EXPORT_COLUMNS",
    "REF_COLUMNS",
    "RoleRef",
    "aws_base_profiles",
    "aws_config_profiles",
    "bookmarks_html",
    "config_path",
    "esr_config",
    "export_profiles",
    "open_profile_console",
    "parse_bookmarks_html",
    "parse_esr_config",
    "profile_console_url",
    "profile_names",
    "profile_session",
    "refs_frame",
    "role_refs",
]
