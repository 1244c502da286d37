"""Notebook 02 and a role that requires MFA (issue 20, item 1): its parameters take the code
(the device is looked up), and Run All switches with it instead of stopping with a traceback."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest
from helpers import make_role

from xacct_widgets.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "02_switch_role_from_source.ipynb"
pytestmark = pytest.mark.notebooks


def test_run_all_with_the_mfa_code(
    fresh_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_role(fresh_sandbox, require_mfa=True)
    monkeypatch.setenv("XACCT_SANDBOX_URL", fresh_sandbox.endpoint_url)
    output = tmp_path / NOTEBOOK.name
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(output),
        parameters={"mfa_code": fresh_sandbox.MFA_CODE},
        progress_bar=False,
        cwd=str(tmp_path),
    )
    nb = nbformat.read(output, as_version=4)
    text = output.read_text()
    assert "Traceback" not in text
    frames = [c for c in nb.cells if "switcher.frame()[" in c.source]
    assert "cross-account" in str(frames[0].outputs)  # switched, with the code
    assert "skipped: the role requires MFA" in text  # the exported profile is not forced


def test_the_parameters_declare_the_code_and_the_device() -> None:
    params = papermill.inspect_notebook(str(NOTEBOOK))
    assert params["mfa_code"]["inferred_type_name"] == "Optional[str]"
    assert params["mfa_serial"]["inferred_type_name"] == "Optional[str]"
