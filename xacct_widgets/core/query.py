"""Cross-account fan-out: ask many accounts (and regions) the same question, get one DataFrame.

``query(targets, "s3", "list_buckets", session=caller)`` assumes a role in each target account,
runs the operation (fully paginated) in each region, and returns a :class:`QueryResult` whose
``frame`` has ``account_id`` and ``region`` first, then the flattened items, and whose ``errors``
has one row per failed account/region. Nothing is silently dropped: every (target, region) ends
up in exactly one of the two (see ``QueryResult.summary`` for accounts that answered with no
items).

Why it is built the way it is (``benchmarks/fanout.py`` measures it):

* **Building a boto3 Session is the expensive part**, not the network: a fresh ``boto3.Session``
  re-reads the service JSON models (~100 ms of CPU and several MiB each), and under the GIL
  that serialises a fan-out. So the credentials of each target are cached, not sessions, and
  clients are built from one botocore session per caller whose data loader (the parsed models)
  is shared by every query in the process. A client lives for one (account, region) unit and is
  then dropped, so memory stays flat as accounts grow.
* **Each role is assumed once, then reused**: a process-wide cache keyed by (endpoint, caller
  identity, role ARN, ExternalId) holds botocore ``RefreshableCredentials`` fed by its own
  ``AssumeRoleCredentialFetcher`` (the machinery behind ``role_arn`` profiles, wired once in
  :func:`.sessions.assumed_credentials`, as for ``RoleSwitcher``), so a repeated
  query makes no ``AssumeRole`` call and long notebooks never see ``ExpiredToken``. All fetches
  of one caller go through one shared STS client. Credentials that AWS stops accepting (revoked,
  or a sandbox that was reset) are dropped and assumed again, once.
* **Concurrency is a thread pool** of ``max_workers`` threads with the connection pool sized to
  match and botocore's standard retry mode absorbing throttling (``core.aws.client_config``).
* **Every input is validated before the first call** (service, operation, parameters, jmespath,
  account IDs, role names), because 200 identical ``ParamValidationError`` rows help nobody. A
  region name botocore does not know is the exception: it is reported per region as an error
  row (stage ``call``, code ``InvalidRegion``), as the issue asks, so one typo in a region list
  does not stop the valid regions.
* **Only read operations by default**: ``Get*``, ``List*``, ``Describe*`` and a few other
  read-only verbs. A fan-out of ``delete_bucket`` over an organization is one mistyped name
  away in a widget; ``allow_writes=True`` is the explicit opt-in.

Secrets: items go through :func:`frames.flatten` (which redacts), error messages through
:func:`frames.scrub_text`; credentials live only inside botocore credential objects and are
never logged or put into a repr.
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, TypeAlias

import boto3
import botocore.loaders
import botocore.session
import jmespath
import pandas as pd
from botocore import xform_name
from botocore.credentials import Credentials, ReadOnlyCredentials, RefreshableCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ParamValidationError,
    UnknownServiceError,
)
from botocore.validate import validate_parameters

from ..errors import InvalidInput, XacctError
from . import ids
from .aws import client_config, error_code, wrap_client_error
from .frames import flatten, redact, scrub_text, to_frame
from .history import HistoryEntry, RoleHistory
from .identity import Identity
from .organization import DEFAULT_MEMBER_ROLE, Organization
from .sessions import assumed_credentials, derived_session
from .switcher import RoleSwitcher

__all__ = [
    "DEFAULT_MEMBER_ROLE",
    "ERROR_COLUMNS",
    "SUMMARY_COLUMNS",
    "Organization",
    "QueryFunction",
    "QueryProgress",
    "QueryResult",
    "Target",
    "clear_credential_cache",
    "query",
]

log = logging.getLogger(__name__)

#: Columns of :attr:`QueryResult.errors`, in order.
ERROR_COLUMNS: Final = ("account_id", "region", "stage", "error_code", "message")
#: Columns of :attr:`QueryResult.summary`: one row per (target, region), failed or not.
SUMMARY_COLUMNS: Final = (
    "account_id",
    "region",
    "role_name",
    "ok",
    "items",
    "stage",
    "error_code",
    "seconds",
)
#: A callable target query: ``fn(session, region)`` returns items (dicts) or a DataFrame.
QueryFunction: TypeAlias = Callable[[boto3.Session, str], Any]

STAGE_ASSUME: Final = "assume"
STAGE_CALL: Final = "call"

# Operations whose name starts with one of these only read (AWS's own naming convention).
_READ_VERBS: Final = (
    "Get",
    "List",
    "Describe",
    "Head",
    "Search",
    "Lookup",
    "BatchGet",
    "BatchDescribe",
    "Query",
    "Scan",
    "Select",
    "Simulate",
    "Check",
    "Estimate",
    "Preview",
    "Validate",
)
# Codes meaning "these credentials are no longer accepted": worth one fresh AssumeRole.
_STALE_CODES: Final = frozenset(
    {
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidToken",
        "InvalidAccessKeyId",
        "UnrecognizedClientException",
        "RequestExpired",
    }
)
_SESSION_NAME_BAD: Final = re.compile(r"[^\w+=,.@-]", re.ASCII)
_CACHE_LIMIT: Final = 10_000
_CALLER_LIMIT: Final = 64


# -- public data ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """One account to query: a role to assume in it, or a ready session (``session=``).

    Lists of ``(account, role)`` pairs, history entries, organization accounts and sessions
    passed to :func:`query` all become Targets; build them yourself for an ExternalId or a role
    path.
    """

    account_id: str | None
    role_name: str | None = None
    path: str = "/"
    external_id: str | None = None
    session: boto3.Session | None = field(default=None, repr=False, compare=False)

    @classmethod
    def role(
        cls, account: str, role_name: str, *, path: str = "/", external_id: str | None = None
    ) -> Target:
        """A role to assume, validated now (before any API call)."""
        return cls(
            ids.account_id(account),
            ids.role_name(role_name),
            ids.iam_path(path),
            ids.external_id(external_id) if external_id is not None else None,
        )

    @property
    def key(self) -> Hashable:
        """What makes two targets the same (sessions by identity, roles by ARN + ExternalId)."""
        if self.session is not None:
            return ("session", id(self.session))
        return (self.account_id, self.path, self.role_name, self.external_id)


@dataclass(frozen=True)
class QueryProgress:
    """Handed to a ``progress`` callable after each (target, region) finishes.

    The callable runs in the thread that called :func:`query` (never in a worker), so it may
    update widgets directly.
    """

    done: int
    total: int
    errors: int
    account_id: str
    region: str
    ok: bool


@dataclass(frozen=True)
class QueryResult:
    """What a fan-out returned.

    ``frame``: ``account_id``, ``region``, then the flattened items. ``errors``: one row per
    failed (account, region), columns :data:`ERROR_COLUMNS`; ``stage`` is ``assume`` (no
    credentials for the account) or ``call`` (the operation failed there). ``summary``: one row
    per (target, region) whatever happened, columns :data:`SUMMARY_COLUMNS` — the place to see
    accounts that answered with no items. ``assume_calls`` counts the sts:AssumeRole calls made
    while the query ran (0 when every role's credentials came from the cache). The DataFrames
    are yours to use, but mutating them mutates the result.
    """

    operation: str
    frame: pd.DataFrame = field(repr=False)
    errors: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame = field(repr=False)
    targets: int
    regions: tuple[str, ...]
    assume_calls: int
    elapsed_s: float
    started_at: datetime

    @property
    def ok(self) -> bool:
        """True when no account or region failed."""
        return self.errors.empty

    def __repr__(self) -> str:
        return (
            f"QueryResult({self.operation}: {self.targets} targets x {len(self.regions)} "
            f"region(s), {len(self.frame)} rows, {len(self.errors)} errors, "
            f"{self.assume_calls} AssumeRole calls, {self.elapsed_s:.2f} s)"
        )


# -- the shared machinery per caller -------------------------------------------------------------
@functools.cache
def _shared_loader() -> botocore.loaders.Loader:
    """One botocore data loader for the process: each service model is parsed once, not per
    account (the cost that dominates a naive fan-out)."""
    return botocore.loaders.create_loader()


@functools.cache
def _model_session() -> botocore.session.Session:
    """A credential-less botocore session, used only to read service models for validation."""
    core = botocore.session.Session()
    core.register_component("data_loader", _shared_loader())
    return core


@functools.cache
def _known_regions(partition: str) -> frozenset[str]:
    """Every region botocore knows for ``partition`` (partitions.json and endpoints.json)."""
    loader = _shared_loader()
    regions: set[str] = set()
    for entry in loader.load_data("partitions").get("partitions", []):
        if entry.get("id") == partition:
            regions |= set(entry.get("regions", {}))
    for entry in loader.load_data("endpoints").get("partitions", []):
        if entry.get("partition") == partition:
            regions |= set(entry.get("regions", {}))
    return frozenset(regions)


def _session_key(session: boto3.Session) -> tuple[str, ...]:
    """What identifies a caller without calling AWS: its access key ID and where it points."""
    core = session._session  # boto3 exposes no public accessor for its botocore session
    access_key = str(_credentials_of(session).get_frozen_credentials().access_key)
    settings = ("config_file", "profile", "region", "endpoint_url")
    return (access_key, *(str(core.get_config_variable(v)) for v in settings))


class _Caller:
    """Everything shared by the queries of one caller: identity, STS client, client factory.

    ``sts`` is the one STS client every AssumeRole of this caller goes through (its connection
    pool grows when a query asks for more workers). ``worker`` is a botocore session with the
    caller's settings (profile, config file, so a sandbox endpoint carries over) and the shared
    data loader; clients for targets are built from it with each target's credentials.
    """

    def __init__(self, session: boto3.Session, identity: Identity) -> None:
        self.session = session
        self.identity = identity
        self.partition = ids.parse_arn(identity.arn).partition
        raw = identity.session_name or identity.name or "caller"
        self.session_name = _SESSION_NAME_BAD.sub("-", f"xacct-query-{raw}")[:64]
        worker = derived_session(session, _credentials_of(session))
        self.worker: botocore.session.Session = worker._session
        self.worker.register_component("data_loader", _shared_loader())
        self.region: str = session.region_name or "us-east-1"
        self.lock = threading.Lock()  # botocore sessions are not documented as thread-safe
        self._assume_calls = 0
        self._counter = threading.Lock()
        self.pool = 0
        self.sts: Any = None
        self.endpoint = ""
        self.ensure_pool(16)

    def ensure_pool(self, workers: int) -> None:
        """(Re)build the shared STS client when a query needs a bigger connection pool."""
        if self.sts is not None and self.pool >= workers:
            return
        with self.lock:
            sts = self.session.client(
                "sts", region_name=self.region, config=client_config(max(workers, 16))
            )
        sts.meta.events.register("before-call.sts.AssumeRole", self._count)
        self.sts, self.pool, self.endpoint = sts, max(workers, 16), str(sts.meta.endpoint_url)

    def _count(self, **_: Any) -> None:
        with self._counter:
            self._assume_calls += 1

    @property
    def assume_calls(self) -> int:
        with self._counter:
            return self._assume_calls

    def client(self, service: str, region: str, creds: ReadOnlyCredentials, config: Any) -> Any:
        with self.lock:
            return self.worker.create_client(
                service,
                region_name=region,
                aws_access_key_id=creds.access_key,
                aws_secret_access_key=creds.secret_key,
                aws_session_token=creds.token,
                config=config,
            )

    def session_for(self, credentials: Credentials, region: str) -> boto3.Session:
        """A short-lived boto3.Session for a callable target, sharing the parsed models."""
        with self.lock:
            session = derived_session(self.session, credentials)
            session._session.register_component("data_loader", _shared_loader())
            session._session.set_config_variable("region", region)
            return session


def _credentials_of(session: boto3.Session) -> Credentials:
    credentials = session.get_credentials()
    if credentials is None:
        raise XacctError(
            "The session has no AWS credentials.",
            fix="Pass session=boto3.Session(profile_name=...) or a Sandbox session.",
        )
    return credentials


class _LRU:
    """A small thread-safe LRU map (the caches must not grow without bound in a long kernel)."""

    def __init__(self, limit: int) -> None:
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._limit:
                self._data.popitem(last=False)

    def discard(self, key: Hashable, value: Any = None) -> None:
        """Drop ``key`` (only if it still maps to ``value``, when given)."""
        with self._lock:
            if key in self._data and (value is None or self._data[key] is value):
                del self._data[key]

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_CALLERS = _LRU(_CALLER_LIMIT)
_IDENTITIES = _LRU(_CACHE_LIMIT)
_CREDENTIALS = _LRU(_CACHE_LIMIT)
_CALLERS_LOCK = threading.Lock()


def clear_credential_cache() -> None:
    """Forget every cached role credential and caller (the next query assumes roles again)."""
    _CREDENTIALS.clear()
    _CALLERS.clear()
    _IDENTITIES.clear()


def _identity(session: boto3.Session, lock: threading.Lock | None = None) -> Identity:
    """Who ``session`` is, one GetCallerIdentity per access key (then cached)."""
    key = _session_key(session)
    cached = _IDENTITIES.get(key)
    if isinstance(cached, Identity):
        return cached
    try:
        if lock is None:
            client = session.client("sts", config=client_config())
        else:
            with lock:
                client = session.client("sts", config=client_config())
        answer = client.get_caller_identity()
    except (ClientError, BotoCoreError) as err:
        raise wrap_client_error(err, action="sts:GetCallerIdentity", resource="caller") from err
    identity = Identity.from_caller_identity(answer)
    _IDENTITIES.put(key, identity)
    return identity


def _caller(session: boto3.Session, workers: int) -> _Caller:
    key = _session_key(session)
    with _CALLERS_LOCK:
        found = _CALLERS.get(key)
        if not isinstance(found, _Caller):
            found = _Caller(session, _identity(session))
            _CALLERS.put(key, found)
    found.ensure_pool(workers)
    return found


def _assume(caller: _Caller, role_arn: str, external_id: str | None) -> RefreshableCredentials:
    """One sts:AssumeRole through the caller's shared STS client; refreshes reuse that client."""
    return assumed_credentials(
        # The fetcher asks for a client built from frozen source keys on every fetch; handing
        # back the shared client (which refreshes the caller's own credentials) avoids building
        # one STS client per account and per refresh.
        lambda *_a, **_k: caller.sts,
        _credentials_of(caller.session),
        role_arn,
        caller.session_name,
        external_id=external_id,
    )


# -- what one (target, region) does -------------------------------------------------------------
@dataclass(frozen=True)
class _Failure:
    stage: str
    code: str
    message: str


@dataclass
class _Outcome:
    account_id: str
    region: str
    role_name: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    items: int = 0
    failure: _Failure | None = None
    seconds: float = 0.0


def _failure(stage: str, err: BaseException) -> _Failure:
    """An error row's content: AWS's code and message, with key IDs and tokens scrubbed."""
    if isinstance(err, ClientError):
        text = str(err.response.get("Error", {}).get("Message", "")) or str(err)
    elif isinstance(err, XacctError):
        text = err.message
    else:
        text = str(err) or type(err).__name__
    code = getattr(err, "code", "") if isinstance(err, XacctError) else ""
    return _Failure(stage, code or error_code(err), scrub_text(text))


@dataclass(frozen=True)
class _Operation:
    """A validated service operation: the client method, its paginator and how to pick items."""

    service: str
    name: str  # snake_case method name
    api_name: str  # PascalCase
    params: Mapping[str, Any]
    expression: Any  # compiled jmespath, or None
    result_key: str | None  # the list to take items from when no jmespath is given
    paginate: bool

    @property
    def label(self) -> str:
        return f"{self.service}.{self.name}"

    def items(self, client: Any) -> list[Any]:
        pages: Iterable[Mapping[str, Any]]
        if self.paginate:
            pages = client.get_paginator(self.name).paginate(**self.params)
        else:
            pages = [getattr(client, self.name)(**self.params)]
        found: list[Any] = []
        for page in pages:
            found.extend(self._select(page))
        return found

    def _select(self, page: Mapping[str, Any]) -> list[Any]:
        if self.expression is not None:
            selected = self.expression.search(dict(page))
            if selected is None:
                return []
            return list(selected) if isinstance(selected, list) else [selected]
        if self.result_key is not None:
            return list(page.get(self.result_key) or [])
        return [{k: v for k, v in page.items() if k != "ResponseMetadata"}]


def _operation(
    service: str,
    operation: str,
    params: Mapping[str, Any] | None,
    expression: str | None,
    allow_writes: bool,
) -> _Operation:
    """Validate everything about the call before any account is touched."""
    core = _model_session()
    try:
        model = core.get_service_model(service)
    except UnknownServiceError as err:
        raise InvalidInput(
            f"Service {service!r} is unknown to botocore.",
            fix="Use a boto3 client name such as 's3', 'iam', 'ec2' or 'organizations'.",
        ) from err
    names = {xform_name(op): op for op in model.operation_names}
    api_name = names.get(operation) or (operation if operation in model.operation_names else None)
    if api_name is None:
        close = difflib.get_close_matches(xform_name(operation), list(names), n=5, cutoff=0.6)
        raise InvalidInput(
            f"Operation {operation!r} does not exist in {service}.",
            fix=f"Use the boto3 method name, e.g. {', '.join(close[:5]) or 'list_...'}.",
        )
    if not allow_writes and not api_name.startswith(_READ_VERBS):
        raise InvalidInput(
            f"{service}.{xform_name(api_name)} is not a read-only operation; query() runs it in "
            "every target account, so it refuses operations that may change something.",
            fix="Pass allow_writes=True if you really mean to run it everywhere.",
        )
    op_model = model.operation_model(api_name)
    call_params = dict(params or {})
    pagination = call_params.pop("PaginationConfig", None)
    if op_model.input_shape is not None:
        try:
            validate_parameters(call_params, op_model.input_shape)
        except ParamValidationError as err:
            raise InvalidInput(
                f"params for {service}.{xform_name(api_name)} are invalid: {scrub_text(str(err))}",
                fix="Check the parameter names and types in the boto3 documentation.",
            ) from err
    elif call_params:
        raise InvalidInput(f"{service}.{xform_name(api_name)} takes no params, got {call_params}.")
    compiled = None
    if expression is not None:
        try:
            compiled = jmespath.compile(expression)
        except jmespath.exceptions.JMESPathError as err:
            raise InvalidInput(
                f"jmespath {expression!r} is invalid: {err}",
                fix="e.g. jmespath='Buckets[].Name' or 'Roles[?Path==`/`]'.",
            ) from err
    paginator = _paginator_config(core, service, api_name)
    result_key = None
    if compiled is None:
        result_key = _result_key(op_model, paginator, service, api_name)
    if paginator is not None and pagination is not None:
        call_params["PaginationConfig"] = pagination
    return _Operation(
        service,
        xform_name(api_name),
        api_name,
        call_params,
        compiled,
        result_key,
        paginator is not None,
    )


def _paginator_config(
    core: botocore.session.Session, service: str, api_name: str
) -> Mapping[str, Any] | None:
    try:
        model = core.get_paginator_model(service)
    except Exception:  # services without a paginators file
        return None
    try:
        config: Mapping[str, Any] = model.get_paginator(api_name)
    except ValueError:
        return None
    return config


def _result_key(
    op_model: Any, paginator: Mapping[str, Any] | None, service: str, api_name: str
) -> str | None:
    """The operation's list of items: the paginator's first result key, else its only list."""
    if paginator is not None:
        keys = paginator.get("result_key")
        first = keys[0] if isinstance(keys, list) else keys
        if isinstance(first, str) and "." not in first:
            return first
    shape = op_model.output_shape
    lists: list[str] = [
        str(n) for n, s in (shape.members.items() if shape else []) if s.type_name == "list"
    ]
    if len(lists) == 1:
        return lists[0]
    if not lists:
        return None  # the whole response is one item (e.g. get_caller_identity)
    raise InvalidInput(
        f"{service}.{xform_name(api_name)} returns several lists ({', '.join(lists)}).",
        fix=f"Pick one with jmespath, e.g. jmespath='{lists[0]}[]'.",
    )


# -- targets -------------------------------------------------------------------------------------
TargetsLike: TypeAlias = (
    Organization | RoleSwitcher | RoleHistory | boto3.Session | pd.DataFrame | Iterable[Any]
)


def _one_target(item: Any, role_name: str) -> Target:
    if isinstance(item, Target):
        if item.session is not None:
            return item
        return Target.role(
            str(item.account_id),
            str(item.role_name or role_name),
            path=item.path,
            external_id=item.external_id,
        )
    if isinstance(item, boto3.Session):
        return Target(None, session=item)
    if isinstance(item, HistoryEntry):
        return Target.role(item.account_id, item.role_name, path=item.path)
    if isinstance(item, str):
        return Target.role(item, role_name)
    if isinstance(item, tuple | list) and len(item) == 2:
        return Target.role(item[0], item[1])
    raise InvalidInput(
        f"Target {item!r} is not understood.",
        fix="Give (account_id, role_name) pairs, account IDs (with role_name=), xw.Target(...), "
        "history entries, or boto3 sessions.",
    )


def _targets(
    targets: TargetsLike, role_name: str | None, caller: boto3.Session | None
) -> tuple[list[Target], boto3.Session | None]:
    """Normalise every accepted form into Targets (deduplicated, order kept) + the caller."""
    role = ids.role_name(role_name) if role_name is not None else DEFAULT_MEMBER_ROLE
    raw: list[Any]
    if isinstance(targets, Organization):
        caller = caller or targets.session
        raw = list(targets.accounts()["account_id"])
        own = _identity(caller).account_id
        # The caller's own account has no member role to assume (the management account):
        # it is queried with the caller's session rather than left out.
        raw = [Target(None, session=caller) if a == own else a for a in raw]
    elif isinstance(targets, RoleSwitcher):
        caller = caller or targets.base_session
        raw = list(targets.history.entries())
    elif isinstance(targets, RoleHistory):
        raw = list(targets.entries())
    elif isinstance(targets, boto3.Session):
        raw = [targets]
    elif isinstance(targets, pd.DataFrame):
        if "account_id" not in targets.columns:
            raise InvalidInput(
                "A DataFrame of targets needs an account_id column (and optionally role_name).",
                fix="e.g. Organization(session).accounts(ou='prod').",
            )
        roles = targets["role_name"] if "role_name" in targets.columns else [None] * len(targets)
        raw = [
            (str(a), role if r is None or pd.isna(r) else str(r))
            for a, r in zip(targets["account_id"], roles, strict=True)
        ]
    elif isinstance(targets, str | bytes) or not isinstance(targets, Iterable):
        raise InvalidInput(
            f"targets {targets!r} is not a list of targets.",
            fix="Pass e.g. [('123456789012', 'auditor')], an Organization, a RoleSwitcher, a "
            "RoleHistory, or boto3 sessions.",
        )
    else:
        raw = list(targets)
    seen: dict[Hashable, Target] = {}
    for item in raw:
        target = _one_target(item, role)
        seen.setdefault(target.key, target)
    return list(seen.values()), caller


# -- the run -------------------------------------------------------------------------------------
class _Run:
    """One query's state: per-target credentials (single-flight), identities, stop flag."""

    def __init__(
        self,
        caller: _Caller | None,
        op: _Operation | None,
        fn: QueryFunction | None,
        workers: int,
        stop: threading.Event | None,
    ) -> None:
        self.caller = caller
        self.op = op
        self.fn = fn
        self.config = client_config(workers)
        self.stop = stop
        self._locks: dict[Hashable, threading.Lock] = {}
        self._failed: dict[Hashable, _Failure] = {}
        self._fresh: set[int] = set()  # id() of credentials assumed during this query
        self._guard = threading.Lock()

    def _lock(self, key: Hashable) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    # credentials ------------------------------------------------------------------------------
    def _cache_key(self, target: Target) -> Hashable:
        assert self.caller is not None
        return (
            self.caller.endpoint,
            self.caller.identity.arn,
            self._role_arn(target),
            target.external_id,
        )

    def _role_arn(self, target: Target) -> str:
        assert self.caller is not None and target.account_id and target.role_name
        return ids.role_arn(
            target.account_id, target.role_name, target.path, partition=self.caller.partition
        )

    def credentials(self, target: Target, *, renew: Credentials | None = None) -> Credentials:
        """The target's cached credentials, assuming the role at most once per query."""
        assert self.caller is not None
        key = self._cache_key(target)
        with self._lock(key):
            if key in self._failed:
                raise _Failed(self._failed[key])
            if renew is not None:
                _CREDENTIALS.discard(key, renew)
            found = _CREDENTIALS.get(key)
            if isinstance(found, Credentials):
                return found
            try:
                fresh = _assume(self.caller, self._role_arn(target), target.external_id)
            except (ClientError, BotoCoreError, XacctError) as err:
                failure = _failure(STAGE_ASSUME, err)
                self._failed[key] = failure
                log.debug("assume %s failed: %s", self._role_arn(target), failure.code)
                raise _Failed(failure) from err
            _CREDENTIALS.put(key, fresh)
            self._fresh.add(id(fresh))
            return fresh

    # one unit ---------------------------------------------------------------------------------
    def run(self, target: Target, region: str, label: str) -> _Outcome:
        started = time.perf_counter()
        outcome = _Outcome(label, region, target.role_name)
        try:
            if self.stop is not None and self.stop.is_set():
                raise _Failed(_Failure(STAGE_CALL, "Cancelled", "The query was stopped."))
            if target.session is not None:
                outcome.account_id = self._session_account(target.session)
            items = self._items(target, region)
            outcome.items = len(items)
            outcome.rows = [_row(outcome.account_id, region, item) for item in items]
        except _Failed as failed:
            outcome.failure = failed.failure
        outcome.seconds = time.perf_counter() - started
        return outcome

    def _session_account(self, session: boto3.Session) -> str:
        try:
            return _identity(session, self._lock(("session", id(session)))).account_id
        except XacctError as err:
            raise _Failed(_failure(STAGE_ASSUME, err)) from err
        except Exception as err:  # a broken session must fail its own row only
            raise _Failed(_failure(STAGE_ASSUME, err)) from err

    def _items(self, target: Target, region: str) -> list[Any]:
        partition = self.caller.partition if self.caller is not None else "aws"
        if region not in _known_regions(partition):
            raise _Failed(
                _Failure(
                    STAGE_CALL,
                    "InvalidRegion",
                    f"Region {region!r} is not a region of partition {partition!r} known to "
                    "botocore; check the spelling (e.g. 'eu-west-1').",
                )
            )
        credentials: Credentials | None = None
        for attempt in (1, 2):
            if target.session is None:
                credentials = self.credentials(target, renew=credentials)
            try:
                return self._call(target, region, credentials)
            except (ClientError, BotoCoreError) as err:
                stale = (
                    attempt == 1
                    and credentials is not None
                    and error_code(err) in _STALE_CODES
                    and id(credentials) not in self._fresh
                )
                if not stale:
                    raise _Failed(_failure(STAGE_CALL, err)) from err
                log.debug("cached credentials for %s refused; assuming again", target.account_id)
            except _Failed:
                raise
            except Exception as err:  # a callable target's own error: its row, not the query
                raise _Failed(_failure(STAGE_CALL, err)) from err
        raise AssertionError("unreachable")  # pragma: no cover

    def _call(self, target: Target, region: str, credentials: Credentials | None) -> list[Any]:
        if self.fn is not None:
            if target.session is not None:
                session = _in_region(target.session, region)
            else:
                assert self.caller is not None and credentials is not None
                session = self.caller.session_for(credentials, region)
            return _function_items(self.fn(session, region))
        assert self.op is not None
        if target.session is not None:
            with self._lock(("session", id(target.session))):
                client = target.session.client(
                    self.op.service,  # type: ignore[call-overload]
                    region_name=region,
                    config=self.config,
                )
        else:
            assert self.caller is not None and credentials is not None
            try:
                frozen = credentials.get_frozen_credentials()
            except (ClientError, BotoCoreError, XacctError) as err:  # a refresh was refused
                raise _Failed(_failure(STAGE_ASSUME, err)) from err
            client = self.caller.client(self.op.service, region, frozen, self.config)
        return self.op.items(client)


def _in_region(session: boto3.Session, region: str) -> boto3.Session:
    """A target session in the unit's region: itself when already there (caches intact), else
    a derived copy with the same credentials and settings."""
    if session.region_name == region:
        return session
    derived = derived_session(session, _credentials_of(session))
    derived._session.set_config_variable("region", region)
    return derived


class _Failed(Exception):
    def __init__(self, failure: _Failure) -> None:
        super().__init__(failure.code)
        self.failure = failure


def _function_items(result: Any) -> list[Any]:
    if result is None:
        return []
    if isinstance(result, pd.DataFrame):
        return list(result.to_dict("records"))
    if isinstance(result, Mapping):
        return [result]
    if isinstance(result, Iterable) and not isinstance(result, str | bytes):
        return list(result)
    raise TypeError(
        f"the query function returned {type(result).__name__}; it must return a list of dicts, "
        "a DataFrame or None"
    )


def _row(account_id: str, region: str, item: Any) -> dict[str, Any]:
    body = flatten(item) if isinstance(item, Mapping) else {"value": redact(item)}
    body.pop("account_id", None)
    body.pop("region", None)
    return {"account_id": account_id, "region": region, **body}


def _regions(
    regions: str | Sequence[str] | None, caller: _Caller | None, op: _Operation | None
) -> list[str] | None:
    """The validated region list; None means each target's default region."""
    if regions is None:
        return None
    if isinstance(regions, str):
        if regions == "all":
            if op is None:
                raise InvalidInput(
                    "regions='all' needs a service operation (it lists the service's regions).",
                    fix="Pass the region names explicitly for a callable.",
                )
            partition = caller.partition if caller is not None else "aws"
            return sorted(_model_session().get_available_regions(op.service, partition))
        regions = [regions]
    out: list[str] = []
    for region in regions:
        if not isinstance(region, str) or not region.strip():
            raise InvalidInput(
                f"Region {region!r} is invalid: regions are names such as 'eu-west-1'.",
                fix="Pass a list of region names, or 'all'.",
            )
        if region.strip() not in out:
            out.append(region.strip())
    if not out:
        raise InvalidInput("regions is empty.", fix="Pass None for the caller's region.")
    return out


def _progress_sink(
    progress: bool | Callable[[QueryProgress], Any] | None, total: int, label: str
) -> tuple[Callable[[QueryProgress], Any] | None, Callable[[], None]]:
    """A progress callable and its closer: tqdm.auto for ``True`` (a widget in notebooks)."""
    if progress is None or progress is False:
        return None, lambda: None
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc=label, unit="unit")

        def advance(p: QueryProgress) -> None:
            bar.update(1)
            bar.set_postfix(errors=p.errors, refresh=False)

        return advance, bar.close
    if callable(progress):
        return progress, lambda: None
    raise InvalidInput(
        f"progress {progress!r} is invalid.",
        fix="Use None, True (a progress bar) or a callable taking a QueryProgress.",
    )


