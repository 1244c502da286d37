"""connect() reuses the sandbox already running in this process instead of clashing with it."""

from __future__ import annotations

from xacct_widgets import connect
from xacct_widgets.sandbox import Sandbox


def test_connect_uses_the_running_sandbox(sandbox: Sandbox, monkeypatch) -> None:
    monkeypatch.delenv("XACCT_SANDBOX_URL", raising=False)
    session = connect("target", "admin")
    assert session.client("sts").get_caller_identity()["Arn"] == (
        "arn:aws:iam::123456781234:user/admin"
    )
    assert connect.__module__ == "xacct_widgets.connection"


def test_connect_with_profile_is_plain_boto3(tmp_path, monkeypatch) -> None:
    config = tmp_path / "config"
    config.write_text("[profile real-target]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    session = connect("target", "admin", profile="real-target")
    assert session.profile_name == "real-target"
    assert session.region_name == "eu-west-1"
