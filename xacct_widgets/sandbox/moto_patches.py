"""The few places where the sandbox changes moto, kept in one module so an upgrade breaks loudly.

Each patch checks that the moto attribute it replaces still exists and refuses to install
otherwise (``tests/sandbox/test_enforcement.py`` then fails), rather than silently enforcing
nothing. What is patched:

* ``STSResponse.assume_role``: evaluates the target role's trust policy with the project's one
  policy engine (:mod:`xacct_widgets.policy`) and the request context (caller, ExternalId, MFA,
  session name), refuses root callers and missing roles, and answers a denial as AWS does
  (403 ``AccessDenied``, "User: ... is not authorized to perform ...").
* ``IAMRequestBase._check_role_trust_relationship``: moto's own partial same-account trust check
  (which wrongly denies ``account:root`` principals) defers to the evaluation above.
* ``access_control.create_access_key`` / ``STSBackend.get_caller_identity``: an account's root
  user, which moto does not model, acts through keys registered with :func:`register_root_key`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import unquote

from moto.core.exceptions import AccessDeniedError as MotoAccessDenied
from moto.iam import access_control
from moto.iam.access_control import IAMRequestBase
from moto.iam.models import AccessKey, iam_backends
from moto.sts.models import STSBackend, sts_backends
from moto.sts.responses import TokenResponse

from ..errors import SandboxError
from ..policy import Principal, assume_role_context, evaluate_resource_policy, parse_policy

PARTITION = "aws"
#: The one TOTP code the sandbox accepts for its virtual MFA devices.
SANDBOX_MFA_CODE = "123456"

_ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
_root_keys: dict[str, str] = {}  # access key id -> account id
_lock = threading.Lock()
_installed = False


class AccessDeniedError(MotoAccessDenied):
    """HTTP 403 ``AccessDenied`` with AWS's own wording (STS's model has no shape for it)."""

    def __init__(self, code: str, message: str) -> None:
        super(MotoAccessDenied, self).__init__(code, message)


def _denied(caller_arn: str, role_arn: str) -> AccessDeniedError:
    return AccessDeniedError(
        "AccessDenied",
        f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
    )


class _RootAccessKey:
    """Stands in for moto's IAMUserAccessKey when the root user signs a request."""

    def __init__(self, account_id: str, access_key_id: str) -> None:
        self.account_id = account_id
        key = iam_backends[account_id][PARTITION].access_keys[access_key_id]
        self._access_key_id = access_key_id
        self._secret_access_key = key.secret_access_key

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:root"

    def create_credentials(self) -> Any:
        from botocore.credentials import Credentials

        return Credentials(self._access_key_id, self._secret_access_key)

    def collect_policies(self) -> list[str]:
        return [_ALLOW_ALL]


def register_root_key(account_id: str) -> AccessKey:
    """Issue long-term keys for ``account_id``'s root user (moto has no such principal)."""
    backend = iam_backends[account_id][PARTITION]
    key = AccessKey(user_name=None, prefix="AKIA", account_id=account_id)  # type: ignore[abstract]
    backend.access_keys[key.access_key_id] = key  # lets moto resolve the key to its account
    with _lock:
        _root_keys[key.access_key_id] = account_id
    return key


def forget_root_keys() -> None:
    with _lock:
        _root_keys.clear()


def _caller(response: TokenResponse) -> Principal:
    key_id = response.get_access_key()
    account = response.current_account
    if key_id in _root_keys:
        return Principal(f"arn:aws:iam::{_root_keys[key_id]}:root")
    _, arn, account = sts_backends[account][PARTITION].get_caller_identity(key_id, response.region)
    role_arn = None
    if ":assumed-role/" in arn:
        role_name = arn.split("/")[1]
        try:
            role_arn = iam_backends[account][PARTITION].get_role(role_name).arn
        except Exception:  # the role was deleted after the session was issued
            role_arn = f"arn:aws:iam::{account}:role/{role_name}"
    return Principal(arn, role_arn=role_arn)


