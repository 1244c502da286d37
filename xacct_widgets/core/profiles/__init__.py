"""Roles in and out of the operator's other tools: AWS config profiles, the aws-extend-switch-roles
extension's config, browser bookmarks and the console's sign-in.

Every format reads into and writes from :class:`RoleRef` (``refs``), so what a row may carry is
decided once; widgets and the CLI import from here, never from the modules below.
"""

from .refs import REF_COLUMNS, RoleRef, refs_frame, role_refs

__all__ = ["REF_COLUMNS", "RoleRef", "refs_frame", "role_refs"]
