"""``xacct profiles`` and ``xacct console`` against the sandbox: a role profile written by
``export_profiles`` opens the (sandbox) console as that role, as ``aws-vault login`` would.

Federation: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html
Role profiles: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-role.html
"""

from __future__ import annotations

import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import EXTERNAL_ID, ROLE, TARGET, VENDOR_ROLE

from xacct_widgets import cli
from xacct_widgets.core.profiles import (
    RoleRef,
    export_profiles,
    open_profile_console,
    profile_console_url,
)
from xacct_widgets.errors import InvalidInput

PROD = RoleRef(TARGET, ROLE, display_name="prod", color="Green")
VENDOR = RoleRef(TARGET, VENDOR_ROLE, external_id=EXTERNAL_ID, profile="vendor")


def test_profiles_lists_the_exported_roles(aws_files, capsys) -> None:
    export_profiles([PROD, VENDOR], source_profile="operator")
    assert cli.main(["profiles"]) == 0
    out = capsys.readouterr().out
    assert "prod" in out and "vendor" in out and TARGET in out and VENDOR_ROLE in out


def test_profiles_says_when_there_are_none(aws_files, capsys) -> None:
    assert cli.main(["profiles"]) == 1
    assert "No role profiles" in capsys.readouterr().err


def test_console_opens_the_sandbox_console_as_the_profiles_role(fresh_sandbox, aws_files):
    export_profiles([PROD, VENDOR], source_profile="operator")
    opened: list[str] = []
    assert open_profile_console("vendor", opener=lambda url: opened.append(url) or True)
    (url,) = opened
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == fresh_sandbox.endpoint_url
    query = parse_qs(parts.query)
    assert query["Action"] == ["login"] and query["SigninToken"][0]
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with browser.open(url) as page:  # the login sets the cookie and redirects to the console
        html = page.read().decode()
    assert f"assumed-role/{VENDOR_ROLE}/" in html and TARGET in html


def test_console_url_hides_its_token_and_refuses_non_role_profiles(aws_files):
    export_profiles([PROD], source_profile="operator")
    url = profile_console_url("prod")
    token = parse_qs(urlsplit(str(url)).query)["SigninToken"][0]
    assert token not in repr(url) and "SigninToken=[redacted]" in repr(url)
    with pytest.raises(InvalidInput, match="not a role profile"):
        profile_console_url("operator")


def test_xacct_console_without_a_browser_says_how(aws_files, monkeypatch, capsys):
    export_profiles([PROD], source_profile="operator")
    monkeypatch.setattr("webbrowser.open", lambda url: False)
    assert cli.main(["console", "prod"]) == 1
    captured = capsys.readouterr()
    assert "xacct console prod --url" in captured.err
    assert "SigninToken" not in captured.out + captured.err


@pytest.mark.allow_secret_output
def test_xacct_console_url_prints_the_sign_in_url(fresh_sandbox, aws_files, capsys):
    export_profiles([PROD], source_profile="operator")
    assert cli.main(["console", "prod", "--url"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith(fresh_sandbox.endpoint_url + "/federation?Action=login")


def test_xacct_console_unknown_profile_is_a_clear_error(aws_files, capsys):
    assert cli.main(["console", "nope"]) == 2
    assert "not a role profile" in capsys.readouterr().err
