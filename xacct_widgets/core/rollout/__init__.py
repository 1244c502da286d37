"""Roll one role out to many accounts: plan every account, apply, roll back, see drift.

Built from the pieces that already exist, not beside them:

* :mod:`.accounts` - which accounts (an Organization, a frame, a list of IDs);
* :mod:`.fanout` - each account's work on ``xw.query``'s runner (caller, cached credentials,
  executors, per-account failures as rows, stop, progress);
* :mod:`.plan` - one row per account from that account's :meth:`TargetAccount.plan`;
  :mod:`.blocked` - why an account cannot take it, in words;
* :mod:`.apply` - each account one run of the change engine, failure tolerance, the result;
  :mod:`.restore` - rollback to the exact snapshot, also through the engine;
* :mod:`.drift` - what was changed by hand since, field by field;
* :mod:`.rollout` - :class:`Rollout`, the facade.
"""

from .accounts import AccountTarget
from .apply import RESULT_COLUMNS, STATUSES, AccountResult, RolloutResult
from .drift import DRIFT_COLUMNS, FieldDrift, RolloutDrift
from .plan import ACTIONS, PLAN_CHANGE_COLUMNS, PLAN_COLUMNS, AccountPlan, RolloutPlan
from .rollout import Rollout

__all__ = [
    "ACTIONS",
    "DRIFT_COLUMNS",
    "PLAN_CHANGE_COLUMNS",
    "PLAN_COLUMNS",
    "RESULT_COLUMNS",
    "STATUSES",
    "AccountPlan",
    "AccountResult",
    "AccountTarget",
    "FieldDrift",
    "Rollout",
    "RolloutDrift",
    "RolloutPlan",
    "RolloutResult",
]
