"""QueryPanel driven from Python against the embedded sandbox: real fan-out calls, no mocks.

The shared sandbox has a management account and 3 member accounts, each with
OrganizationAccountAccessRole, ``auditor``, ``vendor-readonly`` (trusting an outside vendor
only) and two buckets ``xacct-<id>-logs`` / ``xacct-<id>-data``; the management account has no
buckets. So an organization-wide ``list_buckets`` answers 6 rows from 4 accounts.
"""

from __future__ import annotations

import re

import ipywidgets as w
import pandas as pd
import pytest

from xacct_widgets.core.query import ERROR_COLUMNS, Organization, QueryResult
from xacct_widgets.core.switch import RoleHistory, RoleSwitcher
from xacct_widgets.errors import InvalidInput
from xacct_widgets.widgets import QueryPanel
from xacct_widgets.widgets import query_panel as qp

OAAR = "OrganizationAccountAccessRole"


@pytest.fixture
def mgmt(sandbox):
    return sandbox.session("management", "admin")


@pytest.fixture
def members(sandbox):
    ids = sandbox.member_account_ids
    assert len(ids) == 3
    return ids


def css_classes(widget):
    """Every CSS class used under ``widget``."""
    found, stack = set(), [widget]
    while stack:
        node = stack.pop()
        found |= set(node._dom_classes)
        stack += list(getattr(node, "children", ()))
    return found


def widget_strings(widget):
    """Every string a front end could show: all string traits of every widget under ``widget``."""
    out, stack = [], [widget]
    while stack:
        node = stack.pop()
        for name in node.keys:
            value = getattr(node, name, None)
            if isinstance(value, str):
                out.append(value)
            elif isinstance(value, list | tuple):
                out += [str(v) for v in value if not isinstance(v, w.Widget)]
        stack += list(getattr(node, "children", ()))
    return out


def no_query(*_a, **_k):
    raise AssertionError("query() must not be called when the form is invalid")


# -- organization targets ------------------------------------------------------------------------
def test_organization_list_buckets(mgmt, members):
    panel = QueryPanel(mgmt)
    assert panel.source.value == "organization"
    assert panel.service.value == "s3" and panel.operation.value == "list_buckets"
    assert panel.result is None and panel.frame.empty and panel.errors.empty
    assert list(panel.errors.columns) == list(ERROR_COLUMNS)
    panel.jmespath.value = "Buckets[]"

    result = panel.run()

    assert isinstance(result, QueryResult) and panel.result is result
    frame = panel.frame
    assert len(frame) == 6
    assert list(frame.columns[:2]) == ["account_id", "region"]
    assert sorted(frame["Name"]) == sorted(
        f"xacct-{a}-{p}" for a in members for p in ("logs", "data")
    )
    assert panel.errors.empty
    assert result.targets == 4  # the management account (no buckets) + 3 members
    assert panel.summary_text.startswith("6 rows from 4 accounts, 0 errors, ")
    assert re.search(r"\d+ AssumeRole calls?( \(cached\))?, \d+\.\d s$", panel.summary_text)
    assert 'class="dataframe xacct-table"' in panel.table.value
    assert all(f"xacct-{a}-logs" in panel.table.value for a in members)
    assert "No errors" in panel.errors_table.value
    assert panel.error_text == ""
    assert panel.progress.value == panel.progress.max == 4
    assert panel.progress.bar_style == "success"
    assert not panel.run_button.disabled and panel.stop_button.disabled


def test_repeated_query_makes_no_assume_role_calls(mgmt):
    panel = QueryPanel(mgmt)
    panel.run()
    again = panel.run()
    assert again is not None and again.assume_calls == 0
    assert "0 AssumeRole calls (cached)" in panel.summary_text


def test_run_button_runs_in_the_background_and_restores_the_buttons(mgmt):
    panel = QueryPanel(mgmt)
    panel.run_button.click()
    result = panel.wait(timeout=60)
    assert not panel.running
    assert result is not None and len(result.frame) == 6
    assert not panel.run_button.disabled and panel.stop_button.disabled
    assert not panel.source.disabled
    assert "xacct-busy" not in panel._dom_classes


def test_organization_filtered_by_ou(mgmt, members):
    panel = QueryPanel(mgmt)
    panel.ou.value = "prod"
    result = panel.run()
    prod = set(Organization(mgmt).accounts(ou="prod")["account_id"])
    assert result is not None and result.targets == len(prod) == 2
    assert set(panel.frame["account_id"]) == prod
    assert "in OU prod" in repr(panel)


