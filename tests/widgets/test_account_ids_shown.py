"""Account IDs read by an operator are hyphenated, as the console writes them (issue 20, item 7:
the same account appeared as 123456781234 and 1234-5678-1234 on one screen)."""

from __future__ import annotations

from helpers import ROLE, TARGET

from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.widgets import RoleSwitcherBar


def test_the_bars_history_list_hyphenates_account_ids(sandbox):
    switcher = RoleSwitcher(sandbox.session("source", "operator"), history=":memory:")
    switcher.history.record(TARGET, ROLE, "prod", "Green")
    bar = RoleSwitcherBar(switcher)
    labels = [label for label, _key in bar.history_select.options]
    assert labels == [f"prod — {ROLE} @ 1234-5678-1234"], labels
    assert TARGET not in " ".join(labels)
    bar.select(TARGET, ROLE)  # chosen by the plain ID still
    assert bar.history_select.entry is not None


def test_the_badge_and_the_switch_status_hyphenate_account_ids(fresh_sandbox):
    from helpers import make_role

    from xacct_widgets.widgets import SwitchRoleWizard

    make_role(fresh_sandbox)
    wizard = SwitchRoleWizard(fresh_sandbox.session("source", "operator"), history=":memory:")
    assert "in account 9876-5432-9876." in wizard.status.value, wizard.status.value
    wizard.next_button.click()
    wizard.url.value = (
        f"https://signin.aws.amazon.com/switchrole?roleName={ROLE}&account={TARGET}"
        "&displayName=prod"
    )
    wizard.next_button.click()
    wizard.switch_button.click()
    assert wizard.step_key == "B6-B7", wizard.error_text
    assert f"you now act as {ROLE} in 1234-5678-1234." in wizard.status.value
    bar = RoleSwitcherBar(wizard.switcher)
    assert "account 1234-5678-1234" in bar.badge.value  # the ARN in its title keeps the plain ID
    assert f"account {TARGET}" not in bar.badge.value
