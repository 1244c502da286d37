"""Server CPU per request of the sandbox, by operation, with enforcement on and off.

The fan-out benchmark (``fanout.py``) runs against one sandbox process whose threads share one
GIL: if a request costs the server N ms of CPU, 200 requests cannot be served in less than
200 x N ms, whatever the client does. This measures N where it is spent: the CPU time
(``time.thread_time``) of the server thread handling each request, from reading the request line
to writing the answer (werkzeug, the sandbox's middleware, moto, the policy engine). The client
runs in the same process but its CPU is not counted; requests are sent one at a time, without
the latency knob.

Operations, as a fan-out makes them: ``sts:GetCallerIdentity`` (the admin, free of policy),
``sts:AssumeRole`` of ``OrganizationAccountAccessRole`` in each member account (the trust policy
and the admin's identity policies), ``s3:ListBuckets`` with each member role's session (the
role's policies and the organization's SCPs), then ``s3:ListBuckets`` again with the same sessions
(a repeated fan-out).

Prints figures; asserts nothing (run: ``.venv/bin/python benchmarks/sandbox_requests.py``;
``--profile`` also prints the top functions of the enforcing server).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import pstats
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

ROLE = "OrganizationAccountAccessRole"


class _Label:
    """The operation being sent (requests go one at a time, so one shared slot is enough)."""

    label: str | None = None


def _instrument(server: Any, profile: bool) -> tuple[dict[str, list[float]], list[Any]]:
    """Time (and optionally profile) every request the werkzeug ``server`` handles."""
    times: dict[str, list[float]] = defaultdict(list)
    profiles: list[cProfile.Profile] = []
    current = _Label()
    base = server.RequestHandlerClass

    class Timed(base):  # type: ignore[misc, valid-type]
        def handle_one_request(self) -> None:
            prof = cProfile.Profile() if profile else None
            start = time.thread_time()
            if prof is not None:
                prof.enable()
            try:
                super().handle_one_request()
            finally:
                if prof is not None:
                    prof.disable()
                spent = time.thread_time() - start
                label = getattr(current, "label", None)
                if label is not None and getattr(self, "command", None):
                    times[label].append(spent)
                    if prof is not None:
                        profiles.append(prof)

    server.RequestHandlerClass = Timed
    _instrument.current = current  # type: ignore[attr-defined]
    return times, profiles


def measure(
    accounts: int, enforce: bool, count: int, profile: bool, dump: str | None = None
) -> dict[str, list[float]]:
    import boto3

    from xacct_widgets.sandbox import Sandbox

    sb = Sandbox(member_accounts=accounts, enforce=enforce).start()
    try:
        times, profiles = _instrument(sb._server, profile)
        current = _instrument.current  # type: ignore[attr-defined]
        members = sb.member_account_ids[:count]
        mgmt = sb.session("management", "admin")
        sts = mgmt.client("sts")
        sts.get_caller_identity()  # warm up: the first request pays one-off imports

        def run(label: str, call: Callable[[], Any]) -> Any:
            current.label = label
            try:
                return call()
            finally:
                current.label = None

        for _ in members:
            run("sts:GetCallerIdentity", sts.get_caller_identity)
        s3_clients = []
        for account in members:
            arn = f"arn:aws:iam::{account}:role/{ROLE}"
            answer = run(
                "sts:AssumeRole",
                functools.partial(sts.assume_role, RoleArn=arn, RoleSessionName="bench"),
            )
            creds = answer["Credentials"]
            s3_clients.append(
                boto3.Session(
                    aws_access_key_id=creds["AccessKeyId"],
                    aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds["SessionToken"],
                    region_name=sb.region,
                ).client("s3", endpoint_url=sb.endpoint_url)
            )
        for client in s3_clients:
            run("s3:ListBuckets", client.list_buckets)
        for client in s3_clients:  # a repeated fan-out: the session keys are known by now
            run("s3:ListBuckets again", client.list_buckets)
        if profile and profiles:
            print(f"\n-- server profile, enforce={enforce}, {len(profiles)} requests --")
            stats = pstats.Stats(profiles[0])
            for prof in profiles[1:]:
                stats.add(prof)
            if dump:
                stats.dump_stats(f"{dump}.{'on' if enforce else 'off'}")
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(25)
        return dict(times)
    finally:
        sb.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200, help="member accounts seeded")
    parser.add_argument("--requests", type=int, default=100, help="requests per operation")
    parser.add_argument("--profile", action="store_true", help="print the top server functions")
    parser.add_argument("--enforce", choices=("both", "on", "off"), default="both")
    parser.add_argument("--dump", help="with --profile: save the stats to DUMP.on / DUMP.off")
    args = parser.parse_args()
    modes = {"both": (True, False), "on": (True,), "off": (False,)}[args.enforce]
    results = {e: measure(args.accounts, e, args.requests, args.profile, args.dump) for e in modes}
    print(
        f"\nsandbox server CPU per request ({args.accounts} member accounts, "
        f"{args.requests} requests each, sent one at a time)"
    )
    print(
        f"{'operation':<24}" + "".join(f"{'enforce ' + ('on' if e else 'off'):>16}" for e in modes)
    )
    for op in ("sts:GetCallerIdentity", "sts:AssumeRole", "s3:ListBuckets", "s3:ListBuckets again"):
        cells = []
        for e in modes:
            spent = results[e].get(op, [])
            cells.append(f"{1000 * sum(spent) / len(spent):>13.2f} ms" if spent else f"{'-':>16}")
        print(f"{op:<24}" + "".join(cells))


if __name__ == "__main__":
    main()
