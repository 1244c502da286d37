"""Time TargetAccount.plan() on an unchanged role and count the AWS API calls it makes.

Runs an in-process sandbox, applies the tutorial's ``cross-account`` role (ReadOnlyAccess, plus
``--inline`` inline policies), then plans the same spec N times. Calls are counted with a
botocore ``before-call.*.*`` event hook on the TargetAccount's IAM client. Prints figures only;
never asserts on time. The aim: a no-op plan reads only what it needs (GetRole, the two policy
lists, one GetRolePolicy per inline policy) and a no-op apply adds no call at all. Also timed:
``spec_of`` (reading the role back as its RoleSpec, what the wizard does when an existing
role's name is typed) and the refusal of a destructive apply (reads only, no write).

    .venv/bin/python benchmarks/plan.py [-n 50] [--inline 1] [--latency-ms 0]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter

from xacct_widgets.core.target import RoleSpec, TargetAccount
from xacct_widgets.errors import DestructiveChange
from xacct_widgets.sandbox import Sandbox


class CallCounter:
    """Counts API calls of one botocore client by operation name."""

    def __init__(self, client):
        self.calls: Counter[str] = Counter()
        client.meta.events.register("before-call.*.*", self._hook)

    def _hook(self, model, **_):
        self.calls[model.name] += 1

    def take(self):
        taken, self.calls = self.calls, Counter()
        return taken


def describe(counts):
    return ", ".join(f"{name} x{n}" for name, n in sorted(counts.items())) or "none"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="plans to time (default 50)")
    parser.add_argument("--inline", type=int, default=1, help="inline policies on the role")
    parser.add_argument("--latency-ms", type=float, default=0, help="simulated AWS latency")
    args = parser.parse_args()

    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    spec = RoleSpec(
        name="cross-account",
        trusted_account="9876-5432-9876",
        managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        inline_policies={f"inline-{i}": doc for i in range(args.inline)},
    )
    with Sandbox(latency_ms=args.latency_ms) as sandbox:
        target = TargetAccount(sandbox.session("target", "admin"))
        counter = CallCounter(target.iam)

        started = time.perf_counter()
        target.apply(spec)
        created = time.perf_counter() - started
        print(
            f"first apply (creates the role): {describe(counter.take())}; {created * 1000:.1f} ms"
        )

        times, per_plan = [], []
        for _ in range(args.n):
            started = time.perf_counter()
            plan = target.plan(spec)
            times.append(time.perf_counter() - started)
            per_plan.append(counter.take())
            assert plan.is_noop, plan

        started = time.perf_counter()
        target.apply(spec)
        noop_apply = time.perf_counter() - started
        apply_calls = counter.take()

        started = time.perf_counter()
        read = target.spec_of(spec.name)
        spec_of_time = time.perf_counter() - started
        spec_of_calls = counter.take()
        assert target.plan(read).is_noop
        counter.take()

        started = time.perf_counter()
        try:
            target.apply(RoleSpec(name=spec.name, trusted_account=spec.trusted_account))
        except DestructiveChange as err:
            refused = len(err.rows)
        refusal = time.perf_counter() - started
        refusal_calls = counter.take()

    low, mid, high = (1000 * f(times) for f in (min, statistics.median, max))
    totals = sorted({sum(c.values()) for c in per_plan})
    print(
        f"sandbox latency: {args.latency_ms:g} ms per request; N = {args.n}; inline = {args.inline}"
    )
    print(f"plan() on an unchanged role:   median {mid:.1f} ms (min {low:.1f}, max {high:.1f})")
    print(f"API calls per no-op plan():    {totals} ({describe(per_plan[-1])})")
    print(
        f"no-op apply():                 {noop_apply * 1000:.1f} ms, "
        f"{sum(apply_calls.values())} calls ({describe(apply_calls)})"
    )
    print(
        f"spec_of():                     {spec_of_time * 1000:.1f} ms ({describe(spec_of_calls)})"
    )
    print(
        f"destructive apply refused:     {refusal * 1000:.1f} ms, {refused} row(s) named, "
        f"{describe(refusal_calls)} (no write)"
    )


if __name__ == "__main__":
    main()
