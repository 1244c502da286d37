"""Shared fixtures: one embedded sandbox per test session, and a leak scan on every test."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

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


def issued_secrets() -> list[str]:
    """Every secret key and session token the in-process sandbox has issued so far."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    secrets: list[str] = []
    for account in list(iam_backends.keys()):
        backend = iam_backends[account].get("aws")
        if backend is not None:
            secrets += [k.secret_access_key for k in list(backend.access_keys.values())]
    for account in list(sts_backends.keys()):
        backend = sts_backends[account].get("aws")
        if backend is not None:
            for role in list(backend.assumed_roles):
                secrets += [role.secret_access_key, role.session_token]
    return [s for s in secrets if s]


@pytest.fixture(autouse=True)
def private_history(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test's role history out of the user's real config dir."""
    path = tmp_path_factory.mktemp("history") / "history.sqlite3"
    monkeypatch.setenv("XACCT_HISTORY", str(path))


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