def test_unknown_ou_shows_the_error_and_its_fix(mgmt):
    panel = QueryPanel(mgmt)
    panel.ou.value = "nosuch"
    assert panel.run() is None
    assert "OU 'nosuch' is not in this organization." in panel.error_text
    assert "Fix:" in panel.error_text and "dev, prod" in panel.error_text
    assert "Traceback" not in panel.error.value
    assert panel.error.layout.display is None
    assert repr(panel).endswith("failed, InvalidInput)")


# -- typed list ----------------------------------------------------------------------------------
def test_typed_list_with_one_bad_role_gives_rows_and_an_error_row(mgmt, members):
    panel = QueryPanel(mgmt)
    panel.source.value = "typed"
    assert panel.fields["accounts"].box.layout.display is None
    assert panel.fields["ou"].box.layout.display == "none"
    panel.accounts.value = "\n".join(
        [
            "# two good accounts, one role that does not exist",
            members[0],
            f"{members[1][:4]}-{members[1][4:8]}-{members[1][8:]}",  # hyphens are fine
            "",
            f"{members[2]},no-such-role",
        ]
    )
    assert "3 accounts typed." in panel.targets_note.value

    result = panel.run()

    assert result is not None and result.targets == 3
    assert len(panel.frame) == 4
    assert set(panel.frame["account_id"]) == {members[0], members[1]}
    errors = panel.errors
    assert len(errors) == 1
    row = errors.iloc[0]
    assert (row["account_id"], row["stage"], row["error_code"]) == (
        members[2],
        "assume",
        "AccessDenied",
    )
    assert "no-such-role" in row["message"]
    assert "Errors (1)" in panel.errors_heading.value
    assert "AccessDenied" in panel.errors_table.value
    assert panel.summary_text.startswith("4 rows from 3 accounts, 1 error, ")
    assert panel.progress.bar_style == "warning"
    assert (
        repr(panel)
        == "QueryPanel(s3.list_buckets over 3 typed accounts: 4 rows from 3 accounts, 1 error)"
    )


def test_typed_list_with_external_id_column(mgmt, members):
    panel = QueryPanel(mgmt)
    panel.source.value = "typed"
    panel.accounts.value = f"{members[0]},{OAAR},not-needed-but-valid"
    result = panel.run()
    assert result is not None and len(panel.frame) == 2


# -- validation before any call ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("params", "{not json", "Params are not valid JSON"),
        ("params", "[1, 2]", "Params must be a JSON object"),
        ("regions", "us-east-1, Frankfurt", "Region 'Frankfurt' is not a region name"),
        ("jmespath", "Buckets[?", "the expression is incomplete"),
        ("role_name", "bad role!", "Role name 'bad role!' is invalid"),
        ("service", "  ", "Give the service."),
        ("operation", "", "Give the operation."),
    ],
)
def test_invalid_fields_show_inline_errors_and_make_no_call(
    mgmt, monkeypatch, name, value, message
):
    monkeypatch.setattr(qp, "query", no_query)
    panel = QueryPanel(mgmt)
    getattr(panel, name).value = value
    assert panel.run() is None
    assert panel.start() is False
    assert message in panel.field_error(name)
    assert [n for n in panel.fields if panel.field_error(n)] == [name]
    assert "nothing was run" in panel.status.value
    assert panel.result is None and panel.progress.value == 0
    assert repr(panel).endswith("not run yet)")
    # Fixing the field clears its error.
    getattr(panel, name).value = {"params": "", "regions": "", "jmespath": ""}.get(
        name, {"role_name": OAAR, "service": "s3", "operation": "list_buckets"}.get(name)
    )
    panel.validate()
    assert panel.field_error(name) == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type at least one account ID"),
        ("# only a comment", "Type at least one account ID"),
        ("123456789012\nnot-an-account", "Line 2: Account ID 'not-an-account' is invalid"),
        ("123456789012,auditor,x", "Line 1: External ID 'x' is invalid"),
        ("123456789012,a,b,c", "Line 1 ('123456789012,a,b,c') has 4 fields"),
    ],
)
def test_typed_list_errors_are_inline(mgmt, monkeypatch, text, message):
    monkeypatch.setattr(qp, "query", no_query)
    panel = QueryPanel(mgmt)
    panel.source.value = "typed"
    panel.accounts.value = text
    assert panel.run() is None
    assert message in panel.field_error("accounts")