def query(
    targets: TargetsLike,
    service: str | QueryFunction,
    operation: str | None = None,
    *,
    session: boto3.Session | None = None,
    params: Mapping[str, Any] | None = None,
    regions: str | Sequence[str] | None = None,
    jmespath: str | None = None,
    max_workers: int = 16,
    role_name: str | None = None,
    progress: bool | Callable[[QueryProgress], Any] | None = None,
    allow_writes: bool = False,
    stop: threading.Event | None = None,
) -> QueryResult:
    """Run ``service.operation`` (or ``service(session, region)``) in every target and region.

    ``targets``: ``(account, role)`` pairs, account IDs (with ``role_name``), :class:`Target`s,
    an :class:`Organization` (its ACTIVE accounts, with ``role_name``, default
    ``OrganizationAccountAccessRole``; its own account through the caller's session), a
    :class:`RoleSwitcher` or :class:`RoleHistory` (the history's roles), a DataFrame with an
    ``account_id`` column (and optionally ``role_name``), or boto3 sessions already in the
    accounts. ``session`` is the caller that assumes the roles (default: the Organization's or
    switcher's session, else boto3's default credential chain).

    ``service`` may be a callable ``fn(session, region)`` returning a list of dicts or a
    DataFrame; it then gets a session in the target account and ``operation`` is omitted.
    ``params`` are the operation's arguments (``PaginationConfig`` allowed); paginated
    operations are read to the end. ``jmespath`` selects items from each page; without it the
    operation's list of items is used (``Buckets`` for ``list_buckets``), or the whole response
    as one item when it has none. ``regions``: names, ``"all"`` (the service's regions), or
    None for the caller's region.

    ``progress``: True for a tqdm bar, or a callable receiving a :class:`QueryProgress` after
    each (target, region), in the calling thread. Setting ``stop`` (a ``threading.Event``) ends
    the query early; units not run are reported as errors with code ``Cancelled``.

    Raises ``InvalidInput`` for bad arguments before any AWS call; failures in accounts or
    regions never raise, they become rows of ``QueryResult.errors``.
    """
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
        raise InvalidInput(
            f"max_workers {max_workers!r} is invalid: it must be a whole number >= 1.",
            fix="Use e.g. 16.",
        )
    fn: QueryFunction | None = None
    op: _Operation | None = None
    if callable(service):
        if operation is not None or params is not None or jmespath is not None:
            raise InvalidInput(
                "A callable target query takes no operation, params or jmespath.",
                fix="Call query(targets, fn) and do the work inside fn(session, region).",
            )
        fn = service
        label = getattr(service, "__name__", "function")
    elif isinstance(service, str) and isinstance(operation, str):
        op = _operation(service.strip(), operation.strip(), params, jmespath, allow_writes)
        label = op.label
    else:
        raise InvalidInput(
            f"query needs a service and an operation (or a callable), got {service!r}, "
            f"{operation!r}.",
            fix="e.g. query(targets, 's3', 'list_buckets', session=caller).",
        )
    target_list, caller_session = _targets(targets, role_name, session)
    if not target_list:
        raise InvalidInput("targets is empty: there is nothing to query.")
    needs_caller = any(t.session is None for t in target_list)
    caller: _Caller | None = None
    if needs_caller:
        caller = _caller(caller_session or boto3.Session(), max_workers)
    chosen = _regions(regions, caller, op)
    default_region = caller.region if caller is not None else "us-east-1"
    per_target = [
        chosen
        if chosen is not None
        else [(t.session.region_name if t.session else None) or default_region]
        for t in target_list
    ]
    region_list = list(dict.fromkeys(r for regs in per_target for r in regs))
    assumes_before = caller.assume_calls if caller is not None else 0

    run = _Run(caller, op, fn, max_workers, stop)
    labels = [t.account_id or f"session[{i}]" for i, t in enumerate(target_list)]
    # Region-major order: the first round assumes every role in parallel, later rounds find
    # the credentials cached instead of queueing behind one account's lock.
    rounds = max(len(regs) for regs in per_target)
    units = [
        (ti, regs[k]) for k in range(rounds) for ti, regs in enumerate(per_target) if k < len(regs)
    ]
    outcomes: dict[tuple[int, str], _Outcome] = {}
    report, close = _progress_sink(progress, len(units), label)
    errors = 0
    try:
        with ThreadPoolExecutor(
            max_workers=min(max_workers, len(units)), thread_name_prefix="xacct-query"
        ) as pool:
            pending: dict[Future[_Outcome], tuple[int, str]] = {
                pool.submit(run.run, target_list[ti], region, labels[ti]): (ti, region)
                for ti, region in units
            }
            try:
                while pending:
                    done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                    if stop is not None and stop.is_set():
                        for future in pending:
                            future.cancel()
                    for future in done:
                        unit = pending.pop(future)
                        outcome = future.result()
                        outcomes[unit] = outcome
                        errors += outcome.failure is not None
                        if report is not None:
                            report(
                                QueryProgress(
                                    len(outcomes),
                                    len(units),
                                    errors,
                                    outcome.account_id,
                                    outcome.region,
                                    outcome.failure is None,
                                )
                            )
                    for future in [f for f in pending if f.cancelled()]:
                        ti, region = pending.pop(future)
                        outcomes[(ti, region)] = _Outcome(
                            labels[ti],
                            region,
                            target_list[ti].role_name,
                            failure=_Failure(STAGE_CALL, "Cancelled", "The query was stopped."),
                        )
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    finally:
        close()
    ordered = [outcomes[(ti, r)] for ti, regs in enumerate(per_target) for r in regs]
    return QueryResult(
        operation=label,
        frame=_frame(ordered),
        errors=_errors(ordered),
        summary=_summary(ordered),
        targets=len(target_list),
        regions=tuple(region_list),
        assume_calls=(caller.assume_calls - assumes_before) if caller is not None else 0,
        elapsed_s=time.perf_counter() - started,
        started_at=started_at,
    )


