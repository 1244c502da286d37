"""A request -> the (action, resource ARN) AWS authorizes it as, for the sandbox's services.

The action is ``service:Operation`` (S3 requests get their IAM action from :mod:`.s3_actions`,
``s3:ListBucket`` for ListObjectsV2). The resource follows each service's "Actions, resources,
and condition keys" page (Service Authorization Reference):

* **IAM**: the user, role, group, instance profile, policy or MFA device the request names
  (with its path, as IAM's ARNs carry it); user operations without ``UserName`` act on the
  caller's own user; ``List*`` operations on the path prefix (``arn:aws:iam::ID:user/``, as
  AWS's denial messages show it); account-level operations on ``*``.
* **STS**: ``AssumeRole`` on the role ARN; everything else on ``*``.
* **S3**: the bucket or object ARN moto computes.
* **Organizations** and every other service: ``*`` (a safe default: a policy that scopes these
  services by resource ARN is then stricter in the sandbox than in AWS, never looser).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from moto.iam.models import iam_backends

from ..accounts import PARTITION

__all__ = ["Params", "iam_resource", "params_of", "resource_for"]

Params = Mapping[str, str]

#: User-scoped IAM operations that act on the caller's own user when ``UserName`` is omitted.
_SELF_USER_ACTIONS: Final = frozenset(
    {
        "GetUser",
        "CreateAccessKey",
        "ListAccessKeys",
        "UpdateAccessKey",
        "DeleteAccessKey",
        "ListMFADevices",
        "ChangePassword",
        "ListSigningCertificates",
        "ListSSHPublicKeys",
        "ListServiceSpecificCredentials",
        "GetLoginProfile",
    }
)
_LIST_PREFIX: Final = {
    "ListUsers": "user",
    "ListRoles": "role",
    "ListGroups": "group",
    "ListPolicies": "policy",
    "ListInstanceProfiles": "instance-profile",
}


def params_of(data: Any, body: bytes | str | None) -> dict[str, str]:
    """The request's parameters, first value each: query/form parameters, or a JSON body."""
    found: dict[str, str] = {}
    if isinstance(data, Mapping):
        for key, value in data.items():
            if isinstance(value, list):
                value = value[0] if value else ""
            if isinstance(value, str):
                found[str(key)] = value
    if body:
        try:
            loaded = json.loads(body)
        except (ValueError, TypeError):
            loaded = None
        if isinstance(loaded, dict):
            found.update({k: v for k, v in loaded.items() if isinstance(v, str)})
    return found


def _path_of(account: str, kind: str, name: str) -> str:
    backend = iam_backends[account][PARTITION]
    try:
        if kind == "user":
            return str(backend.get_user(name).path)
        if kind == "role":
            return str(backend.get_role(name).path)
        if kind == "group":
            return str(backend.get_group(name).path)
        if kind == "instance-profile":
            return str(backend.get_instance_profile(name).path)
    except Exception:
        pass
    return "/"


def iam_resource(account: str, kind: str, name: str, path: str | None = None) -> str:
    """``arn:aws:iam::ACCOUNT:kind/path/name``; the path is read from IAM when not given."""
    path = path if path is not None else _path_of(account, kind, name)
    if not path.startswith("/"):
        path = "/" + path
    if not path.endswith("/"):
        path += "/"
    return f"arn:aws:iam::{account}:{kind}{path}{name}"


def _iam(operation: str, params: Params, account: str, caller_user: str | None) -> str:
    if operation == "SimulatePrincipalPolicy":
        return params.get("PolicySourceArn", "*")
    if operation in _LIST_PREFIX:
        prefix = params.get("PathPrefix", "/")
        return iam_resource(account, _LIST_PREFIX[operation], "", prefix)
    if "InstanceProfileName" in params:
        return iam_resource(account, "instance-profile", params["InstanceProfileName"])
    if "UserName" in params:
        return iam_resource(account, "user", params["UserName"], params.get("Path"))
    if "RoleName" in params:
        return iam_resource(account, "role", params["RoleName"], params.get("Path"))
    if "GroupName" in params:
        return iam_resource(account, "group", params["GroupName"], params.get("Path"))
    if "PolicyArn" in params:
        return params["PolicyArn"]
    if operation == "CreatePolicy" and "PolicyName" in params:
        return iam_resource(account, "policy", params["PolicyName"], params.get("Path", "/"))
    if operation == "CreateVirtualMFADevice" and "VirtualMFADeviceName" in params:
        name = params["VirtualMFADeviceName"]
        return iam_resource(account, "mfa", name, params.get("Path", "/"))
    if "SerialNumber" in params and params["SerialNumber"].startswith("arn:"):
        return params["SerialNumber"]
    if operation in _SELF_USER_ACTIONS and caller_user:
        return iam_resource(account, "user", caller_user)
    return "*"


def resource_for(
    service: str, operation: str, params: Params, given: str, account: str, caller_user: str | None
) -> str:
    """The resource ARN of a request (``given`` is what moto passed: S3's ARN, or ``*``)."""
    if service == "iam":
        return _iam(operation, params, account, caller_user)
    if service == "sts":
        if operation == "AssumeRole":
            return params.get("RoleArn", given)
        return "*"
    if service == "s3":
        return given
    return "*"
