"""AssumeRole is decided as AWS decides it: identity policy AND the role's trust policy.

moto 5.2 never evaluates a cross-account trust policy; the sandbox adds that. If a moto upgrade
bypasses the sandbox's patches, the "denied" cases here start passing through and fail loudly.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import boto3
import pytest
from botocore.exceptions import ClientError

from xacct_widgets.sandbox import Sandbox

SOURCE, TARGET = "987654329876", "123456781234"
OPERATOR = f"arn:aws:iam::{SOURCE}:user/operator"


def _trust(
    principal: object, condition: dict[str, object] | None = None, effect: str = "Allow"
) -> dict[str, object]:
    statement: dict[str, object] = {
        "Effect": effect,
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


@pytest.fixture
def make_role(fresh_sandbox: Sandbox) -> Callable[..., str]:
    iam = fresh_sandbox.session("target", "admin").client("iam")

    def make(name: str, trust: dict[str, object], account: str = "target") -> str:
        client = (
            iam if account == "target" else fresh_sandbox.session(account, "admin").client("iam")
        )
        return client.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))[
            "Role"
        ]["Arn"]

    return make


def _assume(
    sandbox: Sandbox, who: tuple[str, str], role_arn: str, **extra: str
) -> dict[str, object]:
    sts = sandbox.session(*who).client("sts")
    return sts.assume_role(RoleArn=role_arn, RoleSessionName="enforcement-test", **extra)


def _denied(sandbox: Sandbox, who: tuple[str, str], role_arn: str, **extra: str) -> ClientError:
    with pytest.raises(ClientError) as caught:
        _assume(sandbox, who, role_arn, **extra)
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Code"] == "AccessDenied"
    return caught.value


def _aws_message(caller: str, role_arn: str) -> str:
    return f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"


def test_trusted_account_allows_operator(
    fresh_sandbox: Sandbox, make_role: Callable[..., str]
) -> None:
    arn = make_role("cross-account", _trust({"AWS": f"arn:aws:iam::{SOURCE}:root"}))
    answer = _assume(fresh_sandbox, ("source", "operator"), arn)
    assert (
        answer["AssumedRoleUser"]["Arn"]
        == f"arn:aws:sts::{TARGET}:assumed-role/cross-account/enforcement-test"
    )


def test_bare_account_id_principal(fresh_sandbox: Sandbox, make_role: Callable[..., str]) -> None:
    arn = make_role("cross-account", _trust({"AWS": SOURCE}))
    _assume(fresh_sandbox, ("source", "operator"), arn)


def test_user_without_assume_role_permission_is_denied(
    fresh_sandbox: Sandbox, make_role: Callable[..., str]
) -> None:
    arn = make_role("cross-account", _trust({"AWS": f"arn:aws:iam::{SOURCE}:root"}))
    error = _denied(fresh_sandbox, ("source", "intern"), arn)
    assert error.response["Error"]["Message"] == _aws_message(
        f"arn:aws:iam::{SOURCE}:user/intern", arn
    )


def test_untrusted_account_is_denied(fresh_sandbox: Sandbox, make_role: Callable[..., str]) -> None:
    arn = make_role("cross-account", _trust({"AWS": "arn:aws:iam::111122223333:root"}))
    error = _denied(fresh_sandbox, ("source", "operator"), arn)
    assert error.response["Error"]["Message"] == _aws_message(OPERATOR, arn)


def test_missing_role_is_denied(fresh_sandbox: Sandbox) -> None:
    arn = f"arn:aws:iam::{TARGET}:role/does-not-exist"
    error = _denied(fresh_sandbox, ("source", "operator"), arn)
    assert error.response["Error"]["Message"] == _aws_message(OPERATOR, arn)


def test_root_cannot_switch_roles(fresh_sandbox: Sandbox, make_role: Callable[..., str]) -> None:
    arn = make_role("cross-account", _trust({"AWS": f"arn:aws:iam::{SOURCE}:root"}))
    error = _denied(fresh_sandbox, ("source", "root"), arn)
    assert error.response["Error"]["Message"] == "Roles may not be assumed by root accounts."


def test_user_arn_principal_admits_only_that_user(
    fresh_sandbox: Sandbox, make_role: Callable[..., str]
) -> None:
    arn = make_role("cross-account", _trust({"AWS": [OPERATOR]}))
    _assume(fresh_sandbox, ("source", "operator"), arn)
    # The source admin may call sts:AssumeRole on anything, but is not the named principal.
    error = _denied(fresh_sandbox, ("source", "admin"), arn)
    assert error.response["Error"]["Message"] == _aws_message(
        f"arn:aws:iam::{SOURCE}:user/admin", arn
    )


def test_role_arn_principal_admits_that_roles_sessions(
    fresh_sandbox: Sandbox, make_role: Callable[..., str]
) -> None:
    hop = make_role("hop", _trust({"AWS": f"arn:aws:iam::{SOURCE}:root"}))
    admin_iam = fresh_sandbox.session("target", "admin").client("iam")
    admin_iam.put_role_policy(
        RoleName="hop",
        PolicyName="chain",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
            }
        ),
    )
    final = make_role("final", _trust({"AWS": hop}))
    creds = _assume(fresh_sandbox, ("source", "operator"), hop)["Credentials"]
    hopped = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],  # type: ignore[index]
        aws_secret_access_key=creds["SecretAccessKey"],  # type: ignore[index]
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )  # type: ignore[index]
    sts = hopped.client("sts", endpoint_url=fresh_sandbox.endpoint_url)
    answer = sts.assume_role(RoleArn=final, RoleSessionName="chained")
    assert answer["AssumedRoleUser"]["Arn"].endswith(":assumed-role/final/chained")
    # The operator itself is not the role named in the trust policy.
    _denied(fresh_sandbox, ("source", "operator"), final)


def test_external_id_condition(fresh_sandbox: Sandbox, make_role: Callable[..., str]) -> None:
    arn = make_role(
        "vendor",
        _trust(
            {"AWS": f"arn:aws:iam::{SOURCE}:root"},
            {"StringEquals": {"sts:ExternalId": "tenant-42"}},
        ),
    )
    _denied(fresh_sandbox, ("source", "operator"), arn)
    _denied(fresh_sandbox, ("source", "operator"), arn, ExternalId="tenant-41")
    _assume(fresh_sandbox, ("source", "operator"), arn, ExternalId="tenant-42")


def test_mfa_condition(fresh_sandbox: Sandbox, make_role: Callable[..., str]) -> None:
    arn = make_role(
        "mfa-only",
        _trust(
            {"AWS": f"arn:aws:iam::{SOURCE}:root"}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        ),
    )
    serial = fresh_sandbox.principal("source", "operator")["mfa_serial"]
    _denied(fresh_sandbox, ("source", "operator"), arn)
    wrong = _denied(
        fresh_sandbox, ("source", "operator"), arn, SerialNumber=serial, TokenCode="000000"
    )
    assert "MultiFactorAuthentication failed" in wrong.response["Error"]["Message"]
    _assume(
        fresh_sandbox, ("source", "operator"), arn, SerialNumber=serial, TokenCode=Sandbox.MFA_CODE
    )


def test_explicit_deny_wins(fresh_sandbox: Sandbox, make_role: Callable[..., str]) -> None:
    trust = _trust({"AWS": f"arn:aws:iam::{SOURCE}:root"})
    trust["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": {"AWS": OPERATOR},  # type: ignore[attr-defined]
            "Action": "sts:AssumeRole",
        }
    )
    arn = make_role("cross-account", trust)
    _denied(fresh_sandbox, ("source", "operator"), arn)


def test_wildcard_action_in_trust(fresh_sandbox: Sandbox, make_role: Callable[..., str]) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": SOURCE}, "Action": ["sts:*"]}],
    }
    _assume(fresh_sandbox, ("source", "operator"), make_role("cross-account", trust))


def test_same_account_root_principal(fresh_sandbox: Sandbox, make_role: Callable[..., str]) -> None:
    # moto alone wrongly denies this; AWS allows an account's principals to use a role trusting it.
    arn = make_role("local", _trust({"AWS": f"arn:aws:iam::{TARGET}:root"}))
    _assume(fresh_sandbox, ("target", "admin"), arn)


def test_service_principal_does_not_admit_users(
    fresh_sandbox: Sandbox, make_role: Callable[..., str]
) -> None:
    arn = make_role("lambda-exec", _trust({"Service": "lambda.amazonaws.com"}))
    _denied(fresh_sandbox, ("source", "operator"), arn)


def test_identity_policy_resource_is_honoured(
    fresh_sandbox: Sandbox, make_role: Callable[..., str]
) -> None:
    arn = make_role("cross-account", _trust({"AWS": SOURCE}))
    iam = fresh_sandbox.session("source", "admin").client("iam")
    iam.put_group_policy(
        GroupName="role-switchers",
        PolicyName="allow-switch-role",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Resource": f"arn:aws:iam::{TARGET}:role/other",
                    }
                ],
            }
        ),
    )
    _denied(fresh_sandbox, ("source", "operator"), arn)


def test_unsigned_or_foreign_keys_are_rejected(sandbox: Sandbox) -> None:
    stranger = boto3.Session(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="x" * 40,
        region_name="us-east-1",
    )
    with pytest.raises(ClientError) as caught:
        stranger.client("iam", endpoint_url=sandbox.endpoint_url).list_roles()
    assert caught.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_patches_refuse_an_incompatible_moto() -> None:
    from xacct_widgets.errors import SandboxError
    from xacct_widgets.sandbox.moto_integration.hooks import original

    class Gone:
        pass

    with pytest.raises(SandboxError, match="moto range pinned"):
        original(Gone, "assume_role")


# -- the single hook: every request goes through the sandbox's engine -----------------------------
def test_the_engine_decides_every_request(sandbox: Sandbox) -> None:
    """moto's own check never words a denial like this; if a moto upgrade bypasses the hook,
    the message (or the denial itself) changes and this fails."""
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.iam.access_control import IAMRequestBase

    assert "install" in IAMRequestBase.check_action_permitted.__qualname__
    assert "install" in ActionAuthenticatorMixin._authenticate_and_authorize_action.__qualname__
    intern = sandbox.session("source", "intern").client("s3")
    with pytest.raises(ClientError) as caught:
        intern.list_buckets()
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    iam = sandbox.session("source", "intern").client("iam")
    with pytest.raises(ClientError) as caught:
        iam.create_group(GroupName="never")
    assert caught.value.response["Error"]["Message"].endswith(
        "because no identity-based policy allows the iam:CreateGroup action"
    )


@pytest.mark.parametrize(
    ("owner", "name"),
    [
        pytest.param(
            "moto.iam.access_control:IAMRequestBase", "check_action_permitted", id="check"
        ),
        pytest.param(
            "moto.core.authorization:ActionAuthenticatorMixin",
            "_authenticate_and_authorize_action",
            id="authorize",
        ),
        pytest.param("moto.sts.responses:TokenResponse", "assume_role", id="assume-role"),
        pytest.param("moto.iam.responses:IamResponse", "create_user", id="iam-response"),
    ],
)
def test_install_refuses_a_moto_without_the_hook_points(
    monkeypatch: pytest.MonkeyPatch, owner: str, name: str
) -> None:
    import importlib

    from xacct_widgets.errors import SandboxError
    from xacct_widgets.sandbox.moto_integration import patches

    module, _, cls = owner.partition(":")
    monkeypatch.setattr(patches, "_installed", False)
    monkeypatch.delattr(getattr(importlib.import_module(module), cls), name)
    with pytest.raises(SandboxError, match="moto range pinned"):
        patches.install()
