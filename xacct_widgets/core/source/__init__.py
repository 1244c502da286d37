"""Part B, the source side: who is signed in, can they switch, and who may.

:class:`SourceAccount` is the entry point. Preflight (:mod:`.preflight`, :mod:`.identity_checks`,
:mod:`.trust_checks`) answers "can this caller switch into that role?" before the click, one
check per reason AWS can refuse, asking AWS (``iam:SimulatePrincipalPolicy``) first and
otherwise evaluating the policies it can read with the one policy engine
(:mod:`xacct_widgets.policy`). Who may switch is evaluated on a :mod:`.snapshot` of every
identity policy (:mod:`.who`; for a role of the account itself, its trust policy too), and
restricted (or, additively, allowed) by planned, exact edits (:mod:`.restrict`,
:mod:`.restrict_edits`, the plan's data in :mod:`.restrict_plan`) applied all or nothing
(:mod:`.restrict_apply`).
"""

from __future__ import annotations

from .account import SWITCHER_COLUMNS, SourceAccount
from .mfa import MfaDevices, list_mfa_devices, resolve_mfa_serial
from .preflight import CHECK_COLUMNS, TABLE_COLUMNS, Check, Preflight
from .restrict_apply import Restriction
from .restrict_plan import CANNOT_COLUMNS, CHANGE_COLUMNS, RestrictPlan, RestrictStep, Unnarrowed
from .who import WHO_COLUMNS

__all__ = [
    "CANNOT_COLUMNS",
    "CHANGE_COLUMNS",
    "CHECK_COLUMNS",
    "SWITCHER_COLUMNS",
    "TABLE_COLUMNS",
    "WHO_COLUMNS",
    "Check",
    "MfaDevices",
    "Preflight",
    "RestrictPlan",
    "RestrictStep",
    "Restriction",
    "SourceAccount",
    "Unnarrowed",
    "list_mfa_devices",
    "resolve_mfa_serial",
]
