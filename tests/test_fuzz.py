"""Fuzzing: damaged real workbooks through the real pipeline never crash it and never stall it.

Seeds are real files: every kind's blank template as `sales-sheets template KIND` writes it (with
drop-downs from the ledger), the demo's filled forms, an annotated copy of a rejected order, the
CSV export and the committed .xls/.ods fixtures. Hypothesis damages them at three levels
(tests/helpers/mutations.py): the bytes of the file, the zip's members (dropped, doubled, cut
short, renamed, odd compression methods, declared sizes they do not have) and the XML inside
(cell values, types and references, broken tags, entities, deep nesting, huge strings).

Each case goes through both entry points, on a real file in a real workspace: `check_workbook`
(the add-in's Validate) and then `process_inbox` (the watcher's and `process`'s path, which
stores, answers and archives). The case passes when both end in a decision, every problem has a
code and a message, neither needed the catch-all `internal_error` nor logged an error, the
two agree on the outcome, the inbox is drained, and each took at most a few seconds.

The normal suite runs a bounded, fixed (derandomised) set of cases per level. Run many more,
with fresh randomness, on demand:

    SALES_SHEETS_FUZZ=2000 python -m pytest -q tests/test_fuzz.py

(cases per level; a failing case is printed as a recipe and shrunk by Hypothesis, and it is
replayed first on the next run from `.hypothesis/`). Crashers found this way are kept as files in
tests/data/fuzz/ and replayed by tests/test_bad_files.py.
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales_sheets.api import check_workbook, write_template
from sales_sheets.demo import (
    CSV_ORDER,
    CUSTOMERS,
    ORDERS,
    PLANS,
    PRODUCTS,
    RECEIPTS,
    RETURN,
    SALESPEOPLE,
    VISITS,
)
from sales_sheets.forms.template import FormData, write_form
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.kinds import KINDS
from sales_sheets.problems import MESSAGES
from sales_sheets.status import Status
from sales_sheets.workspace import Workspace, init_workspace

from .helpers.config import configure
from .helpers.forms import drop
from .helpers.mutations import Mutated, byte_mutations, member_mutations, xml_mutations

try:
    import resource
except ImportError:  # Windows: cases run without a memory cap
    resource = None  # type: ignore[assignment]

DATA = Path(__file__).parent / "data"
ON_DEMAND = int(os.environ.get("SALES_SHEETS_FUZZ", "0"))
CASES = ON_DEMAND or 25
# A person waits for the answer, and a watcher serves everyone else meanwhile; generous on a
# loaded CI machine, and far below what an unbounded parse of a hostile file would take.
SECONDS = 8.0
FUZZ = settings(
    max_examples=CASES, deadline=None, derandomize=not ON_DEMAND,
    database=settings().database if ON_DEMAND else None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DECIDED = {Status.ACCEPTED, Status.HELD, Status.REJECTED, Status.DUPLICATE}


@contextmanager
def memory_cap(extra: int = 1536 << 20) -> Iterator[None]:
    """At most `extra` more address space while a case runs: a file that makes a reader
    allocate without bound then fails this test (or aborts pytest) instead of taking the
    machine's memory from everything else on it. Linux only; the soft limit is put back."""
    status = Path("/proc/self/status")
    if resource is None or not status.exists():
        yield
        return
    size = next(int(line.split()[1]) * 1024 for line in status.read_text().splitlines()
                if line.startswith("VmSize:"))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


