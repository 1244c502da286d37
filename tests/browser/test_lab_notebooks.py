"""The tutorial notebooks in real JupyterLab, driven by clicks and typing in headless Chromium.

Each test opens a copy of the notebook, runs all cells from the Run menu, then walks the wizard
step by step as an operator would: one invalid input first (its inline error must show and Next
must stay off), then valid input, asserting on what the page renders and, afterwards, on the
sandbox itself. The final step of each wizard is saved to ``test-artifacts/`` as a PNG.
"""

from __future__ import annotations

import re

import pytest

from xacct_widgets.core.switch import RoleHistory

pytestmark = pytest.mark.browser

SOURCE = "987654329876"
TARGET = "123456781234"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
GREEN = "B7CA9D"


def test_create_role_wizard_in_notebook_01(notebook_ui, wizard_ui, sandbox):
    nb = notebook_ui.open("01_create_role_in_target.ipynb").run_all()
    nb.assert_clean()
    page = nb.page
    ui = wizard_ui(page, "xacct-create-wizard")
    ui.at("A1")

    # A1: the existing roles; Refresh reads them again (the code cells made `cross-account`).
    ui.click("xacct-refresh-roles")
    names = [row[0] for row in ui.rows("xacct-roles-table")]
    assert "cross-account" in names
    ui.next("A2")

    # A2: an invalid name first: inline error, Next stays off.
    ui.type("xacct-role-name", "cross account!")
    error = ui.part("xacct-role-name-error")
    ui.expect(error).to_be_visible()
    ui.expect(error).to_contain_text("Role name 'cross account!' is invalid")
    ui.expect(ui.part("xacct-next")).to_be_disabled()
    # The existing role's name is accepted, with a note that only differences would apply.
    ui.type("xacct-role-name", "cross-account")
    ui.expect(error).to_be_hidden()
    ui.expect(ui.part("xacct-name-note")).to_contain_text("already exists")
    ui.type("xacct-role-name", "cross-account-ui")
    ui.expect(ui.part("xacct-name-note")).to_have_text("")
    ui.next("A3")

    # A3: role type and options: a 2-hour session, no ExternalId, no MFA.
    ui.control("xacct-max-session", "select").select_option(label="2 hours")
    ui.expect(ui.control("xacct-max-session", "select")).to_have_value(re.compile(r".+"))
    ui.next("A4")

    # A4: the trusted account, with hyphens; the trust policy preview follows the typing.
    ui.type("xacct-trusted-account", "9876-5432-9876")
    ui.expect(ui.part("xacct-trust-preview")).to_contain_text(f"arn:aws:iam::{SOURCE}:root")
    ui.next("A5")

    # A5: search the managed policies and tick ReadOnlyAccess (checkboxes, as in the console;
    # ipywidgets writes labels with non-breaking spaces, hence \s).
    ui.type("xacct-policy-search", "ReadOnly")
    box = ui.root.locator(
        ".xacct-policy-check", has_text=re.compile(r"(?<![A-Za-z0-9])ReadOnlyAccess\s\(AWS\)")
    ).locator("input[type=checkbox]")
    box.check()
    ui.expect(box).to_be_checked()
    assert ["managed", "ReadOnlyAccess", READ_ONLY] in ui.rows("xacct-permissions-table")
    ui.next("A6", label="Review")

    # A6: the plan (nothing written yet) and the trust policy.
    plan = ui.rows("xacct-plan-table")
    actions = [(row[1], row[2]) for row in plan]
    assert ("create role", "cross-account-ui") in actions, plan
    assert ("attach policy", READ_ONLY) in actions, plan
    ui.expect(ui.part("xacct-trust-policy")).to_contain_text(f"arn:aws:iam::{SOURCE}:root")
    ui.expect(ui.part("xacct-plan-note")).to_contain_text("2 change(s)")
    iam = sandbox.session("target", "admin").client("iam")
    assert "cross-account-ui" not in {r["RoleName"] for r in iam.list_roles()["Roles"]}
    ui.click("xacct-apply", to="A7")

    # A7: the role read back, its trust relationships and the switch-role URL.
    ui.expect(ui.part("xacct-result-summary")).to_contain_text(
        f"arn:aws:iam::{TARGET}:role/cross-account-ui"
    )
    trust = ui.rows("xacct-trust-table")
    assert trust and trust[0][:2] == ["AWS account", SOURCE], trust
    attached = ui.rows("xacct-attached-policies-table")
    assert [row[1] for row in attached] == [READ_ONLY], attached
    ui.type("xacct-display-name", "prod-ui")
    ui.control("xacct-color", "select").select_option(label=f"Green ({GREEN})")
    url = ui.control("xacct-switch-url", "textarea")
    ui.expect(url).to_have_value(
        "https://signin.aws.amazon.com/switchrole?roleName=cross-account-ui"
        f"&account={TARGET}&displayName=prod-ui&color={GREEN}"
    )
    ui.no_error()
    nb.assert_clean()
    shot = ui.screenshot("01-create-role-wizard-A7.png")
    assert shot.stat().st_size > 10_000

    # The sandbox has the role as the wizard showed it.
    role = iam.get_role(RoleName="cross-account-ui")["Role"]
    assert role["MaxSessionDuration"] == 7200
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{SOURCE}:root"}
    policies = iam.list_attached_role_policies(RoleName="cross-account-ui")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in policies] == [READ_ONLY]
    assert not page.page_errors, page.page_errors


