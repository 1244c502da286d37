"""Where the tutorial notebooks are, in a checkout and in an installed wheel alike.

The notebooks live at the repository's top level (that is where people edit and review them),
and the wheel carries a copy inside the package (``xacct_widgets/notebooks/``), so that
``pip install xacct_widgets[lab]`` followed by ``xacct runbook`` works anywhere. Every entry
point asks here instead of guessing a path relative to its own file.

The shipped notebooks are never where the operator works: JupyterLab autosaves and running a
cell writes its outputs, so ``xacct lab`` opens a working copy of them (:func:`working_copy`) -
never site-packages, and never a checkout's tracked ``notebooks/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from .errors import XacctError

__all__ = [
    "APP_NOTEBOOK",
    "RUNBOOK_NOTEBOOK",
    "VOILA_TEMPLATE",
    "in_checkout",
    "jupyter_env",
    "notebook",
    "notebooks_dir",
    "outdated_copies",
    "working_copy",
]

RUNBOOK_NOTEBOOK: Final = "03_onboarding_runbook.ipynb"
APP_NOTEBOOK: Final = "onboarding_app.ipynb"

#: Our Voila template: Voila's "lab" template without its CDN stylesheets (works offline).
VOILA_TEMPLATE: Final = "xacct"

_PACKAGE: Final = Path(__file__).resolve().parent
_JUPYTER: Final = _PACKAGE / "jupyter"


def _candidates() -> tuple[Path, Path]:
    # Installed wheel first (the copy inside the package), then a source checkout.
    return _PACKAGE / "notebooks", _PACKAGE.parent / "notebooks"


def notebooks_dir() -> Path:
    """The folder holding the tutorial notebooks.

    Raises:
        XacctError: neither an installed copy nor a checkout's ``notebooks/`` is there.
    """
    for candidate in _candidates():
        if (candidate / RUNBOOK_NOTEBOOK).is_file():
            return candidate
    raise XacctError(
        f"The tutorial notebooks are missing: looked in {', '.join(map(str, _candidates()))}.",
        fix="Reinstall the package (pip install --force-reinstall 'xacct_widgets[lab]') "
        "or run from a checkout of the project.",
    )


def in_checkout() -> bool:
    """True when running from a source checkout, whose notebooks are meant to be edited."""
    return notebooks_dir() == _candidates()[1]


def notebook(name: str) -> Path:
    """The path of one shipped notebook, e.g. ``notebook(RUNBOOK_NOTEBOOK)``."""
    path = notebooks_dir() / name
    if not path.is_file():
        shipped = sorted(p.name for p in notebooks_dir().glob("*.ipynb"))
        raise XacctError(
            f"There is no notebook {name!r} in {notebooks_dir()}.",
            fix=f"The notebooks shipped are: {', '.join(shipped)}.",
        )
    return path


#: In a working folder: each copied notebook's name -> the digest of what was copied.
_MANIFEST: Final = ".xacct-copies.json"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest(folder: Path) -> dict[str, str]:
    try:
        found = json.loads((folder / _MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def working_copy(folder: Path) -> list[Path]:
    """Copy the shipped notebooks into ``folder`` and return the ones copied.

    A notebook already in ``folder`` is the operator's and stays as it is, unless it is still
    exactly what was copied and the shipped one has changed since: then it is brought up to date
    (:func:`outdated_copies` lists the ones kept although the shipped notebook changed).
    """
    folder.mkdir(parents=True, exist_ok=True)
    manifest = _manifest(folder)
    copied = []
    for source in sorted(notebooks_dir().glob("*.ipynb")):
        destination = folder / source.name
        shipped = _digest(source)
        if destination.exists():
            was = manifest.get(source.name)
            if was is None or was == shipped or _digest(destination) != was:
                continue  # up to date, or the operator's own (edited, run, saved)
        shutil.copyfile(source, destination)
        manifest[source.name] = shipped
        copied.append(destination)
    if copied:
        (folder / _MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return copied


def outdated_copies(folder: Path) -> list[Path]:
    """The copies in ``folder`` that the operator changed and whose shipped notebook changed
    since they were copied: kept as they are (delete one to get the new version)."""
    manifest = _manifest(folder)
    return [
        folder / source.name
        for source in sorted(notebooks_dir().glob("*.ipynb"))
        if (folder / source.name).exists()
        and source.name in manifest
        and manifest[source.name] != _digest(source)
    ]


def _prepend(path: Path, current: str | None) -> str:
    return os.pathsep.join([str(path), *([current] if current else [])])


def jupyter_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for a JupyterLab or Voila child that finds our shipped Jupyter files first.

    ``jupyter/config/labconfig/default_setting_overrides.json`` turns JupyterLab's "get news?"
    pop-up and update checks off (it covers the wizards, and this tool runs offline); the
    operator's own settings still win. ``jupyter/data/voila/templates/xacct`` is the offline
    Voila template. Both are found through Jupyter's own search paths, so nothing is written
    into the operator's Jupyter directories.
    """
    result = dict(env)
    result["JUPYTER_CONFIG_PATH"] = _prepend(_JUPYTER / "config", env.get("JUPYTER_CONFIG_PATH"))
    result["JUPYTER_PATH"] = _prepend(_JUPYTER / "data", env.get("JUPYTER_PATH"))
    return result
