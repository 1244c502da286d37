"""The sandbox console over HTTP: the federation endpoint, IAM user sign-in, switch role."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlencode, urlsplit

import boto3
import pytest
from helpers import ROLE, ROLE_ARN, SOURCE, TARGET, issued_secrets, make_role

from xacct_widgets.sandbox.console.pages import SWITCH_FAILED
from xacct_widgets.sandbox.seed import CONSOLE_PASSWORD


class Browser:
    """Just enough of a browser: one cookie, no redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = urlsplit(base)
        self.cookie: str | None = None
        self.pages: list[str] = []

    def request(self, method: str, path: str, form: dict[str, str] | None = None):
        conn = http.client.HTTPConnection(self.base.hostname, self.base.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body, headers)
        answer = conn.getresponse()
        text = answer.read().decode()
        found = dict(answer.getheaders())
        conn.close()
        if "Set-Cookie" in found:
            self.cookie = found["Set-Cookie"].split(";")[0]
        self.pages.append(text)
        return answer.status, found, text

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]):
        return self.request("POST", path, form)

    def sign_in(self, user: str = "operator", mfa: str = "123456", account: str = SOURCE):
        form = {"action": "signin", "account": account, "username": user}
        return self.post("/console", {**form, "password": CONSOLE_PASSWORD, "mfa": mfa})


def federation(sandbox, **query: str):
    return Browser(sandbox.endpoint_url).get("/federation?" + urlencode(query))


def session_json(credentials: dict[str, str]) -> str:
    return json.dumps(
        {
            "sessionId": credentials["AccessKeyId"],
            "sessionKey": credentials["SecretAccessKey"],
            "sessionToken": credentials.get("SessionToken", ""),
        }
    )


@pytest.fixture
def role_credentials(fresh_sandbox):
    make_role(fresh_sandbox)
    sts = fresh_sandbox.session("source", "operator").client("sts")
    return sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="operator")["Credentials"]


def sign_in_token(sandbox, credentials, **extra: str) -> str:
    status, _, body = federation(
        sandbox, Action="getSigninToken", Session=session_json(credentials), **extra
    )
    assert status == 200, body
    return json.loads(body)["SigninToken"]


# -- getSigninToken ------------------------------------------------------------------------------
def test_live_role_credentials_get_a_sign_in_token(fresh_sandbox, role_credentials):
    assert len(sign_in_token(fresh_sandbox, role_credentials)) > 40
    assert sign_in_token(fresh_sandbox, role_credentials, SessionDuration="43200")


def refused(sandbox, session: str, **extra: str) -> None:
    status, _, body = federation(sandbox, Action="getSigninToken", Session=session, **extra)
    assert status == 400 and "Invalid credentials parameter" in body


def test_long_term_keys_garbage_and_wrong_secrets_are_refused(fresh_sandbox, role_credentials):
    operator = fresh_sandbox._principal("source", "operator")
    long_term = {
        "AccessKeyId": operator["access_key_id"],
        "SecretAccessKey": operator["secret_access_key"],
    }
    refused(fresh_sandbox, session_json(long_term))
    refused(fresh_sandbox, "not json")
    refused(fresh_sandbox, session_json({**role_credentials, "SecretAccessKey": "wrong"}))
    refused(fresh_sandbox, session_json({**role_credentials, "SessionToken": "forged"}))
    refused(fresh_sandbox, session_json(role_credentials), SessionDuration="899")
    refused(fresh_sandbox, session_json(role_credentials), SessionDuration="43201")


def test_expired_role_credentials_are_refused(fresh_sandbox, role_credentials):
    sign_in_token(fresh_sandbox, role_credentials)
    fresh_sandbox.advance_clock(3601)
    refused(fresh_sandbox, session_json(role_credentials))


