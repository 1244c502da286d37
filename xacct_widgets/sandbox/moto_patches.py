"""The few places where the sandbox changes moto, kept in one module so an upgrade breaks loudly.

Each patch checks that the moto attribute it replaces still exists and refuses to install
otherwise (``tests/sandbox/test_enforcement.py`` then fails), rather than silently enforcing
nothing. What is patched:

* ``IAMRequestBase.check_action_permitted``: moto's own identity-policy check (no conditions, no
  boundaries, no session policies, IAM actions on ``*`` only) is replaced by
  :func:`.enforce.check_request`, which decides every signed request of every service with the
  project's one policy engine (:mod:`xacct_widgets.policy`), the target role's trust policy
  included for ``sts:AssumeRole``.
* ``ActionAuthenticatorMixin._authenticate_and_authorize_action``: remembers which request is
  being decided (for ``aws:SourceIp``).
* ``STSResponse.assume_role``: records what the new session carries (session policies, MFA,
  session tags) for later requests made with it.
* ``IamResponse`` gains ``SimulatePrincipalPolicy``, ``SimulateCustomPolicy`` and
  ``Put/DeleteUserPermissionsBoundary`` (:mod:`.simulate`), which moto answers with HTTP 500.
* ``access_control.create_access_key`` / ``STSBackend.get_caller_identity``: an account's root
  user, which moto does not model, acts through keys registered with :func:`register_root_key`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam import access_control
from moto.iam.access_control import IAMRequestBase
from moto.iam.models import AccessKey, iam_backends
from moto.iam.responses import IamResponse
from moto.sts.models import STSBackend
from moto.sts.responses import TokenResponse

from ..errors import SandboxError
from . import enforce, simulate
from .denials import SANDBOX_MFA_CODE, AccessDeniedError
from .principals import PARTITION, SessionFacts, forget_sessions, record_session
from .request_map import params_of

__all__ = [
    "PARTITION",
    "SANDBOX_MFA_CODE",
    "AccessDeniedError",
    "forget_root_keys",
    "install",
    "register_root_key",
]

_ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
_root_keys: dict[str, str] = {}  # access key id -> account id
_lock = threading.Lock()
_installed = False


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
    """Forget the root keys and the recorded sessions (the sandbox is being reset)."""
    with _lock:
        _root_keys.clear()
    forget_sessions()


def _record_session(response: TokenResponse, answer: Any) -> None:
    """Remember the session policies, MFA state and tags AssumeRole gave the new session."""
    session = getattr(answer, "result", {}).get("Credentials")
    key_id = getattr(session, "access_key_id", None)
    if key_id is None:
        return
    params = params_of(response.querystring, None)
    arns = tuple(v for k, v in sorted(params.items()) if k.startswith("PolicyArns.member."))
    tags = {
        v: params.get(k.removesuffix(".Key") + ".Value", "")
        for k, v in params.items()
        if k.startswith("Tags.member.") and k.endswith(".Key")
    }
    mfa = bool(params.get("SerialNumber") and params.get("TokenCode"))
    record_session(
        key_id,
        SessionFacts(
            issued_at=datetime.now(UTC),
            policy=params.get("Policy"),
            policy_arns=arns,
            mfa_at=datetime.now(UTC) if mfa else None,
            tags=tags,
        ),
    )


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
        _require(IAMRequestBase, "check_action_permitted")
        _require(IamResponse, "create_user")
        original_authorize = _require(
            ActionAuthenticatorMixin, "_authenticate_and_authorize_action"
        )
        for name in ("_access_key", "_action", "_data", "_body", "_region"):
            if name not in IAMRequestBase.__init__.__code__.co_names:
                raise SandboxError(
                    f"moto's IAMRequestBase no longer sets {name}: this moto version is not one "
                    "the sandbox's enforcement was built for.",
                    fix="Install the moto range pinned in pyproject.toml.",
                )

        def assume_role(self: TokenResponse) -> Any:
            answer = original_assume_role(self)
            _record_session(self, answer)
            return answer

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

        def authorize(self: Any, iam_request_cls: type, resource: str = "*") -> None:
            enforce.set_current_response(self)
            original_authorize(self, iam_request_cls, resource)

        def check_action_permitted(self: IAMRequestBase, resource: str) -> None:
            enforce.check_request(self, resource)

        TokenResponse.assume_role = assume_role  # type: ignore[method-assign]
        access_control.create_access_key = create_access_key
        STSBackend.get_caller_identity = get_caller_identity  # type: ignore[method-assign]
        ActionAuthenticatorMixin._authenticate_and_authorize_action = authorize  # type: ignore[method-assign]
        IAMRequestBase.check_action_permitted = check_action_permitted  # type: ignore[method-assign]
        simulate.install(IamResponse)
        _installed = True
