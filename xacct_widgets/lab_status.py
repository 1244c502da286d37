"""The kernel's side of JupyterLab's status-bar item (``labextension/``): the active role.

The console shows the active role on every page; in JupyterLab the inline bar shows it only
where a notebook displays it. So the switcher a notebook's widgets show is published to the
status bar over a comm (target :data:`TARGET`), opened by the kernel on a switch or Back and
sent a new state on each one: no polling while idle. The front-end sends back the menu's
actions (Back, a recent role or a bookmark, a re-check).

The core stays free of comms: this module listens through ``RoleSwitcher.observe`` and the
widgets call :func:`follow` for the switcher they show. Without the extension (Notebook 7,
Voila, a plain kernel) the front-end closes the comm and nothing else happens; the next
change opens it again.

Each state carries the kernel's ``now`` (the sandbox's clock for a sandbox kernel, which
``Sandbox.advance_clock`` moves), so the browser counts the time left on the issuer's clock,
and the result of an identity check (``sts:GetCallerIdentity`` on the switcher's session, one
call after each change and on each click): the item turns red when it disagrees or fails.
No credential is ever in a state: only names, account IDs, ARNs and the expiry.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from .core.identity import identity_of
from .core.source.preflight import dashed
from .core.switch import HistoryEntry, RoleSwitcher, SessionChange
from .errors import XacctError

if TYPE_CHECKING:
    from .sandbox import SandboxHandle

__all__ = [
    "RECENT",
    "TARGET",
    "IdentityCheck",
    "StatusPublisher",
    "check_identity",
    "follow",
    "in_kernel",
    "publisher",
    "sandbox_clock",
    "status_of",
]

log = logging.getLogger(__name__)

#: The comm target the front-end registers (labextension/src/state.ts).
TARGET: Final = "xacct_widgets.status"
#: How many recent roles the menu lists.
RECENT: Final = 5

#: ``comm.create_comm``'s signature: opens a comm to the front-end with its first message.
CommFactory = Callable[..., Any]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class IdentityCheck:
    """Whether the switcher's session is who the item shows (``ok`` None: not checked yet)."""

    ok: bool | None
    detail: str = ""


def _entry(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "key": f"{entry.account_id}/{entry.role_name}",
        "label": entry.label,
        "account": dashed(entry.account_id),
        "role_name": entry.role_name,
        "color": entry.color,
    }


def status_of(
    switcher: RoleSwitcher,
    *,
    now: datetime,
    check: IdentityCheck,
    error: str | None = None,
) -> dict[str, Any]:
    """The state the status bar shows for ``switcher`` (JSON-ready, secret-free)."""
    active = switcher.active
    entries = switcher.history.entries()
    return {
        "version": switcher.version,
        "base_name": switcher.base_identity.name,
        "active": None
        if active is None
        else {
            "label": active.label,
            "display_name": active.display_name,
            "account": dashed(active.account_id),
            "role_name": active.role_name,
            "color": active.color,
            "expiration": active.expiration.isoformat() if active.expiration else None,
            "identity_arn": active.identity_arn,
        },
        "now": now.astimezone(UTC).isoformat(),
        "identity": {"ok": check.ok, "detail": check.detail},
        "history": [_entry(e) for e in entries if e.last_used is not None][:RECENT],
        "bookmarks": [_entry(e) for e in entries if e.bookmarked],
        "error": error,
    }


def check_identity(switcher: RoleSwitcher) -> IdentityCheck:
    """One ``sts:GetCallerIdentity`` on the switcher's session, compared with what it says is
    acting (the active role's session ARN, else the base user's)."""
    active = switcher.active
    expected = active.identity_arn if active else switcher.base_identity.arn
    try:
        actual = identity_of(switcher.session).arn
    except XacctError as err:
        return IdentityCheck(False, f"the identity check failed: {err.message}")
    if actual != expected:
        return IdentityCheck(False, f"the kernel acts as {actual}, not {expected}")
    return IdentityCheck(True)


def sandbox_clock() -> datetime:
    """The kernel's ``now``: the sandbox's clock when the kernel was given one
    (``XACCT_SANDBOX_URL``, as ``xacct lab`` does), else this machine's."""
    from .sandbox import ENV_URL, SandboxHandle

    url = os.environ.get(ENV_URL)
    if url:
        try:
            if url not in _SANDBOXES:
                _SANDBOXES[url] = SandboxHandle.attach(url)
            return _SANDBOXES[url].now()
        except XacctError as err:
            log.warning("the sandbox clock could not be read (%s); using local time", err)
    return datetime.now(UTC)


_SANDBOXES: dict[str, SandboxHandle] = {}


def _create_comm(**kwargs: Any) -> Any:
    import comm  # ipykernel's comms inside a kernel; a no-op comm anywhere else

    return comm.create_comm(**kwargs)


