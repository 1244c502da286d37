"""Throttling: a sandbox with a request budget answers AWS's throttling errors, and a fan-out
still returns every row (adaptive retries), reporting ``Throttling`` only when retries run out.

The budgeted sandbox runs in its own process (moto keeps one state per process, and the shared
test sandbox must not throttle other tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from support import sandbox_process

from xacct_widgets.core.query import clear_credential_cache, clients, query
from xacct_widgets.sandbox import SandboxHandle

OAAR = "OrganizationAccountAccessRole"
BUDGET = 2  # requests per second per service: low, so a slow machine still exceeds it


@pytest.fixture(scope="module")
def budgeted() -> Iterator[SandboxHandle]:
    with sandbox_process(member_accounts=3, requests_per_second=BUDGET) as handle:
        yield handle


@pytest.fixture
def retried(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The error code of every attempt botocore retried, in any client created from now on."""
    codes: list[str] = []
    original = botocore.session.Session.create_client

    def record(response: Any = None, **_: Any) -> None:
        if response is not None and response[1].get("Error", {}).get("Code"):
            codes.append(response[1]["Error"]["Code"])

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        client.meta.events.register_first("needs-retry", record)
        return client

    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
    return codes


def _burst(client: Any, call: str, n: int) -> set[str]:
    """Codes of ``n`` calls made at once with a client that never retries."""

    def one(_: int) -> str:
        try:
            getattr(client, call)()
        except ClientError as err:
            return str(err.response["Error"]["Code"])
        return "ok"

    with ThreadPoolExecutor(n) as pool:
        return set(pool.map(one, range(n))) - {"ok"}


@pytest.mark.parametrize(
    ("service", "call", "code"),
    [
        ("iam", "list_roles", "Throttling"),
        ("sts", "get_caller_identity", "Throttling"),
        ("s3", "list_buckets", "SlowDown"),
        ("organizations", "describe_organization", "TooManyRequestsException"),
    ],
)
def test_the_sandbox_answers_each_service_s_throttling_error(
    budgeted: SandboxHandle, service: str, call: str, code: str
) -> None:
    once = Config(retries={"mode": "standard", "max_attempts": 1}, max_pool_connections=20)
    session = budgeted.session("management", "admin")
    client = session.client(service, config=once)  # type: ignore[call-overload]
    assert _burst(client, call, BUDGET * 4) == {code}


def test_a_throttled_fan_out_completes_with_every_row(
    budgeted: SandboxHandle, retried: list[str]
) -> None:
    clear_credential_cache()
    regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"]
    targets = [(a, OAAR) for a in budgeted.member_account_ids]
    result = query(
        targets,
        "sts",
        "get_caller_identity",
        session=budgeted.session("management", "admin"),
        regions=regions,
    )
    assert "Throttling" in retried  # the budget did bite: 3 AssumeRole + 12 calls at 2/s
    assert result.ok, result.errors.to_string()
    assert len(result.frame) == 12
    assert sorted(result.frame["account_id"]) == sorted(budgeted.member_account_ids * 4)


def test_throttling_is_an_error_row_only_when_retries_run_out(
    budgeted: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_credential_cache()
    monkeypatch.setattr(clients, "FANOUT_MAX_ATTEMPTS", 1)  # no retry at all
    targets = [(a, OAAR) for a in budgeted.member_account_ids]
    result = query(
        targets,
        "sts",
        "get_caller_identity",
        session=budgeted.session("management", "admin"),
        regions=["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"],
        max_workers=16,
    )
    assert not result.errors.empty
    assert set(result.errors["error_code"]) == {"Throttling"}
    assert len(result.frame) + len(result.errors) == 12  # every unit answered or reported
    clear_credential_cache()  # no client with a single attempt stays cached
