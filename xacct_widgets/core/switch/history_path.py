"""Where a role history lives: the operator's own file, or the sandbox's.

The operator's history (every role switched to, the bookmarks) is theirs: it lives in the user's
config dir, or where ``$XACCT_HISTORY`` says. The embedded sandbox is not the operator's AWS, so a
switcher made from a sandbox session keeps its history and bookmarks in the sandbox's own file:
sandbox walks never mix with, rename or add to the operator's real entries, and a fresh sandbox
starts with an empty history.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Final

import boto3
import platformdirs
from botocore.exceptions import BotoCoreError

from .history_store import MEMORY

__all__ = ["ENV_VAR", "SANDBOX_ENV_VAR", "SANDBOX_PROFILE", "default_path", "is_sandbox_session"]

#: Environment variable overriding the operator's history file (``:memory:`` allowed).
ENV_VAR: Final = "XACCT_HISTORY"
#: The sandbox's history file (``:memory:`` allowed). ``xacct lab`` and ``xacct app`` set it for
#: their kernels to a file in a folder removed with their sandbox.
SANDBOX_ENV_VAR: Final = "XACCT_SANDBOX_HISTORY"
#: The AWS profile every sandbox session names (``xacct_widgets.sandbox.remote.PROFILE``; core
#: never imports the sandbox, so the name is repeated here and a test keeps the two equal).
SANDBOX_PROFILE: Final = "xacct-sandbox"

#: sandbox endpoint -> this process's folder for its history (removed when the process exits).
_sandbox_dirs: dict[str, tempfile.TemporaryDirectory[str]] = {}
_lock = threading.Lock()


def _from_env(name: str) -> Path | str | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    return value if value == MEMORY else Path(value).expanduser()


def _sandbox_endpoint(session: boto3.Session) -> str | None:
    """The endpoint of the sandbox ``session`` reaches, or None for any other session."""
    if session.profile_name != SANDBOX_PROFILE:
        return None
    try:  # boto3 exposes no public accessor for its botocore session
        config = session._session.get_scoped_config()
    except BotoCoreError:
        return None
    return str(config.get("endpoint_url") or "") or SANDBOX_PROFILE


def is_sandbox_session(session: boto3.Session) -> bool:
    """Whether ``session`` acts in the embedded sandbox (``xw.connect()`` without a profile,
    ``Sandbox.session()``) rather than in the operator's AWS."""
    return _sandbox_endpoint(session) is not None


def default_path(session: boto3.Session | None = None) -> Path | str:
    """Where a history opened without a path lives, for switches made from ``session``.

    A sandbox session (:func:`is_sandbox_session`) gets the sandbox's own history:
    ``$XACCT_SANDBOX_HISTORY`` if set, else a file in a temporary folder of this process for that
    sandbox (an embedded sandbox lives and dies with its process too). Never ``$XACCT_HISTORY``
    nor the user's config dir: sandbox work does not touch the operator's history.

    Any other session, or None: ``$XACCT_HISTORY`` if set, else
    ``<user config dir>/xacct_widgets/history.sqlite3``.
    """
    endpoint = _sandbox_endpoint(session) if session is not None else None
    if endpoint is None:
        chosen = _from_env(ENV_VAR)
        if chosen is not None:
            return chosen
        return Path(platformdirs.user_config_dir("xacct_widgets")) / "history.sqlite3"
    chosen = _from_env(SANDBOX_ENV_VAR)
    if chosen is not None:
        return chosen
    with _lock:
        folder = _sandbox_dirs.get(endpoint)
        if folder is None:
            folder = tempfile.TemporaryDirectory(prefix="xacct-sandbox-history-")
            _sandbox_dirs[endpoint] = folder
    return Path(folder.name) / "history.sqlite3"
