"""The aws-extend-switch-roles configuration: written as the extension reads it, and read back.

Format: https://github.com/tilfinltd/aws-extend-switch-roles#configuration and the extension's
parser (github.com/tilfinltd/aesr-config).
"""

from __future__ import annotations

import pandas as pd
import pytest

from xacct_widgets.core.profiles import (
    ESR_COLUMNS,
    REF_COLUMNS,
    RoleRef,
    esr_config,
    parse_esr_config,
)
from xacct_widgets.core.switch import RoleHistory
from xacct_widgets.errors import InvalidInput

TARGET = "123456781234"
SOURCE = "987654329876"
BASE = "operator"

REFS = [
    RoleRef(TARGET, "cross-account", display_name="prod", color="Green", source_profile="operator"),
    RoleRef(
        TARGET, "read-only", display_name="prod (read)", color="Blue", source_profile="operator"
    ),
    RoleRef("222233334444", "app", path="/team/", color="Red"),
    RoleRef("333344445555", "gov", partition="aws-us-gov", display_name="gov"),
    RoleRef("444455556666", "plain"),
]


def test_written_as_the_extension_expects():
    text = esr_config(REFS, base_accounts={"operator": SOURCE})
    assert text == (
        "; aws-extend-switch-roles configuration, written by xacct_widgets\n"
        "\n[app @ 222233334444]\naws_account_id = 222233334444\nrole_name = team/app\n"
        "color = f2b0a9\n"
        "\n[gov]\nrole_arn = arn:aws-us-gov:iam::333344445555:role/gov\n"
        "\n[plain @ 444455556666]\naws_account_id = 444455556666\nrole_name = plain\n"
        "\n[operator]\naws_account_id = 987654329876\n"
        "\n[prod]\naws_account_id = 123456781234\nrole_name = cross-account\ncolor = b7ca9d\n"
        "source_profile = operator\n"
        "\n[prod (read)]\naws_account_id = 123456781234\nrole_name = read-only\n"
        "color = 99bce3\nsource_profile = operator\n"
    )
    assert esr_config(REFS, base_accounts={"operator": SOURCE}) == text  # deterministic


def test_round_trip_keeps_roles_names_and_colours():
    frame = parse_esr_config(esr_config(REFS, base_accounts={"operator": "9876-5432-9876"}))
    assert list(frame.columns) == list(ESR_COLUMNS)
    assert list(frame.columns[: len(REF_COLUMNS)]) == list(REF_COLUMNS)
    by_arn = {r.role_arn: r for r in REFS}
    assert sorted(frame["role_arn"]) == sorted(by_arn)
    for row in frame.itertuples():
        ref = by_arn[row.role_arn]
        got = [None if pd.isna(v) else v for v in (row.display_name, row.color)]
        assert got == [ref.display_name, ref.color]
        assert row.partition == ref.partition and row.path == ref.path
    grouped = frame[frame["source_profile"] == "operator"]
    assert set(grouped["role_name"]) == {"cross-account", "read-only"}
    assert set(grouped["base_account_id"]) == {SOURCE}


def test_unknown_source_profile_is_noted_not_grouped():
    text = esr_config(REFS[:1])  # no base account given: the extension could not group it
    assert "; source_profile operator" in text and "source_profile =" not in text
    frame = parse_esr_config(text)
    assert frame.loc[0, "display_name"] == "prod" and frame["source_profile"].isna().all()


def test_accepts_history_and_dedupes_names(tmp_path):
    with RoleHistory(tmp_path / "h.sqlite3") as history:
        history.record(TARGET, "a", "same")
        history.record(TARGET, "b", "same")
        text = esr_config(history.entries())
    assert "[same]" in text and "[same (2)]" in text
    assert len(parse_esr_config(text)) == 2


def test_unsafe_characters_in_names_replaced():
    # the extension cuts a line at ';' or '#'; '=' is fine in a section name
    text = esr_config([RoleRef(TARGET, "x", display_name="a;b#c=d")])
    assert "[a-b-c=d]" in text
    assert parse_esr_config(text).loc[0, "display_name"] == "a-b-c=d"


README_EXAMPLE = """
[profile marketingadmin]
role_arn = arn:aws:iam::123456789012:role/marketingadmin
color = ffaaee

[anotheraccount]
aws_account_id = 987654321987
role_name = anotherrole
region=ap-northeast-1

[athirdaccount]
aws_account_id = 987654321988
role_name = athirdrole
image = "https://aesr.dev/img/150"

[organization1]
aws_account_id = 000011112222
aws_account_alias = your-account-alias ; If your account is aliased

[Org1-Account1-Role1]
role_arn = arn:aws:iam::123456789012:role/Role1
source_profile = organization1

;
; target_role_name example
;
[Org2-BaseAccount]
aws_account_id = 222200000000
target_role_name = Developer

[Org2-Account1-Developer]
aws_account_id = 222200001111
source_profile = Org2-BaseAccount

# a hash comment too
[AnotherRole]
role_name = SomeOtherRole
aws_account_id = account-3-alias
"""


def test_reads_the_extensions_own_example():
    frame = parse_esr_config(README_EXAMPLE)
    assert list(frame["profile"]) == [
        "marketingadmin",
        "anotheraccount",
        "athirdaccount",
        "Org1-Account1-Role1",
        "Org2-Account1-Developer",
    ]
    first = frame.iloc[0]
    assert pd.isna(first["color"])  # any hex for the extension; not a console colour
    assert first["esr_color"] == "ffaaee"
    assert frame.loc[1, "region"] == "ap-northeast-1"
    assert frame.loc[2, "image"] == "https://aesr.dev/img/150"
    dev = frame.iloc[4]
    assert (dev["role_name"], dev["source_profile"], dev["base_account_id"]) == (
        "Developer",
        "Org2-BaseAccount",
        "222200000000",
    )
    assert frame.attrs["skipped"] == [
        "line 38 [AnotherRole], key 'aws_account_id': it is an account alias, not a 12-digit "
        "account ID (a link needs the ID); not imported"
    ]
    assert frame.attrs["dropped"] == []


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("role_name = x\n", 1, "before the first"),
        ("[a]\naws_account_id = 123456781234\nrole_name\n", 3, "key = value"),
        ("[a]\naws_account_id = 123456781234\nrole_name = \n", 3, "key = value"),
        ("[a]\nrole_name = x\nrole_name = y\n", 3, "twice"),
        ("; c\n[a]\naws_account_id = 123456781234\n", 2, "names no role"),
        ("[a]\nrole_arn = arn:aws:iam::123456781234:role/x\nrole_name = x\n", 1, "role_arn and"),
        ("\n[a]\nrole_arn = arn:aws:iam::123456781234:user/x\n", 3, "role"),
        ("[a]\nrole_name = x\n", 1, "names no account"),
        ("[a]\naws_account_id = 123456781234\nrole_name = x\nsource_profile = b\n", 4, "not def"),
    ],
)
def test_bad_lines_say_where(text, line, what):
    with pytest.raises(InvalidInput, match=f"line {line} .*{what}"):
        parse_esr_config(text)


def test_comments_and_blank_lines_tolerated():
    text = "\n; head\n\n[p] ; trailing\n  aws_account_id = 123456781234  # id\n\nrole_name=x\n"
    frame = parse_esr_config(text)
    assert list(frame["role_arn"]) == ["arn:aws:iam::123456781234:role/x"]
    assert frame.loc[0, "display_name"] == "p"


def test_nothing_to_read_is_an_empty_frame():
    frame = parse_esr_config("; nothing\n")
    assert frame.empty and list(frame.columns) == list(ESR_COLUMNS)
