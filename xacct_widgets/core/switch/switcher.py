"""``RoleSwitcher``: the console's "Switch role" / "Back to <user>" as an object.

It holds the base session (the IAM user the operator signed in as) and a stack of active roles.
Switching assumes the role with a self-refreshing session (``core.sessions``), confirms it at
once with ``sts:GetCallerIdentity`` - so a refusal shows up at the switch, explained by a
preflight (:mod:`.denial`), and not at the first real call - and records the role in the
persistent history. The AssumeRole rules (MFA pair, root, the 1-hour chaining cap, session
names) are ``core.sessions``'s; this module only decides who switches from which session.

Cost: the base identity is read once (``GetCallerIdentity``) and cached; after that a switch is
exactly two calls, ``AssumeRole`` and ``GetCallerIdentity`` in the target. Switching while a role
is active chains from it (AWS then caps the session at one hour), unless ``from_base=True`` asks
for the console's behaviour: switch from the base user and replace the active role on success.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
import pandas as pd

from ...errors import AccessDenied, InvalidInput, InvalidSwitchRoleUrl, XacctError
from .. import ids, partitions, urls
from ..aws import client_config
from ..identity import Identity, identity_of
from ..sessions import (
    assumed_session,
    chains_from,
    clean_session_name,
    credentials_expiry,
    mfa_arguments,
    refuse_root,
    require_session,
    session_duration,
)
from ..source.mfa import MfaDevices, list_mfa_devices, resolve_mfa_serial
from .active import ACTIVE_COLUMNS, ActiveRole, active_frame
from .console import ConsolePage, Opener, SignInUrl, console_sign_in_url
from .denial import explain_denial, refuse_partition
from .history import HistoryEntry, RoleHistory, default_path
from .observe import Observers, SessionChange, SessionObserver

__all__ = ["ACTIVE_COLUMNS", "ActiveRole", "RoleSwitcher", "SessionChange"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Level:
    active: ActiveRole
    session: boto3.Session


def _default_session_name(caller: Identity) -> str:
    """The console uses the user's name (a role session keeps its own session name)."""
    raw = caller.session_name if caller.principal_type == "assumed-role" else caller.name
    return clean_session_name(raw)


