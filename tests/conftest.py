"""Shared fixtures: one embedded sandbox per test session, and a leak scan on every test."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from helpers import Calls, count_calls, issued_secrets  # issued_secrets: imported from here too

from xacct_widgets.sandbox import Sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """The tutorial sandbox, shared; tests that change it use ``fresh_sandbox``."""
    sb = Sandbox(member_accounts=3).start()
    yield sb
    sb.stop()


@pytest.fixture
def fresh_sandbox(sandbox: Sandbox) -> Sandbox:
    """The shared sandbox reseeded: no roles, policies or history left by earlier tests."""
    sandbox.reset()
    return sandbox


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Counts the API calls of every botocore client created during the test."""
    return count_calls(monkeypatch)


@pytest.fixture(autouse=True)
def private_history(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test's role history out of the user's real config dir, and give each test
    its own sandbox history (sandbox sessions use ``XACCT_SANDBOX_HISTORY``, never the other)."""
    folder = tmp_path_factory.mktemp("history")
    monkeypatch.setenv("XACCT_HISTORY", str(folder / "history.sqlite3"))
    monkeypatch.setenv("XACCT_SANDBOX_HISTORY", str(folder / "sandbox-history.sqlite3"))


@pytest.fixture(autouse=True)
def no_secret_leaks(
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[None]:
    """Fail any test whose logs or printed output contain a sandbox secret or session token."""
    caplog.set_level(logging.DEBUG, logger="xacct_widgets")
    yield
    if request.node.get_closest_marker("allow_secret_output"):
        return
    out, err = capsys.readouterr()
    produced = "\n".join([out, err, caplog.text])
    leaked = [s[:4] + "…" for s in issued_secrets() if s in produced]
    assert not leaked, f"secrets leaked into test output/logs: {leaked}"
    # Hand the captured output back so pytest still shows it on failure.
    print(out, end="")
