"""RoleSpec: the cross-account role as it should be, checked against IAM's rules on construction.

IAM reports a bad field only when the write is made, which for an apply of several steps means
half-way through. Every field is therefore validated here, before any API call, and the error
names the RoleSpec field, the bad value and the rule. The rules for single fields are public
(:func:`description`, :func:`inline_policy`) so that a widget's field check calls the very same
code and can never disagree with the core; the generic IAM name/ARN rules live in ``core.ids``,
the policy-document rules in ``core.policies``.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, NoReturn, TypeVar

from ...aws_limits import DEFAULT_SESSION_SECONDS
from ...errors import InvalidInput, InvalidPolicy, InvalidRoleSpec
from .. import ids, partitions, policies
from .frozen import FrozenMap

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_INLINE_TOTAL",
    "MAX_MANAGED_POLICIES",
    "MAX_TAGS",
    "FrozenMap",
    "RoleSpec",
    "description",
    "inline_policy",
    "permissions_boundary",
    "tags_from_text",
]

# IAM quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
MAX_MANAGED_POLICIES: Final = 20  # hard limit; the default quota is 10
MAX_INLINE_TOTAL: Final = 10240  # all of a role's inline policies together, without whitespace
MAX_TAGS: Final = 50
MAX_DESCRIPTION: Final = 1000
_TAG_PUNCT: Final = frozenset(" _.:/=+-@")

V = TypeVar("V")


# -- single fields -----------------------------------------------------------------------------
def _label(name: str) -> str:
    """``"trusted_account"`` -> ``"Trusted account"``: a field's name for a sentence's start."""
    return name.replace("_", " ").capitalize()


def _spec_error(name: str, value: object, rule: str, fix: str) -> NoReturn:
    reason = f"{value!r} is invalid: it must be {rule}."
    raise InvalidRoleSpec(
        f"RoleSpec.{name} {reason}", fix=fix, field=name, detail=f"{_label(name)} {reason}"
    )


def _field(name: str, check: Callable[[Any], V], value: Any) -> V:
    """Run a validator, re-raising its error as InvalidRoleSpec that names the RoleSpec field
    (in the message for a reader, in ``field`` for a form)."""
    try:
        return check(value)
    except InvalidRoleSpec as err:
        if err.field is not None:
            raise
        message = f"RoleSpec.{name}: {err.message}"
        raise type(err)(message, fix=err.fix, field=name, detail=err.message) from err
    except InvalidInput as err:
        message = f"RoleSpec.{name}: {err.message}"
        raise InvalidRoleSpec(message, fix=err.fix, field=name, detail=err.message) from err


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


def description(value: Any) -> str:
    """The role description rule: at most 1000 characters of printable Latin-1 text.

    IAM's pattern for Description is ``[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*``,
    so an emoji that a text field happily accepts is refused by CreateRole. None means "".

    Raises:
        InvalidRoleSpec: naming ``RoleSpec.description``, the value and the rule.
    """
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


def inline_policy(name: Any, document: Mapping[str, Any] | str) -> tuple[str, dict[str, Any]]:
    """Validate one inline policy: its name (``ids.policy_name``) and its document.

    ``document`` may be a dict or JSON text. The document is checked against IAM's policy
    grammar and its per-policy size limit; the limit on all of a role's inline policies together
    is the RoleSpec's to check.

    Returns:
        The normalised name and the document as a dict.

    Raises:
        InvalidRoleSpec: a bad name; InvalidPolicy: a bad document (both name
            ``RoleSpec.inline_policies``).
    """
    name = _field("inline_policies", ids.policy_name, name)
    try:
        doc = policies.validate_policy_document(document, kind="identity", name=name)
    except InvalidPolicy as err:
        raise InvalidPolicy(
            f"RoleSpec.inline_policies: {err.message}",
            fix=err.fix,
            field="inline_policies",
            detail=err.message,
        ) from err
    return name, doc


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
    docs = dict(inline_policy(name, doc) for name, doc in value.items())
    total = sum(len(json.dumps(d, separators=(",", ":"))) for d in docs.values())
    if total > MAX_INLINE_TOTAL:
        reason = (
            f"are {total} characters together: IAM allows {MAX_INLINE_TOTAL} for all of a "
            "role's inline policies."
        )
        raise InvalidPolicy(
            f"RoleSpec.inline_policies {reason}",
            fix="Move statements into a customer-managed policy and attach it instead.",
            field="inline_policies",
            detail=f"Inline policies {reason}",
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


def tags_from_text(text: str) -> dict[str, str]:
    """Tags typed one ``key=value`` a line (a form's text box) -> a checked dict.

    Blank lines are skipped; a line without ``=`` is a key with an empty value, as IAM allows.
    The result passes the same rules as :attr:`RoleSpec.tags` (they run here too).

    Raises:
        InvalidRoleSpec: naming ``RoleSpec.tags``, the bad key or value and the rule.
    """
    if not isinstance(text, str):
        _spec_error("tags", text, "text of key=value lines", "Type one key=value a line.")
    pairs: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, _, value = line.partition("=")
        if key.strip() in pairs:
            _spec_error("tags", key.strip(), "given once", "Keep one line for each key.")
        pairs[key.strip()] = value.strip()
    return dict(_tags(pairs))


def permissions_boundary(value: Any) -> str | None:
    """The permissions-boundary rule: None (no boundary) or a managed policy ARN.

    A boundary caps what the role's policies can grant (IAM evaluates both and allows only
    what both allow): https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html

    Raises:
        InvalidRoleSpec: naming ``RoleSpec.permissions_boundary``, the value and the rule.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _field("permissions_boundary", ids.managed_policy_arn, value)