def test_switch_role_wizard_in_notebook_02(notebook_ui, wizard_ui, lab):
    nb = notebook_ui.open("02_switch_role_from_source.ipynb").run_all()
    nb.assert_clean()
    page = nb.page
    ui = wizard_ui(page, "xacct-switch-wizard")
    ui.at("B1")

    # B1: who am I: the IAM user operator of the source account. The wizard follows what the
    # notebook's cells did (issue 20, item 5): Run All left "prod" active; Back on the bar
    # below returns to the operator, and the wizard says so too.
    identity = ui.table("xacct-identity-table")
    ui.expect(identity).to_contain_text(f"arn:aws:iam::{SOURCE}:user/operator")
    badge = ui.root.locator(".xacct-active-badge .xacct-badge-box")
    ui.expect(badge).to_contain_text("Currently active: prod")
    page.locator(".xacct-switcher-bar button.xacct-bar-back").first.click()
    ui.expect(badge).to_contain_text("no role active")
    ui.next("B2-B4")

    # B2-B4: an invalid account ID first: inline error, Check stays off.
    ui.type("xacct-account", "1234-5678")
    error = ui.part("xacct-account-error")
    ui.expect(error).to_be_visible()
    ui.expect(error).to_contain_text("Account ID '1234-5678' is invalid")
    ui.expect(ui.part("xacct-next")).to_be_disabled()
    # Paste the switch-role URL from part A: it fills the form and clears the error.
    url = (
        f"https://signin.aws.amazon.com/switchrole?roleName=cross-account&account={TARGET}"
        f"&displayName=prod-ui&color={GREEN}"
    )
    ui.control("xacct-url-input").fill(url)
    ui.expect(ui.control("xacct-account")).to_have_value(TARGET)
    ui.expect(ui.control("xacct-role")).to_have_value("cross-account")
    ui.expect(ui.control("xacct-display-name")).to_have_value("prod-ui")
    ui.expect(ui.control("xacct-color", "select")).to_have_value(re.compile(r".+"))
    ui.expect(error).to_be_hidden()
    ui.next("B5", label="Check")

    # B5: preflight checks in plain words (check | ✔/✘/? | what it means | what to do | who
    # answered); not root and allowed by the identity policies; nothing refused.
    checks_table = ui.root.locator(".xacct-preflight-table table.xacct-preflight-checks")
    ui.expect(checks_table).to_be_visible()
    checks = [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in checks_table.locator("tbody tr").all()
    ]
    marks = [row[1] for row in checks]
    assert marks[:2] == ["✔", "✔"], checks
    assert "✘" not in marks and all(all(cell for cell in row) for row in checks), checks
    ui.expect(ui.part("xacct-preflight-verdict")).to_contain_text("No problem found")
    ui.click("xacct-switch", to="B6-B7")

    # B6-B7: the "currently active" badge in the chosen colour, and the active role table.
    ui.expect(badge).to_contain_text("Currently active")
    ui.expect(badge).to_contain_text("prod-ui")
    ui.expect(badge).to_have_attribute("data-color", GREEN)
    ui.expect(badge).to_have_css("background-color", "rgb(183, 202, 157)")
    active = ui.table("xacct-active-table")
    ui.expect(active).to_contain_text(f"arn:aws:iam::{TARGET}:role/cross-account")
    # The switcher bar in the next cell shares the switcher: it shows the role too.
    bar = page.locator(".xacct-switcher-bar .xacct-badge-box")
    ui.expect(bar).to_have_attribute("data-color", GREEN)
    ui.expect(ui.part("xacct-back-to-user")).to_contain_text("Back to operator")
    ui.next("history", label="History")

    # History: most recent first; bookmark the role.
    history = ui.rows("xacct-history-table")
    header = ui.table("xacct-history-table").locator("thead th").all_inner_texts()
    first = dict(zip(header, history[0], strict=False))
    assert first["account_id"] == TARGET and first["role_name"] == "cross-account", history
    assert first["display_name"] == "prod-ui", history
    ui.click("xacct-bookmark")
    ui.expect(ui.table("xacct-bookmarks-table")).to_contain_text("cross-account")
    ui.expect(ui.part("xacct-bookmark")).to_contain_text("Remove bookmark")
    ui.no_error()
    nb.assert_clean()
    shot = ui.screenshot("02-switch-role-wizard-history.png")
    assert shot.stat().st_size > 10_000

    # The history on disk (the kernel's XACCT_HISTORY) has the switch and the bookmark.
    entries = {(e.account_id, e.role_name): e for e in RoleHistory(lab.history).entries()}
    entry = entries[(TARGET, "cross-account")]
    assert entry.display_name == "prod-ui" and entry.color == GREEN and entry.bookmarked
    assert not page.page_errors, page.page_errors


def test_harness_sees_tracebacks(notebook_ui, lab):
    """The "no error output" check is not vacuous: a failing cell is found and reported."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.cells = [
        nbformat.v4.new_code_cell("print('fine')"),
        nbformat.v4.new_code_cell("raise ValueError('boom in the harness self-test')"),
        nbformat.v4.new_code_cell("print('never runs')"),
    ]
    nbformat.write(notebook, lab.root / "harness_self_test.ipynb")
    nb = notebook_ui.open("harness_self_test.ipynb").run_all()
    with pytest.raises(AssertionError, match="boom in the harness self-test"):
        nb.assert_clean()
