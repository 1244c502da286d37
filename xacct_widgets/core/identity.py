"""Who a session is: the one value both sides of the procedure (and the fan-out) start from.

It lives apart from part A and part B because everything needs it: the switcher names its
sessions after it, preflight refuses root by it, the fan-out keys its caches by it.
``sts:GetCallerIdentity`` is never denied by IAM, so asking is always safe.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Final

import boto3
import pandas as pd

from . import ids
from .aws import aws_call, client_config
from .frames import to_frame

__all__ = ["IDENTITY_COLUMNS", "Identity", "identity_of"]

#: Columns of :meth:`Identity.frame`.
IDENTITY_COLUMNS: Final = (
    "account_id",
    "arn",
    "principal_type",
    "name",
    "is_root",
    "user_id",
    "session_name",
)


@dataclass(frozen=True)
class Identity:
    """Who a session acts as, parsed from ``sts:GetCallerIdentity`` (no secret in it).

    ``principal_type`` is ``"user"``, ``"assumed-role"``, ``"root"``, ``"federated"`` or
    ``"other"``; ``name`` is the user name, the role name, ``"root"`` or the federated name;
    ``session_name`` is set for assumed-role sessions only.
    """

    account_id: str
    arn: str
    principal_type: str
    name: str
    is_root: bool
    user_id: str = ""
    session_name: str | None = None

    @classmethod
    def from_arn(cls, arn: str, user_id: str = "") -> Identity:
        """Parse a caller ARN (user, assumed-role session, root or federated user)."""
        parsed = ids.parse_arn(arn)
        rtype, resource = parsed.resource_type, parsed.resource
        session = None
        if parsed.service == "iam" and not rtype and resource == "root":
            ptype, name = "root", "root"
        elif parsed.service == "iam" and rtype == "user":
            ptype, name = "user", parsed.name
        elif parsed.service == "sts" and rtype == "assumed-role":
            ptype = "assumed-role"
            name, _, session = resource.partition("/")
        elif parsed.service == "sts" and rtype == "federated-user":
            ptype, name = "federated", parsed.name
        else:
            ptype, name = "other", parsed.name
        return cls(
            account_id=parsed.account_id,
            arn=arn.strip(),
            principal_type=ptype,
            name=name,
            is_root=ptype == "root",
            user_id=user_id,
            session_name=session or None,
        )

    @classmethod
    def from_caller_identity(cls, answer: Mapping[str, Any]) -> Identity:
        """Build from a ``get_caller_identity`` response."""
        return cls.from_arn(str(answer["Arn"]), str(answer.get("UserId", "")))

    @property
    def partition(self) -> str:
        """The caller's partition (``aws``, ``aws-cn``, ``aws-us-gov``): its roles' too."""
        return ids.parse_arn(self.arn).partition

    @property
    def role_arn(self) -> str | None:
        """For an assumed-role session, the role's ARN without its path (STS does not give it)."""
        if self.principal_type != "assumed-role":
            return None
        return f"arn:{self.partition}:iam::{self.account_id}:role/{self.name}"

    def frame(self) -> pd.DataFrame:
        """One row, columns :data:`IDENTITY_COLUMNS`."""
        return to_frame([self], IDENTITY_COLUMNS)


def identity_of(
    session: boto3.Session, *, client: Any = None, lock: AbstractContextManager[Any] | None = None
) -> Identity:
    """Who ``session`` acts as, from one ``sts:GetCallerIdentity`` call (never denied by IAM):
    through ``client`` (an STS client of ``session``) when given, else through a new one, built
    holding ``lock`` (boto3 sessions are not documented as thread-safe)."""
    with aws_call("sts:GetCallerIdentity", "caller"):
        if client is None:
            with lock if lock is not None else contextlib.nullcontext():
                client = session.client("sts", config=client_config())
        answer = client.get_caller_identity()
    return Identity.from_caller_identity(answer)
