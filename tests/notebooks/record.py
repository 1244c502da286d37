"""Re-record the checked outputs of the committed notebooks (run after editing a notebook).

Each notebook is executed in a fresh kernel with its own embedded sandbox; then only the
outputs of cells tagged ``nbval-check-output`` are kept (nbval --nbval-lax compares those),
and every other cell is stripped, so no machine-specific value or secret is committed.

    .venv/bin/python tests/notebooks/record.py [notebooks/NAME.ipynb ...]
"""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the helpers
from helpers import make_role

from xacct_widgets.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
#: The cell tag nbval reads (a tag, not a comment: operators never see it in the cells).
CHECKED = "nbval-check-output"
RECORDED = (
    "01_create_role_in_target",
    "02_switch_role_from_source",
    "03_onboarding_runbook",
    "04_cross_account_queries",
)


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Keep checked cells' outputs (without widget views); clear everything else."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        if CHECKED in cell.metadata.get("tags", []):
            count += 1
            cell.execution_count = count
            for output in cell.outputs:  # widget model ids are random: keep only text/plain
                output.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
        else:
            cell.execution_count = None
            cell.outputs = []
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("papermill", None)
    return nb


#: Part B notebooks switch into the role part A made; they run where it exists (as test_nbval).
AFTER_PART_A = ("02_",)


def record(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        env = {k: v for k, v in os.environ.items() if k != "XACCT_SANDBOX_URL"}
        env["XACCT_HISTORY"] = str(Path(scratch) / "history.sqlite3")
        os.environ.update(env)
        os.environ.pop("XACCT_SANDBOX_URL", None)
        if path.name.startswith(AFTER_PART_A):
            sandbox = Sandbox(member_accounts=3).start()
            stack.callback(sandbox.stop)
            make_role(sandbox)
            os.environ["XACCT_SANDBOX_URL"] = sandbox.endpoint_url
        NotebookClient(
            nb,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    nbformat.write(strip(nb), path)
    print(f"recorded {path.relative_to(ROOT)}")


if __name__ == "__main__":
    targets = [Path(a).resolve() for a in sys.argv[1:]] or [
        ROOT / "notebooks" / f"{name}.ipynb"
        for name in RECORDED
        if (ROOT / "notebooks" / f"{name}.ipynb").exists()
    ]
    for target in targets:
        record(target)