class StatusPublisher:
    """The one status-bar comm of this kernel, showing the switcher that changed last.

    ``create_comm`` opens a comm (default ``comm.create_comm``), ``clock`` gives the kernel's
    ``now`` (default :func:`sandbox_clock`), ``check`` the identity check (default
    :func:`check_identity`). Thread-safe: a switch may come from any thread.
    """

    def __init__(
        self,
        *,
        create_comm: CommFactory = _create_comm,
        clock: Clock = sandbox_clock,
        check: Callable[[RoleSwitcher], IdentityCheck] = check_identity,
    ) -> None:
        self._create_comm = create_comm
        self._clock = clock
        self._check = check
        self._lock = threading.RLock()
        self._comm: Any = None
        self._switcher: RoleSwitcher | None = None
        self._followed: weakref.WeakSet[RoleSwitcher] = weakref.WeakSet()

    @property
    def switcher(self) -> RoleSwitcher | None:
        """The switcher the status bar shows (the last one followed or changed)."""
        return self._switcher

    def follow(self, switcher: RoleSwitcher) -> None:
        """Publish ``switcher`` after each of its switches and Backs (subscribed once); shown
        at once if a role is already active."""
        with self._lock:
            if switcher not in self._followed:
                self._followed.add(switcher)
                ref = weakref.ref(switcher)
                switcher.observe(lambda change: self._changed(ref, change))
        if switcher.active is not None:
            self.publish(switcher)

    def _changed(self, ref: weakref.ref[RoleSwitcher], _change: SessionChange) -> None:
        switcher = ref()
        if switcher is not None:
            self.publish(switcher)

    def publish(self, switcher: RoleSwitcher | None = None, *, error: str | None = None) -> None:
        """Send the state at once, then again with the identity check's answer."""
        with self._lock:
            if switcher is not None:
                self._switcher = switcher
            shown = self._switcher
        if shown is None:
            return
        try:
            now = self._clock()
            self._send(status_of(shown, now=now, check=IdentityCheck(None), error=error))
            checked = self._check(shown)
            self._send(status_of(shown, now=self._clock(), check=checked, error=error))
        except XacctError as err:  # the base identity unreadable: nothing sensible to show
            log.warning("the status bar was not updated: %s", err)

    def _send(self, state: Mapping[str, Any]) -> None:
        message = {"type": "state", "state": dict(state)}
        with self._lock:
            if self._comm is None:
                self._comm = self._create_comm(target_name=TARGET, data=message)
                self._comm.on_msg(self._on_msg)
                self._comm.on_close(self._on_close(self._comm))
            else:
                self._comm.send(message)

    def _on_close(self, closed: Any) -> Callable[[Any], None]:
        def forget(_msg: Any) -> None:  # a front-end without the extension closed it
            with self._lock:
                if self._comm is closed:
                    self._comm = None

        return forget

    def _on_msg(self, msg: Mapping[str, Any]) -> None:
        data = msg.get("content", {}).get("data", {})
        self.act(str(data.get("action", "")), str(data.get("key", "")))

    def act(self, action: str, key: str = "") -> None:
        """Do what the status bar's menu asked: ``back``, ``switch`` (``key`` is
        ``account/role`` of a history entry or bookmark) or ``refresh``. A failure is shown
        in the status bar (and logged), never raised into the kernel."""
        switcher = self._switcher
        if switcher is None:
            return
        try:
            if action == "back":
                switcher.back()  # the observers publish
            elif action == "switch":
                found = {f"{e.account_id}/{e.role_name}": e for e in switcher.history.entries()}
                if key not in found:
                    raise XacctError(
                        f"{key!r} is not in the role history any more.",
                        fix="Open the menu again: it lists the history as it is now.",
                    )
                switcher.switch_entry(found[key], from_base=True)
            else:
                self.publish(switcher)
        except XacctError as err:
            log.warning("status bar %s failed: %s", action, err)
            self.publish(switcher, error=f"{err.message} {err.fix or ''}".strip())


_PUBLISHER: StatusPublisher | None = None


def publisher() -> StatusPublisher:
    """This kernel's publisher (made on first use)."""
    global _PUBLISHER
    if _PUBLISHER is None:
        _PUBLISHER = StatusPublisher()
    return _PUBLISHER


def in_kernel() -> bool:
    """Whether this process is a Jupyter kernel (only a kernel has a front-end to tell)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return getattr(get_ipython(), "kernel", None) is not None


def follow(switcher: RoleSwitcher) -> None:
    """Show ``switcher`` in JupyterLab's status bar (what the switch widgets call); nothing
    outside a kernel, where no front-end could show it."""
    if in_kernel():
        publisher().follow(switcher)
