"""The committed notebooks' checked tables show whole sentences (issue 20, item 7: pandas cut
the "why" and "what it means" columns with "..." at its default ``display.max_colwidth`` of 50).
Static: reads the recorded outputs, which test_nbval proves the notebooks reproduce."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "02_switch_role_from_source.ipynb"


def _outputs(path: Path, marker: str) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "code" and marker in "".join(cell["source"]):
            return "".join("".join(o.get("data", {}).get("text/html", "")) for o in cell["outputs"])
    raise AssertionError(f"no cell with {marker!r} in {path.name}")


@pytest.mark.parametrize(
    ("marker", "sentence"),
    [
        (".preflight(", "who may switch roles.</td>"),
        ('"allowed", "why"]]', "none of its policies allows sts:AssumeRole on this role.</td>"),
    ],
)
def test_why_and_what_it_means_are_not_cut(marker: str, sentence: str) -> None:
    html = _outputs(NOTEBOOK, marker)
    assert sentence in html
    assert "...</td>" not in html
