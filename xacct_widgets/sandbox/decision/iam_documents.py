"""How IAM judges a policy document when it is written: the refusals, in IAM's own words.

moto stores almost any document: ``CreateRole`` takes a trust policy with ``NotPrincipal``, a
wildcard inside a principal ARN, or a user that does not exist, all of which AWS refuses with
``MalformedPolicyDocument`` (400). Code tried against the sandbox must meet the same refusal it
will meet on AWS, so these checks answer with AWS's codes and messages:

* "This policy contains invalid Json" for a document that is not JSON;
* moto's own grammar checks (written after AWS's answers: "Syntax errors in policy.", "Policy
  document must be version 2012-10-17 or greater.", "The policy failed legacy parsing" ...);
* a trust policy with Resource ("Has prohibited field Resource.") or with actions outside STS
  ("AssumeRole policy may only specify STS AssumeRole actions."); moto's own trust check is too
  strict here (it refuses ``sts:*``, which IAM stores);
* "Policy document should not specify a principal." for an identity policy naming one
  ("IAM JSON policy elements: Principal": identity policies have no Principal);
* ``NotPrincipal`` in a trust policy ("AWS JSON policy elements: NotPrincipal": "You cannot use
  the NotPrincipal element in an IAM identity-based policy nor in an IAM role trust policy");
  IAM's wording for it is modelled on its "Has prohibited field Resource." answer;
* the project's one grammar (:func:`xacct_widgets.policy.validate_document`) for the rest,
  answered as IAM answers grammar it cannot parse: "Syntax errors in policy.";
* ``Invalid principal in policy: "AWS":"<arn>"`` for a principal that is not an account, a
  user, a role, a role session or a federated user that exists - including a wildcard inside an
  ARN ("AWS JSON policy elements: Principal": "You cannot use a wildcard to match part of a
  principal name or ARN"; re:Post "Invalid principal in policy": deleted users and roles).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from typing import Any, Final, Literal
from urllib.parse import unquote

from moto.iam.exceptions import MalformedPolicyDocument
from moto.iam.models import iam_backends
from moto.iam.policy_validation import BaseIAMPolicyValidator, IAMPolicyDocumentValidator

from ...errors import InvalidPolicy
from ...policy import validate_document
from ..accounts import PARTITION

__all__ = ["check_document", "load", "size"]

_ARN: Final = re.compile(r"arn:aws(?:-cn|-us-gov)?:(iam|sts)::(\d{12}):(.+)")
#: Stands in for an "any principal" value when the engine checks a trust policy's grammar: AWS
#: accepts ``"Principal": {"AWS": "*"}`` (with conditions, or in a Deny); the engine refuses it
#: as unsafe for a role the toolkit creates, which is the toolkit's rule, not IAM's.
_ANY_STAND_IN: Final = "arn:aws:iam::000000000000:root"


def load(text: str) -> Any:
    """The JSON of a document as moto stores it (sometimes still URL-encoded)."""
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(unquote(text))


def size(text: str) -> int:
    """IAM's size of a document: its characters, whitespace outside values not counted
    ("IAM and AWS STS quotas": "IAM doesn't count white space")."""
    try:
        return len(json.dumps(load(text), separators=(",", ":"), ensure_ascii=False))
    except ValueError:
        return len(re.sub(r"\s", "", text))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(document: Mapping[str, Any]) -> list[Any]:
    return _as_list(document.get("Statement", []))


def _principal_exists(value: str) -> bool:
    if value == "*" or re.fullmatch(r"\d{12}", value):
        return True
    match = _ARN.fullmatch(value)
    if match is None or "*" in value or "?" in value:
        return False
    service, account, resource = match.groups()
    if service == "iam" and resource == "root":
        return True
    if service == "sts" and resource.startswith("federated-user/"):
        return True
    if account not in iam_backends:  # an account the sandbox never saw holds no one
        return False
    backend = iam_backends[account][PARTITION]
    if service == "iam" and resource.startswith("user/"):
        path, _, name = resource[len("user") :].rpartition("/")
        user = backend.users.get(name)
        return user is not None and (user.path or "/") == path + "/"
    if service == "iam" and resource.startswith("role/"):
        return any(role.arn == value for role in backend.get_roles())
    if service == "sts" and resource.startswith("assumed-role/"):
        parts = resource.split("/")
        return len(parts) == 3 and any(role.name == parts[1] for role in backend.get_roles())
    return False


def _check_principals(document: Mapping[str, Any]) -> None:
    for statement in _statements(document):
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if not isinstance(principal, dict):
            continue
        for value in _as_list(principal.get("AWS", [])):
            if not isinstance(value, str) or not _principal_exists(value):
                raise MalformedPolicyDocument(f'Invalid principal in policy: "AWS":"{value}"')


def _check_trust_statements(statements: list[dict[str, Any]]) -> None:
    for statement in statements:
        for field in ("Resource", "NotResource", "NotPrincipal"):
            if field in statement:
                raise MalformedPolicyDocument(f"Has prohibited field {field}.")
        actions = _as_list(statement.get("Action", statement.get("NotAction", [])))
        if not all(isinstance(a, str) and a.lower().startswith(("sts:", "*")) for a in actions):
            raise MalformedPolicyDocument(
                "AssumeRole policy may only specify STS AssumeRole actions."
            )


def _any_principal_stood_in(document: dict[str, Any]) -> dict[str, Any]:
    statements = []
    for statement in _statements(document):
        if isinstance(statement, dict) and "Principal" in statement:
            principal = statement["Principal"]
            if principal == "*":
                principal = {"AWS": _ANY_STAND_IN}
            elif isinstance(principal, dict):
                principal = {
                    kind: [_ANY_STAND_IN if v == "*" else v for v in _as_list(values)]
                    for kind, values in principal.items()
                }
            statement = {**statement, "Principal": principal}
        statements.append(statement)
    return {**document, "Statement": statements}


def check_document(text: str, kind: Literal["identity", "trust"]) -> dict[str, Any]:
    """Refuse ``text`` as IAM would on write; the parsed document otherwise.

    Raises:
        MalformedPolicyDocument: with IAM's message (moto serialises it as AWS does, HTTP 400).
    """
    try:
        document = json.loads(text)
    except ValueError:
        raise MalformedPolicyDocument("This policy contains invalid Json") from None
    if not isinstance(document, dict):
        raise MalformedPolicyDocument("Syntax errors in policy.")
    validator = IAMPolicyDocumentValidator if kind == "identity" else BaseIAMPolicyValidator
    validator(text).validate()
    statements = [s for s in _statements(document) if isinstance(s, dict)]
    if kind == "trust":
        _check_trust_statements(statements)
    if kind == "identity" and any("Principal" in s or "NotPrincipal" in s for s in statements):
        raise MalformedPolicyDocument("Policy document should not specify a principal.")
    if kind == "trust":
        _check_principals(document)
    if statements:
        engine_view = _any_principal_stood_in(document) if kind == "trust" else document
        try:
            validate_document(engine_view, kind=kind, max_chars=sys.maxsize)
        except InvalidPolicy as err:
            raise MalformedPolicyDocument("Syntax errors in policy.") from err
    return document
