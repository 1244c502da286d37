"""Preflight: every reason AWS could refuse a switch, checked before the click, each with a fix.

The console only tells you *after* you click "Switch role" that it did not work, and then only
"Invalid information in one or more fields". Preflight reads what it can - the caller's own IAM
policies, and the role's trust policy when a session can read it - and evaluates it with the
project's one policy engine (:mod:`xacct_widgets.policy`), so it answers exactly as the sandbox
enforces. What it cannot know it says so: a check is ``ok=None`` when the answer depends on
condition keys only known at the switch (AWS's "missing context values"), on policies it cannot
read, or on permissions boundaries and SCPs, which are not evaluated here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

import pandas as pd

from ...policy import (
    Policy,
    Principal,
    RequestContext,
    evaluate_identity_policies,
)
from ..frames import to_frame
from ..identity import Identity

__all__ = [
    "ACTION",
    "ADMIN_COLUMNS",
    "BY_ENGINE",
    "BY_NOBODY",
    "BY_SIMULATION",
    "BY_STS",
    "BY_TARGET",
    "CHECK_COLUMNS",
    "TABLE_COLUMNS",
    "TITLES",
    "Check",
    "Preflight",
    "Ternary",
    "Verdict",
    "dashed",
    "identity_verdict",
    "principal_of",
]

#: Columns of :attr:`Preflight.checks`.
CHECK_COLUMNS: Final = ("check", "ok", "detail", "fix")
#: Columns of :attr:`Preflight.table`, the table a person switching reads.
TABLE_COLUMNS: Final = ("check", "result", "what it means", "what to do", "answered by")
#: Columns of :attr:`Preflight.for_administrators`.
ADMIN_COLUMNS: Final = ("check", "detail", "fix")
#: The action every check is about.
ACTION: Final = "sts:AssumeRole"
MARKS: Final[dict[bool | None, str]] = {True: "✔", False: "✘", None: "?"}
#: Who answered a check (:attr:`Check.answered_by`).
BY_SIMULATION: Final = "AWS (iam:SimulatePrincipalPolicy)"
BY_ENGINE: Final = "evaluated here from the policies read"
BY_STS: Final = "AWS (sts:GetCallerIdentity)"
BY_TARGET: Final = "the target account (iam:GetRole)"
BY_NOBODY: Final = "not checked (AWS decides at the switch)"
#: Plain titles of the checks, by their key (:attr:`Check.check`).
TITLES: Final = {
    "caller is not root": "You are an IAM user, not root",
    "identity policy allows sts:AssumeRole": "Your permissions allow switching",
    "role exists": "The role exists",
    "trust policy names caller": "The role trusts your account",
    "external id": "ExternalId",
    "mfa": "MFA",
}


def dashed(account: str) -> str:
    """An account ID as people write it: ``9876-5432-9876``."""
    return f"{account[:4]}-{account[4:8]}-{account[8:]}" if len(account) == 12 else account


Ternary = bool | None


@dataclass(frozen=True)
class Check:
    """One preflight check; ``ok`` is None when it could not be decided (see ``detail``).

    ``detail`` and ``fix`` are technical (policy names, the Python call an administrator would
    make); ``meaning`` and ``todo`` say the same in plain words for the person switching, and
    ``answered_by`` says who decided: AWS itself (``iam:SimulatePrincipalPolicy``,
    ``iam:GetRole``, ``sts:GetCallerIdentity``) or this package, evaluating the policies it
    could read.
    """

    check: str
    ok: Ternary
    detail: str
    fix: str = ""
    meaning: str = ""
    todo: str = ""
    answered_by: str = ""

    @property
    def mark(self) -> str:
        return MARKS[self.ok]

    @property
    def title(self) -> str:
        return TITLES.get(self.check, self.check)


@dataclass(frozen=True)
class Preflight:
    """Whether switching into ``role_arn`` can work, and if not, every reason with its fix.

    ``ok`` is False when any check failed; True when none failed (some may be unknown, because
    the target account usually cannot be read from the source: AWS has the last word).
    """

    caller: Identity
    role_arn: str
    results: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(c.ok is not False for c in self.results)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.results if c.ok is False)

    @property
    def unknown(self) -> tuple[Check, ...]:
        return tuple(c for c in self.results if c.ok is None)

    @property
    def checks(self) -> pd.DataFrame:
        """Columns :data:`CHECK_COLUMNS`; ``ok`` is True, False or None (unknown)."""
        frame = to_frame(self.results, CHECK_COLUMNS)
        frame["ok"] = frame["ok"].astype(object)
        return frame

    @property
    def table(self) -> pd.DataFrame:
        """The checks for the person switching: check | ✔/✘/? | what it means | what to do.

        Plain words, no Python and no empty cells (columns :data:`TABLE_COLUMNS`); the technical
        detail and the administrator's fix are in :attr:`for_administrators`.
        """
        rows = [
            {
                "check": c.title,
                "result": c.mark,
                "what it means": c.meaning or c.detail,
                "what to do": c.todo or ("Nothing." if c.ok is not False else c.fix),
                "answered by": c.answered_by or BY_ENGINE,
            }
            for c in self.results
        ]
        return to_frame(rows, TABLE_COLUMNS)

    @property
    def for_administrators(self) -> pd.DataFrame:
        """Each check's technical detail and fix (the calls an administrator would make)."""
        rows = [{"check": c.check, "detail": c.detail, "fix": c.fix or "-"} for c in self.results]
        return to_frame(rows, ADMIN_COLUMNS)

    def __str__(self) -> str:
        lines = [
            f"Preflight {'ok' if self.ok else 'FAILED'} for {self.caller.arn} -> {self.role_arn}"
        ]
        for c in self.results:
            mark = {True: "ok", False: "FAIL", None: "?"}[c.ok]
            lines.append(
                f"  [{mark}] {c.check}: {c.detail}"
                + (f" Fix: {c.fix}" if c.fix and c.ok is False else "")
            )
        return "\n".join(lines)


