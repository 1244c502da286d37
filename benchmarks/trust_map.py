"""Trust map benchmark: ``xw.TrustMap.collect`` of an organization vs one ``xw.query`` call.

The organization: an in-process sandbox with N member accounts (200 by default), each seeded
(directly in moto's IAM backends, as the sandbox seeds itself, so set-up is not timed) with
10 users, 3 groups (each user in one; each group allowed ``sts:AssumeRole`` on the next
account's ``app-*`` roles), 8 roles (``app-0``..``app-5`` trusting the management account's
root and the previous account's root, ``ci`` trusting a service, ``vendor`` trusting an
outside account under an ExternalId). Against it, in the same run:

* ``xw.query(org, "iam", "get_account_summary")``: the floor, one call per account through the
  same fan-out (an AssumeRole each);
* ``xw.query(org, "iam", "get_account_authorization_details")``: the same read as the map's,
  through the plain fan-out (items flattened into a frame);
* ``TrustMap.collect(org)``: the paginated ``GetAccountAuthorizationDetails`` per account and
  the organization's SCPs, then the solve (timed apart: ``collect_s``, ``solve_s``);
* the one-call query again after the collect: the floor is the mean of the two runs, so the
  ratio is not the load of one moment (the issue's target: collect <= 2x the floor).

Prints figures (collect time, its ratio to the one-call query, solve time, edges, peak RSS);
asserts nothing. Here (2 shared cores, 200 accounts, no latency): read 4.1 s = 1.38x the
one-call query (3.0 s), solve 2.3 s, 15,400 edges, 340 MiB peak RSS (the collect through a
boto3 session and a client per account was 3.4x the same floor). The sandbox runs in this
process, so its CPU is charged to the run (both approaches alike); ``--latency-ms 50`` adds
AWS's round trip to every request. Run:
``.venv/bin/python benchmarks/trust_map.py [--accounts 200] [--latency-ms 50]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import xacct_widgets as xw
from xacct_widgets.core.query import clear_credential_cache

USERS, GROUPS, APP_ROLES = 10, 3, 6


def _doc(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _seed(members: list[str], management: str) -> None:
    """Principals and roles in every member account, straight into moto's IAM backends."""
    from moto.iam.models import iam_backends

    for i, account in enumerate(members):
        iam = iam_backends[account]["aws"]
        nxt, prev = members[(i + 1) % len(members)], members[i - 1]
        for g in range(GROUPS):
            iam.create_group(f"team-{g}")
            resource_arn = f"arn:aws:iam::{nxt}:role/app-*"
            iam.put_group_policy(
                f"team-{g}",
                "switch",
                _doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource_arn}),
            )
        for u in range(USERS):
            iam.create_user("us-east-1", f"user-{u}")
            iam.add_user_to_group(f"team-{u % GROUPS}", f"user-{u}")
        trusted = [f"arn:aws:iam::{management}:root", f"arn:aws:iam::{prev}:root"]
        trust = _doc({"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"})
        for r in range(APP_ROLES):
            iam.create_role(f"app-{r}", trust, "/", None, "app role", [], "3600")
        ci = _doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "codebuild.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        )
        iam.create_role("ci", ci, "/", None, "ci role", [], "3600")
        vendor = _doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": f"x-{account}"}},
            }
        )
        iam.create_role("vendor", vendor, "/", None, "vendor role", [], "3600")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument(
        "--latency-ms", type=float, default=0, help="added to every request, as AWS's round trip"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    with xw.Sandbox(member_accounts=args.accounts, latency_ms=args.latency_ms) as sandbox:
        _seed(sandbox.member_account_ids, sandbox.MANAGEMENT)
        print(f"sandbox with {args.accounts} seeded members: {time.perf_counter() - started:.1f} s")
        admin = sandbox.session("management", "admin")
        org = xw.Organization(admin)
        clear_credential_cache()
        t = time.perf_counter()
        floor = xw.query(org, "iam", "get_account_summary", session=admin, max_workers=args.workers)
        query_s = time.perf_counter() - t
        clear_credential_cache()
        t = time.perf_counter()
        same = xw.query(
            org,
            "iam",
            "get_account_authorization_details",
            session=admin,
            max_workers=args.workers,
        )
        same_s = time.perf_counter() - t
        clear_credential_cache()  # collect assumes every role again, like the queries did
        t = time.perf_counter()
        tm = xw.TrustMap.collect(org, session=admin, max_workers=args.workers)
        total_s = time.perf_counter() - t
        clear_credential_cache()  # the floor once more: a shared machine's load drifts
        t = time.perf_counter()
        xw.query(org, "iam", "get_account_summary", session=admin, max_workers=args.workers)
        query_after_s = time.perf_counter() - t
        query_s = (query_s + query_after_s) / 2
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"xw.query get_account_summary : {query_s:7.1f} s ({len(floor.errors)} errors; mean of "
        f"before and after collect, {query_after_s:.1f} s after)"
    )
    print(f"xw.query get_account_auth... : {same_s:7.1f} s ({len(same.errors)} errors)")
    print(
        f"TrustMap.collect             : {total_s:7.1f} s "
        f"(read {tm.collect_s:.1f} s = {tm.collect_s / query_s:.2f}x get_account_summary, "
        f"{tm.collect_s / same_s:.2f}x get_account_authorization_details; "
        f"solve {tm.solve_s:.2f} s)"
    )
    ratio = tm.collect_s / query_s
    verdict = "met" if ratio <= 2 else "NOT met"
    print(f"target collect <= 2x query   : {ratio:.2f}x, {verdict}")
    print(f"accounts mapped / errors     : {len(tm.accounts)} / {len(tm.errors)}")
    print(f"edges                        : {len(tm.edges)}")
    print(f"peak RSS                     : {rss:.0f} MiB")


if __name__ == "__main__":
    main()
