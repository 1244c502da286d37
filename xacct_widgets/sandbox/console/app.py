"""The sandbox's console: the federation endpoint, a sign-in form, the switch-role page.

So that the tutorial's browser part (open the switch-role link, switch, see the role and its
colour; open the console as the active role) runs offline. Pages follow:

* federation ("Enable custom identity broker access to the AWS console",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html):
  ``getSigninToken`` takes only live temporary credentials; ``SessionDuration`` is 900-43200 and
  refused for role-chained credentials; the token is good for 15 minutes; ``login`` signs the
  browser in and redirects to ``Destination`` (here: sandbox pages only). A refusal is HTTP 400
  with "Invalid credentials parameter" - what the endpoint answers, as reported in
  https://github.com/99designs/aws-vault/issues/77 and
  https://github.com/Bridgewater/holochrome/issues/8;
* signing in as an IAM user: every seeded user has a login profile whose password is the
  documented :data:`..accounts.CONSOLE_PASSWORD`; a user with an MFA device must give the sandbox's
  MFA code, and the console session then carries MFA into each switch (as the console does).
  A wrong answer gets the console's "Your authentication information is incorrect", except
  that a missing or wrong MFA code (after the right password) is named as such, and the form
  shows the sandbox's fixed password and MFA code (they guard nothing real);
* switching ("Switch to an IAM role (console)",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-console.html): the
  form is pre-filled from ``roleName``/``account``/``displayName``/``color``; the switch is a
  real ``sts:AssumeRole`` to this sandbox with the console session's credentials, so identity
  and trust policies, MFA and chaining rules decide it exactly as for any other caller.

Console state (sessions, pending sign-in tokens) lives here, server side, keyed by a random
HttpOnly cookie; nothing secret is logged, rendered, or put in the cookie.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from moto.iam.models import iam_backends
from moto.sts.models import sts_backends

from ...aws_limits import SESSION_SECONDS_RANGE, SIGN_IN_TOKEN_SECONDS
from ..accounts import ACCOUNT_ALIASES, CONSOLE_PASSWORD, PARTITION, REGION, SANDBOX_MFA_CODE
from ..clock import CLOCK
from ..sessions import issued_session
from .pages import (
    CONSOLE_PATH,
    FEDERATION_PATH,
    MFA_MISSING,
    MFA_WRONG,
    SWITCH_FAILED,
    SWITCH_ROLE_PATH,
    ConsoleView,
    HistoryLink,
    console_page,
    message_page,
    sign_in_page,
    switch_role_page,
)
from .switch import ConsoleSession, Keys, assume_as, switch_values

__all__ = ["COOKIE", "forget_console", "serve"]

COOKIE: Final = "xacct-console"
#: "The URL is valid for 15 minutes from the time it is created."
TOKEN_LIFETIME: Final = timedelta(seconds=SIGN_IN_TOKEN_SECONDS)
#: An IAM user's console session lasts 12 hours.
USER_SESSION: Final = timedelta(hours=12)
SESSION_DURATION_RANGE: Final = SESSION_SECONDS_RANGE
BAD_CREDENTIALS: Final = (
    "Invalid credentials parameter. The request sent by the client was syntactically incorrect."
)
BAD_SIGN_IN: Final = "Your authentication information is incorrect. Please try again."
_HISTORY: Final = 5  # the console remembers the last five roles

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class _Pending:
    """A getSigninToken answer waiting for its login (15 minutes)."""

    session: ConsoleSession
    valid_until: datetime


_lock = threading.Lock()
_sessions: dict[str, ConsoleSession] = {}
_tokens: dict[str, _Pending] = {}


def forget_console() -> None:
    """Drop every console session and pending sign-in token."""
    with _lock:
        _sessions.clear()
        _tokens.clear()


def issued_tokens() -> list[str]:
    """The sign-in tokens issued in this process and not yet expired (for leak scans)."""
    with _lock:
        return list(_tokens)


# -- HTTP plumbing -------------------------------------------------------------------------------
def _reply(
    start: StartResponse,
    status: str,
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    headers: Iterable[tuple[str, str]] = (),
) -> list[bytes]:
    start(
        status,
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            *headers,
        ],
    )
    return [body]


def _redirect(start: StartResponse, location: str, *cookie: tuple[str, str]) -> list[bytes]:
    return _reply(start, "302 Found", b"", headers=[("Location", location), *cookie])


def _cookie(value: str, max_age: int) -> tuple[str, str]:
    return (
        "Set-Cookie",
        f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max(max_age, 0)}",
    )


def _form(environ: dict[str, Any]) -> dict[str, str]:
    if environ.get("REQUEST_METHOD") == "POST":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(size).decode("utf-8", "replace") if size else ""
    else:
        raw = environ.get("QUERY_STRING", "")
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


def _cookie_id(environ: dict[str, Any]) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(environ.get("HTTP_COOKIE", ""))
    except Exception:  # a malformed Cookie header: as if there were none
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel else None


def _current(environ: dict[str, Any]) -> tuple[str | None, ConsoleSession | None, str | None]:
    """(cookie id, live session, notice): an expired session is dropped with a notice."""
    cookie = _cookie_id(environ)
    with _lock:
        session = _sessions.get(cookie) if cookie else None
        if session is None:
            return cookie, None, None
        now = CLOCK.now()
        if now >= session.expires_at:
            del _sessions[cookie]  # type: ignore[arg-type]
            return cookie, None, "Your session has expired. Sign in again."
        if session.active is not None and now >= session.active.expires_at:
            session = _sessions[cookie] = replace(session, active=None)  # type: ignore[index]
            return cookie, session, "The role session expired: you are back as yourself."
    return cookie, session, None


def _self_url(environ: dict[str, Any]) -> str:
    host = str(environ.get("SERVER_NAME", "127.0.0.1"))
    host = f"[{host}]" if ":" in host else host
    scheme = environ.get("wsgi.url_scheme", "http")  # https on Sandbox(tls=True)
    return f"{scheme}://{host}:{environ.get('SERVER_PORT', '80')}"


def _local(url: str, environ: dict[str, Any]) -> str | None:
    """``url`` as a path on this sandbox (console pages only), else None."""
    parts = urlsplit(url)
    hosts = {environ.get("HTTP_HOST", ""), urlsplit(_self_url(environ)).netloc}
    if parts.netloc and (parts.scheme not in ("http", "https") or parts.netloc not in hosts):
        return None
    if parts.path not in (CONSOLE_PATH, SWITCH_ROLE_PATH):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _expires_text(session: ConsoleSession) -> str:
    expiry = session.active.expires_at if session.active else session.expires_at
    return expiry.strftime("%Y-%m-%d %H:%M:%S UTC")


# -- federation ----------------------------------------------------------------------------------
def _federation_refusal(start: StartResponse) -> list[bytes]:
    body = f"<html><body><h1>HTTP Status 400</h1><p>{BAD_CREDENTIALS}</p></body></html>".encode()
    return _reply(start, "400 Bad Request", body)


def _live_role_session(raw: str, duration: str | None) -> ConsoleSession | None:
    """The console session getSigninToken's ``Session`` stands for; None when AWS would refuse."""
    try:
        parsed = json.loads(raw)
        key_id, secret, token = (parsed[k] for k in ("sessionId", "sessionKey", "sessionToken"))
    except (ValueError, KeyError, TypeError):
        return None
    if not all(isinstance(v, str) and v for v in (key_id, secret, token)):
        return None  # long-term keys have no session token: only temporary credentials work
    issued = issued_session(key_id)
    account = issued.role_arn.split(":")[4] if issued else None
    found = None
    for acct in [account] if account else list(sts_backends.keys()):
        backend = sts_backends[acct].get(PARTITION) if acct in sts_backends else None
        found = backend.get_assumed_role_from_access_key(key_id) if backend else None
        if found is not None:
            break
    if found is None or not (
        hmac.compare_digest(found.secret_access_key, secret)
        and hmac.compare_digest(found.session_token, token)
    ):
        return None
    now = CLOCK.now()
    expires = issued.expires_at if issued else found.expiration.replace(tzinfo=now.tzinfo)
    if now >= expires:
        return None
    if duration is not None:
        low, high = SESSION_DURATION_RANGE
        if not duration.isdigit() or not low <= int(duration) <= high:
            return None
        if issued is not None and issued.chained:
            return None  # role-chained credentials cannot ask for a SessionDuration
        expires = now + timedelta(seconds=int(duration))
    role_name = found.role_arn.split("/")[-1]
    return ConsoleSession(
        account_id=found.account_id,
        principal=f"{role_name}/{found.session_name}",
        arn=found.arn,
        keys=Keys(key_id, secret, token),
        expires_at=expires,
        session_name=found.session_name,
        role_name=role_name,
    )


