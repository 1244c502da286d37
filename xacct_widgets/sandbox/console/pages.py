"""The sandbox console's HTML: sign-in form, the signed-in page, the switch-role form.

Pure rendering (stdlib only, so :mod:`..wsgi.stack` can name the routes without loading moto): the
pages show only what the console shows - account, role, display name, colour, identity ARN -
never a key, token or password; every value is escaped. The look follows the console's: a dark
navigation bar whose identity menu carries the role's colour and display name once switched
("Switching to a role (console)",
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-console.html).
Stable CSS classes (``xacct-console-*``) are the browser tests' hooks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from typing import Final

from ...core.colors import CONSOLE_COLORS

__all__ = [
    "CONSOLE_PATH",
    "CONSOLE_PATHS",
    "FEDERATION_PATH",
    "MFA_MISSING",
    "MFA_WRONG",
    "SWITCH_FAILED",
    "SWITCH_ROLE_PATH",
    "ConsoleView",
    "HistoryLink",
    "console_page",
    "message_page",
    "sign_in_page",
    "switch_role_page",
]

FEDERATION_PATH: Final = "/federation"
CONSOLE_PATH: Final = "/console"
SWITCH_ROLE_PATH: Final = "/switchrole"
#: The paths the sandbox serves itself, ahead of moto (:func:`..wsgi.stack.sandbox_app`).
CONSOLE_PATHS: Final = frozenset({FEDERATION_PATH, CONSOLE_PATH, SWITCH_ROLE_PATH})
#: The console's own words when a switch fails, whatever the reason.
SWITCH_FAILED: Final = (
    "Invalid information in one or more fields. Check your information or contact your "
    "administrator."
)
#: The sandbox's sign-in refusals once the password was right (AWS's would not say; a sandbox does).
MFA_MISSING: Final = (
    "This user has an MFA device: type its MFA code in the MFA code field (the sandbox's code "
    "is shown below the form)."
)
MFA_WRONG: Final = "The MFA code is wrong: type the sandbox's MFA code shown below the form."
_NAV: Final = "#232f3e"

_STYLE: Final = """
body{margin:0;font-family:"Amazon Ember",Helvetica,Arial,sans-serif;background:#f2f3f3;
color:#16191f}
.xacct-console-nav{display:flex;align-items:center;justify-content:space-between;
background:NAV;color:#fff;padding:0 20px;height:44px;font-size:14px}
.xacct-console-nav .brand{font-weight:bold;letter-spacing:.5px}
.xacct-console-banner{padding:5px 12px;border-radius:3px;color:#16191f;font-weight:bold;
background:#d5dbdb}
.xacct-console-stripe{height:6px}
main{max-width:760px;margin:32px auto;background:#fff;padding:24px 32px;
box-shadow:0 1px 3px rgba(0,28,36,.3);border-radius:2px}
h1{font-size:22px;margin-top:0}
table.xacct-console-who{border-collapse:collapse;width:100%}
.xacct-console-who th{text-align:left;color:#545b64;font-weight:normal;width:160px;
padding:6px 8px 6px 0;vertical-align:top}
.xacct-console-who td{padding:6px 0;font-family:Menlo,Consolas,monospace;font-size:13px;
word-break:break-all}
.swatch{display:inline-block;width:14px;height:14px;border:1px solid #879596;
vertical-align:middle;margin-right:6px}
label{display:block;font-weight:bold;margin:14px 0 4px}
label small{font-weight:normal;color:#545b64}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:7px;
border:1px solid #aab7b8;border-radius:2px;font-size:14px}
.colors label{display:inline-block;font-weight:normal;margin-right:14px}
.actions{margin-top:22px;display:flex;gap:12px;align-items:center}
button,.button{background:#ec7211;color:#fff;border:1px solid #ec7211;border-radius:2px;
padding:7px 18px;font-weight:bold;font-size:14px;cursor:pointer;text-decoration:none}
.secondary{background:#fff;color:#16191f;border-color:#545b64}
.xacct-console-error{background:#fdf3f1;border:1px solid #d13212;color:#d13212;padding:10px 14px;
margin-bottom:16px}
.xacct-console-error code{display:block;color:#16191f;margin-top:6px;white-space:pre-wrap}
.note{color:#545b64;font-size:13px}
ul.xacct-console-history{padding-left:0;list-style:none}
ul.xacct-console-history li{margin:4px 0}
""".replace("NAV", _NAV)


@dataclass(frozen=True)
class HistoryLink:
    """One entry of the console's role history (the last five roles switched to)."""

    label: str
    url: str
    color: str | None = None


@dataclass(frozen=True)
class ConsoleView:
    """What the signed-in page shows; no credential can be put here."""

    account_id: str
    principal: str  # "operator", or "cross-account/operator" for a role session
    identity_arn: str
    signed_in_as: str  # who signed in: the IAM user, or the federated role session
    role_name: str | None = None
    display_name: str | None = None
    color: str | None = None
    switched: bool = False
    expires: str = ""
    notice: str | None = None
    history: tuple[HistoryLink, ...] = field(default_factory=tuple)


def _account(account_id: str) -> str:
    return "-".join((account_id[:4], account_id[4:8], account_id[8:])) if account_id else ""


def _color_name(hexcode: str | None) -> str:
    return next((n for n, h in CONSOLE_COLORS.items() if h == hexcode), hexcode or "")


def _page(title: str, nav_label: str, color: str | None, body: str) -> bytes:
    banner_style = f' style="background:#{escape(color)}"' if color else ""
    stripe = (
        f'<div class="xacct-console-stripe" style="background:#{escape(color)}"></div>'
        if color
        else ""
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        "<nav class='xacct-console-nav'><span class='brand'>aws &middot; xacct sandbox"
        f"</span><span class='xacct-console-banner'{banner_style}>{escape(nav_label)}</span>"
        f"</nav>{stripe}<main>{body}</main></body></html>"
    ).encode()


def _error(message: str | None, detail: str | None = None) -> str:
    if not message:
        return ""
    extra = f"<code>{escape(detail)}</code>" if detail else ""
    return f"<div class='xacct-console-error' role='alert'>{escape(message)}{extra}</div>"


def _hidden(fields: Iterable[tuple[str, str]]) -> str:
    return "".join(
        f"<input type='hidden' name='{escape(k)}' value='{escape(v)}'>" for k, v in fields
    )


def sign_in_page(
    *,
    error: str | None = None,
    account: str = "",
    user: str = "",
    next_url: str = "",
    password: str = "",
    mfa_code: str = "",
) -> bytes:
    """The IAM user sign-in form (account, user name, password, MFA code).

    ``password`` and ``mfa_code`` are the sandbox's fixed ones, shown in the note so that an
    operator can sign in without reading code (they guard nothing real); the form's fields are
    never pre-filled with them.
    """
    shown_password = f"<code class='xacct-console-password'>{escape(password)}</code>"
    shown_mfa = f"<code class='xacct-console-mfa-code'>{escape(mfa_code)}</code>"
    body = f"""<h1>Sign in as IAM user</h1>{_error(error)}
<form method="post" action="/console" class="xacct-console-signin">
{_hidden([("action", "signin"), ("next", next_url)])}
<label for="account">Account ID (12 digits) or alias</label>
<input type="text" id="account" name="account" value="{escape(account)}" autocomplete="off">
<label for="username">IAM user name</label>
<input type="text" id="username" name="username" value="{escape(user)}" autocomplete="off">
<label for="password">Password</label>
<input type="password" id="password" name="password" value="" autocomplete="off">
<label for="mfa">MFA code <small>(when the user has an MFA device)</small></label>
<input type="text" id="mfa" name="mfa" value="" autocomplete="off" inputmode="numeric">
<div class="actions"><button type="submit">Sign in</button></div></form>
<p class="note xacct-console-credentials">Sandbox console: every seeded IAM user signs in with
the password {shown_password}; a user with an MFA device (such as <code>operator</code>) also
types the MFA code {shown_mfa}.</p>"""
    return _page("Sign in · xacct sandbox", "Not signed in", None, body)


def console_page(view: ConsoleView) -> bytes:
    """The signed-in page: who is signed in, the active role, switch / back / sign out."""
    label = (
        f"{view.display_name or view.principal} @ {_account(view.account_id)}"
        if view.switched
        else f"{view.principal} @ {_account(view.account_id)}"
    )
    swatch = (
        f"<span class='swatch' style='background:#{escape(view.color)}'></span>"
        f"{escape(_color_name(view.color))} ({escape(view.color)})"
        if view.color
        else "(none)"
    )
    rows = [
        ("Account ID", "xacct-console-account", _account(view.account_id)),
        ("Role", "xacct-console-role", view.role_name or "(none: signed in as an IAM user)"),
        ("Display name", "xacct-console-display-name", view.display_name or "(none)"),
        ("Identity ARN", "xacct-console-arn", view.identity_arn),
        ("Signed in as", "xacct-console-signed-in", view.signed_in_as),
        ("Session expires", "xacct-console-expires", view.expires),
    ]
    cells = "".join(
        f"<tr><th>{escape(head)}</th><td class='{css}'>{escape(value)}</td></tr>"
        for head, css, value in rows
    )
    cells += f"<tr><th>Colour</th><td class='xacct-console-color'>{swatch}</td></tr>"
    back = (
        f"<form method='post' action='/console' style='display:inline'>"
        f"{_hidden([('action', 'back')])}<button type='submit' class='secondary "
        f"xacct-console-back'>Back to {escape(view.signed_in_as.split('/')[-1])}</button></form>"
        if view.switched
        else ""
    )
    history = "".join(
        f"<li><a href='{escape(h.url)}'>"
        + (f"<span class='swatch' style='background:#{escape(h.color)}'></span>" if h.color else "")
        + f"{escape(h.label)}</a></li>"
        for h in view.history
    )
    notice = (
        f"<p class='note xacct-console-notice'>{escape(view.notice)}</p>" if view.notice else ""
    )
    body = f"""<h1 class="xacct-console-title">Console Home</h1>{notice}
<table class="xacct-console-who">{cells}</table>
<div class="actions"><a class="button xacct-console-switch" href="/switchrole">Switch role</a>
{back}<form method="post" action="/console" style="display:inline">
{_hidden([("action", "signout")])}<button type="submit" class="secondary">Sign out</button>
</form></div>
{"<h2>Role history</h2><ul class='xacct-console-history'>" + history + "</ul>" if history else ""}
"""
    return _page("Console Home · xacct sandbox", label, view.color if view.switched else None, body)


def switch_role_page(
    values: dict[str, str], *, signed_in_as: str, error: str | None = None, detail: str = ""
) -> bytes:
    """The switch-role form, pre-filled from the switch-role URL (or the refused attempt)."""
    chosen = values.get("color", "")
    radios = "".join(
        f"<label><input type='radio' name='color' value='{hexcode}'"
        f"{' checked' if hexcode == chosen else ''}><span class='swatch' "
        f"style='background:#{hexcode}'></span>{name}</label>"
        for name, hexcode in CONSOLE_COLORS.items()
    )
    body = f"""<h1>Switch Role</h1>{_error(error, detail)}
<p class="note">Allows management of resources across Amazon Web Services accounts using a single
user ID and password. You can switch roles after an administrator has configured a role and
given you the account and role details. Signed in as {escape(signed_in_as)}.</p>
<form method="post" action="/switchrole" class="xacct-console-switchrole">
<label for="account">Account ID</label>
<input type="text" id="account" name="account" value="{escape(values.get("account", ""))}">
<label for="roleName">IAM role name</label>
<input type="text" id="roleName" name="roleName" value="{escape(values.get("roleName", ""))}">
<label for="displayName">Display name <small>- optional</small></label>
<input type="text" id="displayName" name="displayName"
 value="{escape(values.get("displayName", ""))}">
<label>Display colour <small>- optional</small></label><div class="colors">{radios}</div>
<div class="actions"><a class="button secondary" href="/console">Cancel</a>
<button type="submit" class="xacct-console-switch-button">Switch Role</button></div></form>"""
    return _page("Switch Role · xacct sandbox", signed_in_as, None, body)


def message_page(title: str, message: str, *, link: str = "/console") -> bytes:
    """A short page for refusals outside a form (bad sign-in token, expired session)."""
    body = (
        f"<h1>{escape(title)}</h1>{_error(message)}"
        f"<p><a href='{escape(link)}'>Go to the sign-in page</a></p>"
    )
    return _page(f"{title} · xacct sandbox", "Not signed in", None, body)
