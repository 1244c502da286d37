"""Part A in the target account: describe a role (RoleSpec), see what would change (Plan), apply.

The console's "Create role" wizard only creates; editing a role later is a different set of pages,
and a failure half-way leaves a half-made role behind. Here one declarative :class:`RoleSpec` is
compared with what IAM has, the difference becomes a :class:`Plan` of small steps, and
:meth:`TargetAccount.apply` performs exactly those steps with an undo log, so that

- applying the same spec twice writes nothing the second time (idempotent), and
- a failure at any step undoes the steps already done, in reverse, and raises
  :class:`~xacct_widgets.errors.ApplyFailed` naming the step (all-or-nothing).

The parts, in the order a change flows through them:

- ``spec``: RoleSpec and its field rules (also called by the wizard's field checks);
- ``record``: the role as IAM has it (RoleRecord, RoleState), plain values;
- ``existing``: an existing role read back as a RoleSpec (edit in place), and its trust policy
  read as settings (what a trust change takes away);
- ``plan``: Plan and the pure ``diff(spec, current)``, no AWS call; which steps take something
  away (``Plan.destructive``, refused by apply unless ``allow_destructive=True``);
- ``reads``: the account's lists and the role snapshot a plan is made from;
- ``apply``: the step table, the undo log and the rollback;
- ``account``: TargetAccount, the facade a notebook uses.
"""

from __future__ import annotations

from .account import TargetAccount
from .existing import TrustSettings, read_trust, spec_from_state
from .plan import (
    ACTIONS,
    CHANGE_COLUMNS,
    DESTRUCTIVE_COLUMNS,
    PROBLEM_COLUMNS,
    Plan,
    PlanProblem,
    PlanStep,
    diff,
)
from .reads import ATTACHED_COLUMNS, INLINE_COLUMNS, MANAGED_POLICY_COLUMNS, ROLE_COLUMNS, Scope
from .record import RoleRecord, RoleState
from .spec import FrozenMap, RoleSpec

__all__ = [
    "ACTIONS",
    "ATTACHED_COLUMNS",
    "CHANGE_COLUMNS",
    "DESTRUCTIVE_COLUMNS",
    "INLINE_COLUMNS",
    "MANAGED_POLICY_COLUMNS",
    "PROBLEM_COLUMNS",
    "ROLE_COLUMNS",
    "FrozenMap",
    "Plan",
    "PlanProblem",
    "PlanStep",
    "RoleRecord",
    "RoleSpec",
    "RoleState",
    "Scope",
    "TargetAccount",
    "TrustSettings",
    "diff",
    "read_trust",
    "spec_from_state",
]
