"""The Switch-role wizard as data: its wording, its form's field table, and its renderings.

Why apart from :mod:`.switch_role`: the wizard's class then reads as its five steps and their
actions, and every rule a field applies is visibly a core function (``ids.*`` or
:class:`~xacct_widgets.core.urls.SwitchRoleLink`), named here once. Nothing here calls AWS.
"""

from __future__ import annotations

from typing import Final

import ipywidgets as w
import pandas as pd

from ..core import ids, urls
from ..core.identity import Identity
from ..core.sessions import mfa_arguments
from ..core.source import MfaDevices, Preflight
from ..core.source.preflight import dashed
from ..errors import InvalidInput, RootUserError
from .base import FieldSpec, box_html, color_options, esc
from .readable import details_html, readable_table_html

__all__ = [
    "FIELDS",
    "H_ACTIVE",
    "H_CHECK",
    "H_FORM",
    "H_HISTORY",
    "H_NO_ROLE",
    "H_WHO",
    "ROOT_REASON",
    "STEP_TEXT",
    "active_help_html",
    "active_html",
    "check_summary_html",
    "form_mfa",
    "identity_html",
    "note_html",
    "preflight_html",
    "role_parts",
    "root_refused",
    "verdict_html",
]

#: The console's reason, word for word, for refusing the root user.
ROOT_REASON: Final = "the root user cannot switch roles; sign in as an IAM user"

H_WHO: Final = (
    "Who is signed in here (<code>sts:GetCallerIdentity</code>). You switch <i>from</i> this "
    "identity. As in the console, the account's <b>root user cannot switch roles</b>: sign in "
    "as an IAM user (for example <code>operator</code>). Click <b>Next</b> to choose a role."
)
H_FORM: Final = (
    "Paste the switch-role URL you were given (part A shows it on the review page, step A6, "
    "and with the created role, step A7) to fill in the form, <b>or</b> type the target "
    "account ID (12 digits, hyphens allowed) and the role name. The display name and colour "
    "only label the role here and in your history. Fill in the ExternalId only if the role's "
    "owner gave you one; if the role requires MFA, type just the 6-digit code your MFA device "
    "shows (your device is listed for you). "
    "Click <b>Check</b> to check the switch before making it."
)
H_CHECK: Final = (
    "Before switching, each reason AWS could refuse is checked: <b>✔</b> fine, <b>✘</b> a "
    "problem (with what to do), <b>?</b> cannot be checked from this account (AWS decides at "
    "the switch). The last column says who answered. The technical detail is under "
    "<i>For administrators</i>. "
    "Click <b>Switch role</b> to switch (<code>sts:AssumeRole</code>). Like the console, a switch "
    "starts from your own user: any role still active is replaced once the switch succeeds (if "
    "AWS refuses, the active role stays as it was)."
)
H_ACTIVE: Final = (
    "The role now shows as <b>currently active</b> (the coloured badge above). Every later call "
    "made with <code>wizard.switcher.session</code> acts in the target account; its keys renew "
    "themselves and are never shown. Click <b>Back to …</b> to return to your own user, or "
    "<b>History</b> for your role history and bookmarks."
)
#: B6-B7's help once no role is active (after Back, here or in a cell): never "now active".
H_NO_ROLE: Final = (
    "<b>No role is active now</b>: you act as your own user again (the badge above). Click "
    "<b>History</b> to switch again in one click, or <b>← Previous step</b> to the form."
)


def active_help_html(active: bool) -> str:
    """B6-B7's help for the session as it is now (:data:`H_ACTIVE` or :data:`H_NO_ROLE`)."""
    return f'<div class="xacct-help-text">{H_ACTIVE if active else H_NO_ROLE}</div>'


H_HISTORY: Final = (
    "Every role you switched to, most recent first, with no limit (the console keeps only 5), "
    "and your bookmarks (★). Choose one and click <b>Switch to selected</b> to switch again in "
    "one click, or <b>Bookmark</b> to keep it at hand. The history is kept on disk between "
    "notebooks."
)


