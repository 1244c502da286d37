"""Plan: what apply would write, as a pure diff of a RoleSpec against a snapshot of the role.

The console shows no preview of an edit; here the difference is computed first and shown as
steps, so that the operator sees every write before it happens and a second apply of the same
spec finds nothing to do. :func:`diff` makes no AWS call: the reads that feed it (the role, its
policy lists, the inline documents, whether each policy to attach exists) are ``reads.py``'s,
which keeps the rules of the diff testable without an account.

Steps are ordered by :data:`ACTIONS`: removals before additions, so that the role never holds
more than the old or the new spec grants and IAM's quotas are freed before they are used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any, Final, Literal

import pandas as pd

from ...errors import DestructiveChange, InvalidRoleSpec, PolicyNotFound
from .. import policies
from ..frames import to_frame
from .existing import read_trust, same_trust, trust_removes
from .record import RoleRecord, RoleState, compact, policy_scope, trusted_text
from .spec import FrozenMap, RoleSpec

__all__ = [
    "ACTIONS",
    "CHANGE_COLUMNS",
    "DESTRUCTIVE_COLUMNS",
    "PROBLEM_COLUMNS",
    "Plan",
    "PlanProblem",
    "PlanStep",
    "PolicyState",
    "diff",
]

#: Plan step actions, in the order apply performs them.
ACTIONS: Final = (
    "create role",
    "update trust policy",
    "update max session duration",
    "update description",
    "untag role",
    "tag role",
    "put permissions boundary",
    "detach policy",
    "delete inline policy",
    "attach policy",
    "put inline policy",
    "delete permissions boundary",
)
#: Columns of :attr:`Plan.changes`.
CHANGE_COLUMNS: Final = ("step", "action", "target", "detail")
#: Columns of :attr:`Plan.destructive`: the changes that take access or settings away, and what.
DESTRUCTIVE_COLUMNS: Final = ("step", "action", "target", "detail", "removes")
#: Columns of :attr:`Plan.problem_frame`.
PROBLEM_COLUMNS: Final = ("problem", "target", "detail", "fix")

#: What IAM says about a managed policy the spec would attach (GetPolicy).
PolicyState = Literal["attachable", "not attachable", "not found"]


@dataclass(frozen=True)
class PlanStep:
    """One write that apply will make: ``action`` is one of :data:`ACTIONS`.

    ``removes`` is empty for a step that only adds; otherwise it says what the step takes away
    (access, a requirement users do not meet yet, a setting), and apply refuses the plan unless
    that is confirmed.
    """

    action: str
    target: str
    detail: str = ""
    removes: str = ""

    @property
    def label(self) -> str:
        return f"{self.action} {self.target}"

    @property
    def is_destructive(self) -> bool:
        return bool(self.removes)


@dataclass(frozen=True)
class PlanProblem:
    """Something that stops apply before it writes anything (e.g. a policy ARN that is missing)."""

    problem: str
    target: str
    detail: str
    fix: str


@dataclass(frozen=True, repr=False)
class Plan:
    """What :meth:`TargetAccount.apply` would do for ``spec``, read from the account; no writes.

    ``current`` is the role as it was read (None when it does not exist yet); ``problems`` are
    the reasons apply would refuse to start.
    """

    spec: RoleSpec
    role_exists: bool
    steps: tuple[PlanStep, ...]
    trust_policy: dict[str, Any] = field(hash=False)
    problems: tuple[PlanProblem, ...] = ()
    current: RoleRecord | None = None
    current_inline_policies: Mapping[str, Mapping[str, Any]] = field(
        default_factory=FrozenMap, hash=False
    )

    @property
    def is_noop(self) -> bool:
        """True when the role already matches the spec: apply would write nothing."""
        return not self.steps and not self.problems

    @property
    def ok(self) -> bool:
        """True when apply can proceed (there may still be steps to perform)."""
        return not self.problems

    @property
    def changes(self) -> pd.DataFrame:
        """The steps as a table (``step`` is 1-based), empty when nothing would change."""
        return to_frame(
            ({"step": i, **vars(s)} for i, s in enumerate(self.steps, 1)), CHANGE_COLUMNS
        )

    @property
    def destructive(self) -> pd.DataFrame:
        """The steps that take access or settings away (:data:`DESTRUCTIVE_COLUMNS`); empty when
        none. ``step`` is the row's number in :attr:`changes`."""
        rows = ({"step": i, **vars(s)} for i, s in enumerate(self.steps, 1) if s.is_destructive)
        return to_frame(rows, DESTRUCTIVE_COLUMNS)

    def raise_for_destructive(self) -> None:
        """Refuse a plan that takes something away, before any write.

        Raises:
            DestructiveChange: naming each destructive row; the fix is
                ``apply(spec, allow_destructive=True)``.
        """
        rows = tuple(f"{s.label}: {s.removes}" for s in self.steps if s.is_destructive)
        if not rows:
            return
        listed = "; ".join(f"({i}) {r}" for i, r in enumerate(rows, 1))
        raise DestructiveChange(
            f"Applying role {self.spec.name!r} would take something away: {listed}. "
            "Nothing was changed.",
            rows=rows,
            fix="Check plan(spec).destructive; if that is what you want, apply(spec, "
            "allow_destructive=True). To keep what the role has, start from spec_of(name).",
        )

    @property
    def problem_frame(self) -> pd.DataFrame:
        """The problems as a table: problem, target, detail, fix."""
        return to_frame(self.problems, PROBLEM_COLUMNS)

    def raise_for_problems(self) -> None:
        """Refuse a plan with problems, before any write: the one "cannot apply" error.

        Raises:
            PolicyNotFound: a policy to attach does not exist.
            InvalidRoleSpec: any other problem (e.g. a path IAM cannot change).
        """
        if not self.problems:
            return
        text = "; ".join(f"{p.problem}: {p.target} ({p.detail})" for p in self.problems)
        fix = " ".join(dict.fromkeys(p.fix for p in self.problems)) + " Nothing was changed."
        message = f"Cannot apply role {self.spec.name!r}: {text}."
        if any(p.problem == "policy not found" for p in self.problems):
            raise PolicyNotFound(message, code="NoSuchEntity", fix=fix)
        raise InvalidRoleSpec(message, fix=fix)

    def __repr__(self) -> str:
        state = "exists" if self.role_exists else "new"
        lines = [f"Plan for role {self.spec.name!r} ({state}): {len(self.steps)} step(s)"]
        lines += [
            f"  {i}. {s.label}: {s.detail}" + (f" [removes: {s.removes}]" if s.removes else "")
            for i, s in enumerate(self.steps, 1)
        ]
        if not self.steps:
            lines.append("  nothing to change")
        lines += [f"  ! {p.problem} {p.target}: {p.detail} {p.fix}" for p in self.problems]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        state = "exists" if self.role_exists else "new"
        head = (
            f"<p>Plan for role <code>{escape(self.spec.name)}</code> ({state}): "
            f"{len(self.steps)} step(s)</p>"
        )
        body = self.changes.to_html(index=False) if self.steps else "<p>Nothing to change.</p>"
        if any(s.is_destructive for s in self.steps):
            body += "<p><b>Takes away</b> (apply needs allow_destructive=True)</p>"
            body += self.destructive.to_html(index=False)
        if self.problems:
            body += "<p><b>Problems</b></p>" + self.problem_frame.to_html(index=False)
        return head + body


