"""IAM refuses at write time what it would not store, and the sandbox refuses it the same way.

Each case is one IAM call over HTTP with boto3, the AWS page it follows, and the answer AWS gives
(HTTP status, error code, message); the ``ok`` cases are documents and limits AWS accepts, so the
refusals stay no wider than AWS's. moto alone stores every refused document here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

from xacct_widgets.sandbox import Sandbox

SOURCE, TARGET = "987654329876", "123456781234"
OPERATOR = f"arn:aws:iam::{SOURCE}:user/operator"

GUIDE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
API = "https://docs.aws.amazon.com/IAM/latest/APIReference/"
QUOTAS = GUIDE + "reference_iam-quotas.html"
PRINCIPAL = GUIDE + "reference_policies_elements_principal.html"
NOT_PRINCIPAL = GUIDE + "reference_policies_elements_notprincipal.html"
GRAMMAR = GUIDE + "reference_policies_grammar.html"
TRUST_ERROR = "https://repost.aws/knowledge-center/iam-trust-policy-error"
CREATE_ROLE = API + "API_CreateRole.html"
UPDATE_TRUST = API + "API_UpdateAssumeRolePolicy.html"
PUT_ROLE_POLICY = API + "API_PutRolePolicy.html"
PUT_USER_POLICY = API + "API_PutUserPolicy.html"
PUT_GROUP_POLICY = API + "API_PutGroupPolicy.html"
CREATE_POLICY = API + "API_CreatePolicy.html"
CREATE_POLICY_VERSION = API + "API_CreatePolicyVersion.html"
ATTACH = API + "API_AttachRolePolicy.html"

MALFORMED = (400, "MalformedPolicyDocument")
LIMIT = (409, "LimitExceeded")
INVALID = (400, "ValidationError")


def statement(**fields: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "sts:AssumeRole", **fields}


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(principal: Any, **fields: Any) -> str:
    return doc(statement(Principal=principal, **fields))


def allow(action: str = "s3:GetObject", resource: Any = "*", **fields: Any) -> str:
    return doc({"Effect": "Allow", "Action": action, "Resource": resource, **fields})


def padded_trust(chars: int) -> str:
    """A valid trust policy of exactly ``chars`` characters, counted as IAM counts them."""
    base = {
        "Version": "2012-10-17",
        "Statement": [
            statement(
                Principal={"AWS": SOURCE},
                Condition={"StringEquals": {"sts:ExternalId": ""}},
            )
        ],
    }
    filler = chars - len(json.dumps(base, separators=(",", ":")))
    base["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] = "x" * filler
    text = json.dumps(base, indent=4)  # whitespace between elements is not counted
    assert len(json.dumps(json.loads(text), separators=(",", ":"))) == chars
    return text


@dataclass(frozen=True)
class Case:
    """One IAM write: ``setup`` prepares the account, ``call`` is (operation, parameters)."""

    doc: str
    operation: str
    params: dict[str, Any]
    answer: tuple[int, str, str] | None  # None: AWS accepts it
    setup: Callable[[Any], None] = field(default=lambda iam: None)


def _role(iam: Any, name: str = "r", path: str = "/") -> None:
    iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=trust({"AWS": SOURCE}))


def _policies(iam: Any, count: int) -> list[str]:
    return [
        iam.create_policy(PolicyName=f"p{i}", PolicyDocument=allow())["Policy"]["Arn"]
        for i in range(count)
    ]


def _full(kind: str) -> Callable[[Any], None]:
    """A role, user or group named ``e`` with the 10 managed policies IAM allows attached."""

    def setup(iam: Any) -> None:
        if kind == "role":
            _role(iam, "e")
        else:
            getattr(iam, f"create_{kind}")(**{f"{kind.capitalize()}Name": "e"})
        for arn in _policies(iam, 11)[:10]:
            getattr(iam, f"attach_{kind}_policy")(
                **{f"{kind.capitalize()}Name": "e", "PolicyArn": arn}
            )

    return setup


def _entity(kind: str) -> Callable[[Any], None]:
    def setup(iam: Any) -> None:
        if kind == "role":
            _role(iam, "e")
        else:
            getattr(iam, f"create_{kind}")(**{f"{kind.capitalize()}Name": "e"})

    return setup


def _inline_half(kind: str, limit: int) -> Callable[[Any], None]:
    """``e`` with one inline policy of a bit more than half the inline quota."""
    resources = [f"arn:aws:s3:::b/{i:05d}" for i in range(limit // 2 // 20)]

    def setup(iam: Any) -> None:
        _entity(kind)(iam)
        getattr(iam, f"put_{kind}_policy")(
            **{
                f"{kind.capitalize()}Name": "e",
                "PolicyName": "first",
                "PolicyDocument": allow(resource=resources),
            }
        )

    return setup


def _same_half(limit: int) -> str:
    return allow(resource=[f"arn:aws:s3:::b/{i:05d}" for i in range(limit // 2 // 20)])


def invalid_principal(value: str) -> tuple[int, str, str]:
    return (*MALFORMED, f'Invalid principal in policy: "AWS":"{value}"')


def create(document: str, name: str = "r", **extra: Any) -> dict[str, Any]:
    return {"RoleName": name, "AssumeRolePolicyDocument": document, **extra}


def _validation(value: str, at: str, constraint: str) -> tuple[int, str, str]:
    return (
        *INVALID,
        f"1 validation error detected: Value '{value}' at '{at}' failed to satisfy constraint: "
        f"Member {constraint}",
    )


CASES = {
    # -- trust policies: what IAM refuses on CreateRole ----------------------------------------
    "trust-not-json": Case(
        GRAMMAR,
        "create_role",
        create("{not json"),
        (*MALFORMED, "This policy contains invalid Json"),
    ),
    "trust-not-principal": Case(
        NOT_PRINCIPAL,
        "create_role",
        create(doc(statement(Effect="Deny", NotPrincipal={"AWS": OPERATOR}))),
        (*MALFORMED, "Has prohibited field NotPrincipal."),
    ),
    "trust-resource": Case(
        GRAMMAR,
        "create_role",
        create(trust({"AWS": SOURCE}, Resource="*")),
        (*MALFORMED, "Has prohibited field Resource."),
    ),
    "trust-non-sts-action": Case(
        GRAMMAR,
        "create_role",
        create(doc({"Effect": "Allow", "Principal": {"AWS": SOURCE}, "Action": "s3:GetObject"})),
        (*MALFORMED, "AssumeRole policy may only specify STS AssumeRole actions."),
    ),
    "trust-user-wildcard": Case(
        PRINCIPAL,
        "create_role",
        create(trust({"AWS": f"arn:aws:iam::{SOURCE}:user/*"})),
        invalid_principal(f"arn:aws:iam::{SOURCE}:user/*"),
    ),
    "trust-role-partial-wildcard": Case(
        PRINCIPAL,
        "create_role",
        create(trust({"AWS": [SOURCE, f"arn:aws:iam::{SOURCE}:role/ops-*"]})),
        invalid_principal(f"arn:aws:iam::{SOURCE}:role/ops-*"),
    ),
    "trust-missing-user": Case(
        TRUST_ERROR,
        "create_role",
        create(trust({"AWS": f"arn:aws:iam::{SOURCE}:user/nobody"})),
        invalid_principal(f"arn:aws:iam::{SOURCE}:user/nobody"),
    ),
    "trust-missing-role": Case(
        TRUST_ERROR,
        "create_role",
        create(trust({"AWS": f"arn:aws:iam::{TARGET}:role/gone"})),
        invalid_principal(f"arn:aws:iam::{TARGET}:role/gone"),
    ),
    "trust-user-in-unknown-account": Case(
        TRUST_ERROR,
        "create_role",
        create(trust({"AWS": "arn:aws:iam::111122223333:user/alice"})),
        invalid_principal("arn:aws:iam::111122223333:user/alice"),
    ),
    "trust-user-wrong-path": Case(
        TRUST_ERROR,
        "create_role",
        create(trust({"AWS": f"arn:aws:iam::{SOURCE}:user/team/operator"})),
        invalid_principal(f"arn:aws:iam::{SOURCE}:user/team/operator"),
    ),
    "trust-group-is-no-principal": Case(
        PRINCIPAL,
        "create_role",
        create(trust({"AWS": f"arn:aws:iam::{SOURCE}:group/role-switchers"})),
        invalid_principal(f"arn:aws:iam::{SOURCE}:group/role-switchers"),
    ),
    "trust-deny-names-missing-user": Case(
        TRUST_ERROR,
        "create_role",
        create(
            doc(
                statement(Principal={"AWS": SOURCE}),
                statement(Effect="Deny", Principal={"AWS": f"arn:aws:iam::{SOURCE}:user/x"}),
            )
        ),
        invalid_principal(f"arn:aws:iam::{SOURCE}:user/x"),
    ),
    "trust-no-statement": Case(
        GRAMMAR,
        "create_role",
        create(json.dumps({"Version": "2012-10-17", "Statement": []})),
        (*MALFORMED, "Syntax errors in policy."),
    ),
    "trust-bad-effect": Case(
        GRAMMAR,
        "create_role",
        create(trust({"AWS": SOURCE}, Effect="Permit")),
        (*MALFORMED, "Syntax errors in policy."),
    ),
    "trust-unknown-element": Case(
        GRAMMAR,
        "create_role",
        create(doc({"Effect": "Allow", "Principals": {"AWS": SOURCE}, "Action": "sts:*"})),
        (*MALFORMED, "Syntax errors in policy."),
    ),
    "trust-unknown-operator": Case(
        GRAMMAR,
        "create_role",
        create(trust({"AWS": SOURCE}, Condition={"StringIs": {"sts:ExternalId": "x"}})),
        (*MALFORMED, "Syntax errors in policy."),
    ),
    "trust-over-2048": Case(
        QUOTAS,
        "create_role",
        create(padded_trust(2049)),
        (*LIMIT, "Cannot exceed quota for ACLSizePerRole: 2048"),
    ),
    # -- trust policies IAM accepts ---------------------------------------------------------------
    "trust-exactly-2048": Case(QUOTAS, "create_role", create(padded_trust(2048)), None),
    "trust-account-root": Case(
        PRINCIPAL, "create_role", create(trust({"AWS": f"arn:aws:iam::{SOURCE}:root"})), None
    ),
    "trust-bare-account": Case(PRINCIPAL, "create_role", create(trust({"AWS": SOURCE})), None),
    "trust-unknown-account-root": Case(
        PRINCIPAL, "create_role", create(trust({"AWS": "111122223333"})), None
    ),
    "trust-existing-user": Case(PRINCIPAL, "create_role", create(trust({"AWS": OPERATOR})), None),
    "trust-existing-role-with-path": Case(
        PRINCIPAL,
        "create_role",
        create(trust({"AWS": f"arn:aws:iam::{TARGET}:role/ops/hop"})),
        None,
        lambda iam: _role(iam, "hop", "/ops/"),
    ),
    "trust-role-session": Case(
        PRINCIPAL,
        "create_role",
        create(trust({"AWS": f"arn:aws:sts::{TARGET}:assumed-role/hop/alice"})),
        None,
        lambda iam: _role(iam, "hop"),
    ),
    "trust-any-principal-with-condition": Case(
        PRINCIPAL,
        "create_role",
        create(trust({"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}})),
        None,
    ),
    "trust-service": Case(
        PRINCIPAL, "create_role", create(trust({"Service": "lambda.amazonaws.com"})), None
    ),
    "trust-sts-wildcard-action": Case(
        GRAMMAR,
        "create_role",
        create(doc({"Effect": "Allow", "Principal": {"AWS": SOURCE}, "Action": "sts:*"})),
        None,
    ),
    "trust-tag-session": Case(
        GRAMMAR,
        "create_role",
        create(trust({"AWS": SOURCE}, Action=["sts:AssumeRole", "sts:TagSession"])),
        None,
    ),
    # -- CreateRole's parameters (IAM API model) ------------------------------------------------
    "role-name-65": Case(
        CREATE_ROLE,
        "create_role",
        create(trust({"AWS": SOURCE}), name="r" * 65),
        _validation("r" * 65, "roleName", "must have length less than or equal to 64"),
    ),
    "role-name-64": Case(
        CREATE_ROLE, "create_role", create(trust({"AWS": SOURCE}), "r" * 64), None
    ),
    "role-name-space": Case(
        CREATE_ROLE,
        "create_role",
        create(trust({"AWS": SOURCE}), name="bad name"),
        _validation(
            "bad name", "roleName", r"must satisfy regular expression pattern: [\w+=,.@-]+"
        ),
    ),
    "path-513": Case(
        CREATE_ROLE,
        "create_role",
        create(trust({"AWS": SOURCE}), Path="/" + "p" * 511 + "/"),
        _validation("/" + "p" * 511 + "/", "path", "must have length less than or equal to 512"),
    ),
    "path-without-slashes": Case(
        CREATE_ROLE,
        "create_role",
        create(trust({"AWS": SOURCE}), Path="ops"),
        _validation(
            "ops",
            "path",
            r"must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)",
        ),
    ),
    "max-session-43201": Case(
        CREATE_ROLE,
        "create_role",
        create(trust({"AWS": SOURCE}), MaxSessionDuration=43201),
        _validation("43201", "maxSessionDuration", "must have value less than or equal to 43200"),
    ),
    "description-1001": Case(
        CREATE_ROLE,
        "create_role",
        create(trust({"AWS": SOURCE}), Description="d" * 1001),
        _validation("d" * 1001, "description", "must have length less than or equal to 1000"),
    ),
    "update-role-max-session": Case(
        API + "API_UpdateRole.html",
        "update_role",
        {"RoleName": "e", "MaxSessionDuration": 50000},
        _validation("50000", "maxSessionDuration", "must have value less than or equal to 43200"),
        _entity("role"),
    ),
    # -- UpdateAssumeRolePolicy ---------------------------------------------------------------
    "update-trust-not-principal": Case(
        UPDATE_TRUST,
        "update_assume_role_policy",
        {"RoleName": "e", "PolicyDocument": doc(statement(Effect="Deny", NotPrincipal="*"))},
        (*MALFORMED, "Has prohibited field NotPrincipal."),
        _entity("role"),
    ),
    "update-trust-missing-user": Case(
        UPDATE_TRUST,
        "update_assume_role_policy",
        {"RoleName": "e", "PolicyDocument": trust({"AWS": f"arn:aws:iam::{SOURCE}:user/gone"})},
        invalid_principal(f"arn:aws:iam::{SOURCE}:user/gone"),
        _entity("role"),
    ),
    "update-trust-over-2048": Case(
        UPDATE_TRUST,
        "update_assume_role_policy",
        {"RoleName": "e", "PolicyDocument": padded_trust(2100)},
        (*LIMIT, "Cannot exceed quota for ACLSizePerRole: 2048"),
        _entity("role"),
    ),
    "update-trust-missing-role": Case(
        UPDATE_TRUST,
        "update_assume_role_policy",
        {"RoleName": "gone", "PolicyDocument": trust({"AWS": SOURCE})},
        (404, "NoSuchEntity", "Role gone not found"),
    ),
    # -- identity policies ------------------------------------------------------------------------
    "inline-with-principal": Case(
        PRINCIPAL,
        "put_role_policy",
        {"RoleName": "e", "PolicyName": "p", "PolicyDocument": allow(Principal="*")},
        (*MALFORMED, "Policy document should not specify a principal."),
        _entity("role"),
    ),
    "user-policy-without-resource": Case(
        PUT_USER_POLICY,
        "put_user_policy",
        {
            "UserName": "e",
            "PolicyName": "p",
            "PolicyDocument": doc({"Effect": "Allow", "Action": "s3:GetObject"}),
        },
        (*MALFORMED, "Policy statement must contain resources."),
        _entity("user"),
    ),
    "group-policy-action-without-vendor": Case(
        PUT_GROUP_POLICY,
        "put_group_policy",
        {"GroupName": "e", "PolicyName": "p", "PolicyDocument": allow("GetObject")},
        (*MALFORMED, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
        _entity("group"),
    ),
    "managed-not-json": Case(
        CREATE_POLICY,
        "create_policy",
        {"PolicyName": "p", "PolicyDocument": "Allow everything"},
        (*MALFORMED, "This policy contains invalid Json"),
    ),
    "managed-without-action": Case(
        CREATE_POLICY,
        "create_policy",
        {"PolicyName": "p", "PolicyDocument": doc({"Effect": "Allow", "Resource": "*"})},
        (*MALFORMED, "Policy statement must contain actions."),
    ),
    "managed-condition-not-a-map": Case(
        GRAMMAR,
        "create_policy",
        {"PolicyName": "p", "PolicyDocument": allow(Condition={"Bool": "true"})},
        (*MALFORMED, "Syntax errors in policy."),
    ),
    "version-duplicate-sid": Case(
        CREATE_POLICY_VERSION,
        "create_policy_version",
        {
            "PolicyArn": f"arn:aws:iam::{TARGET}:policy/p0",
            "PolicyDocument": doc(
                {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {"Sid": "A", "Effect": "Deny", "Action": "s3:*", "Resource": "*"},
            ),
        },
        (*MALFORMED, "Statement IDs (SID) in a single policy must be unique."),
        lambda iam: _policies(iam, 1),
    ),
    # -- identity policy quotas -------------------------------------------------------------------
    "managed-over-6144": Case(
        QUOTAS,
        "create_policy",
        {
            "PolicyName": "big",
            "PolicyDocument": allow(resource=[f"arn:aws:s3:::b/{i:05d}" for i in range(320)]),
        },
        (*LIMIT, "Cannot exceed quota for PolicySize: 6144"),
    ),
    "role-inline-over-10240": Case(
        QUOTAS,
        "put_role_policy",
        {"RoleName": "e", "PolicyName": "second", "PolicyDocument": _same_half(10240)},
        (*LIMIT, "Maximum policy size of 10240 bytes exceeded for role e"),
        _inline_half("role", 10240),
    ),
    "role-inline-replace-same-name": Case(
        QUOTAS,
        "put_role_policy",
        {"RoleName": "e", "PolicyName": "first", "PolicyDocument": _same_half(10240)},
        None,
        _inline_half("role", 10240),
    ),
    "user-inline-over-2048": Case(
        QUOTAS,
        "put_user_policy",
        {"UserName": "e", "PolicyName": "second", "PolicyDocument": _same_half(2048)},
        (*LIMIT, "Maximum policy size of 2048 bytes exceeded for user e"),
        _inline_half("user", 2048),
    ),
    "group-inline-over-5120": Case(
        QUOTAS,
        "put_group_policy",
        {"GroupName": "e", "PolicyName": "second", "PolicyDocument": _same_half(5120)},
        (*LIMIT, "Maximum policy size of 5120 bytes exceeded for group e"),
        _inline_half("group", 5120),
    ),
    "role-11th-managed-policy": Case(
        QUOTAS,
        "attach_role_policy",
        {"RoleName": "e", "PolicyArn": f"arn:aws:iam::{TARGET}:policy/p10"},
        (*LIMIT, "Cannot exceed quota for PoliciesPerRole: 10"),
        _full("role"),
    ),
    "role-reattach-at-10": Case(
        ATTACH,
        "attach_role_policy",
        {"RoleName": "e", "PolicyArn": f"arn:aws:iam::{TARGET}:policy/p3"},
        None,
        _full("role"),
    ),
    "user-11th-managed-policy": Case(
        QUOTAS,
        "attach_user_policy",
        {"UserName": "e", "PolicyArn": f"arn:aws:iam::{TARGET}:policy/p10"},
        (*LIMIT, "Cannot exceed quota for PoliciesPerUser: 10"),
        _full("user"),
    ),
    "group-11th-managed-policy": Case(
        QUOTAS,
        "attach_group_policy",
        {"GroupName": "e", "PolicyArn": f"arn:aws:iam::{TARGET}:policy/p10"},
        (*LIMIT, "Cannot exceed quota for PoliciesPerGroup: 10"),
        _full("group"),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_iam_write(fresh_sandbox: Sandbox, case: Case) -> None:
    assert case.doc.startswith("https://")
    iam = fresh_sandbox.session("target", "admin").client("iam")
    case.setup(iam)
    call = getattr(iam, case.operation)
    if case.answer is None:
        call(**case.params)
        return
    with pytest.raises(ClientError) as caught:
        call(**case.params)
    error = caught.value.response
    status, code, message = case.answer
    assert (
        error["ResponseMetadata"]["HTTPStatusCode"],
        error["Error"]["Code"],
        error["Error"]["Message"],
    ) == (status, code, message)


def test_refused_writes_change_nothing(fresh_sandbox: Sandbox) -> None:
    iam = fresh_sandbox.session("target", "admin").client("iam")
    _role(iam, "kept")
    before = iam.get_role(RoleName="kept")["Role"]["AssumeRolePolicyDocument"]
    with pytest.raises(ClientError):
        iam.update_assume_role_policy(RoleName="kept", PolicyDocument=padded_trust(3000))
    assert iam.get_role(RoleName="kept")["Role"]["AssumeRolePolicyDocument"] == before
    with pytest.raises(ClientError):
        iam.create_role(RoleName="never", AssumeRolePolicyDocument=trust({"AWS": "*:*"}))
    assert "never" not in {r["RoleName"] for r in iam.list_roles()["Roles"]}


def test_refusals_are_boto3s_modelled_exceptions(fresh_sandbox: Sandbox) -> None:
    # Code that catches IAM's modelled exceptions on AWS catches the sandbox's refusals too.
    iam = fresh_sandbox.session("target", "admin").client("iam")
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust({"AWS": "arn:aws:iam::1:x"}))
    with pytest.raises(iam.exceptions.LimitExceededException):
        iam.create_role(RoleName="r", AssumeRolePolicyDocument=padded_trust(2049))
