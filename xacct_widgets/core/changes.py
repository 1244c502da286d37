"""The one change engine: every write the toolkit makes to an account goes through here.

A change is a list of steps, each able to undo itself. The rules are the same wherever a change
is made (a role applied in the target account, a restriction of who may switch in the source
account, a rollout across an organization):

* consent is exact (:func:`.consent.consent`): steps that take something away run only when
  ``allow_destructive is True``; they are refused **before any write**, naming each of them;
* steps run in order; the first failure, or an interrupt, undoes every completed step newest
  first, and the error says whether that undo was complete and what is left to undo by hand;
* a failure for lack of permission stays an ``AccessDenied`` (:class:`ApplyDenied`), so callers
  who catch denials catch it too;
* what was done comes back as a table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..errors import (
    AccessDenied,
    ApplyDenied,
    ApplyFailed,
    AwsError,
    DestructiveChange,
    XacctError,
)
from .aws import aws_call
from .consent import consent

__all__ = ["REPORT_COLUMNS", "ChangeReport", "Step", "Undo", "apply_steps", "check_consent"]

log = logging.getLogger(__name__)

Undo = Callable[[], object]
REPORT_COLUMNS = ["step", "change", "destructive", "status"]


@dataclass(frozen=True)
class Step:
    """One write: ``run()`` performs it and returns how to undo it.

    ``action`` and ``resource`` name the AWS call for its error (``iam:DetachRolePolicy``,
    ``role cross-account``); ``why`` says, for a destructive step, what it takes away.
    """

    label: str
    run: Callable[[], Undo]
    destructive: bool = False
    action: str = ""
    resource: str | None = None
    why: str = ""


@dataclass(frozen=True)
class ChangeReport:
    """What :func:`apply_steps` wrote, in order."""

    subject: str
    steps: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        return bool(self.steps)

    @property
    def frame(self) -> pd.DataFrame:
        rows = [
            {"step": i, "change": s.label, "destructive": s.destructive, "status": "done"}
            for i, s in enumerate(self.steps, 1)
        ]
        return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def apply_steps(
    steps: Sequence[Step],
    *,
    subject: str,
    allow_destructive: object = False,
    confirm_fix: str = "pass allow_destructive=True",
) -> ChangeReport:
    """Run ``steps`` all or nothing (see the module docstring); ``subject`` names the change in
    messages ("Applying role 'cross-account'"), ``confirm_fix`` says how to consent."""
    check_consent(
        steps, subject=subject, allow_destructive=allow_destructive, confirm_fix=confirm_fix
    )
    done: list[tuple[Step, Undo]] = []
    for index, step in enumerate(steps, 1):
        try:
            with aws_call(step.action or step.label, step.resource):
                undo = step.run()
        except XacctError as err:
            log.warning("%s: step %d (%s) failed; rolling back", subject, index, step.label)
            raise _failure(subject, index, len(steps), step, err, _rollback(done)) from err
        except BaseException:
            # An interrupt (or a bug) half-way must not leave half a change either.
            log.warning("%s: interrupted at step %d; rolling back", subject, index)
            _rollback(done)
            raise
        log.info("%s: step %d/%d done: %s", subject, index, len(steps), step.label)
        done.append((step, undo))
    return ChangeReport(subject, tuple(step for step, _ in done))


def check_consent(
    steps: Sequence[Step],
    *,
    subject: str,
    allow_destructive: object = False,
    confirm_fix: str = "pass allow_destructive=True",
) -> None:
    """Refuse destructive ``steps`` unless ``allow_destructive is True``, naming each; a caller
    with reads to make before writing (IAM's policy-version limit) calls this before them.

    Raises:
        InvalidInput: ``allow_destructive`` is neither a bool nor None.
        DestructiveChange: a step takes something away and consent was not given.
    """
    allowed = consent(allow_destructive, "allow_destructive")
    destructive = [s for s in steps if s.destructive]
    if destructive and not allowed:
        rows = tuple(f"{s.label}: {s.why}" if s.why else s.label for s in destructive)
        raise DestructiveChange(
            f"{subject} would take something away: " + "; ".join(rows) + ". Nothing was changed.",
            rows=rows,
            fix=f"Review these rows, then {confirm_fix}.",
        )


def _rollback(done: list[tuple[Step, Undo]]) -> list[str]:
    """Undo completed steps newest first; what could not be undone."""
    leftovers: list[str] = []
    for step, undo in reversed(done):
        try:
            with aws_call(f"undo {step.action or step.label}", step.resource):
                undo()
        except XacctError as err:
            log.error("rollback of %s failed: %s", step.label, err.message)
            leftovers.append(f"{step.label} ({getattr(err, 'code', '') or err.message})")
        else:
            log.info("rolled back: %s", step.label)
    return leftovers


def _failure(
    subject: str, index: int, total: int, step: Step, err: XacctError, leftovers: list[str]
) -> ApplyFailed:
    head = f"{subject} failed at step {index} of {total} ({step.label}): "
    if leftovers:
        tail = " Rollback was incomplete; still to undo by hand: " + "; ".join(leftovers) + "."
    else:
        tail = f" The {index - 1} completed step(s) were undone: the account is as before."
    kind = ApplyDenied if isinstance(err, AccessDenied) else ApplyFailed
    return kind(
        head + err.message.rstrip(".") + "." + tail,
        step=step.label,
        code=err.code if isinstance(err, AwsError) else "",
        fix=err.fix,
        rolled_back=not leftovers,
    )