def _partition(value: Any) -> str:
    return partitions.partition(value).name


def _in_partition(name: str, arn: str, partition: str) -> str:
    """``arn`` if it is in ``partition``: a GovCloud or China role attaches only its partition's
    policies (https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-arns.html,
    https://docs.amazonaws.cn/en_us/aws/latest/userguide/ARNs.html)."""
    found = ids.parse_arn(arn).partition
    if found != partition:
        fix = f"Use {_rebased(arn, found, partition)!r}, or give the RoleSpec partition={found!r}."
        _spec_error(name, arn, f"in the spec's partition {partition!r}", fix)
    return arn


def _rebased(arn: str, old: str, new: str) -> str:
    return f"arn:{new}:{arn.removeprefix(f'arn:{old}:')}"


def _checked_trust(spec: RoleSpec) -> dict[str, Any]:
    return policies.validate_policy_document(spec.trust_policy(), kind="trust")


# -- RoleSpec ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RoleSpec:
    """The cross-account role as it should be; validated against IAM's limits on construction.

    Every field is checked before any API call, so a typo fails here with the field, the bad
    value and the rule, not half-way through an apply. Lists are accepted and stored as tuples;
    ``trusted_principals`` empty means "the whole trusted account" (its ``root`` ARN), as the
    console's "Another AWS account" option does. ``partition`` (``aws``, ``aws-cn``,
    ``aws-us-gov``) is the one every ARN of the spec is in; a spec left in the default ``aws``
    is re-based to the target account's partition when planned (:meth:`for_partition`).
    """

    name: str
    trusted_account: str
    managed_policy_arns: tuple[str, ...] = ()
    inline_policies: Mapping[str, Mapping[str, Any]] = field(default_factory=FrozenMap)
    trusted_principals: tuple[str, ...] = ()
    external_id: str | None = None
    require_mfa: bool = False
    max_session_duration: int = DEFAULT_SESSION_SECONDS
    path: str = "/"
    description: str = ""
    tags: Mapping[str, str] = field(default_factory=FrozenMap)
    permissions_boundary: str | None = None
    partition: str = "aws"

    def __post_init__(self) -> None:
        # Frozen: normalised values are written through object.__setattr__.
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        put("name", _field("name", ids.role_name, self.name))
        put("partition", _field("partition", _partition, self.partition))
        put("trusted_account", _field("trusted_account", ids.account_id, self.trusted_account))
        arns = [
            _field("managed_policy_arns", ids.managed_policy_arn, a)
            for a in _strings("managed_policy_arns", self.managed_policy_arns)
        ]
        arns = [_in_partition("managed_policy_arns", a, self.partition) for a in arns]
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
        put("description", description(self.description))
        put("tags", _tags(self.tags))
        put("permissions_boundary", permissions_boundary(self.permissions_boundary))
        if self.permissions_boundary is not None:
            _in_partition("permissions_boundary", self.permissions_boundary, self.partition)
        # Builds (and so validates) the trust policy: principals in the trusted account, no '*',
        # and within IAM's size limit for a trust policy (many principals can exceed it).
        _field("trusted_principals", lambda _: _checked_trust(self), None)

    def trust_policy(self) -> dict[str, Any]:
        """The role's trust policy: the trusted account's root (or the listed principals)."""
        return policies.trust_policy(
            self.trusted_account,
            self.trusted_principals or None,
            external_id=self.external_id,
            require_mfa=self.require_mfa,
            partition=self.partition,
        )

    def plus(
        self,
        managed_policy_arns: Iterable[str] = (),
        inline_policies: Mapping[str, Mapping[str, Any]] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> RoleSpec:
        """This spec with more permissions or tags added; nothing it has is dropped.

        What a notebook cell uses to add what it needs to a role someone may have edited
        (``target.spec_of(name).plus(managed_policy_arns=[...])``): applying the result can only
        add, never take away what the role already has. Inline policies and tags named in both
        keep this spec's version.
        """
        return replace(
            self,
            managed_policy_arns=(
                *self.managed_policy_arns,
                *_strings("managed_policy_arns", managed_policy_arns),
            ),
            inline_policies={**(inline_policies or {}), **self.inline_policies},
            tags={**(tags or {}), **self.tags},
        )

    def role_arn(self, account: str) -> str:
        """The ARN this role has (or will have) in ``account``."""
        return ids.role_arn(account, self.name, self.path, partition=self.partition)

    def for_partition(self, partition: str) -> RoleSpec:
        """This spec for a target account in ``partition`` (the target caller's).

        A spec in the default ``aws`` is re-based: its policy, boundary and principal ARNs move to
        ``partition`` (``arn:aws:iam::aws:policy/X`` -> ``arn:aws-us-gov:iam::aws:policy/X``,
        https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-arns.html).

        Raises:
            InvalidRoleSpec: the spec was made in another partition (not the default) than
                ``partition``: its principals and policies cannot exist there.
        """
        name = _field("partition", _partition, partition)
        if name == self.partition:
            return self
        if self.partition != "aws":
            raise InvalidRoleSpec(
                f"RoleSpec {self.name!r} is in partition {self.partition!r}, but the target "
                f"account is in partition {name!r}: its ARNs cannot exist there.",
                fix=f"Plan it with a session in a {self.partition!r} account, or make the spec "
                f"with partition={name!r} and that partition's ARNs.",
                field="partition",
            )
        boundary = self.permissions_boundary
        return replace(
            self,
            partition=name,
            managed_policy_arns=tuple(_rebased(a, "aws", name) for a in self.managed_policy_arns),
            trusted_principals=tuple(_rebased(p, "aws", name) for p in self.trusted_principals),
            permissions_boundary=_rebased(boundary, "aws", name) if boundary else None,
        )
