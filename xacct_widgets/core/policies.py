"""Trust policies, the source-side sts:AssumeRole policy, and reading policies back.

Policies are plain dicts so they can be shown, diffed and sent to IAM unchanged. Building them
here, from validated parts, is what guarantees the toolkit never writes a wildcard principal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import unquote

from ..errors import InvalidArn, InvalidInput, InvalidPolicy, InvalidRoleSpec
from . import ids

__all__ = [
    "POLICY_VERSION",
    "TRUST_COLUMNS",
    "TrustEntry",
    "assume_role_policy",
    "canonical",
    "equivalent",
    "load_policy",
    "trust_policy",
    "trust_principals",
    "validate_policy_document",
]

POLICY_VERSION: Final = "2012-10-17"
_VERSIONS: Final = ("2012-10-17", "2008-10-17")
_TOP_KEYS: Final = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS: Final = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
_ACTION_RE: Final = re.compile(r"\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+", re.ASCII)
_SID_RE: Final = re.compile(r"[A-Za-z0-9]*", re.ASCII)
# IAM counts policy size without whitespace; trust policies can be raised to 4096 at most.
_MAX_CHARS: Final = {"identity": 10240, "trust": 4096}

#: Columns of the "Trust relationships" table, in order.
TRUST_COLUMNS: Final = ("principal_type", "principal", "conditions", "effect")

PolicyKind = Literal["identity", "trust"]
_Bad = Callable[..., InvalidPolicy]


def _one_or_many(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def _dedupe(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _principal_arn(value: str, account: str) -> str:
    """Validate one trusted principal: the account's root, or a user or role in that account."""
    rule = (
        f"arn:aws:iam::{account}:user/NAME, arn:aws:iam::{account}:role/NAME or "
        f"arn:aws:iam::{account}:root (no wildcards, same account as trusted_account)"
    )
    if not isinstance(value, str) or "*" in value or "?" in value:
        raise InvalidRoleSpec(
            f"Principal {value!r} is invalid: it must be {rule}.",
            fix="Name the users or roles that may switch; a wildcard would trust everyone.",
        )
    try:
        arn = ids.parse_arn(value)
    except InvalidArn as err:
        raise InvalidRoleSpec(f"Principal {value!r} is invalid: it must be {rule}.") from err
    if arn.service == "sts":
        raise InvalidRoleSpec(
            f"Principal {value!r} is a session, not a user or role: it must be {rule}.",
            fix="Trust the role behind the session (arn:aws:iam::ACCOUNT:role/NAME).",
        )
    if arn.resource_type == "group":
        raise InvalidRoleSpec(
            f"Principal {value!r} is an IAM group, which a trust policy cannot name: "
            f"it must be {rule}.",
            fix="List the group's users, or trust the whole account and restrict sts:AssumeRole "
            "with a group policy in the source account.",
        )
    if arn.account_id != account:
        raise InvalidRoleSpec(
            f"Principal {value!r} is in account {arn.account_id!r}, not the trusted account "
            f"{account!r}: it must be {rule}.",
            fix="Only principals of the trusted account can be listed.",
        )
    ok = arn.service == "iam" and not arn.region
    ok = ok and (
        (arn.resource_type == "" and arn.resource == "root")
        or (arn.resource_type in ("user", "role") and _name_and_path_ok(arn))
    )
    if not ok:
        raise InvalidRoleSpec(f"Principal {value!r} is invalid: it must be {rule}.")
    return arn.arn


def _name_and_path_ok(arn: ids.Arn) -> bool:
    try:
        ids.iam_path(arn.path)
        ids.role_name(arn.name)  # user names follow the same rule
    except InvalidInput:
        return False
    return True


