"""``TrustMap``: who can switch where across an organization, as a table of edges.

Collected once (a fan-out of reads, :mod:`.collect`), solved with the one policy engine
(:mod:`.solve`), asked many questions offline (:mod:`.queries`), saved and re-opened without
credentials, and provable in the sandbox (:mod:`.verify`).
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import boto3
import pandas as pd

from ...errors import InvalidArn, InvalidInput
from ..frames import to_frame
from ..query import DEFAULT_MEMBER_ROLE, ERROR_COLUMNS, TargetsLike
from ..query.credentials import credentials_of
from ..sessions import derived_session, require_session
from .collect import collect_accounts, read_organization
from .graph import to_graph
from .model import AccountData, OrgData
from .queries import diff_edges, find_paths
from .solve import EDGE_COLUMNS, solve
from .verify import SandboxLike, replay

__all__ = ["FORMAT", "TrustMap"]

#: The snapshot file's format marker (``TrustMap.save``).
FORMAT: Final = "xacct-trustmap/1"
#: What :meth:`TrustMap.show` returns (``module:class``): the widgets layer's view of a map.
VIEWER: Final = "xacct_widgets.widgets.trustmap_view:TrustMapView"


def _edge_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = to_frame(rows, EDGE_COLUMNS)
    frame["external"] = frame["external"].astype(bool)
    return frame


@dataclass(eq=False)
class TrustMap:
    """Every principal that can ``sts:AssumeRole`` into every role of the accounts read.

    ``edges`` (columns :data:`~.solve.EDGE_COLUMNS`): one row per (principal, role) that can
    assume, with the identity-side grant (``via``), the trust statement (``trust_statement``,
    its Sid or index), the conditions left to the request (``conditions``, as data) and
    whether the principal is outside the organization (``external``). ``errors``: one row per
    account (or organization read) that failed, as in ``xw.query``.
    """

    accounts: list[AccountData] = field(repr=False)
    org: OrgData = field(repr=False)
    errors: pd.DataFrame = field(repr=False)
    edges: pd.DataFrame = field(init=False, repr=False)
    collect_s: float = 0.0
    solve_s: float = 0.0

    def __post_init__(self) -> None:
        started = time.perf_counter()
        self.edges = _edge_frame(solve(self.accounts, self.org))
        self.solve_s = time.perf_counter() - started

    def __repr__(self) -> str:
        return (
            f"TrustMap({len(self.accounts)} accounts, {len(self.edges)} edges, "
            f"{len(self.errors)} errors)"
        )

    # -- building --------------------------------------------------------------------------
    @classmethod
    def collect(
        cls,
        accounts: TargetsLike,
        *,
        session: boto3.Session,
        execution_role: str = DEFAULT_MEMBER_ROLE,
        executor: Executor | None = None,
        max_workers: int = 20,
    ) -> TrustMap:
        """Read every account (``execution_role`` assumed in each; the caller's own account
        with ``session``) and the organization's SCPs when ``session`` may, then solve.

        ``accounts``: an ``xw.Organization``, account IDs, a frame with ``account_id``, or
        anything ``xw.query`` accepts. Reads only. Failures become rows of ``errors``.
        """
        session = require_session(session, "TrustMap.collect")
        started = time.perf_counter()
        # The organization's few reads go on beside the fan-out instead of after it, through a
        # session of their own (same credentials and settings): boto3 sessions are not
        # thread-safe, and the fan-out uses the caller's meanwhile.
        beside_session = derived_session(session, credentials_of(session))
        with ThreadPoolExecutor(1, thread_name_prefix="trustmap-org") as beside:
            org_read = beside.submit(read_organization, beside_session)
            found, errors, _ = collect_accounts(
                accounts,
                session=session,
                execution_role=execution_role,
                executor=executor,
                max_workers=max_workers,
            )
            org, org_errors = org_read.result()
        named = [
            AccountData(
                a.account_id,
                a.snapshot,
                str(org.accounts.get(a.account_id, {}).get("name", "")),
                str(org.accounts.get(a.account_id, {}).get("ou", "")),
            )
            for a in found
        ]
        frames = [f for f in (errors, org_errors) if not f.empty]
        all_errors = pd.concat(frames, ignore_index=True) if frames else to_frame([], ERROR_COLUMNS)
        built = cls(named, org, all_errors)
        built.collect_s = time.perf_counter() - started - built.solve_s
        return built

    # -- questions ---------------------------------------------------------------------------
    def who_can_assume(self, role_arn: str) -> pd.DataFrame:
        """The edges into ``role_arn``."""
        frame = self.edges[self.edges["role_arn"] == self._arn(role_arn, "role_arn")]
        return frame.reset_index(drop=True)

    def what_can(self, principal_arn: str) -> pd.DataFrame:
        """The edges out of ``principal_arn`` (a user, a role, a service, an account root)."""
        arn = self._arn(principal_arn, "principal_arn")
        return self.edges[self.edges["principal_arn"] == arn].reset_index(drop=True)

    def paths(self, from_arn: str, to_arn: str, max_hops: int = 3) -> pd.DataFrame:
        """Every way from ``from_arn`` into ``to_arn`` in at most ``max_hops`` AssumeRole calls;
        a path of two hops or more is a role chain, its sessions capped at one hour."""
        if isinstance(max_hops, bool) or not isinstance(max_hops, int) or max_hops < 1:
            raise InvalidInput(
                f"max_hops {max_hops!r} is invalid: it must be a whole number >= 1.",
                fix="Use e.g. max_hops=3.",
            )
        start = self._arn(from_arn, "from_arn")
        return find_paths(self.edges, start, self._arn(to_arn, "to_arn"), max_hops)

    def external(self) -> pd.DataFrame:
        """Edges from outside the organization (Access Analyzer's external access), then the
        edges that cross accounts inside it (which Access Analyzer does not report)."""
        crossing = self.edges["principal_account"] != self.edges["role_account"]
        outside = self.edges[self.edges["external"]]
        inside = self.edges[~self.edges["external"] & crossing]
        frame = pd.concat([outside, inside], ignore_index=True)
        frame.insert(0, "finding", ["external"] * len(outside) + ["cross-account"] * len(inside))
        return frame

    def diff(self, other: TrustMap) -> pd.DataFrame:
        """Edges added (in ``self``, not in ``other``) and removed (the other way), so
        ``new.diff(old)`` reads as what changed since ``old``."""
        if not isinstance(other, TrustMap):
            raise InvalidInput(
                f"diff needs another TrustMap, got {type(other).__name__}.",
                fix="e.g. TrustMap.load('before.json').",
            )
        return diff_edges(other.edges, self.edges)

    def graph(self) -> Any:
        """The map as a ``networkx.MultiDiGraph``: nodes are principals and roles (``type``,
        ``account``, ``ou``, ``account_name``, ``external``), one edge per row of ``edges``
        (its columns as attributes). Needs ``pip install 'xacct_widgets[graph]'``."""
        return to_graph(self.edges, self.accounts, self.org)

    def show(self, **options: Any) -> Any:
        """The map as an interactive picture in the notebook (accounts as boxes, principals and
        roles as nodes; filter, search, colour by account or OU, click an edge for both its
        statements and, from your own principal, "Switch into this role").

        ``options`` go to :class:`~xacct_widgets.TrustMapView` (e.g. ``switcher=``). The view
        is the widgets layer's: core names it (as pandas names its plotting backend) and never
        imports ipywidgets itself, so a map collected where no widget can render still works.
        """
        module, _, name = VIEWER.partition(":")
        view: Any = getattr(importlib.import_module(module), name)
        return view(self, **options)

    def roles(self) -> list[str]:
        """Every role ARN of the map."""
        return [r.arn for a in self.accounts for r in a.snapshot.roles.values()]

    def principals(self) -> list[str]:
        """Every user and role ARN of the map (the principals it decides for)."""
        return [
            e.arn
            for a in self.accounts
            for e in [*a.snapshot.users.values(), *a.snapshot.roles.values()]
        ]

    def verify(
        self,
        sample: int | None = None,
        *,
        sandbox: SandboxLike,
        sessions: Mapping[str, boto3.Session] | None = None,
        seed: int = 0,
    ) -> pd.DataFrame:
        """Replay the edges (all, or ``sample``) and as many non-edges as real AssumeRole
        calls in ``sandbox`` (an ``xw.Sandbox``); one row each, ``agree`` False where the
        sandbox decided otherwise, None where the pair could not be replayed (``detail``).

        ``sessions`` maps a user's ARN to its session, for users the sandbox did not seed.
        """
        if sandbox is None or not hasattr(sandbox, "principals"):
            raise InvalidInput(
                "verify replays edges in the sandbox and needs it.",
                fix="Pass sandbox=xw.Sandbox.from_env() (or the Sandbox you started).",
            )
        return replay(
            self.edges,
            self.roles(),
            self.principals(),
            sandbox=sandbox,
            sessions=sessions,
            sample=sample,
            seed=seed,
        )

    @staticmethod
    def _arn(value: object, name: str) -> str:
        text = str(value).strip() if isinstance(value, str) else ""
        if not text or not (text.startswith("arn:") or text == "*" or "." in text):
            raise InvalidArn(
                f"{name} {value!r} is not an ARN.",
                fix="e.g. arn:aws:iam::123456789012:role/auditor.",
            )
        return text

    # -- snapshot files --------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the map's inputs (IAM policies, SCPs; no credential) as JSON to ``path``."""
        target = Path(path)
        data = {
            "format": FORMAT,
            "accounts": [a.to_json() for a in self.accounts],
            "organization": self.org.to_json(),
            "errors": self.errors.astype(str).to_dict("records"),
        }
        target.write_text(json.dumps(data, indent=1, sort_keys=True, default=str))
        return target

    @classmethod
    def load(cls, path: str | Path) -> TrustMap:
        """Re-open a map saved with :meth:`save` (solved again, offline)."""
        source = Path(path)
        try:
            data = json.loads(source.read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise InvalidInput(
                f"{source} is not a readable trust map snapshot: {err}.",
                fix="Give a file written by TrustMap.save().",
            ) from err
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InvalidInput(
                f"{source} is not a trust map snapshot (format {FORMAT!r}).",
                fix="Give a file written by TrustMap.save().",
            )
        return cls(
            [AccountData.from_json(a) for a in data["accounts"]],
            OrgData.from_json(data["organization"]),
            to_frame(data.get("errors") or [], ERROR_COLUMNS),
        )
