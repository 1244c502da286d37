"""A rollout's progress in a terminal (issue 21): ``apply(progress=True)`` draws a tqdm bar on
stderr when no registered factory accepts (the notebook bar declines outside a kernel), and
every account is reported with its status and the counts applied / failed / skipped so far."""

from __future__ import annotations

import dataclasses
import fcntl
import os
import struct
import subprocess
import sys
import termios

import pytest
from rollout_helpers import SPEC, Org, org_fixture  # noqa: F401 (the org fixture)

import xacct_widgets as xw
from xacct_widgets.core.progress import (
    RolloutProgress,
    TerminalBar,
    default_bar,
    register_progress,
)
from xacct_widgets.errors import InvalidInput


def test_progress_true_in_a_terminal_is_a_tqdm_bar(org: Org, capsys) -> None:
    assert isinstance(default_bar(1, "apply"), TerminalBar)  # xw's notebook bar declined
    rollout = xw.Rollout(SPEC, [org.management, org.ok], session=org.mgmt)
    result = rollout.apply(progress=True)
    assert list(result.frame["status"]) == ["applied", "applied"]
    err = capsys.readouterr().err
    final = err.replace("\r", "\n").strip().splitlines()[-1]
    assert final.startswith("apply: 100%")
    assert "2/2" in final
    assert "applied=2, failed=0, skipped=0" in final


def test_in_a_real_terminal_plain_python_draws_tqdm(org: Org) -> None:
    """``python -c`` on a pseudo-terminal, the way an operator runs a script."""
    script = (
        "import xacct_widgets as xw\n"
        f"mgmt = xw.Sandbox.attach({org.sandbox.endpoint_url!r}).session('management', 'admin')\n"
        f"spec = xw.RoleSpec(name={SPEC.name!r}, trusted_account={SPEC.trusted_account!r})\n"
        f"print(xw.Rollout(spec, [{org.ok!r}], session=mgmt).apply(progress=True))\n"
    )
    leader, follower = os.openpty()
    # A terminal has a size (a fresh pty has 0 columns, in which tqdm draws nothing).
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 160, 0, 0))
    try:
        done = subprocess.run(
            [sys.executable, "-c", script],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            timeout=120,
            check=False,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed once everything is read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    shown = b"".join(chunks).decode(errors="replace")
    assert done.returncode == 0, shown
    assert "apply: 100%" in shown and "1/1" in shown, shown
    assert "applied=1, failed=0, skipped=0" in shown
    assert "RolloutResult(apply: 1 accounts: 1 applied)" in shown
    assert org.state(org.ok) is not None


def test_each_account_is_reported_with_its_status_and_the_counts(org: Org) -> None:
    accounts = [org.management, org.ok, org.add_account("tenant-a"), org.add_account("tenant-b")]
    rollout = xw.Rollout(SPEC, accounts, session=org.mgmt)
    plan = rollout.plan()
    org.make_role(accounts[0], dataclasses.replace(SPEC, description="made by hand"))
    events: list[RolloutProgress] = []
    result = rollout.apply(plan, max_concurrent=1, progress=events.append)
    assert list(result.frame["status"]) == ["failed", "skipped", "skipped", "skipped"]
    assert [e.account_id for e in events] == accounts  # every account, even those not started
    assert [e.status for e in events] == ["failed", "skipped", "skipped", "skipped"]
    assert [e.done for e in events] == [1, 2, 3, 4] and {e.total for e in events} == {4}
    assert dict(events[-1].counts) == {"applied": 0, "failed": 1, "skipped": 3}
    assert events[-1].summary() == "0 applied · 1 failed · 3 skipped of 4"
    assert events[0].errors == 1 and not events[0].ok


class RecordingBar:
    def __init__(self, total: int, label: str) -> None:
        self.opened = (total, label)
        self.events: list[RolloutProgress] = []
        self.closed = False

    def update(self, event: RolloutProgress) -> None:
        self.events.append(event)

    def close(self) -> None:
        self.closed = True


def test_a_registered_factory_is_asked_first_and_may_decline(org: Org, capsys) -> None:
    bars: list[RecordingBar] = []

    def accept(total: int, label: str) -> RecordingBar:
        bars.append(RecordingBar(total, label))
        return bars[-1]

    def decline(total: int, label: str) -> None:
        return None

    rollout = xw.Rollout(SPEC, [org.management, org.ok], session=org.mgmt)
    unregister = [register_progress(accept), register_progress(decline)]
    try:
        applied = rollout.apply(progress=True)
        applied.rollback(progress=True)
    finally:
        for undo in unregister:
            undo()
    assert [b.opened for b in bars] == [(2, "apply"), (2, "rollback")]
    assert all(b.closed for b in bars)
    assert [e.status for e in bars[0].events] == ["applied", "applied"]
    assert dict(bars[1].events[-1].counts) == {"rolled_back": 2, "failed": 0, "skipped": 0}
    assert capsys.readouterr().err == ""  # no tqdm: the factory's bar was used
    assert isinstance(default_bar(1, "apply"), TerminalBar)  # unregistered again


def test_a_bar_object_is_updated_and_closed(org: Org) -> None:
    bar = RecordingBar(0, "")
    xw.Rollout(SPEC, [org.ok], session=org.mgmt).apply(progress=bar)
    assert [e.status for e in bar.events] == ["applied"] and bar.closed


def test_bad_progress_is_refused(org: Org) -> None:
    with pytest.raises(InvalidInput, match="progress 'yes' is invalid"):
        xw.Rollout(SPEC, [org.ok], session=org.mgmt).apply(progress="yes")  # type: ignore[arg-type]
    assert org.state(org.ok) is None
