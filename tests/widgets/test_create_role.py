"""Part A as a widget: CreateRoleWizard driven from Python against the sandbox, every error path."""

from __future__ import annotations

import html
import json
import logging

import boto3
import pytest
from helpers import READ_ONLY, ROLE, SECURITY_AUDIT, SOURCE, assert_no_secrets, css_classes

from xacct_widgets.core import ids
from xacct_widgets.core.target import RoleSpec, TargetAccount
from xacct_widgets.core.target.spec import description, inline_policy
from xacct_widgets.errors import PolicyNotFound, XacctError
from xacct_widgets.widgets import CreateRoleWizard, policy_picker

MISSING = "arn:aws:iam::aws:policy/NoSuchPolicyAnywhere"
INLINE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
}
URL = "https://signin.aws.amazon.com/switchrole?roleName=cross-account&account=123456781234"


@pytest.fixture
def admin(fresh_sandbox):
    return fresh_sandbox.session("target", "admin")


@pytest.fixture
def iam(admin):
    return admin.client("iam")


@pytest.fixture
def wizard(admin):
    return CreateRoleWizard(admin)


def role_names(iam):
    return {r["RoleName"] for r in iam.list_roles()["Roles"]}


def walk_to_permissions(wizard, *, name=ROLE, account="9876-5432-9876"):
    wizard.next_button.click()  # A1 -> A2
    wizard.name.value = name
    wizard.next_button.click()  # A2 -> A3
    wizard.next_button.click()  # A3 -> A4
    wizard.trusted_account.value = account
    wizard.next_button.click()  # A4 -> A5
    assert wizard.step_key == "A5", wizard.error_text


