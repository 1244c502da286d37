"""`xacct app` and `xacct lab` work on a machine with no internet: the page asks nothing of any
host but 127.0.0.1, and JupyterLab's news pop-up (which covers the wizards) never appears."""

from __future__ import annotations

import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from support import free_port, jupyter_env, wait_for_json

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _watch_requests(page: Any) -> list[str]:
    """Record (and refuse) every request to a host that is not this machine."""
    outside: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOOPBACK:
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    page.route("**/*", route)
    return outside


def test_voila_app_asks_nothing_of_the_internet(voila_app: Any, browser_page: Any) -> None:
    outside = _watch_requests(browser_page)
    browser_page.goto(voila_app.base_url + "/")
    browser_page.wait_for_selector(".xacct-wizard", timeout=90_000)
    browser_page.wait_for_load_state("networkidle")
    ARTIFACTS.mkdir(exist_ok=True)
    browser_page.screenshot(path=str(ARTIFACTS / "offline-voila-app.png"), full_page=True)
    assert outside == []


def test_xacct_lab_is_offline_and_shows_no_news_popup(
    sandbox: Any, browser_page: Any, tmp_path: Path
) -> None:
    root = tmp_path / "notebooks"  # a copy: JupyterLab autosaves
    shutil.copytree(REPO / "notebooks", root)
    port, token = free_port(), secrets.token_hex(16)
    env = jupyter_env(tmp_path / "home")
    env["XACCT_SANDBOX_URL"] = sandbox.endpoint_url
    env["XACCT_HISTORY"] = str(tmp_path / "history.sqlite3")
    command = [sys.executable, "-m", "xacct_widgets.cli", "lab", "--no-browser"]
    command += ["--port", str(port), "--notebooks", str(root)]
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*command, f"--IdentityProvider.token={token}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_json(f"http://127.0.0.1:{port}/api/status?token={token}", process)
        outside = _watch_requests(browser_page)
        browser_page.goto(f"http://127.0.0.1:{port}/lab?token={token}&reset")
        browser_page.wait_for_selector(".jp-LauncherCard, .jp-Launcher", timeout=90_000)
        deadline = time.monotonic() + 5  # the pop-up comes a moment after the shell
        while time.monotonic() < deadline:
            assert "notified about official Jupyter news" not in browser_page.content()
            time.sleep(0.5)
        ARTIFACTS.mkdir(exist_ok=True)
        browser_page.screenshot(path=str(ARTIFACTS / "offline-xacct-lab.png"))
        assert outside == []
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("xacct lab did not stop on SIGTERM")
