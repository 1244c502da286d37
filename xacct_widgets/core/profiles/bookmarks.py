"""Switch-role links as a browser bookmarks file, and such a file read back.

The console's role history keeps five roles; the tutorial's advice past that is to bookmark the
switch-role links. Every browser imports and exports bookmarks in the same old format, the
Netscape bookmark file (``<!DOCTYPE NETSCAPE-Bookmark-file-1>``: a ``<DL>`` list per folder,
``<DT><H3>`` for a folder, ``<DT><A HREF ADD_DATE>`` for a link, ``<DD>`` for its description),
so one file reaches Chrome, Firefox, Edge and Safari. The format is HTML that is never closed
properly (``<DT>``, ``<p>``), so it is read with the standard library's tolerant HTML parser.

Format: https://learn.microsoft.com/en-us/previous-versions/windows/internet-explorer/ie-developer/platform-apis/aa753582(v=vs.85)
Importing: https://support.google.com/chrome/answer/96816,
https://support.mozilla.org/kb/import-bookmarks-html-file, https://support.apple.com/guide/safari/ibrw1015
"""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, Final
from urllib.parse import urlsplit

import pandas as pd

from ...errors import InvalidInput, XacctError
from .. import colors, partitions, urls
from .redact import clip
from .refs import REF_COLUMNS, RoleRef, refs_frame, role_refs

__all__ = ["BOOKMARK_COLUMNS", "bookmarks_html", "parse_bookmarks_html"]

#: Columns of :func:`parse_bookmarks_html`: :data:`REF_COLUMNS`, the bookmark's title and the
#: folders it was in (``"Bookmarks bar/AWS roles"``).
BOOKMARK_COLUMNS: Final = (*REF_COLUMNS, "title", "folder")


# What Chromium's bookmarks importer decodes (&lt; &gt; &amp; &quot; &#39; and no other), so
# a title or URL written with these reads back as it was in every browser (html.escape writes
# ' as &#x27;, which Chrome then shows as is).
_ENTITIES: Final = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
)


def _escape(value: str) -> str:
    return value.translate(_ENTITIES)


def _description(ref: RoleRef) -> str:
    color = f"colour {colors.color_name(ref.color)} ({ref.color}), " if ref.color else ""
    return f"Switch role: {color}{ref.role_arn}"


def bookmarks_html(
    entries: Any, *, folder: str = "AWS roles", added: datetime | None = None
) -> str:
    """A bookmarks file with one folder of switch-role links, for a browser to import.

    Each bookmark is titled with the role's display name (``role @ account`` without one); its
    URL carries the display name and colour as the console's own link does, and its description
    names the colour and the role ARN. ``entries``: anything :func:`role_refs` takes. ``added``
    is the ADD_DATE written (now by default; pass one for a reproducible file).

    Raises:
        InvalidInput: an entry is not a role, or the folder name is empty.
    """
    if not isinstance(folder, str) or not folder.strip():
        raise InvalidInput("Folder name is empty.", fix="Pass e.g. folder='AWS roles'.")
    when = str(int((added or datetime.now(UTC)).timestamp()))
    lines = [
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>",
        "<!-- This is an automatically generated file.",
        "     It will be read and overwritten.",
        "     DO NOT EDIT! -->",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
        "<TITLE>Bookmarks</TITLE>",
        "<H1>Bookmarks</H1>",
        "<DL><p>",
        f'    <DT><H3 ADD_DATE="{when}" LAST_MODIFIED="{when}">{_escape(folder.strip())}</H3>',
        "    <DL><p>",
    ]
    for ref in role_refs(entries):
        href = _escape(ref.switch_role_url)
        lines.append(f'        <DT><A HREF="{href}" ADD_DATE="{when}">{_escape(ref.label)}</A>')
        lines.append(f"        <DD>{_escape(_description(ref))}")
    lines += ["    </DL><p>", "</DL><p>"]
    return "\n".join(lines) + "\n"


