"""Helpers shared by tests that start servers (JupyterLab, Voila) in child processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any


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