# -- the happy path -------------------------------------------------------------------------------
def test_happy_path_a1_to_a7(wizard, iam, admin):
    # A1: the existing roles, and no cross-account role yet.
    assert wizard.step_key == "A1" and wizard.step == 0
    assert repr(wizard) == ("CreateRoleWizard(step 1 of 7: Existing roles — account 123456781234)")
    assert "Step 1 of 7 — Existing roles" in wizard.indicator.value
    assert ROLE not in set(wizard.frame["name"])
    assert wizard.error_text == "" and "1234-5678-1234" in wizard.status.value  # hyphenated
    assert wizard.spec is None
    wizard.next_button.click()

    # A2: the name, validated as typed.
    assert wizard.step_key == "A2" and wizard.next_button.disabled
    wizard.name.value = ROLE
    assert wizard.field_error("name") == "" and not wizard.next_button.disabled
    wizard.role_description.value = "Support engineers from the source account"
    wizard.next_button.click()

    # A3: role type and options.
    assert wizard.step_key == "A3"
    assert "Another AWS account" in wizard.body.children[0].children[0].value
    wizard.max_session.value = 7200
    wizard.next_button.click()

    # A4: the trusted account, hyphens accepted; trust policy previewed before any call.
    assert wizard.step_key == "A4" and wizard.next_button.disabled
    wizard.trusted_account.value = "9876-5432-9876"
    assert f"arn:aws:iam::{SOURCE}:root" in wizard.trust_preview.value
    assert wizard.frame.set_index("setting").loc["trusted account", "value"] == "9876-5432-9876"
    wizard.next_button.click()

    # A5: managed policies by search, plus an inline policy.
    assert wizard.step_key == "A5", wizard.error_text
    assert wizard.next_button.description == "Review →"
    wizard.policy_search.value = "readonly"
    offered = wizard.picker.shown
    assert READ_ONLY in offered and SECURITY_AUDIT not in offered
    wizard.picker.checkboxes[READ_ONLY].value = True  # a click on its checkbox
    wizard.policy_search.value = "SecurityAudit"
    assert wizard.chosen_policies == (READ_ONLY,)  # the choice survives a new search
    assert wizard.picker.shown[:2] == (READ_ONLY, SECURITY_AUDIT)  # ticked ones first
    wizard.picker.checkboxes[SECURITY_AUDIT].value = True  # a plain click adds
    assert wizard.chosen_policies == (READ_ONLY, SECURITY_AUDIT)
    assert wizard.picker.checkboxes[READ_ONLY].value
    wizard.inline_name.value = "list-buckets"
    wizard.inline_document.value = json.dumps(INLINE, indent=2)
    assert not wizard.add_inline.disabled
    wizard.add_inline.click()
    assert wizard.inline_list.options == ("list-buckets",)
    assert wizard.inline_document.value == ""  # ready for another one
    assert list(wizard.frame["name"]) == ["ReadOnlyAccess", "SecurityAudit", "list-buckets"]
    spec = wizard.spec
    assert spec.trusted_account == SOURCE and spec.max_session_duration == 7200
    assert set(spec.managed_policy_arns) == {READ_ONLY, SECURITY_AUDIT}
    wizard.next_button.click()

    # A6: the review, before anything is written.
    assert wizard.step_key == "A6", wizard.error_text
    assert ROLE not in role_names(iam)
    assert wizard.plan is not None and not wizard.plan.is_noop
    actions = list(wizard.frame["action"])
    assert actions == ["create role", "attach policy", "attach policy", "put inline policy"]
    assert "xacct-table" in wizard.plan_table.value
    assert f"arn:aws:iam::{SOURCE}:root" in wizard.trust_policy.value
    assert "2 hours" in wizard.review_summary.value
    assert wizard.next_button.layout.display == "none" and not wizard.apply_button.disabled
    wizard.apply_button.click()

    # A7: the role read back.
    assert wizard.step_key == "A7", wizard.error_text
    assert wizard.record.name == ROLE
    trust = wizard.frame
    assert list(trust["principal"]) == [SOURCE]
    assert SOURCE in wizard.trust_table.value
    assert wizard.switch_url.value == URL
    assert "xacct-switch-url" in wizard.switch_url._dom_classes
    wizard.display_name.value = "prod"
    wizard.color.value = "B7CA9D"
    assert wizard.switch_url.value == URL + "&displayName=prod&color=B7CA9D"
    # Issue 20, item 4: in sandbox mode the link opens the sandbox's own switch-role page.
    sandbox_page = admin.client("sts").meta.endpoint_url.rstrip("/") + "/switchrole?"
    query = URL.split("?")[1] + "&displayName=prod&color=B7CA9D"
    assert f'href="{html.escape(sandbox_page + query)}"' in wizard.switch_link.value
    assert "signin.aws.amazon.com" not in wizard.switch_link.value
    assert 'target="_blank" rel="noopener noreferrer"' in wizard.switch_link.value
    wizard.switch_url.value = "typed over"  # read-only in effect: the URL comes back
    assert wizard.switch_url.value == URL + "&displayName=prod&color=B7CA9D"
    assert set(wizard.attached["arn"]) == {READ_ONLY, SECURITY_AUDIT}
    assert "ReadOnlyAccess" in wizard.attached_table.value
    assert list(wizard.inline["policy_name"]) == ["list-buckets"]
    assert repr(wizard).endswith("role 'cross-account', applied)")

    # The sandbox has exactly that role.
    role = iam.get_role(RoleName=ROLE)["Role"]
    assert role["MaxSessionDuration"] == 7200
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"]["AWS"] == f"arn:aws:iam::{SOURCE}:root"
    attached = iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    assert {p["PolicyArn"] for p in attached} == {READ_ONLY, SECURITY_AUDIT}
    assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == ["list-buckets"]
    assert_no_secrets(wizard)


