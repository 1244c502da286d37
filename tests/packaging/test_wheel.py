"""The built wheel works on its own: fresh venv, `<wheel>[lab]` installed, run from an empty dir.

Nothing here may lean on the checkout: the venv is new (no system site-packages), the commands
run from an empty directory, and the environment carries no XACCT_* or Jupyter variables.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import free_port, jupyter_env, wait_for_json

REPO = Path(__file__).resolve().parents[2]
TUTORIAL = {p.name for p in (REPO / "notebooks").glob("*.ipynb")}

pytestmark = pytest.mark.packaging
#: Build the wheel with the locked hatchling already installed: no isolated build env to fetch.
PIP_WHEEL = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
UV_PIP_INSTALL = [sys.executable, "-m", "uv", "pip", "install", "-q"]


def _run(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, (
        f"{command[:3]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def locked_pins(lock: Path) -> str:
    """The lock's ``name==version ; markers`` lines without their hashes (pip's constraints)."""
    pins = [
        line.rstrip(" \\")
        for line in lock.read_text().splitlines()
        if line[:1].isalnum() and "==" in line
    ]
    return "\n".join(pins) + "\n"


@pytest.fixture(scope="session")  # one build and venv, even when xdist interleaves
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """A fresh venv with the built wheel and its [lab] extra; yields (bin dir, environment)."""
    root = tmp_path_factory.mktemp("wheel")
    env = jupyter_env(root / "home")
    env.pop("PYTHONPATH", None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    dist = root / "dist"
    _run(
        [*PIP_WHEEL, "-w", str(dist), str(REPO)],
        cwd=root,
        env=env,
        timeout=600,
    )
    (wheel,) = dist.glob("xacct_widgets-*.whl")
    venv.create(root / "venv", with_pip=True, clear=True)
    bin_dir = root / "venv" / "bin"
    constraints = root / "constraints.txt"
    constraints.write_text(locked_pins(REPO / "requirements.txt"))
    # The versions the suite was tested with (the lock's pins as constraints), installed by uv's
    # pip interface (uv is locked too): the same resolution as `pip install`, a minute faster.
    _run(
        [
            *UV_PIP_INSTALL,
            "--python",
            str(bin_dir / "python"),
            "-c",
            str(constraints),
            f"{wheel}[lab]",
        ],
        cwd=root,
        env=env,
        timeout=1200,
    )
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    yield bin_dir, env
    shutil.rmtree(root, ignore_errors=True)


def _empty_dir(tmp_path: Path) -> Path:
    where = tmp_path / "empty"
    where.mkdir()
    return where


def test_wheel_ships_the_notebooks(installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    bin_dir, env = installed
    code = (
        "import xacct_widgets.resources as r, pathlib; d = r.notebooks_dir(); "
        "print(d); print(sorted(p.name for p in d.glob('*.ipynb')))"
    )
    out = _run([str(bin_dir / "python"), "-c", code], cwd=_empty_dir(tmp_path), env=env, timeout=60)
    where, names = out.splitlines()
    assert "site-packages" in where, where
    assert set(eval(names)) == TUTORIAL


#: Where the prebuilt JupyterLab extension lands in the wheel (shared-data).
LABEXTENSION = "xacct_widgets-0.1.0.data/data/share/jupyter/labextensions/xacct-widgets/"
#: The issue's budget for what the extension adds to the wheel.
LABEXTENSION_BUDGET = 200 * 1024


def test_wheel_ships_the_prebuilt_labextension(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    import zipfile

    bin_dir, env = installed
    (wheel,) = (bin_dir.parent.parent / "dist").glob("xacct_widgets-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        infos = archive.infolist()
        metadata = archive.read("xacct_widgets-0.1.0.dist-info/METADATA").decode()
    shipped = {
        i.filename[len(LABEXTENSION) :]: i for i in infos if i.filename.startswith(LABEXTENSION)
    }
    assert {"package.json", "install.json"} <= set(shipped)
    assert any(name.startswith("static/remoteEntry.") for name in shipped)
    # Only the shared-data copy: the built assets are not also inside the package.
    assert not [i.filename for i in infos if i.filename.startswith("xacct_widgets/labextension/")]
    assert "Framework :: Jupyter :: JupyterLab :: Extensions :: Prebuilt" in metadata
    # What the extension adds: its entries as stored, with their zip and RECORD overhead.
    growth = sum(i.compress_size + 2 * len(i.filename) + 76 + 100 for i in shipped.values())
    print(
        f"wheel: {wheel.stat().st_size / 1024:.1f} KB, of which the labextension "
        f"{growth / 1024:.1f} KB ({len(shipped)} files; budget {LABEXTENSION_BUDGET // 1024} KB)"
    )
    assert growth <= LABEXTENSION_BUDGET
    # Installed from the wheel alone (no Node, no checkout), JupyterLab finds it.
    listing = subprocess.run(
        [str(bin_dir / "jupyter"), "labextension", "list"],
        cwd=_empty_dir(tmp_path),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = [
        line for line in (listing.stdout + listing.stderr).splitlines() if "xacct-widgets" in line
    ]
    assert found and "enabled" in found[0] and "OK" in found[0], listing.stdout + listing.stderr


def test_runbook_from_an_empty_directory(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bin_dir, env = installed
    cwd = _empty_dir(tmp_path)
    out = _run([str(bin_dir / "xacct"), "runbook"], cwd=cwd, env=env, timeout=600)
    assert "Executed notebook written to" in out
    executed = json.loads((cwd / "xacct-runbook-output.ipynb").read_text())
    assert executed["metadata"]["papermill"]["exception"] is None
    assert "cross-account" in out


def test_lab_opens_a_working_copy_of_the_notebooks(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bin_dir, env = installed
    cwd = _empty_dir(tmp_path)
    port, token = free_port(), secrets.token_hex(16)
    command = [str(bin_dir / "xacct"), "lab", "--no-browser", "--port", str(port)]
    process = subprocess.Popen(
        [*command, f"--IdentityProvider.token={token}"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_json(f"http://127.0.0.1:{port}/api/status?token={token}", process)
        url = f"http://127.0.0.1:{port}/api/contents?token={token}"
        with urllib.request.urlopen(url, timeout=10) as answer:
            listing = {item["name"] for item in json.load(answer)["content"]}
        assert listing >= TUTORIAL
        assert {p.name for p in (cwd / "xacct-notebooks").glob("*.ipynb")} == TUTORIAL
    finally:
        _stop(process)


def test_app_finds_its_notebook(installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    bin_dir, env = installed
    port = free_port()
    process = subprocess.Popen(
        [str(bin_dir / "xacct"), "app", "--no-browser", "--port", str(port)],
        cwd=_empty_dir(tmp_path),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "onboarding_app.ipynb" in first, first
        _wait_for_http(f"http://127.0.0.1:{port}/static/no-such-file", process)
    finally:
        _stop(process)


def _wait_for_http(url: str, process: subprocess.Popen[str]) -> None:
    """Any HTTP answer means Voila is up (polling / would start a kernel each time)."""
    import time

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, f"xacct app exited with {process.returncode}"
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"no answer from {url}")


def _stop(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the server did not stop on SIGTERM")
