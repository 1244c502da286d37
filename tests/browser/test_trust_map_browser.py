"""The trust map in the Voila app (``xacct app``, its part 5), in headless Chromium (issue 22):
the interactive picture (TrustMapGraph's own ES module, served by anywidget with no CDN) draws
the sandbox organization; a real mouse click on an edge drawn on the canvas shows both
statements, and "Switch into this role" switches for real. Screenshot:
``test-artifacts/trust-map-edge.png`` (ignored by git)."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.browser

SLOW_MS = 120_000  # the page runs every part's cell (and the collect) on two shared cores
GRAPH = ".xacct-trustmap-graph"


def test_click_an_edge_in_the_trust_map(voila_app, browser_page, fresh_sandbox):
    from playwright.sync_api import expect

    page = browser_page
    member = sorted(fresh_sandbox.member_account_ids)[0]
    admin = f"arn:aws:iam::{fresh_sandbox.MANAGEMENT}:user/admin"
    auditor = f"arn:aws:iam::{member}:role/auditor"  # trusts the management account's root
    started = time.monotonic()
    page.goto(voila_app.base_url + "/")  # once: every GET of / runs the notebook in a new kernel
    view = page.locator(".xacct-trustmap")
    canvas = page.locator(".xacct-trustmap-canvas")
    expect(canvas).to_be_visible(timeout=SLOW_MS)
    page.wait_for_function(
        f"document.querySelector('{GRAPH}').dataset.edgesShown > 0", timeout=SLOW_MS
    )
    voila_app.timings["page to trust map"] = time.monotonic() - started
    body = page.locator("body").inner_text()
    assert "Who can switch where" in body and "Traceback" not in body
    assert "Loading widget" not in body

    # Fewer lines on the canvas: the edges that touch the member account (a name filter,
    # typed in the view's box, synced to the picture through the kernel).
    every = page.evaluate(f"document.querySelector('{GRAPH}').trustMap.shown().length")
    view.locator(".xacct-trustmap-search input").fill(member)
    page.wait_for_function(
        f"document.querySelector('{GRAPH}').trustMap.shown().length < {every}", timeout=SLOW_MS
    )
    row = page.evaluate(
        f"([p, r]) => document.querySelector('{GRAPH}').trustMap.rowOf(p, r)", [admin, auditor]
    )
    assert row is not None, "no admin -> auditor edge in the picture"
    page.wait_for_function(
        f"document.querySelector('{GRAPH}').trustMap.edgePoint({row}) !== null", timeout=SLOW_MS
    )
    canvas.scroll_into_view_if_needed()
    point = page.evaluate(f"document.querySelector('{GRAPH}').trustMap.edgePoint({row})")
    page.mouse.move(point["x"], point["y"])
    page.mouse.click(point["x"], point["y"])

    details = view.locator(".xacct-trustmap-details")
    expect(details).to_contain_text("Identity side", timeout=SLOW_MS)
    expect(details).to_contain_text("Trust side")
    expect(details).to_contain_text(auditor)
    expect(details).to_contain_text(admin)
    expect(details).to_contain_text(f"arn:aws:iam::{fresh_sandbox.MANAGEMENT}:root")
    switch = view.locator(".xacct-trustmap-switch button, button.xacct-trustmap-switch")
    expect(switch).to_be_enabled()
    page.mouse.move(1, 1)  # the hover text off the picture
    page.set_viewport_size({"width": 1400, "height": 1800})  # the statements too
    page.screenshot(path=str(_artifact("trust-map-edge.png")), full_page=True)

    switch.click()
    expect(view.locator(".xacct-trustmap-status")).to_contain_text(
        f"Switched into {auditor}", timeout=SLOW_MS
    )
    assert not page.page_errors, page.page_errors
    print(f"timings: {voila_app.timings}")


def _artifact(name: str):
    from conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