#: Each step's title and help, by tutorial key, in the order the wizard shows them.
STEP_TEXT: Final[dict[str, tuple[str, str]]] = {
    "B1": ("Who am I", H_WHO),
    "B2-B4": ("Role to switch to", H_FORM),
    "B5": ("Check and switch", H_CHECK),
    "B6-B7": ("Currently active", H_ACTIVE),
    "history": ("Role history and bookmarks", H_HISTORY),
}


def role_parts(value: str) -> tuple[str, str]:
    """The role field may carry a path (``team/cross-account``), as URLs do: (name, path)."""
    head, _, name = value.strip().strip("/").rpartition("/")
    return name, (f"/{head}/" if head else "/")


def role_rule(value: str) -> object:
    name, path = role_parts(value)
    return urls.SwitchRoleLink("000000000000", name, path=path)


def display_rule(value: str) -> object:
    return urls.SwitchRoleLink("000000000000", "x", value)


#: The B2-B4 form, top to bottom (each control becomes ``wizard.<name>``); every rule is the
#: core's, run as the value is typed (the URL has its own handler: it fills in the others).
FIELDS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec(
        "url",
        lambda: w.Text(placeholder=f"e.g. {urls.SWITCH_ROLE_BASE}?roleName=…&account=…"),
        "Switch-role URL",
        "Optional: pasting a link fills in the fields below.",
        "xacct-url-input",
        width="60em",
    ),
    FieldSpec(
        "account",
        lambda: w.Text(placeholder="e.g. 1234-5678-1234"),
        "Account ID",
        "The target account's 12-digit ID (hyphens are fine).",
        "xacct-account",
        ids.account_id,
    ),
    FieldSpec(
        "role",
        lambda: w.Text(placeholder="e.g. cross-account"),
        "Role name",
        "The role's name in the target account, without its path.",
        "xacct-role",
        role_rule,
    ),
    FieldSpec(
        "display_name",
        lambda: w.Text(placeholder="e.g. prod"),
        "Display name",
        "Optional label for the badge and history (at most 64 characters).",
        "xacct-display-name",
        display_rule,
    ),
    FieldSpec(
        "color",
        lambda: w.Dropdown(options=color_options(), value=""),
        "Colour",
        "Optional: the console's colour for this role.",
        "xacct-color",
    ),
    FieldSpec(
        "external_id",
        lambda: w.Text(placeholder="only if the role requires one"),
        "ExternalId",
        "Optional: the ExternalId the role's owner gave you.",
        "xacct-external-id",
        ids.external_id,
    ),
    FieldSpec(
        "mfa_code",
        lambda: w.Text(),
        "MFA code",
        "Only if the role requires MFA: the 6-digit code your MFA device shows now (used once, "
        "then cleared).",
        "xacct-mfa-code",
        ids.mfa_code,
    ),
    FieldSpec(
        "mfa_device",
        lambda: w.Dropdown(options=[], value=None),
        "MFA device",
        "Your MFA device, as IAM lists it for you: the code is checked against it.",
        "xacct-mfa-device",
    ),
    FieldSpec(
        "mfa_serial",
        lambda: w.Text(),
        "MFA device ARN",
        "Only when your devices cannot be listed for you: your device's ARN, e.g. "
        "arn:aws:iam::987654329876:mfa/operator ('Security credentials' in the console).",
        "xacct-mfa-serial",
        ids.mfa_serial,
    ),
)


