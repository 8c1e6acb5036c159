"""No module reaches into another's privates: what pages share (the page decorator, rendering an
app page, redirects) is public API in `chalicelib.accounts.page_routes`."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def private_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(("chalicelib", "devstack")):
            found += [f"{path.relative_to(ROOT)}: {node.module}.{alias.name}" for alias in node.names
                      if alias.name.startswith("_") and not alias.name.startswith("__")]
    return found


def test_no_module_imports_a_private_name_of_another():
    # GIVEN every module of the app, its local tools and its entry point
    modules = [*ROOT.glob("chalicelib/**/*.py"), *ROOT.glob("devstack/**/*.py"), ROOT / "app.py"]
    # WHEN their imports are read
    offending = [line for module in modules for line in private_imports(module)]
    # THEN none names an underscored (private) name of another module
    assert offending == []
