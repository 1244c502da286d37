"""Validation errors carry the field they are about (issue 18): a form reads ``field`` and
``detail``, never the message's text."""

from __future__ import annotations

import pytest

from xacct_widgets.core import ids
from xacct_widgets.core.target import RoleSpec
from xacct_widgets.core.target.spec import inline_policy, tags_from_text
from xacct_widgets.errors import InvalidInput, InvalidRoleSpec

GOOD = {"name": "cross-account", "trusted_account": "987654329876"}
BAD_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "bad name!"}, "name"),
        ({"trusted_account": "12"}, "trusted_account"),
        ({"max_session_duration": 50_000}, "max_session_duration"),
        ({"description": "emoji 🙂"}, "description"),
        ({"path": "no-slashes"}, "path"),
        ({"external_id": "x"}, "external_id"),
        ({"tags": {"aws:reserved": "x"}}, "tags"),
        ({"managed_policy_arns": ["not-an-arn"]}, "managed_policy_arns"),
        ({"inline_policies": {"p": BAD_DOC}}, "inline_policies"),
        ({"permissions_boundary": "arn:aws:iam::aws:role/x"}, "permissions_boundary"),
        (
            {"trusted_principals": ["arn:aws:iam::111122223333:user/elsewhere"]},
            "trusted_principals",
        ),
        ({"require_mfa": "yes"}, "require_mfa"),
    ],
)
def test_role_spec_errors_name_their_field(changes, field):
    with pytest.raises(InvalidRoleSpec) as info:
        RoleSpec(**{**GOOD, **changes})
    err = info.value
    assert err.field == field
    # The message still names it for a script's reader; the detail is the same without it.
    assert err.message.startswith(f"RoleSpec.{field}")
    assert "RoleSpec." not in err.detail and err.detail != err.message


def test_field_helpers_name_their_field():
    with pytest.raises(InvalidRoleSpec) as tags:
        tags_from_text("aws:reserved=x")
    assert (tags.value.field, tags.value.detail.split()[0]) == ("tags", "Tags")
    with pytest.raises(InvalidRoleSpec) as inline:
        inline_policy("p", BAD_DOC)
    assert inline.value.field == "inline_policies" and "RoleSpec" not in inline.value.detail


def test_a_bare_value_check_names_no_field():
    """``ids`` checks a value, not a field: the caller (RoleSpec, a form) names the field."""
    with pytest.raises(InvalidInput) as info:
        ids.account_id("12")
    assert info.value.field is None and info.value.detail == info.value.message
