"""The create wizard flags the field a core error names (its ``field``), not one found by
reading the message's text (issue 18)."""

from __future__ import annotations

import pytest
from helpers import ROLE

from xacct_widgets.errors import InvalidRoleSpec
from xacct_widgets.widgets import CreateRoleWizard


@pytest.fixture
def wizard(fresh_sandbox):
    return CreateRoleWizard(fresh_sandbox.session("target", "admin"))


def walk_to_permissions(wizard):
    wizard.next_button.click()  # A1 -> A2
    wizard.name.value = ROLE
    wizard.next_button.click()  # A2 -> A3
    wizard.next_button.click()  # A3 -> A4
    wizard.trusted_account.value = "987654329876"
    wizard.next_button.click()  # A4 -> A5
    assert wizard.step_key == "A5", wizard.error_text


def flagged(wizard):
    return {name for name, f in wizard.fields.items() if f.has_error}


def test_a_bad_session_length_is_flagged_on_its_field(wizard):
    """The session length has no check of its own (a dropdown); a value set from code that IAM
    refuses is caught when the spec is built, and shown under the session-length field."""
    walk_to_permissions(wizard)
    wizard.max_session.options = [*wizard.max_session.options, ("50000 s", 50_000)]
    wizard.max_session.value = 50_000
    wizard.next_button.click()  # A5 -> A6 plans: refused
    assert wizard.step_key == "A5"
    assert flagged(wizard) == {"max_session"}
    shown = wizard.field_error("max_session")
    assert "43200" in shown and "RoleSpec" not in shown
    wizard.max_session.value = 3600  # fixed: the flag goes, and the plan is made
    assert flagged(wizard) == set()
    wizard.next_button.click()
    assert wizard.step_key == "A6", wizard.error_text


@pytest.mark.parametrize(
    ("control", "value", "field"),
    [
        ("name", "bad name!", "name"),
        ("trusted_account", "12", "trusted_account"),
        ("tags", "aws:reserved=x", "tags"),
        ("role_description", "emoji 🙂", "role_description"),
    ],
)
def test_build_spec_flags_the_field_the_error_names(wizard, control, value, field):
    walk_to_permissions(wizard)
    getattr(wizard, control).value = value
    for f in wizard.fields.values():  # forget the typed check: only build_spec may flag now
        f.set_error(None)
    with pytest.raises(InvalidRoleSpec) as info:
        wizard.build_spec()
    assert flagged(wizard) == {field}
    assert wizard.field_error(field).startswith(info.value.detail)
    assert "RoleSpec." not in wizard.field_error(field)


def test_reading_spec_flags_nothing(wizard):
    wizard.name.value = "bad name!"
    wizard.fields["name"].set_error(None)
    assert wizard.spec is None and flagged(wizard) == set()
