"""The rollout wizard in the Voila app (``xacct app``, its part 4), driven in headless Chromium
(issue 21): tick the organization's accounts, plan (one row per account: create, a destructive
update needing its tick, a blocked account with its reason), apply with the progress bar, read
the result, roll back. Screenshots of the plan, the progress and the result go to
``test-artifacts/`` (ignored by git).

The sandbox runs in its own process (``xacct sandbox``) with 100 ms of latency per request, so
the apply takes long enough to be seen in progress; the module's ``sandbox`` fixture replaces the
session one for this file only (one in-process sandbox per process is the limit).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from support import free_port

import xacct_widgets as xw
from xacct_widgets.core.sessions import assumed_session

pytestmark = pytest.mark.browser

SOURCE = "987654329876"
OAAR = "OrganizationAccountAccessRole"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SECURITY_AUDIT = "arn:aws:iam::aws:policy/SecurityAudit"
ROLE = "cross-account"  # what the app's part 4 pre-fills
SLOW_MS = 120_000  # page loads and plans pay the latency on two shared cores
COUNTS = re.compile(r"(\d+) applied · (\d+) failed · (\d+) skipped of (\d+)")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    """``xacct sandbox`` in its own process: 4 members, 100 ms per request. Its stdout also
    carries export lines with secret keys: read and dropped, never printed."""
    command = [sys.executable, "-m", "xacct_widgets.cli", "sandbox", "--member-accounts", "4"]
    command += ["--latency-ms", "100", "--port", str(free_port())]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    url = ""
    deadline = time.monotonic() + 180
    while not url and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise AssertionError(f"xacct sandbox exited with {process.returncode}")
        if line.startswith("endpoint:"):
            url = line.split(":", 1)[1].strip()
    assert url, "xacct sandbox printed no endpoint in 180 s"
    threading.Thread(target=_drop, args=(process.stdout,), daemon=True).start()
    try:
        yield xw.Sandbox.attach(url)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _drop(stream: Any) -> None:
    for _line in stream:  # keeps the pipe from filling; the lines hold secrets
        pass


def in_member(sandbox: Any, account: str) -> Any:
    """A session acting in a member account through its execution role."""
    mgmt = sandbox.session("management", "admin")
    return assumed_session(mgmt, f"arn:aws:iam::{account}:role/{OAAR}", "rollout-browser")


def role_of(sandbox: Any, account: str) -> Any:
    return xw.TargetAccount(in_member(sandbox, account)).role(ROLE)


def test_rollout_wizard_in_the_voila_app(voila_app, browser_page, wizard_ui, sandbox):
    from playwright.sync_api import expect

    members = sandbox.member_account_ids
    # A role of that name with other permissions: a destructive update, needing its tick.
    xw.TargetAccount(in_member(sandbox, members[1])).apply(
        xw.RoleSpec(name=ROLE, trusted_account=SOURCE, managed_policy_arns=[SECURITY_AUDIT])
    )
    # An execution role someone made trust another account only: that member is blocked.
    locked = members[3]
    nobody = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    in_member(sandbox, locked).client("iam").update_assume_role_policy(
        RoleName=OAAR, PolicyDocument=json.dumps(nobody)
    )

    page = browser_page
    started = time.monotonic()
    page.goto(voila_app.base_url + "/")  # once: every GET of / runs the notebook in a new kernel
    indicator = page.locator(".xacct-rollout-wizard .xacct-step-indicator")
    expect(indicator).to_contain_text("(accounts)", timeout=SLOW_MS)
    ui = wizard_ui(page, "xacct-rollout-wizard")
    boxes = ui.root.locator(".xacct-rollout-account")
    expect(boxes).to_have_count(5, timeout=SLOW_MS)  # the management account and 4 members
    expect(ui.root.locator(".xacct-rollout-management")).to_contain_text("management account")
    voila_app.timings["page to rollout wizard"] = time.monotonic() - started

    ui.next("spec")
    ui.expect(ui.control("xacct-rollout-name")).to_have_value(ROLE)
    ui.expect(ui.control("xacct-rollout-trusted")).to_have_value(SOURCE)
    ui.part("xacct-next").click()  # Plan →: reads every account
    expect(indicator).to_contain_text("(plan)", timeout=SLOW_MS)
    ui.idle()
    rows = {row[0]: row for row in ui.rows("xacct-rollout-plan-table")}
    actions = {account: row[3] for account, row in rows.items()}
    assert actions == {
        xw.Sandbox.MANAGEMENT: "create",
        members[0]: "create",
        members[1]: "update",
        members[2]: "create",
        locked: "blocked",
    }, actions
    assert f"{OAAR} cannot be assumed" in rows[locked][6]  # the reason, in words
    red = ui.root.locator(".xacct-rollout-plan-table tr.xacct-destructive")
    expect(red).to_have_count(1)
    expect(red).to_contain_text(members[1])
    ui.expect(ui.part("xacct-rollout-apply")).to_be_disabled()  # the red row is not ticked
    ui.screenshot("rollout-plan.png")

    tick = ui.root.locator(".xacct-rollout-destructive-tick input")
    tick.check()
    ui.part("xacct-rollout-apply").click()
    # Caught while running: the bar shown, fewer accounts reported than to apply.
    seen = page.wait_for_function(
        """([css, total]) => {
          const label = document.querySelector(css);
          const m = label && /(\\d+) applied · (\\d+) failed · (\\d+) skipped of (\\d+)/
            .exec(label.textContent);
          return m && +m[4] === total && (+m[1] + +m[2] + +m[3]) < total ? m[0] : false;
        }""",
        arg=[".xacct-rollout-wizard .xacct-rollout-progress-label", 4],
        timeout=SLOW_MS,
        polling=50,
    ).json_value()
    ui.screenshot("rollout-progress.png")
    print(f"progress caught at: {seen}")
    assert COUNTS.fullmatch(seen)

    expect(indicator).to_contain_text("(result)", timeout=SLOW_MS)
    ui.idle()
    ui.no_error()
    result = {row[0]: row[1] for row in ui.rows("xacct-rollout-result")}
    assert result == {
        xw.Sandbox.MANAGEMENT: "applied",
        members[0]: "applied",
        members[1]: "applied",
        members[2]: "applied",
        locked: "skipped",
    }, result
    final = ui.root.locator(".xacct-rollout-progress-label").filter(visible=True)
    expect(final).to_have_text("4 applied · 0 failed · 0 skipped of 4")
    ui.screenshot("rollout-result.png")
    assert role_of(sandbox, members[1]).managed_policy_arns == (READ_ONLY,)

    ui.part("xacct-rollout-rollback").click()
    expect(ui.root.locator(".xacct-rollout-rollback-result table")).to_be_visible(timeout=SLOW_MS)
    ui.idle()
    ui.no_error()
    undone = {row[0]: row[1] for row in ui.rows("xacct-rollout-rollback-result")}
    assert set(undone.values()) == {"rolled_back"} and len(undone) == 4, undone
    assert role_of(sandbox, members[1]).managed_policy_arns == (SECURITY_AUDIT,)
    for account in (members[0], members[2]):
        with pytest.raises(xw.RoleNotFound):
            role_of(sandbox, account)
    assert "Traceback" not in page.locator("body").inner_text()
    assert not page.page_errors, page.page_errors
    print(f"timings: {voila_app.timings}")