def test_trust_options_external_id_and_mfa(wizard, iam):
    wizard.next_button.click()
    wizard.name.value = ROLE
    wizard.next_button.click()
    wizard.external_id.value = "x"
    assert "External ID 'x' is invalid" in wizard.field_error("external_id")
    assert wizard.next_button.disabled
    wizard.external_id.value = "tenant-42"
    wizard.require_mfa.value = True
    wizard.next_button.click()
    wizard.trusted_account.value = SOURCE
    assert "sts:ExternalId" in wizard.trust_preview.value
    assert "aws:MultiFactorAuthPresent" in wizard.trust_preview.value
    wizard.next_button.click()
    assert "No permissions chosen" in wizard.permissions_warning.value
    wizard.next_button.click()  # no permissions: allowed, but it must be confirmed
    assert wizard.step_key == "A6", wizard.error_text
    assert wizard.apply_button.disabled and "no permissions" in wizard.review.empty_note.value
    wizard.confirm_empty.value = True
    assert not wizard.apply_button.disabled
    wizard.apply_button.click()
    conditions = wizard.frame.loc[0, "conditions"]
    assert "tenant-42" in conditions and "MultiFactorAuthPresent" in conditions
    condition = iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert condition["Condition"]["StringEquals"]["sts:ExternalId"] == "tenant-42"


# -- error paths ----------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["cross account", "x" * 65, "cross/account", "rôle"])
def test_invalid_name_inline_error_and_next_disabled(wizard, bad):
    wizard.next_button.click()
    wizard.name.value = bad
    assert "is invalid" in wizard.field_error("name")
    assert "xacct-role-name-error" in wizard.fields["name"].error._dom_classes
    assert wizard.next_button.disabled
    assert wizard.go_next() is False and wizard.step_key == "A2"
    assert wizard.spec is None
    wizard.name.value = ROLE
    assert wizard.field_error("name") == "" and not wizard.next_button.disabled


def test_existing_name_is_flagged_not_refused(fresh_sandbox, admin):
    TargetAccount(admin).apply(RoleSpec(name=ROLE, trusted_account=SOURCE))
    wizard = CreateRoleWizard(admin)
    assert ROLE in set(wizard.frame["name"])
    wizard.next_button.click()
    wizard.name.value = ROLE
    assert "already exists" in wizard.name_note.value and not wizard.next_button.disabled


@pytest.mark.parametrize("bad", ["1234", "9876-5432-987", "98765432987X", "my-alias"])
def test_bad_account(wizard, bad):
    wizard.next_button.click()
    wizard.name.value = ROLE
    wizard.next_button.click()
    wizard.next_button.click()
    wizard.trusted_account.value = bad
    assert f"Account ID {bad!r} is invalid" in wizard.field_error("trusted_account")
    assert wizard.next_button.disabled
    assert "appears here once the account ID is valid" in wizard.trust_preview.value
    wizard.trusted_account.value = "987654329876"
    assert not wizard.next_button.disabled


def test_missing_policy_arn_shown_in_step_and_nothing_written(wizard, iam):
    walk_to_permissions(wizard)
    wizard.policy_arn.value = "not-an-arn"
    assert "Policy ARN 'not-an-arn' is invalid" in wizard.field_error("policy_arn")
    assert wizard.add_arn.disabled
    wizard.policy_arn.value = MISSING
    assert not wizard.add_arn.disabled
    wizard.add_arn.click()
    assert wizard.chosen_policies == (MISSING,)
    wizard.next_button.click()  # Review: the plan finds the missing policy
    assert wizard.step_key == "A5"
    text = wizard.error_text
    assert "policy not found" in text and MISSING in text and "Fix:" in text
    assert "Nothing was changed" in text and "Traceback" not in wizard.error.value
    assert wizard.plan is None
    assert ROLE not in role_names(iam)
    # Deselect it and carry on.
    wizard.picker.checkboxes[MISSING].value = False
    wizard.next_button.click()
    assert wizard.step_key == "A6", wizard.error_text


def test_missing_policy_from_a_forced_spec(admin, iam):
    spec = RoleSpec(name=ROLE, trusted_account=SOURCE, managed_policy_arns=[READ_ONLY, MISSING])
    wizard = CreateRoleWizard(admin, spec=spec)
    assert wizard.spec == spec
    assert wizard.name.value == ROLE and wizard.trusted_account.value == SOURCE
    assert set(wizard.chosen_policies) == {READ_ONLY, MISSING}
    wizard.go(4)
    wizard.next_button.click()
    assert wizard.step_key == "A5" and MISSING in wizard.error_text
    assert ROLE not in role_names(iam)


