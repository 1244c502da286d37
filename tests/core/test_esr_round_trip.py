"""parse_esr_config -> esr_config -> parse_esr_config loses nothing the aws-extend-switch-roles
extension reads, checked with the extension's own parser semantics (``aesr_model``: aesr-config
0.6.0 and the extension's list of roles for a sign-in).

Issue 19, item 4: before, a second profile with the same ARN, ``region``, ``image``, colours
the console does not have, a base's ``aws_account_alias``, ``role_name`` and ``target_region``
were dropped (signed in through the alias: 4 roles before, 0 after); a section name over 64
characters failed the whole import although the extension cuts it; ``esr_config``'s own
duplicate suffix gave text the parser refused, and the first role given was renamed.

Format: https://github.com/tilfinltd/aws-extend-switch-roles#configuration
"""

from __future__ import annotations

import pandas as pd
import pytest
from aesr_model import parse_ini, shown, sign_ins

from xacct_widgets.core.profiles import RoleRef, esr_config, parse_esr_config

# The extension's README, "Simple Configuration" then "Complex Configuration", as given there.
README = """
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

[Org1-Account1-Role2]
aws_account_id = 123456789012
role_name = Role2
source_profile = organization1

[Org1-Account2-Role1]
aws_account_id = 210987654321
role_name = Role1
source_profile = organization1

[baseaccount2]
aws_account_id = 000000000000

[Base2-Role1]
role_arn = arn:aws:iam::234567890123:role/Role1
source_profile = baseaccount2

[AnotherRole]
role_name = SomeOtherRole
aws_account_id = account-3-alias

;
; target_role_name example
;
[Org2-BaseAccount]
aws_account_id = 222200000000
target_role_name = Developer

[Org2-Account1-Developer]
aws_account_id = 222200001111
source_profile = Org2-BaseAccount

[Org2-Account2-Manager]
aws_account_id = 222200002222
role_name = Manager ; overrides target role name
source_profile = Org2-BaseAccount

;
; base account with role_name example
;
[Org3-BaseAccount1]
aws_account_id = 333300000000
role_name = Entry-Role-1 ; Role for Federated Login, or User to login

[Org3-BaseAccount2]
aws_account_id = 333300000000
aws_account_alias = mycompany
role_name = custom_permission-set ; DO NOT set AWSReservedSSO_custom_permission-set_0123456890abcdef

[Org3-Account1-Role1]
aws_account_id = 333300001111
role_name = Role1
source_profile = Org3-BaseAccount1

[Org2-Account2-Role2]
aws_account_id = 222200002222
role_name = Role2
source_profile = Org3-BaseAccount2
"""

LONG = "A very long section name for the production account's read-only role, EU"
# What issue 19 saw dropped, each once.
EVERY_KEY = f"""
[org]
aws_account_id = 111111111111
aws_account_alias = my-org
role_name = Admin
target_role_name = ReadOnly
target_region = eu-west-1

[prod-ro]
aws_account_id = 222222222222
source_profile = org
color = ffaaee
image = https://example.com/prod.png

[prod-ro-eu]
aws_account_id = 222222222222
role_name = ReadOnly
source_profile = org
region = eu-central-1

[prod-admin]
role_arn = arn:aws:iam::222222222222:role/ops/Admin
source_profile = org
color = F2B0A9

[{LONG}]
aws_account_id = 333333333333
role_name = dev
color = 99bce3
"""
READ = ("name", "aws_account_id", "role_name", "color", "image", "region")


def _view(items: list[dict]) -> list[tuple]:
    """What the extension shows of each role (``image`` as it uses it: without '"')."""
    return [
        tuple(
            (str(i.get(k)).replace('"', "") if k == "image" and i.get(k) else i.get(k))
            for k in READ
        )
        for i in items
    ]


def _in_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in one order: the extension lists single roles first, then a base's targets, in
    whatever order the sections come; the writer groups each base's targets after it."""
    keys = ["source_profile", "profile", "role_arn"]
    return frame.sort_values(keys, na_position="first").reset_index(drop=True)


def assert_extension_sees_the_same(before: str, after: str, *, skipped=()) -> None:
    was, now = parse_ini(before), parse_ini(after)
    logins = sign_ins(was)
    assert logins == sign_ins(now)  # the same base accounts, aliases and sign-in roles
    for account, role in logins:
        expected = [i for i in _view(shown(was, account, role)) if i[0] not in skipped]
        assert _view(shown(now, account, role)) == expected, (account, role)


