"""Access keys moto does not model or finds slowly: an account's root user, and which account
holds a key.

moto has no root user; the sandbox issues long-term keys for one (:func:`register_root_key`)
and :mod:`.patches` makes moto's authorization and ``GetCallerIdentity`` answer for them.
moto's ``iam.models.get_account_id_from`` scans every account and partition on each request,
creating the IAM backends of partitions nobody uses (~2 ms each, growing with the accounts):
:func:`key_account` answers from an index instead, checked against the backend on every use.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.iam.models import AccessKey, iam_backends
from moto.utilities.utils import PARTITION_NAMES

from ..accounts import PARTITION

__all__ = [
    "RootAccessKey",
    "forget_keys",
    "index_key",
    "key_account",
    "register_root_key",
    "root_account_of",
]

_ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
_root_keys: dict[str, str] = {}  # access key id -> account id
_key_accounts: dict[str, tuple[str, str]] = {}  # access key id -> (account, partition)
_lock = threading.Lock()


class RootAccessKey:
    """Stands in for moto's IAMUserAccessKey when the root user signs a request."""

    def __init__(self, account_id: str, access_key_id: str) -> None:
        self.account_id = account_id
        key = iam_backends[account_id][PARTITION].access_keys[access_key_id]
        self._access_key_id = access_key_id
        self._secret_access_key = key.secret_access_key

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:root"

    def create_credentials(self) -> Any:
        from botocore.credentials import Credentials

        return Credentials(self._access_key_id, self._secret_access_key)

    def collect_policies(self) -> list[str]:
        return [_ALLOW_ALL]


def register_root_key(account_id: str) -> AccessKey:
    """Issue long-term keys for ``account_id``'s root user (moto has no such principal)."""
    backend = iam_backends[account_id][PARTITION]
    key = AccessKey(user_name=None, prefix="AKIA", account_id=account_id)  # type: ignore[abstract]
    backend.access_keys[key.access_key_id] = key  # lets moto resolve the key to its account
    with _lock:
        _root_keys[key.access_key_id] = account_id
    return key


def root_account_of(access_key_id: str) -> str | None:
    """The account whose root user holds ``access_key_id``; None for any other key."""
    return _root_keys.get(access_key_id)


def forget_keys() -> None:
    """Forget the root keys and the key index (the sandbox is being reset)."""
    with _lock:
        _root_keys.clear()
        _key_accounts.clear()


def index_key(access_key_id: str, account: str, partition: str) -> None:
    """Remember where a key lives (checked on use, like every entry)."""
    _key_accounts[access_key_id] = (account, partition)


def key_account(access_key: str) -> str:
    """The account holding ``access_key`` (moto's ``get_account_id_from``), from an index.

    An indexed answer is checked against the backend on every use, so a deleted key or a reset
    sandbox falls back to the scan. The scan looks only at backends that exist (a key cannot be
    in one that does not); unknown keys answer moto's default account and are not indexed.
    """
    found = _key_accounts.get(access_key)
    if found is not None:
        account = dict.get(iam_backends, found[0])
        backend = dict.get(account, found[1]) if account is not None else None
        if backend is not None and access_key in backend.access_keys:
            return found[0]
        _key_accounts.pop(access_key, None)
    for account_id, account in list(dict.items(iam_backends)):
        for partition in PARTITION_NAMES:
            backend = dict.get(account, partition)
            if backend is not None and access_key in backend.access_keys:
                _key_accounts[access_key] = (account_id, partition)
                return str(account_id)
    return DEFAULT_ACCOUNT_ID