def test_policy_deleted_between_review_and_apply_rolls_back(admin, iam):
    arn = iam.create_policy(PolicyName="support-extra", PolicyDocument=json.dumps(INLINE))[
        "Policy"
    ]["Arn"]
    spec = RoleSpec(name=ROLE, trusted_account=SOURCE, managed_policy_arns=[READ_ONLY, arn])
    wizard = CreateRoleWizard(admin, spec=spec)
    wizard.go(4)
    wizard.next_button.click()
    assert wizard.step_key == "A6"
    iam.delete_policy(PolicyArn=arn)  # someone else deletes it while the review is open
    wizard.apply_button.click()
    assert wizard.step_key == "A6" and wizard.record is None
    assert "support-extra" in wizard.error_text and "Fix:" in wizard.error_text
    assert ROLE not in role_names(iam)  # all or nothing
    assert not wizard.apply_button.disabled  # busy state cleared


def test_apply_twice_is_a_noop(wizard, iam):
    walk_to_permissions(wizard)
    wizard.picker.checkboxes[READ_ONLY].value = True
    wizard.next_button.click()
    wizard.apply_button.click()
    assert wizard.step_key == "A7" and wizard.step_title == "Role created"
    created = iam.get_role(RoleName=ROLE)["Role"]
    wizard.back_button.click()  # A7 -> A6 plans again against what is there now
    assert wizard.step_key == "A6"
    assert wizard.plan.is_noop and wizard.frame.empty
    assert "Nothing to change" in wizard.plan_note.value
    assert wizard.apply_button.description == "Apply (no changes)"
    wizard.apply_button.click()
    assert wizard.step_key == "A7" and wizard.error_text == ""
    assert wizard.step_title == "No change" and "already matched" in wizard.result_summary.value
    again = iam.get_role(RoleName=ROLE)["Role"]
    assert again["RoleId"] == created["RoleId"] and again["CreateDate"] == created["CreateDate"]
    attached = iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [READ_ONLY]


def test_rerun_on_existing_role_plans_only_the_difference(admin, iam):
    TargetAccount(admin).apply(
        RoleSpec(name=ROLE, trusted_account=SOURCE, managed_policy_arns=[READ_ONLY])
    )
    spec = RoleSpec(name=ROLE, trusted_account=SOURCE, managed_policy_arns=[SECURITY_AUDIT])
    wizard = CreateRoleWizard(admin, spec=spec)
    wizard.go(4)
    wizard.next_button.click()
    assert list(wizard.frame["action"]) == ["detach policy", "attach policy"]
    assert 'class="xacct-destructive"' in wizard.plan_table.value
    assert wizard.apply_button.disabled  # taking ReadOnlyAccess away must be confirmed
    assert "I understand this removes: detach policy ReadOnlyAccess" in (
        wizard.confirm_destructive.description
    )
    wizard.confirm_destructive.value = True
    wizard.apply_button.click()
    assert wizard.step_title == "Role updated", wizard.error_text
    attached = iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [SECURITY_AUDIT]


@pytest.mark.parametrize(
    ("name", "document", "field", "expected"),
    [
        ("bad name!", json.dumps(INLINE), "inline_name", "Inline policy name 'bad name!'"),
        ("ok", "{not json", "inline_document", "must be a JSON object"),
        ("ok", json.dumps({"Statement": []}), "inline_document", "Version"),
        (
            "ok",
            json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}),
            "inline_document",
            "Action or NotAction",
        ),
    ],
)
def test_inline_policy_validated_as_typed(wizard, name, document, field, expected):
    walk_to_permissions(wizard)
    wizard.inline_name.value = name
    wizard.inline_document.value = document
    assert expected in wizard.field_error(field)
    assert wizard.add_inline.disabled
    assert wizard.inline_list.options == ()