def trust_policy(
    trusted_account: str,
    principals: Iterable[str] | None = None,
    external_id: str | None = None,
    require_mfa: bool = False,
) -> dict[str, Any]:
    """Build the trust policy that lets ``trusted_account`` (or only some of its users/roles) in.

    With no ``principals`` the whole account is trusted (``arn:aws:iam::ACCOUNT:root``), as the
    console's "another AWS account" option does; who in that account may then switch is decided
    by the source account's own policies (see :func:`assume_role_policy`).
    """
    account = ids.account_id(trusted_account)
    if principals is None:
        arns = [f"arn:aws:iam::{account}:root"]
    else:
        if isinstance(principals, str):
            principals = [principals]
        arns = _dedupe(_principal_arn(p, account) for p in principals)
        if not arns:
            raise InvalidRoleSpec(
                "principals=[] would trust nobody.",
                fix="Pass principals=None to trust the whole account, or list user/role ARNs.",
            )
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": _one_or_many(arns)},
        "Action": "sts:AssumeRole",
    }
    condition: dict[str, dict[str, str]] = {}
    if external_id is not None:
        condition["StringEquals"] = {"sts:ExternalId": ids.external_id(external_id)}
    if require_mfa:
        condition["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
    if condition:
        statement["Condition"] = condition
    return {"Version": POLICY_VERSION, "Statement": [statement]}


def assume_role_policy(role_arns: Iterable[str]) -> dict[str, Any]:
    """Build the identity policy allowing sts:AssumeRole on exactly these roles.

    Attached to users in the source account, it limits who may switch: the target's trust
    policy usually trusts the whole source account.
    """
    if isinstance(role_arns, str):
        role_arns = [role_arns]
    arns = _dedupe(ids.parse_role_arn(a).arn for a in role_arns)
    if not arns:
        raise InvalidPolicy(
            "role_arns is empty: the policy would allow switching into nothing.",
            fix="List the role ARNs the user may switch into.",
        )
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "AllowSwitchRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": _one_or_many(arns),
            }
        ],
    }


def load_policy(doc: Mapping[str, Any] | str) -> dict[str, Any]:
    """Return a policy as a dict, from a dict, a JSON string or IAM's URL-encoded JSON."""
    if isinstance(doc, Mapping):
        return json.loads(json.dumps(doc))  # type: ignore[no-any-return]
    if not isinstance(doc, str):
        raise InvalidPolicy(
            f"Policy {doc!r} is invalid: it must be a dict or a JSON string.",
            fix="Pass the policy document as a dict.",
        )
    text = doc.strip()
    for candidate in (text, unquote(text)):
        try:
            loaded = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(loaded, dict):
            return loaded
        break
    raise InvalidPolicy(
        f"Policy {_short(doc)} is invalid: it must be a JSON object.",
        fix="Check the JSON (quotes, commas, braces).",
    )


