"""No import cycles between modules (function-level imports included, `if TYPE_CHECKING:`
blocks left out since they never run), read from the source; features never import the
app's set-up and glue (create_app, wiring)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "confapp"
# The app's set-up and glue may import every feature; features never import them back
# (checked below), so they are left out of the package graph.
GLUE = {"confapp", "confapp.wiring", "confapp.models", "confapp.cli"}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _targets(node: ast.AST, here: str) -> list[str]:
    """The confapp modules an import statement loads (a `from a import b` of a submodule
    loads a.b; of a name, a)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name in MODULES]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        anchor = (
            here.split(".")[: -node.level]
            if not MODULES[here].name == "__init__.py"
            else (here.split(".")[: len(here.split(".")) - node.level + 1])
        )
        base = ".".join([*anchor, *([base] if base else [])])
    found = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        if sub in MODULES:
            found.append(sub)
        elif base in MODULES:
            found.append(base)
    return found


def _imports(name: str) -> set[str]:
    found: set[str] = set()
    todo: list[ast.AST] = [ast.parse(MODULES[name].read_text())]
    while todo:
        node = todo.pop()
        found.update(_targets(node, name))
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                todo.extend(child.orelse)
            else:
                todo.append(child)
    found.discard(name)
    return found


GRAPH = {name: _imports(name) for name in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# confapp.jobs is a facade that reaches its engine lazily (the engine reads the facade's
# task table): the one cycle left, inside one package.
KNOWN = [["confapp.jobs", "confapp.jobs.engine", "confapp.jobs.runs"]]


def test_no_module_imports_itself_through_others():
    assert _cycles(GRAPH) == KNOWN


def test_features_never_import_the_glue():
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if module not in GLUE
        for target in targets
        if target in GLUE
    )
    assert wrong == []


def test_the_walk_sees_function_level_imports():
    # checkin.views imports the badge renderer inside a function; the walk must see such.
    assert GRAPH and all(isinstance(v, set) for v in GRAPH.values())
    lazy = [m for m, p in MODULES.items() if "    from confapp." in p.read_text()]
    assert lazy and any(GRAPH[m] for m in lazy)