def test_inline_policy_add_replace_remove(wizard):
    walk_to_permissions(wizard)
    for _ in range(2):
        wizard.inline_name.value = "list-buckets"
        wizard.inline_document.value = json.dumps(INLINE)
        wizard.add_inline.click()
    assert wizard.inline_list.options == ("list-buckets",)
    assert "replaced" in wizard.status.value
    assert wizard.remove_inline.disabled  # nothing selected
    wizard.inline_list.value = "list-buckets"
    wizard.remove_inline.click()
    assert wizard.inline_list.options == () and wizard.inline_policies == {}


def test_policy_scope_lists_customer_policies(admin, iam, monkeypatch):
    iam.create_policy(PolicyName="support-extra", PolicyDocument=json.dumps(INLINE))
    wizard = CreateRoleWizard(admin)
    walk_to_permissions(wizard)
    wizard.policy_scope.value = "Local"
    labels = [wizard.picker.checkboxes[a].description for a in wizard.picker.shown]
    assert labels == ["support-extra (customer)"]
    assert "1 matching policy, all listed below" in wizard.policy_count.value
    assert "more matching" not in wizard.policy_count.value  # issue 20, item 7: not "hidden"
    monkeypatch.setattr(policy_picker, "MAX_POLICY_CHOICES", 3)
    wizard.policy_scope.value = "AWS"
    count = wizard.policy_count.value
    assert " matching policies; the first 3 are listed below (refine" in count, count
    assert len(wizard.picker.shown) == 3


def test_errors_in_a1_are_shown_not_raised(fresh_sandbox, monkeypatch):
    # Keys the sandbox never issued: AWS refuses every call; the step says so, with the fix.
    monkeypatch.setenv("AWS_ENDPOINT_URL", fresh_sandbox.endpoint_url)
    session = boto3.Session(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="not-a-real-secret",
        region_name="us-east-1",
    )
    wizard = CreateRoleWizard(session)
    assert wizard.step_key == "A1"
    text = wizard.error_text
    assert text and "Fix:" in text, text
    assert "AKIAIOSFODNN7EXAMPLE" not in wizard.error.value  # key IDs are masked
    assert "Traceback" not in wizard.error.value
    assert not wizard.refresh_roles_button.disabled


def test_unexpected_error_is_logged_and_short(wizard, monkeypatch, caplog):
    walk_to_permissions(wizard)

    def boom(_spec):
        raise KeyError("internal")

    monkeypatch.setattr(wizard.target, "plan", boom)
    with caplog.at_level(logging.ERROR, logger="xacct_widgets.widgets"):
        wizard.next_button.click()
    assert wizard.step_key == "A5"
    assert "Something unexpected went wrong while planning the changes: KeyError" in (
        wizard.error_text
    )
    assert any(r.exc_info for r in caplog.records if r.name == "xacct_widgets.widgets")


def test_buttons_disabled_while_applying(wizard, monkeypatch):
    walk_to_permissions(wizard)
    wizard.next_button.click()
    wizard.confirm_empty.value = True
    seen = {}
    real = wizard.target.apply

    def spy(spec, **kwargs):
        seen.update(apply=wizard.apply_button.disabled, back=wizard.back_button.disabled)
        seen["busy"] = "xacct-busy" in wizard._dom_classes
        return real(spec, **kwargs)

    monkeypatch.setattr(wizard.target, "apply", spy)
    wizard.apply_button.click()
    assert seen == {"apply": True, "back": True, "busy": True}
    assert "xacct-busy" not in wizard._dom_classes and not wizard.back_button.disabled


def test_every_step_has_help_and_a_title(wizard):
    assert [s.key for s in wizard.steps] == ["A1", "A2", "A3", "A4", "A5", "A6", "A7"]
    for step in wizard.steps:
        assert len(step.help) > 80 and step.title


