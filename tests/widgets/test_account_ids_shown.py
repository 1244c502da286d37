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
