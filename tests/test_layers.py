"""The project's packages depend on one another in one direction only: each may import the ones listed
before it, never one after it. `duties` builds on `agencies`, `search` indexes both, `ingest` proposes
changes to both, `api` serves them all, and `portal` (the project: settings, the public site, the
synthetic generator) composes everything. Imports inside functions count too."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["freshness", "agencies", "duties", "search", "ingest", "api", "portal"]


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(LAYERS)


@pytest.mark.parametrize("package", LAYERS)
def test_a_package_imports_none_of_the_packages_above_it(package):
    above = set(LAYERS[LAYERS.index(package) + 1:])
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & above)
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and imported_packages(path) & above
    }
    assert wrong == {}


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from duties.models import Duty\n    import search.engine\n")
    assert imported_packages(module) == {"duties", "search"}
