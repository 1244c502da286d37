"""Every signed request the sandbox serves, decided by the one policy engine, refused as AWS does.

moto calls ``IAMRequestBase.check_action_permitted(resource)`` for each request once it has checked
the signature; :mod:`..moto_integration.patches` routes that call here. This module resolves the
caller, maps the request to its action and resource (:mod:`.request_map`), builds the request
context (:mod:`.request_context`), collects every policy that applies (identity policies,
permissions boundary, session policies, SCPs of the organization, the resource's own policy: a
role's trust policy for ``sts:AssumeRole``, a bucket policy for S3) and asks
:func:`xacct_widgets.policy.decide`.

A refusal answers with the service's own error ("Troubleshoot access denied error messages"):

* IAM, STS and the other query services: HTTP 403 ``AccessDenied``, "User: <arn> is not
  authorized to perform: <action> on resource: <arn> because no <type> allows the <action>
  action" (or "with an explicit deny in a <type>"); ``sts:AssumeRole`` without that last clause,
  as STS words it;
* Organizations (JSON protocol): HTTP 400 ``AccessDeniedException`` with the same message;
* S3: HTTP 403 ``AccessDenied`` "Access Denied" in S3's XML error.

S3 objects are decided here alone (moto's own bucket-policy check is switched off in
:mod:`..moto_integration.patches`). A multi-object delete (``DeleteObjects``) is authorized per
object, as ``s3:DeleteObject`` on each key ("DeleteObjects" API reference: a key the caller may not
delete is reported in the answer's ``Errors`` as ``AccessDenied``): the request itself passes, and
:func:`decide_key` answers for each key while moto deletes them.

``sts:GetCallerIdentity`` and ``sts:GetSessionToken`` need no permission (STS API reference:
"No permissions are required to perform this operation"), even with an explicit deny.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final
from urllib.parse import unquote

from moto.core.exceptions import JsonRESTError
from moto.iam.models import iam_backends
from moto.s3.exceptions import BucketAccessDeniedError, S3AccessDeniedError
from moto.sts.models import sts_backends

from ...policy import Decision, Policy, Principal, decide, parse_policy
from ..accounts import PARTITION
from ..sessions import issued_session
from .denials import AccessDeniedError, assume_role_denied, check_assume_role_caller
from .principals import (
    Caller,
    boundary_of,
    cached_policy,
    identity_policies,
    scp_levels,
    session_policies,
)
from .request_context import build_context
from .request_map import params_of, resource_for
from .s3_actions import s3_action

__all__ = [
    "FREE_ACTIONS",
    "check_request",
    "decide_key",
    "per_key_decisions",
    "resolve_caller",
    "set_current_response",
]

FREE_ACTIONS: Final = frozenset({"sts:GetCallerIdentity", "sts:GetSessionToken"})
_current = threading.local()


def set_current_response(response: Any) -> None:
    """Remember the moto response object handling this thread's request (for its client IP)."""
    _current.response = response
    _current.decided = None  # (caller, params, region) once check_request has resolved them


@contextmanager
def per_key_decisions() -> Iterator[None]:
    """While moto deletes the keys of a multi-object delete: :func:`decide_key` answers."""
    _current.per_key = True
    try:
        yield
    finally:
        _current.per_key = False


def decide_key(action: str, resource: str) -> bool | None:
    """Whether this thread's caller may ``action`` one object ``resource`` of a multi-object
    delete; None outside one (moto's other bucket-policy checks: the request was decided)."""
    decided = getattr(_current, "decided", None)
    if not getattr(_current, "per_key", False) or decided is None:
        return None
    caller, params, region = decided
    return evaluate(caller, action, resource, params=params, region=region).allowed


def _is_bucket_level(resource: str) -> bool:
    return "/" not in resource.partition(":::")[2]


def _source_ip() -> tuple[str, bool]:
    response = getattr(_current, "response", None)
    request = getattr(response, "request", None)
    address = getattr(request, "remote_addr", None) or "127.0.0.1"
    uri = str(getattr(response, "uri", "") or "")
    return str(address), uri.startswith("https")


def resolve_caller(access_key_id: str, account: str, root_account: str | None = None) -> Caller:
    """The principal behind ``access_key_id`` (``root_account`` for a registered root key)."""
    if root_account is not None:
        return Caller(Principal(f"arn:aws:iam::{root_account}:root"), access_key_id)
    userid, arn, owner = sts_backends[account][PARTITION].get_caller_identity(
        access_key_id, "us-east-1"
    )
    role_arn = None
    facts = None
    if ":assumed-role/" in arn:
        role_name = arn.split("/")[1]
        try:
            role_arn = iam_backends[owner][PARTITION].get_role(role_name).arn
        except Exception:  # the role was deleted after the session was issued
            role_arn = f"arn:aws:iam::{owner}:role/{role_name}"
        facts = issued_session(access_key_id)
    return Caller(Principal(arn, role_arn=role_arn, userid=userid), access_key_id, facts)