def _federation(environ: dict[str, Any], start: StartResponse) -> list[bytes]:
    query = _form(environ)
    action = query.get("Action", "")
    if action == "getSigninToken":
        session = _live_role_session(query.get("Session", ""), query.get("SessionDuration"))
        if session is None:
            return _federation_refusal(start)
        token, now = secrets.token_urlsafe(96), CLOCK.now()
        with _lock:
            for stale in [t for t, p in _tokens.items() if now >= p.valid_until]:
                del _tokens[stale]
            _tokens[token] = _Pending(session, now + TOKEN_LIFETIME)
        body = json.dumps({"SigninToken": token}).encode()
        return _reply(start, "200 OK", body, "application/json")
    if action == "login":
        with _lock:
            pending = _tokens.get(query.get("SigninToken", ""))
        if pending is None or CLOCK.now() >= pending.valid_until:
            page = message_page("Sign-in failed", "The sign-in token is invalid or has expired.")
            return _reply(start, "400 Bad Request", page)
        target = _local(query.get("Destination", "") or CONSOLE_PATH, environ)
        if target is None:
            page = message_page("Sign-in failed", "Destination is not a sandbox console page.")
            return _reply(start, "400 Bad Request", page)
        return _start_session(start, pending.session, target)
    return _reply(start, "400 Bad Request", message_page("Bad request", "Unknown Action."))