def test_chained_credentials_may_not_ask_for_a_session_duration(fresh_sandbox):
    make_role(fresh_sandbox, "hop", policy_arns=("arn:aws:iam::aws:policy/AdministratorAccess",))
    second = make_role(fresh_sandbox, "second", trusted=TARGET)
    sts = fresh_sandbox.session("source", "operator").client("sts")
    hop = sts.assume_role(RoleArn=f"arn:aws:iam::{TARGET}:role/hop", RoleSessionName="op")
    chained_sts = boto3.client(
        "sts",
        endpoint_url=fresh_sandbox.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=hop["Credentials"]["AccessKeyId"],
        aws_secret_access_key=hop["Credentials"]["SecretAccessKey"],
        aws_session_token=hop["Credentials"]["SessionToken"],
    )
    chained = chained_sts.assume_role(RoleArn=second, RoleSessionName="op")["Credentials"]
    assert sign_in_token(fresh_sandbox, chained)
    refused(fresh_sandbox, session_json(chained), SessionDuration="3600")


# -- login ---------------------------------------------------------------------------------------
def test_login_sets_an_http_only_cookie_and_redirects(fresh_sandbox, role_credentials):
    token = sign_in_token(fresh_sandbox, role_credentials)
    browser = Browser(fresh_sandbox.endpoint_url)
    destination = f"{fresh_sandbox.endpoint_url}/console"
    query = {"Action": "login", "Issuer": "test", "Destination": destination, "SigninToken": token}
    status, headers, _ = browser.get("/federation?" + urlencode(query))
    assert status == 302 and headers["Location"] == "/console"
    assert "HttpOnly" in headers["Set-Cookie"] and token not in headers["Set-Cookie"]
    status, _, page = browser.get("/console")
    assert status == 200
    assert f"arn:aws:sts::{TARGET}:assumed-role/{ROLE}/operator" in page
    assert "1234-5678-1234" in page and "xacct-console-role'>cross-account<" in page


def test_login_refuses_bad_tokens_and_foreign_destinations(fresh_sandbox, role_credentials):
    token = sign_in_token(fresh_sandbox, role_credentials)
    browser = Browser(fresh_sandbox.endpoint_url)
    bad = {"Action": "login", "Destination": "/console", "SigninToken": "nope"}
    assert browser.get("/federation?" + urlencode(bad))[0] == 400
    foreign = {**bad, "SigninToken": token, "Destination": "https://evil.example/console"}
    assert browser.get("/federation?" + urlencode(foreign))[0] == 400
    fresh_sandbox.advance_clock(15 * 60 + 1)  # the URL works for 15 minutes
    late = {**bad, "SigninToken": token}
    assert browser.get("/federation?" + urlencode(late))[0] == 400
    assert browser.cookie is None


# -- IAM user sign-in and switch role ------------------------------------------------------------
def test_sign_in_needs_the_password_and_the_mfa_code(fresh_sandbox):
    browser = Browser(fresh_sandbox.endpoint_url)
    status, _, page = browser.get("/console")
    assert status == 200 and "Sign in as IAM user" in page
    wrong = {"action": "signin", "account": SOURCE, "username": "operator", "password": "x"}
    status, _, page = browser.post("/console", wrong)
    assert status == 401 and "Your authentication information is incorrect" in page
    assert browser.sign_in(mfa="")[0] == 401  # operator has an MFA device
    status, headers, _ = browser.sign_in()
    assert status == 302 and headers["Location"] == "/console"
    page = browser.get("/console")[2]
    assert f"arn:aws:iam::{SOURCE}:user/operator" in page and "Switch role" in page
    assert 'name="password" value=""' in "\n".join(browser.pages)  # never echoed into the field
    assert CONSOLE_PASSWORD not in page  # shown only on the sign-in form
    assert CONSOLE_PASSWORD not in fresh_sandbox.principals().to_string()


