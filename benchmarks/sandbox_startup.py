"""Sandbox start-up: time to ready and peak RSS, each case in a fresh process.

Goals (issue 2): tutorial accounts ready < 2 s and < 250 MiB RSS; 200 member accounts < 20 s.
The start-up self-check (``sandbox/canary.py``, issue 17; goal <= 100 ms) is shown twice: in the
fresh process ("canary 1st"), where its first request to each service also pays moto's one-time
set-up of that service (which the first real request would pay otherwise: compare "1st call"),
and at a second start in the same process ("canary ms"), its own cost.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys

CASE = """
import json, resource, time
t0 = time.perf_counter()
from xacct_widgets.sandbox import Sandbox
t1 = time.perf_counter()
sb = Sandbox(member_accounts={members}).start()
t2 = time.perf_counter()
arn = sb.session("source", "operator").client("sts").get_caller_identity()["Arn"]
t3 = time.perf_counter()
cold = sb.self_check.seconds
sb.stop()
again = Sandbox(member_accounts={members}).start()
warm = again.self_check.seconds
again.stop()
print(json.dumps({{"import_s": t1 - t0, "start_s": t2 - t1, "first_call_s": t3 - t2,
                   "canary_cold_ms": cold * 1000, "canary_ms": warm * 1000,
                   "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def main() -> None:
    header = ("case", "import s", "start s", "ready s", "1st call s", "canary 1st ms", "canary ms")
    header += ("peak RSS MiB",)
    print(f"{header[0]:<24}" + "".join(f"{h:>14}" for h in header[1:]))
    for members, goal in ((0, "< 2 s, < 250 MiB"), (200, "< 20 s")):
        out = subprocess.run(
            [sys.executable, "-c", CASE.format(members=members)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        ready = r["import_s"] + r["start_s"]
        print(
            f"{f'{members} member accounts':<24}{r['import_s']:>14.2f}{r['start_s']:>14.2f}"
            f"{ready:>14.2f}{r['first_call_s']:>14.3f}{r['canary_cold_ms']:>14.1f}"
            f"{r['canary_ms']:>14.1f}{r['rss_mib']:>14.0f}   goal {goal}, canary <= 100 ms"
        )


if __name__ == "__main__":
    main()
