"""The "Take these roles elsewhere" panel (``RoleExportPanel``) in real JupyterLab, notebook 02.

After Run All the prod role (cross-account @ 1234-5678-1234, green) is active and ticked. Driven
by clicks, tab by tab: the AWS CLI profiles (Show changes -> the diff, Write -> the count and the
backup, Show changes again -> unchanged; the file on disk checked), the extension's config and
its copy button (the real clipboard), the bookmarks file's download link (a ``data:`` URL decoded
here), and "Get console link as prod" (issue 20, item 4).

The console button shows a sign-in link that the page's own browser opens (a click on the anchor
opens a new tab), never ``webbrowser.open`` in the kernel: this module's ``lab_env`` sets
``BROWSER`` (which the stdlib's ``webbrowser`` runs as ``$BROWSER URL``) to a script that
appends the URL to a file, and that file must stay absent. The link is removed from the page
after its minute; then the saved notebook (widget state included) and the page are scanned for
its token. Screenshots: ``test-artifacts/lab-role-exports-*.png`` and
``lab-console-opened.png``.
"""

from __future__ import annotations

import base64
import json
import re
import stat
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import issued_secrets, make_role

import xacct_widgets as xw

pytestmark = pytest.mark.browser

NOTEBOOK = "02_switch_role_from_source.ipynb"
TARGET = "123456781234"
ROLE = "cross-account"
ROLE_ARN = f"arn:aws:iam::{TARGET}:role/{ROLE}"
#: The AWS config file the panel writes in this test (the notebook's own is xacct-aws-config).
UI_CONFIG = "xacct-aws-config-ui"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
TALL = {"width": 1400, "height": 1700}


@pytest.fixture(scope="module")
def opened_urls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The file the kernel's ``webbrowser.open`` appends URLs to (through ``BROWSER``)."""
    return tmp_path_factory.mktemp("browser-capture") / "opened-urls.txt"


@pytest.fixture(scope="module")
def lab_env(opened_urls: Path) -> dict[str, str]:
    """``BROWSER``: a script recording the URL; lab user settings that save widget state."""
    script = opened_urls.with_name("record-url")
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{opened_urls}'\n")
    script.chmod(stat.S_IRWXU)
    settings = opened_urls.parent / "lab-user-settings"
    plugin = settings / "@jupyter-widgets" / "jupyterlab-manager"
    plugin.mkdir(parents=True)
    # Saving widget state makes the secrecy scan cover it (off by default in JupyterLab).
    (plugin / "plugin.jupyterlab-settings").write_text(json.dumps({"saveState": True}))
    return {
        "BROWSER": str(script),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "XACCT_CONSOLE_LINK_SECONDS": "20",  # the link's expiry, sooner than the default minute
    }


def tab(ui, title: str) -> None:
    ui.root.locator(".xacct-export-tabs .lm-TabBar-tab", has_text=title).click()


def save_notebook(page, path: Path) -> dict:
    """File -> Save Notebook, then the file as saved (waits for a write newer than before)."""
    before = path.stat().st_mtime_ns
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^File$")).click()
    page.locator(".lm-Menu-item:visible", has_text=re.compile(r"^Save Notebook(?! As)")).click()
    for _ in range(100):
        if path.stat().st_mtime_ns > before:
            break
        page.wait_for_timeout(200)
    else:
        raise AssertionError(f"{path.name} was not saved")
    page.wait_for_timeout(500)  # let the contents API finish writing
    return json.loads(path.read_text())


