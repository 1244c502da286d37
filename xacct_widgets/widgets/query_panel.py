"""``QueryPanel``: ask many accounts the same question and get one table back.

The panel is a form over :func:`xacct_widgets.core.query.query`: where to ask (the
organization's accounts, optionally one OU; the roles of a switcher's history; or a typed list
of ``account[,role[,external_id]]`` lines), what to ask (service, operation, JSON params,
regions, a JMESPath selecting the items), then **Run** with a progress bar, **Stop**, and the
answer: a summary line, the rows, and one error row per account or region that failed.

Why it is built this way:

* **Everything typed is checked before any call** (JSON params, role names, account IDs,
  region names, the JMESPath): a bad field gets an inline error under it and nothing runs.
  The service and operation are checked by the core, also before any call, and reported in the
  error box with the fix.
* **Run works in a background thread** so the kernel stays free to receive the **Stop** click
  (a click handler that blocked until the fan-out ended could never see it). The core calls
  the progress callback in the thread that called ``query()``, which is that background
  thread; ipywidgets sends trait changes from any thread. :meth:`QueryPanel.run` does the same
  work synchronously, for notebook code and tests, and :meth:`QueryPanel.wait` joins a run
  started by the button.
* **The result stays available**: ``.result`` (the :class:`QueryResult`), ``.frame`` and
  ``.errors`` (DataFrames), so the next notebook cell can carry on in pandas.
* Tables are plain HTML via :func:`.common.html_table` (stable across runs, no Styler ids), at
  most :data:`MAX_ROWS_SHOWN` rows of them: the whole frame is ``.frame``.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import boto3
import ipywidgets as w
import jmespath
import pandas as pd

from ..core import ids
from ..core.frames import scrub_text
from ..core.organization import DEFAULT_MEMBER_ROLE, Organization
from ..core.query import ERROR_COLUMNS, QueryProgress, QueryResult, Target, query
from ..core.switcher import RoleSwitcher
from ..errors import InvalidInput, XacctError
from .common import STYLE, Field, _text_of, box_html, classed, error_html, esc, field, html_table

__all__ = ["COMMON_OPERATIONS", "MAX_ROWS_SHOWN", "SOURCES", "QueryPanel", "summary_text"]

log = logging.getLogger("xacct_widgets.widgets")

#: At most this many rows are rendered in the table (the whole result is ``panel.frame``).
MAX_ROWS_SHOWN: Final = 500

#: Where targets come from: (label shown, value).
SOURCES: Final[tuple[tuple[str, str], ...]] = (
    ("Organization accounts", "organization"),
    ("Role history", "history"),
    ("Typed list", "typed"),
)

#: Suggested services and, for each, read operations worth a fan-out (free text is allowed).
COMMON_OPERATIONS: Final[dict[str, tuple[str, ...]]] = {
    "s3": ("list_buckets",),
    "iam": ("list_roles", "list_users", "list_policies", "get_account_summary"),
    "ec2": ("describe_instances", "describe_vpcs", "describe_security_groups", "describe_regions"),
    "sts": ("get_caller_identity",),
    "organizations": ("describe_organization", "list_accounts"),
}

_REGION_RE: Final = re.compile(r"[a-z]{2,}(-[a-z0-9]+)+")
_SPLIT_RE: Final = re.compile(r"[,\s]+")

_HELP: Final = (
    "Ask every chosen account the same read-only question. <b>Targets</b>: the organization's "
    "ACTIVE accounts (optionally one OU and the OUs below it), the roles in your role history, "
    "or a typed list. <b>Question</b>: a boto3 client name and method, e.g. <code>s3</code> / "
    "<code>list_buckets</code> or <code>iam</code> / <code>list_roles</code>. Click "
    "<b>Run</b>; one account that fails becomes an error row and never hides the others."
)


@dataclass(frozen=True)
class _Request:
    """One validated run: what the form said when Run was clicked."""

    source: str
    targets: Any  # an Organization, a RoleSwitcher, or a list of Targets (OU: resolved later)
    ou: str | None
    caller: boto3.Session | None
    service: str
    operation: str
    params: dict[str, Any] | None
    regions: list[str] | str | None
    jmespath: str | None
    role_name: str
    label: str  # stable, secret-free description for the repr


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary_text(result: QueryResult) -> str:
    """One line: rows, accounts (x regions), errors, AssumeRole calls and time."""
    where = _plural(result.targets, "account")
    if len(result.regions) > 1:
        where += f" in {_plural(len(result.regions), 'region')}"
    assumed = _plural(result.assume_calls, "AssumeRole call")
    if result.assume_calls == 0:
        assumed += " (cached)"
    text = (
        f"{_plural(len(result.frame), 'row')} from {where}, "
        f"{_plural(len(result.errors), 'error')}, {assumed}, {result.elapsed_s:.1f} s"
    )
    cancelled = int((result.errors["error_code"] == "Cancelled").sum()) if len(result.errors) else 0
    if cancelled:
        text += f" — stopped: {_plural(cancelled, 'unit')} not run"
    return text


class QueryPanel(w.VBox):  # type: ignore[misc]  # ipywidgets ships no type hints
    """A form for :func:`~xacct_widgets.core.query.query`, with progress, Stop and the results.

    ``session`` is the caller that assumes the roles (for the organization: its management
    account or a delegated administrator). ``switcher`` offers its role history as targets
    (those roles are assumed from the switcher's signed-in user, as the history was made).
    ``organization`` defaults to ``Organization(session)``. ``role_name`` is the role assumed in
    organization accounts and in typed lines that name none.

    State for notebook code: ``result`` (the last :class:`QueryResult`, or None), ``frame`` and
    ``errors`` (its DataFrames, empty before a run), ``error_text`` (the error box as text).
    """

    def __init__(
        self,
        session: boto3.Session | None,
        *,
        switcher: RoleSwitcher | None = None,
        organization: Organization | None = None,
        role_name: str = DEFAULT_MEMBER_ROLE,
    ) -> None:
        super().__init__()
        if switcher is not None and not isinstance(switcher, RoleSwitcher):
            raise InvalidInput(
                f"QueryPanel's switcher must be a RoleSwitcher, got {type(switcher).__name__}.",
                fix="Pass RoleSwitcher(session), or a SwitchRoleWizard's .switcher.",
            )
        if organization is not None and not isinstance(organization, Organization):
            raise InvalidInput(
                f"QueryPanel's organization must be an Organization, got "
                f"{type(organization).__name__}.",
                fix="Pass Organization(management_session).",
            )
        if session is None:
            session = (
                organization.session
                if organization is not None
                else switcher.base_session
                if switcher is not None
                else None
            )
        if not isinstance(session, boto3.Session):
            raise InvalidInput(
                f"QueryPanel needs a boto3.Session (the caller), got {type(session).__name__}.",
                fix="Pass e.g. Sandbox(member_accounts=3).session('management', 'admin').",
            )
        self.session = session
        self.switcher = switcher
        self.organization = organization if organization is not None else Organization(session)
        self.result: QueryResult | None = None
        self._last: _Request | None = None
        self._failed: str | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.fields: dict[str, Field] = {}

        sources = [s for s in SOURCES if s[1] != "history" or switcher is not None]
        default = "history" if switcher is not None and organization is None else "organization"
        self.source = self._field(
            "source",
            w.Dropdown(options=sources, value=default),
            "Targets",
            "Where the accounts come from.",
            "xacct-query-source",
        )
        self.ou = self._field(
            "ou",
            w.Text(placeholder="(every OU)"),
            "OU",
            "Optional: an OU ID, name path (prod/web) or name; its sub-OUs are included.",
            "xacct-query-ou",
        )
        self.role_name = self._field(
            "role_name",
            w.Text(value=role_name),
            "Role to assume",
            "Assumed in each account (for typed lines that name no role too).",
            "xacct-query-role-name",
        )
        self.accounts = self._field(
            "accounts",
            w.Textarea(placeholder="123456789012\n2109-8765-4321,auditor\n# comments are fine"),
            "Accounts",
            "One per line: account[,role[,external_id]]. Hyphens in IDs are fine.",
            "xacct-query-accounts",
        )
        self.accounts.layout.height = "7em"
        self.history_note = classed(w.HTML(""), "xacct-query-history")
        self.targets_note = classed(w.HTML(""), "xacct-query-targets")

        self.service = self._field(
            "service",
            w.Combobox(value="s3", options=list(COMMON_OPERATIONS), ensure_option=False),
            "Service",
            "A boto3 client name: s3, iam, ec2, sts, organizations, ...",
            "xacct-query-service",
        )
        self.operation = self._field(
            "operation",
            w.Combobox(value="list_buckets", options=[], ensure_option=False),
            "Operation",
            "The boto3 method, e.g. list_buckets. Read-only operations only; paginated ones "
            "are read to the end.",
            "xacct-query-operation",
        )
        self.params = self._field(
            "params",
            w.Textarea(placeholder='{"MaxItems": 100}'),
            "Params (JSON)",
            "The operation's arguments as a JSON object; blank for none.",
            "xacct-query-params",
        )
        self.params.layout.height = "4em"
        self.regions = self._field(
            "regions",
            w.Text(placeholder="(the caller's region)"),
            "Regions",
            "Comma-separated, e.g. us-east-1, eu-west-1; 'all' for every region of the "
            "service; blank for the caller's region.",
            "xacct-query-regions",
        )
        self.jmespath = self._field(
            "jmespath",
            w.Text(placeholder="Buckets[]"),
            "JMESPath",
            "Optional: which items to take from each page, e.g. Buckets[] or "
            "Roles[?Path=='/']. Blank: the operation's list of items.",
            "xacct-query-jmespath",
        )

        self.run_button = classed(
            w.Button(
                description="Run",
                icon="play",
                button_style="primary",
                tooltip="Run the query in every target account and region",
            ),
            "xacct-query-run",
        )
        self.stop_button = classed(
            w.Button(
                description="Stop",
                icon="stop",
                disabled=True,
                tooltip="Stop: accounts not started yet become 'Cancelled' error rows",
            ),
            "xacct-query-stop",
        )
        self.progress = classed(
            w.IntProgress(value=0, min=0, max=1, description="Progress", layout={"width": "36em"}),
            "xacct-query-progress",
        )
        self.error = classed(w.HTML(""), "xacct-query-error", "xacct-error")
        self.error.layout.display = "none"
        self.status = classed(w.HTML(""), "xacct-query-status")
        self.summary = classed(w.HTML(""), "xacct-query-summary")
        self.table = classed(w.HTML(""), "xacct-query-table")
        self.errors_heading = classed(w.HTML(""), "xacct-query-errors-heading")
        self.errors_table = classed(w.HTML(""), "xacct-query-errors")

        self.run_button.on_click(lambda _b: self.start())
        self.stop_button.on_click(lambda _b: self.stop())
        self.source.observe(lambda _c: self._sync_source(), "value")
        self.accounts.observe(lambda _c: self._sync_targets(), "value")
        self.service.observe(lambda _c: self._sync_operations(), "value")

        targets_box = classed(
            w.VBox(
                [
                    w.HTML("<h4 style='margin:4px 0'>Targets</h4>"),
                    self.fields["source"].box,
                    self.fields["ou"].box,
                    self.fields["role_name"].box,
                    self.fields["accounts"].box,
                    self.history_note,
                    self.targets_note,
                ]
            ),
            "xacct-query-targets-box",
        )
        question_box = classed(
            w.VBox(
                [
                    w.HTML("<h4 style='margin:4px 0'>Question</h4>"),
                    *(self.fields[n].box for n in ("service", "operation", "params")),
                    *(self.fields[n].box for n in ("regions", "jmespath")),
                ]
            ),
            "xacct-query-question-box",
        )
        self.children = [
            w.HTML(STYLE),
            w.HTML(
                "<h3 style='margin:4px 0'>Cross-account query</h3>"
                f'<div class="xacct-help-text">{_HELP}</div>'
            ),
            targets_box,
            question_box,
            classed(w.HBox([self.run_button, self.stop_button]), "xacct-query-buttons"),
            self.progress,
            self.error,
            self.status,
            self.summary,
            self.table,
            self.errors_heading,
            self.errors_table,
        ]
        classed(self, "xacct-query-panel")
        self._sync_operations()
        self._sync_source()

    def _field(self, name: str, control: Any, label: str, help_text: str, css: str) -> Any:
        made = field(control, label, help_text, css)
        self.fields[name] = made
        return control

    # -- state ----------------------------------------------------------------------------------
    @property
    def frame(self) -> pd.DataFrame:
        """The last result's rows (``account_id``, ``region`` first); empty before a run."""
        if self.result is None:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in ("account_id", "region")})
        return self.result.frame

    @property
    def errors(self) -> pd.DataFrame:
        """The last result's failed (account, region) rows; empty before a run."""
        if self.result is None:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in ERROR_COLUMNS})
        return self.result.errors

    @property
    def running(self) -> bool:
        """True while a run started by the Run button is in progress."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    @property
    def error_text(self) -> str:
        """The error box as plain text ("" when none)."""
        return _text_of(self.error.value)

    @property
    def summary_text(self) -> str:
        """The summary line as plain text ("" before a run)."""
        return _text_of(self.summary.value)

    def field_error(self, name: str) -> str:
        """The inline error under field ``name`` (e.g. ``"params"``) as plain text, or ""."""
        return self.fields[name].error_text

    def __repr__(self) -> str:
        # Stable for saved notebooks: no times, no AssumeRole counts (they depend on the cache).
        if self._last is None:
            return f"QueryPanel({self._describe()}: not run yet)"
        if self._failed is not None:
            return f"QueryPanel({self._last.label}: failed, {self._failed})"
        if self.result is None:
            return f"QueryPanel({self._last.label}: running)"
        r = self.result
        where = _plural(r.targets, "account")
        if len(r.regions) > 1:
            where += f" in {_plural(len(r.regions), 'region')}"
        return (
            f"QueryPanel({self._last.label}: {_plural(len(r.frame), 'row')} from {where}, "
            f"{_plural(len(r.errors), 'error')})"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        data: dict[str, Any] = super()._repr_mimebundle_(**kwargs) or {}
        data["text/plain"] = repr(self)
        return data

    def _describe(self) -> str:
        """The question the form asks now, in words (secret-free: scrubbed)."""
        service = self.service.value.strip() or "?"
        operation = self.operation.value.strip() or "?"
        source = self.source.value
        if source == "organization":
            ou = self.ou.value.strip()
            where = f"organization accounts in OU {ou}" if ou else "organization accounts"
            where += f" as {self.role_name.value.strip()}"
        elif source == "history":
            where = "the role history"
        else:
            lines = self._typed_lines()
            where = f"{_plural(len(lines), 'typed account')}"
        return scrub_text(f"{service}.{operation} over {where}")

    # -- keeping the form consistent ------------------------------------------------------------
    def _sync_source(self) -> None:
        source = self.source.value
        show = {
            "ou": source == "organization",
            "role_name": source in ("organization", "typed"),
            "accounts": source == "typed",
        }
        for name, visible in show.items():
            self.fields[name].box.layout.display = None if visible else "none"
        self.history_note.layout.display = None if source == "history" else "none"
        self._sync_targets()

    def _sync_targets(self) -> None:
        """Say how many targets the form describes (no AWS call: the history is local)."""
        source = self.source.value
        if source == "organization":
            text = "The organization's ACTIVE accounts are listed when you click Run."
        elif source == "history" and self.switcher is not None:
            try:
                count = len(self.switcher.history.entries())
            except XacctError as err:
                text = f"The role history cannot be read: {err.message}"
            else:
                text = (
                    f"{_plural(count, 'role')} in the role history, assumed from the switcher's "
                    "signed-in user."
                    if count
                    else "The role history is empty: switch into a role first."
                )
            self.history_note.value = f'<div class="xacct-help-text">{esc(text)}</div>'
            self.targets_note.layout.display = "none"
            return
        else:
            count = len(self._typed_lines())
            text = f"{_plural(count, 'account')} typed."
        self.targets_note.value = f'<div class="xacct-field-help">{esc(text)}</div>'
        self.targets_note.layout.display = None

    def _sync_operations(self) -> None:
        suggestions = COMMON_OPERATIONS.get(self.service.value.strip(), ())
        self.operation.options = list(suggestions)

    def _typed_lines(self) -> list[tuple[int, str]]:
        lines = str(self.accounts.value or "").splitlines()
        return [
            (n, line.strip())
            for n, line in enumerate(lines, 1)
            if line.strip() and not line.strip().startswith("#")
        ]

    # -- validation (no AWS call) ---------------------------------------------------------------
    def _check(self, name: str, check: Callable[[], Any]) -> Any:
        """Run ``check``; an InvalidInput becomes the field's inline error (and None)."""
        try:
            value = check()
        except InvalidInput as err:
            self.fields[name].set_error(err.message)
            return None
        self.fields[name].set_error(None)
        return value

    def _parse_typed(self, default_role: str | None) -> list[Target]:
        lines = self._typed_lines()
        if not lines:
            raise InvalidInput("Type at least one account ID (one per line).")
        targets: list[Target] = []
        for number, line in lines:
            parts = [p.strip() for p in line.split(",")]
            if len(parts) > 3:
                raise InvalidInput(
                    f"Line {number} ({line!r}) has {len(parts)} fields: give "
                    "account[,role[,external_id]]."
                )
            role = parts[1] if len(parts) > 1 and parts[1] else default_role
            if role is None:
                raise InvalidInput(
                    f"Line {number} names no role and the 'Role to assume' field is invalid."
                )
            try:
                targets.append(
                    Target.role(
                        parts[0],
                        role,
                        external_id=parts[2] if len(parts) > 2 and parts[2] else None,
                    )
                )
            except InvalidInput as err:
                raise InvalidInput(f"Line {number}: {err.message}", fix=err.fix) from err
        return targets

    @staticmethod
    def _parse_params(text: str) -> dict[str, Any] | None:
        if not text.strip():
            return None
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidInput(
                f"Params are not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})."
            ) from err
        if not isinstance(value, dict):
            raise InvalidInput(
                f'Params must be a JSON object such as {{"MaxItems": 100}}, '
                f"not a {type(value).__name__}."
            )
        return value

    @staticmethod
    def _parse_regions(text: str) -> list[str] | str | None:
        names = [r for r in _SPLIT_RE.split(text.strip()) if r]
        if not names:
            return None
        if names == ["all"]:
            return "all"
        bad = [r for r in names if not _REGION_RE.fullmatch(r)]
        if bad:
            raise InvalidInput(
                f"Region {bad[0]!r} is not a region name: names look like 'eu-west-1' "
                "(or use 'all' alone)."
            )
        return list(dict.fromkeys(names))

    @staticmethod
    def _parse_jmespath(text: str) -> str | None:
        if not text.strip():
            return None
        try:
            jmespath.compile(text.strip())
        except jmespath.exceptions.JMESPathError as err:
            first = (
                "the expression is incomplete"
                if isinstance(err, jmespath.exceptions.IncompleteExpressionError)
                else str(getattr(err, "msg", "") or type(err).__name__)
            )
            where = getattr(err, "lex_position", None)
            at = f" (at character {where})" if isinstance(where, int) else ""
            raise InvalidInput(
                f"JMESPath {text.strip()!r} is invalid: {first}{at}.",
                fix="e.g. Buckets[] or Roles[?Path=='/'].",
            ) from err
        return text.strip()

    @staticmethod
    def _required(text: str, what: str) -> str:
        if not text.strip():
            raise InvalidInput(f"Give the {what}.")
        return text.strip()

    def validate(self) -> _Request | None:
        """Check every field; inline errors for the bad ones. None when something is wrong."""
        source = self.source.value
        role: str | None = DEFAULT_MEMBER_ROLE
        if source in ("organization", "typed"):
            role = self._check("role_name", lambda: ids.role_name(self.role_name.value))
        else:
            self.fields["role_name"].set_error(None)
        targets: Any = None
        ou: str | None = None
        caller: boto3.Session | None = self.session
        if source == "organization":
            targets = self.organization
            ou = self.ou.value.strip() or None
        elif source == "history":
            assert self.switcher is not None  # the option is offered only with a switcher
            targets, caller = self.switcher, self.switcher.base_session
        else:
            targets = self._check("accounts", lambda: self._parse_typed(role))
        if source != "typed":
            self.fields["accounts"].set_error(None)
        service = self._check("service", lambda: self._required(self.service.value, "service"))
        operation = self._check(
            "operation", lambda: self._required(self.operation.value, "operation")
        )
        params = self._check("params", lambda: self._parse_params(self.params.value))
        regions = self._check("regions", lambda: self._parse_regions(self.regions.value))
        expression = self._check("jmespath", lambda: self._parse_jmespath(self.jmespath.value))
        if any(f.has_error for f in self.fields.values()) or role is None or targets is None:
            return None
        return _Request(
            source=source,
            targets=targets,
            ou=ou,
            caller=caller,
            service=service,
            operation=operation,
            params=params,
            regions=regions,
            jmespath=expression,
            role_name=role,
            label=self._describe(),
        )

    # -- running --------------------------------------------------------------------------------
    def run(self) -> QueryResult | None:
        """Validate and run now, in this thread; the result (None if invalid or failed)."""
        if self.running:
            self._say("A query is already running: wait for it or click Stop.", "warning")
            return None
        request = self._prepare()
        if request is None:
            return None
        self._stop = threading.Event()
        self._execute(request)
        return self.result

    def start(self) -> bool:
        """What Run does: validate now, then run in a background thread (so Stop can work).

        False when nothing was started (invalid fields, or a run already in progress).
        """
        with self._lock:
            if self.running:
                return False
            request = self._prepare()
            if request is None:
                return False
            self._stop = threading.Event()
            self._busy(True)
            self._thread = threading.Thread(
                target=self._execute, args=(request,), name="xacct-query-panel", daemon=True
            )
            self._thread.start()
        return True

    def stop(self) -> None:
        """Ask a running query to stop: units not started become ``Cancelled`` error rows."""
        self._stop.set()
        if self.running:
            self._say("Stopping: waiting for the accounts already asked to answer…", "warning")

    def wait(self, timeout: float | None = None) -> QueryResult | None:
        """Wait for a run started by the Run button; the result (None if it failed)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.result

    def _prepare(self) -> _Request | None:
        self._show_error(None)
        request = self.validate()
        if request is None:
            self._say("Fix the fields marked ⚠ first: nothing was run.", "error")
        return request

    def _busy(self, on: bool) -> None:
        self.run_button.disabled = on
        self.source.disabled = on
        self.stop_button.disabled = not on
        if on:
            self.add_class("xacct-busy")
        else:
            self.remove_class("xacct-busy")

    def _execute(self, request: _Request) -> None:
        """Run ``request`` in the calling thread, updating the panel as it goes."""
        self._busy(True)
        self._last, self._failed, self.result = request, None, None
        self.progress.value, self.progress.max, self.progress.bar_style = 0, 1, ""
        self.summary.value = self.table.value = ""
        self.errors_heading.value = self.errors_table.value = ""
        self._say(f"⏳ Running {request.service}.{request.operation}…")
        doing = f"running {request.service}.{request.operation}"
        try:
            targets = request.targets
            if request.ou is not None:
                assert isinstance(targets, Organization)
                targets = targets.accounts(ou=request.ou)
            result = query(
                targets,
                request.service,
                request.operation,
                session=request.caller,
                params=request.params,
                regions=request.regions,
                jmespath=request.jmespath,
                role_name=request.role_name,
                progress=self._on_progress,
                stop=self._stop,
            )
        except Exception as err:  # shown in the panel, never raised into the front end
            self._failed = type(err).__name__
            self._show_error(err, doing=doing)
            self.progress.bar_style = "danger"
            self._say("")
        else:
            self._show(result)
        finally:
            self._busy(False)

    def _on_progress(self, p: QueryProgress) -> None:
        self.progress.max = max(p.total, 1)
        self.progress.value = p.done
        errors = f", {_plural(p.errors, 'error')}" if p.errors else ""
        stopping = (
            " Stopping: waiting for the accounts already asked." if self._stop.is_set() else ""
        )
        self._say(f"⏳ {p.done} of {p.total} done{errors}…{stopping}")

    def _show(self, result: QueryResult) -> None:
        self.result = result
        done = len(result.summary)
        stopped = bool(len(result.errors)) and bool(
            (result.errors["error_code"] == "Cancelled").any()
        )
        if not stopped:
            self.progress.max = max(done, 1)
            self.progress.value = done
        self.progress.bar_style = "danger" if stopped else "warning" if not result.ok else "success"
        kind = "warning" if stopped or not result.ok else "ok"
        self.summary.value = box_html(kind, esc(summary_text(result)))
        self._say("")
        frame = result.frame
        shown = frame.head(MAX_ROWS_SHOWN)
        note = ""
        if len(frame) > len(shown):
            note = (
                f'<p class="xacct-help-text">Showing the first {len(shown)} of {len(frame)} '
                "rows: the whole table is <code>panel.frame</code>.</p>"
            )
        self.table.value = note + html_table(
            shown, empty="No rows: every account answered with nothing, or failed (see below)."
        )
        self.errors_heading.value = (
            f"<h4 style='margin:6px 0 2px 0'>Errors ({len(result.errors)})</h4>"
        )
        self.errors_table.value = html_table(
            result.errors, empty="No errors: every account and region answered."
        )

    def _show_error(self, err: BaseException | None, *, doing: str = "") -> None:
        if err is None:
            self.error.value = ""
            self.error.layout.display = "none"
            return
        if not isinstance(err, XacctError):
            log.error("%s failed (%s)", doing or "query", type(err).__name__, exc_info=err)
        self.error.value = error_html(err, doing=doing)
        self.error.layout.display = None

    def _say(self, text: str, kind: str = "") -> None:
        self.status.value = box_html(kind, esc(text)) if kind and text else esc(text)
