"""Conditions the trust map cannot decide, lifted out of policies and kept as data.

An edge is decided on what the map knows of the principal (its ARN, account, type, user name
and ID, organization). A condition on any other key (MFA, ExternalId, source IP, session name,
OIDC claims, tags, time) depends on the request: an Allow loses it before the engine decides
(the edge holds when it does), a Deny with one is set aside whole (the edge holds unless it
applies, e.g. "deny without MFA"), and the edge lists both in ``conditions``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Final

from ...policy import Condition, Policy, RequestContext, Statement, matching_statements

__all__ = ["KNOWN", "Lifted", "Row"]

#: Keys the map knows for a principal of the snapshot (the rest depend on the request).
KNOWN: Final = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principaltype",
        "aws:principalisawsservice",
        "aws:username",
        "aws:userid",
        "aws:principalorgid",
    }
)

Row = dict[str, Any]
#: The Effect of a Deny set aside for the request to decide: matches no Effect the engine knows.
_SET_ASIDE: Final = "SetAside"


def _condition_row(side: str, source: str, condition: Condition) -> Row:
    return {
        "side": side,
        "policy": source,
        "operator": condition.operator,
        "key": condition.key,
        "values": list(condition.values),
    }


@dataclass
class Lifted:
    """Policies with the conditions the map cannot decide lifted, and what was lifted.

    An Allow loses its conditions on unknown keys (the edge holds when they do); a Deny with a
    condition on an unknown key is set aside whole (the edge holds unless it applies, e.g. "deny
    without MFA"); both are listed in the edge's ``conditions``, the Deny's with side
    ``<side> deny``.
    """

    lifted: dict[tuple[str, str, int], tuple[Condition, ...]] = field(default_factory=dict)
    denies: dict[tuple[str, str], list[Statement]] = field(default_factory=dict)
    sources: set[tuple[str, str]] = field(default_factory=set)

    def relax(self, policy: Policy, scope: str, known: frozenset[str] = KNOWN) -> Policy:
        """``policy`` with the conditions on keys outside ``known`` lifted (recorded)."""
        statements = []
        for st in policy.statements:
            unknown = tuple(c for c in st.conditions if c.key.lower() not in known)
            if unknown and st.effect == "Deny":
                self.denies.setdefault((scope, policy.source), []).append(st)
                self.sources.add((scope, policy.source))
                # Kept in place (the engine reads statements by index) with an Effect that
                # never applies.
                st = replace(st, effect=_SET_ASIDE)
            if unknown and st.effect == "Allow":
                self.lifted[(scope, policy.source, st.index)] = unknown
                self.sources.add((scope, policy.source))
                kept = tuple(c for c in st.conditions if c.key.lower() in known)
                st = replace(st, conditions=kept)
            statements.append(st)
        return replace(policy, statements=tuple(statements))

    def touched(self, scope: str, policy: Policy) -> bool:
        """Whether any condition was lifted from ``policy``."""
        return (scope, policy.source) in self.sources

    def of(
        self, scope: str, side: str, policy: Policy, statements: Iterable[Statement]
    ) -> list[Row]:
        """The conditions lifted from ``statements`` of ``policy``."""
        return [
            _condition_row(side, policy.source, c)
            for st in statements
            for c in self.lifted.get((scope, policy.source, st.index), ())
        ]

    def unless(
        self, scope: str, side: str, policy: Policy, context: RequestContext, resource: bool
    ) -> list[Row]:
        """The conditions of the Denies set aside from ``policy`` that target this request."""
        found = []
        for st in self.denies.get((scope, policy.source), ()):
            probe = replace(policy, statements=(st,))
            if matching_statements(probe, context, resource_policy=resource, conditions=False):
                found += [_condition_row(f"{side} deny", policy.source, c) for c in st.conditions]
        return found