def test_role_export_panel_in_notebook_02(notebook_ui, wizard_ui, lab, sandbox, opened_urls):
    iam = sandbox.session("target", "admin").client("iam")
    if ROLE not in {r["RoleName"] for r in iam.list_roles()["Roles"]}:
        make_role(sandbox)  # part A first: notebook 02 never creates the role
    nb = notebook_ui.open(NOTEBOOK).run_all()
    nb.assert_clean()
    page = nb.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab.base_url)
    page.set_viewport_size(TALL)  # the whole panel fits the notebook's scroll area (screenshots)
    ui = wizard_ui(page, "xacct-role-exports")
    ui.root.scroll_into_view_if_needed()
    ui.idle()
    ui.no_error()
    picks = ui.root.locator(".xacct-pick")
    ui.expect(picks).to_have_count(1)
    ui.expect(picks.locator("input")).to_be_checked()
    ui.expect(picks).to_contain_text("prod")
    ui.expect(ui.part("xacct-export-choice")).to_contain_text("1 of 1 role chosen")

    # -- AWS CLI profiles: a config file of the operator's own, with a comment and a profile
    # written by hand; the panel is pointed at it.
    config = lab.root / UI_CONFIG
    original = (
        "# my AWS config: kept as it is\n"
        f"[profile operator]\nregion = {sandbox.region}\nendpoint_url = {sandbox.endpoint_url}\n"
        "\n[profile hand-made]\nregion = eu-west-1 # mine\n"
    )
    config.write_text(original)
    ui.expect(ui.control("xacct-export-source-profile")).to_have_value("operator")
    ui.type("xacct-export-config-path", UI_CONFIG)
    write = ui.part("xacct-export-write")
    ui.expect(write).to_be_disabled()  # no diff shown yet
    ui.click("xacct-export-show")
    ui.no_error()
    header = ui.table("xacct-profile-diff-table").locator("thead th").all_inner_texts()
    assert header[:2] == ["profile", "action"], header
    rows = ui.rows("xacct-profile-diff-table")
    assert [row[:3] for row in rows] == [["prod", "add", ROLE_ARN]], rows
    ui.expect(ui.part("xacct-status")).to_contain_text("1 profile to write")
    assert config.read_text() == original  # nothing written by Show changes
    ui.expect(write).to_contain_text("Write 1 profile")
    ui.click("xacct-export-write")
    ui.no_error()
    ui.expect(ui.part("xacct-status")).to_contain_text("Wrote 1 profile.")
    note = ui.part("xacct-export-note")
    ui.expect(note).to_contain_text(f"Wrote 1 profile to {UI_CONFIG}")
    ui.expect(note).to_contain_text(re.compile(rf"saved as \S*{UI_CONFIG}\.xacct-backup-"))
    backups = list(lab.root.glob(f"{UI_CONFIG}.xacct-backup-*"))
    assert len(backups) == 1 and backups[0].read_text() == original, backups
    ui.screenshot("lab-role-exports-profiles.png")

    written = config.read_text()
    assert written.startswith(original), written  # the file's own lines, byte for byte
    profiles = xw.aws_config_profiles(config).set_index("profile")
    prod = profiles.loc["prod"]
    assert (prod["role_arn"], prod["source_profile"]) == (ROLE_ARN, "operator"), prod
    assert prod["account_id"] == TARGET and str(prod["color"]).upper() == "B7CA9D", prod
    assert "hand-made" not in profiles.index  # no role_arn: not a role profile, but kept
    assert "[profile hand-made]\nregion = eu-west-1 # mine\n" in written

    # A second Show changes: the file already has the profile; Write stays off.
    ui.click("xacct-export-show")
    ui.expect(ui.table("xacct-profile-diff-table")).to_contain_text("unchanged")
    rows = ui.rows("xacct-profile-diff-table")
    assert [row[:2] for row in rows] == [["prod", "unchanged"]], rows
    ui.expect(ui.part("xacct-status")).to_contain_text("Nothing to change")
    ui.expect(write).to_be_disabled()
    assert config.read_text() == written

    # -- Extension config: the esr_config text, and the copy button puts it on the clipboard.
    tab(ui, "Extension config")
    text = ui.control("xacct-extension-config", "textarea")
    ui.expect(text).to_be_visible()
    config_text = text.input_value()
    assert config_text.strip(), "empty extension config"
    assert config_text == xw.esr_config([xw.switch_role_url(TARGET, ROLE, "prod", "Green")])
    found = xw.parse_esr_config(config_text)
    assert found[["account_id", "role_name", "display_name"]].values.tolist() == [
        [TARGET, ROLE, "prod"]
    ], found
    copy = ui.root.locator(".xacct-extension-copy .xacct-copy-button")
    copy.click()
    ui.expect(copy).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == config_text
    ui.screenshot("lab-role-exports-extension.png")

    # -- Bookmarks file: a data: URL download of a Netscape bookmarks file.
    tab(ui, "Bookmarks file")
    link = ui.root.locator(".xacct-bookmarks-link a.xacct-bookmarks-download")
    ui.expect(link).to_be_visible()
    ui.expect(link).to_have_attribute("download", "aws-roles.html")
    href = link.get_attribute("href") or ""
    prefix = "data:text/html;base64,"
    assert href.startswith(prefix), href[:60]
    bookmarks = base64.b64decode(href[len(prefix) :]).decode("utf-8")
    assert bookmarks.startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>"), bookmarks[:80]
    marks = xw.parse_bookmarks_html(bookmarks)
    assert marks[["account_id", "role_name", "display_name"]].values.tolist() == [
        [TARGET, ROLE, "prod"]
    ], marks
    ui.expect(ui.part("xacct-bookmarks-count")).to_have_text("(1 bookmark)")

    # -- Console: the button shows a link; the page's browser opens it, the kernel nothing.
    tab(ui, "Console")
    console = ui.part("xacct-export-console")
    ui.expect(console).to_have_text(re.compile(r"Get console link as prod"))
    ui.click("xacct-export-console")
    ui.no_error()
    link = ui.root.locator("a.xacct-console-link")
    ui.expect(link).to_contain_text("Open the console as prod")
    ui.expect(link).to_have_attribute("target", "_blank")
    ui.screenshot("lab-role-exports-console-link.png")
    url = link.get_attribute("href") or ""
    assert urlsplit(url).netloc == urlsplit(sandbox.endpoint_url).netloc, url[:40]
    query = parse_qs(urlsplit(url).query)
    assert query["Action"] == ["login"], query.keys()
    token = query["SigninToken"][0]
    assert len(token) >= 16 and token != "[redacted]"
    secrets = {token, *issued_secrets()}  # collected before the login spends the token

    with page.context.expect_page() as opened:
        link.click()  # the operator's browser opens it: a new tab
    console_page = opened.value
    try:
        console_page.wait_for_load_state()
        ui.expect(console_page).to_have_url(re.compile(r"/console$"))  # token gone from it
        ui.expect(console_page.locator(".xacct-console-role")).to_have_text(ROLE)
        ui.expect(console_page.locator(".xacct-console-account")).to_have_text("1234-5678-1234")
        # A federation sign-in is a console session of the role's own: AWS carries no display
        # name or colour in it (those live in the console's switch-role history), so the page
        # names the role session, as the console's account menu does.
        banner = console_page.locator(".xacct-console-banner")
        ui.expect(banner).to_have_text(re.compile(rf"^{ROLE}/\S+ @ 1234-5678-1234$"))
        ui.expect(console_page.locator("main")).to_contain_text("federation endpoint")
        ui.expect(console_page.locator(".xacct-console-arn")).to_contain_text(
            f"arn:aws:sts::{TARGET}:assumed-role/{ROLE}/"
        )
        console_page.screenshot(path=str(ui.screenshot_dir / "lab-console-opened.png"))
        assert token not in console_page.content()
    finally:
        console_page.close()

    assert not opened_urls.exists(), "the kernel opened a browser"

    # -- The link goes after its minute; then the token is nowhere in the lab: not in the page,
    # not in the saved notebook (its outputs and widget state), no unmasked "SigninToken=".
    ui.expect(link).to_have_count(0, timeout=90_000)
    html = page.content()
    assert not [s[:4] for s in secrets if s in html]
    saved_text = json.dumps(save_notebook(page, lab.root / NOTEBOOK))
    state = json.loads(saved_text)["metadata"].get("widgets", {}).get(WIDGET_STATE, {})
    assert "Get console link as prod" in json.dumps(state), "widget state was not saved"
    assert not [s[:4] for s in secrets if s in saved_text]
    assert not re.findall(r"SigninToken(?:=|%3D)(?!\[redacted\]|%5Bredacted%5D)", saved_text)
    assert "SigninToken=[redacted]" in saved_text  # the masked repr of the last cell
    assert not page.page_errors, page.page_errors
