"""Dataclasses and mappings -> DataFrames; the one place secrets are masked.

Anything shown in a notebook ends up saved in the ``.ipynb``, so secrets are removed on the way
*into* a table or message rather than trusted to be left out by every caller. Keeping all masking
here means one list of secret field names to audit.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import pandas as pd

__all__ = [
    "KEY_ID_FIELDS",
    "REDACTED",
    "SECRET_FIELDS",
    "flatten",
    "is_secret_field",
    "mask_key_id",
    "redact",
    "scrub_text",
    "to_frame",
]

#: What a secret value is replaced with: constant, so it reveals nothing, not even the length.
REDACTED: Final = "[redacted]"

#: Field names whose values are secrets, in the spellings AWS APIs, boto3 and config files use.
SECRET_FIELDS: Final = frozenset(
    {
        "SecretAccessKey",
        "SessionToken",
        "SigninToken",
        "secret_access_key",
        "session_token",
        "signin_token",
        "secret_key",
        "token",
        "aws_secret_access_key",
        "aws_session_token",
        "aws_security_token",
        "SecurityToken",
        "Password",
        "password",
        "PrivateKey",
    }
)

#: Field names holding access key IDs: shown masked to their last 4 characters.
KEY_ID_FIELDS: Final = frozenset(
    {"AccessKeyId", "access_key_id", "aws_access_key_id", "access_key"}
)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


_SECRET_NORM: Final = frozenset(_norm(n) for n in SECRET_FIELDS)
_KEY_ID_NORM: Final = frozenset(_norm(n) for n in KEY_ID_FIELDS)

_KEY_ID_RE: Final = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{12}([A-Z0-9]{4})(?![A-Z0-9])")
# Secrets that travel inside URLs or strings: federation sign-in tokens, presigned-URL tokens.
_URL_SECRET_RE: Final = re.compile(
    r"((?:SigninToken|X-Amz-Security-Token|X-Amz-Credential|SessionToken)=)[^&\s\"']+",
    re.IGNORECASE,
)


def is_secret_field(name: str) -> bool:
    """True if a field of this name holds a secret (any spelling: ``SessionToken``, ``token``…)."""
    return _norm(name) in _SECRET_NORM


def mask_key_id(key_id: str | None) -> str:
    """``"AKIAIOSFODNN7EXAMPLE"`` -> ``"****MPLE"``: enough to tell keys apart, not to use one."""
    if not key_id:
        return ""
    text = str(key_id)
    return "****" + text[-4:] if len(text) >= 8 else "****"


def scrub_text(text: str) -> str:
    """Mask access key IDs and drop URL-borne tokens found anywhere in free text."""
    text = _KEY_ID_RE.sub(lambda m: "****" + m.group(1), text)
    return _URL_SECRET_RE.sub(lambda m: m.group(1) + REDACTED, text)


def _looks_like_credentials(obj: object) -> bool:
    # botocore Credentials / RefreshableCredentials keep the secret in attributes, not fields.
    return hasattr(obj, "secret_key") and hasattr(obj, "access_key") and not isinstance(obj, type)


def _fields_of(obj: object) -> dict[str, Any] | None:
    """The fields of a dataclass or namedtuple, without deep-copying them (sessions can't be)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple) and hasattr(obj, "_asdict"):
        as_dict: dict[str, Any] = obj._asdict()
        return as_dict
    return None


def redact(value: Any) -> Any:
    """Return a copy of ``value`` safe to show: secret fields replaced, key IDs masked.

    Mappings, dataclasses and namedtuples become dicts; lists and tuples become lists; strings
    are scrubbed of embedded key IDs and sign-in tokens. Credential objects become ``REDACTED``.
    """
    fields = _fields_of(value)
    if fields is not None:
        value = fields
    elif _looks_like_credentials(value):
        return REDACTED
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            name = str(key)
            if is_secret_field(name):
                out[key] = REDACTED if item not in (None, "") else item
            elif _norm(name) in _KEY_ID_NORM and isinstance(item, str):
                out[key] = mask_key_id(item)
            else:
                out[key] = redact(item)
        return out
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


def _lookup(record: Mapping[str, Any], column: str) -> Any:
    if column in record:
        return record[column]
    # Dotted columns reach into nested mappings, like flatten() names them.
    node: Any = record
    for part in column.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def to_frame(items: Iterable[Any], columns: Sequence[str]) -> pd.DataFrame:
    """Build a DataFrame with exactly ``columns``, in order, even when ``items`` is empty.

    Each item (dataclass, namedtuple or mapping) is redacted first, so no caller can put a
    secret into a table by forgetting to. Missing fields become ``None``; extra fields are
    dropped. A dotted column (``"Tags.Name"``) reads a nested mapping.
    """
    cols = list(columns)
    rows = []
    for item in items:
        record = redact(item)
        if not isinstance(record, Mapping):
            raise TypeError(
                f"to_frame needs dataclasses or mappings, got {type(item).__name__}: {item!r}"
            )
        rows.append([_lookup(record, c) for c in cols])
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols}, columns=cols)
    return pd.DataFrame(rows, columns=cols)


def flatten(item: Mapping[str, Any], *, sep: str = ".") -> dict[str, Any]:
    """Flatten nested mappings into dotted keys (``{"a": {"b": 1}}`` -> ``{"a.b": 1}``).

    Lists stay lists (a query result's ``Tags`` list is one cell); empty mappings are kept as
    ``{}`` so the column still appears. The result is redacted like every table row.
    """
    out: dict[str, Any] = {}

    def walk(prefix: str, node: Mapping[str, Any]) -> None:
        for key, value in node.items():
            name = f"{prefix}{sep}{key}" if prefix else str(key)
            if isinstance(value, Mapping) and value:
                walk(name, value)
            else:
                out[name] = value

    walk("", redact(item))
    return out
