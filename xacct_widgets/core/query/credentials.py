"""Credentials for a fan-out: who the caller is, and each target role's keys, assumed once.

* **Credentials are cached, not sessions**: a boto3 Session per account re-parses the service
  models (see :mod:`.models`); a role's credentials are a few strings. A process-wide LRU keyed by
  (STS endpoint, caller identity, role ARN, ExternalId) holds botocore ``RefreshableCredentials``
  fed by their own ``AssumeRoleCredentialFetcher`` (wired once in
  :func:`..sessions.assumed_credentials`, as for ``RoleSwitcher``), so a repeated query makes no
  ``AssumeRole`` call and a long notebook never sees ``ExpiredToken``.
* **One STS client per caller**: every AssumeRole of a caller, and every refresh, goes through
  the caller's shared client (its connection pool grows with the workers), instead of one STS
  client per account and per refresh.
* **Clients live next to the credentials** (:mod:`.clients`): one per (role, service, region),
  built by the caller's factory with the refreshable credentials themselves.
* **Single flight per query**: threads that need the same role wait for one AssumeRole; a role
  that could not be assumed fails the other regions of that account without asking again.
  Credentials AWS stops accepting (revoked, a sandbox that was reset) are dropped and assumed
  again, once (:data:`STALE_CODES`).

The caches are bounded (a long kernel must not grow without limit) and never logged or shown:
the keys live only inside botocore credential objects.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Hashable, Iterator
from typing import Any, Final

import boto3
from botocore.credentials import Credentials, RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

from ...aws_limits import IAM_NAME_CHARACTERS
from ...errors import XacctError
from .. import ids
from ..identity import Identity, identity_of
from ..sessions import assumed_credentials, derived_session
from .clients import ClientFactory, cached_client, clear_client_cache, fanout_config, shared_client
from .connections import share_connections
from .lru import LRU
from .models import all_known_regions, shared_loader
from .result import STAGE_ASSUME, Failed, Failure, failure

__all__ = [
    "STALE_CODES",
    "Caller",
    "KeyedLocks",
    "RoleCredentials",
    "caller_for",
    "clear_credential_cache",
    "credentials_of",
    "identity",
    "preparing",
]

log = logging.getLogger(__name__)

#: Codes meaning "these credentials are no longer accepted": worth one fresh AssumeRole.
STALE_CODES: Final = frozenset(
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
_SESSION_NAME_BAD: Final = re.compile(rf"[^{IAM_NAME_CHARACTERS}]", re.ASCII)
_CACHE_LIMIT: Final = 10_000
_CALLER_LIMIT: Final = 64


class KeyedLocks:
    """One lock per key, made on first use (single-flight work per role or per session)."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def __call__(self, key: Hashable) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


_CALLERS = LRU(_CALLER_LIMIT)
_IDENTITIES = LRU(_CACHE_LIMIT)
_CREDENTIALS = LRU(_CACHE_LIMIT)
_CALLERS_LOCK = threading.Lock()


def clear_credential_cache() -> None:
    """Forget every cached role credential, client and caller (the next query assumes roles
    and builds clients again)."""
    _CREDENTIALS.clear()
    clear_client_cache()
    _CALLERS.clear()
    _IDENTITIES.clear()


def credentials_of(session: boto3.Session) -> Credentials:
    """The session's credentials; XacctError when it has none."""
    credentials = session.get_credentials()
    if credentials is None:
        raise XacctError(
            "The session has no AWS credentials.",
            fix="Pass session=boto3.Session(profile_name=...) or a Sandbox session.",
        )
    return credentials


def _session_key(session: boto3.Session) -> tuple[str, ...]:
    """What identifies a caller without calling AWS: its access key ID and where it points."""
    core = session._session  # boto3 exposes no public accessor for its botocore session
    access_key = str(credentials_of(session).get_frozen_credentials().access_key)
    settings = ("config_file", "profile", "region", "endpoint_url")
    return (access_key, *(str(core.get_config_variable(v)) for v in settings))


