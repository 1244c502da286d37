"""FrozenMap: the read-only mapping a frozen RoleSpec holds its policies and tags in."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import TypeVar

__all__ = ["FrozenMap"]

V = TypeVar("V")


class FrozenMap(Mapping[str, V]):
    """A read-only, hashable dict, so that a frozen RoleSpec really cannot change under a Plan.

    Compares equal to a plain dict with the same items and prints like one.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, V] | Iterable[tuple[str, V]] = ()) -> None:
        self._data: dict[str, V] = dict(data)

    def __getitem__(self, key: str) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)

    def __hash__(self) -> int:
        return hash(json.dumps(self._data, sort_keys=True, default=str))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented
