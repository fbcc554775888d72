"""Services carry no web machinery (checked on the source, function-level imports included,
`if TYPE_CHECKING:` blocks left out since they never run). Which package may import which
is tests/unit/test_import_cycles.py's (LAYERS)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "confapp"
# The request layer (views, API endpoints, commands) may use the web machinery; so may a
# package's further page modules, named *_views (accounts/team_views.py).
WEB_MODULES = {"views", "api", "cli", "demo"}
# The request plumbing itself (the lifecycle, bearer tokens, paging) is web machinery.
PLUMBING = {"web", "api"}
PACKAGES = sorted(
    p.name
    for p in PACKAGE.iterdir()
    if (p / "__init__.py").exists() and p.name not in PLUMBING | {"translations"}
)
WEB_NAMES = {"request", "abort", "url_for", "flash", "current_user", "redirect", "session"}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import that runs, at any depth."""
    found: list[tuple[str, list[str]]] = []
    todo: list[ast.AST] = [ast.parse(path.read_text())]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                todo.extend(child.orelse)
            else:
                todo.append(child)
    return found


def _layer_modules(package: str):
    for path in sorted((PACKAGE / package).glob("*.py")):
        if path.stem not in WEB_MODULES and not path.stem.endswith("_views"):
            yield path


def test_security_does_not_reach_into_event_services():
    imported = [module for module, _ in _imports(PACKAGE / "security.py")]
    assert "confapp.events.services" not in imported


@pytest.mark.parametrize("package", PACKAGES)
def test_services_have_no_web_machinery(package):
    wrong = []
    for path in _layer_modules(package):
        if path.stem in ("forms",):
            continue
        for module, names in _imports(path):
            used = WEB_NAMES.intersection(names)
            if module in ("flask", "flask_login") and used:
                wrong.append(f"{path.name}: {module} {sorted(used)}")
            if module in ("confapp.security", "confapp.web.lifecycle"):
                wrong.append(f"{path.name}: {module}")
    assert wrong == []