class Caller:
    """Everything shared by the queries of one caller: identity, STS client, client factory.

    ``sts`` is the one STS client every AssumeRole of this caller goes through (its connection
    pool grows when a query asks for more workers). ``factory`` builds the clients of target
    accounts (:mod:`.clients`): the caller's settings (profile, config file, so a sandbox
    endpoint carries over), the shared data loader, each target's own credentials.
    """

    def __init__(self, session: boto3.Session, workers: int = 16) -> None:
        self.session = session
        self.factory = ClientFactory(session)
        self.region: str = session.region_name or "us-east-1"
        self.lock = threading.Lock()  # boto3 sessions are not documented as thread-safe
        self._assume_calls = 0
        self._counter = threading.Lock()
        self.pool = 0
        self.sts: Any = None
        self.endpoint = ""
        self.ensure_pool(workers)
        self._identity: Identity | None = None
        self._identifying = threading.Lock()
        self._partition = ""
        self._session_name = ""

    def identify(self) -> Identity:
        """Who the caller is: one GetCallerIdentity (then cached), single-flight.

        Asked through the shared STS client: its connection then serves the fan-out's first
        AssumeRole instead of costing one more handshake, and no second STS client is built.
        """
        with self._identifying:
            if self._identity is None:
                who = identity(self.session, client=self.sts)
                raw = who.session_name or who.name or "caller"
                self._partition = ids.parse_arn(who.arn).partition
                self._session_name = _SESSION_NAME_BAD.sub("-", f"xacct-query-{raw}")[:64]
                self._identity = who
            return self._identity

    @property
    def identity(self) -> Identity:
        """Who the caller is (asked on first use, see :meth:`identify`)."""
        return self._identity or self.identify()

    @property
    def partition(self) -> str:
        """The caller's partition (``aws``, ``aws-cn``...): the target roles' ARNs are in it."""
        if self._identity is None:
            self.identify()
        return self._partition

    @property
    def session_name(self) -> str:
        """``RoleSessionName`` of every AssumeRole: the caller's name, for CloudTrail."""
        if self._identity is None:
            self.identify()
        return self._session_name

    def ensure_pool(self, workers: int) -> None:
        """(Re)build the shared STS client, and grow the shared connection pools, when a query
        needs more connections."""
        if self.sts is not None and self.pool >= workers:
            return
        self.factory.sender.resize(max(workers, 16))
        with self.lock:
            sts = self.session.client(
                "sts", region_name=self.region, config=fanout_config(max(workers, 16))
            )
        sts.meta.events.register("before-call.sts.AssumeRole", self._count)
        share_connections(sts.meta.events, self.factory.sender)  # AssumeRole shares them too
        self.sts, self.pool, self.endpoint = sts, max(workers, 16), str(sts.meta.endpoint_url)

    def _count(self, **_: Any) -> None:
        with self._counter:
            self._assume_calls += 1

    @property
    def assume_calls(self) -> int:
        """sts:AssumeRole calls made through this caller so far."""
        with self._counter:
            return self._assume_calls

    @property
    def clients_built(self) -> int:
        """Clients built for target accounts through this caller so far."""
        return self.factory.clients_built

    def client(self, key: Hashable, credentials: Credentials, service: str, region: str) -> Any:
        """The cached client of role ``key`` in (service, region), signing with
        ``credentials`` (refreshable: the client is not rebuilt when they renew)."""
        return cached_client(self.factory, key, credentials, service, region)

    def shared(self, service: str, region: str) -> Any:
        """This caller's one client of (service, region) for every role: call it inside
        :func:`.signing.signing_as` (the unit's role credentials)."""
        return shared_client(self.factory, service, region)

    def session_for(self, credentials: Credentials, region: str) -> boto3.Session:
        """A short-lived boto3.Session for a callable target, sharing the parsed models."""
        with self.lock:
            session = derived_session(self.session, credentials)
            session._session.register_component("data_loader", shared_loader())
            session._session.set_config_variable("region", region)
            return session

    def assume(self, role_arn: str, external_id: str | None) -> RefreshableCredentials:
        """One sts:AssumeRole through the shared STS client; refreshes reuse that client."""
        return assumed_credentials(
            # The fetcher asks for a client built from frozen source keys on every fetch;
            # handing back the shared client (which refreshes the caller's own credentials)
            # avoids building one STS client per account and per refresh.
            lambda *_a, **_k: self.sts,
            credentials_of(self.session),
            role_arn,
            self.session_name,
            external_id=external_id,
        )


