"""RoleExportPanel never puts a secret from the operator's AWS config into widget state (which
a saved notebook keeps): "Show changes" on a config that holds a secret key where it should
not says which line and key, never the value (issue 19, item 2)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from helpers import widget_strings

from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.widgets.role_exports import RoleExportPanel

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TARGET = "123456781234"
CONFIGS = {
    "before any section": f"aws_secret_access_key = {SECRET}\n[profile operator]\nregion = x\n",
    "a line of its own": f"[profile operator]\nregion = x\n{SECRET}\n",
    "a 5 MB line": f"[profile operator]\nregion = x\n{'x' * 5_000_000}{SECRET}\n",
    "an endpoint": f"[profile operator]\nendpoint_url = http://127.0.0.1:1 {SECRET}\n",
}


@pytest.fixture
def switcher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RoleSwitcher:
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    session = boto3.Session(
        aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x", region_name="us-east-1"
    )
    made = RoleSwitcher(session, history=":memory:")
    made.history.bookmark(TARGET, "audit", "audit", "Blue")
    return made


@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_show_changes_names_the_line_not_the_secret(switcher, tmp_path, case) -> None:
    config = tmp_path / "config"
    config.write_text(CONFIGS[case])
    panel = RoleExportPanel(switcher, aws_config=config, source_profile="operator")
    assert panel.chosen  # the bookmark
    assert not panel.profiles.do_show()
    shown = panel.error_text
    assert str(config) in shown and ("line " in shown or "'endpoint_url'" in shown)
    state = "\n".join([repr(panel), *widget_strings(panel), str(panel._repr_mimebundle_())])
    assert SECRET not in state
    assert len(panel.error.value) < 2_000  # a 5 MB line is not repeated
    assert config.read_text() == CONFIGS[case]  # nothing written
