"""The shared widget framework: tables, error boxes, layering rules, the package surface."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pandas as pd
import pytest

from xacct_widgets.core.switch import RoleSwitcher
from xacct_widgets.core.target import RoleSpec
from xacct_widgets.errors import SwitchDenied, XacctError
from xacct_widgets.widgets import CreateRoleWizard, SwitchRoleWizard
from xacct_widgets.widgets.base import error_html, html_table

WIDGETS = pathlib.Path(__file__).parents[2] / "xacct_widgets" / "widgets"


def test_html_table_is_plain_escaped_and_stable():
    frame = pd.DataFrame({"name": ["<script>alert(1)</script>"], "arns": [["a", "b"]]})
    first, second = html_table(frame), html_table(frame)
    assert first == second  # no random ids (unlike pandas Styler)
    assert 'class="dataframe xacct-table"' in first
    assert "<script>" not in first and "&lt;script&gt;" in first
    assert "<td>a, b</td>" in first
    assert "T_" not in first
    assert "nothing here" in html_table(frame.iloc[0:0], empty="nothing here")


def test_error_html_for_xacct_errors_shows_message_reasons_and_fix():
    err = SwitchDenied("Denied <b>you</b>.", fix="Ask for access.", reasons=("no policy", "x"))
    box = error_html(err)
    assert "Denied &lt;b&gt;you&lt;/b&gt;." in box
    assert "<li>no policy</li>" in box and "<b>Fix:</b> Ask for access." in box


def test_error_html_masks_key_ids_and_tokens():
    box = error_html(
        XacctError("Key AKIAIOSFODNN7EXAMPLE failed at https://x/?SigninToken=abcdef&a=1", fix=None)
    )
    assert "AKIAIOSFODNN7EXAMPLE" not in box and "****MPLE" in box
    assert "abcdef" not in box


def test_error_html_for_other_errors_is_short():
    box = error_html(ValueError("secret internals"), doing="planning")
    assert "Something unexpected went wrong while planning: ValueError" in box
    assert "secret internals" not in box


def test_package_exports_and_lazy_import():
    import xacct_widgets.widgets as widgets

    assert widgets.__all__ == [
        "CreateRoleWizard",
        "QueryPanel",
        "RoleExportPanel",
        "RoleSwitcherBar",
        "SwitchRoleWizard",
        "WhoMaySwitchWizard",
    ]
    assert widgets.CreateRoleWizard.__module__ == "xacct_widgets.widgets.create_role"
    with pytest.raises(AttributeError):
        widgets.Nope  # noqa: B018
    code = "import sys, xacct_widgets.widgets; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_widgets_make_no_aws_calls_of_their_own():
    """Only core calls: no boto3 client/resource, no botocore, in the widget layer."""
    for path in WIDGETS.glob("*.py"):
        text = path.read_text()
        assert not re.search(r"\.(client|resource)\(", text), path.name
        assert "botocore" not in text, path.name


def test_core_never_imports_ipywidgets():
    core = WIDGETS.parent / "core"
    for path in core.glob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+ipywidgets", path.read_text(), re.M), path.name


def test_long_reprs_are_not_cut(fresh_sandbox):
    spec = RoleSpec(name="a-rather-long-role-name-" + "x" * 40, trusted_account="987654329876")
    wizard = CreateRoleWizard(fresh_sandbox.session("target", "admin"), spec=spec)
    text = repr(wizard)
    assert len(text) > 110 and wizard._repr_mimebundle_()["text/plain"] == text


def test_prefill_keeps_unusual_session_length(fresh_sandbox):
    spec = RoleSpec(name="r", trusted_account="987654329876", max_session_duration=5400)
    wizard = CreateRoleWizard(fresh_sandbox.session("target", "admin"), spec=spec)
    assert wizard.max_session.value == 5400 and wizard.spec.max_session_duration == 5400


def test_switch_wizard_from_a_shared_switcher(fresh_sandbox):
    switcher = RoleSwitcher(fresh_sandbox.session("source", "operator"), history=":memory:")
    wizard = SwitchRoleWizard(switcher=switcher)
    assert wizard.switcher is switcher and wizard.identity.name == "operator"
    with pytest.raises(XacctError, match="needs a session or a switcher"):
        SwitchRoleWizard()