def test_css_classes_for_browser_tests(wizard):
    classes = css_classes(wizard)
    for css in (
        "xacct-create-wizard",
        "xacct-roles-table",
        "xacct-role-name",
        "xacct-role-name-error",
        "xacct-external-id",
        "xacct-require-mfa",
        "xacct-max-session",
        "xacct-trusted-account",
        "xacct-trust-preview",
        "xacct-policy-search",
        "xacct-policies",
        "xacct-policy-arn",
        "xacct-add-arn",
        "xacct-inline-name",
        "xacct-inline-document",
        "xacct-add-inline",
        "xacct-plan-table",
        "xacct-trust-policy",
        "xacct-apply",
        "xacct-trust-table",
        "xacct-display-name",
        "xacct-color",
        "xacct-switch-url",
        "xacct-attached-policies-table",
    ):
        assert css in classes, css


# -- the widget's field checks are the core's rules ------------------------------------------------
def core_accepts(rule, *args):
    try:
        rule(*args)
    except XacctError:
        return False
    return True


@pytest.mark.parametrize(
    "text",
    [
        "Support engineers",
        "Support 😀",  # the widget used to accept this; CreateRole refuses it
        "café, naïve, Zürich",
        "line\nbreak\tand tab",
        "bell\x07",
        "x" * 1000,
        "x" * 1001,
        "中文",
    ],
)
def test_description_check_agrees_with_core(wizard, text):
    wizard.next_button.click()
    wizard.name.value = ROLE
    wizard.role_description.value = text
    accepted = core_accepts(description, text.strip())
    assert (wizard.field_error("role_description") == "") is accepted
    assert wizard.next_button.disabled is not accepted
    if not accepted:
        assert "printable Latin-1" in wizard.field_error("role_description")
        assert "RoleSpec." not in wizard.field_error("role_description")


@pytest.mark.parametrize(
    "name", ["list-buckets", "a" * 128, "a" * 129, "bad name!", "rôle", "with/slash", "+=,.@_-"]
)
def test_policy_name_check_agrees_with_core(wizard, name):
    walk_to_permissions(wizard)
    wizard.inline_name.value = name
    accepted = core_accepts(ids.policy_name, name)
    assert (wizard.field_error("inline_name") == "") is accepted
    if not accepted:
        assert f"Inline policy name {name!r} is invalid" in wizard.field_error("inline_name")


DOCUMENTS = [
    json.dumps(INLINE),
    "{not json",
    json.dumps({"Statement": []}),
    json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}),
    json.dumps({**INLINE, "Statement": [{**INLINE["Statement"][0], "Principal": "*"}]}),
    json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Sid": "x" * 11000}
            ],
        }
    ),
]


@pytest.mark.parametrize("name", ["list-buckets", "bad name!"])
@pytest.mark.parametrize("document", DOCUMENTS)
def test_inline_policy_check_agrees_with_core(wizard, name, document):
    walk_to_permissions(wizard)
    wizard.inline_name.value = name
    wizard.inline_document.value = document
    accepted = core_accepts(inline_policy, name, document)
    assert wizard.add_inline.disabled is not accepted
    shown = wizard.field_error("inline_name") or wizard.field_error("inline_document")
    assert (shown == "") is accepted
    if accepted:
        wizard.add_inline.click()
        assert wizard.inline_list.options == (name,) and wizard.spec is not None
    else:
        with pytest.raises(XacctError):  # Add runs the very same core check
            wizard.picker.add_typed_inline()


def test_plan_problems_error_is_the_cores(admin):
    spec = RoleSpec(name=ROLE, trusted_account=SOURCE, managed_policy_arns=[MISSING])
    wizard = CreateRoleWizard(admin, spec=spec)
    wizard.go(4)
    wizard.next_button.click()
    with pytest.raises(PolicyNotFound) as caught:
        TargetAccount(admin).plan(spec).raise_for_problems()
    assert wizard.error_text == f"{caught.value.message}\nFix: {caught.value.fix}"


# -- edit in place, destructive changes, the picker, copy buttons (issue 11) ----------------------
BOUNDARY = "arn:aws:iam::aws:policy/PowerUserAccess"


