"""Part B, the source side: who is signed in, can they switch, and who may.

:class:`SourceAccount` is the entry point. Preflight (:mod:`.preflight`, :mod:`.trust_checks`)
answers "can this caller switch into that role?" before the click, one check per reason AWS can
refuse, evaluating the caller's policies and the role's trust policy with the one policy engine
(:mod:`xacct_widgets.policy`). :mod:`.restrict` decides who may switch from the source account;
:mod:`.iam_read` reads a principal's identity policies.
"""

from __future__ import annotations

from .account import SourceAccount
from .preflight import CHECK_COLUMNS, Check, Preflight
from .restrict import SWITCHER_COLUMNS, Restriction

__all__ = [
    "CHECK_COLUMNS",
    "SWITCHER_COLUMNS",
    "Check",
    "Preflight",
    "Restriction",
    "SourceAccount",
]
