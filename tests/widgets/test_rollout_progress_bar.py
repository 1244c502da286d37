"""A rollout's progress in a notebook (issue 21): in a Jupyter kernel ``apply(progress=True)``
shows our ipywidgets bar (an IntProgress and the counts applied / failed / skipped), registered
by ``import xacct_widgets``; outside a kernel the same factory declines (tqdm is used).

Driven in Python: the kernel test is the one thing replaced (``in_kernel``), and ``display``
is captured to see what the cell would show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import ipywidgets as w
import pytest
from helpers import READ_ONLY, SOURCE

import xacct_widgets as xw
from xacct_widgets.core import progress
from xacct_widgets.core.query import clear_credential_cache
from xacct_widgets.core.sessions import assumed_session
from xacct_widgets.core.target import TargetAccount
from xacct_widgets.sandbox import Sandbox
from xacct_widgets.widgets import rollout_progress
from xacct_widgets.widgets.rollout_progress import RolloutProgressBar

SPEC = xw.RoleSpec(name="org-reader", trusted_account=SOURCE, managed_policy_arns=[READ_ONLY])
OAAR = "OrganizationAccountAccessRole"


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """A kernel: what the bar factory displays in the cell's output."""
    displayed: list[Any] = []
    monkeypatch.setattr(rollout_progress, "in_kernel", lambda: True)
    monkeypatch.setattr(rollout_progress, "_display", displayed.append)
    return displayed


@pytest.fixture
def mgmt(fresh_sandbox: Sandbox) -> Iterator[Any]:
    clear_credential_cache()
    yield fresh_sandbox.session("management", "admin")
    fresh_sandbox.reset()
    clear_credential_cache()


def test_import_registers_the_notebook_bar_which_declines_outside_a_kernel() -> None:
    assert rollout_progress.notebook_bar in progress._FACTORIES
    assert rollout_progress.notebook_bar(3, "apply") is None  # pytest is no kernel
    assert isinstance(progress.default_bar(3, "apply"), progress.TerminalBar)


def test_apply_in_a_kernel_shows_our_bar_with_the_counts(
    shown: list[Any], mgmt: Any, fresh_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    members = fresh_sandbox.member_account_ids
    accounts = [Sandbox.MANAGEMENT, *members[:2]]
    rollout = xw.Rollout(SPEC, accounts, session=mgmt)
    plan = rollout.plan()
    hand = assumed_session(mgmt, f"arn:aws:iam::{members[1]}:role/{OAAR}", "by-hand")
    TargetAccount(hand).apply(dataclasses.replace(SPEC, description="made by hand"))

    result = rollout.apply(plan, max_concurrent=1, failure_tolerance=1, progress=True)

    assert list(result.frame["status"]) == ["applied", "applied", "failed"]
    assert len(shown) == 1 and isinstance(shown[0], w.HBox)
    bar, label = shown[0].children
    assert isinstance(bar, w.IntProgress)
    assert (bar.value, bar.max, bar.description) == (3, 3, "apply")
    assert bar.bar_style == "danger"  # an account failed
    assert "2 applied · 1 failed · 0 skipped of 3" in label.value
    assert capsys.readouterr().err == ""  # no tqdm bar as well

    undone = result.rollback(progress=True)
    assert list(undone.frame["status"]) == ["rolled_back", "rolled_back"]
    bar, label = shown[1].children
    assert (bar.value, bar.max, bar.description, bar.bar_style) == (2, 2, "rollback", "success")
    assert "2 rolled_back · 0 failed · 0 skipped of 2" in label.value


def test_the_bar_counts_skipped_accounts_and_starts_again() -> None:
    bar = RolloutProgressBar(4, "apply")
    assert bar.text.startswith("waiting")
    counts = {"applied": 0, "failed": 1, "skipped": 0}
    bar.update(progress.RolloutProgress("apply", 1, 4, "111111111111", "failed", counts))
    bar.update(
        progress.RolloutProgress("apply", 4, 4, "222222222222", "skipped", {**counts, "skipped": 3})
    )
    bar.close()
    assert (bar.progress.value, bar.progress.bar_style) == (4, "danger")
    assert bar.text == "0 applied · 1 failed · 3 skipped of 4"
    bar.start(2, "apply")
    assert (bar.progress.value, bar.progress.max, bar.progress.bar_style) == (0, 2, "info")
    assert bar.text.startswith("waiting")
