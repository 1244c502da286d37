"""The Create-role wizard as data: its fields, its steps and the small renderings they share.

Why a table and not a constructor: the wizard had grown a 330-line ``__init__`` in which the
layout, the wording and the checks of seven steps were interleaved, and a field's check was
easy to write again by hand (the description rule drifted from the core's: the field took an
emoji that ``CreateRole`` then refused). Here each field names the *core* function that checks
it, each step names the widgets it shows, and :mod:`.create_role` turns the tables into widgets.
Nothing in this module calls AWS.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

import ipywidgets as w
import pandas as pd

from ..aws_limits import DEFAULT_SESSION_SECONDS, MAX_SESSION_DURATION_RANGE
from ..core import ids
from ..core.target import Plan, RoleSpec
from ..core.target.spec import description, permissions_boundary, tags_from_text
from ..errors import InvalidInput
from .base import FieldSpec, box_html, classed, esc, html_table

__all__ = [
    "FIELDS",
    "H_ACCOUNT",
    "H_NAME",
    "H_PERMS",
    "H_RESULT",
    "H_REVIEW",
    "H_ROLES",
    "H_TYPE",
    "LOADED_FIELDS",
    "ROLE_TYPE_HTML",
    "SPEC_FIELDS",
    "TRUST_PENDING_HTML",
    "UNCHECKED_FIELDS",
    "BodyItem",
    "Html",
    "StepSpec",
    "as_field_rule",
    "build_body",
    "choices_frame",
    "hours",
    "html_widget",
    "json_html",
    "plan_note_html",
    "roles_display",
    "summary_html",
    "tags_text",
]

W = TypeVar("W")

# -- wording -----------------------------------------------------------------------------------
H_ROLES: Final = (
    "You are in the <b>target account</b>, where the role will live (IAM → Roles). These are "
    "its existing roles. The tutorial creates a role named <code>cross-account</code>; if it "
    "is already listed, the wizard will show what would change and apply only that. "
    "Click <b>Next</b> to name the role."
)
H_NAME: Final = (
    "Type the role's name: 1-64 characters, letters, digits and <code>+ = , . @ _ -</code> "
    "(no spaces). It is checked as you type; <b>Next</b> stays off until it is valid. "
    "If a role of that name exists, its settings are loaded into every step, so you edit it "
    "in place. Optionally give a description, a path and tags (one <code>key=value</code> a "
    "line)."
)
H_TYPE: Final = (
    "Role type: <b>cross-account access — another AWS account</b>. Users of the account you "
    "trust (next step) will be able to switch into this role. Optionally require an "
    "<b>ExternalId</b> (a shared value the switcher must give, for third parties) or "
    "<b>MFA</b>, and set how long a switched session may last (1 hour is the console's default)."
)
H_ACCOUNT: Final = (
    "Type the ID of the account whose users may switch into this role (the <b>source</b> "
    "account, <code>9876-5432-9876</code> in the tutorial). 12 digits; hyphens are fine. "
    "The trust policy it produces is shown below as you type."
)
H_PERMS: Final = (
    "Choose what the role may do: tick managed policies in the list (each with what it is "
    "for). <b>Search</b> and <b>Show</b> narrow the list; ticked policies always stay listed "
    "first. You can also add a policy by its ARN, or write an <b>inline policy</b> (name + "
    "JSON) and click <b>Add inline policy</b>. A <b>permissions boundary</b> (optional) caps "
    "what the role can ever do. Click <b>Review</b> to see the plan; nothing is written yet."
)
H_REVIEW: Final = (
    "Review what <b>Apply</b> will do in the target account: the plan (one row per change; "
    "rows in <b style='color:#b00020'>red</b> take access or settings away and must be "
    "confirmed), the trust policy and the switch-role URL users will get. Nothing has been "
    "written yet. Click <b>Apply</b> to create or update the role; if any step fails, "
    "everything done so far is rolled back. Use <b>← Previous step</b> to change anything first."
)
H_RESULT: Final = (
    "The role as IAM now has it. <b>Trust relationships</b> lists who may switch in. Give the "
    "<b>switch-role URL</b> to the users who may switch (copy it from the box; set a display "
    "name and colour to have them pre-filled). The attached and inline policies are listed "
    "below. To switch into the role, use the switch-role wizard in the source account."
)
ROLE_TYPE_HTML: Final = (
    "<p><b>Another AWS account</b> — cross-account access between AWS accounts you own.</p>"
)
TRUST_PENDING_HTML: Final = (
    "<p><i>The trust policy appears here once the account ID is valid.</i></p>"
)


def hours(seconds: int) -> str:
    """``7200`` -> ``"2 hours"``; the console's default (1 hour) says so."""
    count = seconds / 3600
    text = f"{count:g} hour" + ("" if count == 1 else "s")
    return text + (" (default)" if seconds == DEFAULT_SESSION_SECONDS else "")