def _bucket_policy(resource: str) -> tuple[Policy | None, str]:
    """(the bucket policy, the bucket's account) of an S3 ARN."""
    from moto.s3.models import s3_backends

    bucket = resource.split(":::", 1)[-1].split("/", 1)[0]
    located = s3_backends.bucket_accounts.get(bucket)
    if located is None:
        return None, ""
    partition, owner = located
    found = s3_backends[owner][partition].buckets.get(bucket)
    document = getattr(found, "policy", None)
    if not document:
        return None, owner
    if isinstance(document, bytes):
        document = document.decode()
    source = f"bucket policy of {bucket}"
    if isinstance(document, str):
        return cached_policy(document, source), owner
    return parse_policy(document, source), owner


def _trust_policy(role_arn: str) -> tuple[Policy | None, str]:
    parts = role_arn.split(":")
    if len(parts) < 6 or not parts[4].isdigit():
        return None, ""
    try:
        role = iam_backends[parts[4]][PARTITION].get_role_by_arn(role_arn)
    except Exception:
        return None, parts[4]
    document = role.assume_role_policy_document
    source = f"trust policy of {role_arn}"
    if isinstance(document, str):  # IAM's URL-encoded JSON: parsed once per text
        return cached_policy(unquote(document), source), parts[4]
    return parse_policy(document, source), parts[4]


def evaluate(
    caller: Caller,
    action: str,
    resource: str,
    *,
    params: dict[str, str],
    region: str,
    mfa: bool | None = None,
) -> Decision:
    """The engine's decision for one request by ``caller``."""
    source_ip, secure = _source_ip()
    context = build_context(
        caller,
        action,
        resource,
        params=params,
        region=region,
        source_ip=source_ip,
        secure=secure,
        mfa=mfa,
    )
    resource_policy: Policy | None = None
    owner: str | None = None
    if action.lower() == "sts:assumerole":
        resource_policy, owner = _trust_policy(resource)
        if resource_policy is None:  # no such role: nothing trusts the caller
            resource_policy = cached_policy('{"Statement": []}', f"trust policy of {resource}")
    elif action.lower().startswith("s3:") and resource.startswith("arn:aws:s3:::"):
        resource_policy, owner = _bucket_policy(resource)
        owner = owner or caller.account
        if resource_policy is None and owner != caller.account:
            # Another account's bucket without a bucket policy: nothing grants this account.
            resource_policy = cached_policy('{"Statement": []}', "bucket policy (none)")
    return decide(
        context,
        identity=identity_policies(caller.principal),
        resource=resource_policy,
        resource_account=owner,
        scps=scp_levels(caller.account),
        boundary=boundary_of(caller.principal),
        session=session_policies(caller),
    )


def denial_message(caller_arn: str, action: str, resource: str, decision: Decision) -> str:
    """AWS's wording of an access denied error for IAM, STS and most services."""
    message = f"User: {caller_arn} is not authorized to perform: {action} on resource: {resource}"
    if action.lower() == "sts:assumerole" or not decision.denied_by:
        return message
    kind = decision.denied_by
    article = "an" if kind[0] in "aeiou" else "a"
    if decision.decision == "explicitDeny":
        return f"{message} with an explicit deny in {article} {kind}"
    return f"{message} because no {kind} allows the {action} action"


def check_request(request: Any, given_resource: str) -> None:
    """Decide moto's ``IAMRequestBase`` ``request``; raise the service's denial when refused."""
    action: str = request._action
    if action in FREE_ACTIONS:
        return
    service, _, operation = action.partition(":")
    if service == "s3":  # S3's API names are not its IAM actions
        action = s3_action(request._method, request._path, given_resource, action)
        operation = action.partition(":")[2]
    key = request._access_key
    params = params_of(request._data, request._body if service != "s3" else None)
    root = getattr(key, "account_id", None) if type(key).__name__ == "RootAccessKey" else None
    caller = resolve_caller(key._access_key_id, request.account_id, root)
    own_user = caller.principal.name if caller.principal.type == "user" else None
    resource = resource_for(service, operation, params, given_resource, caller.account, own_user)
    _current.decided = (caller, params, request._region)
    if action == "s3:DeleteObject" and _is_bucket_level(resource):
        return  # DeleteObjects: decided per key (decide_key)
    mfa = None
    if service == "sts" and operation == "AssumeRole":
        mfa = check_assume_role_caller(caller.principal, params)
    decision = evaluate(caller, action, resource, params=params, region=request._region, mfa=mfa)
    if decision.allowed:
        return
    if service == "s3":
        bucket = params.get("BucketName")
        raise BucketAccessDeniedError(bucket=bucket) if bucket else S3AccessDeniedError()
    if service == "sts" and operation == "AssumeRole":
        raise assume_role_denied(caller.principal.arn, resource)
    message = denial_message(caller.principal.arn, action, resource, decision)
    if service == "organizations":
        raise JsonRESTError("AccessDeniedException", message)
    raise AccessDeniedError("AccessDenied", message)
