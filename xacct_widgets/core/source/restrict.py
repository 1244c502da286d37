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
4. for a role of the source account itself, whose trust policy names a principal directly (such
   a principal needs no identity policy: AWS, "Policy evaluation logic"), takes that principal
   out of the trust policy (:func:`.restrict_edits.untrust`), or, when that is not exact (a
   ``"*"``, or nothing left to trust), lists it in ``cannot_narrow`` with the edit to make;
5. repeats until nothing changes, and reports what it cannot narrow: an administrator (who could
   undo any edit; a permissions boundary is the way), a Deny it did not write, a chosen
   principal the same-account trust policy does not admit.

:func:`plan_allow` is the additive half alone: it grants and never narrows, so its plan has no
destructive row (what a preflight suggests to an administrator: let one more principal in).

Every narrowing takes access away from someone, so its rows are *destructive*
(:class:`~xacct_widgets.errors.DestructiveChange` unless confirmed). Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from ...errors import InvalidInput
from ..policies import equivalent
from . import restrict_edits as edits
from .restrict_plan import (
    CANNOT_COLUMNS,
    CHANGE_COLUMNS,
    RestrictPlan,
    RestrictStep,
    Unnarrowed,
    existing,
    names,
    role_arn_list,
)
from .snapshot import Entity, Snapshot, inline_ref, trust_ref
from .who import Access, describe_ref, evaluate

__all__ = [
    "CANNOT_COLUMNS",
    "CHANGE_COLUMNS",
    "RestrictPlan",
    "RestrictStep",
    "Unnarrowed",
    "plan_allow",
    "plan_restriction",
    "role_arn_list",
]

_MAX_ROUNDS: Final = 10


class _Planner:
    def __init__(
        self,
        snap: Snapshot,
        targets: Sequence[str],
        users: Sequence[str],
        groups: Sequence[str],
        roles: Sequence[str] = (),
        *,
        narrow: bool = True,
    ) -> None:
        self.snap = snap
        self.targets = list(targets)
        self.users, self.groups, self.roles = set(users), set(groups), set(roles)
        self.narrow = narrow
        self.chosen_users = self.users | {m.name for g in groups for m in snap.members(g)}
        self.overlay: dict[str, dict[str, Any] | None] = {}
        self.notes: dict[str, list[tuple[str, str, bool]]] = {}
        self.cannot: dict[tuple[str, str], Unnarrowed] = {}

    # -- who is who --------------------------------------------------------------------------
    def chosen(self, entity: Entity) -> bool:
        if entity.kind == "user":
            return entity.name in self.chosen_users
        if entity.kind == "role":
            return entity.name in self.roles
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
        for kind, name in (
            [("user", u) for u in sorted(self.users)]
            + [("group", g) for g in sorted(self.groups)]
            + [("role", r) for r in sorted(self.roles)]
        ):
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
                elif self.narrow and access.allowed:
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
        elif access.state == "untrusted":
            account = target.split(":")[4]
            root = f"arn:{target.split(':')[1]}:iam::{account}:root"
            self.leave(
                entity,
                target,
                f"{entity.label} is chosen but the trust policy of {target} admits neither it "
                f"nor account {account}; within its own account a role's trust policy must "
                "allow the caller too.",
                f"Add {root} (or {entity.arn}) as a trusted principal of the role "
                "(iam update-assume-role-policy), then run again.",
            )
        return False

    def _narrow(self, access: Access) -> bool:
        entity, target = access.entity, access.role_arn
        if access.via_trust:
            return self._untrust(access)
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

    def _untrust(self, access: Access) -> bool:
        """Take a principal the same-account trust policy names directly out of it."""
        entity, target = access.entity, access.role_arn
        role = self.snap.role_named(target)
        ref = trust_ref(role.name if role is not None else target.rsplit("/", 1)[-1])
        doc = self.snap.document(ref, self.overlay)
        new = edits.untrust(doc, [entity.arn]) if doc is not None else None
        if new is None:
            _, partition, _, _, account = target.split(":")[:5]
            self.leave(
                entity,
                target,
                f"{entity.label} is let in by {access.via}, which names it directly (as itself "
                "or as everyone): it needs no identity policy, and taking it out would leave "
                "the role trusting nobody.",
                f"Edit the trust policy of {target} (iam update-assume-role-policy): replace "
                f'{entity.arn} (or "*") with arn:{partition}:iam::{account}:root, so that '
                "identity policies decide, then run again.",
            )
            return False
        self.put(
            ref,
            new,
            f"stop naming {entity.arn} (let in without any identity policy)",
            True,
            entity.label,
        )
        return True

    def _narrow_grant(self, entity: Entity, ref: str, index: int, target: str) -> bool:
        doc = self.snap.document(ref, self.overlay)
        if doc is None or ref.startswith(("managed:arn:aws:iam::aws:", "trust:")):
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
            tuple(sorted(self.roles)),
            self.narrow,
        )


def plan_restriction(
    snapshot: Snapshot,
    role_arns: str | Iterable[str],
    users: str | Iterable[str] = (),
    groups: str | Iterable[str] = (),
) -> RestrictPlan:
    """See :meth:`SourceAccount.plan_restriction` (inputs validated, then checked to exist)."""
    targets = role_arn_list(role_arns)
    user_names = existing(snapshot, names(users, "user"), "user")
    group_names = existing(snapshot, names(groups, "group"), "group")
    return _Planner(snapshot, targets, user_names, group_names).plan()


def plan_allow(
    snapshot: Snapshot,
    role_arns: str | Iterable[str],
    users: str | Iterable[str] = (),
    groups: str | Iterable[str] = (),
    roles: str | Iterable[str] = (),
) -> RestrictPlan:
    """See :meth:`SourceAccount.allow_assume_role`: grants only, never narrows anyone."""
    targets = role_arn_list(role_arns)
    user_names = existing(snapshot, names(users, "user"), "user")
    group_names = existing(snapshot, names(groups, "group"), "group")
    role_names = existing(snapshot, names(roles, "role"), "role")
    if not (user_names or group_names or role_names):
        raise InvalidInput(
            "Nobody to allow: give users, groups or roles.",
            fix="e.g. allow_assume_role(role_arn, users=['intern']).",
        )
    return _Planner(snapshot, targets, user_names, group_names, role_names, narrow=False).plan()
