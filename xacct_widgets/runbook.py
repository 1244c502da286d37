"""``xacct runbook``: the onboarding runbook, headless, for machines without a browser.

Executes ``notebooks/03_onboarding_runbook.ipynb`` with papermill against the embedded sandbox
(started here and handed to the kernel through ``XACCT_SANDBOX_URL``) or against real AWS
profiles, writes the executed notebook, and prints the runbook's summary table.

``-p NAME VALUE`` is parsed against the type the parameters cell declares (``name: bool = ...``,
which papermill reports as ``inferred_type_name``), never guessed from the text: papermill's
own CLI turns ``false`` into the string ``'false'``, which is truthy, so
``-p allow_destructive false`` would have taken access away. Here a ``bool`` is ``true`` or
``false`` and nothing else; a value of the wrong type is refused before anything runs.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Final

import pandas as pd

from . import resources
from .errors import InvalidInput, RunbookFailed


def runbook_path() -> Path:
    """The shipped runbook notebook (in the wheel, or in a checkout's ``notebooks/``)."""
    return resources.notebook(resources.RUNBOOK_NOTEBOOK)


def runbook_parameters(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """The runbook's parameters (name -> type, default, help) as papermill reads them."""
    from papermill import inspect_notebook

    notebook = path or runbook_path()
    return {name: dict(info) for name, info in inspect_notebook(str(notebook)).items()}


#: The types a runbook parameter may declare, as papermill names them, with an example value.
PARAMETER_TYPES: Final = {
    "bool": "true",
    "str": "prod",
    "Optional[str]": "my-profile (or None)",
    "list[str]": "operator,intern",
}


def _bad(name: str, kind: str, raw: str, why: str) -> InvalidInput:
    shown = raw if len(raw) <= 40 else raw[:37] + "..."
    return InvalidInput(
        f"Runbook parameter {name} is a {kind}: {shown!r} {why}.",
        fix=f"e.g. -p {name} {PARAMETER_TYPES.get(kind, '...')}",
    )


def parse_value(name: str, raw: str, kind: str | None) -> Any:
    """One ``-p NAME VALUE``, read as the type the parameters cell declares for ``NAME``.

    ``bool``: ``true`` or ``false`` (any case), nothing else. ``str``: the text as given.
    ``Optional[str]``: ``None`` (or nothing) for None, else the text. ``list[str]``: a Python
    list literal (``['a', 'b']``) or comma-separated names (``a,b``).

    Raises:
        InvalidInput: the value does not fit the type, or the cell declares no type we read.
    """
    text = raw.strip()
    if kind == "bool":
        if text.lower() == "true":
            return True
        if text.lower() == "false":
            return False
        raise _bad(name, kind, raw, "is neither true nor false")
    if kind == "str":
        return raw
    if kind == "Optional[str]":
        return None if text in ("", "None") else raw
    if kind == "list[str]":
        if not text.startswith("["):
            return [part.strip() for part in text.split(",") if part.strip()]
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _bad(name, kind, raw, "is not a list of strings")
        return value
    raise InvalidInput(
        f"Runbook parameter {name} declares no type this command reads ({kind!r}).",
        fix="Declare it in the notebook's parameters cell as one of: "
        + ", ".join(PARAMETER_TYPES)
        + " (e.g. `allow_destructive: bool = True`).",
    )


def parse_parameters(pairs: list[str], known: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``-p name value`` pairs, checked against the notebook (papermill only warns on typos)
    and read as the type its parameters cell declares (:func:`parse_value`)."""
    values: dict[str, Any] = {}
    for name, raw in zip(pairs[::2], pairs[1::2], strict=True):
        if name not in known:
            raise InvalidInput(
                f"The runbook has no parameter {name!r}.",
                fix=f"Its parameters are: {', '.join(known)}.",
            )
        values[name] = parse_value(name, raw, known[name].get("inferred_type_name"))
    return values


def run(
    parameters: dict[str, Any],
    output: Path,
    *,
    sandbox_url: str | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Execute the runbook and return its summary table.

    Raises:
        RunbookFailed: a step failed; the runbook still wrote its summary (``err.summary``:
            what it changed, what failed, what it did not run), and the executed notebook.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    runbook = runbook_path()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xacct-runbook-") as scratch:
        summary_path = Path(scratch) / "summary.json"
        env_before = os.environ.get("XACCT_SANDBOX_URL")
        if sandbox_url:
            os.environ["XACCT_SANDBOX_URL"] = sandbox_url  # papermill's kernel inherits it
        try:
            papermill.execute_notebook(
                str(runbook),
                str(output),
                parameters={**parameters, "summary_path": str(summary_path)},
                progress_bar=progress,
                cwd=str(output.parent),
            )
        except PapermillExecutionError as err:
            summary = (
                pd.DataFrame(json.loads(summary_path.read_text()))
                if summary_path.exists()
                else None
            )
            raise RunbookFailed(
                f"The runbook stopped: {err.ename}: {err.evalue}",
                summary=summary,
                fix=f"Read its summary (what it changed, what failed); the executed notebook "
                f"is {output}.",
            ) from None
        finally:
            if sandbox_url:
                if env_before is None:
                    os.environ.pop("XACCT_SANDBOX_URL", None)
                else:
                    os.environ["XACCT_SANDBOX_URL"] = env_before
        return pd.DataFrame(json.loads(summary_path.read_text()))


def _help_epilog() -> str:
    try:
        params = runbook_parameters()
    except Exception as err:  # --help must work even if the notebook is unreadable
        return f"(could not read the runbook's parameters: {err})"
    lines = ["runbook parameters (-p NAME VALUE):"]
    for name, info in params.items():
        if name == "summary_path":
            continue
        kind = info.get("inferred_type_name") or "?"
        hint = info.get("help") or ""
        lines.append(f"  {name:<18} {kind:<14} default {info.get('default')}  {hint}".rstrip())
    return "\n".join(lines)


class _RunbookHelp(argparse.RawDescriptionHelpFormatter):
    """Lists the notebook's parameters, read only when help is actually shown."""

    def format_help(self) -> str:
        return super().format_help() + "\n" + _help_epilog() + "\n"


def add_runbook_parser(sub: Any) -> None:
    runbook = sub.add_parser(
        "runbook",
        help="run the onboarding runbook headless (papermill)",
        description="Create the cross-account role, restrict who may switch, switch, verify, and "
        "print a summary. Against the embedded sandbox unless profiles are given.",
        epilog=_help_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    runbook.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="extend",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a runbook parameter",
    )
    runbook.add_argument(
        "-o",
        "--output",
        default="xacct-runbook-output.ipynb",
        help="where to write the executed notebook (default: %(default)s)",
    )
    runbook.set_defaults(run=_run_command)


def _run_command(args: argparse.Namespace) -> int:
    known = runbook_parameters()
    parameters = parse_parameters(args.parameter, known)
    output = Path(args.output).resolve()
    uses_profiles = any(parameters.get(k) for k in ("target_profile", "source_profile"))
    try:
        if uses_profiles:
            summary = run(parameters, output)
        else:
            from .sandbox import Sandbox

            with Sandbox() as sb:
                print(
                    "Running the onboarding runbook against the embedded sandbox at "
                    f"{sb.endpoint_url}"
                )
                summary = run(parameters, output, sandbox_url=sb.endpoint_url)
    except RunbookFailed as err:  # the summary first, always: what changed, what failed
        if err.summary is not None:
            print(err.summary.to_string(index=False))
        raise
    print(summary.to_string(index=False))
    print(f"\nExecuted notebook written to {output}")
    return 0
