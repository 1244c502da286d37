"""Every public function with a consent flag refuses ``"false"`` (issue 19, item 1).

The sweep finds each public function and method of the package with a parameter in
:data:`CONSENT_FLAGS` and calls it with the string ``"false"`` against the sandbox: each must
raise ``InvalidInput`` naming the flag and write nothing. A new function with such a flag fails
:func:`test_every_flagged_function_is_swept` until it is added to :data:`CALLS`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import ROLE, ROLE_ARN, make_role

import xacct_widgets
from xacct_widgets.core import changes
from xacct_widgets.core.consent import CONSENT_FLAGS
from xacct_widgets.core.profiles import RoleRef, export_profiles
from xacct_widgets.core.query import query
from xacct_widgets.core.query.operation import check_operation
from xacct_widgets.core.rollout import Rollout
from xacct_widgets.core.source import SourceAccount
from xacct_widgets.core.source.restrict_apply import apply_restriction
from xacct_widgets.core.target import RoleSpec, TargetAccount
from xacct_widgets.core.target.apply import apply_plan
from xacct_widgets.errors import InvalidInput
from xacct_widgets.sandbox import Sandbox

Call = Callable[[Sandbox, Path, Any], object]


def _restriction(sb: Sandbox):
    admin = SourceAccount(sb.session("source", "admin"))
    return admin, admin.plan_restriction(ROLE_ARN, users=["operator"])


def _target(sb: Sandbox) -> TargetAccount:
    return TargetAccount(sb.session("target", "admin"))


#: qualified name -> a call with the flag set to ``value``.
CALLS: dict[str, Call] = {
    "core.changes.apply_steps": lambda sb, tmp, v: changes.apply_steps(
        [], subject="x", allow_destructive=v
    ),
    "core.changes.check_consent": lambda sb, tmp, v: changes.check_consent(
        [], subject="x", allow_destructive=v
    ),
    "core.profiles.export.export_profiles": lambda sb, tmp, v: export_profiles(
        [RoleRef("123456781234", ROLE, profile="prod")],
        tmp / "config",
        source_profile="operator",
        overwrite=v,
    ),
    "core.query.operation.check_operation": lambda sb, tmp, v: check_operation(
        "s3", "list_buckets", allow_writes=v
    ),
    "core.query.run.query": lambda sb, tmp, v: query(
        ["123456781234"],
        "s3",
        "list_buckets",
        session=sb.session("source", "admin"),
        allow_writes=v,
    ),
    "core.source.account.SourceAccount.restrict_assume_role": lambda sb, tmp, v: SourceAccount(
        sb.session("source", "admin")
    ).restrict_assume_role(ROLE_ARN, users=["operator"], allow_destructive=v),
    "core.source.account.SourceAccount.apply_restriction": lambda sb, tmp, v: (
        lambda admin, plan: admin.apply_restriction(plan, allow_destructive=v)
    )(*_restriction(sb)),
    "core.source.restrict_apply.apply_restriction": lambda sb, tmp, v: apply_restriction(
        sb.session("source", "admin").client("iam"), _restriction(sb)[1], allow_destructive=v
    ),
    "core.target.account.TargetAccount.apply": lambda sb, tmp, v: _target(sb).apply(
        _target(sb).spec_of(ROLE), allow_destructive=v
    ),
    "core.target.account.TargetAccount.delete_role": lambda sb, tmp, v: _target(sb).delete_role(
        ROLE, confirm=v
    ),
    "core.rollout.rollout.Rollout.apply": lambda sb, tmp, v: Rollout(
        RoleSpec(name=ROLE, trusted_account=Sandbox.SOURCE),
        [Sandbox.TARGET],
        session=sb.session("management", "admin"),
    ).apply(allow_destructive=v, progress=False),
    "core.target.apply.apply_plan": lambda sb, tmp, v: apply_plan(
        sb.session("target", "admin").client("iam"),
        _target(sb).plan(_target(sb).spec_of(ROLE)),
        allow_destructive=v,
    ),
}
#: Functions that only carry the flag to one of :data:`CALLS`, which reads it.
CARRIERS = {"core.query.remote.RemoteJob.__init__": "core.query.operation.check_operation"}


def flagged_functions() -> set[str]:
    found = set()
    for info in pkgutil.walk_packages(xacct_widgets.__path__, "xacct_widgets."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            members = [(name, obj)] if inspect.isfunction(obj) else []
            if inspect.isclass(obj):
                members = [
                    (f"{name}.{attr}", fn)
                    for attr, fn in vars(obj).items()
                    if inspect.isfunction(fn) and (not attr.startswith("_") or attr == "__init__")
                ]
            for qualname, fn in members:
                if set(inspect.signature(fn).parameters) & CONSENT_FLAGS:
                    found.add(f"{module.__name__.removeprefix('xacct_widgets.')}.{qualname}")
    return found


def test_every_flagged_function_is_swept() -> None:
    assert flagged_functions() == set(CALLS) | set(CARRIERS)
    assert set(CARRIERS.values()) <= set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_string_false_is_refused_before_any_write(
    name: str, fresh_sandbox: Sandbox, tmp_path: Path, calls
) -> None:
    make_role(fresh_sandbox)
    calls.clear()
    with pytest.raises(InvalidInput, match="='false' is not True or False"):
        CALLS[name](fresh_sandbox, tmp_path, "false")
    assert not [c for c in calls.writes if c not in ("SimulatePrincipalPolicy",)], calls.writes
    assert not (tmp_path / "config").exists()
