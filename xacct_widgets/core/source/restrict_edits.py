"""The policy-document edits that restrict who may switch, each exact for ``sts:AssumeRole``.

An Allow on ``arn:aws:iam::*:role/*`` cannot list "every role but these": IAM wildcards have no
"except". Three edits keep everyone's access to *other* roles unchanged without relying on
request conditions (so they hold even where identity-policy conditions are not evaluated):

* remove the target ARNs from a Resource list that names them literally;
* rewrite an Allow whose Resource covers every role into ``NotResource: [targets]``: for
  ``sts:AssumeRole`` (whose resource is always a role ARN) that is exactly "all roles but these"
  ("IAM JSON policy elements: NotResource");
* add a Deny for the targets, which wins over any Allow ("Policy evaluation logic"), in a policy
  that applies only to principals who must lose the access;
* for a role of the same account, take a principal out of the role's *trust policy* when the
  trust names it directly (:func:`untrust`): such a principal needs no identity policy to get
  in, so no identity-policy edit is the root of its access.

Statements added here carry :data:`DENY_SID` / :data:`GRANT_SID`, so a later run recognises them
as its own and may take them back. Documents are never changed in place: each edit returns a copy.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, Final

from ...policy import POLICY_VERSION, action_matches, arn_matches
from .preflight import ACTION

__all__ = [
    "DENY_POLICY",
    "DENY_SID",
    "GRANT_POLICY",
    "GRANT_SID",
    "add_deny",
    "covered",
    "covers_all_roles",
    "exclude_roles",
    "grant",
    "remove_exact",
    "statements",
    "untrust",
    "without_deny",
]

#: Inline policy that allows the chosen users and groups to switch into the roles.
GRANT_POLICY: Final = "xacct-assume-role"
#: Inline policy that denies one principal the roles, when no shared policy can be narrowed.
DENY_POLICY: Final = "xacct-deny-assume-role"
GRANT_SID: Final = "XacctAllowAssumeRole"
DENY_SID: Final = "XacctDenyAssumeRole"

Doc = dict[str, Any]


def statements(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = doc.get("Statement", [])
    return [dict(s) for s in (found if isinstance(found, list) else [found])]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _one_or_many(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def _with(doc: Mapping[str, Any], stmts: list[dict[str, Any]]) -> Doc:
    out = copy.deepcopy(dict(doc))
    out["Statement"] = stmts
    out.setdefault("Version", POLICY_VERSION)
    return out


def covered(statement: Mapping[str, Any], targets: Iterable[str]) -> list[str]:
    """The targets a statement's Resource / NotResource covers (policy variables: covered)."""
    out = []
    for target in targets:
        if "NotResource" in statement:
            hit = any(arn_matches(p, target) for p in _as_list(statement["NotResource"]))
            if not hit:
                out.append(target)
        elif any("${" in p or arn_matches(p, target) for p in _as_list(statement.get("Resource"))):
            out.append(target)
    return out


def covers_all_roles(pattern: str) -> bool:
    """Whether a Resource pattern matches every role ARN of the partition (``…:role/*``)."""
    if pattern == "*":
        return True
    parts = pattern.split(":", 5)
    if len(parts) != 6:
        return False
    _, partition, service, region, account, resource = parts
    return (
        partition in ("aws", "*")
        and service in ("iam", "*")
        and region in ("", "*")
        and account in ("*", "?" * 12)
        and resource in ("*", "role*", "role/*")
    )


def remove_exact(doc: Mapping[str, Any], index: int, targets: Iterable[str]) -> Doc | None:
    """Drop literal target ARNs from statement ``index``'s Resource; None if that is not enough."""
    stmts = statements(doc)
    stmt = stmts[index]
    if "Resource" not in stmt:
        return None
    wanted = set(targets)
    resources = _as_list(stmt["Resource"])
    hits = [r for r in resources if "${" in r or any(arn_matches(r, t) for t in wanted)]
    if not hits or any(r not in wanted for r in hits):
        return None  # a wildcard covers a target: no literal entry to remove
    kept = [r for r in resources if r not in wanted]
    if kept:
        stmts[index] = {**stmt, "Resource": _one_or_many(kept)}
    else:
        del stmts[index]
    return _with(doc, stmts)


