"""Fixtures of the sandbox tests that more than one module uses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import EXTERNAL_ID, VENDOR_ROLE, make_role


@pytest.fixture
def aws_files(fresh_sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The tutorial role (and an ExternalId role) in the target account; a config file whose
    ``operator`` profile names the sandbox, its keys in a private credentials file."""
    make_role(fresh_sandbox)
    make_role(fresh_sandbox, VENDOR_ROLE, external_id=EXTERNAL_ID)
    env = fresh_sandbox.env("source", "operator")
    credentials = tmp_path / "credentials"
    credentials.touch(mode=0o600)
    credentials.write_text(
        f"[operator]\naws_access_key_id = {env['AWS_ACCESS_KEY_ID']}\n"
        f"aws_secret_access_key = {env['AWS_SECRET_ACCESS_KEY']}\n"
    )
    config = tmp_path / "config"
    config.write_text(
        "# the operator's own settings\n[profile operator]\n"
        f"region = {fresh_sandbox.region}\nendpoint_url = {fresh_sandbox.endpoint_url}\n"
    )
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    return {"config": config, "credentials": credentials}
