"""The package layout keeps its one direction: a stage imports only the stages before it."""

from __future__ import annotations

import ast
from pathlib import Path

import sales_sheets

PACKAGE = Path(sales_sheets.__file__).parent
FOUNDATION = {"errors", "config", "problems", "paths", "workspace", "text", "status", "files"}
STAGES = ["formats", "forms", "rules", "kinds", "ledger", "documents", "reports", "intake",
          "addin", "service"]
TOP = {"api", "cli", "demo", "__main__"}


def _imported(path: Path) -> set[str]:
    """The first-level sales_sheets names (package or module) that `path` imports."""
    module = path.relative_to(PACKAGE).with_suffix("").parts
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(module[:-1])[: len(module) - node.level]
                parts = base + (node.module.split(".") if node.module else [])
                names = parts[:1] or [alias.name for alias in node.names]
            elif node.module and node.module.startswith("sales_sheets."):
                names = node.module.split(".")[1:2]
            else:
                continue
            found.update(names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names
                         if a.name.startswith("sales_sheets."))
    return found


def _allowed(owner: str) -> set[str]:
    if owner in FOUNDATION:
        return FOUNDATION | {"forms"}  # problems names a form field's type, under TYPE_CHECKING
    if owner in TOP:
        return FOUNDATION | set(STAGES) | TOP
    return FOUNDATION | set(STAGES[: STAGES.index(owner) + 1])


def test_every_stage_imports_only_what_comes_before_it() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        owner = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if owner == "__init__":
            continue
        for name in _imported(path) - _allowed(owner):
            wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert wrong == []


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
