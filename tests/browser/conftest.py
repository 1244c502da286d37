"""Real-browser fixtures: headless Debian Chromium (Playwright, sync API) driving a real
``jupyter lab`` or Voila started here, on loopback, with isolated Jupyter dirs and the kernels
wired to the test session's sandbox (``XACCT_SANDBOX_URL``).

What each fixture gives:

* ``chromium_browser`` (session): one browser for the whole run; the tests skip, with the
  reason, only when no Chromium binary exists (CI installs Debian's ``chromium``).
* ``lab`` (module): JupyterLab serving a *copy* of ``notebooks/`` (JupyterLab autosaves), with
  a token, a private role-history file and the news popup switched off by an
  ``overrides.json`` in a private app-settings dir; a test module overriding ``lab_env`` adds
  environment variables to the server and its kernels.
* ``browser_page``: a fresh page per test; on failure a full-page PNG goes to
  ``test-artifacts/`` next to the wizard screenshots the tests save.
* ``notebook_ui`` / ``wizard_ui``: the small page-driving helpers the tests share (fixtures
  rather than imports, so nothing depends on how pytest names conftest modules).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from support import free_port, jupyter_env, wait_for_json

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "test-artifacts"

#: Debian's binary first: the /usr/bin one is a shell wrapper that warns about /dev/shm.
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}

#: JupyterLab's "get notified about news?" toast can cover widgets; switch it off.
NO_NEWS = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    }
}

#: Generous per-action timeout (ms): two cores, a kernel and a server share them.
TIMEOUT_MS = 30_000

STDERR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'


def find_chromium() -> str | None:
    for candidate in (*CHROMIUM_CANDIDATES, shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def stop_process(process: subprocess.Popen[Any], timeout: float = 20) -> None:
    """SIGTERM (Jupyter and Voila shut down their kernels on it), then kill if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# -- the browser --------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            "no Chromium binary at /usr/lib/chromium/chromium or /usr/bin/chromium "
            "(install Debian's: apt-get install -y chromium; ./run test does it)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser_page(chromium_browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = chromium_browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.page_errors = errors  # type: ignore[attr-defined]
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(ARTIFACTS / f"FAILED-{name}.png"), full_page=True)
        except Exception as err:  # the page may be gone; the test's own failure matters more
            print(f"no failure screenshot: {err}")
        if errors:
            print("page errors:", *errors, sep="\n  ")
    context.close()


# -- JupyterLab ---------------------------------------------------------------------------------
@dataclass
class Server:
    """A Jupyter or Voila server child process and where things are."""

    base_url: str
    token: str
    root: Path
    history: Path
    log: Path
    process: subprocess.Popen[Any]
    timings: dict[str, float] = field(default_factory=dict)

    def lab_url(self, notebook: str) -> str:
        return f"{self.base_url}/lab/tree/{notebook}?token={self.token}&reset"

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise AssertionError(
                f"the server exited with {self.process.returncode}:\n{log_tail(self.log)}"
            )


