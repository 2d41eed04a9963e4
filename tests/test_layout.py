"""The package layout keeps its one direction: a stage imports only the stages before it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sales_sheets

PACKAGE = Path(sales_sheets.__file__).parent
FOUNDATION = {"errors", "config", "problems", "paths", "workspace", "text", "status", "files",
              "services"}
# Lowest first; the stages of one tier are siblings that may not import each other ("|" in
# pyproject's layers).
TIERS = [("formats", "channels"), ("forms",), ("calendar",), ("rules",), ("kinds",), ("ledger",),
         ("notify",), ("documents",), ("reports",), ("schedule",), ("intake",),
         ("addin", "service")]
STAGES = [stage for tier in TIERS for stage in tier]
TOP = {"api", "cli", "demo", "__main__"}


def _imported(path: Path) -> set[str]:
    """The first-level sales_sheets names (package or module) that `path` imports."""
    module = path.relative_to(PACKAGE).with_suffix("").parts
    return _imported_by(path.read_text(encoding="utf-8"), module)


def _imported_by(source: str, module: tuple[str, ...]) -> set[str]:
    """The first-level sales_sheets names that `source`, the module at `module` (its parts below
    the package), imports: relative or absolute, `import` or `from ... import`, the package's
    name alone (`from sales_sheets import intake`) or a module's inside it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(module[:-1])[: len(module) - node.level]
                parts = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == "sales_sheets":
                parts = node.module.split(".")[1:]
            else:
                continue
            found.update(parts[:1] or [alias.name for alias in node.names])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names
                         if a.name.startswith("sales_sheets."))
    return found


def _allowed(owner: str) -> set[str]:
    if owner in FOUNDATION:
        return FOUNDATION | {"forms"}  # problems names a form field's type, under TYPE_CHECKING
    if owner in TOP:
        return FOUNDATION | set(STAGES) | TOP
    tier = next(i for i, stages in enumerate(TIERS) if owner in stages)
    return FOUNDATION | {owner} | {stage for stages in TIERS[:tier] for stage in stages}


def test_every_stage_imports_only_what_comes_before_it() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        owner = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if owner == "__init__":
            continue
        for name in _imported(path) - _allowed(owner):
            wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert wrong == []


@pytest.mark.parametrize(("module", "source"), [
    (("forms", "reader"), "from sales_sheets import intake"),
    (("forms", "reader"), "from sales_sheets import config, intake"),
    (("forms", "reader"), "import sales_sheets.intake as x"),
    (("forms", "reader"), "import sales_sheets.intake.ingest"),
    (("forms", "reader"), "from sales_sheets.intake import ingest"),
    (("forms", "reader"), "from sales_sheets.intake.ingest import ingest_file"),
    (("forms", "reader"), "from .. import intake"),
    (("forms", "reader"), "from ..intake import ingest"),
    (("forms", "reader"), "from ..intake.ingest import ingest_file as f"),
    (("forms", "kinds", "base"), "from ... import intake"),
    (("config",), "from . import intake"),
    (("config",), "from .intake import ingest"),
    (("forms", "reader"), "if TYPE_CHECKING:\n    from sales_sheets import intake"),
    (("forms", "reader"), "def f() -> None:\n    from sales_sheets import intake"),
])
def test_the_checker_sees_every_form_of_import(module: tuple[str, ...], source: str) -> None:
    assert "intake" in _imported_by(source, module)


@pytest.mark.parametrize(("module", "source"), [
    (("forms", "reader"), "from . import grid"),
    (("forms", "reader"), "from .grid import Grid"),
    (("forms", "reader"), "import sales_sheets_intake"),
    (("forms", "reader"), "from sales_sheets_intake import x"),
])
def test_the_checker_sees_no_stage_where_there_is_none(module: tuple[str, ...],
                                                       source: str) -> None:
    assert _imported_by(source, module) <= {"forms"}


def test_every_package_says_its_job_and_what_it_may_import() -> None:
    for package in [PACKAGE, *(PACKAGE / stage for stage in STAGES)]:
        doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
        assert doc, package
        if package != PACKAGE:
            assert "May import" in doc, package


def test_tests_share_helpers_not_each_other() -> None:
    tests = Path(__file__).parent
    borrowed = []
    for path in sorted(tests.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                leaf = node.module.removeprefix("tests.").split(".")[0]
                if leaf.startswith("test_") or leaf == "conftest":
                    borrowed.append(f"{path.name} imports {node.module}")
    assert borrowed == []
