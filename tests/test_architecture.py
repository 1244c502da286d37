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


# -- the sandbox: every moto patch in one package, its layers pointing one way --------------------
SANDBOX = "xacct_widgets.sandbox"
MOTO_INTEGRATION = f"{SANDBOX}.moto_integration"


def _moto_names(tree: ast.AST) -> set[str]:
    """The local names bound to moto by an import anywhere in the module (``import moto.x``
    binds ``moto``; ``from moto.iam import models`` binds ``models``; ``as`` names too)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "moto":
                    names.add(alias.asname or "moto")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "moto":
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def moto_patches_in(module: str, modules: dict[str, Path] | None = None) -> list[str]:
    """Where ``module`` changes moto: an assignment to an attribute of a moto module or class
    (``FakeBucket.get_permission = ...``, ``settings.X, Mixin.y = saved``), or ``setattr`` /
    ``delattr`` on one; as ``line: source``."""
    path = (MODULES if modules is None else modules)[module]
    tree = ast.parse(path.read_text())
    moto = _moto_names(tree)
    found: list[str] = []

    def targets(node: ast.AST) -> list[ast.AST]:
        if isinstance(node, ast.Assign):
            return list(node.targets)
        if isinstance(node, ast.AugAssign | ast.AnnAssign):
            return [node.target]
        return []

    for node in ast.walk(tree):
        patched: list[ast.AST] = []
        for target in targets(node):
            patched += target.elts if isinstance(target, ast.Tuple) else [target]
        patched = [t for t in patched if isinstance(t, ast.Attribute)]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("setattr", "delattr")
            and node.args
        ):
            patched.append(node.args[0])
        for target in patched:
            if _root_name(target) in moto:
                found.append(f"{node.lineno}: {ast.unparse(node).splitlines()[0]}")
    return found


@pytest.mark.parametrize(
    "module", [m for m in MODULES if m != MOTO_INTEGRATION and not m.startswith(MOTO_INTEGRATION)]
)
def test_moto_is_patched_only_in_the_moto_integration(module: str) -> None:
    assert not moto_patches_in(module), f"{module} patches moto outside {MOTO_INTEGRATION}"


def test_the_moto_patch_check_can_fail(tmp_path: Path) -> None:
    pkg = tmp_path / "tiny"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "assigns.py").write_text(
        "import moto.iam.models\nmoto.iam.models.get_account_id_from = len\n"
    )
    (pkg / "late.py").write_text(
        "def install() -> None:\n    from moto.s3.models import FakeBucket as B\n"
        "    setattr(B, 'get_permission', print)\n"
    )
    (pkg / "pair.py").write_text(
        "from moto import settings\nfrom moto.core.authorization import ActionAuthenticatorMixin\n"
        "settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = 0, 0\n"
    )
    (pkg / "reads.py").write_text(
        "from moto.iam.models import iam_backends\nclass C:\n    pass\n"
        "def f(user: object) -> None:\n    C.x = iam_backends\n    user.name = 'x'\n"
    )
    modules = _modules(pkg)
    assert moto_patches_in("tiny.assigns", modules)
    assert moto_patches_in("tiny.late", modules)
    assert moto_patches_in("tiny.pair", modules)
    assert moto_patches_in("tiny.reads", modules) == []  # reading moto, writing its state: fine


#: What each part of the sandbox may import of the others: handle <- server; the WSGI stack ->
#: console, moto integration -> decision -> the ground (accounts, clock, sessions, remote).
SANDBOX_LAYERS: dict[str, set[str]] = {
    "ground": set(),
    "handle": {"ground"},
    "decision": {"ground"},
    "moto_integration": {"ground", "decision"},
    "console": {"ground"},
    "wsgi": {"ground", "console", "moto_integration"},
    "seed": {"ground", "moto_integration"},
    "canary": {"ground"},
    "credential_process": {"ground", "handle"},
    "server": {
        "ground",
        "handle",
        "decision",
        "moto_integration",
        "console",
        "wsgi",
        "seed",
        "canary",
    },
}
_GROUND = {"accounts", "clock", "sessions", "remote"}


def sandbox_part(module: str) -> str | None:
    """The part of the sandbox ``module`` belongs to; None for the package's lazy front
    (``__init__``, which names ``Sandbox`` for ``xw.Sandbox``) and modules outside it."""
    if not module.startswith(SANDBOX + "."):
        return None
    first = module.removeprefix(SANDBOX + ".").split(".")[0]
    return "ground" if first in _GROUND else first


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import between two parts of the sandbox that :data:`SANDBOX_LAYERS` does not allow."""
    found = []
    for module, imported in sorted(graph.items()):
        part = sandbox_part(module)
        if part is None:
            continue
        if part not in SANDBOX_LAYERS:
            found.append(f"{module}: a new part of the sandbox; place it in SANDBOX_LAYERS")
            continue
        for target in sorted(imported):
            other = sandbox_part(target)
            if other is not None and other != part and other not in SANDBOX_LAYERS[part]:
                found.append(f"{module} ({part}) imports {target} ({other})")
    return found


