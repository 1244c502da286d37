"""AWS's throttling: a request budget per service, and the error each protocol answers past it.

A request budget (``Sandbox(requests_per_second=...)``) makes the sandbox throttle as AWS does
when a fan-out asks too fast; the service is the request's signing service (:mod:`.sigv4`).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from ...errors import SandboxError
from .answers import Answer, error_answer

__all__ = ["RequestBudget", "throttled"]


class RequestBudget:
    """A request-rate quota per service: a token bucket of ``per_second`` tokens, refilled
    continuously, holding at most one second's worth (the burst).

    AWS meters API requests and refuses the excess with a throttling error rather than queueing
    it (IAM and STS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html;
    Organizations: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html;
    S3: https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html). AWS
    meters per account and API; here one bucket per service serves every account, the stricter
    case for a fan-out.
    """

    def __init__(self, per_second: float) -> None:
        if per_second <= 0:
            raise SandboxError(f"requests_per_second must be > 0, got {per_second!r}.")
        self.per_second = float(per_second)
        self._tokens: dict[str, tuple[float, float]] = {}  # service -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, service: str) -> bool:
        """Spend one request of ``service``'s budget; False when there is none left now."""
        now = time.monotonic()
        with self._lock:
            tokens, at = self._tokens.get(service, (self.per_second, now))
            tokens = min(self.per_second, tokens + (now - at) * self.per_second)
            allowed = tokens >= 1.0
            self._tokens[service] = (tokens - 1.0 if allowed else tokens, now)
            return allowed


def throttled(service: str, environ: dict[str, Any]) -> Answer:
    """AWS's throttling answer for ``service``, in that service's protocol.

    * S3 (REST-XML): 503 ``SlowDown`` "Please reduce your request rate."
      (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
    * EC2: 503 ``RequestLimitExceeded``
      (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/throttling.html).
    * JSON protocols (``X-Amz-Target``): 400 ``TooManyRequestsException`` for Organizations
      (https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html), else
      400 ``ThrottlingException``.
    * Query protocol (IAM, STS): 400 ``Throttling`` "Rate exceeded", as IAM and STS answer
      (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).
    """
    if service == "s3":
        return error_answer("s3", "503 Slow Down", "SlowDown", "Please reduce your request rate.")
    if service == "ec2":
        return error_answer(
            "ec2", "503 Service Unavailable", "RequestLimitExceeded", "Request limit exceeded."
        )
    if environ.get("HTTP_X_AMZ_TARGET"):
        code = "TooManyRequestsException" if service == "organizations" else "ThrottlingException"
        message = "You have sent too many requests in too short a period of time."
        return error_answer("json", "400 Bad Request", code, message)
    return error_answer("query", "400 Bad Request", "Throttling", "Rate exceeded")
