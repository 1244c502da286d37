"""The sandbox checks its own decisions before it serves: one allow and one deny per service.

The sandbox's enforcement sits on moto's request path (:mod:`.moto_integration`). A moto release
can keep every hook in place and still move what flows through it (moto 5.2.6 began passing S3
requests under botocore's operation names, so ``ListBuckets`` was checked as an action no policy
grants). Checking that the hooks exist cannot see that; asking real questions can. Each probe is a
SigV4-signed request from a seeded principal, sent through the sandbox's own WSGI app (signature
check, routing, enforcement, moto's handler), whose answer must be the decision AWS gives. Probes
change nothing: the allowed ones read, the denied ones would fail harmlessly if allowed.

A wrong answer stops :meth:`Sandbox.start` with a :class:`SandboxError` naming the service, the
request, the expected and actual decision and the moto version.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any, Final, Literal
from urllib.parse import urlencode

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto.iam.models import iam_backends
from moto.moto_api._internal import mock_random
from werkzeug.test import Client

from ..errors import SandboxError
from .accounts import PARTITION, REGION, SOURCE_ACCOUNT, TARGET_ACCOUNT

__all__ = ["CANARY_USER", "PROBES", "CanaryResult", "Probe", "run_canary"]

Decision = Literal["allow", "deny"]
_PAST: Final[dict[Decision, str]] = {"allow": "allowed", "deny": "denied"}
_DENIED: Final = frozenset({"AccessDenied", "AccessDeniedException"})
_CODE_RE: Final = re.compile(rb"<Code>([^<]+)</Code>|\"__type\"\s*:\s*\"(?:[^\"#]*#)?([^\"]+)\"")


@dataclass(frozen=True)
class Probe:
    """One request and the decision AWS gives it; ``allowed_codes`` are errors that still mean
    the request was authorized (the action ran and found nothing)."""

    service: str
    request: str
    account: str
    user: str
    expect: Decision
    why: str
    body: str = ""
    method: str = "POST"
    path: str = "/"
    target: str = ""
    allowed_codes: frozenset[str] = field(default_factory=frozenset)


def _query(action: str, api_version: str, **params: str) -> str:
    return urlencode({"Action": action, "Version": api_version, **params})


_IAM: Final = "2010-05-08"
_STS: Final = "2011-06-15"
_ORGS: Final = "AWSOrganizationsV20161128."
CANARY_USER: Final = "xacct-canary"
#: The canary user's only policy: each service's allow probe granted under its exact IAM action
#: name (no wildcard that would also match a wrong name), nothing else.
CANARY_POLICY: Final = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "iam:ListUsers",
                    "sts:GetAccessKeyInfo",
                    "s3:ListAllMyBuckets",
                    "organizations:DescribeOrganization",
                ],
                "Resource": "*",
            }
        ],
    }
)
_CANARY = (SOURCE_ACCOUNT, CANARY_USER)
_OPERATOR = (SOURCE_ACCOUNT, "operator")
_NOT_IN_ORG = frozenset({"AWSOrganizationsNotInUseException"})

#: One allow and one deny per enforced service, plus a trust-policy deny.
PROBES: Final = (
    Probe("iam", "ListUsers", *_CANARY, "allow", "its policy allows iam:ListUsers",
          _query("ListUsers", _IAM)),
    Probe("iam", "DeleteUser", *_CANARY, "deny", "no policy allows iam:DeleteUser",
          _query("DeleteUser", _IAM, UserName="xacct-canary-nobody"),
          allowed_codes=frozenset({"NoSuchEntity"})),
    Probe("sts", "GetAccessKeyInfo", *_CANARY, "allow",
          "its policy allows sts:GetAccessKeyInfo",
          _query("GetAccessKeyInfo", _STS, AccessKeyId="AKIAIOSFODNN7EXAMPLE")),
    Probe("sts", "AssumeRole", *_CANARY, "deny", "no policy allows sts:AssumeRole",
          _query("AssumeRole", _STS, RoleArn=f"arn:aws:iam::{TARGET_ACCOUNT}:role/xacct-canary",
                 RoleSessionName="canary")),
    Probe("sts", "AssumeRole", *_OPERATOR, "deny",
          "operator may call sts:AssumeRole but no trust policy trusts it (no such role)",
          _query("AssumeRole", _STS, RoleArn=f"arn:aws:iam::{TARGET_ACCOUNT}:role/xacct-canary",
                 RoleSessionName="canary")),
    Probe("s3", "ListBuckets", *_CANARY, "allow", "its policy allows s3:ListAllMyBuckets",
          method="GET"),
    Probe("s3", "ListObjectsV2", *_CANARY, "deny", "no policy allows s3:ListBucket",
          method="GET", path="/xacct-canary-nobucket?list-type=2",
          allowed_codes=frozenset({"NoSuchBucket"})),
    Probe("organizations", "DescribeOrganization", *_CANARY, "allow",
          "its policy allows organizations:DescribeOrganization", "{}",
          target=_ORGS + "DescribeOrganization", allowed_codes=_NOT_IN_ORG),
    Probe("organizations", "ListAccounts", *_CANARY, "deny",
          "no policy allows organizations:ListAccounts", "{}", target=_ORGS + "ListAccounts",
          allowed_codes=_NOT_IN_ORG),
)  # fmt: skip


@contextmanager
def _canary_user() -> Iterator[dict[str, str]]:
    """The canary user's keys, for the probes only: created in moto's backend, then deleted, with
    moto's random state put back, so the IDs the seed hands out later are the same with or
    without the check (notebook outputs compare them across runs)."""
    state = mock_random.getstate()
    iam = iam_backends[SOURCE_ACCOUNT][PARTITION]
    iam.create_user(REGION, CANARY_USER)
    try:
        iam.put_user_policy(CANARY_USER, "canary", CANARY_POLICY)
        key = iam.create_access_key(CANARY_USER)
        yield {"access_key_id": key.access_key_id, "secret_access_key": key.secret_access_key}
    finally:
        for found in iam.list_access_keys(CANARY_USER):
            iam.delete_access_key(found.access_key_id, CANARY_USER)
        iam.delete_user_policy(CANARY_USER, "canary")
        iam.delete_user(CANARY_USER)
        mock_random.setstate(state)


@dataclass(frozen=True)
class CanaryResult:
    """What the probes answered and how long they took (``benchmarks/sandbox_startup.py``)."""

    probes: int
    seconds: float


def _signed(probe: Probe, url: str, region: str, keys: Mapping[str, Any]) -> AWSRequest:
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    if probe.target:
        headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": probe.target}
    if probe.service == "s3":
        headers = {}
    request = AWSRequest(probe.method, url + probe.path, data=probe.body or None, headers=headers)
    credentials = Credentials(keys["access_key_id"], keys["secret_access_key"])
    signer = S3SigV4Auth if probe.service == "s3" else SigV4Auth
    signer(credentials, probe.service, region).add_auth(request)
    return request


def _decision(probe: Probe, status: int, body: bytes) -> tuple[Decision | None, str]:
    found = _CODE_RE.search(body)
    code = (found.group(1) or found.group(2)).decode() if found else ""
    if code in _DENIED:
        return "deny", code
    if status < 300 or code in probe.allowed_codes:
        return "allow", code
    return None, code


def run_canary(
    app: Any, url: str, region: str, principals: Mapping[str, Mapping[str, Mapping[str, Any]]]
) -> CanaryResult:
    """Send every probe through ``app``; raise :class:`SandboxError` at the first wrong answer."""
    started = time.perf_counter()
    with _canary_user() as canary_keys:
        _ask(Client(app), url, region, {**principals[SOURCE_ACCOUNT], CANARY_USER: canary_keys})
    return CanaryResult(len(PROBES), time.perf_counter() - started)


def _ask(client: Client, url: str, region: str, users: Mapping[str, Mapping[str, Any]]) -> None:
    for probe in PROBES:
        keys = users[probe.user]
        request = _signed(probe, url, region, keys)
        answer = client.open(
            probe.path,
            base_url=url,
            method=probe.method,
            headers=list(request.headers.items()),
            data=request.body or b"",
        )
        decision, code = _decision(probe, answer.status_code, answer.get_data())
        if decision != probe.expect:
            got = _PAST[decision] if decision else "an unexpected answer"
            expected = _PAST[probe.expect]
            raise SandboxError(
                f"The sandbox's self-check failed, so it will not serve: {probe.service} "
                f"{probe.request} as {probe.user} of {probe.account} should be {expected} "
                f"({probe.why}) but got {got} (HTTP {answer.status_code}"
                f"{' ' + code if code else ''}) with moto {version('moto')}.",
                fix="Install the tested versions with ./run (the lock, requirements.txt); if this "
                "moto is the one you mean to use, the sandbox needs adapting to it (see "
                "xacct_widgets/sandbox/moto_integration/).",
            )
