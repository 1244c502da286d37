"""The layout's rules, checked statically from the source so they cannot erode unnoticed:
widget -> core -> policy and sandbox -> policy, no cycle, no module over ~400 lines."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "xacct_widgets"
MAX_LINES = 420  # "about 400": a little slack for a docstring, never a second job


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports(module: str, *, top_level_only: bool) -> set[str]:
    """Modules imported by ``module``; top-level only skips function bodies and TYPE_CHECKING."""
    tree = ast.parse(MODULES[module].read_text())
    nodes: list[ast.AST] = list(tree.body) if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _in_layer(layer: str) -> list[str]:
    return [m for m in MODULES if m == layer or m.startswith(layer + ".")]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_size(module: str) -> None:
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it by job"


@pytest.mark.parametrize("module", _in_layer("xacct_widgets.widgets"))
def test_widgets_never_touch_boto3(module: str) -> None:
    imported = _imports(module, top_level_only=False)
    assert not {i for i in imported if i.split(".")[0] in {"boto3", "botocore"}}


@pytest.mark.parametrize("module", _in_layer("xacct_widgets.core"))
def test_core_never_imports_widgets(module: str) -> None:
    imported = _imports(module, top_level_only=False)
    bad = {"ipywidgets", "traitlets", "xacct_widgets.widgets", "xacct_widgets.sandbox"}
    assert not {i for i in imported if i.split(".")[0] in bad or i.startswith(tuple(bad))}


@pytest.mark.parametrize("module", _in_layer("xacct_widgets.policy"))
def test_policy_is_pure_python(module: str) -> None:
    for imported in _imports(module, top_level_only=False):
        root = imported.split(".")[0]
        if root == "xacct_widgets":
            assert imported.startswith(("xacct_widgets.policy", "xacct_widgets.errors")), imported
        else:
            assert root in sys.stdlib_module_names or root == "__future__", imported


def test_no_import_cycles() -> None:
    graph = {
        m: {i for i in _imports(m, top_level_only=True) if i in MODULES and i != m} for m in MODULES
    }
    # A package's __init__ re-exporting its own modules is not a cycle of jobs.
    for module, targets in graph.items():
        graph[module] = {t for t in targets if not module.startswith(t + ".")}
    seen: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for module in sorted(graph):
        if module not in seen:
            visit(module)
