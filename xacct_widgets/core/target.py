"""Part A in the target account: describe a role (RoleSpec), see what would change (Plan), apply.

The console's "Create role" wizard only creates; editing a role later is a different set of pages,
and a failure half-way leaves a half-made role behind. Here one declarative :class:`RoleSpec` is
compared with what IAM has, the difference becomes a :class:`Plan` of small steps, and
:meth:`TargetAccount.apply` performs exactly those steps with an undo log, so that

- applying the same spec twice writes nothing the second time (idempotent), and
- a failure at any step undoes the steps already done, in reverse, and raises
  :class:`~xacct_widgets.errors.ApplyFailed` naming the step (all-or-nothing).

Only the target-account ``boto3.Session`` is used; nothing here assumes roles.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from html import escape
from typing import TYPE_CHECKING, Any, Final, Literal, NoReturn, TypeVar

import boto3
import pandas as pd
from botocore.exceptions import BotoCoreError, ClientError

from ..errors import (  # ApplyDenied is re-exported here (it used to live in this module)
    AccessDenied,
    ApplyDenied,
    ApplyFailed,
    AwsError,
    InvalidInput,
    InvalidPolicy,
    InvalidRoleSpec,
    PolicyNotFound,
    RoleNotFound,
    XacctError,
)
from . import ids, policies, urls
from .aws import aws_call, client_config, error_code, wrap_client_error
from .frames import to_frame

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_iam.type_defs import TagTypeDef

__all__ = [
    "ACTIONS",
    "ATTACHED_COLUMNS",
    "CHANGE_COLUMNS",
    "INLINE_COLUMNS",
    "MANAGED_POLICY_COLUMNS",
    "PROBLEM_COLUMNS",
    "ROLE_COLUMNS",
    "ApplyDenied",
    "FrozenMap",
    "Plan",
    "PlanProblem",
    "PlanStep",
    "RoleRecord",
    "RoleSpec",
    "TargetAccount",
]

log = logging.getLogger(__name__)

#: Plan step actions, in the order apply performs them: removals before additions, so that the
#: role never holds more than the old or the new spec grants and IAM's quotas are freed first.
ACTIONS: Final = (
    "create role",
    "update trust policy",
    "update max session duration",
    "update description",
    "untag role",
    "tag role",
    "detach policy",
    "delete inline policy",
    "attach policy",
    "put inline policy",
)
#: Columns of :attr:`Plan.changes`.
CHANGE_COLUMNS: Final = ("step", "action", "target", "detail")
#: Columns of :attr:`Plan.problem_frame`.
PROBLEM_COLUMNS: Final = ("problem", "target", "detail", "fix")
#: Columns of :meth:`TargetAccount.roles`.
ROLE_COLUMNS: Final = (
    "name",
    "path",
    "arn",
    "created",
    "max_session_duration",
    "description",
    "trusted",
)
#: Columns of :meth:`TargetAccount.managed_policies`.
MANAGED_POLICY_COLUMNS: Final = ("name", "arn", "scope", "path", "attachment_count")
#: Columns of :meth:`TargetAccount.attached_policies`.
ATTACHED_COLUMNS: Final = ("name", "arn", "scope", "path")
#: Columns of :meth:`TargetAccount.inline_policies`.
INLINE_COLUMNS: Final = ("policy_name", "document")

# IAM quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
MAX_MANAGED_POLICIES: Final = 20  # hard limit; the default quota is 10
MAX_INLINE_TOTAL: Final = 10240  # all of a role's inline policies together, without whitespace
MAX_TAGS: Final = 50
MAX_DESCRIPTION: Final = 1000
_POLICY_NAME_CHARS: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-"
)
_TAG_PUNCT: Final = frozenset(" _.:/=+-@")

Scope = Literal["All", "AWS", "Local"]
V = TypeVar("V")


class FrozenMap(Mapping[str, V]):
    """A read-only, hashable dict, so that a frozen RoleSpec really cannot change under a Plan.

    Compares equal to a plain dict with the same items and prints like one.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, V] | Iterable[tuple[str, V]] = ()) -> None:
        self._data: dict[str, V] = dict(data)

    def __getitem__(self, key: str) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)

    def __hash__(self) -> int:
        return hash(json.dumps(self._data, sort_keys=True, default=str))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented


# -- RoleSpec ----------------------------------------------------------------------------------
def _spec_error(name: str, value: object, rule: str, fix: str) -> NoReturn:
    raise InvalidRoleSpec(f"RoleSpec.{name} {value!r} is invalid: it must be {rule}.", fix=fix)


def _field(name: str, check: Callable[[Any], V], value: Any) -> V:
    """Run an ids validator, re-raising as InvalidRoleSpec that names the RoleSpec field."""
    try:
        return check(value)
    except InvalidRoleSpec as err:
        if err.message.startswith("RoleSpec."):
            raise
        raise type(err)(f"RoleSpec.{name}: {err.message}", fix=err.fix) from err
    except InvalidInput as err:
        raise InvalidRoleSpec(f"RoleSpec.{name}: {err.message}", fix=err.fix) from err


