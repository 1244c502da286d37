"""Switch-role bookmarks in the Netscape bookmark file format every browser imports and exports.

Format: https://learn.microsoft.com/en-us/previous-versions/windows/internet-explorer/ie-developer/platform-apis/aa753582(v=vs.85)
"""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

import pandas as pd

from xacct_widgets.core.profiles import (
    BOOKMARK_COLUMNS,
    RoleRef,
    bookmarks_html,
    parse_bookmarks_html,
)

TARGET = "123456781234"
WHEN = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
REFS = [
    RoleRef(TARGET, "cross-account", display_name='prod <&> "main"', color="Green"),
    RoleRef("222233334444", "app", path="/team/", color="Blue"),
    RoleRef("333344445555", "gov", partition="aws-us-gov", display_name="gov"),
    RoleRef("444455556666", "china", partition="aws-cn"),
]


def test_file_shape():
    text = bookmarks_html(REFS[:1], folder="AWS <roles>", added=WHEN)
    stamp = int(WHEN.timestamp())
    assert text.splitlines()[0] == "<!DOCTYPE NETSCAPE-Bookmark-file-1>"
    assert '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">' in text
    assert "<TITLE>Bookmarks</TITLE>" in text and "<H1>Bookmarks</H1>" in text
    assert f'<DT><H3 ADD_DATE="{stamp}" LAST_MODIFIED="{stamp}">AWS &lt;roles&gt;</H3>' in text
    href = (
        "https://signin.aws.amazon.com/switchrole?roleName=cross-account&amp;account=123456781234"
        "&amp;displayName=prod%20%3C%26%3E%20%22main%22&amp;color=B7CA9D"
    )
    assert (
        f'<DT><A HREF="{href}" ADD_DATE="{stamp}">prod &lt;&amp;&gt; &quot;main&quot;</A>' in text
    )
    assert (
        "<DD>Switch role: colour Green (B7CA9D), arn:aws:iam::123456781234:role/cross-account"
        in text
    )
    assert bookmarks_html(REFS, added=WHEN) == bookmarks_html(REFS, added=WHEN)


def test_well_formed_lists():
    tags: list[str] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append(tag)

        def handle_endtag(self, tag):
            tags.append("/" + tag)

    Tags().feed(bookmarks_html(REFS, added=WHEN))
    assert tags.count("dl") == tags.count("/dl") == 2
    assert tags.count("a") == tags.count("/a") == len(REFS)


def test_round_trip():
    frame = parse_bookmarks_html(bookmarks_html(REFS, added=WHEN))
    assert list(frame.columns) == list(BOOKMARK_COLUMNS)
    assert list(frame["role_arn"]) == [r.role_arn for r in REFS]
    assert [None if pd.isna(v) else v for v in frame["display_name"]] == [
        r.display_name for r in REFS
    ]
    assert [None if pd.isna(v) else v for v in frame["color"]] == [r.color for r in REFS]
    assert list(frame["partition"]) == ["aws", "aws", "aws-us-gov", "aws-cn"]
    assert set(frame["folder"]) == {"AWS roles"}
    assert frame.loc[1, "title"] == "app @ 222233334444"
    assert frame.attrs == {"skipped": 0, "duplicates": 0, "rejected": []}


# What a browser writes on export (Chrome's shape: bookmarks bar, nested folders, icons,
# PERSONAL_TOOLBAR_FOLDER, unclosed <DT> and <p>), with switch-role links among other links.
EXPORTED = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<!-- This is an automatically generated file.
     It will be read and overwritten.
     DO NOT EDIT! -->
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
    <DT><H3 ADD_DATE="1700000000" LAST_MODIFIED="1700000100" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks bar</H3>
    <DL><p>
        <DT><A HREF="https://docs.aws.amazon.com/IAM/" ADD_DATE="1700000001" ICON="data:image/png;base64,iVBORw0KGgo=">IAM docs</A>
        <DT><H3 ADD_DATE="1700000002" LAST_MODIFIED="1700000003">Work &amp; play</H3>
        <DL><p>
            <DT><H3 ADD_DATE="1700000004">AWS</H3>
            <DL><p>
                <DT><A HREF="https://signin.aws.amazon.com/switchrole?roleName=cross-account&amp;account=123456781234&amp;displayName=prod&amp;color=B7CA9D" ADD_DATE="1700000005" ICON="data:image/png;base64,AAAA">prod (console)</A>
                <DD>my main role
                <DT><A HREF="https://us-east-1.signin.aws.amazon.com/switchrole?account=222233334444&amp;roleName=team/app" ADD_DATE="1700000006">Team app</A>
                <DT><A HREF="https://signin.aws.amazon.com/switchrole?roleName=x&amp;account=12" ADD_DATE="1700000007">broken link</A>
            </DL><p>
            <DT><A HREF="https://signin.aws.amazon.com/switchrole?roleName=cross-account&amp;account=123456781234" ADD_DATE="1700000008">prod again</A>
        </DL><p>
        <DT><A HREF="https://signin.amazonaws-us-gov.com/switchrole?roleName=gov&amp;account=333344445555" ADD_DATE="1700000009">333344445555 gov</A>
    </DL><p>
    <DT><H3 ADD_DATE="1700000010">Other bookmarks</H3>
    <DL><p>
        <DT><A HREF="https://example.com/" ADD_DATE="1700000011">Example</A>
        <DT><A HREF="place:sort=8&amp;maxResults=10">Recent tags</A>
    </DL><p>
</DL><p>
"""  # noqa: E501


def test_realistic_browser_export():
    frame = parse_bookmarks_html(EXPORTED)
    assert list(frame["role_arn"]) == [
        "arn:aws:iam::123456781234:role/cross-account",
        "arn:aws:iam::222233334444:role/team/app",
        "arn:aws-us-gov:iam::333344445555:role/gov",
    ]
    # display name from the URL, else the bookmark's title
    assert list(frame["display_name"]) == ["prod", "Team app", "333344445555 gov"]
    assert frame.loc[0, "color"] == "B7CA9D" and pd.isna(frame.loc[1, "color"])
    assert list(frame["folder"]) == [
        "Bookmarks bar/Work & play/AWS",
        "Bookmarks bar/Work & play/AWS",
        "Bookmarks bar",
    ]
    # IAM docs, the broken switch-role link, example.com, place: -> skipped; "prod again" dup
    assert frame.attrs == {
        "skipped": 4,
        "duplicates": 1,
        # the broken switch-role link (only it) is reported, with why
        "rejected": [
            "bookmark on line 19 in folder 'Bookmarks bar/Work & play/AWS': its account is "
            "invalid: it must be 12 digits, optionally written 1234-5678-1234"
        ],
    }


def test_not_a_bookmarks_file_is_empty():
    frame = parse_bookmarks_html("<html><body>nothing</body></html>")
    assert frame.empty and list(frame.columns) == list(BOOKMARK_COLUMNS)