class Errors(logging.Handler):
    """Collects what the library logs at ERROR or above: a caught crash is still a crash."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def fuzzed(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Workspace, dict[str, bytes]]]:
    """One loaded workspace for all cases (a fresh one per case would cost more than the
    case), and the seed files by name."""
    root = tmp_path_factory.mktemp("fuzz") / "ws"
    root.mkdir()
    ws = configure(init_workspace(root), documents={"pdf": False})
    drop(ws, "salespeople", "sp.xlsx", lines=SALESPEOPLE)
    drop(ws, "products", "pr.xlsx", lines=PRODUCTS)
    drop(ws, "customers", "cu.xlsx", lines=CUSTOMERS)
    assert [r.status for r in process_inbox(ws)] == ["accepted"] * 3
    seeds = _seeds(ws, tmp_path_factory.mktemp("seeds"))
    yield ws, seeds


def _seeds(ws: Workspace, folder: Path) -> dict[str, bytes]:
    seeds = {f"template_{kind}.xlsx": write_template(ws, kind, folder / f"{kind}.xlsx").read_bytes()
             for kind in KINDS}
    filled: dict[str, tuple[str, FormData]] = {
        "order.xlsx": ("order", next(iter(ORDERS.values()))),
        "order_error.xlsx": ("order", ORDERS["S03/订货单-错误示例-1118.xlsx"]),
        "plan.xlsx": ("plan", next(iter(PLANS.values()))),
        "visit.xlsx": ("visit", VISITS), "receipt.xlsx": ("receipt", RECEIPTS),
        "return.xlsx": ("return", RETURN), "customers.xlsx": ("customers", FormData(
            lines=CUSTOMERS)),
    }
    for name, (kind, data) in filled.items():
        seeds[name] = write_form(folder / name, KINDS[kind], "zh", data=data).read_bytes()
    # What a person gets back and may correct and resubmit: the annotated copy.
    (ws.inbox / "rejected.xlsx").write_bytes(seeds["order_error.xlsx"])
    [rejected] = process_inbox(ws)
    seeds["annotated.xlsx"] = (ws.root / rejected.outputs[1]).read_bytes()
    seeds["order.csv"] = "\n".join(",".join(row) for row in CSV_ORDER).encode("utf-8-sig")
    for name in ("order.xls", "order.ods", "customers.xls"):
        seeds[name] = (DATA / name).read_bytes()
    return seeds


def _zipped(seeds: dict[str, bytes]) -> list[str]:
    return sorted(n for n, data in seeds.items() if data.startswith(b"PK\x03\x04"))


_NUMBERS = itertools.count(1)


def run_case(ws: Workspace, mutated: Mutated, suffix: str) -> None:
    """Check, then ingest one damaged file; assert it ended in a decision, quickly."""
    data, recipe = mutated
    name = f"fuzz{next(_NUMBERS)}{suffix}"
    errors = Errors()
    logger = logging.getLogger("sales_sheets")
    logger.addHandler(errors)
    try:
        copy = ws.root / ".fuzz" / name
        copy.parent.mkdir(exist_ok=True)
        copy.write_bytes(data)
        with memory_cap():
            started = time.monotonic()
            check = check_workbook(ws, copy)
            checked = time.monotonic() - started
            (ws.inbox / name).write_bytes(data)
            started = time.monotonic()
            results = process_inbox(ws)
            ingested = time.monotonic() - started
    finally:
        logger.removeHandler(errors)
    assert [r.file for r in results] == [name], recipe
    [result] = results
    codes = [p.code for p in result.problems]
    assert "internal_error" not in codes + [p.code for p in check.problems], (recipe, codes)
    assert [r.getMessage() for r in errors.records] == [], recipe
    assert result.status in DECIDED, recipe
    if result.status == Status.REJECTED:
        assert result.problems, recipe
    for entry in result.as_dict()["problems"]:
        assert entry["code"] in MESSAGES and entry["message"], (recipe, entry)
    if result.status != Status.DUPLICATE:
        assert check.status == result.status, (recipe, check.problems, result.problems)
    assert [p for p in ws.inbox.rglob("*") if p.is_file()] == [], recipe
    assert list(ws.claimed.iterdir()) == [], recipe
    assert checked < SECONDS and ingested < SECONDS, (recipe, checked, ingested)


def _case(
    fuzzed: tuple[Workspace, dict[str, bytes]], data: st.DataObject,
    names: Callable[[dict[str, bytes]], list[str]],
    mutate: Callable[[st.SearchStrategy[tuple[str, bytes]]], st.SearchStrategy[Mutated]],
) -> None:
    ws, seeds = fuzzed
    name = data.draw(st.sampled_from(names(seeds)), label="seed")
    mutated = data.draw(mutate(st.just((name, seeds[name]))), label="mutation")
    run_case(ws, mutated, Path(name).suffix)


@FUZZ
@given(data=st.data())
def test_damaged_bytes_end_in_a_decision(
    fuzzed: tuple[Workspace, dict[str, bytes]], data: st.DataObject
) -> None:
    _case(fuzzed, data, sorted, byte_mutations)


@FUZZ
@given(data=st.data())
def test_damaged_zip_members_end_in_a_decision(
    fuzzed: tuple[Workspace, dict[str, bytes]], data: st.DataObject
) -> None:
    _case(fuzzed, data, _zipped, member_mutations)


@FUZZ
@given(data=st.data())
def test_damaged_xml_ends_in_a_decision(
    fuzzed: tuple[Workspace, dict[str, bytes]], data: st.DataObject
) -> None:
    _case(fuzzed, data, _zipped, xml_mutations)
