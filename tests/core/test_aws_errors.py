"""botocore errors -> XacctErrors that say what to do, with no secret in the message."""

from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    TokenRetrievalError,
)

from xacct_widgets.core import aws
from xacct_widgets.errors import (
    AccessDenied,
    AwsError,
    ExpiredSession,
    InvalidInput,
    PolicyNotFound,
    RoleNotFound,
    SwitchDenied,
    Throttled,
    XacctError,
)

ROLE_ARN = "arn:aws:iam::123456781234:role/cross-account"
DENIAL = (
    "User: arn:aws:iam::987654329876:user/intern is not authorized to perform: sts:AssumeRole "
    f"on resource: {ROLE_ARN}"
)


def client_error(code, message="boom", operation="AssumeRole", status=400):
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        operation,
    )


@pytest.mark.parametrize(
    ("code", "action", "resource", "expected", "fix_part"),
    [
        ("AccessDenied", "iam:CreateRole", "cross-account", AccessDenied, "iam:CreateRole"),
        ("AccessDeniedException", "iam:ListRoles", None, AccessDenied, "iam:ListRoles"),
        ("UnauthorizedOperation", "ec2:DescribeVpcs", None, AccessDenied, "ec2:DescribeVpcs"),
        ("NotAuthorizedException", "cognito:X", None, AccessDenied, "cognito:X"),
        ("AccessDenied", "sts:AssumeRole", ROLE_ARN, SwitchDenied, "trust policy"),
        ("InvalidClientTokenId", "sts:GetCallerIdentity", None, AccessDenied, "access key"),
        ("SignatureDoesNotMatch", "sts:GetCallerIdentity", None, AccessDenied, "access key"),
        ("ExpiredToken", "s3:ListBuckets", None, ExpiredSession, "Sign in again"),
        ("ExpiredTokenException", "s3:ListBuckets", None, ExpiredSession, "Sign in again"),
        ("RequestExpired", "ec2:DescribeVpcs", None, ExpiredSession, "Sign in again"),
        ("Throttling", "iam:ListPolicies", None, Throttled, "retry"),
        ("ThrottlingException", "iam:ListPolicies", None, Throttled, "retry"),
        ("TooManyRequestsException", "iam:ListPolicies", None, Throttled, "retry"),
        ("RequestLimitExceeded", "ec2:DescribeVpcs", None, Throttled, "retry"),
    ],
)
def test_client_error_mapping(code, action, resource, expected, fix_part):
    err = aws.wrap_client_error(client_error(code, "AWS says no"), action=action, resource=resource)
    assert type(err) is expected
    assert err.code == code
    assert "AWS says no" in err.message
    assert action in err.message
    if resource:
        assert resource in err.message
    assert err.fix is not None
    assert fix_part in err.fix


def test_assume_role_denial_keeps_aws_message():
    err = aws.wrap_client_error(
        client_error("AccessDenied", DENIAL, status=403), action="sts:AssumeRole", resource=ROLE_ARN
    )
    assert isinstance(err, SwitchDenied)
    assert isinstance(err, AccessDenied)
    assert DENIAL in str(err)
    assert f"allow sts:AssumeRole on {ROLE_ARN}" in str(err)


@pytest.mark.parametrize(
    ("message", "action", "resource", "expected"),
    [
        ("The role with name cross-account cannot be found.", "iam:GetRole", None, RoleNotFound),
        (
            "Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.",
            "iam:AttachRolePolicy",
            "cross-account",
            PolicyNotFound,
        ),
        (
            "The role with name cross-account cannot be found.",
            "iam:AttachRolePolicy",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            RoleNotFound,
        ),
        ("Not found.", "iam:GetPolicy", "arn:aws:iam::aws:policy/Nope", PolicyNotFound),
        ("Not found.", "iam:GetRole", "cross-account", RoleNotFound),
        ("Not found.", "iam:GetUser", "operator", AwsError),
    ],
)
def test_no_such_entity(message, action, resource, expected):
    err = aws.wrap_client_error(
        client_error("NoSuchEntity", message, status=404), action=action, resource=resource
    )
    assert type(err) is expected
    assert err.code == "NoSuchEntity"
    assert message in err.message


def test_unknown_code_is_aws_error_with_code():
    err = aws.wrap_client_error(
        client_error("EntityAlreadyExists", "Role with name cross-account already exists."),
        action="iam:CreateRole",
        resource="cross-account",
    )
    assert type(err) is AwsError
    assert err.code == "EntityAlreadyExists"
    assert "iam:CreateRole on cross-account failed (EntityAlreadyExists)" in str(err)


@pytest.mark.parametrize(
    "key_id", ["AKIAIOSFODNN7EXAMPLE", "ASIAABCDEFGHIJKLWXYZ"], ids=["long-term", "temporary"]
)
@pytest.mark.parametrize("code", ["InvalidClientTokenId", "AccessDenied", "SomethingElse"])
def test_key_ids_in_aws_messages_are_masked(key_id, code):
    message = f"The security token included in the request is invalid: {key_id}"
    err = aws.wrap_client_error(client_error(code, message), action="sts:GetCallerIdentity")
    assert key_id not in str(err)
    assert key_id[:-4] not in str(err)
    assert "****" + key_id[-4:] in str(err)


@pytest.mark.parametrize(
    ("error", "expected", "fix_part"),
    [
        (NoCredentialsError(), XacctError, "aws configure"),
        (PartialCredentialsError(provider="env", cred_var="secret"), XacctError, "aws configure"),
        (ProfileNotFound(profile="nope"), XacctError, "aws configure"),
        (TokenRetrievalError(provider="sso", error_msg="expired"), ExpiredSession, "Sign in"),
        (ParamValidationError(report="Invalid length for RoleName"), InvalidInput, "bug"),
    ],
)
def test_botocore_errors(error, expected, fix_part):
    err = aws.wrap_client_error(error, action="sts:GetCallerIdentity")
    assert type(err) is expected
    assert err.fix is not None
    assert fix_part in err.fix
    assert "sts:GetCallerIdentity" in err.message


def test_other_botocore_error_is_aws_error_named_by_class():
    err = aws.wrap_client_error(
        EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), action="s3:ListBuckets"
    )
    assert type(err) is AwsError
    assert err.code == "EndpointConnectionError"
    assert "127.0.0.1:1" in err.message


def test_aws_call_raises_from_original():
    original = client_error("AccessDenied", DENIAL, status=403)
    with pytest.raises(SwitchDenied) as info, aws.aws_call("sts:AssumeRole", ROLE_ARN):
        raise original
    assert info.value.__cause__ is original


def test_aws_call_leaves_other_errors_alone():
    with pytest.raises(KeyError), aws.aws_call("iam:GetRole"):
        raise KeyError("x")
    with aws.aws_call("iam:GetRole"):
        pass


def test_error_code():
    assert aws.error_code(client_error("Throttling")) == "Throttling"
    assert aws.error_code(NoCredentialsError()) == "NoCredentialsError"


@pytest.mark.parametrize(("workers", "pool"), [(1, 1), (10, 10), (64, 64)])
def test_client_config(workers, pool):
    config = aws.client_config(workers)
    assert isinstance(config, Config)
    assert config.retries == {"mode": "standard", "max_attempts": 5}
    assert config.max_pool_connections == pool


def test_client_config_default_and_rejects():
    assert aws.client_config().max_pool_connections == 10
    for bad in (0, -1, 2.5, True, "10"):
        with pytest.raises(InvalidInput, match=repr(bad).replace(".", r"\.")):
            aws.client_config(bad)
