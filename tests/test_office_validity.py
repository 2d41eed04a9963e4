"""Every Office file the product writes passes an independent validator, so that Word and Excel
open it without repair.

openxml-audit checks a package against the Open XML SDK's schema data and the cases that make
Word or Excel repair a file. The outputs are made by the real library on the demo's data, in
each language; then every .docx, .xlsx and .xlam in the workspace's outbox and templates (and
the few written elsewhere) is checked: an output kind added later is checked as soon as a step
below produces it. A finding is a fault unless `_EXPLAINED` says why it is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openxml_audit import OpenXmlValidator, ValidationError

from sales_sheets.addin.build import build_addin
from sales_sheets.addin.preview import preview_contract
from sales_sheets.api import (
    release_order,
    run_demo,
    write_report,
    write_statements,
    write_template,
)
from sales_sheets.demo import ORDERS
from sales_sheets.forms.template import write_form
from sales_sheets.kinds import KINDS
from sales_sheets.ledger.approvals import latest_document
from sales_sheets.ledger.database import ledger_of
from sales_sheets.workspace import Workspace, init_workspace

from .helpers.config import configure

_OFFICE = {".docx", ".xlsx", ".xlam"}
# Inputs, not outputs: the forms the demo drops in, and the originals archived after intake.
_INPUTS = {"inbox", "archive"}


@dataclass(frozen=True)
class _Explained:
    """Findings that are not faults: of files under `where`, in parts matching `part`, with
    finding id `finding` (openxml-audit's) and node in `nodes`."""

    where: str
    part: str
    finding: str
    nodes: frozenset[str]


_EXPLAINED = (
    # Annotated copies are the user's workbook (never our own layout), edited in its package
    # (formats/xlsx_edit.py) or rewritten by openpyxl. Both write fonts whose children are not
    # in the order the Open XML SDK's data model expects (openpyxl: name, family, color, sz, b,
    # ...), which models CT_Font as a sequence; ECMA-376 Part 1 (sml.xsd, transitional and
    # strict) declares it `xsd:choice maxOccurs="unbounded"`, any order: valid, and Excel
    # opens openpyxl's files without repair.
    _Explained("outbox/rejected/", r"/xl/styles\.xml", "",
               frozenset({"b", "i", "u", "color", "sz", "name", "family", "scheme"})),
    # openpyxl 3.1, in the copies it rewrites (marked before, or not xlsx), writes every
    # string as an inline string (t="inlineStr", ECMA-376 18.3.1.4), valid. Excel moves them
    # into a shared-string table when it saves the file; it does not repair it. (The sheets
    # xlsx_edit.py adds use the shared-string table.)
    _Explained("outbox/rejected/", r"/xl/worksheets/sheet\d+\.xml", "Excel_InlineStrCells",
               frozenset({"c"})),
    # The summary workbook writes inline strings on purpose: why, measured, is in
    # sales_sheets/formats/xlsx_rows.py. The appraisal is written in its frame (reports/sheet.py).
    _Explained("outbox/reports/", r"/xl/worksheets/sheet\d+\.xml", "Excel_InlineStrCells",
               frozenset({"c"})),
    _Explained("outbox/appraisal/", r"/xl/worksheets/sheet\d+\.xml", "Excel_InlineStrCells",
               frozenset({"c"})),
)


def _explanations(relative: str, finding: ValidationError) -> list[_Explained]:
    return [e for e in _EXPLAINED if relative.startswith(e.where)
            and re.fullmatch(e.part, finding.part_uri) and finding.id == e.finding
            and finding.node in e.nodes]


@pytest.fixture(scope="module", params=["zh", "en"])
def outputs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[Path, list[Path]]]:
    """(the workspace root, the Office files written) after every kind of output is made."""
    language: str = request.param
    root = tmp_path_factory.mktemp(f"office-{language}")
    workspace = configure(init_workspace(root / "ws"), documents={"pdf": False},
                          language=language)
    demo = run_demo(workspace)  # contracts, approval requests, annotated copies, reports
    with ledger_of(workspace).connect() as conn:
        held = next(r.document for r in demo.results if r.status == "held"
                    and (latest := latest_document(conn, r.document)) is not None
                    and latest["status"] == "held")
    release_order(workspace, held, "SP-2026-1")  # a contract written on release
    write_statements(workspace, "2026-Q4", include_all=True)  # statements and letters
    write_report(workspace, "2026-11")
    write_report(workspace, "2026")
    for kind in KINDS:
        write_template(workspace, kind)
    build_addin(workspace.outbox / "addin" / "sales_sheets.xlam", language)
    elsewhere = [_preview(workspace, root)]
    workspace.services.close()
    yield workspace.root, sorted(_office_files(workspace.root)) + elsewhere


def _preview(workspace: Workspace, root: Path) -> Path:
    """The add-in's contract preview of an order (written to a temporary folder)."""
    name, data = next(iter(ORDERS.items()))
    order = write_form(root / "preview" / Path(name).name, KINDS["order"], workspace.language,
                       data=data)
    preview = preview_contract(workspace, order, name.split("/")[0])
    assert preview.docx is not None, preview.check.problems
    return preview.docx


def _office_files(root: Path) -> Iterator[Path]:
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if path.suffix in _OFFICE and relative.parts[0] not in _INPUTS:
            yield path


def _label(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name


@pytest.fixture(scope="module")
def findings(outputs: tuple[Path, list[Path]]) -> list[tuple[str, ValidationError]]:
    """(file, finding) of every finding of the validator in every output."""
    root, paths = outputs
    validator = OpenXmlValidator(max_errors=0)
    return [(_label(root, path), finding)
            for path in paths for finding in validator.validate(path).errors]


def test_every_kind_of_output_is_made(outputs: tuple[Path, list[Path]]) -> None:
    # So the validity test below cannot pass by checking nothing.
    root, paths = outputs
    labels = [_label(root, path) for path in paths]
    folders = {label.split("/")[1] for label in labels if label.startswith("outbox/")}
    assert folders == {"contracts", "statements", "rejected", "reports", "addin", "approvals",
                       "invoices", "quotes", "appraisal"}
    assert len([label for label in labels if label.startswith("outbox/reports/")]) == 2
    assert {p.name for p in paths if p.parent == root / "templates"} == {
        "contract.docx", "statement_letter.docx", "quote.docx",
        *(f"{name}.xlsx" for name in KINDS)}
    assert {p.suffix for p in paths if "statements" in p.parts} == {".xlsx", ".docx"}
    assert paths[-1].stem.endswith(("-草稿", "-draft"))  # the add-in's contract preview


def test_every_output_is_valid_office_open_xml(
        findings: list[tuple[str, ValidationError]]) -> None:
    unexplained = [(label, f.part_uri, f.node, f.id, f.description) for label, f in findings
                   if not _explanations(label, f)]
    assert unexplained == []


def test_every_explanation_is_still_needed(findings: list[tuple[str, ValidationError]]) -> None:
    # Once a library or our own writer stops producing a finding, its entry goes.
    used = {e for label, f in findings for e in _explanations(label, f)}
    assert used == set(_EXPLAINED)
