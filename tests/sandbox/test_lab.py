"""`xacct lab` (the README's main job) brings up JupyterLab with the sandbox reachable."""

from __future__ import annotations

import json
import secrets
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from support import free_port, jupyter_env, wait_for_json

from xacct_widgets.sandbox import Sandbox


def test_xacct_lab_serves_notebooks_and_sandbox(tmp_path: Path) -> None:
    port, token = free_port(), secrets.token_hex(16)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "xacct_widgets.cli",
            "lab",
            "--no-browser",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
        ],
        env=jupyter_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "kernels find it through XACCT_SANDBOX_URL" in first, first
        sandbox_url = first.split("xacct sandbox at ", 1)[1].split(";", 1)[0]
        status = wait_for_json(f"http://127.0.0.1:{port}/api/status?token={token}", process)
        assert "started" in status
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=10
        ) as answer:
            listing = {item["name"] for item in json.load(answer)["content"]}
        assert {"01_create_role_in_target.ipynb", "02_switch_role_from_source.ipynb"} <= listing
        remote = Sandbox.attach(sandbox_url)
        arn = remote.session("source", "operator").client("sts").get_caller_identity()["Arn"]
        assert arn.endswith(":user/operator")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("xacct lab did not stop on SIGTERM")