def _mfa(response: TokenResponse, caller: Principal) -> bool | None:
    """``aws:MultiFactorAuthPresent``: true with a valid code; for long-term keys without one AWS
    leaves the key out, for temporary credentials it is false."""
    serial = response._get_param("SerialNumber")
    code = response._get_param("TokenCode")
    if not serial and not code:
        return False if caller.type == "assumed-role" else None
    devices = set()
    if caller.type == "user":
        user = iam_backends[caller.account][PARTITION].get_user(caller.name)
        devices = set(user.mfa_devices)
    if serial not in devices or code != SANDBOX_MFA_CODE:
        raise AccessDeniedError(
            "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code."
        )
    return True


def _check_assume_role(response: TokenResponse) -> None:
    role_arn = response._get_param("RoleArn") or ""
    caller = _caller(response)
    if caller.is_root:
        raise AccessDeniedError("AccessDenied", "Roles may not be assumed by root accounts.")
    parts = role_arn.split(":")
    if len(parts) < 6 or not parts[4].isdigit():
        raise _denied(caller.arn, role_arn)
    try:
        role = iam_backends[parts[4]][PARTITION].get_role_by_arn(role_arn)
    except Exception:
        raise _denied(caller.arn, role_arn) from None
    document = role.assume_role_policy_document
    if isinstance(document, str):
        document = json.loads(unquote(document))
    context = assume_role_context(
        caller,
        role_arn,
        external_id=response._get_param("ExternalId"),
        session_name=response._get_param("RoleSessionName"),
        mfa=_mfa(response, caller),
    )
    trust = parse_policy(document, source=f"trust policy of {role_arn}")
    if not evaluate_resource_policy(trust, context).allowed:
        raise _denied(caller.arn, role_arn)


def _enforcing() -> bool:
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    return bool(ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT)


def _require(owner: Any, name: str) -> Callable[..., Any]:
    original = getattr(owner, name, None)
    if not callable(original):
        raise SandboxError(
            f"moto's {getattr(owner, '__name__', owner)}.{name} is gone: this moto version is not "
            "one the sandbox's trust-policy enforcement was built for.",
            fix="Install the moto range pinned in pyproject.toml.",
        )
    return cast(Callable[..., Any], original)


def install() -> None:
    """Patch moto once per process; idempotent."""
    global _installed
    with _lock:
        if _installed:
            return
        original_assume_role = _require(TokenResponse, "assume_role")
        original_create_key = _require(access_control, "create_access_key")
        original_identity = _require(STSBackend, "get_caller_identity")
        _require(IAMRequestBase, "_check_role_trust_relationship")
        original_check = _require(IAMRequestBase, "check_action_permitted")

        def assume_role(self: TokenResponse) -> Any:
            if _enforcing():
                _check_assume_role(self)
            return original_assume_role(self)

        def create_access_key(
            account_id: str, partition: str, access_key_id: str, headers: dict[str, str]
        ) -> Any:
            if access_key_id in _root_keys:
                return _RootAccessKey(_root_keys[access_key_id], access_key_id)
            return original_create_key(account_id, partition, access_key_id, headers)

        def get_caller_identity(self: STSBackend, access_key_id: str, region: str) -> Any:
            if access_key_id in _root_keys:
                account = _root_keys[access_key_id]
                return account, f"arn:aws:iam::{account}:root", account
            return original_identity(self, access_key_id, region)

        def check_action_permitted(self: IAMRequestBase, resource: str) -> None:
            try:
                original_check(self, resource)
            except MotoAccessDenied:
                if self._action != "sts:AssumeRole":
                    raise
                # AWS names the role in an identity-policy denial too; moto leaves it out.
                raise _denied(self._access_key.arn, resource) from None

        def check_role_trust_relationship(self: IAMRequestBase, role_arn: str) -> bool:
            return True  # decided in assume_role above, for every account alike

        TokenResponse.assume_role = assume_role  # type: ignore[method-assign]
        access_control.create_access_key = create_access_key
        STSBackend.get_caller_identity = get_caller_identity  # type: ignore[method-assign]
        IAMRequestBase._check_role_trust_relationship = check_role_trust_relationship  # type: ignore[method-assign]
        IAMRequestBase.check_action_permitted = check_action_permitted  # type: ignore[method-assign]
        _installed = True
