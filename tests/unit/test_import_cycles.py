"""Dependencies point one way, read from the source (function-level imports included,
`if TYPE_CHECKING:` blocks left out since they never run): no module imports itself through
others, no package (confapp/<package>, or a top-level module) imports itself through
others, and a package imports only packages of its own layer or the layers below (LAYERS);
features never import the app's set-up and glue (create_app, wiring)."""

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


def test_no_module_imports_itself_through_others():
    assert _cycles(GRAPH) == []


# The layers, lowest first: a package imports its own layer (without cycles, checked
# below) and the layers under it, never one above. Features that must reach up (release
# seats when a registration ends, say who a bearer token is) do it through a registry the
# lower package owns and the glue fills at start-up (registration.leave, the lifecycle's
# event loader, api.auth's token loader, accounts.places).
LAYERS: list[set[str]] = [
    # The ground: storage, errors, languages, links, signing, countries, PDFs, capacity.
    {
        "db",
        "migrate",
        "extensions",
        "errors",
        "i18n",
        "signing",
        "urls",
        "lazy",
        "multilingual",
        "countries",
        "country_groups",
        "pdf",
        "lookups",
        "capacity",
    },
    # Plumbing with pages of its own: e-mail, background jobs, the event log, and the
    # request lifecycle every feature's views go through (web) with the API's (api).
    {"mail", "jobs", "eventlog", "web", "api", "assets"},
    {"events", "security"},
    {"accounts"},
    {"registration"},
    # Features: each holds something for a registration.
    {
        "agenda",
        "visits",
        "meetings",
        "visa",
        "badges",
        "checkin",
        "comms",
        "analytics",
        "documents",
    },
    # Set-up and glue: the app factory, its wiring, the command line, the demo.
    {"confapp", "wiring", "models", "cli", "demo"},
]
LAYER_OF = {package: i for i, layer in enumerate(LAYERS) for package in layer}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "confapp"


PACKAGE_GRAPH: dict[str, set[str]] = {}
for _module, _targets_of in GRAPH.items():
    PACKAGE_GRAPH.setdefault(_package(_module), set()).update(
        _package(t) for t in _targets_of if _package(t) != _package(_module)
    )


def test_every_package_has_a_layer():
    assert sorted(set(PACKAGE_GRAPH) - set(LAYER_OF)) == []


def test_no_package_imports_itself_through_others():
    assert _cycles(PACKAGE_GRAPH) == []


def test_no_package_imports_a_layer_above_its_own():
    upward = {
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if LAYER_OF.get(_package(target), 0) > LAYER_OF.get(_package(module), 0)
    }
    assert sorted(upward) == []


def test_the_layer_check_would_see_an_upward_import():
    # events (layer 2) importing registration (layer 4) is what the check refuses.
    assert LAYER_OF["events"] < LAYER_OF["registration"] < LAYER_OF["checkin"]
    assert LAYER_OF["web"] < LAYER_OF["events"] < LAYER_OF["accounts"]


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