def copy_notebooks(root: Path) -> None:
    """Copy ``notebooks/`` without saved outputs, so every prompt and output seen comes from
    this run (a stale ``[3]:`` or table from the saved file would fool the waits)."""
    import nbformat

    root.mkdir(parents=True)
    for source in sorted(NOTEBOOKS.glob("*.ipynb")):
        notebook = nbformat.read(source, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        nbformat.write(notebook, root / source.name)


def server_env(home: Path, sandbox_url: str, history: Path) -> dict[str, str]:
    env = jupyter_env(home)
    env["XACCT_SANDBOX_URL"] = sandbox_url
    env["XACCT_HISTORY"] = str(history)
    env["XACCT_SANDBOX_HISTORY"] = str(history)  # the kernels' sandbox sessions use this one
    env["JUPYTERLAB_SETTINGS_DIR"] = str(home / "lab-user-settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(home / "lab-workspaces")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start_lab(tmp: Path, sandbox_url: str, extra_env: dict[str, str] | None = None) -> Server:
    """``jupyter lab`` on a copy of the notebooks; returns once ``/api/status`` answers.
    ``extra_env`` is added to the server's environment (its kernels inherit it)."""
    root = tmp / "notebooks"
    copy_notebooks(root)
    app_settings = tmp / "app-settings"
    app_settings.mkdir()
    (app_settings / "overrides.json").write_text(json.dumps(NO_NEWS))
    history = tmp / "history.sqlite3"
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        # The venv ships no app settings dir, so a private one loses nothing and holds
        # overrides.json (JupyterLab reads overrides only from the app settings dir).
        f"--LabApp.app_settings_dir={app_settings}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = tmp / "jupyter-lab.log"
    started = time.monotonic()
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            env={**server_env(tmp / "home", sandbox_url, history), **(extra_env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", token, root, history, log, process)
    try:
        wait_for_json(f"{server.base_url}/api/status?token={token}", process, timeout=90)
    except AssertionError as err:
        stop_process(process)
        raise AssertionError(f"{err}\n{log_tail(log)}") from None
    server.timings["server up"] = time.monotonic() - started
    return server


def wait_for_http(url: str, process: subprocess.Popen[Any], log: Path, timeout: float = 90) -> None:
    """Wait until ``url`` answers at all (any HTTP status: standalone Voila answers 403 on
    ``/api/status``); never GET Voila's ``/``, which runs the notebook in a new kernel."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{log_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"no answer from {url} in {timeout:.0f} s:\n{log_tail(log)}")


def start_app(tmp: Path, sandbox_url: str) -> Server:
    """``python -m xacct_widgets.app`` (what ``xacct app`` runs): Voila on the app notebook."""
    history = tmp / "history.sqlite3"
    port = free_port()
    log = tmp / "voila.log"
    started = time.monotonic()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "xacct_widgets.app", "--no-browser", "--port", str(port)],
            env=server_env(tmp / "home", sandbox_url, history),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", "", tmp, history, log, process)
    try:
        wait_for_http(f"{server.base_url}/api/status", process, log)
    except AssertionError:
        stop_process(process)
        raise
    server.timings["server up"] = time.monotonic() - started
    return server


@pytest.fixture(scope="module")
def lab_env() -> dict[str, str]:
    """Extra environment for the ``lab`` server and its kernels: none here; a test module
    overrides this fixture to add some (e.g. ``BROWSER``)."""
    return {}


@pytest.fixture(scope="module")
def lab(
    sandbox: Any, tmp_path_factory: pytest.TempPathFactory, lab_env: dict[str, str]
) -> Iterator[Server]:
    """JupyterLab wired to the session sandbox, reseeded first (no roles left by others)."""
    sandbox.reset()
    server = start_lab(tmp_path_factory.mktemp("lab"), sandbox.endpoint_url, lab_env)
    yield server
    stop_process(server.process)


# -- page helpers -------------------------------------------------------------------------------
#: The notebook on show: with two notebooks open, the other one's cells are in the page too.
VISIBLE_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

_ALL_RUN_JS = """([panelSel, stderrSel]) => {
  const panel = document.querySelector(panelSel);
  if (!panel) return false;
  const prompts = [...panel.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
  if (!prompts.length) return false;
  const texts = prompts.map(p => p.textContent.trim());
  if (texts.some(t => t.includes('*'))) return false;
  if (texts.every(t => /\\[\\d+\\]/.test(t))) return true;
  // Run All stops at a failing cell: done too, and the caller reports the traceback.
  const idle = panel.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']");
  const errs = [...panel.querySelectorAll(stderrSel)];
  return !!idle && errs.some(e => /Traceback|Error/.test(e.textContent));
}"""

#: Watch the visible notebook for a cell going to ``[*]``. Prompts of a notebook that ran
#: before (a restarted kernel) already carry numbers, so only the change proves a new run.
_WATCH_START_JS = """(panelSel) => {
  window.__xacctRunStarted = false;
  const notebook = document.querySelector(panelSel + ' .jp-Notebook');
  if (!notebook) return false;
  const seen = () => [...notebook.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .some(p => p.textContent.includes('*'));
  const observer = new MutationObserver(() => {
    if (seen()) { window.__xacctRunStarted = true; observer.disconnect(); }
  });
  observer.observe(notebook, {childList: true, subtree: true, characterData: true});
  return true;
}"""


class NotebookUI:
    """Drive one notebook open in JupyterLab."""

    def __init__(self, page: Any, server: Server) -> None:
        self.page = page
        self.server = server
        self.timings: dict[str, float] = {}
        self.dialogs: list[str] = []
        self._accepting_dialogs = False

    def _accept_kernel_dialogs(self) -> None:
        # Under load JupyterLab sometimes asks "Select Kernel" although the notebook names
        # python3 and its kernel is already up: accept the preselected kernel whenever the
        # dialog shows up, and record it (see ``dialogs``).
        if self._accepting_dialogs:
            return
        self._accepting_dialogs = True
        dialog = self.page.locator(".jp-Dialog", has_text="Select Kernel")

        def accept(found: Any) -> None:
            self.dialogs.append("Select Kernel")
            found.locator(".jp-mod-accept").click()

        self.page.add_locator_handler(dialog, accept)

    def open(self, notebook: str) -> NotebookUI:
        self._accept_kernel_dialogs()
        started = time.monotonic()
        self.page.goto(self.server.lab_url(notebook))
        self.page.wait_for_selector(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000
        )
        self.timings["kernel idle"] = time.monotonic() - started
        return self

    def run_all(self) -> NotebookUI:
        """Run → Run All Cells on the notebook on show, through the menu, until every cell ran.

        Also after a kernel restart, when the prompts still show the old numbers.
        """
        self._accept_kernel_dialogs()
        page = self.page
        started = time.monotonic()
        for attempt in range(3):
            # Right after loading, the notebook may not be the current widget yet (the menu
            # item is then disabled), or its kernel may not be connected yet (JupyterLab then
            # clears the prompts and runs nothing). Retry until a cell starts.
            page.locator(f"{VISIBLE_PANEL} .jp-Notebook .jp-Cell").first.click()
            page.keyboard.press("Escape")  # command mode
            page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
            item = page.locator(".lm-Menu-item:visible", has_text=re.compile(r"^Run All Cells"))
            if "lm-mod-disabled" in (item.get_attribute("class") or ""):
                page.keyboard.press("Escape")
                page.wait_for_timeout(500 * (attempt + 1))
                continue
            page.evaluate(_WATCH_START_JS, VISIBLE_PANEL)
            item.click()
            try:
                page.wait_for_function("() => window.__xacctRunStarted", timeout=10_000)
            except Exception:
                continue
            break
        else:
            raise AssertionError("Run → Run All Cells did not start the notebook's cells")
        page.wait_for_function(
            _ALL_RUN_JS, arg=[VISIBLE_PANEL, STDERR_OUTPUT], timeout=120_000, polling=200
        )
        self.server.check_alive()
        self.timings["run all"] = time.monotonic() - started
        self.timings["run all attempts"] = attempt + 1
        print(f"timings: {self.timings}; dialogs accepted: {self.dialogs or 'none'}")
        return self

    def errors(self) -> list[str]:
        texts = self.page.locator(STDERR_OUTPUT).all_inner_texts()
        return [t for t in texts if re.search(r"Traceback|\w+Error\b|Exception", t)]

    def assert_clean(self) -> None:
        """No traceback output anywhere, and no widget left saying "Loading widget"."""
        errors = self.errors()
        assert not errors, "error output in the notebook:\n" + "\n---\n".join(errors)
        from playwright.sync_api import expect

        loading = self.page.locator(".jp-Notebook", has_text="Loading widget")
        expect(loading).to_have_count(0, timeout=20_000)
        failed = self.page.locator(".jp-Notebook", has_text="Error displaying widget")
        expect(failed).to_have_count(0)


class WizardUI:
    """Drive one xacct wizard by its CSS classes (the widgets' stable test hooks)."""

    def __init__(self, page: Any, css: str) -> None:
        from playwright.sync_api import expect

        self.page = page
        self.expect = expect
        self.root = page.locator(f".xacct-wizard.{css}")
        expect(self.root).to_have_count(1)

    def part(self, css: str) -> Any:
        return self.root.locator(f".{css}")

    def control(self, css: str, tag: str = "input") -> Any:
        return self.root.locator(f".{css} {tag}")

    def idle(self) -> None:
        self.expect(self.root).not_to_have_class(re.compile(r"\bxacct-busy\b"))

    def at(self, key: str) -> None:
        """Wait until step ``key`` (e.g. "A2") is shown and no call is running."""
        self.expect(self.part("xacct-step-indicator")).to_contain_text(f"({key})")
        self.idle()
        self.no_error()

    def no_error(self) -> None:
        self.expect(self.part("xacct-error")).to_be_hidden()

    def type(self, css: str, text: str, *, clear: bool = True) -> None:
        box = self.control(css)
        box.click()
        if clear:
            box.press("Control+a")
            box.press("Delete")
        box.press_sequentially(text, delay=15)
        self.expect(box).to_have_value(text)

    def next(self, to: str, label: str = "") -> None:
        button = self.part("xacct-next")
        if label:
            self.expect(button).to_contain_text(label)
        self.expect(button).to_be_enabled()
        button.click()
        self.at(to)

    def click(self, css: str, to: str | None = None) -> None:
        button = self.part(css)
        self.expect(button).to_be_enabled()
        button.click()
        if to:
            self.at(to)
        else:
            self.idle()

    def table(self, css: str) -> Any:
        """The rendered table of widget ``css`` (waits for it)."""
        table = self.root.locator(f".{css} table.xacct-table")
        self.expect(table).to_be_visible()
        return table

    def rows(self, css: str) -> list[list[str]]:
        """Body rows of a rendered table, cell texts stripped."""
        table = self.table(css)
        return [
            [c.strip() for c in row.locator("td").all_inner_texts()]
            for row in table.locator("tbody tr").all()
        ]

    screenshot_dir = ARTIFACTS

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.root.scroll_into_view_if_needed()
        self.root.screenshot(path=str(path))
        return path


@pytest.fixture
def notebook_ui(browser_page: Any, lab: Server) -> NotebookUI:
    return NotebookUI(browser_page, lab)


@pytest.fixture
def wizard_ui() -> type[WizardUI]:
    return WizardUI


@pytest.fixture
def voila_app(sandbox: Any, tmp_path: Path) -> Iterator[Server]:
    """The Voila onboarding app (``xacct app``) wired to the session sandbox."""
    server = start_app(tmp_path, sandbox.endpoint_url)
    yield server
    stop_process(server.process)