def _start_session(start: StartResponse, session: ConsoleSession, target: str) -> list[bytes]:
    cookie = secrets.token_urlsafe(32)
    with _lock:
        _sessions[cookie] = session
    lifetime = int((session.expires_at - CLOCK.now()).total_seconds())
    return _redirect(start, target, _cookie(cookie, lifetime))


# -- IAM user sign-in ----------------------------------------------------------------------------
def _sign_in_page(error: str | None = None, **fields: str) -> bytes:
    """The sign-in form, its note showing the sandbox's fixed password and MFA code."""

    return sign_in_page(error=error, password=CONSOLE_PASSWORD, mfa_code=SANDBOX_MFA_CODE, **fields)


def _user_session(form: dict[str, str]) -> ConsoleSession | str:
    """The console session of the form's user, or the reason it is refused (BAD_SIGN_IN, or
    what is wrong with the MFA code once the password was right: a sandbox says so)."""
    account = form.get("account", "").strip().lower()
    account = ACCOUNT_ALIASES.get(account, account).replace("-", "")
    name = form.get("username", "").strip()
    if account not in iam_backends:
        return BAD_SIGN_IN
    user = iam_backends[account][PARTITION].users.get(name)
    password = str(getattr(user, "password", None) or "")
    if user is None or not password or not hmac.compare_digest(password, form.get("password", "")):
        return BAD_SIGN_IN
    serial = next(iter(user.mfa_devices), None)
    if serial is not None:
        code = form.get("mfa", "").strip()
        if not code:
            return MFA_MISSING
        if not hmac.compare_digest(code, SANDBOX_MFA_CODE):
            return MFA_WRONG
    key = next((k for k in user.access_keys if k.status == "Active"), None)
    if key is None:
        return BAD_SIGN_IN  # the sandbox console acts through the user's access key
    return ConsoleSession(
        account_id=account,
        principal=name,
        arn=user.arn,
        keys=Keys(key.access_key_id, key.secret_access_key),
        expires_at=CLOCK.now() + USER_SESSION,
        session_name=name,
        mfa_serial=serial,
    )


