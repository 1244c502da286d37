"""The layout's rules, checked statically from the source so they cannot erode unnoticed:
widget -> core -> policy and sandbox -> policy, no cycle, no module over ~400 lines."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "xacct_widgets"
MAX_LINES = 420  # "about 400": a little slack for a docstring, never a second job


def _modules(package: Path = PACKAGE) -> dict[str, Path]:
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom, modules: dict[str, Path]) -> str:
    if not node.level:
        return node.module or ""
    is_package = modules[module].name == "__init__.py"
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports(
    module: str,
    *,
    top_level_only: bool,
    modules: dict[str, Path] | None = None,
) -> set[str]:
    """Modules imported by ``module``; top-level only skips function bodies and TYPE_CHECKING."""
    modules = MODULES if modules is None else modules
    tree = ast.parse(modules[module].read_text())
    nodes: list[ast.AST] = list(tree.body) if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node, modules)
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _in_layer(layer: str) -> list[str]:
    return [m for m in MODULES if m == layer or m.startswith(layer + ".")]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_size(module: str) -> None:
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it by job"


def _boto3_imports(module: str, modules: dict[str, Path] | None = None) -> set[str]:
    """What ``module`` imports of boto3/botocore anywhere: function bodies and TYPE_CHECKING
    too (a widget names a session as core's ``AwsSession``)."""
    imported = _imports(module, top_level_only=False, modules=modules)
    return {i for i in imported if i.split(".")[0] in {"boto3", "botocore"}}


@pytest.mark.parametrize("module", _in_layer("xacct_widgets.widgets"))
def test_widgets_never_touch_boto3(module: str) -> None:
    assert not _boto3_imports(module)


def test_the_boto3_ban_sees_every_import(tmp_path: Path) -> None:
    """Proof the ban can fail: an import for typing, in a function body, or at the top."""
    pkg = tmp_path / "tiny"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "typed.py").write_text(
        "import typing\nif typing.TYPE_CHECKING:\n    import boto3\n"
        "def f(s: 'boto3.Session') -> None: ...\n"
    )
    (pkg / "late.py").write_text("def f() -> None:\n    from botocore.config import Config\n")
    (pkg / "eager.py").write_text(
        "from typing import TYPE_CHECKING\nimport boto3\nif TYPE_CHECKING:\n    pass\n"
    )
    modules = _modules(pkg)
    assert _boto3_imports("tiny.typed", modules) == {"boto3"}
    assert _boto3_imports("tiny.late", modules)
    assert _boto3_imports("tiny.eager", modules) == {"boto3"}


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


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the package's modules it imports anywhere: top level, inside functions and
    under ``if TYPE_CHECKING:`` (a typing-only import is still a dependency of the design)."""
    graph = {
        m: {i for i in _imports(m, top_level_only=False, modules=modules) if i in modules}
        for m in modules
    }
    # A module importing its own package (``from . import x`` resolves to the package first)
    # is not a cycle of jobs.
    return {m: {t for t in ts if t != m and not m.startswith(t + ".")} for m, ts in graph.items()}


def import_cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm): every
    module of a group reaches every other, so each group is one or more cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = stack[stack.index(node) :]
            del stack[stack.index(node) :]
            if len(group) > 1:
                found.append(frozenset(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles() -> None:
    cycles = [sorted(c) for c in import_cycles(import_graph(MODULES))]
    assert not cycles, f"import cycles: {cycles}"


def test_the_cycle_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    """Proof the check can fail: a tiny package whose cycle hides in a function body and under
    TYPE_CHECKING, which a top-level-only reading misses."""
    pkg = tmp_path / "tiny"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("def late() -> None:\n    from .c import thing\n")
    (pkg / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import x\n"
    )
    (pkg / "d.py").write_text("from . import a\n")  # on no cycle
    modules = _modules(pkg)
    assert import_cycles(import_graph(modules)) == [frozenset({"tiny.a", "tiny.b", "tiny.c"})]
    top_level = {
        m: {i for i in _imports(m, top_level_only=True, modules=modules) if i in modules}
        for m in modules
    }
    assert import_cycles(top_level) == []
