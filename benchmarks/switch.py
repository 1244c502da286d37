"""Time RoleSwitcher.switch() + the first call in the target, and count the AWS calls each makes.

Runs an in-process sandbox, creates the tutorial's ``cross-account`` role in the target, and
switches into it N times from the source ``operator`` (going back between switches). Prints
figures only; never asserts on time. The aim is 2 API calls per switch (AssumeRole +
GetCallerIdentity) once the base identity is cached, and 1 for the first call in the target.

    .venv/bin/python benchmarks/switch.py [-n 20] [--latency-ms 0]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter

import botocore.session

from xacct_widgets.core.switch import RoleHistory, RoleSwitcher
from xacct_widgets.sandbox import Sandbox

TARGET = "123456781234"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::987654329876:root"},
            "Action": "sts:AssumeRole",
        }
    ],
}


class CallCounter:
    """Counts every API call of every botocore client created while installed (event hooks)."""

    def __init__(self):
        self.calls: Counter[str] = Counter()
        self._original = botocore.session.Session.create_client

    def _hook(self, model, **_):
        self.calls[model.name] += 1

    def install(self):
        original, hook = self._original, self._hook

        def create_client(session, *args, **kwargs):
            client = original(session, *args, **kwargs)
            client.meta.events.register("before-call.*.*", hook)
            return client

        botocore.session.Session.create_client = create_client

    def take(self):
        taken, self.calls = self.calls, Counter()
        return taken


def describe(counts):
    return ", ".join(f"{name} x{n}" for name, n in sorted(counts.items())) or "none"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="switches to time (default 20)")
    parser.add_argument("--latency-ms", type=float, default=0, help="simulated AWS latency")
    args = parser.parse_args()

    counter = CallCounter()
    counter.install()
    with Sandbox(latency_ms=args.latency_ms) as sandbox:
        iam = sandbox.session("target", "admin").client("iam")
        iam.create_role(RoleName="cross-account", AssumeRolePolicyDocument=json.dumps(TRUST))
        iam.attach_role_policy(
            RoleName="cross-account", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
        )
        switcher = RoleSwitcher(
            sandbox.session("source", "operator"), history=RoleHistory(":memory:")
        )
        counter.take()

        switch_times, first_call_times, switch_calls, first_calls = [], [], [], []
        for i in range(args.n + 1):  # the first round also reads (and caches) the base identity
            started = time.perf_counter()
            switcher.switch(TARGET, "cross-account", display_name="prod", color="Green")
            switched = time.perf_counter()
            calls_switch = counter.take()
            switcher.session.client("iam").list_roles()
            done = time.perf_counter()
            calls_first = counter.take()
            switcher.back()
            if i == 0:
                print(
                    f"first switch (base identity not cached yet): {describe(calls_switch)}; "
                    f"{(switched - started) * 1000:.1f} ms"
                )
                continue
            switch_times.append(switched - started)
            first_call_times.append(done - switched)
            switch_calls.append(calls_switch)
            first_calls.append(calls_first)

    def ms(values):
        low, mid, high = (1000 * f(values) for f in (min, statistics.median, max))
        return f"median {mid:.1f} ms (min {low:.1f}, max {high:.1f})"

    total = [a + b for a, b in zip(switch_times, first_call_times, strict=True)]
    print(f"sandbox latency: {args.latency_ms:g} ms per request; N = {args.n}")
    print(f"switch():                       {ms(switch_times)}")
    print(f"first call in target (ListRoles): {ms(first_call_times)}")
    print(f"switch() + first call:          {ms(total)}")
    per_switch = sorted({sum(c.values()) for c in switch_calls})
    per_first = sorted({sum(c.values()) for c in first_calls})
    print(f"API calls per switch():         {per_switch} ({describe(switch_calls[-1])})")
    print(f"API calls for the first call:   {per_first} ({describe(first_calls[-1])})")


if __name__ == "__main__":
    main()