# -- pages ---------------------------------------------------------------------------------------
def _view(session: ConsoleSession, notice: str | None) -> ConsoleView:
    active = session.active
    return ConsoleView(
        account_id=active.account_id if active else session.account_id,
        principal=f"{active.role_name}/{session.session_name}" if active else session.principal,
        identity_arn=active.identity_arn if active else session.arn,
        signed_in_as=session.principal,
        role_name=active.role_name if active else session.role_name,
        display_name=active.display_name if active else None,
        color=active.color if active else None,
        switched=active is not None,
        expires=_expires_text(session),
        notice=notice
        or (
            "Signed in through the federation endpoint, as a role session."
            if session.role_name and not active
            else None
        ),
        history=session.history,
    )


def _console(environ: dict[str, Any], start: StartResponse) -> list[bytes]:
    cookie, session, notice = _current(environ)
    if environ.get("REQUEST_METHOD") != "POST":
        if session is None:
            return _reply(start, "200 OK", _sign_in_page(error=notice))
        return _reply(start, "200 OK", console_page(_view(session, notice)))
    form = _form(environ)
    action = form.get("action", "")
    if action == "signin":
        signed_in = _user_session(form)
        if isinstance(signed_in, str):
            page = _sign_in_page(
                error=signed_in,
                account=form.get("account", ""),
                user=form.get("username", ""),
                next_url=form.get("next", ""),
            )
            return _reply(start, "401 Unauthorized", page)
        return _start_session(start, signed_in, _local(form.get("next", ""), environ) or "/console")
    if session is None or cookie is None:
        return _redirect(start, CONSOLE_PATH)
    if action == "back":
        with _lock:
            _sessions[cookie] = replace(session, active=None)
        return _redirect(start, CONSOLE_PATH)
    if action == "signout":
        with _lock:
            _sessions.pop(cookie, None)
        return _redirect(start, CONSOLE_PATH, _cookie("", 0))
    return _redirect(start, CONSOLE_PATH)


def _switch_role(environ: dict[str, Any], start: StartResponse) -> list[bytes]:
    cookie, session, _ = _current(environ)
    if session is None or cookie is None:
        here = SWITCH_ROLE_PATH + (
            f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else ""
        )
        return _reply(start, "200 OK", _sign_in_page(next_url=here))
    form = _form(environ)
    values = switch_values(form)
    if environ.get("REQUEST_METHOD") != "POST":
        return _reply(start, "200 OK", switch_role_page(values, signed_in_as=session.arn))
    outcome = assume_as(session, values, _self_url(environ), REGION)
    if isinstance(outcome, tuple):
        status, detail = outcome
        page = switch_role_page(
            values, signed_in_as=session.arn, error=SWITCH_FAILED, detail=detail
        )
        return _reply(start, status, page)
    link = HistoryLink(outcome.display_name or outcome.role_name, outcome.url, outcome.color)
    history = (link, *(h for h in session.history if h.url != link.url))[:_HISTORY]
    with _lock:
        _sessions[cookie] = replace(session, active=outcome, history=history)
    return _redirect(start, CONSOLE_PATH)


_ROUTES: Final = {
    FEDERATION_PATH: _federation,
    CONSOLE_PATH: _console,
    SWITCH_ROLE_PATH: _switch_role,
}


def serve(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """Answer one console request (the paths in :data:`.pages.CONSOLE_PATHS`)."""
    return _ROUTES[environ.get("PATH_INFO", "")](environ, start_response)