def existing_spec(**changes):
    fields = {
        "name": ROLE,
        "trusted_account": SOURCE,
        "managed_policy_arns": [READ_ONLY, SECURITY_AUDIT],
        "inline_policies": {"list-buckets": INLINE},
        "external_id": "tenant-42",
        "require_mfa": True,
        "max_session_duration": 14400,
        "path": "/ops/",
        "description": "support engineers",
        "tags": {"team": "support", "env": "prod"},
        "permissions_boundary": BOUNDARY,
    }
    return RoleSpec(**{**fields, **changes})


@pytest.fixture
def existing(admin):
    TargetAccount(admin).apply(existing_spec())
    return CreateRoleWizard(admin)


def test_typing_an_existing_name_loads_its_settings(existing):
    wizard = existing
    wizard.next_button.click()
    wizard.name.value = ROLE
    assert "settings are loaded" in wizard.name_note.value, wizard.error_text
    assert wizard.role_description.value == "support engineers"
    assert wizard.path.value == "/ops/" and wizard.tags.value == "team=support\nenv=prod"
    assert wizard.external_id.value == "tenant-42" and wizard.require_mfa.value
    assert wizard.max_session.value == 14400
    assert wizard.trusted_account.value == SOURCE
    assert set(wizard.chosen_policies) == {READ_ONLY, SECURITY_AUDIT}
    assert set(wizard.inline_policies) == {"list-buckets"}
    assert wizard.permissions_boundary.value == BOUNDARY
    assert wizard.loaded is not None and wizard.spec == wizard.loaded
    wizard.go(4)
    wizard.next_button.click()
    assert wizard.step_key == "A6" and wizard.plan.is_noop, wizard.plan
    assert not wizard.apply_button.disabled

    # Another name: the loaded settings go, the earlier (blank) ones come back.
    wizard.go(1)
    wizard.name.value = "brand-new"
    assert wizard.loaded is None and wizard.name_note.value == ""
    assert wizard.role_description.value == "" and wizard.chosen_policies == ()
    assert wizard.external_id.value == "" and wizard.max_session.value == 3600
    assert wizard.path.value == "/" and wizard.tags.value == ""


def test_destructive_change_is_red_and_needs_confirmation(existing, iam):
    wizard = existing
    wizard.next_button.click()
    wizard.name.value = ROLE
    wizard.go(2)
    wizard.max_session.value = 3600  # shorter: destructive
    wizard.go(4)
    wizard.picker.checkboxes[READ_ONLY].value = False  # detach: destructive
    wizard.next_button.click()
    assert wizard.step_key == "A6", wizard.error_text
    assert wizard.plan.destructive["action"].tolist() == [
        "update max session duration",
        "detach policy",
    ]
    assert wizard.plan_table.value.count('class="xacct-destructive"') == 2
    assert "2 take(s) something away" in wizard.plan_note.value
    assert wizard.apply_button.disabled
    assert wizard.confirm_destructive.layout.display is None
    wizard.confirm_destructive.value = True
    assert not wizard.apply_button.disabled
    wizard.apply_button.click()
    assert wizard.step_key == "A7" and wizard.step_title == "Role updated", wizard.error_text
    attached = iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [SECURITY_AUDIT]
    # Back at the review the confirmation starts unticked again.
    wizard.back_button.click()
    assert wizard.plan.is_noop and not wizard.confirm_destructive.value


def test_unconfirmed_destructive_apply_writes_nothing(existing, iam, calls):
    wizard = existing
    wizard.next_button.click()
    wizard.name.value = ROLE
    wizard.go(4)
    wizard.picker.check(READ_ONLY, False)
    wizard.next_button.click()
    calls.clear()
    assert wizard.do_apply() is False
    assert "confirmation" in wizard.error_text and calls.writes == []


