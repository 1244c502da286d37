"""The sandbox's own pages beside AWS's API: its description and its clock, for other processes.

``/_xacct/sandbox.json`` tells another process (``Sandbox.attach``, a query worker, the
``credential_process`` command) the seeded principals; ``/_xacct/clock`` reads the sandbox clock
(GET) or moves it (POST ``{"advance": seconds}`` or ``{"reset": true}``), so every process sees
the same time (:mod:`..clock`). The paths are :data:`..remote.INFO_PATH` and
:data:`..remote.CLOCK_PATH`, which the client side reads.
"""

from __future__ import annotations

import json
from typing import Any

from ..clock import CLOCK

__all__ = ["clock_page"]


def clock_page(environ: dict[str, Any]) -> tuple[str, bytes]:
    """GET: the time; POST ``{"advance": seconds}`` or ``{"reset": true}``: move it first."""
    if environ.get("REQUEST_METHOD") == "POST":
        try:
            size = int(environ.get("CONTENT_LENGTH") or 0)
            asked = json.loads(environ["wsgi.input"].read(size) or b"{}")
            if asked.get("reset"):
                CLOCK.reset()
            else:
                CLOCK.advance(asked.get("advance", 0))
        except (ValueError, TypeError, AttributeError) as err:
            return "400 Bad Request", json.dumps({"error": str(err)}).encode()
    body = {"now": CLOCK.now().isoformat(), "offset_seconds": CLOCK.offset_seconds}
    return "200 OK", json.dumps(body).encode()