@pytest.mark.parametrize(("text", "skipped"), [(README, {"AnotherRole"}), (EVERY_KEY, set())])
def test_parse_write_parse_keeps_what_the_extension_reads(text, skipped):
    first = parse_esr_config(text)
    written = esr_config(first)
    again = parse_esr_config(written)
    pd.testing.assert_frame_equal(_in_order(again), _in_order(first))
    assert again.attrs["dropped"] == [] and len(again.attrs["skipped"]) == 0
    assert [s.split("]")[0].split("[")[1] for s in first.attrs["skipped"]] == sorted(skipped)
    assert_extension_sees_the_same(text, written, skipped=skipped)
    assert esr_config(again) == written  # and it is stable


def test_signed_in_through_the_alias_the_same_roles_are_shown():
    written = esr_config(parse_esr_config(EVERY_KEY))
    for text in (EVERY_KEY, written):
        names = [i["name"] for i in shown(parse_ini(text), "my-org", "Admin")]
        assert names == [LONG, "prod-ro", "prod-ro-eu", "prod-admin"]
        assert shown(parse_ini(text), "my-org", "Other") == shown(parse_ini(text), "x", "y")
    assert "aws_account_alias = my-org\nrole_name = Admin\ntarget_role_name = ReadOnly\n" in written


def test_every_key_is_a_column():
    frame = parse_esr_config(EVERY_KEY).set_index("profile")
    eu = frame.loc["prod-ro-eu"]
    assert eu["role_arn"] == frame.loc["prod-ro", "role_arn"]  # two profiles, one ARN
    assert eu["region"] == "eu-central-1" and pd.isna(frame.loc["prod-ro", "region"])
    assert frame.loc["prod-ro", "image"] == "https://example.com/prod.png"
    assert frame.loc["prod-ro", "esr_color"] == "ffaaee" and pd.isna(frame.loc["prod-ro", "color"])
    assert frame.loc["prod-admin", "color"] == "F2B0A9"  # a console colour too
    assert frame.loc["prod-admin", "path"] == "/ops/"
    assert dict(eu[["base_account_id", "base_account_alias", "base_role_name"]]) == {
        "base_account_id": "111111111111",
        "base_account_alias": "my-org",
        "base_role_name": "Admin",
    }
    assert (eu["base_target_role_name"], eu["base_target_region"]) == ("ReadOnly", "eu-west-1")


def test_a_long_section_name_is_cut_for_the_console_as_the_extension_does():
    frame = parse_esr_config(EVERY_KEY).set_index("profile")
    assert frame.loc[LONG, "display_name"] == LONG[:63] + "…"
    assert f"[{LONG}]" in esr_config(frame.reset_index())  # the name itself is kept


def test_own_duplicate_suffix_parses_and_the_first_role_keeps_its_name():
    name = "n" * 64
    refs = [
        RoleRef("123456781234", "a", display_name="prod", source_profile="operator"),
        RoleRef("123456781234", "b", display_name="prod"),
        RoleRef("123456781234", "c", display_name=name),
        RoleRef("123456781234", "d", display_name=name),
    ]
    text = esr_config(refs, base_accounts={"operator": "987654329876"})
    frame = parse_esr_config(text).set_index("role_name")
    assert frame.loc["a", "display_name"] == "prod"  # given first: keeps its name
    assert frame.loc["b", "display_name"] == "prod (2)"
    assert frame.loc["c", "display_name"] == name
    assert frame.loc["d", "display_name"] == "n" * 60 + " (2)"
    parse_ini(text)  # the extension reads it too


def test_same_name_under_different_bases_is_kept():
    text = (
        "[a]\naws_account_id = 111111111111\n[b]\naws_account_id = 222222222222\n"
        "[ReadOnly]\naws_account_id = 333333333333\nrole_name = ro\nsource_profile = a\n"
        "[ReadOnly]\naws_account_id = 333333333333\nrole_name = ro\nsource_profile = b\n"
    )
    frame = parse_esr_config(text)
    assert list(frame["profile"]) == ["ReadOnly", "ReadOnly"]
    written = esr_config(frame)
    assert written.count("[ReadOnly]") == 2
    assert_extension_sees_the_same(text, written)


def test_a_key_the_extension_does_not_read_is_listed_as_dropped():
    text = "[a]\naws_account_id = 111111111111\nrole_name = r\nmfa_serial = x\n"
    frame = parse_esr_config(text)
    assert frame.attrs["dropped"] == [
        "line 4 [a]: key 'mfa_serial' is not read by the extension for a role; dropped"
    ]


def test_a_value_the_extension_would_cut_is_refused_not_written():
    frame = parse_esr_config("[a]\naws_account_id = 111111111111\nrole_name = r\n")
    frame.loc[0, "image"] = "https://x/y?size=150"
    with pytest.raises(Exception, match=r"\[a\]: image cannot be written") as raised:
        esr_config(frame)
    assert "size=150" not in str(raised.value)
