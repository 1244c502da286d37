"""One role profile this package cannot use never breaks the others (issue 19, item 6): an
``arn:aws-iso:`` profile made ``xacct profiles`` and ``xacct console good`` exit 2 with
"Partition 'aws-iso' is not supported", naming no profile.

Role profiles: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-role.html
"""

from __future__ import annotations

import pytest
from helpers import ROLE, TARGET

from xacct_widgets import cli
from xacct_widgets.core.profiles import RoleRef, aws_config_profiles, export_profiles

ISO = """
[profile iso]
role_arn = arn:aws-iso:iam::123456789012:role/secret-role
source_profile = operator
"""


def _with_iso(aws_files) -> None:
    export_profiles([RoleRef(TARGET, ROLE, profile="good")], source_profile="operator")
    with aws_files["config"].open("a") as config:
        config.write(ISO)


def test_the_unusable_profile_is_listed_with_why(aws_files) -> None:
    _with_iso(aws_files)
    frame = aws_config_profiles()
    assert list(frame["profile"]) == ["good"]
    [(name, why)] = frame.attrs["unusable"]
    assert name == "iso" and "key 'role_arn'" in why and "'aws-iso' is not supported" in why
    assert str(aws_files["config"]) in why and "line " in why


def test_xacct_profiles_lists_the_good_and_says_why_not_the_other(aws_files, capsys) -> None:
    _with_iso(aws_files)
    assert cli.main(["profiles"]) == 0
    out, err = capsys.readouterr()
    assert "good" in out and TARGET in out and "iso" not in out
    assert "profile 'iso' cannot be used" in err and "aws-iso" in err and "role_arn" in err


@pytest.mark.allow_secret_output  # --url prints the sign-in URL, as asked
def test_xacct_console_good_still_works(fresh_sandbox, aws_files, capsys) -> None:
    _with_iso(aws_files)
    assert cli.main(["console", "good", "--url"]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith(fresh_sandbox.endpoint_url + "/federation?Action=login")
    assert cli.main(["console", "iso", "--url"]) == 2
    err = capsys.readouterr().err
    assert "'iso' cannot be used" in err and "aws-iso" in err
