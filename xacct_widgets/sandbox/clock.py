"""The sandbox's own clock: real time plus an offset that only moves forward.

STS credentials stop working at their ``Expiration`` (AssumeRole API reference, "Credentials").
A test cannot wait an hour for that, so the sandbox keeps a clock of its own that
:meth:`Sandbox.advance_clock` moves, and every time-based decision reads it: expiry
(:mod:`.wsgi.expiry`), ``aws:CurrentTime`` and ``aws:TokenIssueTime``
(:mod:`.decision.request_context`), the console's sessions. moto's own timestamps (the
``Expiration`` it answers) do not move; only the decisions do.

The clock lives in the server process. Another process (a kernel that reached the sandbox with
``Sandbox.attach``) reads and moves it through ``/_xacct/clock`` (:mod:`.wsgi.xacct_paths`), so
both see the same time.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Final

__all__ = ["CLOCK", "SandboxClock"]


class SandboxClock:
    """Real time plus an offset that only moves forward; shared by every thread of the server."""

    def __init__(self) -> None:
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset.total_seconds()

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` (>= 0); the new time."""
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            raise ValueError(f"seconds must be a number >= 0, got {seconds!r}")
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta()


#: The one clock of this process's sandbox (moto, and so the sandbox, is one per process).
CLOCK: Final = SandboxClock()