# -- the diff ----------------------------------------------------------------------------------
def diff(
    spec: RoleSpec,
    current: RoleState | None,
    policy_states: Mapping[str, PolicyState] | None = None,
) -> Plan:
    """The plan that turns ``current`` (None: no such role) into ``spec``; makes no AWS call.

    Args:
        spec: the role as it should be.
        current: the role as read; its ``inline_documents`` must hold every inline policy the
            spec names and the role has (an unread one counts as changed).
        policy_states: for managed policies to attach (and a new permissions boundary), what
            GetPolicy said; an ARN not listed counts as attachable.
    """
    desired_trust = spec.trust_policy()
    states = policy_states or {}
    steps: list[PlanStep] = []
    problems: list[PlanProblem] = []
    docs: Mapping[str, Mapping[str, Any]] = {}
    boundary: str | None = None
    if current is None:
        steps.append(_create_step(spec, desired_trust))
        attached: tuple[str, ...] = ()
        inline_names: tuple[str, ...] = ()
    else:
        record = current.record
        attached, inline_names = record.managed_policy_arns, record.inline_policy_names
        boundary = record.permissions_boundary
        docs = {n: d for n, d in current.inline_documents.items() if n in spec.inline_policies}
        problems += _path_problems(spec, record)
        steps += _role_steps(spec, record, desired_trust)
        steps += _boundary_steps(spec, boundary)
    for arn in [a for a in attached if a not in spec.managed_policy_arns]:
        removes = f"the permissions policy {_policy_name(arn)} grants"
        steps.append(PlanStep("detach policy", arn, "no longer in the spec", removes))
    to_attach = [a for a in spec.managed_policy_arns if a not in attached]
    for arn in to_attach:
        steps.append(PlanStep("attach policy", arn, f"{policy_scope(arn)}-managed"))
    checked = list(to_attach)
    if spec.permissions_boundary is not None and spec.permissions_boundary != boundary:
        checked.append(spec.permissions_boundary)
    for arn in checked:
        problem = _policy_problem(arn, states.get(arn, "attachable"))
        if problem is not None:
            problems.append(problem)
    for name in [n for n in inline_names if n not in spec.inline_policies]:
        removes = f"the permissions inline policy {name} grants"
        steps.append(PlanStep("delete inline policy", name, "no longer in the spec", removes))
    for name, doc in spec.inline_policies.items():
        if name in inline_names:
            if name in docs and policies.equivalent(docs[name], doc):
                continue
            step = PlanStep(
                "put inline policy",
                name,
                f"changed: {compact(doc)}",
                "what the old document allowed and the new one does not",
            )
        else:
            step = PlanStep("put inline policy", name, f"new: {compact(doc)}")
        steps.append(step)
    steps.sort(key=lambda s: ACTIONS.index(s.action))
    return Plan(
        spec=spec,
        role_exists=current is not None,
        steps=tuple(steps),
        trust_policy=desired_trust,
        problems=tuple(problems),
        current=current.record if current is not None else None,
        current_inline_policies=FrozenMap(docs),
    )


