"""Write environment.yml from requirements.txt, so conda users get exactly the tested set.

Run by `./run lock` after each re-lock; tests/test_lock.py checks the two agree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?==[^\s;\\]+)(\s*;\s*[^\\]+?)?\s*\\?$")
HEADER = """\
# conda env create -f environment.yml && conda activate xacct-widgets
# Written by `./run lock` from requirements.txt (the versions ./run and CI test): do not
# edit by hand. conda provides Python and pip; every package comes from PyPI at its locked version.
name: xacct-widgets
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def locked_pins(lock: Path) -> list[str]:
    """``name==version`` (with its environment marker) of every package in a pip-style lock."""
    pins = []
    for line in lock.read_text().splitlines():
        found = PIN.match(line)
        if found:
            pins.append(
                found.group(1) + (f" ;{found.group(2).split(';', 1)[1]}" if found.group(2) else "")
            )
    return pins


def render(lock: Path) -> str:
    lines = [f'      - "{pin}"' for pin in locked_pins(lock)]
    return HEADER + "\n".join(lines) + '\n      - "-e ."\n'


if __name__ == "__main__":
    target = ROOT / "environment.yml"
    target.write_text(render(ROOT / "requirements.txt"))
    print(f"wrote {target.relative_to(ROOT)}", file=sys.stderr)
