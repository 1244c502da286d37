"""Fan-out benchmark: a plain boto3 loop vs botocove vs ``xw.query``, same work, same sandbox.

The work: for each of N member accounts (200, then 1,000), assume
``OrganizationAccountAccessRole`` from the management account's admin and call
``s3.list_buckets`` (2 buckets each). The sandbox runs in a separate process
(``xacct sandbox --member-accounts 1000 --latency-ms 50``), so every request pays a 50 ms round
trip like real AWS and the server's CPU is not charged to the client.

How it is measured, and why:

* **The floor**: with W threads and one round trip per unit, no client can finish N units
  faster than ceil(N / W) x 50 ms (a repeated query: credentials cached); a first query also
  assumes each role, so its floor is two round trips per unit, plus one new connection per
  worker (``--connect-latency-ms``: the handshake to a far region, paid once per connection
  in parallel by the W workers). Nor can it finish faster than the sandbox's own CPU time for
  the run (one Python process serves every request). Each time is printed with its ratio to
  the larger of the two.
* **Connections opened**: ``Sandbox.stats()`` before and after each run (every process's
  connections, process-pool and Dask workers included). ``--tls`` serves HTTPS with the
  sandbox's own CA (``xacct sandbox --tls``), so each new connection also costs a real TLS
  handshake; ``--connect-latency-ms 100`` adds what a far region's round trips would.
* **Client CPU per unit**: the process's CPU time (every thread) during the run, per account.
* **Server CPU per unit**: the sandbox process's CPU time during the same run (read from
  ``/proc``, when this script started the sandbox), per account. The sandbox is one Python
  process: its threads share one GIL, so N requests cannot be served in less than N times one
  request's CPU (``benchmarks/sandbox_requests.py`` breaks that down per operation).
* **Each approach runs in its own fresh child process**, so ``ru_maxrss`` (peak RSS) is that
  approach's alone. Every child imports the same modules first (boto3, pandas, xacct_widgets,
  botocove), so the baselines match. Process-pool and Dask rows count the parent's CPU only
  (their workers are other processes); their start-up (workers started, the query's modules
  imported there) is timed apart (``start s``); their AssumeRole calls are the sandbox's
  requests less one per unit (``~``): each worker process caches the roles it assumed, and a
  batch lands on whichever worker is free, so a repeat assumes again the roles of the batches
  that changed worker.
* **AssumeRole calls are counted the same way for all in-process approaches**: a botocore
  ``before-call`` hook on the management session, registered before any client exists.
* The sandbox answers one request of each kind before anything is timed (its first request
  per service pays one-off set-up, see ``_warm_up``).
* **1st AR s**: how long an in-process run took to send its first AssumeRole (xw.query: the
  checks, the service models, the caller's GetCallerIdentity and its connection's handshake;
  botocove: listing the organization's accounts), a serial lead the latency floor leaves out.
* botocove and xw.query run with the same number of threads (botocove's default, 20); the
  sequential loop is the idiom found in most scripts (a boto3.Session per account).
* botocove builds its own sessions, so its children get the sandbox endpoint and the admin's
  keys through the environment; botocove also lists the organization's accounts first.

Prints figures; asserts nothing (run: ``.venv/bin/python benchmarks/fanout.py``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROLE = "OrganizationAccountAccessRole"
SIZES = (200, 1000)
LATENCY_MS = 50
WORKERS = 20
MODES = ("sequential", "botocove", "xw.query", "xw.process", "xw.dask")
DEFAULT_MODES = ("botocove", "xw.query", "xw.process", "xw.dask")
PROCESSES = 2  # worker processes of the process pool and the Dask cluster


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _server_cpu(pid: int | None) -> float:
    """CPU seconds the sandbox process ``pid`` has used so far (Linux ``/proc``; else 0)."""
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_SERVER_PID: int | None = None


def _timed(run: Any) -> tuple[Any, float, float]:
    """``run()``, its wall time and the process's CPU time (all threads) it took; the sandbox's
    CPU time during it is kept in ``_timed.server``."""
    wall, cpu, server = time.perf_counter(), time.process_time(), _server_cpu(_SERVER_PID)
    value = run()
    _timed.server = _server_cpu(_SERVER_PID) - server  # type: ignore[attr-defined]
    return value, time.perf_counter() - wall, time.process_time() - cpu


def _worker_ready() -> int:
    """Run in a worker process: import what a batch needs; this process's ID."""
    import xacct_widgets.core.query  # noqa: F401

    time.sleep(0.2)  # long enough for the other workers to take the next tasks
    return os.getpid()


