"""Console switch-role URLs: build the link IAM shows after creating a role, and read it back.

Users share these links (the tutorial bookmarks them past the console's 5-role history), so a
link built here must be byte-for-byte what the console produces, and one pasted from anywhere
must pre-fill the switch form or say exactly what is wrong with it.

Each partition has its own sign-in host (``core.partitions``): a China or GovCloud role's link
points at ``signin.amazonaws.cn`` / ``signin.amazonaws-us-gov.com``, and the host of a pasted
link says which partition its role lives in.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-console.html
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final, Protocol
from urllib.parse import quote, unquote, unquote_plus, urlsplit

from ..errors import (
    InvalidAccountId,
    InvalidColor,
    InvalidInput,
    InvalidRoleName,
    InvalidRoleSpec,
    InvalidSwitchRoleUrl,
)
from . import colors, ids, partitions

__all__ = [
    "SWITCH_ROLE_BASE",
    "LinkedRole",
    "SwitchRoleLink",
    "link_of",
    "parse_switch_role_url",
    "switch_role_url",
    "switch_role_url_problem",
]

#: The commercial partition's switch-role page (others: ``partitions.partition(name)``).
SWITCH_ROLE_BASE: Final = partitions.partition("aws").switch_role_base
#: The console truncates longer display names.
MAX_DISPLAY_NAME: Final = 64


def _display_name(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(
            f"Display name {value!r} is invalid: it must be a string.", fix="Or pass None."
        )
    text = value.strip()
    if not text:
        return None
    if len(text) > MAX_DISPLAY_NAME or any(unicodedata.category(c) == "Cc" for c in text):
        raise InvalidInput(
            f"Display name {value!r} is invalid: it must be at most {MAX_DISPLAY_NAME} "
            "characters, without control characters.",
            fix="Use a short label such as 'prod' or 'tenant-42 (read-only)'.",
        )
    return text


@dataclass(frozen=True)
class SwitchRoleLink:
    """What a switch-role URL carries; fields are validated and normalised on construction."""

    account_id: str
    role_name: str
    display_name: str | None = None
    color: str | None = None
    path: str = "/"
    #: ``aws``, ``aws-cn`` or ``aws-us-gov``: which sign-in host the link points at.
    partition: str = "aws"

    def __post_init__(self) -> None:
        # Frozen, so normalised values are written through object.__setattr__.
        object.__setattr__(self, "partition", partitions.partition(self.partition).name)
        object.__setattr__(self, "account_id", ids.account_id(self.account_id))
        object.__setattr__(self, "role_name", ids.role_name(self.role_name))
        object.__setattr__(self, "path", ids.iam_path(self.path))
        object.__setattr__(self, "display_name", _display_name(self.display_name))
        if self.color is not None:
            object.__setattr__(self, "color", colors.color(self.color))

    @property
    def role_arn(self) -> str:
        """The role's ARN, in the link's partition (as the URL's host implies)."""
        return ids.role_arn(self.account_id, self.role_name, self.path, partition=self.partition)

    @property
    def url(self) -> str:
        """The console URL: roleName, account, then displayName and color when set."""
        role = f"{self.path.lstrip('/')}{self.role_name}"
        params = [("roleName", quote(role, safe="/")), ("account", self.account_id)]
        if self.display_name is not None:
            params.append(("displayName", quote(self.display_name, safe="")))
        if self.color is not None:
            params.append(("color", self.color))
        base = partitions.partition(self.partition).switch_role_base
        return base + "?" + "&".join(f"{k}={v}" for k, v in params)

    def __str__(self) -> str:
        return self.url


def switch_role_url(
    account: str,
    role_name: str,
    display_name: str | None = None,
    color: str | None = None,
    path: str = "/",
    *,
    partition: str = "aws",
) -> str:
    """Return the console's switch-role URL for a role, e.g.
    ``https://signin.aws.amazon.com/switchrole?roleName=cross-account&account=123456781234``;
    ``partition`` (``aws-cn``, ``aws-us-gov``) picks that partition's sign-in host.
    """
    return SwitchRoleLink(account, role_name, display_name, color, path, partition).url


class LinkedRole(Protocol):
    """What a switch-role link is made of: a history entry, the active role, a RoleRef..."""

    @property
    def account_id(self) -> str: ...
    @property
    def role_name(self) -> str: ...
    @property
    def display_name(self) -> str | None: ...
    @property
    def color(self) -> str | None: ...
    @property
    def path(self) -> str: ...
    @property
    def partition(self) -> str: ...


def link_of(role: LinkedRole) -> SwitchRoleLink:
    """The switch-role link of anything that names a role and how the console labels it."""
    return SwitchRoleLink(
        role.account_id, role.role_name, role.display_name, role.color, role.path, role.partition
    )


class _Refused(Exception):
    """Why a URL is no switch-role link: ``reason`` never quotes the URL or a part of it (it
    may be read from a file and shown), ``detail`` may; ``fix`` says what to do."""

    def __init__(self, reason: str, detail: str | None = None, fix: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.detail, self.fix = reason, detail or reason, fix


_DEFAULT_FIX: Final = (
    f"Use the link from the role's page, like {SWITCH_ROLE_BASE}?roleName=NAME&account=ID."
)
# Which URL parameter a validation error is about, by the error's class.
_PARAM_OF: Final = (
    (InvalidAccountId, "account"),
    (InvalidRoleName, "roleName"),
    (InvalidRoleSpec, "roleName (its path)"),
    (InvalidColor, "color"),
)


def _params(query: str, fragment: str) -> dict[str, str]:
    """Collect parameters from the query and from a ``#`` fragment, case-insensitively."""
    found: dict[str, str] = {}
    for part in (query, fragment.lstrip("!/?")):
        for pair in part.split("&"):
            if not pair:
                continue
            key, sep, raw = pair.partition("=")
            key = unquote(key).strip().lower()
            if not sep:
                continue
            # '+' is a legal role-name character; only a display name may use it for a space.
            value = unquote_plus(raw) if key == "displayname" else unquote(raw)
            if key in found and found[key] != value:
                raise _Refused(
                    f"{key} is given twice, with different values",
                    f"{key} is given twice ({found[key]!r} and {value!r})",
                )
            found[key] = value
    return found


def _parse(url: object) -> SwitchRoleLink:
    """The link ``url`` is, or :class:`_Refused`."""
    if not isinstance(url, str):
        raise _Refused("it must be a string")
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as err:
        raise _Refused("it cannot be parsed as a URL", f"it cannot be parsed ({err})") from None
    if parts.scheme.lower() != "https":
        raise _Refused("it must start with https://")
    host = (parts.hostname or "").lower()
    where = partitions.partition_of_host(host)
    if where is None or port is not None or parts.username:
        hosts = ", ".join(p.signin_host for p in partitions.PARTITIONS.values())
        rule = f"is not a sign-in host ({hosts}, or <region>.<host>)"
        raise _Refused(f"its host {rule}", f"host {host!r} {rule}")
    if parts.path.rstrip("/") != "/switchrole":
        raise _Refused("its path is not /switchrole", f"path {parts.path!r} is not /switchrole")
    params = _params(parts.query, parts.fragment)
    missing = [k for k in ("account", "rolename") if not params.get(k)]
    if missing:
        names = {"account": "account", "rolename": "roleName"}
        raise _Refused("it has no " + " and no ".join(names[k] for k in missing))
    head, _, name = params["rolename"].strip().strip("/").rpartition("/")
    try:
        return SwitchRoleLink(
            account_id=params["account"],
            role_name=name,
            display_name=params.get("displayname"),
            color=params.get("color") or None,
            path=f"/{head}/" if head else "/",
            partition=where.name,
        )
    except InvalidInput as err:
        param = next((p for cls, p in _PARAM_OF if isinstance(err, cls)), "displayName")
        rule = err.message.rstrip(".").rsplit(" is invalid: ", 1)[-1]
        raise _Refused(
            f"its {param} is invalid: {rule}", err.message.rstrip("."), err.fix
        ) from None


def switch_role_url_problem(url: object) -> str | None:
    """Why ``url`` is not a switch-role link, in words that quote none of it (it may come from
    a file: a bookmark's URL can carry anything); None when it is one."""
    try:
        _parse(url)
    except _Refused as refused:
        return refused.reason
    return None


def parse_switch_role_url(url: str) -> SwitchRoleLink:
    """Read a switch-role URL (query or ``#`` fragment form, global or regional sign-in host of
    any partition; the host sets the link's ``partition``)."""
    try:
        return _parse(url)
    except _Refused as refused:
        raise InvalidSwitchRoleUrl(
            f"Switch-role URL {url!r} is invalid: {refused.detail}.",
            fix=refused.fix or _DEFAULT_FIX,
        ) from None
