"""Notebook 05 run twice against one sandbox: the first run applies, the second changes nothing.

The apply cell applies only when the plan has something to create or update and says what it
did; the re-plan cell asserts every account is then noop (or blocked), so a second Run All finds
nothing to apply and says so, and the organization's roles are exactly as after the first run.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from xacct_widgets.core.query import clear_credential_cache
from xacct_widgets.core.target import TargetAccount, reads
from xacct_widgets.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "05_rollout_to_organization.ipynb"
pytestmark = pytest.mark.notebooks


def printed(path: Path) -> str:
    """Everything the executed notebook's cells printed or showed as text (not their source)."""
    parts = []
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
            parts.append(output.get("evalue", ""))
    return "\n".join(parts)


def test_run_all_twice_changes_nothing_the_second_time(
    fresh_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import papermill

    clear_credential_cache()
    monkeypatch.setenv("XACCT_SANDBOX_URL", fresh_sandbox.endpoint_url)
    mgmt = fresh_sandbox.session("management", "admin")
    assert reads.role_state(TargetAccount(mgmt).iam, "cross-account") is None

    outputs = []
    for run in ("first", "second"):
        output = tmp_path / f"{run}.ipynb"
        papermill.execute_notebook(
            str(NOTEBOOK), str(output), progress_bar=False, cwd=str(tmp_path)
        )
        outputs.append(printed(output))
    first, second = outputs

    assert "Applied in 4 account(s)" in first
    assert "RolloutDrift('cross-account': 4 accounts, no drift)" in first
    assert "No apply in this run" in second
    # apply(progress=True) in a kernel: our ipywidgets bar, not tqdm's text.
    assert "HBox(children=(IntProgress(" in first and "description='apply'" in first
    assert "apply: 100%" not in first
    assert "Nothing to apply" not in first
    assert "Nothing to apply" in second
    assert "Applied in" not in second
    assert "Traceback" not in first + second
    role = reads.role_state(TargetAccount(mgmt).iam, "cross-account")
    assert role is not None and role.record.managed_policy_arns == (
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
    )
    clear_credential_cache()
