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
* Three lookups moto repeats on every request, made constant-time (same answers): which account
  an access key belongs to (``iam.models.get_account_id_from`` scans every account and
  partition, creating the IAM backends of partitions nobody uses, ~2 ms each: with hundreds of
  member accounts it was most of a request's server CPU, growing with the accounts), whether an
  account's backend exists (``BackendDict._create_account_specific_backend`` lists every account
  under a global lock, ~10 times per request), and the list of moto's service packages
  (``backends.list_of_moto_modules`` lists the installed directory twice per request). And the
  serializer's timestamps (``core.serialize.parse_to_aware_datetime`` reads each stored ISO
  time with dateutil, ~0.1 ms, twice per bucket list) go through the fan-out's exact ISO reader
  (:func:`xacct_widgets.core.query.timestamps.iso_timestamp`).
* ``FakeBucket.get_permission``: moto's own bucket-policy check, which S3's object GET, PUT,
  HEAD, DELETE and POST (``S3Response._key_response``) and each key of a multi-object delete
  consult besides the authorization above. It reads Action and Resource only, ignoring
  ``Principal`` and ``Condition``: a Deny whose condition is false, or that names someone else,
  still refused with an empty 403. While the sandbox enforces it answers NEUTRAL, so the engine
  (which reads the bucket policy in :func:`.enforce.evaluate`) is the only decider ("Policy
  evaluation logic", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html;
  "Examples of Amazon S3 bucket policies",
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html), except
  within ``S3Response._bucket_response_delete_keys``, where it is the engine's decision for that
  one key (DeleteObjects is authorized per object, :func:`.enforce.decide_key`).
* ``BaseIAMPolicyValidator._validate_resource_format``: moto refuses an IAM resource whose
  resource part is ``*`` (``arn:aws:iam::*:*``, ``arn:aws:iam::ACCOUNT:*``) or ``root``, with
  IAM's message 'IAM resource path must either be "*" or start with user/, ...' that itself
  allows ``*``; AWS managed policies use both (CloudFrontFullAccess: ``iam:ListRoles`` on
  ``arn:aws:iam::*:*``; IAMAuditRootUserCredentials: ``arn:aws:iam::*:root``). Those two are
  accepted; every other resource goes through moto's check (region, partition, path prefixes).