# -- reading ------------------------------------------------------------------------------------
class _Reader(HTMLParser):
    """Collects (href, title, folder path) of every ``<A>``; folders from ``<H3>`` + ``<DL>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str, int]] = []
        self._folders: list[str | None] = []
        self._heading: str | None = None  # the last <H3>'s text, until its <DL> opens
        self._text: list[str] | None = None  # text of the <A> or <H3> being read
        self._href: str | None = None
        self._line = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._line = self.getpos()[0]
            self._text = []
        elif tag == "h3":
            self._text = []
        elif tag == "dl":
            self._folders.append(self._heading)
            self._heading = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            folder = "/".join(f for f in self._folders if f)
            title = "".join(self._text or []).strip()
            self.links.append((self._href, title, folder, self._line))
            self._href, self._text = None, None
        elif tag == "h3" and self._text is not None:
            self._heading, self._text = "".join(self._text).strip(), None
        elif tag == "dl" and self._folders:
            self._folders.pop()

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def _display_name(title: str, link: urls.SwitchRoleLink) -> str | None:
    """The title as display name, unless it is the console's default label or not valid."""
    if link.display_name is not None:
        return link.display_name
    if not title or title == f"{link.role_name} @ {link.account_id}":
        return None
    try:
        return urls.SwitchRoleLink(link.account_id, link.role_name, title).display_name
    except XacctError:
        return None  # too long for a display name: kept in the title column


def _looks_like_a_switch_role_link(href: str) -> bool:
    """A link meant as a switch-role link (a sign-in host, or a /switchrole path): one that
    fails to parse is reported, not silently ignored like any other bookmark."""
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return "switchrole" in href.lower()
    host = (parts.hostname or "").lower()
    return partitions.partition_of_host(host) is not None or "switchrole" in parts.path.lower()


def parse_bookmarks_html(text: str) -> pd.DataFrame:
    """The switch-role bookmarks of an exported bookmarks file (:data:`BOOKMARK_COLUMNS`).

    Every bookmark whose URL is a switch-role link (any partition, any folder) becomes a row;
    display name and colour come from the URL, the title standing in for a missing display
    name. Other bookmarks are ignored and counted in ``frame.attrs["skipped"]``; a role
    bookmarked twice is kept once (``frame.attrs["duplicates"]``). A bookmark meant as a
    switch-role link (a sign-in host or a /switchrole path) that is not a valid one is counted
    in ``skipped`` and listed in ``frame.attrs["rejected"]``: its line, folder and why (never
    its URL, which may carry anything).
    """
    if not isinstance(text, str):
        raise InvalidInput(
            f"Bookmarks file is not text (got {type(text).__name__}).",
            fix="Pass the file's text.",
        )
    reader = _Reader()
    reader.feed(text)
    reader.close()
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    rejected: list[str] = []
    skipped = duplicates = 0
    for href, title, folder, line in reader.links:
        problem = urls.switch_role_url_problem(href)
        if problem is not None:
            skipped += 1
            if _looks_like_a_switch_role_link(href):
                where = f" in folder {clip(folder)!r}" if folder else ""
                rejected.append(f"bookmark on line {line}{where}: {problem}")
            continue
        link = urls.parse_switch_role_url(href)
        ref = RoleRef(
            link.account_id,
            link.role_name,
            link.path,
            link.partition,
            _display_name(title, link),
            link.color,
        )
        if ref.role_arn in seen:
            duplicates += 1
            continue
        seen.add(ref.role_arn)
        row = {str(k): v for k, v in refs_frame([ref]).iloc[0].items()}
        rows.append(row | {"title": title, "folder": folder})
    frame = pd.DataFrame(rows, columns=list(BOOKMARK_COLUMNS))
    frame["duration_seconds"] = frame["duration_seconds"].astype("Int64")
    frame.attrs["skipped"] = skipped
    frame.attrs["duplicates"] = duplicates
    frame.attrs["rejected"] = rejected
    return frame
