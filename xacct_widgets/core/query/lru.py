"""The bounded caches of a fan-out: a long kernel must not grow without limit.

Credentials, callers and clients are cached for the life of the process (a repeated query makes
no AssumeRole and builds no client), so each cache has a size limit; the least recently used
entry goes first, and ``on_evict`` lets a cache release what an entry holds (a client's sockets).

A worker process forked from a parent that has queried would inherit its caches, including open
sockets and STS clients shared with the parent: every cache registered here is emptied in the
child after a fork (``os.register_at_fork``).
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["LRU"]

_ALL: weakref.WeakSet[LRU] = weakref.WeakSet()


class LRU:
    """A small thread-safe LRU map; only its own dict is locked, never what a value does."""

    def __init__(self, limit: int, on_evict: Callable[[Hashable, Any], None] | None = None) -> None:
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._limit = limit
        self._on_evict = on_evict
        self._lock = threading.Lock()
        _ALL.add(self)

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        evicted: list[tuple[Hashable, Any]] = []
        with self._lock:
            old = self._data.get(key)
            if old is not None and old is not value:
                evicted.append((key, old))
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._limit:
                evicted.append(self._data.popitem(last=False))
        self._evict(evicted)

    def discard(self, key: Hashable, value: Any = None) -> None:
        """Drop ``key`` (only if it still maps to ``value``, when given)."""
        with self._lock:
            if key not in self._data or (value is not None and self._data[key] is not value):
                return
            evicted = [(key, self._data.pop(key))]
        self._evict(evicted)

    def clear(self) -> None:
        with self._lock:
            evicted = list(self._data.items())
            self._data.clear()
        self._evict(evicted)

    def forget(self) -> None:
        """Empty without releasing anything (after a fork: the values belong to the parent)."""
        self._data = OrderedDict()
        self._lock = threading.Lock()

    def _evict(self, evicted: list[tuple[Hashable, Any]]) -> None:
        if self._on_evict is None:
            return
        for key, value in evicted:
            # Releasing is best effort: the entry is gone either way.
            with contextlib.suppress(Exception):
                self._on_evict(key, value)


def _forget_all_in_child() -> None:
    for cache in list(_ALL):
        cache.forget()


os.register_at_fork(after_in_child=_forget_all_in_child)
