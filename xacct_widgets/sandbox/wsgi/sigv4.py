"""Who signed a request, and for which service: the SigV4 credential scope, read once.

A SigV4 request names its access key and scope, ``AKID/YYYYMMDD/region/service/aws4_request``,
either in the ``Authorization`` header (``AWS4-HMAC-SHA256 Credential=...``) or, for a
presigned URL, in the ``X-Amz-Credential`` query parameter ("Authenticating Requests (AWS
Signature Version 4)", https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html;
"Elements of an AWS API request signature",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html). The
stack reads it here once per request, for throttling (per service) and expiry (per key); moto
checks the signature itself. An S3 URL presigned with S3's older query signature (``AWSAccessKeyId``
and ``Signature``, botocore's default for ``generate_presigned_url``: "Authenticating Requests:
Using Query Parameters", https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html)
names its key too, with no scope: its service is S3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qs

__all__ = ["Signature", "signature_of"]

_HEADER: Final = re.compile(
    r"Credential=([^/,\s]+)/(\d{8})/([^/,\s]*)/([^/,\s]+)/aws4_request", re.ASCII
)


@dataclass(frozen=True)
class Signature:
    """The credential scope of a signed request (no secret: the key ID is public)."""

    access_key_id: str
    date: str
    region: str
    service: str


def signature_of(environ: dict[str, Any]) -> Signature | None:
    """The request's SigV4 scope, from its header or its presigned URL; None when unsigned."""
    found = _HEADER.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    if found:
        return Signature(*found.groups())
    query = str(environ.get("QUERY_STRING", ""))
    if "X-Amz-Credential" in query:
        credential = parse_qs(query).get("X-Amz-Credential")
        parts = credential[0].split("/") if credential else []
        if len(parts) == 5 and parts[4] == "aws4_request" and parts[0]:
            return Signature(parts[0], parts[1], parts[2], parts[3])
    elif "AWSAccessKeyId" in query:  # S3's older query-string signature, botocore's presign default
        key = parse_qs(query).get("AWSAccessKeyId")
        if key and key[0]:
            return Signature(key[0], "", "", "s3")
    return None
