"""botocore's timestamp parser, without dateutil for the one form AWS answers with.

Every timestamp in a response (``CreationDate`` of each bucket, ``LastModified`` ...) goes
through botocore's ``parse_timestamp``, which hands ISO 8601 text to ``dateutil.parser``: ~90 us
each, more CPU than the rest of the call's parsing for a list of buckets. botocore lets a session
choose its parser (``response_parser_factory.set_parser_defaults(timestamp_parser=...)``); the
fan-out's client factory (:mod:`.clients`) uses :func:`iso_timestamp`, which reads the UTC ISO
form (``2024-05-01T12:34:56.000Z``) with ``datetime.fromisoformat`` and gives it the *same*
tzinfo dateutil would (``tzlocal()`` where the local zone is named UTC, else ``tzutc()``), so a
frame's dtype does not change. Anything else (epoch numbers, RFC 822 dates, other offsets,
more than microsecond digits) goes to botocore's own parser.
"""

from __future__ import annotations

import importlib
import re
import time
from datetime import datetime
from typing import Any, Final

from botocore.utils import parse_timestamp

__all__ = ["iso_timestamp"]

# dateutil (botocore's and pandas's dependency) ships no type hints: its zones, as Any.
_TZ: Final[Any] = importlib.import_module("dateutil.tz")
_ISO_UTC: Final = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?)(?:Z|[+-]00:?00)")


def _as_dateutil_utc(naive: datetime) -> datetime:
    """``naive`` (UTC) with the tzinfo ``dateutil.parser`` gives a zero-offset time.

    dateutil names a zero offset ``UTC``; a name in ``time.tzname`` becomes ``tzlocal()``,
    replaced by ``tzutc()`` when the local zone does not call that moment ``UTC``
    (``dateutil.parser._parser.parser._build_tzaware``).
    """
    if "UTC" in time.tzname:
        aware = naive.replace(tzinfo=_TZ.tzlocal())
        if aware.tzname() == "UTC":
            return aware
        folded = aware.replace(fold=1)  # dateutil.tz.enfold
        if folded.tzname() == "UTC":
            return folded
    return naive.replace(tzinfo=_TZ.tzutc())


def iso_timestamp(value: Any) -> datetime:
    """``botocore.utils.parse_timestamp(value)``, fast for AWS's UTC ISO 8601 text."""
    if isinstance(value, str):
        found = _ISO_UTC.fullmatch(value)
        if found is not None:
            return _as_dateutil_utc(datetime.fromisoformat(found.group(1)))
    parsed: datetime = parse_timestamp(value)
    return parsed
