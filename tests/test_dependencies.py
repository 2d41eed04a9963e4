"""Every third-party module the library imports is declared in pyproject's `dependencies`, so an
install without the dev extra still runs (python-docx and Jinja2 once came only with it)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import sales_sheets

PACKAGE = Path(sales_sheets.__file__).parent
PYPROJECT = PACKAGE.parent / "pyproject.toml"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_top_level(package: Path) -> set[str]:
    """The top-level modules `package` imports from outside itself and the standard library,
    anywhere in a file (lazy imports inside functions count)."""
    found: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    # _typeshed: the type checkers' own standard-library stubs, imported under TYPE_CHECKING.
    return found - set(sys.stdlib_module_names) - {package.name, "_typeshed"}


def declared_dependencies() -> set[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    names = (re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec) for spec in project["dependencies"])
    return {_canonical(name.group()) for name in names if name}


def test_every_imported_third_party_module_is_a_declared_dependency() -> None:
    imported = imported_top_level(PACKAGE)
    assert {"docx", "docxtpl", "jinja2", "openpyxl", "watchdog"} <= imported  # the scan works
    distributions = packages_distributions()
    declared = declared_dependencies()
    undeclared = {module: distributions.get(module, []) for module in sorted(imported)
                  if not {_canonical(d) for d in distributions.get(module, [])} & declared}
    assert undeclared == {}