# -- the identity side -------------------------------------------------------------------------
def principal_of(identity: Identity) -> Principal:
    """The engine's view of a caller read from ``sts:GetCallerIdentity``."""
    return Principal(identity.arn, role_arn=identity.role_arn, userid=identity.user_id or None)


def known_keys(now: datetime | None = None) -> dict[str, str]:
    """Global condition keys preflight can state for the coming request (the rest are unknown)."""
    now = now or datetime.now(UTC)
    return {
        "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:SecureTransport": "true",
    }


@dataclass(frozen=True)
class Verdict:
    """The identity side's answer: ``allowed`` is None when it depends on unknown context."""

    allowed: Ternary
    detail: str
    allowed_by: tuple[str, ...] = ()


def identity_verdict(
    policies: Sequence[Policy],
    resource: str,
    principal: Principal | None = None,
    *,
    action: str = ACTION,
    keys: Mapping[str, str] | None = None,
) -> Verdict:
    """Evaluate identity policies for ``action`` on ``resource``, saying "unknown" honestly.

    A decision that tested condition keys the request would carry but preflight cannot know
    (MFA, source IP, tags…) is unknown, except an explicit Deny that did not depend on them.
    """
    context = RequestContext(
        action, resource, principal, keys if keys is not None else known_keys()
    )
    decision = evaluate_identity_policies(policies, context)
    missing = decision.missing_context_values
    if decision.decision == "explicitDeny":
        certain = [m for m in decision.matched if not m.missing]
        if certain or not missing:
            by = ", ".join(str(m) for m in certain or decision.matched)
            return Verdict(False, f"{action} on {resource} is explicitly denied by {by}.")
    if missing:
        return Verdict(
            None,
            f"{action} on {resource} depends on policy conditions on {', '.join(missing)}, "
            f"which are only known at the switch ({decision.reason})",
            decision.sources if decision.allowed else (),
        )
    if decision.allowed:
        return Verdict(True, decision.reason, decision.sources)
    return Verdict(
        False,
        f"No identity policy of the caller allows {action} on {resource} "
        f"({len(policies)} policies read).",
    )
