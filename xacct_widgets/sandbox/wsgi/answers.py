"""AWS's error answers in each wire protocol, written once for every refusal the sandbox adds
outside moto (throttling, expired tokens): botocore parses each protocol's error its own way,
so a refusal must arrive in the shape the service really uses.

* ``query``: IAM, STS and the other query APIs, ``<ErrorResponse>`` XML
  (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html);
* ``json``: JSON protocols, ``{"__type", "message"}``
  (https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html);
* ``s3``: S3's ``<Error>`` XML
  (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html);
* ``ec2``: EC2's ``<Response><Errors>`` XML
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
"""

from __future__ import annotations

import json
import uuid
from typing import Literal

__all__ = ["Answer", "Shape", "error_answer"]

Shape = Literal["query", "json", "s3", "ec2"]
#: A WSGI answer: status line, headers, body.
Answer = tuple[str, list[tuple[str, str]], bytes]


def error_answer(shape: Shape, status: str, code: str, message: str) -> Answer:
    """The error ``code``/``message`` with HTTP ``status``, as a service of ``shape`` sends it."""
    request_id = str(uuid.uuid4())
    if shape == "json":
        body = json.dumps({"__type": code, "message": message})
        headers = [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-amzn-ErrorType", code),
            ("x-amzn-RequestId", request_id),
        ]
        return status, headers, body.encode()
    if shape == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{message}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
        return status, [("Content-Type", "application/xml")], body.encode()
    if shape == "ec2":
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error>"
            f"</Errors><RequestID>{request_id}</RequestID></Response>"
        )
        return status, [("Content-Type", "text/xml")], body.encode()
    body = (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
        f"<Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body.encode()