# -- fields ------------------------------------------------------------------------------------
def as_field_rule(rule: Callable[[str], object]) -> Callable[[str], object]:
    """``rule`` (a core check) with its error worded for a form field.

    The core's message names the RoleSpec field (``RoleSpec.description '…' is invalid``)
    because its caller may be a script; under a form field the field is obvious, so the error
    shown is the core's ``detail`` (the same sentence without the name). The rule itself, and so
    what is accepted, is untouched.
    """

    def check(value: str) -> object:
        try:
            return rule(value)
        except InvalidInput as err:
            if err.field is None:
                raise
            raise type(err)(err.detail, fix=err.fix) from err

    return check


#: The fields a loaded role fills (and that are put back when another name is typed).
LOADED_FIELDS: Final = (
    "role_description",
    "path",
    "tags",
    "permissions_boundary",
    "external_id",
    "require_mfa",
    "max_session",
    "trusted_account",
)

#: The wizard's field showing each RoleSpec field (where the names differ).
SPEC_FIELDS: Final[Mapping[str, str]] = {
    "description": "role_description",
    "max_session_duration": "max_session",
}


def _session_lengths() -> w.Dropdown:
    low, high = MAX_SESSION_DURATION_RANGE
    lengths = range(low, high + 1, 3600)  # whole hours, as the console offers them
    return w.Dropdown(options=[(hours(s), s) for s in lengths], value=DEFAULT_SESSION_SECONDS)


#: The wizard's own fields (the policy picker and the result have theirs).
FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec(
        "name",
        lambda: w.Text(placeholder="e.g. cross-account"),
        "Role name",
        "Letters, digits and + = , . @ _ - only; at most 64 characters.",
        "xacct-role-name",
        rule=ids.role_name,
    ),
    FieldSpec(
        "role_description",
        lambda: w.Text(placeholder="optional"),
        "Description",
        "Optional: what the role is for (shown in IAM).",
        "xacct-role-description",
        rule=as_field_rule(lambda text: description(text.strip())),
    ),
    FieldSpec(
        "path",
        lambda: w.Text(value="/", placeholder="e.g. /team/"),
        "Path",
        "Optional: groups roles, e.g. /ops/ (starts and ends with /; cannot change later).",
        "xacct-role-path",
        rule=ids.iam_path,
    ),
    FieldSpec(
        "tags",
        lambda: w.Textarea(value="", placeholder="team=support\nenv=prod", rows=3),
        "Tags",
        "Optional: one key=value a line (at most 50; keys unique, not starting aws:).",
        "xacct-role-tags",
        rule=as_field_rule(tags_from_text),
    ),
    FieldSpec(
        "permissions_boundary",
        lambda: w.Text(value="", placeholder="e.g. arn:aws:iam::aws:policy/PowerUserAccess"),
        "Permissions boundary",
        "Optional: a managed policy ARN; the role can never do more than it allows.",
        "xacct-permissions-boundary",
        rule=as_field_rule(permissions_boundary),
    ),
    FieldSpec(
        "external_id",
        lambda: w.Text(placeholder="leave empty unless a third party asks for one"),
        "ExternalId",
        "Optional: 2-1224 characters, letters, digits and + = , . @ : / _ -.",
        "xacct-external-id",
        rule=ids.external_id,
    ),
    FieldSpec(
        "require_mfa",
        lambda: w.Checkbox(value=False, indent=False),
        "Require MFA",
        "Only sessions signed in with MFA may switch into the role.",
        "xacct-require-mfa",
    ),
    FieldSpec(
        "max_session",
        _session_lengths,
        "Max session",
        "How long a switched session may last before it must be renewed.",
        "xacct-max-session",
    ),
    FieldSpec(
        "trusted_account",
        lambda: w.Text(placeholder="e.g. 9876-5432-9876"),
        "Trusted account ID",
        "The 12-digit ID of the account users switch from; hyphens are fine.",
        "xacct-trusted-account",
        rule=ids.account_id,
        with_fix=True,
    ),
)

#: Fields without a rule of their own: only the spec's build flags them; a change clears that.
UNCHECKED_FIELDS: Final = frozenset(f.name for f in FIELDS if f.rule is None)


# -- steps -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Html:
    """A fixed piece of text in a step's body (a heading, a note)."""

    markup: str


#: A step body: field or widget names (looked up on the wizard), fixed HTML, or a row of them.
BodyItem = str | Html | tuple["str | Html", ...]


