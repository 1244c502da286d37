"""Helpers shared by the core, sandbox and widget tests (``tests/`` is on ``sys.path``).

Set-up that the code under test must not do for itself (creating roles and limited users with
the admin's plain boto3), API-call counters, and the secret scans.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import boto3
import botocore.session
import pytest

SOURCE = "987654329876"
TARGET = "123456781234"
ROLE = "cross-account"
ROLE_ARN = f"arn:aws:iam::{TARGET}:role/{ROLE}"
#: A role with an ExternalId in the target account (the seeded vendor role trusts no user).
VENDOR_ROLE = "vendor-audit"
EXTERNAL_ID = "tenant-42"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SECURITY_AUDIT = "arn:aws:iam::aws:policy/SecurityAudit"
VIEW_ONLY = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"


# -- set-up with plain boto3 ---------------------------------------------------------------------
def make_role(
    sandbox,
    name=ROLE,
    *,
    external_id=None,
    require_mfa=False,
    trusted=SOURCE,
    policy_arns: Iterable[str] = (READ_ONLY,),
    max_session_duration: int = 3600,
    account: str = "target",
    actions: str | list[str] = "sts:AssumeRole",
):
    """Create the role in ``account`` (the target, unless told) as its admin would (plain
    boto3), trusting ``trusted`` for ``actions``; its ARN."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{trusted}:root"},
        "Action": actions,
    }
    condition = {}
    if external_id:
        condition["StringEquals"] = {"sts:ExternalId": external_id}
    if require_mfa:
        condition["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
    if condition:
        statement["Condition"] = condition
    iam = sandbox.session(account, "admin").client("iam")
    iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        MaxSessionDuration=max_session_duration,
    )
    for arn in policy_arns:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    account_id = {"target": TARGET, "source": SOURCE}[account]
    return f"arn:aws:iam::{account_id}:role/{name}"


def session_with_keys(sandbox, access_key_id, secret, *, account="target"):
    """A sandbox session for freshly created keys: the sandbox's config (as ``account``'s admin
    has it), other credentials."""
    base = sandbox.session(account, "admin")._session
    core = botocore.session.Session()
    for name in ("config_file", "credentials_file", "profile"):
        core.set_config_variable(name, base.get_config_variable(name))
    core.set_credentials(access_key_id, secret)
    return boto3.Session(botocore_session=core, region_name=sandbox.region)


def limited_session(sandbox, user, allow, deny=(), *, account="target"):
    """Create IAM user ``user`` in ``account`` allowed ``allow`` and denied ``deny``; its
    session."""
    iam = sandbox.session(account, "admin").client("iam")
    iam.create_user(UserName=user)
    statements = []
    if allow:
        statements.append({"Effect": "Allow", "Action": list(allow), "Resource": "*"})
    if deny:
        statements.append({"Effect": "Deny", "Action": list(deny), "Resource": "*"})
    if statements:
        iam.put_user_policy(
            UserName=user,
            PolicyName="limited",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return session_with_keys(sandbox, key["AccessKeyId"], key["SecretAccessKey"], account=account)


# -- counting API calls --------------------------------------------------------------------------
class Calls:
    """Records the API operations made (botocore ``before-call`` event hook): of ``client``
    when given, else of whatever it is registered on (see :func:`count_calls`)."""

    def __init__(self, client=None):
        self.names: list[str] = []
        if client is not None:
            client.meta.events.register("before-call.*.*", self)

    def __call__(self, model, **_):
        self.names.append(model.name)

    def count(self, name=None):
        return len(self.names) if name is None else self.names.count(name)

    @property
    def writes(self) -> list[str]:
        return [n for n in self.names if not n.startswith(("Get", "List"))]

    def clear(self) -> None:
        self.names.clear()


def count_calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Count the calls of every botocore client created from now on (until the test ends)."""
    counter = Calls()
    original = botocore.session.Session.create_client

    def create_client(self, *args, **kwargs):
        client = original(self, *args, **kwargs)
        client.meta.events.register("before-call.*.*", counter)
        return client

    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
    return counter


# -- secrets ---------------------------------------------------------------------------------------
def issued_secrets() -> list[str]:
    """Every secret key, session token and sign-in token the in-process sandbox has issued."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    secrets: list[str] = []
    for account in list(iam_backends.keys()):
        backend = iam_backends[account].get("aws")
        if backend is not None:
            secrets += [k.secret_access_key for k in list(backend.access_keys.values())]
    for account in list(sts_backends.keys()):
        backend = sts_backends[account].get("aws")
        if backend is not None:
            for role in list(backend.assumed_roles):
                secrets += [role.secret_access_key, role.session_token]
    from xacct_widgets.sandbox.console.app import issued_tokens

    secrets += issued_tokens()  # console sign-in tokens (getSigninToken)
    return [s for s in secrets if s]


# -- widgets -------------------------------------------------------------------------------------
def walk(widget) -> Iterator[Any]:
    """``widget`` and every widget under it (through ``children``)."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def css_classes(widget) -> set[str]:
    """The CSS classes under ``widget``, and for a wizard under every step's body too (steps
    not shown are not among its children)."""
    roots = [widget, *(step.body for step in getattr(widget, "steps", ()))]
    return {c for root in roots for node in walk(root) for c in node._dom_classes}


def widget_strings(widget):
    """Every string value of every widget under ``widget`` (what a front end could show)."""
    import ipywidgets as w

    seen, out, stack = set(), [], [widget]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for name in node.keys:
            value = getattr(node, name, None)
            if isinstance(value, str):
                out.append(value)
            elif isinstance(value, list | tuple):
                for item in value:
                    if isinstance(item, w.Widget):
                        stack.append(item)
                    elif isinstance(item, str):
                        out.append(item)
                    elif isinstance(item, tuple):
                        out += [str(i) for i in item]
        for child in getattr(node, "children", ()):
            stack.append(child)
    return out


def assert_no_secrets(*widgets):
    """No secret the sandbox issued shows in the widgets' reprs, values or mimebundles."""
    secrets = issued_secrets()
    assert secrets, "the sandbox should have issued secrets by now"
    for widget in widgets:
        text = "\n".join([repr(widget), *widget_strings(widget)])
        text += "\n" + str(widget._repr_mimebundle_())
        leaked = [s[:4] for s in secrets if s in text]
        assert not leaked, f"{type(widget).__name__} shows secrets: {leaked}"