def _frame(outcomes: list[_Outcome]) -> pd.DataFrame:
    rows = [row for o in outcomes for row in o.rows]
    if not rows:
        return pd.DataFrame(
            {"account_id": pd.Series(dtype=object), "region": pd.Series(dtype=object)}
        )
    frame = pd.DataFrame.from_records(rows)
    rest = [c for c in frame.columns if c not in ("account_id", "region")]
    return frame[["account_id", "region", *rest]]


def _errors(outcomes: list[_Outcome]) -> pd.DataFrame:
    return to_frame(
        [
            {
                "account_id": o.account_id,
                "region": o.region,
                "stage": o.failure.stage,
                "error_code": o.failure.code,
                "message": o.failure.message,
            }
            for o in outcomes
            if o.failure is not None
        ],
        ERROR_COLUMNS,
    )


def _summary(outcomes: list[_Outcome]) -> pd.DataFrame:
    return to_frame(
        [
            {
                "account_id": o.account_id,
                "region": o.region,
                "role_name": o.role_name,
                "ok": o.failure is None,
                "items": o.items,
                "stage": o.failure.stage if o.failure else None,
                "error_code": o.failure.code if o.failure else None,
                "seconds": round(o.seconds, 3),
            }
            for o in outcomes
        ],
        SUMMARY_COLUMNS,
    )
