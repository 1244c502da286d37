"""What a sandbox console session is, and its "Switch Role": a real AssumeRole to the sandbox.

The switch is not decided here: it is an ``sts:AssumeRole`` sent over HTTP to this very sandbox
with the console session's credentials (boto3, the sandbox's own config file), so the caller's
identity policies, the role's trust policy, MFA and the chaining rules apply exactly as they do
to any other request (:mod:`..decision.enforce`, :mod:`..decision.sts_limits`). A console
session signed in with MFA passes the device and the sandbox's code, as the console carries MFA
into a switch ("Switch to an IAM role (console)",
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-console.html).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import boto3
import botocore.session
from botocore.exceptions import BotoCoreError, ClientError

from ...core.colors import CONSOLE_COLORS
from ..accounts import SANDBOX_MFA_CODE
from ..remote import PROFILE, ca_bundle_of, config_file
from ..sessions import issued_session
from .pages import HistoryLink

__all__ = ["ActiveConsoleRole", "ConsoleSession", "Keys", "assume_as", "switch_values"]


@dataclass(frozen=True)
class Keys:
    """Credentials the console acts with (never rendered, logged or put in the cookie)."""

    access_key_id: str
    secret: str = field(repr=False)
    token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ActiveConsoleRole:
    """The role switched to: what the console shows, and the role session's credentials."""

    account_id: str
    role_name: str
    identity_arn: str
    display_name: str | None
    color: str | None
    keys: Keys
    expires_at: datetime
    url: str  # its switch-role link, for the console's role history


@dataclass(frozen=True)
class ConsoleSession:
    """One signed-in browser: who signed in, with which credentials, and the active role."""

    account_id: str
    principal: str  # "operator", or "cross-account/operator" for a federated role session
    arn: str
    keys: Keys
    expires_at: datetime
    session_name: str
    mfa_serial: str | None = None  # signed in with MFA: switches carry it
    role_name: str | None = None  # set for a federated (role) session
    active: ActiveConsoleRole | None = None
    history: tuple[HistoryLink, ...] = ()


def _color(value: str) -> str:
    text = value.strip().lstrip("#")
    for name, hexcode in CONSOLE_COLORS.items():
        if text.lower() in (name.lower(), hexcode.lower()):
            return hexcode
    return ""


def switch_values(form: dict[str, str]) -> dict[str, str]:
    """The form's fields from a switch-role URL's query or a posted form, tidied."""
    account = form.get("account", "").strip()
    return {
        "account": account.replace("-", "") if account.replace("-", "").isdigit() else account,
        "roleName": form.get("roleName", "").strip(),
        "displayName": form.get("displayName", "").strip()[:64],
        "color": _color(form.get("color", "")),
    }


def _role_arn(account: str, role: str) -> str | None:
    """The role's ARN; the Role field may carry a path (``division/role``)."""
    if not (len(account) == 12 and account.isdigit()) or not role or role.startswith("/"):
        return None
    return f"arn:aws:iam::{account}:role/{role}"


def _sts(keys: Keys, endpoint: str, region: str) -> Any:
    core = botocore.session.Session()
    core.set_config_variable("config_file", str(config_file(endpoint, region)))
    core.set_config_variable("credentials_file", os.devnull)
    core.set_config_variable("profile", PROFILE)
    ca_bundle = ca_bundle_of(endpoint)
    if ca_bundle:  # Sandbox(tls=True): over an AWS_CA_BUNDLE the environment may name
        core.set_config_variable("ca_bundle", ca_bundle)
    core.set_credentials(keys.access_key_id, keys.secret, keys.token)
    return boto3.Session(botocore_session=core, region_name=region).client("sts")


def assume_as(
    session: ConsoleSession, values: dict[str, str], endpoint: str, region: str
) -> ActiveConsoleRole | tuple[str, str]:
    """Switch ``session`` into the role of ``values``: the new active role, or (HTTP status,
    AWS's error code and message) when the sandbox refuses."""

    arn = _role_arn(values["account"], values["roleName"])
    if arn is None:
        return "400 Bad Request", "Enter a 12-digit account ID and a role name."
    request: dict[str, Any] = {"RoleArn": arn, "RoleSessionName": session.session_name}
    if session.mfa_serial:
        request.update(SerialNumber=session.mfa_serial, TokenCode=SANDBOX_MFA_CODE)
    try:
        answer = _sts(session.keys, endpoint, region).assume_role(**request)
    except ClientError as err:
        error = err.response.get("Error", {})
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
        return f"{status} Refused", f"{error.get('Code', 'Error')}: {error.get('Message', '')}"
    except BotoCoreError as err:
        return "502 Bad Gateway", str(err)
    credentials = answer["Credentials"]
    issued = issued_session(credentials["AccessKeyId"])  # its expiry on the sandbox clock
    expires = issued.expires_at if issued else credentials["Expiration"]
    link = {"roleName": values["roleName"], "account": values["account"]}
    link.update({k: values[k] for k in ("displayName", "color") if values[k]})
    return ActiveConsoleRole(
        account_id=values["account"],
        role_name=values["roleName"].split("/")[-1],
        identity_arn=answer["AssumedRoleUser"]["Arn"],
        display_name=values["displayName"] or None,
        color=values["color"] or None,
        keys=Keys(
            credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
        ),
        expires_at=expires if expires.tzinfo else expires.replace(tzinfo=UTC),
        url=f"/switchrole?{urlencode(link)}",
    )