def _strings(name: str, values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        return [values]
    if not isinstance(values, Iterable) or isinstance(values, Mapping):
        _spec_error(name, values, "a list of strings", "Pass a list, e.g. [...].")
    items = list(values)
    for item in items:
        if not isinstance(item, str):
            _spec_error(name, item, "a string", "Pass each entry as a string.")
    return items


def _policy_name(value: Any) -> str:
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= 128
        or not set(value) <= _POLICY_NAME_CHARS
    ):
        _spec_error(
            "inline_policies",
            value,
            "a policy name of 1-128 characters, letters, digits and + = , . @ _ - only",
            "Name the inline policy e.g. 'allow-s3-read'.",
        )
    return value


def _inline(value: Any) -> FrozenMap[dict[str, Any]]:
    if value is None:
        return FrozenMap()
    if not isinstance(value, Mapping):
        _spec_error(
            "inline_policies",
            value,
            "a mapping of policy name -> policy document",
            'Pass e.g. {"allow-s3": {"Version": "2012-10-17", "Statement": [...]}}.',
        )
    docs: dict[str, dict[str, Any]] = {}
    for name, doc in value.items():
        try:
            docs[_policy_name(name)] = policies.validate_policy_document(
                doc, kind="identity", name=name
            )
        except InvalidPolicy as err:
            raise InvalidPolicy(f"RoleSpec.inline_policies: {err.message}", fix=err.fix) from err
    total = sum(len(json.dumps(d, separators=(",", ":"))) for d in docs.values())
    if total > MAX_INLINE_TOTAL:
        raise InvalidPolicy(
            f"RoleSpec.inline_policies are {total} characters together: IAM allows "
            f"{MAX_INLINE_TOTAL} for all of a role's inline policies.",
            fix="Move statements into a customer-managed policy and attach it instead.",
        )
    return FrozenMap(docs)


def _tag_text_ok(text: str) -> bool:
    return all(
        c.isalnum() or c in _TAG_PUNCT or unicodedata.category(c).startswith("Z") for c in text
    )


def _tags(value: Any) -> FrozenMap[str]:
    if value is None:
        return FrozenMap()
    if not isinstance(value, Mapping):
        _spec_error("tags", value, "a mapping of tag key -> value", 'Pass e.g. {"team": "ops"}.')
    if len(value) > MAX_TAGS:
        _spec_error("tags", f"{len(value)} tags", f"at most {MAX_TAGS} tags", "Drop some tags.")
    seen: dict[str, str] = {}
    for key, text in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 128 or not _tag_text_ok(key):
            _spec_error(
                "tags",
                key,
                "a tag key of 1-128 letters, digits, spaces and _ . : / = + - @",
                "Use a short key such as 'team'.",
            )
        if key.lower().startswith("aws:"):
            _spec_error("tags", key, "a key not starting with 'aws:' (reserved)", "Rename it.")
        if key.lower() in seen:
            _spec_error(
                "tags",
                key,
                f"unique ignoring case (IAM treats it as {seen[key.lower()]!r})",
                "Keep one of them.",
            )
        seen[key.lower()] = key
        if not isinstance(text, str) or len(text) > 256 or not _tag_text_ok(text):
            _spec_error(
                "tags",
                text,
                f"a value (of tag {key!r}) of 0-256 letters, digits, spaces and _ . : / = + - @",
                "Pass the value as a string.",
            )
    return FrozenMap(dict(value))


def _description(value: Any) -> str:
    if value is None:
        return ""
    ok = isinstance(value, str) and all(
        c in "\t\n\r" or " " <= c <= "~" or "\u00a1" <= c <= "\u00ff" for c in value
    )
    if not ok or len(value) > MAX_DESCRIPTION:
        _spec_error(
            "description",
            value,
            f"at most {MAX_DESCRIPTION} characters of printable Latin-1 text",
            "Shorten it or drop unusual characters (emoji are not allowed).",
        )
    return str(value)


@dataclass(frozen=True)
class RoleSpec:
    """The cross-account role as it should be; validated against IAM's limits on construction.

    Every field is checked before any API call, so a typo fails here with the field, the bad
    value and the rule, not half-way through an apply. Lists are accepted and stored as tuples;
    ``trusted_principals`` empty means "the whole trusted account" (its ``root`` ARN), as the
    console's "Another AWS account" option does.
    """

    name: str
    trusted_account: str
    managed_policy_arns: tuple[str, ...] = ()
    inline_policies: Mapping[str, Mapping[str, Any]] = field(default_factory=FrozenMap)
    trusted_principals: tuple[str, ...] = ()
    external_id: str | None = None
    require_mfa: bool = False
    max_session_duration: int = 3600
    path: str = "/"
    description: str = ""
    tags: Mapping[str, str] = field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        # Frozen: normalised values are written through object.__setattr__.
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        put("name", _field("name", ids.role_name, self.name))
        put("trusted_account", _field("trusted_account", ids.account_id, self.trusted_account))
        arns = [
            _field("managed_policy_arns", ids.managed_policy_arn, a)
            for a in _strings("managed_policy_arns", self.managed_policy_arns)
        ]
        put("managed_policy_arns", tuple(dict.fromkeys(arns)))
        if len(self.managed_policy_arns) > MAX_MANAGED_POLICIES:
            _spec_error(
                "managed_policy_arns",
                f"{len(self.managed_policy_arns)} policies",
                f"at most {MAX_MANAGED_POLICIES} (IAM's hard limit; the default quota is 10)",
                "Combine policies into a customer-managed one.",
            )
        put("inline_policies", _inline(self.inline_policies))
        principals = [p.strip() for p in _strings("trusted_principals", self.trusted_principals)]
        put("trusted_principals", tuple(dict.fromkeys(principals)))
        if self.external_id is not None:
            put("external_id", _field("external_id", ids.external_id, self.external_id))
        if not isinstance(self.require_mfa, bool):
            _spec_error("require_mfa", self.require_mfa, "True or False", "Pass a bool.")
        put(
            "max_session_duration",
            _field("max_session_duration", ids.max_session_duration, self.max_session_duration),
        )
        put("path", _field("path", ids.iam_path, self.path))
        put("description", _description(self.description))
        put("tags", _tags(self.tags))
        # Builds (and so validates) the trust policy: principals in the trusted account, no '*'.
        _field("trusted_principals", lambda _: self.trust_policy(), None)

    def trust_policy(self) -> dict[str, Any]:
        """The role's trust policy: the trusted account's root (or the listed principals)."""
        return policies.trust_policy(
            self.trusted_account,
            self.trusted_principals or None,
            external_id=self.external_id,
            require_mfa=self.require_mfa,
        )

    def role_arn(self, account: str) -> str:
        """The ARN this role has (or will have) in ``account``."""
        return ids.role_arn(account, self.name, self.path)


