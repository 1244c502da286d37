"""Part B in the source account: who is signed in, can they switch, and who may.

The console only tells you *after* you click "Switch role" that it did not work, and then only
"Invalid information in one or more fields". :meth:`SourceAccount.preflight` answers the question
before the click, one check per reason AWS can refuse, each with the fix - reading the caller's
own IAM policies (and the role's trust policy when a session can read it) rather than trying
AssumeRole and guessing.

Policy evaluation here is deliberately a subset of IAM's: Allow/Deny, Action/NotAction and
Resource/NotResource with ``*``/``?`` wildcards. Conditions, permissions boundaries and SCPs are
not evaluated; when they could change the answer the check says "unknown" instead of guessing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import boto3
import pandas as pd
from botocore.exceptions import BotoCoreError, ClientError

from ..errors import AccessDenied, InvalidInput, RoleNotFound, XacctError
from . import ids, policies
from .aws import aws_call, client_config, error_code
from .frames import to_frame
from .identity import Identity, identity_of

__all__ = [
    "CHECK_COLUMNS",
    "SWITCHER_COLUMNS",
    "Check",
    "Preflight",
    "Restriction",
    "SourceAccount",
]

log = logging.getLogger(__name__)

#: Columns of :attr:`Preflight.checks`.
CHECK_COLUMNS: Final = ("check", "ok", "detail", "fix")
#: Columns of :meth:`SourceAccount.allowed_switchers`.
SWITCHER_COLUMNS: Final = ("user_name", "user_arn", "role_arn", "allowed", "via")

_ACTION: Final = "sts:AssumeRole"
_ROOT_FIX: Final = (
    "Sign in as an IAM user (or use an IAM user's or role's keys): AWS never lets the root user "
    "switch roles. Create an IAM user for daily work and keep root for account emergencies."
)

Ternary = bool | None


# -- preflight ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    """One preflight check; ``ok`` is None when it could not be decided (see ``detail``)."""

    check: str
    ok: Ternary
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class Preflight:
    """Whether switching into ``role_arn`` can work, and if not, every reason with its fix.

    ``ok`` is False when any check failed; True when none failed (some may be unknown, because
    the target account usually cannot be read from the source: AWS has the last word).
    """

    caller: Identity
    role_arn: str
    results: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(c.ok is not False for c in self.results)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.results if c.ok is False)

    @property
    def unknown(self) -> tuple[Check, ...]:
        return tuple(c for c in self.results if c.ok is None)

    @property
    def checks(self) -> pd.DataFrame:
        """Columns :data:`CHECK_COLUMNS`; ``ok`` is True, False or None (unknown)."""
        frame = to_frame(self.results, CHECK_COLUMNS)
        frame["ok"] = frame["ok"].astype(object)
        return frame

    def __str__(self) -> str:
        lines = [
            f"Preflight {'ok' if self.ok else 'FAILED'} for {self.caller.arn} -> {self.role_arn}"
        ]
        for c in self.results:
            mark = {True: "ok", False: "FAIL", None: "?"}[c.ok]
            lines.append(
                f"  [{mark}] {c.check}: {c.detail}"
                + (f" Fix: {c.fix}" if c.fix and c.ok is False else "")
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class Restriction:
    """What :meth:`SourceAccount.restrict_assume_role` did; ``changed`` is False on a re-run."""

    principal_type: Literal["user", "group"]
    principal_name: str
    policy_name: str
    role_arns: tuple[str, ...]
    changed: bool
    document: Mapping[str, Any]
    also_granted_by: tuple[str, ...] = ()

    def frame(self) -> pd.DataFrame:
        """One row: principal, policy name, role ARNs, whether it changed, other grants."""
        return to_frame(
            [self],
            (
                "principal_type",
                "principal_name",
                "policy_name",
                "role_arns",
                "changed",
                "also_granted_by",
            ),
        )


# -- identity-policy evaluation (a documented subset of IAM's) -----------------------------------
@dataclass(frozen=True)
class _Policy:
    source: str  # "user:operator/inline-name", "group:role-switchers/allow", "managed:arn"
    document: Mapping[str, Any]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _wildcard(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    # IAM wildcards are only * and ?; fnmatch would also treat [...] as a class.
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _matches(patterns: Any, value: str, *, ignore_case: bool) -> bool:
    return any(
        _wildcard(str(p), ignore_case=ignore_case).fullmatch(value) for p in _as_list(patterns)
    )


def _statement_applies(statement: Mapping[str, Any], action: str, resource: str) -> bool:
    if "NotAction" in statement:
        action_ok = not _matches(statement["NotAction"], action, ignore_case=True)
    else:
        action_ok = _matches(statement.get("Action"), action, ignore_case=True)
    if not action_ok:
        return False
    if "NotResource" in statement:
        return not _matches(statement["NotResource"], resource, ignore_case=False)
    return _matches(statement.get("Resource"), resource, ignore_case=False)


@dataclass(frozen=True)
class _Decision:
    allowed: Ternary
    detail: str
    allowed_by: tuple[str, ...] = ()


def _evaluate(found: Sequence[_Policy], action: str, resource: str) -> _Decision:
    """Explicit Deny wins, then an unconditional Allow; conditional statements make it unknown."""
    allows: list[str] = []
    conditional_allows: list[str] = []
    conditional_denies: list[str] = []
    for policy in found:
        for statement in _as_list(policy.document.get("Statement")):
            if not isinstance(statement, Mapping) or not _statement_applies(
                statement, action, resource
            ):
                continue
            conditional = bool(statement.get("Condition"))
            if statement.get("Effect") == "Deny":
                if not conditional:
                    return _Decision(
                        False, f"{action} on {resource} is explicitly denied by {policy.source}."
                    )
                conditional_denies.append(policy.source)
            elif statement.get("Effect") == "Allow":
                (conditional_allows if conditional else allows).append(policy.source)
    if allows and not conditional_denies:
        return _Decision(
            True,
            f"{action} on {resource} is allowed by {', '.join(dict.fromkeys(allows))}.",
            tuple(dict.fromkeys(allows)),
        )
    if allows or conditional_allows:
        which = ", ".join(dict.fromkeys(conditional_denies + conditional_allows))
        return _Decision(
            None,
            f"{action} on {resource} depends on policy conditions in {which}, "
            "which are not evaluated here.",
            tuple(dict.fromkeys(allows)),
        )
    return _Decision(
        False,
        f"No identity policy of the caller allows {action} on {resource} "
        f"({len(found)} policies read).",
    )


def _document(value: Any) -> Mapping[str, Any]:
    return policies.load_policy(value)


class _PolicyReader:
    """Reads a principal's identity policies with IAM paginators; managed documents are cached."""

    def __init__(self, iam: Any) -> None:
        self.iam = iam
        self._managed: dict[str, Mapping[str, Any]] = {}

    def _pages(self, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
        for page in self.iam.get_paginator(operation).paginate(**kwargs):
            yield from page.get(key, [])

    def managed(self, arn: str) -> _Policy:
        if arn not in self._managed:
            version = self.iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            doc = self.iam.get_policy_version(PolicyArn=arn, VersionId=version)
            self._managed[arn] = _document(doc["PolicyVersion"]["Document"])
        return _Policy(f"managed:{arn}", self._managed[arn])

    def _own(self, kind: str, name: str) -> list[_Policy]:
        """The managed and inline policies of the ``kind`` ("user", "group" or "role") itself."""
        key = {f"{kind.capitalize()}Name": name}
        found = [
            self.managed(p["PolicyArn"])
            for p in self._pages(f"list_attached_{kind}_policies", "AttachedPolicies", **key)
        ]
        get_inline = getattr(self.iam, f"get_{kind}_policy")
        for policy in self._pages(f"list_{kind}_policies", "PolicyNames", **key):
            doc = get_inline(**key, PolicyName=policy)["PolicyDocument"]
            found.append(_Policy(f"{kind}:{name}/{policy}", _document(doc)))
        return found

    def user(self, user_name: str) -> list[_Policy]:
        found = self._own("user", user_name)
        for group in self._pages("list_groups_for_user", "Groups", UserName=user_name):
            found += self.group(group["GroupName"])
        return found

    def group(self, group_name: str) -> list[_Policy]:
        return self._own("group", group_name)

    def role(self, role_name: str) -> list[_Policy]:
        return self._own("role", role_name)


def _target_role_arn(account: str, role: str, path: str) -> str:
    if isinstance(role, str) and role.strip().startswith("arn:"):
        parsed = ids.parse_role_arn(role)
        if parsed.account_id != ids.account_id(account):
            raise InvalidInput(
                f"Role ARN {role!r} is in account {parsed.account_id}, not {account!r}.",
                fix="Pass the role's name, or an ARN in that account.",
            )
        return parsed.arn
    return ids.role_arn(account, role, path)


def _trust_requirements(document: Mapping[str, Any]) -> tuple[set[str], bool]:
    """External IDs a trust policy's Allow statements require, and whether they require MFA."""
    external: set[str] = set()
    mfa = False
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        for operator, clauses in (statement.get("Condition") or {}).items():
            if not isinstance(clauses, Mapping):
                continue
            for key, value in clauses.items():
                if key.lower() == "sts:externalid":
                    external.update(str(v) for v in _as_list(value))
                if key.lower() == "aws:multifactorauthpresent" and operator.startswith("Bool"):
                    mfa = mfa or any(str(v).lower() == "true" for v in _as_list(value))
    return external, mfa


def _trust_names(document: Mapping[str, Any], caller: Identity) -> Ternary:
    """Does an Allow statement for sts:AssumeRole name the caller's account or ARN?"""
    wanted = {f"arn:aws:iam::{caller.account_id}:root", caller.account_id, caller.arn}
    if caller.role_arn:
        wanted.add(caller.role_arn)
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        if not _matches(statement.get("Action"), _ACTION, ignore_case=True):
            continue
        principal = statement.get("Principal")
        if principal == "*":
            return True
        if isinstance(principal, Mapping):
            for entry in _as_list(principal.get("AWS")):
                if str(entry) == "*" or str(entry) in wanted:
                    return True
    return False


# -- the source account ------------------------------------------------------------------------
class SourceAccount:
    """The account the operator signs in to (9876-5432-9876 in the tutorial).

    Takes a ``boto3.Session`` acting there. Every method makes its own calls; nothing is cached
    across calls except the caller's identity, which cannot change for a given session.
    """

    def __init__(self, session: boto3.Session) -> None:
        if not isinstance(session, boto3.Session):
            raise InvalidInput(
                f"SourceAccount needs a boto3.Session, got {type(session).__name__}.",
                fix="Pass boto3.Session(profile_name=...) or Sandbox().session('source', "
                "'operator').",
            )
        self.session = session
        self._identity: Identity | None = None
        self._iam: Any = None

    def __repr__(self) -> str:
        who = self._identity.arn if self._identity else "identity not read yet"
        return f"SourceAccount({who})"

    @property
    def iam(self) -> Any:
        if self._iam is None:
            self._iam = self.session.client("iam", config=client_config())
        return self._iam

    def whoami(self) -> Identity:
        """The caller (``sts:GetCallerIdentity``, which IAM never denies), read once per object."""
        if self._identity is None:
            self._identity = identity_of(self.session)
        return self._identity

    # .. preflight ...............................................................................
    def preflight(
        self,
        account: str,
        role: str,
        *,
        path: str = "/",
        external_id: str | None = None,
        mfa_serial: str | None = None,
        target_session: boto3.Session | None = None,
    ) -> Preflight:
        """Check, before switching, every reason AWS could refuse ``account``/``role``.

        ``role`` is a role name (``path`` gives its IAM path) or a role ARN. The role and its
        trust policy can only be read with a session in the *target* account: pass
        ``target_session`` for that, otherwise those checks come back unknown (ok=None) unless
        the caller is itself in the target account. Inputs are validated before any call.
        """
        role_arn = _target_role_arn(account, role, path)
        if external_id is not None:
            external_id = ids.external_id(external_id)
        if mfa_serial is not None:
            mfa_serial = ids.mfa_serial(mfa_serial)
        caller = self.whoami()
        results: list[Check] = [self._check_root(caller)]
        results.append(self._check_identity_policies(caller, role_arn))
        document, role_check = self._read_trust(caller, role_arn, target_session)
        results.append(role_check)
        if document is None:
            trust_detail = "Unknown: the role's trust policy could not be read (see 'role exists')."
            results.append(
                Check(
                    "trust policy names caller",
                    None,
                    trust_detail,
                    f"Make sure the trust policy of {role_arn} names "
                    f"arn:aws:iam::{caller.account_id}:root or {caller.arn}.",
                )
            )
            results.append(self._check_external_unknown(external_id))
            results.append(self._check_mfa(caller, None, mfa_serial))
        else:
            names = _trust_names(document, caller)
            who = f"account {caller.account_id} or {caller.arn}"
            if names:
                trust = Check("trust policy names caller", True, f"{role_arn} trusts {who}.")
            else:
                trust = Check(
                    "trust policy names caller",
                    False,
                    f"The trust policy of {role_arn} names neither {who}.",
                    f"In the target account, add arn:aws:iam::{caller.account_id}:root (or the "
                    "caller's ARN) as a trusted principal of the role (TargetAccount.apply with "
                    f"trusted_account={caller.account_id!r}).",
                )
            results.append(trust)
            required, mfa_required = _trust_requirements(document)
            results.append(self._check_external(required, external_id))
            results.append(self._check_mfa(caller, mfa_required, mfa_serial))
        return Preflight(caller, role_arn, tuple(results))

    def _check_root(self, caller: Identity) -> Check:
        if caller.is_root:
            return Check(
                "caller is not root",
                False,
                f"{caller.arn} is the account's root user, which cannot switch roles.",
                _ROOT_FIX,
            )
        return Check(
            "caller is not root", True, f"Signed in as {caller.principal_type} {caller.arn}."
        )

    def _policies_of(self, caller: Identity, reader: _PolicyReader) -> list[_Policy] | None:
        if caller.principal_type == "user":
            return reader.user(caller.name)
        if caller.principal_type == "assumed-role":
            return reader.role(caller.name)
        return None

    def _check_identity_policies(self, caller: Identity, role_arn: str) -> Check:
        name = "identity policy allows sts:AssumeRole"
        grant_fix = (
            f"Allow sts:AssumeRole on {role_arn} for {caller.arn}: e.g. "
            f"SourceAccount(admin_session).restrict_assume_role(user={caller.name!r}, "
            f"role_arns=[{role_arn!r}]), or add the user to a group that allows it."
        )
        if caller.is_root:
            return Check(
                name, None, "Not applicable: root has every permission but cannot switch roles."
            )
        try:
            found = self._policies_of(caller, _PolicyReader(self.iam))
        except (ClientError, BotoCoreError) as err:
            return Check(
                name,
                None,
                f"Unknown: the caller cannot read its own IAM policies "
                f"({error_code(err)}), so this was not checked.",
                "Grant the caller iam:List*/iam:Get* on itself (e.g. IAMReadOnlyAccess) "
                "to have this checked, or ask an administrator.",
            )
        if found is None:
            return Check(
                name,
                None,
                f"Unknown: identity policies of a {caller.principal_type} "
                "principal are not read here.",
            )
        decision = _evaluate(found, _ACTION, role_arn)
        note = " (permissions boundaries and SCPs are not evaluated)" if decision.allowed else ""
        return Check(
            name, decision.allowed, decision.detail + note, "" if decision.allowed else grant_fix
        )

    def _read_trust(
        self, caller: Identity, role_arn: str, target_session: boto3.Session | None
    ) -> tuple[Mapping[str, Any] | None, Check]:
        parsed = ids.parse_role_arn(role_arn)
        name = "role exists"
        if target_session is not None:
            iam = target_session.client("iam", config=client_config())
        elif caller.account_id == parsed.account_id:
            iam = self.iam
        else:
            return None, Check(
                name,
                None,
                f"Unknown: {role_arn} is in account {parsed.account_id}, which this "
                f"{caller.account_id} session cannot read (AWS decides at the switch).",
                "Pass target_session= (a session in the target account) to check the role and "
                "its trust policy.",
            )
        try:
            with aws_call("iam:GetRole", role_arn):
                role = iam.get_role(RoleName=parsed.name)["Role"]
        except RoleNotFound:
            return None, Check(
                name,
                False,
                f"There is no role {parsed.name!r} in account {parsed.account_id}.",
                "Check the account ID and role name, or create the role in the "
                "target account first (part A: TargetAccount.apply).",
            )
        except AccessDenied as err:
            return None, Check(
                name,
                None,
                f"Unknown: the role could not be read ({err.code}).",
                "Use a target_session allowed iam:GetRole.",
            )
        actual = str(role.get("Arn", ""))
        if actual and ids.parse_arn(actual).account_id != parsed.account_id:
            return None, Check(
                name,
                None,
                f"Unknown: target_session is not in account {parsed.account_id} "
                f"(it found {actual}).",
                f"Pass a session in account {parsed.account_id}.",
            )
        if actual and actual != role_arn:
            return None, Check(
                name,
                False,
                f"The role exists as {actual}, not {role_arn}.",
                f"Switch with path={ids.parse_arn(actual).path!r}.",
            )
        return _document(role["AssumeRolePolicyDocument"]), Check(name, True, f"{role_arn} exists.")

    @staticmethod
    def _check_external_unknown(external_id: str | None) -> Check:
        detail = (
            "Unknown: an ExternalId is given but cannot be compared with the trust policy."
            if external_id
            else "Unknown: whether the role requires an ExternalId (none given)."
        )
        return Check(
            "external id",
            None,
            detail,
            "Ask the role's owner whether it requires an ExternalId, and which.",
        )

    @staticmethod
    def _check_external(required: set[str], external_id: str | None) -> Check:
        name = "external id"
        if not required:
            return Check(name, True, "The role requires no ExternalId.")
        if external_id is None:
            return Check(
                name,
                False,
                "The role's trust policy requires an ExternalId and none was given.",
                "Pass external_id= with the ExternalId the role's owner gave you.",
            )
        if external_id not in required:
            return Check(
                name,
                False,
                "The ExternalId given does not match the one the role's trust policy requires.",
                "Use the exact ExternalId the role's owner gave you.",
            )
        return Check(name, True, "The ExternalId given matches the trust policy.")

    def _check_mfa(self, caller: Identity, required: bool | None, mfa_serial: str | None) -> Check:
        name = "mfa"
        if required is False:
            return Check(name, True, "The role does not require MFA.")
        if required and mfa_serial is None:
            return Check(
                name,
                False,
                "The role's trust policy requires MFA "
                "(aws:MultiFactorAuthPresent) and no MFA device was given.",
                "Pass mfa_serial= (your MFA device ARN) and mfa_token= (its current "
                "6-digit code) when switching.",
            )
        if mfa_serial is None:
            return Check(
                name,
                None,
                "Unknown: whether the role requires MFA (no MFA given).",
                "If it does, pass mfa_serial= and mfa_token= when switching.",
            )
        mine = self._mfa_devices(caller)
        if mine is not None and mfa_serial not in mine:
            return Check(
                name,
                False,
                f"MFA device {mfa_serial} is not one of {caller.arn}'s "
                f"devices ({', '.join(sorted(mine)) or 'none'}).",
                "Use the serial (ARN) of an MFA device assigned to the caller.",
            )
        state = "required and given" if required else "given"
        return Check(
            name,
            True if required or mine is not None else None,
            f"MFA {state}: {mfa_serial} (the code is checked by AWS at the switch).",
        )

    def _mfa_devices(self, caller: Identity) -> set[str] | None:
        if caller.principal_type != "user":
            return None
        try:
            pages = self.iam.get_paginator("list_mfa_devices").paginate(UserName=caller.name)
            return {d["SerialNumber"] for page in pages for d in page.get("MFADevices", [])}
        except (ClientError, BotoCoreError):
            return None

    # .. restricting who may switch ...............................................................
    def restrict_assume_role(
        self,
        user: str | None = None,
        group: str | None = None,
        role_arns: Iterable[str] = (),
        policy_name: str = "xacct-assume-role",
    ) -> Restriction:
        """Put an inline policy on ``user``/``group`` allowing sts:AssumeRole on ``role_arns`` only.

        The tutorial's closing advice: the target trusts the whole source account, so who may
        switch is decided here. Idempotent - an identical policy already in place is not
        rewritten. ``also_granted_by`` lists the principal's *other* policies that allow
        sts:AssumeRole too, since an inline policy can only add permissions, never take them away.
        """
        if (user is None) == (group is None):
            raise InvalidInput(
                "restrict_assume_role needs exactly one of user= or group=.",
                fix="e.g. restrict_assume_role(user='operator', role_arns=[...]).",
            )
        kind: Literal["user", "group"] = "user" if user is not None else "group"
        principal = ids.role_name(user if user is not None else group or "")  # same naming rule
        if not re.fullmatch(r"[\w+=,.@-]{1,128}", str(policy_name), re.ASCII):
            raise InvalidInput(
                f"Policy name {policy_name!r} is invalid: it must be 1-128 "
                "characters, letters, digits and + = , . @ _ - only.",
                fix="Use the default 'xacct-assume-role'.",
            )
        document = policies.assume_role_policy(list(role_arns))
        arns = tuple(_as_list(document["Statement"][0]["Resource"]))
        current = self._inline_policy(kind, principal, policy_name)
        changed = current is None or not policies.equivalent(current, document)
        if changed:
            import json

            body = json.dumps(document)
            with aws_call(f"iam:Put{kind.title()}Policy", f"{kind}/{principal}"):
                if kind == "user":
                    self.iam.put_user_policy(
                        UserName=principal, PolicyName=policy_name, PolicyDocument=body
                    )
                else:
                    self.iam.put_group_policy(
                        GroupName=principal, PolicyName=policy_name, PolicyDocument=body
                    )
            log.info(
                "put inline policy %s on %s %s allowing sts:AssumeRole on %s",
                policy_name,
                kind,
                principal,
                ", ".join(arns),
            )
        others = self._other_grants(kind, principal, policy_name)
        if others:
            log.warning(
                "%s %s may still assume other roles through %s", kind, principal, ", ".join(others)
            )
        return Restriction(kind, principal, policy_name, arns, changed, document, others)

    def _inline_policy(
        self, kind: str, principal: str, policy_name: str
    ) -> Mapping[str, Any] | None:
        try:
            with aws_call(f"iam:Get{kind.title()}Policy", f"{kind}/{principal}"):
                if kind == "user":
                    answer = self.iam.get_user_policy(UserName=principal, PolicyName=policy_name)
                else:
                    answer = self.iam.get_group_policy(GroupName=principal, PolicyName=policy_name)
        except XacctError as err:
            if getattr(err, "code", "") == "NoSuchEntity":
                return None
            raise
        return _document(answer["PolicyDocument"])

    def _other_grants(self, kind: str, principal: str, policy_name: str) -> tuple[str, ...]:
        """Other policies of the principal allowing sts:AssumeRole on something (best effort)."""
        reader = _PolicyReader(self.iam)
        try:
            found = reader.user(principal) if kind == "user" else reader.group(principal)
        except (ClientError, BotoCoreError):
            return ()
        own = f"{kind}:{principal}/{policy_name}"
        grants = []
        for policy in found:
            if policy.source == own:
                continue
            for statement in _as_list(policy.document.get("Statement")):
                if (
                    isinstance(statement, Mapping)
                    and statement.get("Effect") == "Allow"
                    and _statement_applies(statement, _ACTION, "arn:aws:iam::*:role/*")
                ):
                    grants.append(policy.source)
                    break
        return tuple(dict.fromkeys(grants))

    def allowed_switchers(self, role_arns: Iterable[str]) -> pd.DataFrame:
        """Which IAM users of this account may call sts:AssumeRole on each role ARN.

        One row per (user, role); ``allowed`` is True/False/None (conditions make it unknown);
        ``via`` names the granting policies. Columns :data:`SWITCHER_COLUMNS`. Identity policies
        only: the target's trust policy also has to name the account or the user.
        """
        arns = [ids.parse_role_arn(a).arn for a in role_arns]
        reader = _PolicyReader(self.iam)
        rows = []
        with aws_call("iam:ListUsers"):
            users = [
                u
                for page in self.iam.get_paginator("list_users").paginate()
                for u in page.get("Users", [])
            ]
            for user in users:
                found = reader.user(user["UserName"])
                for arn in arns:
                    decision = _evaluate(found, _ACTION, arn)
                    rows.append(
                        {
                            "user_name": user["UserName"],
                            "user_arn": user["Arn"],
                            "role_arn": arn,
                            "allowed": decision.allowed,
                            "via": ", ".join(decision.allowed_by),
                        }
                    )
        frame = to_frame(rows, SWITCHER_COLUMNS)
        frame["allowed"] = frame["allowed"].astype(object)
        return frame
