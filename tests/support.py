"""Helpers shared by tests that start servers (JupyterLab, Voila, sandboxes) in child processes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xacct_widgets.sandbox import Sandbox, SandboxHandle

_SERVE = """
import json, sys
from xacct_widgets.sandbox import Sandbox
sb = Sandbox(**json.loads(sys.argv[1])).start()
print(sb.endpoint_url, sb.ca_bundle or "", flush=True)
sys.stdin.read()  # serve until the test closes stdin
"""


def aws_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The AWS CLI of this venv, run with ``env`` as its whole environment; JSON output."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("aws")), *args, "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@contextlib.contextmanager
def sandbox_process(**options: Any) -> Iterator[SandboxHandle]:
    """``Sandbox(**options)`` served by another process (moto keeps one state per process, so
    a sandbox of other settings cannot share this one's), attached here; stopped at the end."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVE, json.dumps(options)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    url, _, bundle = proc.stdout.readline().strip().partition(" ")
    scheme = "https" if options.get("tls") else "http"
    try:
        assert url.startswith(f"{scheme}://127."), f"Sandbox(**{options!r}) did not start"
        yield Sandbox.attach(url, ca_bundle=bundle or None)
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)


@contextlib.contextmanager
def cli_sandbox(*args: str) -> Iterator[tuple[dict[str, str], str]]:
    """``xacct sandbox *args`` in its own process: the ``name: value`` lines it printed at start
    (``endpoint``, ``CA bundle``, ...) and all it printed; stopped with SIGTERM, as by Ctrl-C (a
    SIGINT is ignored in a background job of a non-interactive shell), and must exit 0."""
    process = subprocess.Popen(
        [sys.executable, "-m", "xacct_widgets.cli", "sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    printed: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        printed.append(line)
        if line.startswith("export AWS_REGION="):
            break
    fields = {k: v.strip() for k, v in (line.split(": ", 1) for line in printed if ": " in line)}
    yield fields, "".join(printed)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def jupyter_env(home: Path) -> dict[str, str]:
    """An isolated HOME and Jupyter dirs, so tests never touch the user's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "XACCT"))}
    for name, sub in (
        ("HOME", "home"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    return env


def wait_for_json(url: str, process: subprocess.Popen[Any], timeout: float = 90) -> Any:
    """Poll ``url`` until it answers JSON, failing early if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return json.load(answer)
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"no answer from {url} in {timeout:.0f} s")