def test_the_sandbox_imports_point_one_way() -> None:
    assert not layer_violations(import_graph(MODULES))


def test_the_layer_check_can_fail() -> None:
    """Edges the old flat sandbox had (the stack's front and the console importing the moto
    patches, the decision reaching for the clock's HTTP side) are refused; moto patches are
    seen where they live."""
    graph = {
        f"{SANDBOX}.decision.enforce": {f"{SANDBOX}.wsgi.stack", f"{SANDBOX}.sessions"},
        f"{SANDBOX}.console.app": {f"{MOTO_INTEGRATION}.patches"},
        f"{MOTO_INTEGRATION}.patches": {f"{SANDBOX}.decision.enforce"},
        f"{SANDBOX}.handle": {f"{SANDBOX}.server"},
        f"{SANDBOX}.newpart": set(),
    }
    assert layer_violations(graph) == [
        f"{SANDBOX}.console.app (console) imports {MOTO_INTEGRATION}.patches (moto_integration)",
        f"{SANDBOX}.decision.enforce (decision) imports {SANDBOX}.wsgi.stack (wsgi)",
        f"{SANDBOX}.handle (handle) imports {SANDBOX}.server (server)",
        f"{SANDBOX}.newpart: a new part of the sandbox; place it in SANDBOX_LAYERS",
    ]
    for module in ("patches", "catalog", "state"):
        assert moto_patches_in(f"{MOTO_INTEGRATION}.{module}"), module


# -- one constant per rule ------------------------------------------------------------------------
LIMITS = "xacct_widgets.aws_limits"


def rule_literals(module: str, modules: dict[str, Path] | None = None) -> list[str]:
    """Limits written again instead of read from :mod:`xacct_widgets.aws_limits`: the session
    ceiling 43200 as a number, IAM's name characters in a regular expression."""
    tree = ast.parse((MODULES if modules is None else modules)[module].read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and type(node.value) is int and node.value == 43200:
            found.append(f"{node.lineno}: 43200")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "compile"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and "+=,.@-" in str(node.args[0].value)
        ):
            found.append(f"{node.lineno}: {node.args[0].value}")
    return found


@pytest.mark.parametrize("module", [m for m in MODULES if m != LIMITS])
def test_each_limit_is_written_once(module: str) -> None:
    assert not rule_literals(module), f"{module}: read the limit from {LIMITS}"


def test_the_limit_check_can_fail(tmp_path: Path) -> None:
    pkg = tmp_path / "tiny"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "again.py").write_text(
        "import re\nRANGE = (900, 43200)\nNAME = re.compile(r'[\\w+=,.@-]{1,64}', re.ASCII)\n"
    )
    (pkg / "reads.py").write_text("from xacct_widgets.aws_limits import SESSION_SECONDS_RANGE\n")
    modules = _modules(pkg)
    assert len(rule_literals("tiny.again", modules)) == 2
    assert rule_literals("tiny.reads", modules) == []


def test_the_limits_are_pure_python() -> None:
    for imported in _imports(LIMITS, top_level_only=False):
        assert imported.split(".")[0] in sys.stdlib_module_names | {"__future__"}, imported
