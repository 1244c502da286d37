"""A deleted user or role, in the policies that named it: its unique ID, as IAM shows it.

"AWS JSON policy elements: Principal"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html):
IAM keeps a principal ARN as the principal's unique ID; "If your Principal element in a role
trust policy contains an ARN that points to a specific IAM role, and that role is deleted", the
policy shows the unique ID (``AROA…``, ``AIDA…`` for a user) instead of the ARN, and a new
principal of the same name is a different principal, not trusted until the policy names it
again. The policy's other principals are untouched and keep working.

moto keeps the ARN text, so a re-created user or role would be trusted. After a deletion
(:mod:`.patches` wraps ``IAMBackend.delete_user``/``delete_role``) every role trust policy
and bucket policy of the sandbox that names the ARN in ``Principal`` or ``NotPrincipal`` names
the unique ID instead. Nothing else changes: the engine compares principal entries with the
caller's ARN, which an ID never equals, and IAM refuses to store a policy naming an ID of no
principal ("Invalid principal in policy", as :mod:`..decision.iam_documents` answers for it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from moto.iam.models import iam_backends

from ..accounts import PARTITION

__all__ = ["replace_in_policies", "replaced"]

_PRINCIPAL_KEYS = ("Principal", "NotPrincipal")


def _load(text: str) -> Any:
    for candidate in (text, unquote(text)):
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    return None


def _swap(values: Any, arn: str, unique_id: str) -> tuple[Any, bool]:
    if isinstance(values, str):
        return (unique_id, True) if values == arn else (values, False)
    if isinstance(values, list):
        swapped = [unique_id if v == arn else v for v in values]
        return swapped, swapped != values
    return values, False


def replaced(text: str, arn: str, unique_id: str) -> str | None:
    """``text`` (a policy's JSON, plain or URL-encoded) with ``arn`` as an AWS principal
    replaced by ``unique_id``; None when the policy does not name ``arn``."""
    if arn not in text and arn not in unquote(text):
        return None
    document = _load(text)
    if not isinstance(document, dict):
        return None
    statements = document.get("Statement")
    changed = False
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            continue
        for key in _PRINCIPAL_KEYS:
            principal = statement.get(key)
            if isinstance(principal, dict) and "AWS" in principal:
                principal["AWS"], swapped = _swap(principal["AWS"], arn, unique_id)
                changed = changed or swapped
    return json.dumps(document) if changed else None


def _made(backends: Any) -> Iterator[Any]:
    """The sandbox partition's backend of every account moto has made so far: plain ``dict``
    reads, so no backend is made by looking (moto's ``BackendDict`` makes one on access)."""
    for per_partition in list(dict.values(backends)):
        backend = dict.get(per_partition, PARTITION)
        if backend is not None:
            yield backend


def _trust_policies(arn: str, unique_id: str) -> None:
    for backend in _made(iam_backends):
        for role in list(backend.roles.values()):
            document = role.assume_role_policy_document
            if isinstance(document, str):
                new = replaced(document, arn, unique_id)
                if new is not None:
                    role.assume_role_policy_document = new


def _bucket_policies(arn: str, unique_id: str) -> None:
    from moto.s3.models import s3_backends

    for backend in _made(s3_backends):
        for bucket in list(backend.buckets.values()):
            document = bucket.policy
            if isinstance(document, bytes):
                new = replaced(document.decode(), arn, unique_id)
                if new is not None:
                    bucket.policy = new.encode()


def replace_in_policies(arn: str, unique_id: str) -> None:
    """Every trust policy and bucket policy naming the deleted ``arn`` names ``unique_id``."""
    _trust_policies(arn, unique_id)
    _bucket_policies(arn, unique_id)