def _short(value: object, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def validate_policy_document(
    doc: Mapping[str, Any] | str, *, kind: PolicyKind = "identity", name: str | None = None
) -> dict[str, Any]:
    """Check an inline (``kind="identity"``) or trust (``kind="trust"``) policy; return a dict.

    Catches what IAM would reject (or silently accept wrongly, like a typo'd key) before any call.
    The result is the document with ``Statement`` always a list; values are otherwise unchanged.
    """
    if kind not in _MAX_CHARS:
        raise ValueError(f"kind must be 'identity' or 'trust', not {kind!r}")
    label = f"{'Trust' if kind == 'trust' else 'Inline'} policy" + (f" {name!r}" if name else "")
    policy = load_policy(doc)

    def bad(reason: str, fix: str | None = None) -> InvalidPolicy:
        return InvalidPolicy(f"{label} is invalid: {reason}.", fix=fix)

    unknown = sorted(set(policy) - _TOP_KEYS)
    if unknown:
        raise bad(f"unknown top-level key(s) {unknown}", "Allowed: Version, Id, Statement.")
    if policy.get("Version") not in _VERSIONS:
        raise bad(
            f"Version {policy.get('Version')!r} must be '2012-10-17' (or '2008-10-17')",
            f'Add "Version": "{POLICY_VERSION}".',
        )
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise bad(f"Statement {_short(statements)} must be a non-empty list of statements")
    sids: set[str] = set()
    for index, statement in enumerate(statements):
        where = f"Statement[{index}]"
        if not isinstance(statement, dict):
            raise bad(f"{where} {_short(statement)} must be an object")
        unknown = sorted(set(statement) - _STATEMENT_KEYS)
        if unknown:
            raise bad(
                f"{where} has unknown key(s) {unknown}", f"Allowed: {sorted(_STATEMENT_KEYS)}."
            )
        sid = statement.get("Sid")
        if sid is not None:
            if not isinstance(sid, str) or not _SID_RE.fullmatch(sid):
                raise bad(f"{where} Sid {sid!r} must contain only letters and digits")
            if sid and sid in sids:
                raise bad(f"{where} Sid {sid!r} is used twice")
            sids.add(sid)
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise bad(f"{where} Effect {statement.get('Effect')!r} must be 'Allow' or 'Deny'")
        _check_pair(statement, "Action", "NotAction", where, bad)
        for action in _as_list(statement.get("Action", statement.get("NotAction"))):
            if not isinstance(action, str) or not _ACTION_RE.fullmatch(action):
                raise bad(
                    f"{where} action {action!r} must look like 'service:Action' (wildcards allowed)"
                )
        if kind == "identity":
            _check_pair(statement, "Resource", "NotResource", where, bad)
            for key in ("Principal", "NotPrincipal"):
                if key in statement:
                    raise bad(f"{where} has {key}, which an identity policy cannot have")
        else:
            _check_trust_statement(statement, where, bad)
        condition = statement.get("Condition")
        if condition is not None and not (
            isinstance(condition, dict)
            and all(isinstance(v, dict) and v for v in condition.values())
        ):
            raise bad(
                f"{where} Condition {_short(condition)} must map operators to {{key: value}}",
                'e.g. {"StringEquals": {"sts:ExternalId": "abc"}}',
            )
    result = {**policy, "Statement": statements}
    size = len(json.dumps(result, separators=(",", ":")))
    if size > _MAX_CHARS[kind]:
        raise bad(f"it is {size} characters long; IAM allows {_MAX_CHARS[kind]}")
    return result


def _check_pair(
    statement: Mapping[str, Any], key: str, not_key: str, where: str, bad: _Bad
) -> None:
    if (key in statement) == (not_key in statement):
        raise bad(f"{where} must have exactly one of {key} or {not_key}")
    present = key if key in statement else not_key
    value = statement[present]
    items = _as_list(value)
    if not items or not all(isinstance(v, str) and v for v in items):
        raise bad(f"{where} {present} {_short(value)} must be a string or a list of strings")


def _check_trust_statement(statement: Mapping[str, Any], where: str, bad: _Bad) -> None:
    if "Resource" in statement or "NotResource" in statement:
        raise bad(f"{where} has Resource, which a trust policy cannot have")
    if ("Principal" in statement) == ("NotPrincipal" in statement):
        raise bad(f"{where} must have exactly one of Principal or NotPrincipal")
    principal = statement.get("Principal", statement.get("NotPrincipal"))
    if statement.get("Effect") == "Allow" and _is_wildcard(principal) and "Principal" in statement:
        raise bad(
            f"{where} allows any principal ('*')",
            "Name the trusted account or principals; a wildcard would let anyone switch.",
        )
    if principal != "*" and not (
        isinstance(principal, dict)
        and principal
        and all(isinstance(v, str | list) for v in principal.values())
    ):
        raise bad(f"{where} Principal {_short(principal)} must be '*' or {{type: ARN(s)}}")


def _is_wildcard(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, dict) and any(
        v == "*" or (isinstance(v, list) and "*" in v) for v in principal.values()
    )


@dataclass(frozen=True)
class TrustEntry:
    """One trusted principal of a role, as shown in the console's "Trust relationships" tab."""

    principal_type: str
    principal: str
    conditions: str
    effect: str = "Allow"


_TYPE_LABELS: Final[dict[str, str]] = {
    "Service": "Service",
    "Federated": "Federated",
    "CanonicalUser": "Canonical user",
}


def _aws_principal_type(value: str) -> tuple[str, str]:
    if value == "*":
        return "any", "*"
    if re.fullmatch(r"[0-9]{12}", value):
        return "AWS account", value
    try:
        arn = ids.parse_arn(value)
    except InvalidArn:
        # IAM replaces a deleted user or role with its unique ID (AIDA…/AROA…).
        return "AWS principal ID (deleted?)", value
    if arn.service == "iam" and arn.resource == "root" and not arn.resource_type:
        return "AWS account", arn.account_id
    if arn.service == "iam" and arn.resource_type == "user":
        return "IAM user", value
    if arn.service == "iam" and arn.resource_type == "role":
        return "IAM role", value
    if arn.service == "sts" and arn.resource_type == "assumed-role":
        return "Assumed-role session", value
    return "AWS", value


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _conditions_text(condition: Any) -> str:
    if not isinstance(condition, Mapping):
        return ""
    parts = []
    for operator, pairs in condition.items():
        if not isinstance(pairs, Mapping):
            continue
        for key, value in pairs.items():
            parts.append(f"{operator} {key}={','.join(_scalar(v) for v in _as_list(value))}")
    return "; ".join(parts)


def trust_principals(doc: Mapping[str, Any] | str) -> list[TrustEntry]:
    """Read any trust policy back into one row per principal, for the "Trust relationships" table.

    Unlike :func:`validate_policy_document` this never rejects: it shows what IAM has, wildcards
    included, so that a dangerous trust policy is visible rather than hidden behind an error.
    """
    policy = load_policy(doc)
    statements = policy.get("Statement", [])
    entries: list[TrustEntry] = []
    for statement in _as_list(statements):
        if not isinstance(statement, Mapping):
            continue
        negated = "NotPrincipal" in statement and "Principal" not in statement
        principal = statement.get("NotPrincipal" if negated else "Principal")
        effect = str(statement.get("Effect", ""))
        conditions = _conditions_text(statement.get("Condition"))
        rows: list[tuple[str, str]] = []
        if principal == "*":
            rows.append(("any", "*"))
        elif isinstance(principal, Mapping):
            for ptype, values in principal.items():
                for value in _as_list(values):
                    if ptype == "AWS":
                        rows.append(_aws_principal_type(str(value)))
                    else:
                        rows.append((_TYPE_LABELS.get(str(ptype), str(ptype)), str(value)))
        for ptype, value in rows:
            label = f"not {ptype}" if negated else ptype
            entries.append(TrustEntry(label, value, conditions, effect))
    return entries


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _canon(value: Any, key: str | None = None) -> Any:
    if isinstance(value, Mapping):
        return {k: _canon(value[k], k) for k in sorted(value)}
    if isinstance(value, list | tuple):
        items = [_canon(v) for v in value]
        unique = {_sort_key(v): v for v in items}
        ordered = [unique[k] for k in sorted(unique)]
        if key == "Statement":
            return ordered
        return ordered[0] if len(ordered) == 1 else ordered
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _root_arn(value: Any) -> Any:
    # IAM rewrites a bare account ID principal to its root ARN.
    if isinstance(value, str) and re.fullmatch(r"[0-9]{12}", value):
        return f"arn:aws:iam::{value}:root"
    return value


def canonical(doc: Mapping[str, Any] | str) -> dict[str, Any]:
    """Normalise a policy so that equal meaning gives equal dicts (and equal ``json.dumps``).

    IAM may return a document URL-encoded, reorder lists, turn a one-item list into a string and
    rewrite ``"123456789012"`` principals as root ARNs; none of that is a real change.
    """
    policy = load_policy(doc)
    statements = policy.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if isinstance(statements, list):
        fixed = []
        for statement in statements:
            if isinstance(statement, Mapping):
                statement = dict(statement)
                for key in ("Principal", "NotPrincipal"):
                    principal = statement.get(key)
                    if isinstance(principal, Mapping) and "AWS" in principal:
                        aws = principal["AWS"]
                        mapped = [_root_arn(v) for v in _as_list(aws)]
                        statement[key] = {**principal, "AWS": mapped}
                fixed.append(statement)
            else:
                fixed.append(statement)
        policy["Statement"] = fixed
    result: dict[str, Any] = _canon(policy)
    return result


def equivalent(a: Mapping[str, Any] | str, b: Mapping[str, Any] | str) -> bool:
    """True when two policies mean the same to IAM (see :func:`canonical`)."""
    return canonical(a) == canonical(b)