class RoleSwitcher:
    """Switch into roles from a base session, go back, and remember where you have been.

    ``history`` is a :class:`RoleHistory`, a path for one, or None for the default persistent
    history of ``session`` (:func:`~.history.default_path`: the operator's, ``$XACCT_HISTORY``
    or the user's config dir; for a sandbox session, the sandbox's own). ``session_name`` is the
    RoleSessionName used (default: the base user's name, as the console does).
    """

    def __init__(
        self,
        session: boto3.Session,
        *,
        history: RoleHistory | str | os.PathLike[str] | None = None,
        session_name: str | None = None,
    ) -> None:
        self._base = require_session(
            session, "RoleSwitcher", example="xw.connect('source', 'operator')"
        )
        self._session_name = ids.session_name(session_name) if session_name is not None else None
        self.history = (
            history
            if isinstance(history, RoleHistory)
            else RoleHistory(default_path(self._base) if history is None else history)
        )
        self._base_identity: Identity | None = None
        self._stack: list[_Level] = []
        self._lock = threading.RLock()
        self._observers = Observers()

    # -- state ----------------------------------------------------------------------------------
    @property
    def base_session(self) -> boto3.Session:
        """The session the switcher was made with (the signed-in user)."""
        return self._base

    @property
    def base_identity(self) -> Identity:
        """Who the base session is; one GetCallerIdentity, then cached."""
        with self._lock:
            if self._base_identity is None:
                self._base_identity = identity_of(self._base)
            return self._base_identity

    @property
    def active(self) -> ActiveRole | None:
        """The active role (with its current expiry), or None when acting as the base user."""
        with self._lock:
            if not self._stack:
                return None
            top = self._stack[-1]
        expiry = credentials_expiry(top.session)
        return dataclasses.replace(top.active, expiration=expiry or top.active.expiration)

    @property
    def session(self) -> boto3.Session:
        """The session to make calls with: the active role's, or the base session's."""
        with self._lock:
            return self._stack[-1].session if self._stack else self._base

    @property
    def stack(self) -> tuple[ActiveRole, ...]:
        """Every active level, the first switched-to first (more than one when chaining)."""
        with self._lock:
            return tuple(level.active for level in self._stack)

    def observe(self, callback: SessionObserver) -> Callable[[], None]:
        """Call ``callback(SessionChange)`` after every switch and back, made from a widget or a
        cell (:mod:`.observe`); returns the function that stops it."""
        return self._observers.add(callback)

    @property
    def version(self) -> int:
        """How many times the current session changed (a view compares it with what it drew)."""
        return self._observers.version

    def mfa_devices(self) -> MfaDevices:
        """The base user's MFA devices (``iam:ListMFADevices`` on itself, one call), so a switch
        asks only for the code; ``listed=False`` when they cannot be listed (type the device)."""
        return list_mfa_devices(
            self._base.client("iam", config=client_config()), self.base_identity
        )

    def frame(self) -> pd.DataFrame:
        """The active role as one row (no rows when none), columns :data:`ACTIVE_COLUMNS`."""
        active = self.active
        return active_frame([active] if active else [])

    # -- console sign-in (logic in .console) -----------------------------------------------------
    def console_sign_in_url(
        self, destination: str | ConsolePage | None = None, *, session_duration: int | None = None
    ) -> SignInUrl:
        """The federation sign-in URL of the active role (a secret for 15 minutes: its repr
        masks the token), to a console page, a ``ConsolePage(region, service)`` or the regional
        home. InvalidInput when no role is active; see :mod:`.console`."""
        with self._lock:
            top = self._stack[-1] if self._stack else None
        return console_sign_in_url(
            top.session if top else self._base,
            top.active if top else None,
            destination,
            session_duration=session_duration,
        )

    def open_console(
        self,
        destination: str | ConsolePage | None = None,
        *,
        session_duration: int | None = None,
        opener: Opener = webbrowser.open,
    ) -> bool:
        """Open the console as the active role at once (as aws-vault and Granted do): the URL
        goes straight to ``opener`` and is never returned or kept. ``opener``'s answer."""
        url = self.console_sign_in_url(destination, session_duration=session_duration)
        return bool(opener(str(url)))

    def __repr__(self) -> str:
        base = self._base_identity.arn if self._base_identity else "base identity not read yet"
        active = self._stack[-1].active.identity_arn if self._stack else None
        return f"RoleSwitcher(base={base}, active={active}, depth={len(self._stack)})"

    # -- switching ------------------------------------------------------------------------------
    def switch(
        self,
        account: str,
        role: str,
        display_name: str | None = None,
        color: str | None = None,
        external_id: str | None = None,
        mfa_serial: str | None = None,
        mfa_token: str | None = None,
        duration_seconds: int | None = None,
        *,
        path: str = "/",
        from_base: bool = False,
        role_session_name: str | None = None,
        partition: str | None = None,
    ) -> ActiveRole:
        """Switch into ``role`` in ``account`` (console step B5) and make it the active session.

        ``mfa_token`` alone (the 6-digit code) uses the caller's only MFA device
        (:meth:`mfa_devices`); ``mfa_serial`` names it when it cannot be listed or there are
        several. Inputs are validated before any call. Root gets ``RootUserError`` before any
        AssumeRole; a refusal raises ``SwitchDenied`` whose ``reasons`` come from a preflight.
        Switching while a role is active chains from it (``back()`` returns one level).

        ``from_base=True`` switches as the console does: from the base user whatever is active
        (no chaining), and the new role replaces every active level only once the switch has
        succeeded - a refused switch leaves the active role as it was.

        ``role_session_name`` overrides the switcher's RoleSessionName for this switch (a
        profile's ``role_session_name``).

        ``partition`` is the role's (``aws``, ``aws-cn``, ``aws-us-gov``); None means the
        caller's. AssumeRole never crosses partitions, so a role in another partition than the
        caller's is refused before any AssumeRole, as :meth:`switch_url` refuses its link.
        """
        # Every argument is checked before any call (even the base identity's GetCallerIdentity);
        # the chaining cap waits until we know who switches.
        link = urls.SwitchRoleLink(account, role, display_name, color, path)
        if external_id is not None:
            external_id = ids.external_id(external_id)
        find_device = mfa_serial is None and mfa_token is not None
        if find_device:  # the code alone: the device is the caller's own, looked up below
            mfa_token = ids.mfa_code(mfa_token)  # type: ignore[arg-type]
        else:
            mfa_serial, mfa_token = mfa_arguments(mfa_serial, mfa_token)
        duration_seconds = session_duration(duration_seconds)
        if role_session_name is not None:
            role_session_name = ids.session_name(role_session_name)
        wanted = partitions.partition(partition).name if partition is not None else None
        with self._lock:
            top = self._stack[-1] if self._stack and not from_base else None
            caller = Identity.from_arn(top.active.identity_arn) if top else self.base_identity
            if wanted is not None and wanted != caller.partition:
                refuse_partition(dataclasses.replace(link, partition=wanted).role_arn, caller)
            # A role is in its caller's partition (no AssumeRole across partitions).
            link = dataclasses.replace(link, partition=caller.partition)
            base = top.session if top else self._base
            refuse_root(caller)
            if find_device:  # a role session (chaining) has no device: it must be named
                iam = base.client("iam", config=client_config())
                mfa_serial = resolve_mfa_serial(list_mfa_devices(iam, caller))
            chained = chains_from(base, caller)
            duration_seconds = session_duration(
                duration_seconds, chained=chained, caller=caller.arn
            )
            name = role_session_name or self._session_name or _default_session_name(caller)
            try:
                session = assumed_session(
                    base,
                    link.role_arn,
                    name,
                    external_id=external_id,
                    mfa_serial=mfa_serial,
                    mfa_token=mfa_token,
                    duration_seconds=duration_seconds,
                    chained=chained,
                )
                identity = identity_of(session)
            except AccessDenied as err:
                raise explain_denial(err, caller, base, link, external_id, mfa_serial) from err
            active = ActiveRole(
                account_id=link.account_id,
                role_name=link.role_name,
                role_arn=link.role_arn,
                session_name=identity.session_name or name,
                identity_arn=identity.arn,
                display_name=link.display_name,
                color=link.color,
                expiration=credentials_expiry(session),
                source_arn=caller.arn,
                path=link.path,
                chained=chained,
                mfa=mfa_serial is not None,
            )
            if from_base:
                self._stack.clear()
            self._stack.append(_Level(active, session))
        log.info("switched to %s as %s", active.role_arn, active.identity_arn)
        self._remember(link)
        self._observers.emit("switch", active)
        return active

    def _remember(self, link: urls.SwitchRoleLink) -> None:
        # A history that cannot be written (read-only home, locked file) must not undo a switch
        # that worked: warn and carry on.
        try:
            self.history.record(
                link.account_id,
                link.role_name,
                link.display_name,
                link.color,
                link.path,
                partition=link.partition,
            )
        except XacctError as err:
            log.warning("switch not recorded in role history: %s", err)

    def switch_url(self, url: str, *, from_base: bool = False, **overrides: Any) -> ActiveRole:
        """Switch from a console switch-role URL (step B2); keyword arguments override or add
        to what the URL carries (e.g. ``mfa_token=``); ``from_base`` as in :meth:`switch`."""
        link = urls.parse_switch_role_url(url)
        partition = self.base_identity.partition
        if link.partition != partition:  # AssumeRole never crosses partitions
            raise InvalidSwitchRoleUrl(
                f"Switch-role URL {url!r} is for a role in partition {link.partition!r}, but "
                f"{self.base_identity.arn} signs in to {partition!r}: roles cannot be switched "
                "into across partitions.",
                fix=f"Sign in to an IAM user in {link.partition!r} (a profile of that partition) "
                "and switch from there.",
            )
        kwargs: dict[str, Any] = {
            "account": link.account_id,
            "role": link.role_name,
            "display_name": link.display_name,
            "color": link.color,
            "path": link.path,
        }
        kwargs.update(overrides)
        return self.switch(**kwargs, from_base=from_base)

    def switch_entry(
        self,
        entry: HistoryEntry | Mapping[str, Any] | pd.Series,
        *,
        from_base: bool = False,
        **overrides: Any,
    ) -> ActiveRole:
        """Switch again into a history entry or bookmark (a ``HistoryEntry`` or a frame row);
        ``from_base`` as in :meth:`switch`. The entry's partition (its ``partition``, or its
        role ARN's or link's) is honoured: one in another partition than the caller's is
        refused before any AssumeRole.

        A role profile (a ``RoleRef``, or a row of ``aws_config_profiles()``) switches with its
        ``external_id``, ``mfa_serial`` (pass ``mfa_token=``), ``duration_seconds`` and
        ``role_session_name``, from this switcher's session (its ``source_profile`` is not
        opened).
        """
        if isinstance(entry, HistoryEntry):
            fields: Mapping[str, Any] = dataclasses.asdict(entry)
        elif dataclasses.is_dataclass(entry) and not isinstance(entry, type):  # e.g. a RoleRef
            fields = {f.name: getattr(entry, f.name) for f in dataclasses.fields(entry)}
        elif isinstance(entry, pd.Series):
            fields = {str(k): v for k, v in entry.to_dict().items()}
        elif isinstance(entry, Mapping):
            fields = entry
        else:
            raise InvalidInput(
                f"switch_entry needs a HistoryEntry or a history row, got {type(entry).__name__}.",
                fix="Pass history.entries()[i] or history.frame().iloc[i].",
            )

        def value(key: str) -> Any:
            item = fields.get(key)
            blank = item is None or (pd.api.types.is_scalar(item) and bool(pd.isna(item)))
            return None if blank else item

        if value("role_arn") is not None:
            arn = ids.parse_role_arn(str(value("role_arn")))
            if value("account_id") is None:
                fields = {**fields, "account_id": arn.account_id, "role_name": arn.name}
                fields = {**fields, "path": value("path") or arn.path}
            fields = {**fields, "partition": value("partition") or arn.partition}
        elif value("switch_role_url") is not None:
            # The link's host says the partition; it names the role when the row does not.
            link = urls.parse_switch_role_url(str(value("switch_role_url")))
            named = value("account_id") is not None
            fields = {
                **fields,
                "account_id": value("account_id") or link.account_id,
                "role_name": value("role_name") if named else link.role_name,
                "path": value("path") or link.path,
                "display_name": value("display_name") or link.display_name,
                "color": value("color") or link.color,
                "partition": value("partition") or link.partition,
            }

        kwargs: dict[str, Any] = {
            "account": value("account_id"),
            "role": value("role_name"),
            "display_name": value("display_name"),
            "color": value("color"),
            "path": value("path") or "/",
        }
        if value("partition") is not None:  # the entry's own: never assumed to be the caller's
            kwargs["partition"] = str(value("partition"))
        for key in ("external_id", "mfa_serial", "role_session_name"):
            if value(key) is not None:
                kwargs[key] = str(value(key))
        if value("duration_seconds") is not None:
            kwargs["duration_seconds"] = int(value("duration_seconds"))
        kwargs.update(overrides)
        return self.switch(**kwargs, from_base=from_base)

    def back(self, *, to_base: bool = False) -> Identity:
        """Leave the active role ("Back to <user>"): one level, or all of them with ``to_base``.

        Returns who is now acting (the base user once no role is active). No API call.
        """
        with self._lock:
            changed = bool(self._stack)
            if self._stack:
                log.info("left %s", self._stack.pop().active.role_arn)
            if to_base:
                self._stack.clear()
            top = self._stack[-1].active if self._stack else None
        if changed:
            self._observers.emit("back", self.active)
        return Identity.from_arn(top.identity_arn) if top else self.base_identity
