"""Proof that a map is right: replay its edges as real ``sts:AssumeRole`` calls in the sandbox.

The map's edges are the policy engine's predictions; the sandbox decides real requests with the
same engine but from its own state, reached over HTTP. Agreement on every edge *and* on the
pairs the map says may not switch (non-edges, which must be refused) shows the map read
everything that matters (groups, boundaries, SCPs, trust policies) and combined it as AWS does.

Who asks: a user with credentials, the sandbox's own for a seeded user or a session the caller
hands over (``sessions``); a role is entered by walking the map from such a user (each hop a
real AssumeRole, so a role session's own policies, boundary and SCPs decide its next hop).
Edges whose conditions the replay cannot meet (an ``sts:ExternalId`` it can, MFA for a seeded
user with a device it can) and principals it cannot act as are reported ``skipped``, never
silently passed. Nothing is written and no credential leaves the sessions.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Mapping
from typing import Any, ClassVar, Final, Protocol

import boto3
import pandas as pd

from ...errors import AccessDenied, XacctError
from ..frames import to_frame
from ..sessions import assumed_session
from .queries import records

__all__ = ["VERIFY_COLUMNS", "SandboxLike", "replay"]

#: Columns of :meth:`TrustMap.verify`; ``agree`` is None for a skipped pair.
VERIFY_COLUMNS: Final = ("principal_arn", "role_arn", "predicted", "actual", "agree", "detail")
_SESSION_NAME: Final = "trustmap-verify"


class SandboxLike(Protocol):
    """What verify needs of ``xw.Sandbox`` (core never imports the sandbox package)."""

    MFA_CODE: ClassVar[str]

    def principals(self) -> pd.DataFrame: ...

    def session(
        self, account: str = ..., user: str = ..., region: str | None = ...
    ) -> boto3.Session: ...


class _Replay:
    def __init__(
        self,
        edges: pd.DataFrame,
        sandbox: SandboxLike,
        sessions: Mapping[str, boto3.Session],
    ) -> None:
        self.edges = records(edges)
        self.sandbox = sandbox
        self.mfa: dict[str, str] = {}
        self.sessions: dict[str, boto3.Session] = {}
        for row in records(sandbox.principals()):
            arn = str(row["arn"])
            if arn.endswith(":root"):
                continue
            self.sessions[arn] = sandbox.session(str(row["account_id"]), str(row["user"]))
            if row.get("mfa_serial"):
                self.mfa[arn] = str(row["mfa_serial"])
        self.sessions.update(sessions)
        self.failed: set[str] = set()

    def arguments(self, edge: Mapping[str, Any]) -> dict[str, str] | str:
        """AssumeRole arguments meeting the edge's conditions, or why the replay cannot."""
        found: dict[str, str] = {}
        unmet = []
        for c in edge["conditions"] or []:
            key, values = str(c["key"]).lower(), list(c["values"])
            operator = str(c["operator"])
            if key == "sts:externalid" and operator.startswith("String") and values:
                found["external_id"] = values[0]
            elif key == "aws:multifactorauthpresent" and edge["principal_arn"] in self.mfa:
                # With MFA, an Allow requiring it holds and a "deny without MFA" does not.
                found["mfa_serial"] = self.mfa[edge["principal_arn"]]
                found["mfa_token"] = self.sandbox.MFA_CODE
            else:
                unmet.append(f"{operator} {c['key']}")
        return f"conditions the replay cannot meet: {', '.join(unmet)}" if unmet else found

    def session_of(self, arn: str) -> boto3.Session | None:
        """A session acting as ``arn``: given, or a role reached from a user through the map."""
        if arn in self.sessions:
            return self.sessions[arn]
        if arn in self.failed:
            return None
        starts = [a for a in self.sessions if a != arn]
        queue: deque[list[dict[str, Any]]] = deque(
            [[e] for e in self.edges if e["principal_arn"] in starts]
        )
        seen = set(starts)
        while queue:
            walked = queue.popleft()
            here = str(walked[-1]["role_arn"])
            if here in seen or not isinstance(self.arguments(walked[-1]), dict):
                continue
            seen.add(here)
            if here == arn:
                return self._walk(walked)
            if len(walked) < 4:
                queue.extend([*walked, e] for e in self.edges if e["principal_arn"] == here)
        self.failed.add(arn)
        return None

    def _walk(self, walked: list[dict[str, Any]]) -> boto3.Session | None:
        session = self.sessions[str(walked[0]["principal_arn"])]
        for edge in walked:
            args = self.arguments(edge)
            assert isinstance(args, dict)
            try:
                session = _assume(session, str(edge["role_arn"]), args)
            except XacctError:
                return None
            self.sessions.setdefault(str(edge["role_arn"]), session)
        return session

    def attempt(self, principal: str, role: str, args: Mapping[str, str]) -> tuple[str, str]:
        session = self.session_of(principal)
        if session is None:
            return "skipped", "no credentials for this principal, and no path from one"
        try:
            _assume(session, role, args)
        except AccessDenied as err:
            return "refused", err.message
        except XacctError as err:
            return "error", err.message
        return "allowed", ""