# -- Plan --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanStep:
    """One write that apply will make: ``action`` is one of :data:`ACTIONS`."""

    action: str
    target: str
    detail: str = ""

    @property
    def label(self) -> str:
        return f"{self.action} {self.target}"


@dataclass(frozen=True)
class PlanProblem:
    """Something that stops apply before it writes anything (e.g. a policy ARN that is missing)."""

    problem: str
    target: str
    detail: str
    fix: str


@dataclass(frozen=True)
class RoleRecord:
    """A role as IAM has it, read back (or as apply just left it)."""

    name: str
    arn: str
    account_id: str
    path: str
    role_id: str
    created: datetime | None
    max_session_duration: int
    trust_policy: dict[str, Any] = field(hash=False)
    managed_policy_arns: tuple[str, ...]
    inline_policy_names: tuple[str, ...]
    tags: Mapping[str, str] = field(hash=False)
    switch_role_url: str
    description: str = ""

    def frame(self) -> pd.DataFrame:
        """The role as a two-column (field, value) table, the console's role summary page."""
        rows = [
            ("name", self.name),
            ("arn", self.arn),
            ("account_id", self.account_id),
            ("path", self.path),
            ("role_id", self.role_id),
            ("created", self.created),
            ("description", self.description),
            ("max_session_duration", self.max_session_duration),
            ("trusted", _trusted_text(self.trust_policy)),
            ("managed_policy_arns", ", ".join(self.managed_policy_arns)),
            ("inline_policy_names", ", ".join(self.inline_policy_names)),
            ("tags", ", ".join(f"{k}={v}" for k, v in self.tags.items())),
            ("switch_role_url", self.switch_role_url),
        ]
        return to_frame(({"field": k, "value": v} for k, v in rows), ("field", "value"))


@dataclass(frozen=True, repr=False)
class Plan:
    """What :meth:`TargetAccount.apply` would do for ``spec``, read from the account; no writes.

    ``current`` is the role as it was read (None when it does not exist yet); ``problems`` are
    the reasons apply would refuse to start.
    """

    spec: RoleSpec
    role_exists: bool
    steps: tuple[PlanStep, ...]
    trust_policy: dict[str, Any] = field(hash=False)
    problems: tuple[PlanProblem, ...] = ()
    current: RoleRecord | None = None
    current_inline_policies: Mapping[str, Mapping[str, Any]] = field(
        default_factory=FrozenMap, hash=False
    )

    @property
    def is_noop(self) -> bool:
        """True when the role already matches the spec: apply would write nothing."""
        return not self.steps and not self.problems

    @property
    def ok(self) -> bool:
        """True when apply can proceed (there may still be steps to perform)."""
        return not self.problems

    @property
    def changes(self) -> pd.DataFrame:
        """The steps as a table (``step`` is 1-based), empty when nothing would change."""
        return to_frame(
            ({"step": i, **vars(s)} for i, s in enumerate(self.steps, 1)), CHANGE_COLUMNS
        )

    @property
    def problem_frame(self) -> pd.DataFrame:
        """The problems as a table: problem, target, detail, fix."""
        return to_frame(self.problems, PROBLEM_COLUMNS)

    def __repr__(self) -> str:
        state = "exists" if self.role_exists else "new"
        lines = [f"Plan for role {self.spec.name!r} ({state}): {len(self.steps)} step(s)"]
        lines += [f"  {i}. {s.label}: {s.detail}" for i, s in enumerate(self.steps, 1)]
        if not self.steps:
            lines.append("  nothing to change")
        lines += [f"  ! {p.problem} {p.target}: {p.detail} {p.fix}" for p in self.problems]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        state = "exists" if self.role_exists else "new"
        head = (
            f"<p>Plan for role <code>{escape(self.spec.name)}</code> ({state}): "
            f"{len(self.steps)} step(s)</p>"
        )
        body = self.changes.to_html(index=False) if self.steps else "<p>Nothing to change.</p>"
        if self.problems:
            body += "<p><b>Problems</b></p>" + self.problem_frame.to_html(index=False)
        return head + body