def form_mfa(
    code: str, typed: str, device: str | None, devices: MfaDevices | None
) -> tuple[str | None, str | None]:
    """The form's (device, code): both or neither, each well formed. With the code alone the
    device is the one chosen from the user's list (``device``); a typed ARN wins over it."""
    code_or_none, typed_or_none = code.strip() or None, typed.strip() or None
    if typed_or_none is not None and code_or_none is None:
        raise InvalidInput(
            "An MFA device was given without its code.",
            fix="Type the 6-digit code your MFA device shows now, or clear the device.",
        )
    if typed_or_none is not None or code_or_none is None:
        return mfa_arguments(typed_or_none, code_or_none)
    if not device:
        why = devices.why if devices is not None and devices.why else "none is listed for you"
        raise InvalidInput(
            f"The MFA code needs your MFA device: {why}.",
            fix="Type your device's ARN under 'MFA device ARN' ('Security credentials' in the "
            "console shows it).",
        )
    return mfa_arguments(device, code_or_none)


def note_html(problem: str | None) -> str:
    """A form-level problem, styled as a field's inline error ("" when none)."""
    return f'<div class="xacct-field-error-text">⚠ {esc(problem)}</div>' if problem else ""


def root_refused(identity: Identity) -> RootUserError:
    """B1's refusal of the root user, in the console's words (:data:`ROOT_REASON`)."""
    return RootUserError(
        f"You are signed in as {identity.arn}: {ROOT_REASON}.",
        code="RootUser",
        fix="Sign in as an IAM user of this account (e.g. 'operator') and open the "
        "wizard with that user's session; keep root for account emergencies.",
    )


def check_summary_html(link: urls.SwitchRoleLink, caller_arn: str) -> str:
    """What B5 is about to check and switch to, in one line."""
    colour = f" · colour #{link.color}" if link.color else ""
    label = f" · display name {link.display_name}" if link.display_name else ""
    return (
        f"<p>Switching to <code>{esc(link.role_arn)}</code> as <code>{esc(caller_arn)}</code>"
        f"{esc(label)}{esc(colour)}.</p>"
    )


def identity_html(identity: Identity) -> str:
    """B1: who is signed in, in words (no raw columns such as ``user_id``)."""
    row = {
        "account": dashed(identity.account_id),
        "signed in as": identity.principal_type,
        "name": identity.name,
        "ARN": identity.arn,
    }
    return readable_table_html(pd.DataFrame([row]), css="xacct-identity")


#: B6-B7's columns: the active role as the console shows it, expiry to the second.
ACTIVE_VIEW: Final = {
    "display_name": "display name",
    "account_id": "account",
    "role_name": "role",
    "color": "colour",
    "session_name": "session",
    "expiration": "expires (UTC)",
    "role_arn": "role ARN",
}


def active_html(frame: pd.DataFrame, empty: str) -> str:
    """B6-B7: the active role, readable (no microseconds, no empty session column)."""
    if frame.empty:
        return readable_table_html(frame, empty=empty)
    view = frame[list(ACTIVE_VIEW)].rename(columns=ACTIVE_VIEW).copy()
    view["account"] = view["account"].map(dashed)
    view["expires (UTC)"] = pd.to_datetime(view["expires (UTC)"], utc=True).dt.strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    view = view.fillna("-").replace("", "-")
    return readable_table_html(view, css="xacct-active")


def preflight_html(preflight: Preflight) -> str:
    """B5's table for the person switching, and the technical part folded for administrators."""
    table = preflight.table
    admin = readable_table_html(preflight.for_administrators, css="xacct-preflight-admin")
    return readable_table_html(
        table, css="xacct-preflight-checks", mark_column="result"
    ) + details_html("For administrators: the technical detail and fix", admin)


def verdict_html(preflight: Preflight) -> str:
    """The preflight's verdict: each failed check with its fix, or the all-clear."""
    failed = preflight.failed
    if not failed:
        return box_html("ok", "No problem found. Click <b>Switch role</b> (AWS has the last word).")
    items = "".join(
        f"<li>{esc(c.title)}: {esc(c.todo or c.meaning or c.detail)}</li>" for c in failed
    )
    return box_html(
        "warning",
        "<b>The check found problems: AWS will most likely refuse this switch.</b>"
        f"<ul>{items}</ul>",
    )