def test_sign_in_form_shows_the_sandbox_password_and_mfa_code(fresh_sandbox):
    """Issue 20, item 4: the form shows the fixed password and code, not "documented password"."""
    page = Browser(fresh_sandbox.endpoint_url).get("/console")[2]
    assert f"<code class='xacct-console-password'>{CONSOLE_PASSWORD}</code>" in page
    assert f"<code class='xacct-console-mfa-code'>{fresh_sandbox.MFA_CODE}</code>" in page
    assert "documented password" not in page


def test_sign_in_says_when_the_mfa_code_is_missing_or_wrong(fresh_sandbox):
    """Issue 20, item 4: a forgotten MFA code is named, not "authentication information"."""
    browser = Browser(fresh_sandbox.endpoint_url)
    status, _, page = browser.sign_in(mfa="")
    assert status == 401 and "This user has an MFA device: type its MFA code" in page
    assert "authentication information is incorrect" not in page
    status, _, page = browser.sign_in(mfa="000000")
    assert status == 401 and "The MFA code is wrong" in page
    wrong = {"action": "signin", "account": SOURCE, "username": "operator", "password": "x"}
    page = browser.post("/console", wrong)[2]  # a wrong password says nothing about MFA
    assert "authentication information is incorrect" in page and "MFA code is wrong" not in page
    assert browser.cookie is None


def test_switch_role_url_prefills_the_form_and_switches(fresh_sandbox):
    make_role(fresh_sandbox, require_mfa=True)  # the console session carries MFA
    browser = Browser(fresh_sandbox.endpoint_url)
    link = f"/switchrole?roleName={ROLE}&account={TARGET}&displayName=prod&color=B7CA9D"
    status, _, page = browser.get(link)
    assert "Sign in as IAM user" in page and "switchrole?roleName" in page  # comes back after
    status, headers, _ = browser.post(
        "/console",
        {
            "action": "signin",
            "account": "source",
            "username": "operator",
            "password": CONSOLE_PASSWORD,
            "mfa": fresh_sandbox.MFA_CODE,
            "next": link,
        },
    )
    assert status == 302 and headers["Location"] == link
    page = browser.get(headers["Location"])[2]
    assert f'value="{TARGET}"' in page and f'value="{ROLE}"' in page and 'value="prod"' in page
    assert "value='B7CA9D' checked" in page
    form = {"account": TARGET, "roleName": ROLE, "displayName": "prod", "color": "B7CA9D"}
    status, headers, _ = browser.post("/switchrole", form)
    assert status == 302 and headers["Location"] == "/console"
    page = browser.get("/console")[2]
    assert "prod @ 1234-5678-1234" in page and "background:#B7CA9D" in page
    assert f"assumed-role/{ROLE}/operator" in page and "Back to operator" in page
    browser.post("/console", {"action": "back"})
    page = browser.get("/console")[2]
    assert "Back to operator" not in page and "user/operator" in page
    assert "prod" in page  # the role history keeps it
    leaked = [s[:4] for s in issued_secrets() if any(s in p for p in browser.pages)]
    assert not leaked


def test_switch_refused_shows_the_consoles_error(fresh_sandbox):
    make_role(fresh_sandbox)
    browser = Browser(fresh_sandbox.endpoint_url)
    assert browser.sign_in("intern")[0] == 302  # intern may not call sts:AssumeRole
    status, _, page = browser.post("/switchrole", {"account": TARGET, "roleName": ROLE})
    assert status == 403 and SWITCH_FAILED in page
    assert (
        f"User: arn:aws:iam::{SOURCE}:user/intern is not authorized to perform: "
        f"sts:AssumeRole on resource: {ROLE_ARN}" in page
    )
    assert "Back to" not in browser.get("/console")[2]


def test_unknown_action_and_no_session(fresh_sandbox):
    browser = Browser(fresh_sandbox.endpoint_url)
    assert federation(fresh_sandbox, Action="nothing")[0] == 400
    status, _, page = browser.post("/switchrole", {"account": TARGET, "roleName": ROLE})
    assert status == 200 and "Sign in as IAM user" in page and browser.cookie is None