def _policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _create_step(spec: RoleSpec, trust: Mapping[str, Any]) -> PlanStep:
    return PlanStep(
        "create role",
        spec.name,
        f"path {spec.path}, max session {spec.max_session_duration} s, "
        f"trusts {trusted_text(trust)}"
        + (f", {len(spec.tags)} tag(s)" if spec.tags else "")
        + (
            f", permissions boundary {_policy_name(spec.permissions_boundary)}"
            if spec.permissions_boundary
            else ""
        ),
    )


def _path_problems(spec: RoleSpec, current: RoleRecord) -> list[PlanProblem]:
    if current.path == spec.path:
        return []
    return [
        PlanProblem(
            "path differs",
            spec.name,
            f"the role exists with path {current.path!r}, the spec says {spec.path!r}; "
            "IAM cannot change a role's path",
            f"Use path={current.path!r}, or delete_role(name, confirm=True) and apply again.",
        )
    ]


def _role_steps(
    spec: RoleSpec, current: RoleRecord, desired_trust: Mapping[str, Any]
) -> list[PlanStep]:
    """Steps on the role itself: trust, settings, tags."""
    steps: list[PlanStep] = []
    if not same_trust(current.trust_policy, desired_trust):
        before = trusted_text(current.trust_policy) or "nobody"
        removes = trust_removes(read_trust(current.trust_policy), read_trust(desired_trust))
        steps.append(
            PlanStep(
                "update trust policy",
                spec.name,
                f"{before} -> {trusted_text(desired_trust)}",
                removes,
            )
        )
    old, new = current.max_session_duration, spec.max_session_duration
    if old != new:
        steps.append(
            PlanStep(
                "update max session duration",
                spec.name,
                f"{old} s -> {new} s",
                f"sessions longer than {new} s (they may last {old} s now)" if new < old else "",
            )
        )
    if current.description != spec.description:
        steps.append(
            PlanStep(
                "update description",
                spec.name,
                f"{current.description!r} -> {spec.description!r}",
                f"the description {current.description!r}" if current.description else "",
            )
        )
    removed = [k for k in current.tags if k not in spec.tags]
    if removed:
        text = ", ".join(f"{k}={current.tags[k]}" for k in removed)
        steps.append(PlanStep("untag role", spec.name, ", ".join(removed), f"the tags {text}"))
    changed = {k: v for k, v in spec.tags.items() if current.tags.get(k) != v}
    if changed:
        overwritten = [f"{k}={current.tags[k]}" for k in changed if k in current.tags]
        steps.append(
            PlanStep(
                "tag role",
                spec.name,
                ", ".join(f"{k}={v}" for k, v in changed.items()),
                f"the tag values {', '.join(overwritten)}" if overwritten else "",
            )
        )
    return steps


def _boundary_steps(spec: RoleSpec, current: str | None) -> list[PlanStep]:
    """Set, replace or remove the permissions boundary: every one of them changes access."""
    wanted = spec.permissions_boundary
    if wanted == current:
        return []
    if wanted is None:
        assert current is not None
        return [
            PlanStep(
                "delete permissions boundary",
                current,
                "no longer in the spec",
                f"the permissions boundary {_policy_name(current)} (the role's limit)",
            )
        ]
    removes = (
        f"whatever {_policy_name(wanted)} does not allow (the role is limited to it)"
        if current is None
        else f"the permissions boundary {_policy_name(current)}"
    )
    return [
        PlanStep("put permissions boundary", wanted, f"{policy_scope(wanted)}-managed", removes)
    ]


def _policy_problem(arn: str, state: PolicyState) -> PlanProblem | None:
    if state == "not found":
        return PlanProblem(
            "policy not found",
            arn,
            "no managed policy with this ARN exists in this account",
            "Check the ARN: list them with managed_policies(search=...).",
        )
    if state == "not attachable":
        return PlanProblem(
            "policy not attachable",
            arn,
            "IAM marks this policy as not attachable",
            "Choose another policy.",
        )
    return None