def _start_workers(executor: Any, processes: int) -> None:
    """Start-up, timed apart from the query: every worker process started, with the query's
    modules imported (a process pool starts its workers at the first task)."""
    seen: set[int] = set()
    for _ in range(20):
        seen |= {f.result() for f in [executor.submit(_worker_ready) for _ in range(processes)]}
        if len(seen) >= processes:
            return


def child(mode: str, url: str, workers: int, accounts: int) -> dict[str, object]:
    """Run one approach in this (fresh) process and return its figures."""
    import boto3
    import botocove  # noqa: F401  -- imported in every child so baselines match
    import pandas  # noqa: F401

    import xacct_widgets as xw
    from xacct_widgets.sandbox import Sandbox

    sb = Sandbox.attach(url)
    os.environ.update(sb.env("management", "admin"))
    members = sb.member_account_ids[:accounts]

    def counts() -> tuple[int, int]:
        """Connections and requests the sandbox has served so far."""
        stats = sb.stats()
        return int(stats.get("connections", 0)), int(stats.get("requests", 0))

    def since(before: tuple[int, int], prefix: str = "") -> None:
        now = counts()
        out[prefix + "connections"] = now[0] - before[0]
        out[prefix + "requests"] = now[1] - before[1]

    mgmt = sb.session("management", "admin")
    calls = {"assume": 0}
    first_call: dict[str, float] = {}  # when the run started, and its first AssumeRole

    def count(**_: object) -> None:
        calls["assume"] += 1
        first_call.setdefault("assume", time.perf_counter())

    mgmt.events.register("before-call.sts.AssumeRole", count)
    baseline = _rss_mib()
    out: dict[str, object] = {"mode": mode, "baseline_mib": baseline, "accounts": len(members)}
    targets = [(account, ROLE) for account in members]

    def sequential() -> tuple[int, int]:
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
        return rows, 0

    def cove() -> tuple[int, int]:
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
        errors = len(result["Exceptions"]) + len(result["FailedAssumeRole"])
        return sum(len(r["Result"]) for r in result["Results"]), errors

    def lead() -> None:
        """How long the run took to send its first AssumeRole (checks, models, identity)."""
        if "assume" in first_call:
            out["first_assume_s"] = first_call["assume"] - first_call["start"]

    if mode in ("sequential", "botocove"):
        before = counts()
        first_call["start"] = time.perf_counter()
        (rows, errors), wall, cpu = _timed(sequential if mode == "sequential" else cove)
        lead()
        since(before)
        out.update(rows=rows, errors=errors, wall_s=wall, cpu_s=cpu, assume_calls=calls["assume"])
        out["server_cpu_s"] = _timed.server  # type: ignore[attr-defined]
        out["peak_mib"] = _rss_mib()
        return out

    executor: Any = None
    session: Any = mgmt
    started = time.perf_counter()
    closers: list[Any] = []
    if mode == "xw.process":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(PROCESSES, mp_context=multiprocessing.get_context("spawn"))
        closers.append(executor.shutdown)
    elif mode == "xw.dask":
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=PROCESSES, processes=True, dashboard_address=None)
        client = Client(cluster)
        executor = client.get_executor()
        closers += [client.close, cluster.close]
    elif mode != "xw.query":
        raise SystemExit(f"unknown mode {mode!r}")
    if executor is not None:
        session = sb.caller_spec("management", "admin")
        out["remote"] = True  # AssumeRole happens in the workers: counted by the sandbox
        _start_workers(executor, PROCESSES)
    out["startup_s"] = time.perf_counter() - started

    def run() -> Any:
        return xw.query(
            targets, "s3", "list_buckets", session=session, max_workers=workers, executor=executor
        )

    before = counts()
    first_call["start"] = time.perf_counter()
    first, wall, cpu = _timed(run)
    lead()
    since(before)
    out.update(
        rows=len(first.frame),
        errors=len(first.errors),
        wall_s=wall,
        cpu_s=cpu,
        server_cpu_s=_timed.server,  # type: ignore[attr-defined]
        assume_calls=calls["assume"],
        clients=first.clients_built,
        peak_mib=_rss_mib(),
    )
    assumed, served = calls["assume"], counts()
    second, wall, cpu = _timed(run)
    since(served, "repeat_")
    out.update(
        repeat_wall_s=wall,
        repeat_cpu_s=cpu,
        repeat_server_cpu_s=_timed.server,  # type: ignore[attr-defined]
        repeat_assume_calls=calls["assume"] - assumed,
        repeat_clients=second.clients_built,
        repeat_rows=len(second.frame),
        repeat_errors=len(second.errors),
        repeat_peak_mib=_rss_mib(),
    )
    for close in closers:
        close()
    return out


