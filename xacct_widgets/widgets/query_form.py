"""The QueryPanel's form as data: its wording, its field table, a validated request, its texts.

Why apart from :mod:`.query_panel`: the panel class then reads as validate -> run -> show, and
the words an operator sees (labels, help, the summary line, the stable repr) are in one place.
Nothing here calls AWS; every rule a field applies is a core function, called by the panel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import ipywidgets as w
import pandas as pd

from ..core.frames import scrub_text
from ..core.query import Organization, QueryResult
from ..core.switch import RoleSwitcher
from ..errors import InvalidInput
from .base import FieldSpec, html_table, plural

if TYPE_CHECKING:
    from ..core.sessions import AwsSession

__all__ = [
    "COMMON_OPERATIONS",
    "FIELDS",
    "HELP",
    "SOURCES",
    "QueryRequest",
    "caller_and_organization",
    "describe",
    "errors_heading_html",
    "required",
    "result_text",
    "rows_html",
    "summary_text",
    "typed_count",
]

#: Where targets come from: (label shown, value).
SOURCES: Final[tuple[tuple[str, str], ...]] = (
    ("Organization accounts", "organization"),
    ("Role history", "history"),
    ("Typed list", "typed"),
)

#: Suggested services and, for each, read operations worth a fan-out (free text is allowed).
COMMON_OPERATIONS: Final[dict[str, tuple[str, ...]]] = {
    "s3": ("list_buckets",),
    "iam": ("list_roles", "list_users", "list_policies", "get_account_summary"),
    "ec2": ("describe_instances", "describe_vpcs", "describe_security_groups", "describe_regions"),
    "sts": ("get_caller_identity",),
    "organizations": ("describe_organization", "list_accounts"),
}

HELP: Final = (
    "Ask every chosen account the same read-only question. <b>Targets</b>: the organization's "
    "ACTIVE accounts (optionally one OU and the OUs below it), the roles in your role history, "
    "or a typed list. <b>Question</b>: a boto3 client name and method, e.g. <code>s3</code> / "
    "<code>list_buckets</code> or <code>iam</code> / <code>list_roles</code>. Click "
    "<b>Run</b>; one account that fails becomes an error row and never hides the others."
)

#: The form, top to bottom (each control becomes ``panel.<name>``). Targets first, then the
#: question (:data:`QUESTION`). Checked when Run is clicked, not as typed.
FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec(
        "source",
        lambda: w.Dropdown(options=SOURCES),
        "Targets",
        "Where the accounts come from.",
        "xacct-query-source",
    ),
    FieldSpec(
        "ou",
        lambda: w.Text(placeholder="(every OU)"),
        "OU",
        "Optional: an OU ID, name path (prod/web) or name; its sub-OUs are included.",
        "xacct-query-ou",
    ),
    FieldSpec(
        "role_name",
        w.Text,
        "Role to assume",
        "Assumed in each account (for typed lines that name no role too).",
        "xacct-query-role-name",
    ),
    FieldSpec(
        "accounts",
        lambda: w.Textarea(placeholder="123456789012\n2109-8765-4321,auditor\n# comments are fine"),
        "Accounts",
        "One per line: account[,role[,external_id]]. Hyphens in IDs are fine.",
        "xacct-query-accounts",
        height="7em",
    ),
    FieldSpec(
        "service",
        lambda: w.Combobox(value="s3", options=list(COMMON_OPERATIONS), ensure_option=False),
        "Service",
        "A boto3 client name: s3, iam, ec2, sts, organizations, ...",
        "xacct-query-service",
    ),
    FieldSpec(
        "operation",
        lambda: w.Combobox(value="list_buckets", options=[], ensure_option=False),
        "Operation",
        "The boto3 method, e.g. list_buckets. Read-only operations only; paginated ones "
        "are read to the end.",
        "xacct-query-operation",
    ),
    FieldSpec(
        "params",
        lambda: w.Textarea(placeholder='{"MaxItems": 100}'),
        "Params (JSON)",
        "The operation's arguments as a JSON object; blank for none.",
        "xacct-query-params",
        height="4em",
    ),
    FieldSpec(
        "regions",
        lambda: w.Text(placeholder="(the caller's region)"),
        "Regions",
        "Comma-separated, e.g. us-east-1, eu-west-1; 'all' for every region of the "
        "service; blank for the caller's region.",
        "xacct-query-regions",
    ),
    FieldSpec(
        "jmespath",
        lambda: w.Text(placeholder="e.g. Buckets[]"),
        "JMESPath",
        "Optional: which items to take from each page, e.g. Buckets[] or "
        "Roles[?Path=='/']. Blank: the operation's list of items.",
        "xacct-query-jmespath",
    ),
)

#: The fields of the "Question" box; the others describe the targets.
QUESTION: Final = ("service", "operation", "params", "regions", "jmespath")


@dataclass(frozen=True)
class QueryRequest:
    """One validated run: what the form said when Run was clicked."""

    source: str
    targets: Any  # an Organization, a RoleSwitcher, or a list of Targets (OU: resolved later)
    ou: str | None
    caller: AwsSession  # the session that assumes the roles
    service: str
    operation: str
    params: dict[str, Any] | None
    regions: list[str] | str | None
    jmespath: str | None
    role_name: str
    label: str  # stable, secret-free description for the repr

    @property
    def doing(self) -> str:
        return f"running {self.service}.{self.operation}"


def typed_count(text: str) -> int:
    """How many account lines ``text`` has, for the note under the field (valid or not).

    The line grammar itself (blank lines and ``#`` comments skipped) is
    :func:`~xacct_widgets.core.query.parse_targets`'; this only counts, for display.
    """
    return sum(1 for line in str(text or "").splitlines() if line.strip()[:1] not in ("", "#"))


def _where(result: QueryResult) -> str:
    """ "3 accounts", or "1 account (2 roles)" when targets share an account: distinct account
    IDs are counted (issue 20, item 7: not "2 rows from 2 accounts" when both came from one)."""
    summary = result.summary
    accounts = (
        int(summary["account_id"].nunique())
        if "account_id" in summary.columns and len(summary)
        else result.targets
    )
    where = plural(accounts, "account")
    if result.targets > accounts:
        where += f" ({plural(result.targets, 'role')})"
    if len(result.regions) > 1:
        where += f" in {plural(len(result.regions), 'region')}"
    return where


def summary_text(result: QueryResult) -> str:
    """One line: rows, accounts (x regions), errors, AssumeRole calls and time."""
    assumed = plural(result.assume_calls, "AssumeRole call")
    if result.assume_calls == 0:
        assumed += " (cached)"
    text = (
        f"{plural(len(result.frame), 'row')} from {_where(result)}, "
        f"{plural(len(result.errors), 'error')}, {assumed}, {result.elapsed_s:.1f} s"
    )
    cancelled = int((result.errors["error_code"] == "Cancelled").sum()) if len(result.errors) else 0
    if cancelled:
        text += f" — stopped: {plural(cancelled, 'unit')} not run"
    return text


def result_text(result: QueryResult) -> str:
    """The stable part of :func:`summary_text` (no times, no AssumeRole counts): for reprs."""
    return (
        f"{plural(len(result.frame), 'row')} from {_where(result)}, "
        f"{plural(len(result.errors), 'error')}"
    )


def caller_and_organization(
    session: AwsSession | None, switcher: Any, organization: Any
) -> tuple[AwsSession, Organization]:
    """The panel's caller and organization from its arguments, each checked.

    The caller defaults to the organization's session, else the switcher's signed-in user; the
    organization to ``Organization(caller)`` (whose constructor is the core's session check).
    """
    if switcher is not None and not isinstance(switcher, RoleSwitcher):
        raise InvalidInput(
            f"QueryPanel's switcher must be a RoleSwitcher, got {type(switcher).__name__}.",
            fix="Pass RoleSwitcher(session), or a SwitchRoleWizard's .switcher.",
        )
    if organization is not None and not isinstance(organization, Organization):
        raise InvalidInput(
            f"QueryPanel's organization must be an Organization, got "
            f"{type(organization).__name__}.",
            fix="Pass Organization(management_session).",
        )
    if session is None and organization is not None:
        session = organization.session
    elif session is None and switcher is not None:
        session = switcher.base_session
    if session is None:
        raise InvalidInput(
            "QueryPanel needs a boto3.Session (the caller), got NoneType.",
            fix="Pass e.g. Sandbox(member_accounts=3).session('management', 'admin').",
        )
    own = Organization(session)
    return session, organization if organization is not None else own


def describe(form: dict[str, str]) -> str:
    """The question a form asks (field name -> typed text), in words, secret-free."""
    service = form["service"].strip() or "?"
    operation = form["operation"].strip() or "?"
    source = form["source"]
    if source == "organization":
        ou = form["ou"].strip()
        where = f"organization accounts in OU {ou}" if ou else "organization accounts"
        where += f" as {form['role_name'].strip()}"
    elif source == "history":
        where = "the role history"
    else:
        where = plural(typed_count(form["accounts"]), "typed account")
    return scrub_text(f"{service}.{operation} over {where}")


def rows_html(frame: pd.DataFrame, max_rows: int) -> str:
    """The result's rows, at most ``max_rows`` of them (with a note saying so)."""
    shown = frame.head(max_rows)
    note = ""
    if len(frame) > len(shown):
        note = (
            f'<p class="xacct-help-text">Showing the first {len(shown)} of {len(frame)} '
            "rows: the whole table is <code>panel.frame</code>.</p>"
        )
    return note + html_table(
        shown, empty="No rows: every account answered with nothing, or failed (see below)."
    )


def required(what: str) -> Callable[[str], str]:
    """A check that the field is not blank ("Give the service."); the value, stripped."""

    def given(text: str) -> str:
        if not text.strip():
            raise InvalidInput(f"Give the {what}.")
        return text.strip()

    return given


def errors_heading_html(count: int) -> str:
    """The heading over the errors table, with their count."""
    return f"<h4 style='margin:6px 0 2px 0'>Errors ({count})</h4>"