* ``iam.models.User.__init__``: a user's unique ID is IAM's ``AIDA`` + 17 characters (moto makes
  20 lower-case ones), so ``GetUser``/``GetCallerIdentity`` ``UserId`` and ``aws:userid`` are
  what IAM gives ("IAM identifiers", unique ID prefixes; the principal table of
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable).
* ``IAMBackend.delete_user`` / ``delete_role``: the deleted principal's ARN in every role trust
  policy and bucket policy becomes its unique ID, as IAM shows it, so the policy's other
  principals keep working and a new principal of the same name is not trusted
  (:mod:`.deleted_principals`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Callable
from typing import Any, cast

import moto.backends
import moto.core.serialize
import moto.iam.models
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.base_backend import BackendDict
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.iam import access_control
from moto.iam.access_control import IAMRequestBase, PermissionResult
from moto.iam.models import AccessKey, IAMBackend, User, iam_backends
from moto.iam.policy_validation import BaseIAMPolicyValidator
from moto.iam.responses import IamResponse
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response
from moto.sts.models import STSBackend
from moto.sts.responses import TokenResponse
from moto.utilities.utils import PARTITION_NAMES

from ..core.query.timestamps import iso_timestamp
from ..errors import SandboxError
from . import deleted_principals, enforce, simulate
from .clock import CLOCK
from .denials import AccessDeniedError
from .hooks import enforcing
from .principals import PARTITION, SessionFacts, forget_sessions, record_session
from .request_map import params_of

__all__ = [
    "PARTITION",
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
        _key_accounts.clear()
    forget_sessions()


def _record_session(response: TokenResponse, answer: Any) -> None:
    """Remember the session policies, MFA state and tags AssumeRole gave the new session."""
    session = getattr(answer, "result", {}).get("Credentials")
    key_id = getattr(session, "access_key_id", None)
    if key_id is None:
        return
    account, partition = getattr(session, "account_id", None), getattr(session, "partition", None)
    if isinstance(account, str) and isinstance(partition, str):
        _key_accounts[key_id] = (account, partition)  # checked on use, like every entry
    params = params_of(response.querystring, None)
    arns = tuple(v for k, v in sorted(params.items()) if k.startswith("PolicyArns.member."))
    tags = {
        v: params.get(k.removesuffix(".Key") + ".Value", "")
        for k, v in params.items()
        if k.startswith("Tags.member.") and k.endswith(".Key")
    }
    mfa = bool(params.get("SerialNumber") and params.get("TokenCode"))
    issued_at = CLOCK.now()  # the sandbox's clock, which the request context reads too
    record_session(
        key_id,
        SessionFacts(
            issued_at=issued_at,
            policy=params.get("Policy"),
            policy_arns=arns,
            mfa_at=issued_at if mfa else None,
            tags=tags,
        ),
    )


_key_accounts: dict[str, tuple[str, str]] = {}  # access key id -> (account, partition)


def _known_account(backends: BackendDict[Any], account_id: str) -> bool:
    """True when moto's ``BackendDict._create_account_specific_backend`` would do nothing: the
    account's backend exists and the dict is registered for reset. That method lists every
    account under a global lock on each ``backends[account]`` (~10 per request)."""
    registered: list[Any] = vars(BackendDict)["_instances"]
    return dict.__contains__(backends, account_id) and any(k is backends for k in registered)


def _key_account(access_key: str) -> str:
    """The account holding ``access_key`` (moto's ``get_account_id_from``), from an index.

    An indexed answer is checked against the backend on every use, so a deleted key or a reset
    sandbox falls back to the scan. The scan looks only at backends that exist (a key cannot be
    in one that does not); unknown keys answer moto's default account and are not indexed.
    """
    found = _key_accounts.get(access_key)
    if found is not None:
        account = dict.get(iam_backends, found[0])
        backend = dict.get(account, found[1]) if account is not None else None
        if backend is not None and access_key in backend.access_keys:
            return found[0]
        _key_accounts.pop(access_key, None)
    for account_id, account in list(dict.items(iam_backends)):
        for partition in PARTITION_NAMES:
            backend = dict.get(account, partition)
            if backend is not None and access_key in backend.access_keys:
                _key_accounts[access_key] = (account_id, partition)
                return str(account_id)
    return DEFAULT_ACCOUNT_ID


def _require(owner: Any, name: str) -> Callable[..., Any]:
    original = getattr(owner, name, None)
    if not callable(original):
        raise SandboxError(
            f"moto's {getattr(owner, '__name__', owner)}.{name} is gone: this moto version is not "
            "one the sandbox's trust-policy enforcement was built for.",
            fix="Install the moto range pinned in pyproject.toml.",
        )
    return cast(Callable[..., Any], original)


def _accepted_iam_resource(resource: str) -> bool:
    """``arn:PARTITION:iam::ACCOUNT-or-*:*`` or ``...:root``: an IAM resource IAM accepts and
    moto's resource-path check refuses."""
    parts = resource.split(":", 5)
    return (
        len(parts) == 6
        and parts[0] == "arn"
        and parts[1] in PARTITION_NAMES
        and parts[2] == "iam"
        and parts[3] == ""
        and parts[5] in ("*", "root")
    )


def _iam_user_id(account_id: str, moto_id: str) -> str:
    """``AIDA`` + 17 base32 characters derived from moto's random ID: unique as moto's is, and
    drawing nothing more from moto's seeded random source, so the sandbox's later IDs (member
    accounts, roles) stay what the notebooks' checked outputs show."""
    digest = hashlib.sha256(f"{account_id}:{moto_id}".encode()).digest()
    return "AIDA" + base64.b32encode(digest).decode()[:17]


def _s3_and_iam_corrections() -> Callable[[], None]:
    """The bucket-policy check, the IAM resource check, user IDs and deletions (see above):
    every moto attribute required first, then a function that installs the patches."""
    original_permission = _require(FakeBucket, "get_permission")
    original_delete_keys = _require(S3Response, "_bucket_response_delete_keys")
    original_resource_format = _require(BaseIAMPolicyValidator, "_validate_resource_format")
    original_user_init = _require(User, "__init__")
    original_delete_user = _require(IAMBackend, "delete_user")
    original_delete_role = _require(IAMBackend, "delete_role")

    def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
        if not enforcing():
            return original_permission(self, action, resource)
        allowed = enforce.decide_key(action, resource)
        return PermissionResult.DENIED if allowed is False else PermissionResult.NEUTRAL

    def delete_keys(self: S3Response, *args: Any, **kwargs: Any) -> Any:
        with enforce.per_key_decisions():
            return original_delete_keys(self, *args, **kwargs)

    def validate_resource_format(self: BaseIAMPolicyValidator, resource: str) -> None:
        if not _accepted_iam_resource(resource):
            original_resource_format(self, resource)

    def user_init(self: User, *args: Any, **kwargs: Any) -> None:
        original_user_init(self, *args, **kwargs)
        self.id = _iam_user_id(self.account_id, self.id)

    def delete_user(self: IAMBackend, user_name: str) -> None:
        user = self.get_user(user_name)  # NoSuchEntity, as the original answers
        original_delete_user(self, user_name)
        deleted_principals.replace_in_policies(user.arn, user.id)

    def delete_role(self: IAMBackend, role_name: str) -> None:
        role = self.get_role(role_name)
        original_delete_role(self, role_name)
        deleted_principals.replace_in_policies(role.arn, role.id)

    def apply() -> None:
        FakeBucket.get_permission = get_permission  # type: ignore[method-assign]
        S3Response._bucket_response_delete_keys = delete_keys  # type: ignore[method-assign]
        BaseIAMPolicyValidator._validate_resource_format = validate_resource_format  # type: ignore[method-assign]
        User.__init__ = user_init  # type: ignore[method-assign]
        IAMBackend.delete_user = delete_user  # type: ignore[method-assign]
        IAMBackend.delete_role = delete_role  # type: ignore[method-assign]

    return apply


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
        _require(moto.iam.models, "get_account_id_from")
        original_account_backend = _require(BackendDict, "_create_account_specific_backend")
        original_aware = _require(moto.core.serialize, "parse_to_aware_datetime")
        moto_modules = tuple(_require(moto.backends, "list_of_moto_modules")())
        _require(IamResponse, "create_user")
        original_authorize = _require(
            ActionAuthenticatorMixin, "_authenticate_and_authorize_action"
        )
        install_corrections = _s3_and_iam_corrections()
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

        def create_account_backend(self: BackendDict[Any], account_id: str) -> None:
            if not _known_account(self, account_id):
                original_account_backend(self, account_id)

        def parse_to_aware_datetime(value: Any) -> Any:
            return original_aware(iso_timestamp(value) if isinstance(value, str) else value)

        moto.iam.models.get_account_id_from = _key_account
        setattr(moto.core.serialize, "parse_to_aware_datetime", parse_to_aware_datetime)  # noqa: B010
        BackendDict._create_account_specific_backend = create_account_backend  # type: ignore[method-assign]
        moto.backends.list_of_moto_modules = lambda: moto_modules
        simulate.install(IamResponse)
        install_corrections()
        _installed = True
