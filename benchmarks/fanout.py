"""Fan-out benchmark: a plain boto3 loop vs botocove vs ``xw.query``, same work, same sandbox.

The work: for each of 200 member accounts, assume ``OrganizationAccountAccessRole`` from the
management account's admin and call ``s3.list_buckets`` (2 buckets each). The sandbox runs in a
separate process (``xacct sandbox --member-accounts 200 --latency-ms 50``), so every request
pays a 50 ms round trip like real AWS and the server's CPU is not charged to the client.

How it is measured, and why:

* **Each approach runs in its own fresh child process**, so ``ru_maxrss`` (peak RSS) is that
  approach's alone: a peak is a high-water mark and cannot be "un-measured" after a previous
  approach in the same process. Every child imports the same modules first (boto3, pandas,
  xacct_widgets, botocove), so the baselines match; the table shows the absolute peak and the
  growth over that post-import baseline.
* **AssumeRole calls are counted the same way for all three**: a botocore ``before-call``
  hook on the management session, registered before any client exists (clients copy the
  session's handlers when created, including botocove's and xw.query's STS clients).
* botocove and xw.query run with the same number of threads (botocove's default, 20); the
  sequential loop is the idiom found in most scripts (a boto3.Session per account).
* botocove builds its own sessions, so its children get the sandbox endpoint and the admin's
  keys through the environment (``AWS_ENDPOINT_URL`` etc.); botocove also lists the
  organization's accounts first (part of its normal work, included in its time).

Prints figures; asserts nothing (run: ``.venv/bin/python benchmarks/fanout.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROLE = "OrganizationAccountAccessRole"
MEMBERS = 200
LATENCY_MS = 50
WORKERS = 20


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(mode: str, url: str, workers: int) -> dict[str, object]:
    """Run one approach in this (fresh) process and return its figures."""
    import boto3
    import botocove  # noqa: F401  -- imported in every child so baselines match
    import pandas  # noqa: F401

    import xacct_widgets as xw
    from xacct_widgets.sandbox import Sandbox

    sb = Sandbox.attach(url)
    os.environ.update(sb.env("management", "admin"))
    members = sb.member_account_ids
    mgmt = sb.session("management", "admin")
    calls = {"assume": 0}

    def count(**_: object) -> None:
        calls["assume"] += 1

    mgmt.events.register("before-call.sts.AssumeRole", count)
    baseline = _rss_mib()
    out: dict[str, object] = {"mode": mode, "baseline_mib": baseline, "accounts": len(members)}
    start = time.perf_counter()
    if mode == "sequential":
        sts = mgmt.client("sts")
        rows = 0
        for account in members:
            creds = sts.assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="bench-seq"
            )["Credentials"]
            session = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
                region_name=sb.region,
            )
            rows += len(session.client("s3").list_buckets()["Buckets"])
        out.update(rows=rows, errors=0)
    elif mode == "botocove":
        from botocove import cove

        @cove(
            target_ids=members,
            rolename=ROLE,
            assuming_session=mgmt,
            thread_workers=workers,
            regions=[sb.region],
        )
        def buckets(session: boto3.Session) -> list[object]:
            return list(session.client("s3").list_buckets()["Buckets"])

        result = buckets()
        out.update(
            rows=sum(len(r["Result"]) for r in result["Results"]),
            errors=len(result["Exceptions"]) + len(result["FailedAssumeRole"]),
        )
    elif mode == "xw.query":
        targets = [(account, ROLE) for account in members]
        first = xw.query(targets, "s3", "list_buckets", session=mgmt, max_workers=workers)
        out.update(
            rows=len(first.frame), errors=len(first.errors), result_assumes=first.assume_calls
        )
        out["wall_s"] = time.perf_counter() - start
        out["assume_calls"] = calls["assume"]
        out["peak_mib"] = _rss_mib()
        before = calls["assume"]
        again = time.perf_counter()
        second = xw.query(targets, "s3", "list_buckets", session=mgmt, max_workers=workers)
        out.update(
            repeat_wall_s=time.perf_counter() - again,
            repeat_assume_calls=calls["assume"] - before,
            repeat_result_assumes=second.assume_calls,
            repeat_rows=len(second.frame),
            repeat_peak_mib=_rss_mib(),
        )
        return out
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    out["wall_s"] = time.perf_counter() - start
    out["assume_calls"] = calls["assume"]
    out["peak_mib"] = _rss_mib()
    return out


def _start_sandbox() -> tuple[subprocess.Popen[str], str]:
    """``xacct sandbox`` in its own process; returns it and the endpoint it prints.

    Its stdout also carries export lines with secret keys: they are read and discarded here,
    never printed.
    """
    xacct = Path(sys.executable).with_name("xacct")
    command = [str(xacct)] if xacct.exists() else [sys.executable, "-m", "xacct_widgets.cli"]
    proc = subprocess.Popen(
        [*command, "sandbox", "--member-accounts", str(MEMBERS), "--latency-ms", str(LATENCY_MS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                raise SystemExit(f"xacct sandbox exited with {proc.returncode}")
            continue
        if line.startswith("endpoint:"):
            return proc, line.split(":", 1)[1].strip()
    proc.terminate()
    raise SystemExit("xacct sandbox did not print its endpoint within 180 s")


def _run_child(mode: str, url: str, workers: int) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--url", url, "--workers", str(workers)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise SystemExit(f"{mode} failed ({done.returncode}):\n{tail}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help="use a running sandbox instead of starting one")
    parser.add_argument("--workers", type=int, default=WORKERS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.url, args.workers)))
        return

    proc = None
    url = args.url
    started = time.perf_counter()
    if url is None:
        proc, url = _start_sandbox()
    try:
        print(
            f"sandbox: {MEMBERS} member accounts, {LATENCY_MS} ms per request, separate process "
            f"(ready in {time.perf_counter() - started:.1f} s); threads: {args.workers}"
        )
        results = {
            m: _run_child(m, url, args.workers) for m in ("sequential", "botocove", "xw.query")
        }
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)

    header = f"{'approach':<12}{'wall s':>9}{'AssumeRole':>12}{'rows':>7}{'errors':>8}"
    header += f"{'peak RSS MiB':>14}{'over baseline':>15}"
    print(header)
    for mode, r in results.items():
        peak, base = float(r["peak_mib"]), float(r["baseline_mib"])  # type: ignore[arg-type]
        print(
            f"{mode:<12}{float(r['wall_s']):>9.2f}{r['assume_calls']:>12}{r['rows']:>7}"  # type: ignore[arg-type]
            f"{r['errors']:>8}{peak:>14.0f}{peak - base:>15.0f}"
        )
    xw_r = results["xw.query"]
    print(
        f"{'xw (repeat)':<12}{float(xw_r['repeat_wall_s']):>9.2f}"  # type: ignore[arg-type]
        f"{xw_r['repeat_assume_calls']:>12}{xw_r['repeat_rows']:>7}{'':>8}"
        f"{float(xw_r['repeat_peak_mib']):>14.0f}"  # type: ignore[arg-type]
    )

    def wall(mode: str) -> float:
        return float(results[mode]["wall_s"])  # type: ignore[arg-type]

    def growth(mode: str) -> float:
        r = results[mode]
        return float(r["peak_mib"]) - float(r["baseline_mib"])  # type: ignore[arg-type]

    print()
    print(
        f"speed-up vs sequential loop : {wall('sequential') / wall('xw.query'):5.1f}x  (aim >= 8x)"
    )
    print(f"speed-up vs botocove        : {wall('botocove') / wall('xw.query'):5.1f}x  (aim >= 1x)")
    print(
        f"peak RSS xw / botocove      : "
        f"{float(xw_r['peak_mib']) / float(results['botocove']['peak_mib']):5.2f}   "  # type: ignore[arg-type]
        f"(growth over baseline: {growth('xw.query'):.0f} vs {growth('botocove'):.0f} MiB)"
    )
    print(
        f"repeated xw.query           : {xw_r['repeat_assume_calls']} AssumeRole calls "
        f"(result counter: {xw_r['repeat_result_assumes']}), "
        f"{float(xw_r['repeat_wall_s']):.2f} s"  # type: ignore[arg-type]
    )


if __name__ == "__main__":
    main()