def test_picker_filters_never_drop_the_chosen(wizard, iam):
    iam.create_policy(
        PolicyName="support-extra", PolicyDocument=json.dumps(INLINE), Description="S3 listing"
    )
    walk_to_permissions(wizard)
    assert "No permissions chosen" in wizard.permissions_warning.value
    wizard.picker.checkboxes[READ_ONLY].value = True
    assert wizard.permissions_warning.value == ""
    wizard.policy_search.value = "nothing-matches-this"
    assert wizard.picker.shown == (READ_ONLY,) and wizard.picker.checkboxes[READ_ONLY].value
    wizard.policy_search.value = ""
    wizard.policy_scope.value = "Local"
    assert wizard.picker.shown[0] == READ_ONLY  # an AWS policy, kept under "Customer managed"
    arn = wizard.picker.shown[1]
    row = wizard.picker._rows[arn]
    assert "S3 listing" in row.children[1].value  # the description, read by GetPolicy
    wizard.picker.checkboxes[arn].value = True
    assert wizard.chosen_policies == (READ_ONLY, arn)
    assert "2 ticked" in wizard.policy_count.value
    css = css_classes(wizard)
    assert {"xacct-policy-check", "xacct-policy-row", "xacct-no-permissions"} <= css


def test_tags_path_and_boundary_fields(wizard, iam):
    wizard.next_button.click()
    wizard.name.value = ROLE
    wizard.tags.value = "aws:owner=me"
    assert "aws:" in wizard.field_error("tags") and wizard.next_button.disabled
    wizard.tags.value = "team=ops\nenv = prod"
    wizard.path.value = "ops"
    assert "path" in wizard.field_error("path").lower() and wizard.next_button.disabled
    wizard.path.value = "/ops/"
    assert not wizard.next_button.disabled
    walk_rest = wizard.next_button.click  # A2 -> A3
    walk_rest()
    wizard.next_button.click()
    wizard.trusted_account.value = SOURCE
    wizard.next_button.click()
    wizard.permissions_boundary.value = "nope"
    assert "Policy ARN 'nope' is invalid" in wizard.field_error("permissions_boundary")
    wizard.permissions_boundary.value = BOUNDARY
    wizard.picker.check(READ_ONLY)
    wizard.next_button.click()
    assert wizard.step_key == "A6", wizard.error_text
    assert "permissions boundary PowerUserAccess" in wizard.plan.steps[0].detail
    summary = wizard.review_summary.value
    assert "team=ops, env=prod" in summary and "/ops/" in summary and BOUNDARY in summary
    preview = wizard.switch_url_preview.value
    assert "xacct-copy-button" in preview
    assert html.escape("roleName=ops/cross-account&account=123456781234") in preview
    wizard.apply_button.click()
    role = iam.get_role(RoleName=ROLE)["Role"]
    assert role["Path"] == "/ops/" and role["PermissionsBoundary"]["PermissionsBoundaryArn"] == (
        BOUNDARY
    )
    assert {t["Key"]: t["Value"] for t in role["Tags"]} == {"team": "ops", "env": "prod"}


def test_copy_buttons_and_readable_tables(wizard):
    assert "max session duration" in wizard.frame.columns or wizard.frame.empty
    walk_to_permissions(wizard)
    wizard.picker.check(READ_ONLY)
    wizard.next_button.click()
    wizard.apply_button.click()
    assert wizard.step_key == "A7" and wizard.step_title == "Role created"
    arn = f"arn:aws:iam::123456781234:role/{ROLE}"
    assert f'data-copy="{arn}"' in wizard.arn_copy.value
    assert f'data-copy="{html.escape(URL)}"' in wizard.switch_url_copy.value
    assert "navigator.clipboard.writeText" in html.unescape(wizard.switch_url_copy.value)
    wizard.display_name.value = "prod"
    assert html.escape(URL + "&displayName=prod") in wizard.switch_url_copy.value
    wizard.go(0)
    created = wizard.frame.set_index("name").loc[ROLE, "created"]
    assert len(created) == 19 and "." not in created  # to the second
    assert wizard.frame.set_index("name").loc[ROLE, "max session duration"].startswith("1 hour")
    assert "text-align: left !important" in wizard.children[0].value
