"""The sandbox asks its enforcement real questions at start-up and refuses to serve a wrong answer.

A moto release can keep every hook the sandbox patches and still move what flows through them
(5.2.6 began naming S3 requests by botocore's operation names); only asking real questions sees it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from importlib.metadata import version

from xacct_widgets.sandbox import Sandbox
from xacct_widgets.sandbox.canary import CANARY_USER, PROBES

BROKEN_HOOK = """
import json, socket
from xacct_widgets.errors import SandboxError
from xacct_widgets.sandbox import Sandbox
from xacct_widgets.sandbox.decision import enforce
from xacct_widgets.sandbox.server import running_in_process

# Undo the S3 action mapping, as if moto's operation names reached the policy engine unmapped.
enforce.s3_action = lambda method, path, resource, given: given
sandbox = Sandbox()
try:
    sandbox.start()
except SandboxError as err:
    print(json.dumps({"error": str(err), "running": running_in_process() is not None,
                      "url": sandbox.is_running}))
else:
    print(json.dumps({"error": None}))
"""


def test_every_enforced_service_has_an_allow_and_a_deny() -> None:
    kinds = Counter((p.service, p.expect) for p in PROBES)
    for service in ("iam", "sts", "s3", "organizations"):
        assert kinds[(service, "allow")] >= 1 and kinds[(service, "deny")] >= 1, service


def test_a_started_sandbox_passed_its_self_check(sandbox: Sandbox) -> None:
    assert sandbox.self_check is not None
    assert sandbox.self_check.probes == len(PROBES)
    users = sandbox.session("source", "admin").client("iam").list_users()["Users"]
    assert CANARY_USER not in {u["UserName"] for u in users}  # the check leaves no trace


def test_a_broken_hook_stops_the_start() -> None:
    answer = subprocess.run(
        [sys.executable, "-c", BROKEN_HOOK], capture_output=True, text=True, timeout=120
    )
    assert answer.returncode == 0, answer.stderr
    result = json.loads(answer.stdout.strip().splitlines()[-1])
    error = result["error"]
    assert error is not None, "the sandbox served with a broken S3 hook"
    assert "s3 ListBuckets as xacct-canary" in error
    assert "should be allowed" in error and "got denied" in error
    assert f"moto {version('moto')}" in error
    assert "./run" in error  # says what to do
    assert result["running"] is False and result["url"] is False  # nothing left serving
