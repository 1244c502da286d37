"""The policy picker names policies by the core's ARN parser, not by splitting text (issue 18)."""

from __future__ import annotations

import pytest
from helpers import ROLE

from xacct_widgets.widgets import CreateRoleWizard
from xacct_widgets.widgets.policy_picker import policy_label

CUSTOMER = "arn:aws:iam::123456781234:policy/team/ops/deploy"


@pytest.mark.parametrize(
    ("arn", "label"),
    [
        ("arn:aws:iam::aws:policy/ReadOnlyAccess", ("ReadOnlyAccess", "AWS")),
        ("arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess", ("ViewOnlyAccess", "AWS")),
        ("arn:aws-cn:iam::aws:policy/ReadOnlyAccess", ("ReadOnlyAccess", "AWS")),
        (CUSTOMER, ("deploy", "customer")),
        ("arn:aws-cn:iam::123456781234:policy/x", ("x", "customer")),
        ("not an arn", ("not an arn", "customer")),
    ],
)
def test_policy_label(arn, label):
    assert policy_label(arn) == label


def test_chosen_policy_with_a_path_is_named_by_its_last_segment(fresh_sandbox):
    wizard = CreateRoleWizard(fresh_sandbox.session("target", "admin"))
    wizard.next_button.click()  # A1 -> A2
    wizard.name.value = ROLE
    wizard.next_button.click()
    wizard.next_button.click()
    wizard.trusted_account.value = "987654329876"
    wizard.next_button.click()  # A4 -> A5
    assert wizard.step_key == "A5", wizard.error_text
    wizard.picker.set_chosen([CUSTOMER])
    assert list(wizard.frame["name"]) == ["deploy"]
    assert wizard.picker.checkboxes[CUSTOMER].description == "deploy (customer)"
