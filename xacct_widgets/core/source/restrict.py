"""Restrict who may switch: plan the edits after which *exactly* the chosen principals may assume.

The tutorial's note - "to let only certain IAM users switch, the source account's IAM policies
must limit sts:AssumeRole" - is more than adding an Allow: a group such as ``role-switchers``
may already grant ``arn:aws:iam::*:role/*`` to everyone in it. The plan therefore

1. grants the chosen users and groups sts:AssumeRole on the roles (inline policy
   :data:`~.restrict_edits.GRANT_POLICY`, extended, never replaced, so their other roles stay);
2. evaluates every other user, group and role with the policy engine, on the account as it will
   be after the plan (:mod:`.snapshot` overlay), and narrows each grant that still lets one in,
   with the least edit that is exact (:mod:`.restrict_edits`): a literal ARN removed, an
   all-roles Allow turned into ``NotResource``, a Deny in a policy only non-chosen principals
   hold, or as a last resort a Deny on that one principal;
3. takes back this project's own Denies from principals that are now chosen;
4. repeats until nothing changes, and reports what it cannot narrow: an administrator (who could
   undo any edit; a permissions boundary is the way), a Deny it did not write.

Every narrowing takes access away from someone, so its rows are *destructive*
(:class:`~xacct_widgets.errors.DestructiveChange` unless confirmed). Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from ...errors import InvalidInput
from .. import ids
from ..frames import to_frame
from ..policies import equivalent
from . import restrict_edits as edits
from .snapshot import Entity, Snapshot, inline_ref
from .who import Access, describe_ref, evaluate

__all__ = [
    "CANNOT_COLUMNS",
    "CHANGE_COLUMNS",
    "RestrictPlan",
    "RestrictStep",
    "Unnarrowed",
    "plan_restriction",
    "role_arn_list",
]

#: Columns of :attr:`RestrictPlan.changes`.
CHANGE_COLUMNS: Final = ("policy", "change", "principals", "destructive")
#: Columns of :attr:`RestrictPlan.cannot_narrow`.
CANNOT_COLUMNS: Final = ("principal", "role_arn", "reason", "what_to_do")
_MAX_ROUNDS: Final = 10


@dataclass(frozen=True)
class RestrictStep:
    """One policy document to write: ``after`` None deletes an inline policy."""

    ref: str
    change: str
    principals: tuple[str, ...]
    destructive: bool
    before: dict[str, Any] | None = field(repr=False, default=None)
    after: dict[str, Any] | None = field(repr=False, default=None)

    @property
    def policy(self) -> str:
        return describe_ref(self.ref)


@dataclass(frozen=True)
class Unnarrowed:
    """Access the plan leaves in place (or cannot give), with the way to deal with it."""

    principal: str
    role_arn: str
    reason: str
    what_to_do: str


@dataclass(frozen=True)
class RestrictPlan:
    """What :meth:`SourceAccount.restrict_assume_role` will write, before it writes anything."""

    role_arns: tuple[str, ...]
    users: tuple[str, ...]
    groups: tuple[str, ...]
    steps: tuple[RestrictStep, ...] = ()
    cannot: tuple[Unnarrowed, ...] = ()

    @property
    def is_noop(self) -> bool:
        return not self.steps

    @property
    def changes(self) -> pd.DataFrame:
        """One row per policy to write (columns :data:`CHANGE_COLUMNS`)."""
        rows = [
            {
                "policy": s.policy,
                "change": s.change,
                "principals": ", ".join(s.principals),
                "destructive": s.destructive,
            }
            for s in self.steps
        ]
        frame = to_frame(rows, CHANGE_COLUMNS)
        frame["destructive"] = frame["destructive"].astype(bool)
        return frame

    @property
    def destructive(self) -> pd.DataFrame:
        """The rows that take access away from someone (empty when none)."""
        frame = self.changes
        return frame[frame["destructive"]].reset_index(drop=True)

    @property
    def cannot_narrow(self) -> pd.DataFrame:
        return to_frame(self.cannot, CANNOT_COLUMNS)

    def __repr__(self) -> str:
        who = ", ".join([*self.users, *(f"group {g}" for g in self.groups)]) or "nobody"
        return (
            f"RestrictPlan({len(self.steps)} change(s), {len(self.destructive)} destructive, "
            f"{len(self.cannot)} left as is; only {who} on {', '.join(self.role_arns)})"
        )


def role_arn_list(role_arns: str | Iterable[str]) -> tuple[str, ...]:
    """One role ARN or several, validated (one ARN is a list of one, not of its characters)."""
    given = [role_arns] if isinstance(role_arns, str) else list(role_arns)
    arns = tuple(dict.fromkeys(ids.parse_role_arn(a).arn for a in given))
    if not arns:
        raise InvalidInput(
            "role_arns is empty: there is no role to restrict.",
            fix="Pass the ARN of the role (or a list of them), e.g. "
            "'arn:aws:iam::123456781234:role/cross-account'.",
        )
    return arns


def _names(values: str | Iterable[str], what: str) -> tuple[str, ...]:
    """IAM user and group names follow the role-name rule (``ids.role_name``), named as such."""
    given = [values] if isinstance(values, str) else list(values)
    try:
        return tuple(dict.fromkeys(ids.role_name(v) for v in given))
    except InvalidInput as err:
        raise InvalidInput(
            err.message.replace("Role name", f"IAM {what} name"),
            fix=f"Give the {what}'s name as IAM shows it, e.g. 'operator'.",
        ) from err


class _Planner:
    def __init__(
        self, snap: Snapshot, targets: Sequence[str], users: Sequence[str], groups: Sequence[str]
    ) -> None:
        self.snap = snap
        self.targets = list(targets)
        self.users, self.groups = set(users), set(groups)
        self.chosen_users = self.users | {m.name for g in groups for m in snap.members(g)}
        self.overlay: dict[str, dict[str, Any] | None] = {}
        self.notes: dict[str, list[tuple[str, str, bool]]] = {}
        self.cannot: dict[tuple[str, str], Unnarrowed] = {}

    # -- who is who --------------------------------------------------------------------------
    def chosen(self, entity: Entity) -> bool:
        if entity.kind == "user":
            return entity.name in self.chosen_users
        return entity.kind == "group" and entity.name in self.groups

    def shared_with_chosen(self, ref: str) -> bool:
        for holder in self.snap.holders(ref):
            if self.chosen(holder):
                return True
            if holder.kind == "group" and any(
                self.chosen(m) for m in self.snap.members(holder.name)
            ):
                return True
        return False

    def affected(self, ref: str) -> tuple[str, ...]:
        out = []
        for holder in self.snap.holders(ref):
            out.append(holder.label)
            if holder.kind == "group":
                out += [m.label for m in self.snap.members(holder.name)]
        return tuple(dict.fromkeys(out))

    # -- recording ---------------------------------------------------------------------------
    def put(
        self, ref: str, doc: dict[str, Any] | None, change: str, destructive: bool, who: str
    ) -> None:
        self.overlay[ref] = doc
        self.notes.setdefault(ref, []).append((change, who, destructive))

    def leave(self, entity: Entity, target: str, reason: str, todo: str) -> None:
        self.cannot[(entity.arn, target)] = Unnarrowed(entity.arn, target, reason, todo)

    # -- the rounds --------------------------------------------------------------------------
    def grant(self) -> None:
        for kind, name in [("user", u) for u in sorted(self.users)] + [
            ("group", g) for g in sorted(self.groups)
        ]:
            ref = inline_ref(kind, name, edits.GRANT_POLICY)
            before = self.snap.document(ref)
            after = edits.grant(before, self.targets)
            if before is None or not equivalent(before, after):
                self.put(
                    ref,
                    after,
                    "allow sts:AssumeRole on " + ", ".join(self.targets),
                    False,
                    f"{kind} {name}",
                )

    def round(self) -> bool:
        changed = False
        for target in self.targets:
            for entity in self.snap.entities():
                access = evaluate(self.snap, entity, target, self.overlay)
                if self.chosen(entity):
                    changed |= self._keep(access)
                elif access.allowed:
                    changed |= self._narrow(access)
        return changed

    def _keep(self, access: Access) -> bool:
        entity, target = access.entity, access.role_arn
        if access.state == "denied":
            for m in access.matched:
                doc = self.snap.document(m.source, self.overlay)
                new = edits.without_deny(doc, m.index, [target]) if doc else None
                if new is not None:
                    empty = not new["Statement"] and not m.source.startswith("managed:")
                    self.put(
                        m.source,
                        None if empty else new,
                        f"stop denying {target}",
                        False,
                        entity.label,
                    )
                    return True
            denies = ", ".join(dict.fromkeys(describe_ref(m.source) for m in access.matched))
            self.leave(
                entity,
                target,
                f"{entity.label} is chosen but {denies} denies it.",
                "Remove that Deny (it was not written by xacct_widgets), then run again.",
            )
        elif access.state == "boundary":
            self.leave(
                entity,
                target,
                f"{entity.label} is chosen but its permissions boundary does not allow "
                "sts:AssumeRole.",
                "Allow sts:AssumeRole on the role in the boundary policy, or remove the boundary.",
            )
        return False

    def _narrow(self, access: Access) -> bool:
        entity, target = access.entity, access.role_arn
        if access.administrator:
            self.leave(
                entity,
                target,
                f"{entity.label} is an administrator ({access.via}): it may edit its own policies, "
                "so no policy edit can keep it out.",
                f"Set a permissions boundary on {entity.label} that allows what it needs but not "
                f"sts:AssumeRole on {target} (and denies iam:Delete*PermissionsBoundary), or take "
                "the administrator policy away.",
            )
            return False
        for m in access.matched:
            if self._narrow_grant(entity, m.source, m.index, target):
                return True
        return self._deny_one(entity, target, access)

    def _narrow_grant(self, entity: Entity, ref: str, index: int, target: str) -> bool:
        doc = self.snap.document(ref, self.overlay)
        if doc is None or ref.startswith("managed:arn:aws:iam::aws:"):
            return False
        who = ", ".join(self.affected(ref))
        new = edits.remove_exact(doc, index, [target])
        how = f"remove {target} from its Resource list"
        if new is None:
            new = edits.exclude_roles(doc, index, [target])
            how = f"allow every role except {target} (NotResource)"
        if new is None and not self.shared_with_chosen(ref):
            new = edits.add_deny(doc, [target])
            how = f"deny sts:AssumeRole on {target}"
        if new is None:
            return False
        empty = not new["Statement"] and not ref.startswith("managed:")
        self.put(
            ref,
            None if empty else new,
            how + (" (policy deleted: nothing left)" if empty else ""),
            True,
            who,
        )
        return True

    def _deny_one(self, entity: Entity, target: str, access: Access) -> bool:
        if entity.kind == "group" and any(self.chosen(m) for m in self.snap.members(entity.name)):
            self.leave(
                entity,
                target,
                f"{entity.label} still allows {target} through {access.via}, which cannot be "
                "narrowed without also taking it from its chosen members; its other members "
                "are denied one by one, but a member added later would get access.",
                "Move the chosen users out of the group, or let the group's policy list roles "
                "by name instead of a wildcard, then run again.",
            )
            return False
        ref = inline_ref(entity.kind, entity.name, edits.DENY_POLICY)
        doc = self.snap.document(ref, self.overlay)
        self.put(
            ref,
            edits.add_deny(doc, [target]),
            f"deny sts:AssumeRole on {target}",
            True,
            entity.label,
        )
        return True

    def plan(self) -> RestrictPlan:
        self.grant()
        for _ in range(_MAX_ROUNDS):
            if not self.round():
                break
        steps = []
        for ref, after in self.overlay.items():
            before = self.snap.document(ref)
            if before is not None and after is not None and equivalent(before, after):
                continue
            if before is None and after is None:
                continue
            notes = self.notes[ref]
            steps.append(
                RestrictStep(
                    ref,
                    "; ".join(dict.fromkeys(n[0] for n in notes)),
                    tuple(dict.fromkeys(w for n in notes for w in n[1].split(", ") if w)),
                    any(n[2] for n in notes),
                    before,
                    after,
                )
            )
        steps.sort(key=lambda s: s.destructive)  # grants first: chosen never lose access mid-way
        return RestrictPlan(
            tuple(self.targets),
            tuple(sorted(self.users)),
            tuple(sorted(self.groups)),
            tuple(steps),
            tuple(self.cannot.values()),
        )


def plan_restriction(
    snapshot: Snapshot,
    role_arns: str | Iterable[str],
    users: str | Iterable[str] = (),
    groups: str | Iterable[str] = (),
) -> RestrictPlan:
    """See :meth:`SourceAccount.plan_restriction` (inputs validated, then checked to exist)."""
    targets = role_arn_list(role_arns)
    user_names, group_names = _names(users, "user"), _names(groups, "group")
    for name in user_names:
        if name not in snapshot.users:
            raise InvalidInput(
                f"There is no IAM user {name!r} in this account.",
                fix=f"Choose among: {', '.join(sorted(snapshot.users)) or '(no users)'}.",
            )
    for name in group_names:
        if name not in snapshot.groups:
            raise InvalidInput(
                f"There is no IAM group {name!r} in this account.",
                fix=f"Choose among: {', '.join(sorted(snapshot.groups)) or '(no groups)'}.",
            )
    return _Planner(snapshot, targets, user_names, group_names).plan()
