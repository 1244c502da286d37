"""The public API: one lazy-export table, agreeing with __all__ and the type-checking imports;
and imports that stay cheap (no moto for real AWS, no ipywidgets for core)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import xacct_widgets as xw

INIT = Path(xw.__file__)


def _type_checking_imports() -> dict[str, str]:
    """name -> module of every ``from .x import Name as Name`` under ``if TYPE_CHECKING:``."""
    tree = ast.parse(INIT.read_text())
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom) and stmt.level == 1, ast.dump(stmt)
                module = "xacct_widgets" + ("." + stmt.module if stmt.module else "")
                for alias in stmt.names:
                    assert alias.asname == alias.name, "re-export as the same name"
                    found[alias.name] = module
    return found


def test_all_table_and_type_checking_imports_agree() -> None:
    table = xw._EXPORTS
    assert sorted(xw.__all__) == sorted(table)
    assert len(set(xw.__all__)) == len(xw.__all__)
    assert _type_checking_imports() == table


@pytest.mark.parametrize("name", sorted(xw._EXPORTS))
def test_every_public_name_resolves_where_the_table_says(name: str) -> None:
    value = getattr(xw, name)
    assert value is getattr(importlib.import_module(xw._EXPORTS[name]), name)


@pytest.mark.parametrize(
    "name", ["ApplyFailed", "InvalidPolicy", "Throttled", "AwsError", "SandboxError"]
)
def test_errors_are_public_and_share_one_root(name: str) -> None:
    assert name in xw.__all__
    assert issubclass(getattr(xw, name), xw.XacctError)


def test_every_error_of_the_hierarchy_is_public() -> None:
    """A caller catches what it can name: each XacctError subclass is exported by ``xw``
    (RunbookFailed and GraphUnavailable once were not)."""
    import xacct_widgets.errors as errors

    defined = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.XacctError)
    }
    assert defined - set(xw.__all__) == set()


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_connection_does_not_import_moto() -> None:
    loaded = _modules_after(
        "import xacct_widgets.connection as c, xacct_widgets as xw\n"
        "import os, tempfile\n"
        "cfg = os.path.join(tempfile.mkdtemp(), 'config')\n"
        "open(cfg, 'w').write('[profile real]\\nregion = eu-west-1\\n')\n"
        "os.environ['AWS_CONFIG_FILE'] = cfg\n"
        "assert xw.connect('target', 'admin', profile='real').region_name == 'eu-west-1'"
    )
    assert "moto" not in loaded
    assert "xacct_widgets.sandbox.server" not in loaded


def test_core_and_policy_import_no_widget_toolkit() -> None:
    loaded = _modules_after(
        "import xacct_widgets.core.target, xacct_widgets.core.source, "
        "xacct_widgets.core.switch, xacct_widgets.core.query, xacct_widgets.core.trustmap, "
        "xacct_widgets.policy"
    )
    assert not {"ipywidgets", "traitlets", "moto"} & loaded


def test_policy_engine_is_pure() -> None:
    loaded = _modules_after("import xacct_widgets.policy")
    assert not {"boto3", "botocore", "pandas", "moto"} & loaded


def test_target_is_a_deprecated_name_for_query_target() -> None:
    """``xw.Target`` (a fan-out target) read like part A's ``TargetAccount``: it is
    ``xw.QueryTarget`` now, and the old name still works but warns."""
    assert "Target" not in xw.__all__ and "QueryTarget" in xw.__all__
    with pytest.warns(DeprecationWarning, match="use xacct_widgets.QueryTarget"):
        old = xw.Target
    assert old is xw.QueryTarget
    with pytest.warns(DeprecationWarning):
        from xacct_widgets import Target  # noqa: F401