def test_unknown_service_and_write_operations_are_refused_by_the_core_with_a_fix(mgmt):
    panel = QueryPanel(mgmt)
    panel.service.value = "nosuch"
    assert panel.run() is None
    assert "Service 'nosuch' is unknown to botocore." in panel.error_text
    assert "Fix:" in panel.error_text
    panel.service.value = "iam"
    assert "list_roles" in panel.operation.options  # suggestions follow the service
    panel.operation.value = "delete_role"
    assert panel.run() is None
    assert "not a read-only operation" in panel.error_text
    panel.operation.value = "list_roles"
    assert panel.run() is not None
    assert panel.error_text == "" and panel.error.layout.display == "none"


def test_unexpected_errors_show_a_short_note_not_a_traceback(mgmt, monkeypatch, caplog):
    def broken(*_a, **_k):
        raise RuntimeError("internal detail")

    monkeypatch.setattr(qp, "query", broken)
    panel = QueryPanel(mgmt)
    assert panel.run() is None
    assert "Something unexpected went wrong" in panel.error_text
    assert "internal detail" not in panel.error.value and "Traceback" not in panel.error.value
    assert "RuntimeError" in caplog.text  # the details go to the log
    assert panel.progress.bar_style == "danger"
    assert not panel.run_button.disabled


# -- role history --------------------------------------------------------------------------------
def test_history_source_queries_the_switchers_roles(mgmt, members):
    switcher = RoleSwitcher(mgmt, history=RoleHistory(":memory:"))
    switcher.switch(members[0], OAAR, display_name="tenant one")
    switcher.back()
    switcher.switch(members[1], OAAR)
    switcher.back()

    panel = QueryPanel(mgmt, switcher=switcher)
    assert panel.source.value == "history"  # a switcher and no organization: its history
    assert "2 roles in the role history" in panel.history_note.value
    assert panel.fields["role_name"].box.layout.display == "none"

    result = panel.run()

    assert result is not None and result.targets == 2
    assert set(panel.frame["account_id"]) == {members[0], members[1]}
    assert len(panel.frame) == 4 and panel.errors.empty
    assert repr(panel).startswith("QueryPanel(s3.list_buckets over the role history: 4 rows")


def test_history_option_only_with_a_switcher(mgmt):
    panel = QueryPanel(mgmt)
    assert [v for _, v in panel.source.options] == ["organization", "typed"]
    empty = QueryPanel(mgmt, switcher=RoleSwitcher(mgmt, history=RoleHistory(":memory:")))
    assert "history" in [v for _, v in empty.source.options]
    assert "The role history is empty" in empty.history_note.value


# -- progress and Stop ---------------------------------------------------------------------------
def test_progress_reaches_max_over_accounts_and_regions(mgmt, members):
    panel = QueryPanel(mgmt)
    panel.source.value = "typed"
    panel.accounts.value = "\n".join(members)
    panel.regions.value = "us-east-1, eu-west-1"
    seen: list[tuple[int, int]] = []
    panel.progress.observe(lambda _c: seen.append((panel.progress.value, panel.progress.max)))

    result = panel.run()

    assert result is not None and result.regions == ("us-east-1", "eu-west-1")
    assert panel.progress.max == 6 and panel.progress.value == 6
    values = [v for v, m in seen if m == 6]
    assert values == sorted(values) and values[-1] == 6 and len(set(values)) >= 2
    assert panel.summary_text.startswith("12 rows from 3 accounts in 2 regions, 0 errors")


def test_stop_cancels_the_units_not_started_and_loses_nothing(mgmt, members):
    panel = QueryPanel(mgmt)
    panel.source.value = "typed"
    panel.accounts.value = "\n".join(members)
    panel.regions.value = "all"  # ~30 regions x 3 accounts: far more units than workers

    def stop_at_first_progress(change):
        if change["new"] >= 1:
            panel.stop_button.click()

    panel.progress.observe(stop_at_first_progress, "value")
    assert panel.start()
    assert panel.run_button.disabled and not panel.stop_button.disabled
    result = panel.wait(timeout=120)

    assert result is not None
    units = result.targets * len(result.regions)
    assert len(result.summary) == units  # every unit is accounted for
    cancelled = result.errors[result.errors["error_code"] == "Cancelled"]
    assert 0 < len(cancelled) < units
    assert "stopped:" in panel.summary_text
    assert panel.progress.bar_style == "danger"
    assert not panel.run_button.disabled and panel.stop_button.disabled


