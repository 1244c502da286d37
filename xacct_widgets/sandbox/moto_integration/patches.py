"""Every replacement of a moto method or function, installed in one place so an upgrade breaks
loudly.

Each patch takes the moto attribute it replaces through :func:`.hooks.original`, which refuses
to install when it is gone (``tests/sandbox/test_enforcement.py`` then fails), rather than
silently enforcing nothing; all are required before any is replaced. What is patched:

* ``IAMRequestBase.check_action_permitted``: moto's own identity-policy check (no conditions, no
  boundaries, no session policies, IAM actions on ``*`` only) is replaced by
  :func:`..decision.enforce.check_request`, which decides every signed request of every service
  with the project's one policy engine (:mod:`xacct_widgets.policy`), the target role's trust policy
  included for ``sts:AssumeRole``.
* ``ActionAuthenticatorMixin._authenticate_and_authorize_action``: remembers which request is
  being decided (for ``aws:SourceIp``).
* ``TokenResponse.assume_role``: STS's limits checked before, the new session recorded after,
  in one wrap (:mod:`.assume_role`).
* ``IamResponse``'s write responses: IAM's write-time refusals first
  (:mod:`..decision.iam_writes`); and it gains ``SimulatePrincipalPolicy``,
  ``SimulateCustomPolicy`` and ``Put/DeleteUserPermissionsBoundary``
  (:mod:`..decision.simulate`), which moto answers with HTTP 500.
* ``access_control.create_access_key`` / ``STSBackend.get_caller_identity``: an account's root
  user, which moto does not model, acts through keys registered with
  :func:`.keys.register_root_key`.
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
  (which reads the bucket policy in :func:`..decision.enforce.evaluate`) is the only decider
  ("Policy evaluation logic", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html;
  "Examples of Amazon S3 bucket policies",
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html), except
  within ``S3Response._bucket_response_delete_keys``, where it is the engine's decision for that
  one key (DeleteObjects is authorized per object, :func:`..decision.enforce.decide_key`).
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
import threading
from collections.abc import Callable
from typing import Any

import moto.backends
import moto.core.serialize
import moto.iam.models
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.base_backend import BackendDict
from moto.iam import access_control
from moto.iam.access_control import IAMRequestBase, PermissionResult
from moto.iam.models import IAMBackend, User
from moto.iam.policy_validation import BaseIAMPolicyValidator
from moto.iam.responses import IamResponse
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response
from moto.sts.models import STSBackend
from moto.sts.responses import TokenResponse
from moto.utilities.utils import PARTITION_NAMES

from ...core.query.timestamps import iso_timestamp
from ...errors import SandboxError
from ..decision import enforce, iam_writes, simulate
from . import deleted_principals
from .assume_role import wrap_assume_role
from .hooks import enforcing, original
from .keys import RootAccessKey, key_account, root_account_of

__all__ = ["install"]

_lock = threading.Lock()
_installed = False


def _known_account(backends: BackendDict[Any], account_id: str) -> bool:
    """True when moto's ``BackendDict._create_account_specific_backend`` would do nothing: the
    account's backend exists and the dict is registered for reset. That method lists every
    account under a global lock on each ``backends[account]`` (~10 per request)."""
    registered: list[Any] = vars(BackendDict)["_instances"]
    return dict.__contains__(backends, account_id) and any(k is backends for k in registered)


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
    original_permission = original(FakeBucket, "get_permission")
    original_delete_keys = original(S3Response, "_bucket_response_delete_keys")
    original_resource_format = original(BaseIAMPolicyValidator, "_validate_resource_format")
    original_user_init = original(User, "__init__")
    original_delete_user = original(IAMBackend, "delete_user")
    original_delete_role = original(IAMBackend, "delete_role")

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


def _iam_responses() -> Callable[[], None]:
    """IAM's write-time refusals before moto's IAM write responses (:mod:`..decision.iam_writes`)
    and the simulator's handlers (:mod:`..decision.simulate`): required first, then installed."""
    writes = {name: original(IamResponse, name) for name in iam_writes.CHECKS}
    create_user = original(IamResponse, "create_user")

    def checked(wrapped: Callable[..., Any], check: Callable[[Any], None]) -> Any:
        def hooked(self: IamResponse) -> Any:
            if enforcing():
                check(self)
            return wrapped(self)

        return hooked

    def apply() -> None:
        for name, check in iam_writes.CHECKS.items():
            setattr(IamResponse, name, checked(writes[name], check))
        for name, handler in simulate.handlers(create_user).items():
            setattr(IamResponse, name, handler)

    return apply


def install() -> None:
    """Patch moto once per process; idempotent. Every moto attribute is required before any is
    replaced, so an incompatible moto refuses to start rather than half-enforcing."""
    global _installed
    with _lock:
        if _installed:
            return
        assume_role = wrap_assume_role(original(TokenResponse, "assume_role"))
        original_create_key = original(access_control, "create_access_key")
        original_identity = original(STSBackend, "get_caller_identity")
        original(IAMRequestBase, "check_action_permitted")
        original(moto.iam.models, "get_account_id_from")
        original_account_backend = original(BackendDict, "_create_account_specific_backend")
        original_aware = original(moto.core.serialize, "parse_to_aware_datetime")
        moto_modules = tuple(original(moto.backends, "list_of_moto_modules")())
        install_iam_responses = _iam_responses()
        original_authorize = original(
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

        def create_access_key(
            account_id: str, partition: str, access_key_id: str, headers: dict[str, str]
        ) -> Any:
            root = root_account_of(access_key_id)
            if root is not None:
                return RootAccessKey(root, access_key_id)
            return original_create_key(account_id, partition, access_key_id, headers)

        def get_caller_identity(self: STSBackend, access_key_id: str, region: str) -> Any:
            root = root_account_of(access_key_id)
            if root is not None:
                return root, f"arn:aws:iam::{root}:root", root
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

        moto.iam.models.get_account_id_from = key_account
        setattr(moto.core.serialize, "parse_to_aware_datetime", parse_to_aware_datetime)  # noqa: B010
        BackendDict._create_account_specific_backend = create_account_backend  # type: ignore[method-assign]
        moto.backends.list_of_moto_modules = lambda: moto_modules
        install_iam_responses()
        install_corrections()
        _installed = True
