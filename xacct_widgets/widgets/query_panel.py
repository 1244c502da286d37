"""``QueryPanel``: ask many accounts the same question and get one table back.

The panel is a form over :func:`xacct_widgets.core.query.query`: where to ask (the
organization's accounts, optionally one OU; the roles of a switcher's history; or a typed list
of ``account[,role[,external_id]]`` lines), what to ask (service, operation, JSON params,
regions, a JMESPath selecting the items), then **Run** with a progress bar, **Stop**, and the
answer: a summary line, the rows, and one error row per account or region that failed.

Why it is built this way:

* **Everything typed is checked before any call**, by the very functions ``query()`` uses
  (:mod:`xacct_widgets.core.query.inputs`: targets, regions, params, JMESPath; ``ids`` for the
  role name): a bad field gets an inline error under it and nothing runs. The service and
  operation are checked by the core, also before any call, and reported in the error box.
* **Run works in a background thread** (:meth:`Panel.in_background`) so the kernel stays free to
  receive the **Stop** click. The core calls the progress callback in the thread that called
  ``query()``, which is that background thread. :meth:`QueryPanel.run` does the same work
  synchronously, for notebook code and tests, and :meth:`QueryPanel.wait` joins a run started
  by the button.
* **The result stays available**: ``.result`` (the :class:`QueryResult`), ``.frame`` and
  ``.errors`` (DataFrames), so the next notebook cell can carry on in pandas.
* Tables are plain HTML via :func:`.base.html_table` (stable across runs, no Styler ids), at
  most :data:`MAX_ROWS_SHOWN` rows of them: the whole frame is ``.frame``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import ipywidgets as w
import pandas as pd

from ..core import ids
from ..core.query import (
    DEFAULT_MEMBER_ROLE,
    ERROR_COLUMNS,
    Organization,
    QueryProgress,
    QueryResult,
    parse_jmespath,
    parse_params,
    parse_regions,
    parse_targets,
    query,
)
from ..core.switch import RoleSwitcher
from ..errors import InvalidInput, XacctError
from .base import STYLE, Panel, box_html, button, classed, esc, html_table, plural, text_of
from .query_form import (
    COMMON_OPERATIONS,
    FIELDS,
    HELP,
    QUESTION,
    SOURCES,
    QueryRequest,
    caller_and_organization,
    describe,
    errors_heading_html,
    required,
    result_text,
    rows_html,
    summary_text,
    typed_count,
)

if TYPE_CHECKING:
    from ..core.sessions import AwsSession

__all__ = ["COMMON_OPERATIONS", "MAX_ROWS_SHOWN", "SOURCES", "QueryPanel", "summary_text"]

#: At most this many rows are rendered in the table (the whole result is ``panel.frame``).
MAX_ROWS_SHOWN: Final = 500


class QueryPanel(Panel):
    """A form for :func:`~xacct_widgets.core.query.query`, with progress, Stop and the results.

    ``session`` is the caller that assumes the roles (for the organization: its management
    account or a delegated administrator). ``switcher`` offers its role history as targets
    (those roles are assumed from the switcher's signed-in user, as the history was made).
    ``organization`` defaults to ``Organization(session)``. ``role_name`` is the role assumed in
    organization accounts and in typed lines that name none.

    State for notebook code: ``result`` (the last :class:`QueryResult`, or None), ``frame`` and
    ``errors`` (its DataFrames, empty before a run), ``error_text`` (the error box as text).
    """

    error_css = ("xacct-query-error", "xacct-error")
    status_css = ("xacct-query-status",)

    def __init__(
        self,
        session: AwsSession | None,
        *,
        switcher: RoleSwitcher | None = None,
        organization: Organization | None = None,
        role_name: str = DEFAULT_MEMBER_ROLE,
    ) -> None:
        super().__init__()
        self.session, self.organization = caller_and_organization(session, switcher, organization)
        self.switcher = switcher
        self.result: QueryResult | None = None
        self._last: QueryRequest | None = None
        self._failed: str | None = None

        fields = self.add_fields(FIELDS)
        self.source.options = [s for s in SOURCES if s[1] != "history" or switcher is not None]
        history_first = switcher is not None and organization is None
        self.source.value = "history" if history_first else "organization"
        self.role_name.value = role_name
        self.lock_while_busy.append(self.source)
        self.history_note = classed(w.HTML(""), "xacct-query-history")
        self.targets_note = classed(w.HTML(""), "xacct-query-targets")
        self.run_button = button(
            "Run",
            "xacct-query-run",
            self.start,
            icon="play",
            button_style="primary",
            tooltip="Run the query in every target account and region",
        )
        self.stop_button = button(
            "Stop",
            "xacct-query-stop",
            self.stop,
            icon="stop",
            disabled=True,
            tooltip="Stop: accounts not started yet become 'Cancelled' error rows",
        )
        self.progress = classed(
            w.IntProgress(value=0, min=0, max=1, description="Progress", layout={"width": "36em"}),
            "xacct-query-progress",
        )
        self.summary = classed(w.HTML(""), "xacct-query-summary")
        self.table = classed(w.HTML(""), "xacct-query-table")
        self.errors_heading = classed(w.HTML(""), "xacct-query-errors-heading")
        self.errors_table = classed(w.HTML(""), "xacct-query-errors")

        self.source.observe(lambda _c: self._sync_source(), "value")
        self.accounts.observe(lambda _c: self._sync_targets(), "value")
        self.service.observe(lambda _c: self._sync_operations(), "value")

        heading = "<h4 style='margin:4px 0'>{}</h4>".format
        targets = [f.box for n, f in fields.items() if n not in QUESTION]
        targets += [self.history_note, self.targets_note]
        self.children = [
            w.HTML(STYLE),
            w.HTML(
                "<h3 style='margin:4px 0'>Cross-account query</h3>"
                f'<div class="xacct-help-text">{HELP}</div>'
            ),
            classed(
                w.VBox([w.HTML(heading("Targets")), *targets]),
                "xacct-query-targets-box",
            ),
            classed(
                w.VBox([w.HTML(heading("Question")), *(fields[n].box for n in QUESTION)]),
                "xacct-query-question-box",
            ),
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
    def summary_text(self) -> str:
        """The summary line as plain text ("" before a run)."""
        return text_of(self.summary.value)

    def __repr__(self) -> str:
        # Stable for saved notebooks: no times, no AssumeRole counts (they depend on the cache).
        if self._last is None:
            return f"QueryPanel({self._describe()}: not run yet)"
        if self._failed is not None:
            return f"QueryPanel({self._last.label}: failed, {self._failed})"
        if self.result is None:
            return f"QueryPanel({self._last.label}: running)"
        return f"QueryPanel({self._last.label}: {result_text(self.result)})"

    def _describe(self) -> str:
        """The question the form asks now, in words (secret-free: scrubbed)."""
        return describe({name: str(f.control.value) for name, f in self.fields.items()})

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
                    f"{plural(count, 'role')} in the role history, assumed from the switcher's "
                    "signed-in user."
                    if count
                    else "The role history is empty: switch into a role first."
                )
            self.history_note.value = f'<div class="xacct-help-text">{esc(text)}</div>'
            self.targets_note.layout.display = "none"
            return
        else:
            text = f"{plural(typed_count(self.accounts.value), 'account')} typed."
        self.targets_note.value = f'<div class="xacct-field-help">{esc(text)}</div>'
        self.targets_note.layout.display = None

    def _sync_operations(self) -> None:
        self.operation.options = list(COMMON_OPERATIONS.get(self.service.value.strip(), ()))

    # -- validation (no AWS call) ---------------------------------------------------------------
    def _check(self, name: str, check: Callable[[str], Any]) -> Any:
        """Run a core rule on field ``name``; an InvalidInput becomes its inline error (None)."""
        try:
            value = check(self.fields[name].control.value)
        except InvalidInput as err:
            self.fields[name].set_error(err.message)
            return None
        self.fields[name].set_error(None)
        return value

    def validate(self) -> QueryRequest | None:
        """Check every field; inline errors for the bad ones. None when something is wrong."""
        source = self.source.value
        role: str | None = DEFAULT_MEMBER_ROLE
        if source in ("organization", "typed"):
            role = self._check("role_name", ids.role_name)
        else:
            self.fields["role_name"].set_error(None)
        targets: Any = None
        ou: str | None = None
        caller: AwsSession = self.session
        if source == "organization":
            targets = self.organization
            ou = self.ou.value.strip() or None
        elif source == "history":
            assert self.switcher is not None  # the option is offered only with a switcher
            targets, caller = self.switcher, self.switcher.base_session
        else:
            targets = self._check("accounts", lambda t: parse_targets(t, default_role=role))
        if source != "typed":
            self.fields["accounts"].set_error(None)
        service = self._check("service", required("service"))
        operation = self._check("operation", required("operation"))
        params = self._check("params", parse_params)
        regions = self._check("regions", parse_regions)
        expression = self._check("jmespath", parse_jmespath)
        if any(f.has_error for f in self.fields.values()) or role is None or targets is None:
            return None
        return QueryRequest(
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
            self.say("A query is already running: wait for it or click Stop.", "warning")
            return None
        request = self._prepare()
        if request is None:
            return None
        self.act(request.doing, lambda: self._execute(request), enable=[self.stop_button])
        return self.result

    def start(self) -> bool:
        """What Run does: validate now, then run in a background thread (so Stop can work).

        False when nothing was started (invalid fields, or a run already in progress).
        """
        if self.running:
            return False
        request = self._prepare()
        if request is None:
            return False

        def work() -> None:
            self._execute(request)

        return self.in_background(request.doing, work, enable=[self.stop_button])

    def stop(self) -> None:
        """Ask a running query to stop: units not started become ``Cancelled`` error rows."""
        self.request_stop()
        if self.running:
            self.say("Stopping: waiting for the accounts already asked to answer…", "warning")

    def wait(self, timeout: float | None = None) -> QueryResult | None:
        """Wait for a run started by the Run button; the result (None if it failed)."""
        self.join(timeout)
        return self.result

    def _prepare(self) -> QueryRequest | None:
        self.show_error(None)
        request = self.validate()
        if request is None:
            self.say("Fix the fields marked ⚠ first: nothing was run.", "error")
        return request

    def _execute(self, request: QueryRequest) -> None:
        """Run ``request`` in the calling thread (busy already), updating the panel as it goes."""
        self._last, self._failed, self.result = request, None, None
        self.progress.value, self.progress.max, self.progress.bar_style = 0, 1, ""
        self.summary.value = self.table.value = ""
        self.errors_heading.value = self.errors_table.value = ""
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
                stop=self.stop_event,
            )
        except Exception as err:  # shown by act() in the error box; here the panel's state
            self._failed = type(err).__name__
            self.progress.bar_style = "danger"
            self.say("")
            raise
        self._show(result)

    def _on_progress(self, p: QueryProgress) -> None:
        self.progress.max = max(p.total, 1)
        self.progress.value = p.done
        errors = f", {plural(p.errors, 'error')}" if p.errors else ""
        stopping = (
            " Stopping: waiting for the accounts already asked." if self.stop_event.is_set() else ""
        )
        self.say(f"⏳ {p.done} of {p.total} done{errors}…{stopping}")

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
        self.say("")
        self.table.value = rows_html(result.frame, MAX_ROWS_SHOWN)
        self.errors_heading.value = errors_heading_html(len(result.errors))
        self.errors_table.value = html_table(
            result.errors, empty="No errors: every account and region answered."
        )
