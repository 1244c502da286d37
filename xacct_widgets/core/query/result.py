"""What a fan-out hands back: one outcome per (target, region), then three tables built from them.

As in botocove, each unit ends in exactly one outcome record (rows, or a failure with its stage),
and the result keeps answers and failures apart: ``frame`` (the items), ``errors`` (one row per
failed unit) and ``summary`` (every unit, to see accounts that answered with no items). Outcomes
hold only plain data (rows already flattened and redacted, error text already scrubbed), so they
may cross a process boundary without carrying a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import pandas as pd
from botocore.exceptions import ClientError

from ...errors import XacctError
from ..aws import error_code
from ..frames import flatten, redact, scrub_text, to_frame

__all__ = [
    "ERROR_COLUMNS",
    "STAGE_ASSUME",
    "STAGE_CALL",
    "SUMMARY_COLUMNS",
    "Failed",
    "Failure",
    "Outcome",
    "QueryProgress",
    "QueryResult",
    "failure",
    "result_frames",
    "row",
]

#: Columns of :attr:`QueryResult.errors`, in order.
ERROR_COLUMNS: Final = ("account_id", "region", "stage", "error_code", "message")
#: Columns of :attr:`QueryResult.summary`: one row per (target, region), failed or not.
SUMMARY_COLUMNS: Final = (
    "account_id",
    "region",
    "role_name",
    "ok",
    "items",
    "stage",
    "error_code",
    "seconds",
)

#: No credentials for the account (AssumeRole, or a session that cannot say who it is).
STAGE_ASSUME: Final = "assume"
#: The operation (or the callable) failed in that account and region.
STAGE_CALL: Final = "call"


@dataclass(frozen=True)
class QueryProgress:
    """Handed to a ``progress`` callable after each (target, region) finishes.

    The callable runs in the thread that called :func:`query` (never in a worker), so it may
    update widgets directly.
    """

    done: int
    total: int
    errors: int
    account_id: str
    region: str
    ok: bool


@dataclass(frozen=True)
class QueryResult:
    """What a fan-out returned.

    ``frame``: ``account_id``, ``region``, then the flattened items. ``errors``: one row per
    failed (account, region), columns :data:`ERROR_COLUMNS`; ``stage`` is ``assume`` (no
    credentials for the account) or ``call`` (the operation failed there). ``summary``: one row
    per (target, region) whatever happened, columns :data:`SUMMARY_COLUMNS` — the place to see
    accounts that answered with no items. ``assume_calls`` counts the sts:AssumeRole calls made
    while the query ran (0 when every role's credentials came from the cache) and
    ``clients_built`` the botocore clients built for target accounts (0 when every client came
    from the cache); both count this process only (not a process pool's or Dask's workers). The
    DataFrames are yours to use, but mutating them mutates the result.
    """

    operation: str
    frame: pd.DataFrame = field(repr=False)
    errors: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame = field(repr=False)
    targets: int
    regions: tuple[str, ...]
    assume_calls: int
    elapsed_s: float
    started_at: datetime
    clients_built: int = 0

    @property
    def ok(self) -> bool:
        """True when no account or region failed."""
        return self.errors.empty

    def __repr__(self) -> str:
        return (
            f"QueryResult({self.operation}: {self.targets} targets x {len(self.regions)} "
            f"region(s), {len(self.frame)} rows, {len(self.errors)} errors, "
            f"{self.assume_calls} AssumeRole calls, {self.elapsed_s:.2f} s)"
        )


# -- one unit's outcome --------------------------------------------------------------------------
@dataclass(frozen=True)
class Failure:
    """Why a unit has no rows: the stage, AWS's error code and a scrubbed message."""

    stage: str
    code: str
    message: str


@dataclass
class Outcome:
    """What one (target, region) ended with: rows, or a failure; never both."""

    account_id: str
    region: str
    role_name: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    items: int = 0
    failure: Failure | None = None
    seconds: float = 0.0


class Failed(Exception):
    """Raised inside a unit to end it with ``failure`` (caught by the runner, never escapes)."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.code)
        self.failure = failure


def failure(stage: str, err: BaseException) -> Failure:
    """An error row's content: AWS's code and message, with key IDs and tokens scrubbed."""
    if isinstance(err, ClientError):
        text = str(err.response.get("Error", {}).get("Message", "")) or str(err)
    elif isinstance(err, XacctError):
        text = err.message
    else:
        text = str(err) or type(err).__name__
    code = getattr(err, "code", "") if isinstance(err, XacctError) else ""
    return Failure(stage, code or error_code(err), scrub_text(text))


def row(account_id: str, region: str, item: Any) -> dict[str, Any]:
    """One frame row: the unit's account and region first, then the item flattened (redacted)."""
    body = flatten(item) if isinstance(item, Mapping) else {"value": redact(item)}
    body.pop("account_id", None)
    body.pop("region", None)
    return {"account_id": account_id, "region": region, **body}


# -- the three tables ----------------------------------------------------------------------------
def result_frames(outcomes: list[Outcome]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``frame``, ``errors`` and ``summary`` of :class:`QueryResult`, in the outcomes' order."""
    return _frame(outcomes), _errors(outcomes), _summary(outcomes)


def _frame(outcomes: list[Outcome]) -> pd.DataFrame:
    rows = [r for o in outcomes for r in o.rows]
    if not rows:
        return pd.DataFrame(
            {"account_id": pd.Series(dtype=object), "region": pd.Series(dtype=object)}
        )
    frame = pd.DataFrame.from_records(rows)
    rest = [c for c in frame.columns if c not in ("account_id", "region")]
    return frame[["account_id", "region", *rest]]


def _errors(outcomes: list[Outcome]) -> pd.DataFrame:
    return to_frame(
        [
            {
                "account_id": o.account_id,
                "region": o.region,
                "stage": o.failure.stage,
                "error_code": o.failure.code,
                "message": o.failure.message,
            }
            for o in outcomes
            if o.failure is not None
        ],
        ERROR_COLUMNS,
    )


def _summary(outcomes: list[Outcome]) -> pd.DataFrame:
    return to_frame(
        [
            {
                "account_id": o.account_id,
                "region": o.region,
                "role_name": o.role_name,
                "ok": o.failure is None,
                "items": o.items,
                "stage": o.failure.stage if o.failure else None,
                "error_code": o.failure.code if o.failure else None,
                "seconds": round(o.seconds, 3),
            }
            for o in outcomes
        ],
        SUMMARY_COLUMNS,
    )
