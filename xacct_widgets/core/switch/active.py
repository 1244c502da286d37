"""``ActiveRole``: the role switched into, as the console shows it at the top right.

A value of its own so that widgets, the query fan-out and the history can hold and show it
without holding the switcher, and so that it can never carry a credential: the keys stay in the
botocore credentials of :attr:`RoleSwitcher.session`, and only their expiry is copied here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

import pandas as pd

from .. import ids, urls
from ..frames import to_frame

__all__ = ["ACTIVE_COLUMNS", "ActiveRole", "active_frame"]

#: Columns of :meth:`ActiveRole.frame` / :meth:`RoleSwitcher.frame`.
ACTIVE_COLUMNS: Final = (
    "account_id",
    "role_name",
    "display_name",
    "color",
    "session_name",
    "identity_arn",
    "expiration",
    "source_arn",
    "role_arn",
)


@dataclass(frozen=True)
class ActiveRole:
    """The role currently switched into - what the console shows at the top right.

    Holds no credential: the keys live only in the botocore credentials of
    :attr:`RoleSwitcher.session`. ``expiration`` is when the current keys expire (they renew
    themselves unless MFA was used); ``source_arn`` is who switched.
    """

    account_id: str
    role_name: str
    role_arn: str
    session_name: str
    identity_arn: str
    display_name: str | None
    color: str | None
    expiration: datetime | None
    source_arn: str
    path: str = "/"
    chained: bool = False
    mfa: bool = False

    @property
    def label(self) -> str:
        """The console's label: the display name, else ``role @ account``."""
        return self.display_name or f"{self.role_name} @ {self.account_id}"

    @property
    def partition(self) -> str:
        """The role's partition (``aws``, ``aws-cn``, ``aws-us-gov``), from its ARN."""
        return ids.parse_arn(self.role_arn).partition

    @property
    def switch_role_url(self) -> str:
        """The console link for the role, on its partition's sign-in host."""
        return urls.link_of(self).url

    def frame(self) -> pd.DataFrame:
        """One row, columns :data:`ACTIVE_COLUMNS`."""
        return active_frame([self])


def active_frame(active: list[ActiveRole]) -> pd.DataFrame:
    """Rows of :data:`ACTIVE_COLUMNS`, ``expiration`` as a UTC datetime column."""
    frame = to_frame(active, ACTIVE_COLUMNS)
    frame["expiration"] = pd.to_datetime(frame["expiration"], utc=True)
    return frame
