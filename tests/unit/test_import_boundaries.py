"""The code's boundaries (`.importlinter`) hold, and break when a forbidden import is added; no
import circle among chalicelib's modules, counting imports inside functions."""

import ast
import os
import shutil
import subprocess
import sys

import pytest

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINT_IMPORTS = os.path.join(os.path.dirname(sys.executable), "lint-imports")


def _lint(project_dir: str) -> subprocess.CompletedProcess:
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=project_dir, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": project_dir}, timeout=120)


def _copy_of_the_code(tmp_path) -> str:
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "static", "locales", "templates")
    for folder in ("chalicelib", "devstack"):
        shutil.copytree(os.path.join(PROJECT_DIR, folder), copy / folder, ignore=ignore)
    shutil.copy(os.path.join(PROJECT_DIR, ".importlinter"), copy / ".importlinter")
    return str(copy)


def test_every_boundary_contract_is_kept():
    """GIVEN the code as it is WHEN import-linter checks the contracts THEN all are kept."""
    result = _lint(PROJECT_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("module, forbidden_import, contract", [
    ("chalicelib/audience/service.py", "from chalicelib.campaigns import campaigns", "audience does not import campaigns"),
    ("chalicelib/delivery/render.py", "from chalicelib import web", "Delivery imports no web code"),
    ("chalicelib/campaigns/service.py", "from chalicelib import composition", "use the composition"),
    ("chalicelib/http.py", "from chalicelib.accounts import web", "Platform modules import no domain"),
    ("chalicelib/config.py", "import devstack.devtools", "local stage's tools"),
])
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, forbidden_import, contract):
    """GIVEN a copy of the code with one forbidden import added WHEN the contracts are checked THEN
    that contract is reported broken, naming the import."""
    copy = _copy_of_the_code(tmp_path)
    with open(os.path.join(copy, module), "a", encoding="utf-8") as file:
        file.write(f"\n\ndef _added():\n    {forbidden_import}\n")
    result = _lint(copy)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout


def _imports_of_every_module() -> dict[str, set[str]]:
    modules = {}
    for folder, _dirs, files in os.walk(os.path.join(PROJECT_DIR, "chalicelib")):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                module = os.path.relpath(path, PROJECT_DIR)[:-3].replace(os.sep, ".").removesuffix(".__init__")
                modules[module] = path
    graph = {}
    for module, path in modules.items():
        imported = set()
        for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):  # inside functions too
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                if name == "app":
                    imported.add(name)
                while name and name not in modules:
                    name = name.rpartition(".")[0]
                if name and name != module:
                    imported.add(name)
        graph[module] = imported
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    return circles


def test_no_import_circle_among_chalicelib_modules():
    """GIVEN every chalicelib module's imports, also those inside functions THEN none leads back to itself."""
    assert _circles(_imports_of_every_module()) == []


def _routes_importers(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((module, other) for module, imported in graph.items() for other in imported
                  if other == "app" or other.endswith(".routes"))


def test_nothing_in_chalicelib_imports_app_or_any_routes():
    """GIVEN every chalicelib module's imports THEN none is of app.py or of a domain's routes: only
    app.py registers the blueprints."""
    assert _routes_importers(_imports_of_every_module()) == []


def test_an_import_of_another_domains_routes_is_found():
    """GIVEN a made-up graph where a service imports another domain's routes THEN it is named."""
    graph = {"chalicelib.audience.service": {"chalicelib.campaigns.routes"}, "chalicelib.campaigns.routes": set()}
    assert _routes_importers(graph) == [("chalicelib.audience.service", "chalicelib.campaigns.routes")]


def test_a_circle_is_found_when_there_is_one():
    """GIVEN a made-up graph with a circle THEN the circle check finds it."""
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
