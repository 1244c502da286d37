"""The request context of one sandbox request, as "AWS global condition context keys" defines it.

Built per request from the caller and the HTTP request. What is *absent* is deliberate:
``aws:MultiFactorAuthPresent`` and ``aws:MultiFactorAuthAge`` are absent for long-term access
keys (AWS leaves them out; "false" would change ``Bool``/``BoolIfExists``/``Null`` answers),
``aws:username`` exists only for IAM users, ``aws:PrincipalOrgID`` only for members of an
organization, ``aws:TokenIssueTime`` only for temporary credentials.

``aws:RequestedRegion`` is the Region the request is sent to, not the one it is signed for:
"Some global services, such as IAM, have a single endpoint. Because this endpoint is physically
located in the US East (N. Virginia) Region, IAM calls are always made to the us-east-1 Region"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion).
A client of the sandbox signs with its own Region (botocore signs for the client's Region when
given an endpoint URL), so the services with one endpoint per partition (botocore's endpoint
data: IAM, Organizations, Route 53, CloudFront...) get their endpoint's Region instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache

from ...policy import ContextValue, RequestContext
from ..clock import CLOCK
from .principals import Caller, org_id, principal_tags
from .request_map import Params

__all__ = ["build_context", "request_keys", "requested_region"]

_ISO = "%Y-%m-%dT%H:%M:%SZ"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_ISO)


@lru_cache(maxsize=1)
def _global_endpoint_regions() -> dict[str, str]:
    """Service -> the Region of its one endpoint, for the services with one per partition (the
    ``aws`` partition of botocore's ``endpoints.json``: not regionalized, a credential scope)."""
    import botocore.loaders

    data = botocore.loaders.create_loader().load_data("endpoints")
    found: dict[str, str] = {}
    for partition in data["partitions"]:
        if partition["partition"] != "aws":
            continue
        for name, service in partition["services"].items():
            if service.get("isRegionalized", True):
                continue
            endpoint = service.get("endpoints", {}).get(service.get("partitionEndpoint", ""), {})
            region = endpoint.get("credentialScope", {}).get("region")
            if region:
                found[name] = region
    return found


def requested_region(service: str, signed_region: str) -> str:
    """``aws:RequestedRegion`` of a request to ``service`` signed for ``signed_region``."""
    return _global_endpoint_regions().get(service, signed_region)


def request_keys(
    caller: Caller,
    *,
    region: str,
    source_ip: str,
    secure: bool,
    now: datetime | None = None,
    mfa: bool | None = None,
) -> dict[str, ContextValue]:
    """The global keys for ``caller``'s request. ``mfa`` overrides the session's MFA state (an
    AssumeRole or GetSessionToken request that carries an MFA code)."""
    now = now or CLOCK.now()  # the sandbox's clock: advance_clock moves these keys too
    keys: dict[str, ContextValue] = {
        "aws:CurrentTime": _iso(now),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:SourceIp": source_ip,
        "aws:SecureTransport": secure,
        "aws:RequestedRegion": region,
        "aws:ViaAWSService": False,
    }
    principal = caller.principal  # aws:username, aws:userid...: Principal.context_keys
    session = caller.session
    if session is not None:
        keys["aws:TokenIssueTime"] = _iso(session.issued_at)
        keys["aws:MultiFactorAuthPresent"] = session.mfa_at is not None
        if session.mfa_at is not None:
            keys["aws:MultiFactorAuthAge"] = str(int((now - session.mfa_at).total_seconds()))
    if mfa is not None:
        keys["aws:MultiFactorAuthPresent"] = mfa
        if mfa:
            keys["aws:MultiFactorAuthAge"] = "0"
    organization = org_id(principal.account)
    if organization:
        keys["aws:PrincipalOrgID"] = organization
    for key, value in principal_tags(caller).items():
        keys[f"aws:PrincipalTag/{key}"] = value
    return keys


def _service_keys(service: str, operation: str, params: Params) -> dict[str, ContextValue]:
    """Service-specific keys the sandbox knows (IAM's and STS's user guides)."""
    keys: dict[str, ContextValue] = {}
    if service == "sts" and operation == "AssumeRole":
        if "ExternalId" in params:
            keys["sts:ExternalId"] = params["ExternalId"]
        if "RoleSessionName" in params:
            keys["sts:RoleSessionName"] = params["RoleSessionName"]
        if "SourceIdentity" in params:
            keys["sts:SourceIdentity"] = params["SourceIdentity"]
        if "DurationSeconds" in params:
            keys["sts:DurationSeconds"] = params["DurationSeconds"]
    if service == "iam":
        if "PolicyArn" in params and operation.startswith(("Attach", "Detach")):
            keys["iam:PolicyARN"] = params["PolicyArn"]
        if "PermissionsBoundary" in params:
            keys["iam:PermissionsBoundary"] = params["PermissionsBoundary"]
    tags = _request_tags(params)
    if tags:
        for key, value in tags.items():
            keys[f"aws:RequestTag/{key}"] = value
        keys["aws:TagKeys"] = tuple(tags)
    return keys


def _request_tags(params: Params) -> dict[str, str]:
    """``Tags.member.N.Key/Value`` (query protocol) as a dict."""
    tags: dict[str, str] = {}
    for name, value in params.items():
        if name.startswith("Tags.member.") and name.endswith(".Key"):
            stem = name.removesuffix(".Key")
            tags[value] = params.get(f"{stem}.Value", "")
    return tags


def build_context(
    caller: Caller,
    action: str,
    resource: str,
    *,
    params: Params,
    region: str,
    source_ip: str,
    secure: bool,
    mfa: bool | None = None,
    extra: Mapping[str, ContextValue] | None = None,
) -> RequestContext:
    """The full context of one request: global keys, the service's keys, and ``extra``.
    ``region`` is the Region the request was signed for."""
    service, _, operation = action.partition(":")
    region = requested_region(service, region)
    keys = request_keys(caller, region=region, source_ip=source_ip, secure=secure, mfa=mfa)
    keys.update(_service_keys(service, operation, params))
    keys.update(extra or {})
    return RequestContext(action, resource, caller.principal, keys)
