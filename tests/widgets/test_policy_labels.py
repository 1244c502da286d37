"""The policy picker names policies by the core's ARN parser, not by splitting text (issue 18)."""

from __future__ import annotations

import pytest
from helpers import ROLE

from xacct_widgets.widgets import CreateRoleWizard
from xacct_widgets.widgets.policy_picker import policy_label

CUSTOMER = "arn:aws:iam::123456781234:policy/team/ops/deploy"
DOCUMENT = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:List*", '
DOCUMENT += '"Resource": "*"}]}'


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


def test_a_policy_without_a_description_shows_nothing_under_it(fresh_sandbox):
    """Issue 20, item 7: no "no description" noise; a policy's description when it has one."""
    admin = fresh_sandbox.session("target", "admin")
    iam = admin.client("iam")
    bare = iam.create_policy(PolicyName="bare-policy", PolicyDocument=DOCUMENT)["Policy"]["Arn"]
    told = iam.create_policy(
        PolicyName="told-policy", PolicyDocument=DOCUMENT, Description="Lists the buckets"
    )["Policy"]["Arn"]
    wizard = CreateRoleWizard(admin)
    wizard.next_button.click()  # A1 -> A2
    wizard.name.value = ROLE
    wizard.next_button.click()
    wizard.next_button.click()
    wizard.trusted_account.value = "987654329876"
    wizard.next_button.click()  # A4 -> A5
    assert wizard.step_key == "A5", wizard.error_text
    wizard.picker.policy_scope.value = "Local"
    wizard.picker.policy_search.value = "-policy"
    notes = {
        row.children[0].description: row.children[1].value
        for row in wizard.picker.policies.children
    }
    assert set(notes) == {"bare-policy (customer)", "told-policy (customer)"}, notes
    assert "no description" not in " ".join(notes.values())
    assert "Lists the buckets" in notes["told-policy (customer)"]
    assert ">Lists" not in notes["bare-policy (customer)"]
    assert {bare, told} <= set(wizard.picker.shown)
