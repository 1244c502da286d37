"""Expired session credentials: refused with ``ExpiredToken`` before moto sees the request.

STS credentials stop working at their ``Expiration`` (AssumeRole API reference, "Credentials";
"Requesting temporary security credentials"): every request signed with them afterwards is
refused with "The security token included in the request is expired". The expiry is the one
recorded when the session was issued (:mod:`..sessions`), on the sandbox clock (:mod:`..clock`).

The HTTP status follows what AWS answers per protocol: 403 with ``<ErrorResponse>`` for the query
APIs (IAM, STS, SQS: "ExpiredToken ... status code: 403" in SDK logs), ``ExpiredTokenException``
in JSON for the JSON APIs, and S3's own ``ExpiredToken`` (400, "The provided token has expired.").
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from ..clock import CLOCK
from ..sessions import issued_session
from .answers import Answer, error_answer
from .sigv4 import Signature

__all__ = ["EXPIRED_MESSAGE", "expired"]

EXPIRED_MESSAGE: Final = "The security token included in the request is expired"
_S3_EXPIRED_MESSAGE: Final = "The provided token has expired."


def expired(signed: Signature) -> Answer | None:
    """AWS's answer when ``signed`` names session keys past their expiry; None otherwise."""
    session = issued_session(signed.access_key_id)
    if session is None or CLOCK.now() < session.expires_at:
        return None
    return _expired(signed.service)


@lru_cache(maxsize=64)
def _protocol(service: str) -> str:
    import botocore.session

    try:
        model = botocore.session.get_session().get_service_model(service)
    except Exception:  # an unknown signing name: answer as the query APIs do
        return "query"
    return str(model.protocol)


def _expired(service: str) -> Answer:
    protocol = _protocol(service)
    if protocol in ("json", "rest-json"):
        return error_answer("json", "400 Bad Request", "ExpiredTokenException", EXPIRED_MESSAGE)
    if service == "s3":
        return error_answer("s3", "400 Bad Request", "ExpiredToken", _S3_EXPIRED_MESSAGE)
    return error_answer("query", "403 Forbidden", "ExpiredToken", EXPIRED_MESSAGE)