def _assume(session: boto3.Session, role: str, args: Mapping[str, str]) -> boto3.Session:
    return assumed_session(
        session,
        role,
        _SESSION_NAME,
        external_id=args.get("external_id"),
        mfa_serial=args.get("mfa_serial"),
        mfa_token=args.get("mfa_token"),
    )


def _row(principal: str, role: str, predicted: str, actual: str, detail: str) -> dict[str, Any]:
    agree = None if actual == "skipped" else actual == predicted
    return {
        "principal_arn": principal,
        "role_arn": role,
        "predicted": predicted,
        "actual": actual,
        "agree": agree,
        "detail": detail,
    }


def replay(
    edges: pd.DataFrame,
    roles: list[str],
    principals: list[str],
    *,
    sandbox: SandboxLike,
    sessions: Mapping[str, boto3.Session] | None = None,
    sample: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Replay ``edges`` (all, or ``sample`` of them) and as many non-edges (pairs of a principal
    of the map that the replay can act as and a role of the map, not an edge), each a real
    AssumeRole. ``roles`` and ``principals`` are the map's roles and its users and roles."""
    run = _Replay(edges, sandbox, sessions or {})
    chosen = run.edges
    known = {(str(e["principal_arn"]), str(e["role_arn"])) for e in run.edges}
    inside = set(principals)
    reached = {str(e["role_arn"]) for e in run.edges if e["principal_type"] in ("user", "role")}
    actors = sorted((set(run.sessions) | reached) & inside)
    others = [(p, r) for p in actors for r in roles if p != r and (p, r) not in known]
    picker = random.Random(seed)
    if sample is not None:
        chosen = picker.sample(chosen, min(sample, len(chosen)))
        others = picker.sample(others, min(sample, len(others)))
    rows = []
    for edge in chosen:
        principal, role = str(edge["principal_arn"]), str(edge["role_arn"])
        if edge["principal_type"] not in ("user", "role"):
            rows.append(_row(principal, role, "allowed", "skipped", "principal outside the map"))
            continue
        args = run.arguments(edge)
        if isinstance(args, str):
            rows.append(_row(principal, role, "allowed", "skipped", args))
            continue
        actual, detail = run.attempt(principal, role, args)
        rows.append(_row(principal, role, "allowed", actual, detail))
    for principal, role in others:
        actual, detail = run.attempt(principal, role, {})
        if actual != "skipped":  # a role nobody here can enter proves nothing either way
            rows.append(_row(principal, role, "refused", actual, detail))
    frame = to_frame(rows, VERIFY_COLUMNS)
    frame["agree"] = frame["agree"].astype(object)
    return frame