def _start_sandbox(members: int, args: argparse.Namespace) -> tuple[subprocess.Popen[str], str]:
    """``xacct sandbox`` in its own process; returns it and the endpoint it prints. With
    ``--tls`` its CA bundle (the path it prints) is put in ``XACCT_SANDBOX_CA_BUNDLE`` for this
    process and the children, which attach with it.

    Its stdout also carries export lines with secret keys: they are read and discarded here,
    never printed.
    """
    xacct = Path(sys.executable).with_name("xacct")
    command = [str(xacct)] if xacct.exists() else [sys.executable, "-m", "xacct_widgets.cli"]
    options = [*("--member-accounts", str(members)), *("--latency-ms", str(args.latency_ms))]
    if args.tls:
        options.append("--tls")
    if args.connect_latency_ms:
        options += ["--connect-latency-ms", str(args.connect_latency_ms)]
    proc = subprocess.Popen(
        [*command, "sandbox", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 600
    url = None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                raise SystemExit(f"xacct sandbox exited with {proc.returncode}")
            continue
        if line.startswith("endpoint:"):
            url = line.split(":", 1)[1].strip()
            if not args.tls:
                return proc, url
        elif line.startswith("CA bundle:") and url is not None:
            os.environ["XACCT_SANDBOX_CA_BUNDLE"] = line.split(":", 1)[1].split()[0]
            return proc, url
    proc.terminate()
    raise SystemExit("xacct sandbox did not print its endpoint within 600 s")


def _warm_up(url: str) -> None:
    """One request of each kind the approaches make, before any is timed: a fresh sandbox pays
    one-off costs on the first request of each service (moto builds that service's app and
    loads its model), which would otherwise be charged to whichever approach runs first."""
    from xacct_widgets.sandbox import Sandbox

    sb = Sandbox.attach(url)
    mgmt = sb.session("management", "admin")
    sts = mgmt.client("sts")
    sts.get_caller_identity()
    mgmt.client("organizations").list_accounts(MaxResults=1)
    account = sb.member_account_ids[0]
    keys = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="bench-warm-up"
    )["Credentials"]
    member = mgmt.client(
        "s3",
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
    )
    member.list_buckets()


def _run_child(
    mode: str, url: str, workers: int, accounts: int, server_pid: int | None
) -> dict[str, object]:
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            *("--child", mode, "--url", url),
            *("--workers", str(workers), "--accounts", str(accounts)),
            *(("--server-pid", str(server_pid)) if server_pid else ()),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise SystemExit(f"{mode} failed ({done.returncode}):\n{tail}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _f(r: dict[str, object], key: str) -> float:
    return float(r[key])  # type: ignore[arg-type]


def _table(
    accounts: int, workers: int, args: argparse.Namespace, results: dict[str, dict[str, object]]
) -> None:
    rounds = math.ceil(accounts / workers)
    latency, handshake = args.latency_ms / 1000, args.connect_latency_ms / 1000
    floor_first, floor_repeat = rounds * 2 * latency + handshake, rounds * latency
    print(
        f"\n{accounts} accounts, {workers} threads: latency floor {floor_first:.2f} s with "
        f"AssumeRole (2 round trips + one {args.connect_latency_ms:g} ms handshake per worker), "
        f"{floor_repeat:.2f} s repeated (1 round trip, connections kept); the floor of a run is "
        "the larger of that and the sandbox's CPU time for it"
    )
    print(
        f"{'approach':<18}{'wall s':>7}{'floor s':>8}{'x floor':>8}{'CPU ms/unit':>12}"
        f"{'srv CPU ms/unit':>16}{'conns':>7}{'AssumeRole':>11}"
        f"{'clients':>8}{'rows':>6}{'errors':>7}{'peak RSS MiB':>13}{'start s':>8}"
        f"{'1st AR s':>9}"
    )

    def line(
        name: str, wall: float, latency_floor: float, cpu: float, r: dict[str, object], p: str
    ) -> None:
        start = f"{_f(r, 'startup_s'):.1f}" if "startup_s" in r and p == "" else ""
        lead = f"{_f(r, 'first_assume_s'):.2f}" if "first_assume_s" in r and p == "" else ""
        server = float(r.get(p + "server_cpu_s") or 0)  # type: ignore[arg-type]
        srv = f"{server * 1000 / accounts:.2f}" if server else "-"
        floor = max(latency_floor, server)
        assume = r.get(p + "assume_calls", "")
        if r.get("remote") and p + "requests" in r:  # in the workers: requests less the calls
            assume = f"~{int(r[p + 'requests']) - accounts}"  # type: ignore[call-overload]
        print(
            f"{name:<18}{wall:>7.2f}{floor:>8.2f}{wall / floor:>8.1f}{cpu * 1000 / accounts:>12.2f}"
            f"{srv:>16}{r.get(p + 'connections', '-')!s:>7}{assume!s:>11}"
            f"{r.get(p + 'clients', '')!s:>8}"
            f"{r[p + 'rows']!s:>6}{r.get(p + 'errors', '')!s:>7}"
            f"{_f(r, p + 'peak_mib'):>13.0f}{start:>8}{lead:>9}"
        )

    for mode, r in results.items():
        line(
            mode + (" first" if mode.startswith("xw") else ""),
            _f(r, "wall_s"),
            floor_first,
            _f(r, "cpu_s"),
            r,
            "",
        )
        if mode.startswith("xw"):
            line(
                mode + " repeat",
                _f(r, "repeat_wall_s"),
                floor_repeat,
                _f(r, "repeat_cpu_s"),
                r,
                "repeat_",
            )
    if {"botocove", "xw.query"} <= set(results):
        xw_r, cove = results["xw.query"], results["botocove"]
        print(
            f"xw.query vs botocove: first {_f(cove, 'wall_s') / _f(xw_r, 'wall_s'):.1f}x, repeat "
            f"{_f(cove, 'wall_s') / _f(xw_r, 'repeat_wall_s'):.1f}x faster; peak RSS "
            f"{_f(xw_r, 'repeat_peak_mib'):.0f} vs {_f(cove, 'peak_mib'):.0f} MiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help="use a running sandbox instead of starting one")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--accounts", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--modes", nargs="*", default=list(DEFAULT_MODES), choices=MODES)
    parser.add_argument("--latency-ms", type=float, default=LATENCY_MS, help="per request")
    parser.add_argument(
        "--connect-latency-ms",
        type=float,
        default=0,
        help="per new connection (xacct sandbox --connect-latency-ms): a far region's handshake",
    )
    parser.add_argument(
        "--tls", action="store_true", help="an HTTPS sandbox with its own CA (xacct sandbox --tls)"
    )
    parser.add_argument(
        "--server-pid", type=int, help="with --url: the sandbox's process ID, for its CPU figures"
    )
    args = parser.parse_args()
    if args.child:
        global _SERVER_PID
        _SERVER_PID = args.server_pid
        print(json.dumps(child(args.child, args.url, args.workers, args.accounts[0])))
        return

    proc = None
    url = args.url
    started = time.perf_counter()
    if url is None:
        proc, url = _start_sandbox(max(args.accounts), args)
    try:
        _warm_up(url)
        print(
            f"sandbox: {max(args.accounts)} member accounts, {args.latency_ms:g} ms per request, "
            f"{args.connect_latency_ms:g} ms per new connection, "
            f"{'HTTPS (its own CA)' if args.tls else 'HTTP'}, separate process "
            f"(ready in {time.perf_counter() - started:.1f} s)"
        )
        by_size: dict[int, dict[str, dict[str, object]]] = {}
        for accounts in args.accounts:
            modes = [
                m for m in args.modes if accounts >= 1000 or m not in ("xw.process", "xw.dask")
            ]
            pid = proc.pid if proc is not None else args.server_pid
            by_size[accounts] = {m: _run_child(m, url, args.workers, accounts, pid) for m in modes}
            _table(accounts, args.workers, args, by_size[accounts])
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    if len(by_size) > 1:
        small, large = min(by_size), max(by_size)
        for key in ("wall_s", "repeat_wall_s"):
            a, b = by_size[small].get("xw.query"), by_size[large].get("xw.query")
            if a and b:
                print(
                    f"xw.query {key.replace('_s', '')}: {large} accounts take "
                    f"{_f(b, key) / _f(a, key):.1f}x the {small}-account time "
                    f"({large / small:.0f}x the accounts)"
                )


if __name__ == "__main__":
    main()
