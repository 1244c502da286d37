"""The fan-out's timestamp parser answers exactly what botocore's (dateutil) parser answers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.utils import parse_timestamp

from xacct_widgets.core.query.timestamps import iso_timestamp

SAMPLES = [
    "2024-05-01T12:34:56.000Z",
    "2024-05-01T12:34:56Z",
    "2024-01-15T00:00:00.5Z",
    "2024-07-15T23:59:59.123456Z",
    "2024-03-31T01:30:00+00:00",
    "2024-10-27T01:30:00-0000",
    "2024-05-01T12:34:56.1234567Z",  # more digits than microseconds: botocore's parser
    "2024-05-01T12:34:56+02:00",
    "2024-05-01",
    "Wed, 01 May 2024 12:34:56 GMT",
    "1714566896",
    1714566896,
    1714566896.25,
]


@pytest.fixture(params=["UTC", "Europe/London", "America/New_York", "Asia/Tokyo"])
def local_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("value", SAMPLES, ids=str)
def test_same_datetime_and_tzinfo_as_botocore(local_zone: str, value: Any) -> None:
    ours, theirs = iso_timestamp(value), parse_timestamp(value)
    assert ours == theirs
    assert repr(ours) == repr(theirs)  # same tzinfo type: a frame's dtype does not change
    assert ours.fold == theirs.fold
    assert ours.utcoffset() == theirs.utcoffset()


def test_invalid_text_raises_like_botocore() -> None:
    with pytest.raises(ValueError):
        iso_timestamp("not a time")
