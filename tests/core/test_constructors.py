"""Every public constructor that takes a session checks it before any call (one rule:
core.sessions.require_session), so a wrong argument is a clear InvalidInput, never a raw
AttributeError deep inside boto3."""

from __future__ import annotations

import pytest

import xacct_widgets as xw


@pytest.mark.parametrize("cls", ["TargetAccount", "SourceAccount", "RoleSwitcher", "Organization"])
@pytest.mark.parametrize("wrong", [None, "my-profile", 123456781234], ids=["None", "str", "int"])
def test_wrong_session_is_a_clear_error(cls: str, wrong: object) -> None:
    with pytest.raises(xw.InvalidInput, match=rf"^{cls} needs a boto3.Session, got ") as info:
        getattr(xw, cls)(wrong)
    assert info.value.fix and info.value.fix.startswith("Pass ")