# -- presentation --------------------------------------------------------------------------------
def test_stable_css_classes(mgmt):
    panel = QueryPanel(mgmt)
    assert {
        "xacct-query-panel",
        "xacct-query-source",
        "xacct-query-ou",
        "xacct-query-role-name",
        "xacct-query-accounts",
        "xacct-query-history",
        "xacct-query-targets",
        "xacct-query-service",
        "xacct-query-operation",
        "xacct-query-params",
        "xacct-query-regions",
        "xacct-query-jmespath",
        "xacct-query-run",
        "xacct-query-stop",
        "xacct-query-progress",
        "xacct-query-error",
        "xacct-query-status",
        "xacct-query-summary",
        "xacct-query-table",
        "xacct-query-errors",
        "xacct-query-params-error",
    } <= css_classes(panel)


def test_long_results_are_cut_in_the_view_but_whole_in_frame(mgmt, monkeypatch):
    monkeypatch.setattr(qp, "MAX_ROWS_SHOWN", 2)
    panel = QueryPanel(mgmt)
    panel.run()
    assert len(panel.frame) == 6
    assert "Showing the first 2 of 6 rows" in panel.table.value
    assert panel.table.value.count("<td>xacct-") == 2  # two bucket rows rendered


def test_repr_is_stable_and_secret_free(sandbox, mgmt):
    panel = QueryPanel(mgmt)
    assert repr(panel) == (
        "QueryPanel(s3.list_buckets over organization accounts as "
        "OrganizationAccountAccessRole: not run yet)"
    )
    panel.run()
    first = repr(panel)
    panel.run()  # cached credentials, other timings: the repr must not change
    assert repr(panel) == first
    assert first == (
        "QueryPanel(s3.list_buckets over organization accounts as "
        "OrganizationAccountAccessRole: 6 rows from 4 accounts, 0 errors)"
    )
    bundle = panel._repr_mimebundle_()
    assert bundle["text/plain"] == first
    assert not re.search(r"\d\d:\d\d|\d+\.\d+ s", first)
    shown = "\n".join([first, *widget_strings(panel), panel.frame.to_csv()])
    assert not [s for s in sandbox.secrets() if s in shown]
    key_id = sandbox.principal("management", "admin")["access_key_id"]
    assert key_id not in shown


def test_constructor_checks_its_arguments(mgmt):
    with pytest.raises(InvalidInput, match=r"needs a boto3\.Session"):
        QueryPanel(None)
    with pytest.raises(InvalidInput, match="switcher must be a RoleSwitcher"):
        QueryPanel(mgmt, switcher="nope")
    with pytest.raises(InvalidInput, match="organization must be an Organization"):
        QueryPanel(mgmt, organization=pd.DataFrame())
    org = Organization(mgmt)
    panel = QueryPanel(None, organization=org)  # the caller defaults to the organization's
    assert panel.session is mgmt and panel.organization is org
    custom = QueryPanel(mgmt, role_name="auditor")
    assert custom.role_name.value == "auditor"


def test_a_mistyped_operation_suggests_only_read_operations(mgmt):
    """Issue 20, item 7: the read-only panel never suggests delete_bucket / create_bucket."""
    panel = QueryPanel(mgmt)
    panel.service.value = "s3"
    panel.operation.value = "bucket"
    assert panel.run() is None
    assert "does not exist in s3" in panel.error_text
    assert "delete_bucket" not in panel.error_text and "create_bucket" not in panel.error_text
    panel.operation.value = "list_bucket"
    assert panel.run() is None
    assert "list_buckets" in panel.error_text and "delete_" not in panel.error_text


def test_rows_from_one_account_say_one_account(mgmt, members):
    """Issue 20, item 7: two roles of one account are "1 account (2 roles)", not 2 accounts."""
    panel = QueryPanel(mgmt)
    panel.source.value = "typed"
    panel.accounts.value = f"{members[0]}\n{members[0]},no-such-role"
    result = panel.run()
    assert result is not None and result.targets == 2
    assert set(panel.frame["account_id"]) == {members[0]}
    assert panel.summary_text.startswith(f"{len(panel.frame)} row"), panel.summary_text
    assert " from 1 account (2 roles), 1 error, " in panel.summary_text