# -- helpers -----------------------------------------------------------------------------------
def _trusted_text(doc: Mapping[str, Any] | str | None) -> str:
    if not doc:
        return ""
    entries = policies.trust_principals(doc)
    return "; ".join(
        f"{e.principal_type} {e.principal}" + (f" ({e.conditions})" if e.conditions else "")
        for e in entries
    )


def _compact(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":"))


def _scope(arn: str) -> str:
    return "AWS" if ":aws:policy/" in arn else "Local"


def _tag_list(tags: Mapping[str, str]) -> list[TagTypeDef]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


@dataclass
class _Op:
    """A plan step bound to its API call; ``run`` performs it and returns its undo."""

    step: PlanStep
    action: str  # the IAM action, so that a denial names the missing permission
    resource: str
    run: Callable[[], Callable[[], None]]


# -- TargetAccount -----------------------------------------------------------------------------
class TargetAccount:
    """IAM in the account where the role lives (the tutorial's 1234-5678-1234)."""

    def __init__(self, session: boto3.Session) -> None:
        self.session = session

    def __repr__(self) -> str:
        known = self.__dict__.get("account_id")
        return f"TargetAccount({known or 'account not read yet'})"

    @cached_property
    def iam(self) -> IAMClient:
        """The IAM client, built once: client creation costs more than a call."""
        return self.session.client("iam", config=client_config())

    @cached_property
    def account_id(self) -> str:
        """The account this session acts in (sts:GetCallerIdentity, read once)."""
        with aws_call("sts:GetCallerIdentity"):
            return str(self.session.client("sts").get_caller_identity()["Account"])

    def _pages(self, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
        paginator: Any = self.iam.get_paginator(operation)  # type: ignore[call-overload]
        for page in paginator.paginate(**kwargs):
            yield from page.get(key, [])

    # -- reading -------------------------------------------------------------------------------
    def roles(self) -> pd.DataFrame:
        """All roles, sorted by name: :data:`ROLE_COLUMNS` (the console's IAM -> Roles list)."""
        with aws_call("iam:ListRoles"):
            found = list(self._pages("list_roles", "Roles"))
        rows = [
            {
                "name": r["RoleName"],
                "path": r.get("Path", "/"),
                "arn": r["Arn"],
                "created": r.get("CreateDate"),
                "max_session_duration": r.get("MaxSessionDuration", 3600),
                "description": r.get("Description", ""),
                "trusted": _trusted_text(r.get("AssumeRolePolicyDocument")),
            }
            for r in sorted(found, key=lambda r: str(r["RoleName"]).lower())
        ]
        return to_frame(rows, ROLE_COLUMNS)

    def managed_policies(
        self, scope: Scope = "All", search: str | None = None, attached_only: bool = False
    ) -> pd.DataFrame:
        """Managed policies to choose from (A5): ``scope`` AWS / Local (customer) / All.

        ``search`` keeps names containing it, ignoring case; ``attached_only`` keeps policies
        attached to something. Columns: :data:`MANAGED_POLICY_COLUMNS`.
        """
        scopes = {"all": "All", "aws": "AWS", "local": "Local", "customer": "Local"}
        chosen = scopes.get(str(scope).lower()) if isinstance(scope, str) else None
        if chosen is None:
            raise InvalidInput(
                f"scope {scope!r} is invalid: it must be 'All', 'AWS' or 'Local'.",
                fix="Use 'AWS' for AWS-managed policies, 'Local' for your own.",
            )
        if search is not None and not isinstance(search, str):
            raise InvalidInput(f"search {search!r} is invalid: it must be a string or None.")
        needle = (search or "").strip().lower()
        with aws_call("iam:ListPolicies"):
            found = list(
                self._pages(
                    "list_policies", "Policies", Scope=chosen, OnlyAttached=bool(attached_only)
                )
            )
        rows = [
            {
                "name": p["PolicyName"],
                "arn": p["Arn"],
                "scope": _scope(p["Arn"]),
                "path": p.get("Path", "/"),
                "attachment_count": p.get("AttachmentCount", 0),
            }
            for p in sorted(found, key=lambda p: str(p["PolicyName"]).lower())
            if needle in str(p["PolicyName"]).lower()
        ]
        return to_frame(rows, MANAGED_POLICY_COLUMNS)

    def _get_role(self, name: str) -> dict[str, Any] | None:
        """The role's GetRole description, or None when it does not exist."""
        try:
            with aws_call("iam:GetRole", name):
                return dict(self.iam.get_role(RoleName=name)["Role"])
        except RoleNotFound:
            return None

    def _attached_arns(self, name: str) -> tuple[str, ...]:
        with aws_call("iam:ListAttachedRolePolicies", name):
            return tuple(
                sorted(
                    p["PolicyArn"]
                    for p in self._pages(
                        "list_attached_role_policies", "AttachedPolicies", RoleName=name
                    )
                )
            )

    def _inline_names(self, name: str) -> tuple[str, ...]:
        with aws_call("iam:ListRolePolicies", name):
            return tuple(sorted(self._pages("list_role_policies", "PolicyNames", RoleName=name)))

    def _inline_document(self, role: str, policy: str) -> dict[str, Any]:
        with aws_call("iam:GetRolePolicy", f"{role}/{policy}"):
            doc = self.iam.get_role_policy(RoleName=role, PolicyName=policy)["PolicyDocument"]
        return policies.load_policy(doc)

    def _record(
        self,
        raw: Mapping[str, Any],
        managed: Iterable[str],
        inline: Iterable[str],
        *,
        trust: Mapping[str, Any] | None = None,
    ) -> RoleRecord:
        arn = ids.parse_arn(str(raw["Arn"]))
        doc = trust if trust is not None else raw.get("AssumeRolePolicyDocument") or {}
        path = str(raw.get("Path", "/"))
        return RoleRecord(
            name=str(raw["RoleName"]),
            arn=arn.arn,
            account_id=arn.account_id,
            path=path,
            role_id=str(raw.get("RoleId", "")),
            created=raw.get("CreateDate"),
            max_session_duration=int(raw.get("MaxSessionDuration", 3600)),
            trust_policy=policies.load_policy(doc),
            managed_policy_arns=tuple(sorted(managed)),
            inline_policy_names=tuple(sorted(inline)),
            tags=FrozenMap({t["Key"]: t["Value"] for t in raw.get("Tags") or []}),
            switch_role_url=urls.switch_role_url(arn.account_id, str(raw["RoleName"]), path=path),
            description=str(raw.get("Description") or ""),
        )

    def _require_role(self, name: str) -> dict[str, Any]:
        role = self._get_role(ids.role_name(name))
        if role is None:
            raise RoleNotFound(
                f"Role {name!r} does not exist in this account.",
                code="NoSuchEntity",
                fix="List the roles with roles(), or create it with apply(RoleSpec(...)).",
            )
        return role

    def role(self, name: str) -> RoleRecord:
        """Read a role back: trust policy, attached and inline policy names, tags, URL."""
        raw = self._require_role(name)
        return self._record(raw, self._attached_arns(name), self._inline_names(name))

    def trust_relationships(self, name: str) -> pd.DataFrame:
        """The role's "Trust relationships" tab: one row per trusted principal (A7)."""
        raw = self._require_role(name)
        entries = policies.trust_principals(raw.get("AssumeRolePolicyDocument") or {})
        return to_frame(entries, policies.TRUST_COLUMNS)

    def attached_policies(self, name: str) -> pd.DataFrame:
        """Managed policies attached to the role (its Permissions tab): :data:`ATTACHED_COLUMNS`."""
        ids.role_name(name)
        try:
            with aws_call("iam:ListAttachedRolePolicies", name):
                found = list(
                    self._pages("list_attached_role_policies", "AttachedPolicies", RoleName=name)
                )
        except RoleNotFound as err:
            raise RoleNotFound(
                f"Role {name!r} does not exist in this account.", code=err.code, fix=err.fix
            ) from err
        rows = [
            {
                "name": p["PolicyName"],
                "arn": p["PolicyArn"],
                "scope": _scope(p["PolicyArn"]),
                "path": ids.parse_arn(p["PolicyArn"]).path,
            }
            for p in sorted(found, key=lambda p: str(p["PolicyName"]).lower())
        ]
        return to_frame(rows, ATTACHED_COLUMNS)

    def inline_policies(self, name: str) -> pd.DataFrame:
        """The role's inline policies: name and document as compact JSON."""
        ids.role_name(name)
        names = self._inline_names(name)
        rows = [
            {"policy_name": n, "document": _compact(self._inline_document(name, n))} for n in names
        ]
        return to_frame(rows, INLINE_COLUMNS)

    def switch_role_url(
        self, name: str, display_name: str | None = None, color: str | None = None
    ) -> str:
        """The console's switch-role link for an existing role (A6), path included."""
        # Validate display name and colour before the call; the account is filled in below.
        urls.switch_role_url("000000000000", name, display_name, color)
        raw = self._require_role(name)
        arn = ids.parse_arn(str(raw["Arn"]))
        return urls.switch_role_url(
            arn.account_id, name, display_name, color, path=str(raw.get("Path", "/"))
        )

    # -- planning ------------------------------------------------------------------------------
    def plan(self, spec: RoleSpec) -> Plan:
        """Compare ``spec`` with the account and list the writes apply would make; writes nothing.

        Reads GetRole, the attached and inline policy lists, the inline documents the spec also
        names, and GetPolicy for each policy to attach (a missing one is a problem, not a step).
        """
        if not isinstance(spec, RoleSpec):
            raise InvalidInput(f"plan() needs a RoleSpec, not {type(spec).__name__}.")
        desired_trust = spec.trust_policy()
        raw = self._get_role(spec.name)
        steps: list[PlanStep] = []
        problems: list[PlanProblem] = []
        current: RoleRecord | None = None
        current_docs: dict[str, dict[str, Any]] = {}
        if raw is None:
            steps.append(
                PlanStep(
                    "create role",
                    spec.name,
                    f"path {spec.path}, max session {spec.max_session_duration} s, "
                    f"trusts {_trusted_text(desired_trust)}"
                    + (f", {len(spec.tags)} tag(s)" if spec.tags else ""),
                )
            )
            attached: tuple[str, ...] = ()
            inline_names: tuple[str, ...] = ()
        else:
            attached = self._attached_arns(spec.name)
            inline_names = self._inline_names(spec.name)
            current = self._record(raw, attached, inline_names)
            steps += self._role_diff(spec, current, desired_trust, problems)
        for arn in [a for a in attached if a not in spec.managed_policy_arns]:
            steps.append(PlanStep("detach policy", arn, "no longer in the spec"))
        to_attach = [a for a in spec.managed_policy_arns if a not in attached]
        for arn in to_attach:
            steps.append(PlanStep("attach policy", arn, f"{_scope(arn)}-managed"))
        problems += self._missing_policies(to_attach)
        for name in [n for n in inline_names if n not in spec.inline_policies]:
            steps.append(PlanStep("delete inline policy", name, "no longer in the spec"))
        for name, doc in spec.inline_policies.items():
            if name in inline_names:
                current_docs[name] = self._inline_document(spec.name, name)
                if policies.equivalent(current_docs[name], doc):
                    continue
                detail = f"changed: {_compact(doc)}"
            else:
                detail = f"new: {_compact(doc)}"
            steps.append(PlanStep("put inline policy", name, detail))
        steps.sort(key=lambda s: ACTIONS.index(s.action))
        return Plan(
            spec=spec,
            role_exists=raw is not None,
            steps=tuple(steps),
            trust_policy=desired_trust,
            problems=tuple(problems),
            current=current,
            current_inline_policies=FrozenMap(current_docs),
        )

    @staticmethod
    def _role_diff(
        spec: RoleSpec,
        current: RoleRecord,
        desired_trust: Mapping[str, Any],
        problems: list[PlanProblem],
    ) -> list[PlanStep]:
        steps: list[PlanStep] = []
        if current.path != spec.path:
            problems.append(
                PlanProblem(
                    "path differs",
                    spec.name,
                    f"the role exists with path {current.path!r}, the spec says {spec.path!r}; "
                    "IAM cannot change a role's path",
                    f"Use path={current.path!r}, or delete_role() and apply again.",
                )
            )
        if not policies.equivalent(current.trust_policy, desired_trust):
            steps.append(
                PlanStep(
                    "update trust policy",
                    spec.name,
                    f"{_trusted_text(current.trust_policy) or 'nobody'} -> "
                    f"{_trusted_text(desired_trust)}",
                )
            )
        if current.max_session_duration != spec.max_session_duration:
            steps.append(
                PlanStep(
                    "update max session duration",
                    spec.name,
                    f"{current.max_session_duration} s -> {spec.max_session_duration} s",
                )
            )
        if current.description != spec.description:
            steps.append(
                PlanStep(
                    "update description",
                    spec.name,
                    f"{current.description!r} -> {spec.description!r}",
                )
            )
        removed = [k for k in current.tags if k not in spec.tags]
        if removed:
            steps.append(PlanStep("untag role", spec.name, ", ".join(removed)))
        changed = {k: v for k, v in spec.tags.items() if current.tags.get(k) != v}
        if changed:
            steps.append(
                PlanStep("tag role", spec.name, ", ".join(f"{k}={v}" for k, v in changed.items()))
            )
        return steps

    def _missing_policies(self, arns: Iterable[str]) -> list[PlanProblem]:
        problems = []
        for arn in arns:
            try:
                with aws_call("iam:GetPolicy", arn):
                    policy = self.iam.get_policy(PolicyArn=arn)["Policy"]
            except PolicyNotFound:
                problems.append(
                    PlanProblem(
                        "policy not found",
                        arn,
                        "no managed policy with this ARN exists in this account",
                        "Check the ARN: list them with managed_policies(search=...).",
                    )
                )
                continue
            if policy.get("IsAttachable") is False:
                problems.append(
                    PlanProblem(
                        "policy not attachable",
                        arn,
                        "IAM marks this policy as not attachable",
                        "Choose another policy.",
                    )
                )
        return problems

    # -- applying ------------------------------------------------------------------------------
    def apply(self, spec: RoleSpec) -> RoleRecord:
        """Make the role match ``spec``: exactly the steps of ``plan(spec)``, all or nothing.

        A second apply of the same spec writes nothing. If a step fails, the steps already done
        are undone in reverse and :class:`ApplyFailed` (or :class:`ApplyDenied`) names the step.
        """
        plan = self.plan(spec)
        self._refuse_problems(plan)
        if plan.current is not None and not plan.steps:
            return plan.current
        created: dict[str, Any] = {}
        done: list[tuple[PlanStep, Callable[[], None]]] = []
        ops = self._operations(plan, created)
        for index, op in enumerate(ops, 1):
            try:
                with aws_call(op.action, op.resource):
                    undo = op.run()
            except XacctError as err:
                log.warning(
                    "apply %s: step %d (%s) failed; rolling back", spec.name, index, op.step.label
                )
                leftovers = self._rollback(done)
                raise self._failure(spec, index, len(ops), op.step, err, leftovers) from err
            except BaseException:
                # An interrupt (or a bug) half-way must not leave half a role either.
                log.warning("apply %s: interrupted at step %d; rolling back", spec.name, index)
                self._rollback(done)
                raise
            log.info("apply %s: step %d/%d done: %s", spec.name, index, len(ops), op.step.label)
            done.append((op.step, undo))
        return self._record_after(plan, created)

    def _refuse_problems(self, plan: Plan) -> None:
        if not plan.problems:
            return
        text = "; ".join(f"{p.problem}: {p.target} ({p.detail})" for p in plan.problems)
        fix = " ".join(dict.fromkeys(p.fix for p in plan.problems)) + " Nothing was changed."
        message = f"Cannot apply role {plan.spec.name!r}: {text}."
        if any(p.problem == "policy not found" for p in plan.problems):
            raise PolicyNotFound(message, code="NoSuchEntity", fix=fix)
        raise InvalidRoleSpec(message, fix=fix)

    def _failure(
        self,
        spec: RoleSpec,
        index: int,
        total: int,
        step: PlanStep,
        err: XacctError,
        leftovers: list[str],
    ) -> ApplyFailed:
        head = f"Applying role {spec.name!r} failed at step {index} of {total} ({step.label}): "
        if leftovers:
            tail = " Rollback was incomplete; still to undo by hand: " + "; ".join(leftovers) + "."
        else:
            tail = f" The {index - 1} completed step(s) were undone: the account is as before."
        cls = ApplyDenied if isinstance(err, AccessDenied) else ApplyFailed
        return cls(
            head + err.message.rstrip(".") + "." + tail,
            step=step.label,
            code=err.code if isinstance(err, AwsError) else "",
            fix=err.fix,
            rolled_back=not leftovers,
        )

    def _rollback(self, done: list[tuple[PlanStep, Callable[[], None]]]) -> list[str]:
        """Undo completed steps newest first; return what could not be undone."""
        leftovers: list[str] = []
        for step, undo in reversed(done):
            try:
                undo()
            except (ClientError, BotoCoreError) as err:
                wrapped = wrap_client_error(err, action="rollback", resource=step.label)
                log.error("rollback of %s failed: %s", step.label, wrapped.message)
                leftovers.append(f"{step.label} ({error_code(err)})")
            except XacctError as err:
                log.error("rollback of %s failed: %s", step.label, err.message)
                leftovers.append(f"{step.label} ({err.message})")
            else:
                log.info("rolled back: %s", step.label)
        return leftovers

    def _operations(self, plan: Plan, created: dict[str, Any]) -> list[_Op]:
        """Bind each plan step to its call and its undo (the previous state comes from the plan)."""
        spec, iam, name = plan.spec, self.iam, plan.spec.name
        before = plan.current
        ops: list[_Op] = []
        settings: dict[str, Any] = {
            "MaxSessionDuration": before.max_session_duration if before else 0,
            "Description": before.description if before else "",
        }

        def op(step: PlanStep, action: str, run: Callable[[], Callable[[], None]]) -> None:
            # IAM authorises these calls on the role, whatever the step's target.
            ops.append(_Op(step, f"iam:{action}", f"role {name}", run))

        for step in plan.steps:
            if step.action == "create role":

                def create() -> Callable[[], None]:
                    kwargs: dict[str, Any] = {
                        "RoleName": name,
                        "Path": spec.path,
                        "AssumeRolePolicyDocument": json.dumps(plan.trust_policy),
                        "MaxSessionDuration": spec.max_session_duration,
                    }
                    if spec.description:
                        kwargs["Description"] = spec.description
                    if spec.tags:
                        kwargs["Tags"] = _tag_list(spec.tags)
                    created.update(iam.create_role(**kwargs)["Role"])
                    return lambda: self._delete_created(name)

                op(step, "CreateRole", create)
            elif step.action == "update trust policy":
                assert before is not None
                old_trust = before.trust_policy

                def trust(old: Mapping[str, Any] = old_trust) -> Callable[[], None]:
                    iam.update_assume_role_policy(
                        RoleName=name, PolicyDocument=json.dumps(plan.trust_policy)
                    )
                    return lambda: _none(
                        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(old))
                    )

                op(step, "UpdateAssumeRolePolicy", trust)
            elif step.action in ("update max session duration", "update description"):
                # UpdateRole resets an omitted MaxSessionDuration to 3600 (and moto also clears
                # an omitted Description), so every call sends both: the state after the step,
                # and for the undo the state before it.
                prior = dict(settings)
                if step.action == "update description":
                    settings["Description"] = spec.description
                else:
                    settings["MaxSessionDuration"] = spec.max_session_duration
                after = dict(settings)

                def update(
                    after: dict[str, Any] = after, prior: dict[str, Any] = prior
                ) -> Callable[[], None]:
                    iam.update_role(RoleName=name, **after)
                    return lambda: _none(iam.update_role(RoleName=name, **prior))

                op(step, "UpdateRole", update)
            elif step.action == "untag role":
                assert before is not None
                old_tags = {k: v for k, v in before.tags.items() if k not in spec.tags}

                def untag(old: dict[str, str] = old_tags) -> Callable[[], None]:
                    iam.untag_role(RoleName=name, TagKeys=list(old))
                    return lambda: _none(iam.tag_role(RoleName=name, Tags=_tag_list(old)))

                op(step, "UntagRole", untag)
            elif step.action == "tag role":
                previous = before.tags if before is not None else {}
                new = {k: v for k, v in spec.tags.items() if previous.get(k) != v}
                restore = {k: previous[k] for k in new if k in previous}
                added = [k for k in new if k not in previous]

                def tag(
                    new: dict[str, str] = new,
                    restore: dict[str, str] = restore,
                    added: list[str] = added,
                ) -> Callable[[], None]:
                    iam.tag_role(RoleName=name, Tags=_tag_list(new))

                    def undo() -> None:
                        if added:
                            iam.untag_role(RoleName=name, TagKeys=added)
                        if restore:
                            iam.tag_role(RoleName=name, Tags=_tag_list(restore))

                    return undo

                op(step, "TagRole", tag)
            elif step.action == "detach policy":

                def detach(arn: str = step.target) -> Callable[[], None]:
                    iam.detach_role_policy(RoleName=name, PolicyArn=arn)
                    return lambda: _none(iam.attach_role_policy(RoleName=name, PolicyArn=arn))

                op(step, "DetachRolePolicy", detach)
            elif step.action == "attach policy":

                def attach(arn: str = step.target) -> Callable[[], None]:
                    iam.attach_role_policy(RoleName=name, PolicyArn=arn)
                    return lambda: _none(iam.detach_role_policy(RoleName=name, PolicyArn=arn))

                op(step, "AttachRolePolicy", attach)
            elif step.action == "delete inline policy":

                def delete_inline(policy: str = step.target) -> Callable[[], None]:
                    old = self._inline_document(name, policy)  # kept for the undo
                    iam.delete_role_policy(RoleName=name, PolicyName=policy)
                    return lambda: self._put_inline(name, policy, old)

                op(step, "DeleteRolePolicy", delete_inline)
            elif step.action == "put inline policy":
                old_doc = plan.current_inline_policies.get(step.target)

                def put_inline(
                    policy: str = step.target, old: Mapping[str, Any] | None = old_doc
                ) -> Callable[[], None]:
                    self._put_inline(name, policy, spec.inline_policies[policy])
                    if old is not None:
                        return lambda: self._put_inline(name, policy, old)
                    return lambda: _none(iam.delete_role_policy(RoleName=name, PolicyName=policy))

                op(step, "PutRolePolicy", put_inline)
            else:  # pragma: no cover - plan() only makes the actions above
                raise AssertionError(f"unknown plan action {step.action!r}")
        return ops

    def _put_inline(self, role: str, policy: str, doc: Mapping[str, Any]) -> None:
        self.iam.put_role_policy(RoleName=role, PolicyName=policy, PolicyDocument=json.dumps(doc))

    def _delete_created(self, name: str) -> None:
        """Undo "create role": later steps were undone first, so a plain delete normally works."""
        try:
            self.iam.delete_role(RoleName=name)
        except ClientError as err:
            if error_code(err) != "DeleteConflict":
                raise
            self._purge(name)

    def _record_after(self, plan: Plan, created: Mapping[str, Any]) -> RoleRecord:
        """The role as apply left it, built from what was written: IAM reads can lag writes."""
        spec = plan.spec
        raw: dict[str, Any] = dict(created) if created else {}
        if plan.current is not None:
            raw = {
                "RoleName": plan.current.name,
                "Arn": plan.current.arn,
                "Path": plan.current.path,
                "RoleId": plan.current.role_id,
                "CreateDate": plan.current.created,
            }
        raw.update(
            MaxSessionDuration=spec.max_session_duration,
            Description=spec.description,
            Tags=_tag_list(spec.tags),
        )
        return self._record(
            raw, spec.managed_policy_arns, spec.inline_policies, trust=plan.trust_policy
        )

    # -- deleting ------------------------------------------------------------------------------
    def delete_role(self, name: str) -> tuple[PlanStep, ...]:
        """Delete a role and what IAM requires gone first; returns the steps performed.

        IAM refuses to delete a role with attached or inline policies or instance profiles, so
        those are removed first, in that order.
        """
        self._require_role(name)
        return self._purge(name)

    def _purge(self, name: str) -> tuple[PlanStep, ...]:
        done: list[PlanStep] = []
        iam = self.iam
        for arn in self._attached_arns(name):
            with aws_call("iam:DetachRolePolicy", arn):
                iam.detach_role_policy(RoleName=name, PolicyArn=arn)
            done.append(PlanStep("detach policy", arn))
        for policy in self._inline_names(name):
            with aws_call("iam:DeleteRolePolicy", f"{name}/{policy}"):
                iam.delete_role_policy(RoleName=name, PolicyName=policy)
            done.append(PlanStep("delete inline policy", policy))
        with aws_call("iam:ListInstanceProfilesForRole", name):
            profiles = [
                p["InstanceProfileName"]
                for p in self._pages(
                    "list_instance_profiles_for_role", "InstanceProfiles", RoleName=name
                )
            ]
        for profile in profiles:
            with aws_call("iam:RemoveRoleFromInstanceProfile", profile):
                iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=name)
            done.append(PlanStep("remove from instance profile", profile))
        with aws_call("iam:DeleteRole", name):
            iam.delete_role(RoleName=name)
        done.append(PlanStep("delete role", name))
        log.info("deleted role %s (%d step(s))", name, len(done))
        return tuple(done)


def _none(_: object) -> None:
    """Turn an API call's response into None, for undo lambdas."""
    return None
