"""The Principal element: who a resource policy (a role's trust policy) is talking about.

From "AWS JSON policy elements: Principal": ``"*"`` is everyone, anonymous included; an account
(its ID or ``arn:aws:iam::ID:root``) stands for every principal of that account *and delegates*
the decision to that account's own identity policies; a role ARN matches every session of that
role; a session ARN matches that one session. IAM does not allow wildcards inside a principal ARN,
so entries other than ``*`` are compared literally. How a statement matched (``via``) matters to
the evaluator: an account-wide match never grants on its own within the account.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, Literal

from .context import Principal

__all__ = ["PrincipalMatch", "match_principal"]

PrincipalMatch = Literal["any", "account", "arn"]

_ACCOUNT_ID: Final = re.compile(r"^\d{12}$")
_ROOT_ARN: Final = re.compile(r"^arn:[\w-]+:iam::(\d{12}):root$")


def _aws_entry(entry: str, principal: Principal) -> PrincipalMatch | None:
    if entry == "*":
        return "any"
    if principal.type in ("service", "anonymous", "other"):
        return None
    account = entry if _ACCOUNT_ID.match(entry) else None
    root = _ROOT_ARN.match(entry)
    if root:
        account = root.group(1)
    if account is not None:
        return "account" if account == principal.account else None
    if entry in (principal.arn, principal.principal_arn):
        return "arn"
    return None


def match_principal(
    entries: Iterable[tuple[str, str]], principal: Principal | None
) -> PrincipalMatch | None:
    """How the first matching ``(type, value)`` entry names ``principal``; None when none does.

    ``("*", "*")`` stands for ``"Principal": "*"``.
    """
    if principal is None:
        return None
    best: PrincipalMatch | None = None
    for kind, value in entries:
        if kind == "*":
            return "any"
        if kind == "AWS":
            found = _aws_entry(value, principal)
        elif kind in ("Service", "Federated", "CanonicalUser"):
            found = "arn" if value == principal.arn else None
        else:
            found = None
        if found == "arn" or found == "any":
            return found
        best = best or found
    return best
