"""``Sandbox(tls=True, connect_latency_ms=...)`` / ``xacct sandbox --tls --connect-latency-ms``.

AWS endpoints speak HTTPS only, and every new connection costs a TCP and TLS handshake
("Data protection in AWS STS", https://docs.aws.amazon.com/STS/latest/UserGuide/data-protection.html;
the SDKs reuse connections: "Reusing connections with Keep-Alive",
https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-reusing-connections.html).
The sandbox serves HTTPS with a certificate from a CA it makes at start; clients trust it through
the bundle file only (botocore's ``ca_bundle`` / ``AWS_CA_BUNDLE``,
https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html#envvars-list-aws_ca_bundle),
never the system's trust store. A sandbox served by ``xacct sandbox`` in its own process: moto
keeps one state per process, and the shared sandbox runs in this one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, SSLError
from support import aws_cli, cli_sandbox

from xacct_widgets.errors import SandboxError
from xacct_widgets.sandbox import Sandbox, SandboxHandle

CONNECT_LATENCY_MS = 100
ONE_TRY = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[SandboxHandle, str]]:
    """``xacct sandbox --tls --connect-latency-ms 100`` in its own process: a handle attached
    with the CA bundle it printed, and everything it printed."""
    with cli_sandbox("--tls", "--connect-latency-ms", str(CONNECT_LATENCY_MS)) as (
        fields,
        printed,
    ):
        ca_bundle = fields["CA bundle"].split()[0]
        yield SandboxHandle.attach(fields["endpoint"], ca_bundle=ca_bundle), printed
    assert not Path(ca_bundle).exists()  # the CA's folder is removed at stop


def _cli_env(handle: SandboxHandle, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["HOME"] = str(tmp_path / "cli-home")
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    return {**env, **extra}


def test_serves_https_and_exports_its_ca_bundle(served: tuple[SandboxHandle, str]) -> None:
    handle, printed = served
    assert handle.endpoint_url.startswith("https://127.0.0.1:")
    assert handle.ca_bundle is not None and Path(handle.ca_bundle).is_file()
    assert f"export AWS_CA_BUNDLE={handle.ca_bundle}" in printed
    assert f"export XACCT_SANDBOX_CA_BUNDLE={handle.ca_bundle}" in printed
    folder = Path(handle.ca_bundle).parent
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {p.name: p.stat().st_mode & 0o777 for p in folder.iterdir()} == {
        "ca.pem": 0o600,
        "server.pem": 0o600,
        "server-key.pem": 0o600,
    }


def test_boto3_over_tls_through_session(served: tuple[SandboxHandle, str]) -> None:
    handle = served[0]
    before = handle.stats()
    arn = handle.session("target", "admin").client("sts").get_caller_identity()["Arn"]
    assert arn == "arn:aws:iam::123456781234:user/admin"
    after = handle.stats()
    assert after["connections"] - before["connections"] == 1
    assert after["handshake_failures"] == before["handshake_failures"]


def test_connect_latency_is_paid_once_per_connection(served: tuple[SandboxHandle, str]) -> None:
    handle = served[0]
    sts = handle.session().client("sts")
    before = handle.stats()
    started = time.perf_counter()
    for _ in range(5):
        sts.get_caller_identity()
    took = time.perf_counter() - started
    after = handle.stats()
    print(f"5 calls on one new TLS connection, {CONNECT_LATENCY_MS} ms to connect: {took:.3f} s")
    assert after["connections"] - before["connections"] == 1
    assert after["requests"] - before["requests"] == 5
    assert took >= CONNECT_LATENCY_MS / 1000  # a lower bound only: the one connection waited


def test_aws_cli_through_env(served: tuple[SandboxHandle, str], tmp_path: Path) -> None:
    handle = served[0]
    env = _cli_env(handle, tmp_path, **handle.env("source", "intern"))
    done = aws_cli("sts", "get-caller-identity", env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["Arn"] == "arn:aws:iam::987654329876:user/intern"


def test_credential_process_over_tls(served: tuple[SandboxHandle, str], tmp_path: Path) -> None:
    """A profile with the sandbox's ``credential_process``: the command reaches the HTTPS
    sandbox with the CA bundle its line names; the profile trusts it with ``ca_bundle``."""
    handle = served[0]
    line = handle.credential_process("source", "operator")
    assert "--ca-bundle" in line
    config = tmp_path / "config"
    config.write_text(
        f"[profile proc]\ncredential_process = {line}\nregion = {handle.region}\n"
        f"endpoint_url = {handle.endpoint_url}\nca_bundle = {handle.ca_bundle}\n"
    )
    env = _cli_env(handle, tmp_path)
    env["AWS_CONFIG_FILE"] = str(config)
    done = aws_cli("--profile", "proc", "sts", "get-caller-identity", env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["Arn"] == "arn:aws:iam::987654329876:user/operator"


def test_caller_spec_carries_the_ca_bundle(served: tuple[SandboxHandle, str]) -> None:
    handle = served[0]
    spec = handle.caller_spec("target", "admin")
    assert spec.args[-1] == handle.ca_bundle  # a path, never a key
    arn = spec.factory(*spec.args).client("sts").get_caller_identity()["Arn"]
    assert arn.endswith(":user/admin")


def test_plain_http_is_refused(served: tuple[SandboxHandle, str]) -> None:
    handle = served[0]
    keys = handle.env()
    before = handle.stats()
    plain = boto3.Session(
        aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
        region_name=handle.region,
    ).client("sts", endpoint_url=handle.endpoint_url.replace("https:", "http:"), config=ONE_TRY)
    with pytest.raises(BotoCoreError):
        plain.get_caller_identity()
    after = handle.stats()
    assert after["handshake_failures"] > before["handshake_failures"]
    assert after["requests"] == before["requests"]


def test_the_system_trust_store_does_not_trust_it(served: tuple[SandboxHandle, str]) -> None:
    handle = served[0]
    keys = handle.env()
    untrusted = boto3.Session(
        aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
        region_name=handle.region,
    ).client("sts", endpoint_url=handle.endpoint_url, config=ONE_TRY, verify=True)
    with pytest.raises(SSLError):
        untrusted.get_caller_identity()


def test_attach_without_the_ca_bundle_says_what_to_do(
    served: tuple[SandboxHandle, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from xacct_widgets.sandbox import remote

    url = served[0].endpoint_url
    monkeypatch.delenv("XACCT_SANDBOX_CA_BUNDLE", raising=False)
    monkeypatch.setattr(remote, "_ca_bundles", {})  # a process that never trusted it
    with pytest.raises(SandboxError, match="XACCT_SANDBOX_CA_BUNDLE"):
        Sandbox.attach(url)
    env = {"XACCT_SANDBOX_URL": url, "AWS_CA_BUNDLE": served[0].ca_bundle or ""}
    assert Sandbox.from_env(env).ca_bundle == served[0].ca_bundle


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"connect_latency_ms": -1}, "connect_latency_ms must be a number"),
        ({"connect_latency_ms": "100"}, "connect_latency_ms must be a number"),
        ({"connect_latency_ms": True}, "connect_latency_ms must be a number"),
        ({"latency_ms": -5}, "latency_ms must be a number"),
        ({"tls": "yes"}, "tls must be True or False"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SandboxError, match=message):
        Sandbox(**kwargs)  # type: ignore[arg-type]


def test_cli_rejects_a_negative_connect_latency() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "xacct_widgets.cli", "sandbox", "--connect-latency-ms", "-5"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "connect_latency_ms must be a number of milliseconds >= 0" in done.stderr
    assert "Traceback" not in done.stderr


_OWN_PROCESS = """
import http.client, json, ssl
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from xacct_widgets.sandbox import Sandbox
with Sandbox(tls=True, connect_latency_ms=20) as sb:
    folder = Path(sb.ca_bundle).parent
    sts = sb.session().client("sts")
    for _ in range(3):
        sts.get_caller_identity()
    counts = {"probes": sb.self_check.probes, "stats": sb.stats(),
              "handle": Sandbox.attach(sb.endpoint_url).stats()}
    # The console's switch role asks the sandbox's own STS over HTTPS too.
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action":
             "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::987654329876:root"}}]}
    sb.session("target", "admin").client("iam").create_role(
        RoleName="tls-switch", AssumeRolePolicyDocument=json.dumps(trust))
    where = urlsplit(sb.endpoint_url)
    browser = http.client.HTTPSConnection(where.hostname, where.port,
        context=ssl.create_default_context(cafile=sb.ca_bundle))
    form = {"action": "signin", "account": "source", "username": "operator",
            "password": sb.CONSOLE_PASSWORD, "mfa": sb.MFA_CODE}
    kind = {"Content-Type": "application/x-www-form-urlencoded"}
    browser.request("POST", "/console", urlencode(form), kind)
    answer = browser.getresponse(); answer.read()
    kind["Cookie"] = answer.getheader("Set-Cookie").split(";")[0]
    browser.request("POST", "/switchrole",
                    urlencode({"account": "123456781234", "roleName": "tls-switch"}), kind)
    answer = browser.getresponse()
    counts["switch"] = [answer.status, answer.getheader("Location")]
    answer.read()
    print(json.dumps(counts))
print(json.dumps({"removed": not folder.exists()}))
"""


def test_in_process_tls_sandbox_runs_its_canary_and_counts() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _OWN_PROCESS],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    running, stopped = (json.loads(line) for line in done.stdout.strip().splitlines()[-2:])
    assert running["probes"] > 0  # the start-up self-check ran (and passed) under TLS
    assert running["stats"]["connections"] == 1 and running["stats"]["requests"] == 3
    assert running["handle"]["connections"] == 1 and running["handle"]["requests"] == 3
    assert running["switch"] == [302, "/console"]  # the console switched role over HTTPS
    assert stopped["removed"]