def identity(
    session: boto3.Session, lock: threading.Lock | None = None, *, client: Any = None
) -> Identity:
    """Who ``session`` is, one GetCallerIdentity per access key (then cached); asked through
    ``client`` (an STS client of ``session``) when given."""
    key = _session_key(session)
    cached = _IDENTITIES.get(key)
    if isinstance(cached, Identity):
        return cached
    found = identity_of(session, client=client, lock=lock)
    _IDENTITIES.put(key, found)
    return found


def caller_for(session: boto3.Session, workers: int, *, identify: bool = True) -> Caller:
    """The cached :class:`Caller` of ``session``, its STS pool sized for ``workers``; who it is
    is asked now unless ``identify`` is False (then on first use, or by :meth:`Caller.identify`).
    """
    key = _session_key(session)
    with _CALLERS_LOCK:
        found = _CALLERS.get(key)
        if not isinstance(found, Caller):
            found = Caller(session, workers)
            _CALLERS.put(key, found)
    found.ensure_pool(workers)
    if identify:
        found.identify()
    return found


@contextlib.contextmanager
def preparing(caller: Caller, service: str | None, region: str) -> Iterator[None]:
    """Build what the first units need while the body waits on the network (the caller's
    GetCallerIdentity): the caller's shared client of (``service``, ``region``) and botocore's
    region lists, ~60-90 ms of CPU that otherwise lay between the identity's answer and the
    first AssumeRole. Done in a thread, joined on exit; a failure is left to the units, which
    meet it again and report it as their rows."""

    def prepare() -> None:
        try:
            all_known_regions()
            if service is not None:
                caller.shared(service, region)
        except Exception as err:  # the units meet it again and report it
            log.debug("preparing %s in %s failed: %s", service, region, err)

    worker = threading.Thread(target=prepare, name="xacct-query-prepare", daemon=True)
    worker.start()
    try:
        yield
    finally:
        worker.join()


class RoleCredentials:
    """One query's view of the role cache: each role assumed at most once, failures remembered."""

    def __init__(self, caller: Caller) -> None:
        self.caller = caller
        self._locks = KeyedLocks()
        self._failed: dict[Hashable, Failure] = {}
        self._fresh: set[int] = set()  # id() of credentials assumed during this query

    def key(self, role_arn: str, external_id: str | None) -> Hashable:
        """What identifies a role's cached credentials (and its clients)."""
        return (self.caller.endpoint, self.caller.identity.arn, role_arn, external_id)

    def get(
        self, role_arn: str, external_id: str | None, *, renew: Credentials | None = None
    ) -> Credentials:
        """The role's cached credentials, assuming it when absent (or when ``renew`` is the
        cached value AWS just refused). Raises :class:`.result.Failed` (stage ``assume``)."""
        key = self.key(role_arn, external_id)
        with self._locks(key):
            if key in self._failed:
                raise Failed(self._failed[key])
            if renew is not None:
                _CREDENTIALS.discard(key, renew)
            found = _CREDENTIALS.get(key)
            if isinstance(found, Credentials):
                return found
            try:
                fresh = self.caller.assume(role_arn, external_id)
            except (ClientError, BotoCoreError, XacctError) as err:
                failed = failure(STAGE_ASSUME, err)
                self._failed[key] = failed
                log.debug("assume %s failed: %s", role_arn, failed.code)
                raise Failed(failed) from err
            _CREDENTIALS.put(key, fresh)
            self._fresh.add(id(fresh))
            return fresh

    def is_fresh(self, credentials: Credentials) -> bool:
        """True when ``credentials`` were assumed during this query (not worth renewing)."""
        return id(credentials) in self._fresh
