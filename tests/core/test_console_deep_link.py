"""Console sign-in to a region and a service page (issue 23): ``destination=ConsolePage(region,
service)`` as aws-vault's ``login -s``/Granted's ``--service`` and ``--region`` do, defaulting
to the session's regional console home; refused before any call outside the role's partition.

The console's regional hosts are those of "AWS Management Console endpoints"
(https://docs.aws.amazon.com/general/latest/gr/mgmt-console.html: REGION.console.aws.amazon.com),
and the federation endpoint takes any console page as ``Destination`` ("Enable custom identity
broker access to the AWS console",
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import ROLE, TARGET, make_role

from xacct_widgets.core.switch import ConsolePage, RoleSwitcher
from xacct_widgets.core.switch.console import SignInEndpoints, console_page
from xacct_widgets.errors import InvalidInput
from xacct_widgets.widgets import RoleSwitcherBar

AWS_ROLE = "arn:aws:iam::123456789012:role/ops"
CN_ROLE = "arn:aws-cn:iam::123456789012:role/ops"
GOV_ROLE = "arn:aws-us-gov:iam::123456789012:role/ops"
PUBLIC = SignInEndpoints(
    "https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com/"
)
SANDBOX = SignInEndpoints(
    "http://127.0.0.1:4999/federation", "http://127.0.0.1:4999/console", sandbox=True
)


@pytest.mark.parametrize(
    ("page", "role", "session_region", "url"),
    [
        (
            ConsolePage(service="s3"),
            AWS_ROLE,
            "eu-west-1",
            "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1",
        ),
        (
            ConsolePage("us-west-2", "ec2"),
            AWS_ROLE,
            "eu-west-1",
            "https://us-west-2.console.aws.amazon.com/ec2/home?region=us-west-2",
        ),
        (
            ConsolePage("us-west-2"),
            AWS_ROLE,
            None,
            "https://us-west-2.console.aws.amazon.com/console/home?region=us-west-2",
        ),
        (
            ConsolePage(service="s3/buckets"),
            AWS_ROLE,
            None,
            "https://console.aws.amazon.com/s3/buckets",
        ),
        (
            ConsolePage(service="iam"),
            CN_ROLE,
            "cn-north-1",
            "https://cn-north-1.console.amazonaws.cn/iam/home?region=cn-north-1",
        ),
        (
            ConsolePage(service="ec2"),
            GOV_ROLE,
            "eu-west-1",  # not a GovCloud region: the partition's global console
            "https://console.amazonaws-us-gov.com/ec2/home",
        ),
    ],
)
def test_a_console_page_is_a_url_on_the_roles_console(page, role, session_region, url):
    assert console_page(page, PUBLIC, role, session_region) == url


@pytest.mark.parametrize(
    ("page", "role", "says"),
    [
        (ConsolePage("eu-west-1"), GOV_ROLE, "not a region of partition 'aws-us-gov'"),
        (ConsolePage("cn-north-1"), AWS_ROLE, "not a region of partition 'aws'"),
        (ConsolePage("mars-1"), AWS_ROLE, "not a region"),
        (ConsolePage(service="https://evil.example/"), AWS_ROLE, "not a service path"),
        (ConsolePage(service="s3?x=1"), AWS_ROLE, "not a service path"),
        (ConsolePage(service="../s3"), AWS_ROLE, "not a service path"),
        (ConsolePage(service=""), AWS_ROLE, "not a service path"),
    ],
)
def test_a_page_outside_the_roles_console_is_refused(page, role, says):
    with pytest.raises(InvalidInput) as caught:
        console_page(page, PUBLIC, role, "us-east-1")
    assert says in caught.value.message and caught.value.fix


def test_the_sandbox_gets_region_and_service_on_its_own_console():
    page = console_page(ConsolePage("eu-west-1", "s3"), SANDBOX, AWS_ROLE, None)
    assert page == "http://127.0.0.1:4999/console?region=eu-west-1&service=s3"


@pytest.fixture
def switcher(fresh_sandbox):
    make_role(fresh_sandbox)
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    switcher.switch(TARGET, ROLE)
    return switcher


def _destination(url: str) -> str:
    return parse_qs(urlsplit(str(url)).query)["Destination"][0]


def test_the_sign_in_url_takes_a_console_page(switcher, fresh_sandbox):
    url = switcher.console_sign_in_url(ConsolePage("eu-west-1", "iam"))
    console = f"{fresh_sandbox.endpoint_url}/console"
    assert _destination(url) == f"{console}?region=eu-west-1&service=iam"
    assert _destination(switcher.console_sign_in_url()) == console  # the default is unchanged
    with pytest.raises(InvalidInput, match="not a region of partition 'aws'"):
        switcher.console_sign_in_url(ConsolePage("cn-north-1"))


def test_the_console_button_signs_in_to_its_page(switcher):
    opened: list[str] = []
    bar = RoleSwitcherBar(switcher, opener=lambda url: opened.append(url) or True)
    bar.console.destination = ConsolePage(service="s3")
    assert bar.do_console() is True
    assert _destination(opened[0]).endswith("/console?region=us-east-1&service=s3")
