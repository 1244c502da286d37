"""The kernel's side of JupyterLab's status-bar item (issue 23): what goes over the
``xacct_widgets.status`` comm on each switch and Back, the identity check and the sandbox
clock behind "red", the menu's actions coming back, and a comm closed by a front-end without
the extension. Real sandbox, real switcher; only the comm is a recording stand-in (outside a
kernel the ``comm`` package has no front-end to talk to)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from helpers import ROLE, TARGET, make_role

from xacct_widgets import lab_status
from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.widgets import RoleSwitcherBar


class FrontEnd:
    """Records the comms a publisher opens, as JupyterLab's kernel connection would see them."""

    def __init__(self) -> None:
        self.comms: list[RecordedComm] = []

    def create_comm(self, **kwargs: Any) -> RecordedComm:
        comm = RecordedComm(kwargs["target_name"], kwargs["data"])
        self.comms.append(comm)
        return comm

    @property
    def states(self) -> list[dict[str, Any] | None]:
        return [m["state"] for c in self.comms for m in c.messages]

    @property
    def last(self) -> dict[str, Any]:
        state = self.states[-1]
        assert state is not None
        return state


class RecordedComm:
    def __init__(self, target: str, data: dict[str, Any]) -> None:
        self.target = target
        self.messages = [data]
        self.on_msg_callback: Any = None
        self.on_close_callback: Any = None

    def send(self, data: dict[str, Any]) -> None:
        self.messages.append(data)

    def on_msg(self, callback: Any) -> None:
        self.on_msg_callback = callback

    def on_close(self, callback: Any) -> None:
        self.on_close_callback = callback

    def click(self, action: str, key: str = "") -> None:
        """What the front-end's menu sends."""
        self.on_msg_callback({"content": {"data": {"action": action, "key": key}}})


@pytest.fixture
def switcher(fresh_sandbox):
    make_role(fresh_sandbox)
    make_role(fresh_sandbox, "auditor")
    return RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")


@pytest.fixture
def front_end():
    return FrontEnd()


@pytest.fixture
def publisher(front_end, fresh_sandbox):
    return lab_status.StatusPublisher(create_comm=front_end.create_comm, clock=fresh_sandbox.now)


def _left_s(state: dict[str, Any]) -> float:
    expires = datetime.fromisoformat(state["active"]["expiration"])
    return (expires - datetime.fromisoformat(state["now"])).total_seconds()


def test_a_switch_opens_the_comm_and_back_shows_the_base_user(switcher, publisher, front_end):
    publisher.follow(switcher)
    assert front_end.comms == []  # no role active yet: nothing to show, no comm
    switcher.switch(TARGET, ROLE, display_name="prod", color="B7CA9D")  # a notebook cell
    (comm,) = front_end.comms
    assert comm.target == "xacct_widgets.status"
    first, checked = front_end.states
    assert first["identity"]["ok"] is None and checked["identity"] == {"ok": True, "detail": ""}
    active = checked["active"]
    assert active["account"] == "1234-5678-1234" and active["role_name"] == ROLE
    assert (active["display_name"], active["color"]) == ("prod", "B7CA9D")
    assert 3500 < _left_s(checked) <= 3600  # an hour, on the sandbox's clock
    assert checked["base_name"] == "operator"
    assert [e["key"] for e in checked["history"]] == [f"{TARGET}/{ROLE}"]
    switcher.back()
    assert len(front_end.comms) == 1  # the same comm, new states
    assert front_end.last["active"] is None and front_end.last["identity"]["ok"] is True
    assert front_end.last["version"] == switcher.version == 2


def test_the_time_left_is_counted_on_the_sandbox_clock(
    switcher, publisher, front_end, fresh_sandbox
):
    publisher.follow(switcher)
    switcher.switch(TARGET, ROLE)
    fresh_sandbox.advance_clock(56 * 60)
    front_end.comms[0].click("refresh")  # opening the menu asks again, once
    assert 180 < _left_s(front_end.last) < 300  # under 5 minutes: the item turns red
    assert front_end.last["identity"]["ok"] is True  # still the role's keys


def test_expired_keys_fail_the_identity_check(switcher, publisher, front_end, fresh_sandbox):
    publisher.follow(switcher)
    switcher.switch(TARGET, ROLE)
    fresh_sandbox.advance_clock(3700)
    front_end.comms[0].click("refresh")
    check = front_end.last["identity"]
    assert check["ok"] is False and "identity check failed" in check["detail"]


def test_the_menu_goes_back_and_switches_to_a_recent_role(switcher, publisher, front_end):
    publisher.follow(switcher)
    switcher.switch(TARGET, "auditor")
    switcher.switch(TARGET, ROLE, from_base=True)
    comm = front_end.comms[0]
    comm.click("back")
    assert switcher.active is None and front_end.last["active"] is None
    recent = [e["key"] for e in front_end.last["history"]]
    assert recent == [f"{TARGET}/{ROLE}", f"{TARGET}/auditor"]
    comm.click("switch", f"{TARGET}/auditor")
    assert switcher.active is not None and switcher.active.role_name == "auditor"
    assert front_end.last["active"]["role_name"] == "auditor"
    comm.click("switch", f"{TARGET}/no-such-role")  # a stale menu: said, never raised
    assert "not in the role history" in front_end.last["error"]
    assert switcher.active.role_name == "auditor"


def test_bookmarks_are_listed(switcher, publisher, front_end):
    publisher.follow(switcher)
    switcher.history.bookmark(TARGET, "auditor", display_name="audit")
    switcher.switch(TARGET, ROLE)
    (bookmark,) = front_end.last["bookmarks"]
    assert bookmark["key"] == f"{TARGET}/auditor" and bookmark["label"] == "audit"


def test_a_comm_closed_by_the_front_end_is_opened_again(switcher, publisher, front_end):
    publisher.follow(switcher)
    switcher.switch(TARGET, ROLE)
    front_end.comms[0].on_close_callback({})  # Notebook 7 or Voila: no such target there
    switcher.back()
    assert len(front_end.comms) == 2 and front_end.last["active"] is None


def test_no_secret_in_what_is_published(switcher, publisher, front_end):
    publisher.follow(switcher)
    switcher.switch(TARGET, ROLE)
    switcher.back()
    sent = json.dumps(front_end.states)
    keys = switcher.base_session.get_credentials().get_frozen_credentials()
    assert keys.secret_key not in sent and keys.access_key not in sent
    switcher.switch(TARGET, ROLE)
    role_keys = switcher.session.get_credentials().get_frozen_credentials()
    sent = json.dumps(front_end.states)
    assert role_keys.secret_key not in sent and role_keys.token not in sent


def test_the_widgets_publish_only_inside_a_kernel(switcher, front_end, fresh_sandbox, monkeypatch):
    assert lab_status.in_kernel() is False  # pytest is no kernel: the widgets publish nothing
    kernel = lab_status.StatusPublisher(create_comm=front_end.create_comm, clock=fresh_sandbox.now)
    monkeypatch.setattr(lab_status, "_PUBLISHER", kernel)
    RoleSwitcherBar(switcher)
    switcher.switch(TARGET, ROLE)
    assert front_end.comms == []
    monkeypatch.setattr(lab_status, "in_kernel", lambda: True)
    other = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    RoleSwitcherBar(other)  # a bar in a kernel follows its switcher
    other.switch(TARGET, ROLE, display_name="bar")
    assert front_end.last["active"]["display_name"] == "bar"
    assert kernel.switcher is other
