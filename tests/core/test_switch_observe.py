"""One observable current session per switcher (issue 20, item 5): every switch and back, from
a widget or a cell, is announced once, after it is complete; a failing observer undoes nothing."""

from __future__ import annotations

import logging

import pytest
from helpers import ROLE, ROLE_ARN, TARGET, make_role

from xacct_widgets.core.switch import RoleSwitcher, SessionChange
from xacct_widgets.errors import SwitchDenied


@pytest.fixture
def switcher(fresh_sandbox):
    make_role(fresh_sandbox)
    return RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")


def test_switch_and_back_are_announced_after_they_are_complete(switcher):
    seen: list[tuple[SessionChange, str | None, int]] = []

    def record(change: SessionChange) -> None:  # reads the switcher back: it is already done
        active = switcher.active
        seen.append((change, active.role_arn if active else None, len(switcher.history)))

    switcher.observe(record)
    assert switcher.version == 0
    active = switcher.switch(TARGET, ROLE)
    switcher.back()
    switcher.back()  # nothing active: nothing changed, nothing announced
    assert [(c.kind, c.version, c.active) for c, _, _ in seen] == [
        ("switch", 1, active),
        ("back", 2, None),
    ]
    assert [arn for _, arn, _ in seen] == [ROLE_ARN, None]
    assert seen[0][2] == 1  # the history already holds the role when the switch is announced
    assert switcher.version == 2


def test_a_refused_switch_is_not_announced(fresh_sandbox, switcher):
    seen: list[SessionChange] = []
    switcher.observe(seen.append)
    with pytest.raises(SwitchDenied):
        switcher.switch(TARGET, "no-such-role")
    assert seen == [] and switcher.version == 0


def test_a_failing_observer_undoes_nothing_and_others_still_hear(switcher, caplog):
    def broken(_change: SessionChange) -> None:
        raise RuntimeError("view gone")

    seen: list[SessionChange] = []
    switcher.observe(broken)
    stop = switcher.observe(seen.append)
    with caplog.at_level(logging.ERROR, logger="xacct_widgets.core.switch.observe"):
        active = switcher.switch(TARGET, ROLE)
    assert switcher.active == active and [c.kind for c in seen] == ["switch"]
    assert "a session observer failed after switch" in caplog.text
    stop()
    switcher.back()
    assert [c.kind for c in seen] == ["switch"]  # stopped
