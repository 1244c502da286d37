"""JupyterLab's status-bar item (issue 23) in headless Chromium: two notebooks switched into two
roles, the item following the focused one, red once the sandbox clock leaves under 5 minutes,
Back from its menu, a kernel restart (nothing shown, then the new state), a reloaded page, and
the time from a switch to the item's update, printed. Screenshots go to ``test-artifacts/``.

Needs the extension built and linked into the venv (``./run`` does both: labextension/).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from helpers import ROLE, TARGET, issued_secrets, make_role

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ITEM = ".xacct-status-item"
VISIBLE = ".jp-NotebookPanel:not(.lm-mod-hidden)"
#: What the operator would do: a switcher, its inline bar, and a switch from a cell.
CELLS = [
    "import xacct_widgets as xw\n"
    "switcher = xw.RoleSwitcher(xw.connect('source', 'operator'))\n"
    "bar = xw.RoleSwitcherBar(switcher)\n"
    "bar",
    "switcher.switch('{account}', '{role}', display_name='{label}', color='{color}')",
]
GREEN, PINK = "B7CA9D", "F2B0A9"


def _notebook(root: Path, name: str, role: str, label: str, color: str) -> str:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    values = {"account": TARGET, "role": role, "label": label, "color": color}
    notebook.cells = [nbformat.v4.new_code_cell(c.format(**values)) for c in CELLS]
    nbformat.write(notebook, root / name)
    return name


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def _extension_known() -> bool:
    listing = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "list"],
        capture_output=True,
        text=True,
        check=False,
    )
    return "xacct-widgets" in listing.stdout + listing.stderr


def _tab(page, name: str) -> None:
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=name).click()


def _menu_item(page, text: str):
    return page.locator(".xacct-status-menu .lm-Menu-item", has_text=text)


@pytest.fixture
def sandbox_reset_after(sandbox):
    """This test moves the shared sandbox's clock: leave the sandbox as later tests expect."""
    yield sandbox
    sandbox.reset()


def test_the_status_bar_follows_the_focused_notebooks_role(
    browser_page, lab, notebook_ui, sandbox_reset_after
):
    sandbox = sandbox_reset_after
    from playwright.sync_api import expect

    if not _extension_known():
        pytest.fail("the xacct-widgets JupyterLab extension is not installed: run ./run test")
    make_role(sandbox)
    make_role(sandbox, "auditor")
    first = _notebook(lab.root, "status_prod.ipynb", ROLE, "prod", GREEN)
    second = _notebook(lab.root, "status_audit.ipynb", "auditor", "audit", PINK)
    page = browser_page
    item = page.locator(ITEM)

    notebook_ui.open(first)
    expect(item).to_have_attribute("data-xacct-state", "empty")  # no switcher in the kernel yet
    notebook_ui.run_all()
    expect(item).to_have_attribute("data-xacct-role", ROLE)
    expect(item).to_have_attribute("data-xacct-state", "ok")
    expect(item).to_contain_text("prod")
    expect(item).to_contain_text("1234-5678-1234")
    expect(item).to_contain_text(re.compile(r"(59|60) min left"))
    pill = item.locator(".xacct-status-pill")
    expect(pill).to_have_css("background-color", "rgb(183, 202, 157)")
    _shot(page, "status-bar-prod.png")

    # The second notebook, on its own kernel, in another role.
    page.locator(".jp-DirListing-item", has_text=second).dblclick()
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook", timeout=60_000)
    expect(item).to_have_attribute("data-xacct-state", "empty")
    notebook_ui.run_all()
    expect(item).to_have_attribute("data-xacct-role", "auditor")
    expect(pill).to_have_css("background-color", "rgb(242, 176, 169)")
    _shot(page, "status-bar-audit.png")

    # Focus moves: the item follows, with no kernel call.
    _tab(page, first)
    expect(item).to_have_attribute("data-xacct-role", ROLE)
    _tab(page, second)
    expect(item).to_have_attribute("data-xacct-role", "auditor")

    # A switch from the item's menu (recent roles: the shared history has `prod` too), timed
    # from the click to the item showing the new role.
    item.click()
    recent = _menu_item(page, "prod")
    expect(recent).to_be_visible()
    page.evaluate(
        """(sel) => {
          const node = document.querySelector(sel);
          window.__xacctSwitched = null;
          new MutationObserver(() => {
            if (node.dataset.xacctRole === 'cross-account' && window.__xacctSwitched === null)
              window.__xacctSwitched = performance.now();
          }).observe(node, {attributes: true, childList: true, subtree: true});
          window.__xacctClicked = performance.now();
        }""",
        ITEM,
    )
    recent.click()
    expect(item).to_have_attribute("data-xacct-role", ROLE)
    ms = page.evaluate("() => window.__xacctSwitched - window.__xacctClicked")
    print(
        f"status bar: menu click -> switched (AssumeRole, GetCallerIdentity) -> item updated: "
        f"{ms:.0f} ms"
    )
    assert ms > 0  # measured and printed (the 500 ms goal is a figure, not a timed assertion)

    # The first notebook: the sandbox clock leaves under 5 minutes; a click re-reads it: red.
    _tab(page, first)
    expect(item).to_have_attribute("data-xacct-role", ROLE)
    sandbox.advance_clock(56 * 60)
    item.click()
    expect(item).to_have_attribute("data-xacct-state", "warn")
    expect(item).to_have_class(re.compile(r"xacct-status-warn"))
    expect(item).to_contain_text(re.compile(r"(\b[0-4] min|\d+ s) left"))
    _shot(page, "status-bar-red.png")

    # Back from the menu: the kernel leaves the role, the notebook's own bar follows.
    _menu_item(page, "Back to operator").click()
    expect(item).to_have_attribute("data-xacct-role", "")
    expect(item).to_contain_text("no role active")
    expect(item).to_have_attribute("data-xacct-state", "ok")
    inline = page.locator(f"{VISIBLE} .xacct-bar-badge")
    expect(inline).to_contain_text("Signed in as")
    _shot(page, "status-bar-back.png")

    # A kernel restart: nothing shown, then the new kernel's state once its cells ran again.
    _tab(page, second)
    expect(item).to_have_attribute("data-xacct-role", ROLE)
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Kernel$")).click()
    page.locator(".lm-Menu-item:visible", has_text=re.compile(r"^Restart Kernel…")).click()
    page.locator(".jp-Dialog .jp-mod-accept").click()
    expect(item).to_have_attribute("data-xacct-state", "empty")
    page.wait_for_selector(f"{VISIBLE} .jp-Notebook-ExecutionIndicator[data-status='idle']")
    notebook_ui.run_all()
    expect(item).to_have_attribute("data-xacct-role", "auditor")
    _shot(page, "status-bar-after-restart.png")

    # A reloaded page asks the running kernel once (its comm is open already): no cell runs.
    page.goto(lab.lab_url(second))
    expect(item).to_have_attribute("data-xacct-role", "auditor")

    html = page.content()
    assert not [s[:4] for s in issued_secrets() if s in html]
    assert not page.page_errors, page.page_errors
    assert json.dumps(page.page_errors) == "[]"