def exclude_roles(doc: Mapping[str, Any], index: int, targets: Iterable[str]) -> Doc | None:
    """Rewrite an Allow on every role into ``NotResource: [targets]``; None when not exact."""
    stmts = statements(doc)
    stmt = stmts[index]
    actions = _as_list(stmt.get("Action"))
    exact = [a for a in actions if a.lower() == ACTION.lower()]
    others = [a for a in actions if a.lower() != ACTION.lower()]
    if stmt.get("Effect") != "Allow" or not exact or any(_wild_covers(a) for a in others):
        return None
    if "NotResource" in stmt:
        excluded = _as_list(stmt["NotResource"])
    elif any(covers_all_roles(p) for p in _as_list(stmt.get("Resource"))):
        excluded = []
    else:
        return None
    excluded += [t for t in targets if t not in excluded]
    assume: dict[str, Any] = {k: v for k, v in stmt.items() if k not in ("Resource", "NotResource")}
    assume["Action"] = ACTION
    assume["NotResource"] = _one_or_many(excluded)
    if others:
        rest = {**stmt, "Action": _one_or_many(others)}
        rest.pop("Sid", None)
        stmts[index : index + 1] = [assume, rest]
    else:
        stmts[index] = assume
    return _with(doc, stmts)


def _wild_covers(action: str) -> bool:
    """An action pattern other than sts:AssumeRole itself that still covers it."""
    return action_matches(action, ACTION)


def add_deny(doc: Mapping[str, Any] | None, targets: Iterable[str]) -> Doc:
    """Add (or extend) this project's Deny of sts:AssumeRole on ``targets``."""
    stmts = statements(doc) if doc else []
    for i, stmt in enumerate(stmts):
        if stmt.get("Sid") == DENY_SID:
            have = _as_list(stmt.get("Resource"))
            have += [t for t in targets if t not in have]
            stmts[i] = {**stmt, "Resource": _one_or_many(sorted(have))}
            return _with(doc or {}, stmts)
    deny: dict[str, Any] = {"Sid": DENY_SID, "Effect": "Deny", "Action": ACTION}
    deny["Resource"] = _one_or_many(sorted(set(targets)))
    return _with(doc or {}, [*stmts, deny])


def without_deny(doc: Mapping[str, Any], index: int, targets: Iterable[str]) -> Doc | None:
    """Take ``targets`` out of this project's Deny at ``index`` (None: not ours, or empty doc)."""
    stmts = statements(doc)
    stmt = stmts[index]
    if stmt.get("Sid") != DENY_SID:
        return None
    kept = [r for r in _as_list(stmt.get("Resource")) if r not in set(targets)]
    if kept:
        stmts[index] = {**stmt, "Resource": _one_or_many(kept)}
    else:
        del stmts[index]
    return _with(doc, stmts)


def grant(doc: Mapping[str, Any] | None, targets: Iterable[str]) -> Doc:
    """This project's Allow of sts:AssumeRole, extended to ``targets`` (other roles kept)."""
    stmts = statements(doc) if doc else []
    for i, stmt in enumerate(stmts):
        if stmt.get("Sid") == GRANT_SID:
            have = _as_list(stmt.get("Resource"))
            have += [t for t in targets if t not in have]
            stmts[i] = {**stmt, "Resource": _one_or_many(sorted(have))}
            return _with(doc or {}, stmts)
    allow: dict[str, Any] = {"Sid": GRANT_SID, "Effect": "Allow", "Action": ACTION}
    allow["Resource"] = _one_or_many(sorted(set(targets)))
    return _with(doc or {}, [*stmts, allow])


def _principal_entries(principal: Any) -> dict[str, list[str]] | None:
    """A statement's Principal as ``{type: [values]}``; None for ``"*"`` (everyone)."""
    if principal == "*" or not isinstance(principal, Mapping):
        return None
    return {kind: _as_list(values) for kind, values in principal.items()}


def untrust(doc: Mapping[str, Any], principal_arns: Iterable[str]) -> Doc | None:
    """The trust policy without ``principal_arns`` in its Allow statements' ``Principal``.

    A statement left naming nobody is dropped. None when that is not exact: a statement that
    admits them as ``"*"`` (everyone), or a trust policy left with no Allow at all (the role
    would admit nobody, the chosen principals included).
    """
    gone = set(principal_arns)
    stmts, changed = [], False
    for stmt in statements(doc):
        if stmt.get("Effect") != "Allow" or "Principal" not in stmt:
            stmts.append(stmt)
            continue
        entries = _principal_entries(stmt["Principal"])
        if entries is None or "*" in entries.get("AWS", []):
            return None
        kept = {k: [v for v in vs if v not in gone] for k, vs in entries.items()}
        if kept == entries:
            stmts.append(stmt)
            continue
        changed = True
        kept = {k: vs for k, vs in kept.items() if vs}
        if kept:
            stmts.append({**stmt, "Principal": {k: _one_or_many(vs) for k, vs in kept.items()}})
    if not changed or not any(s.get("Effect") == "Allow" for s in stmts):
        return None
    return _with(doc, stmts)