@dataclass(frozen=True)
class StepSpec(Generic[W]):
    """One wizard step as data; hooks take the wizard (see :class:`~.base.Step`)."""

    key: str
    title: str
    help: str
    body: tuple[BodyItem, ...]
    enter: Callable[[W, str], None] | None = None
    leave: Callable[[W], None] | None = None
    ready: Callable[[W], bool] | None = None
    next_label: str | None = "Next →"
    leave_doing: str = "checking this step"


def build_body(items: Sequence[BodyItem], lookup: Callable[[str], Any]) -> w.VBox:
    """A step's widgets: names via ``lookup`` (a field's whole box for a field), text as HTML."""

    def one(item: str | Html) -> Any:
        return w.HTML(item.markup) if isinstance(item, Html) else lookup(item)

    return w.VBox(
        [w.HBox([one(i) for i in item]) if isinstance(item, tuple) else one(item) for item in items]
    )


# -- renderings --------------------------------------------------------------------------------
def json_html(document: Mapping[str, Any]) -> str:
    """A policy document, indented, for reading (and copying)."""
    return f'<pre class="xacct-json">{esc(json.dumps(document, indent=2))}</pre>'


def choices_frame(
    name: str, account: str, external_id: str, require_mfa: bool, max_session: int
) -> pd.DataFrame:
    """What has been chosen so far, as a table (the ``frame`` of steps A2-A4)."""
    rows = [
        ("role name", name.strip()),
        ("trusted account", account.strip()),
        ("external id", "(set)" if external_id.strip() else "(none)"),
        ("require MFA", require_mfa),
        ("max session duration (s)", max_session),
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])


def summary_html(spec: RoleSpec) -> str:
    """The review's summary of the role to be applied, one setting a row."""
    rows = [
        ("Role name", spec.name),
        ("Path", spec.path),
        ("Description", spec.description or "(none)"),
        ("Trusted account", spec.trusted_account),
        ("Trusted principals", ", ".join(spec.trusted_principals) or "the whole account"),
        ("ExternalId required", "yes" if spec.external_id else "no"),
        ("MFA required", "yes" if spec.require_mfa else "no"),
        ("Max session", hours(int(spec.max_session_duration))),
        ("Managed policies", ", ".join(spec.managed_policy_arns) or "(none)"),
        ("Inline policies", ", ".join(spec.inline_policies) or "(none)"),
        ("Permissions boundary", spec.permissions_boundary or "(none)"),
        ("Tags", ", ".join(f"{k}={v}" for k, v in spec.tags.items()) or "(none)"),
    ]
    return html_table(pd.DataFrame(rows, columns=["setting", "value"]))


def tags_text(tags: Mapping[str, str]) -> str:
    """Tags as the Tags field shows them: one ``key=value`` a line."""
    return "\n".join(f"{k}={v}" for k, v in tags.items())


def roles_display(frame: pd.DataFrame) -> pd.DataFrame:
    """The roles table as people read it: words for headers, hours, times to the second."""
    shown = frame.copy()
    if "created" in shown:
        shown["created"] = [
            t.strftime("%Y-%m-%d %H:%M:%S") if hasattr(t, "strftime") else "" for t in shown.created
        ]
    if "max_session_duration" in shown:
        shown["max_session_duration"] = [hours(int(v)) for v in shown["max_session_duration"]]
    return shown.rename(columns=lambda c: str(c).replace("_", " "))


def plan_note_html(plan: Plan) -> str:
    """Under the plan: nothing to do (Apply only reads back), or how many writes Apply makes;
    what would be taken away, in red, when anything would."""
    destructive = plan.destructive
    if not destructive.empty:
        items = "".join(
            f"<li><b>{esc(r.action)}</b> {esc(r.target)}: removes {esc(r.removes)}</li>"
            for r in destructive.itertuples()
        )
        return box_html(
            "error",
            f"{len(plan.changes)} change(s); <b>{len(destructive)} take(s) something away</b> "
            f"(red rows):<ul>{items}</ul>Tick the box below to confirm, or go to the "
            "<b>← Previous step</b> and keep what the role has.",
        )
    if plan.is_noop:
        return box_html(
            "ok",
            f"Nothing to change: role <b>{esc(plan.spec.name)}</b> already matches. Apply "
            "writes nothing and shows the role.",
        )
    return box_html(
        "warning",
        f"{len(plan.changes)} change(s) will be made in the target account when you "
        "click <b>Apply</b>.",
    )


def html_widget(css: str) -> Any:
    """An empty HTML output with a stable CSS class (what browser tests select on)."""
    return classed(w.HTML(""), css)
