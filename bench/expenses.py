"""Benchmark: 20,000 expense claims dropped at once against as many plain orders, and the year's
appraisal on the report bench's ledger with a year of budgets and claims.

Run from the repository root:

    python bench/expenses.py                 # the issue size: 20,000 claims, 1,000,000 lines
    python bench/expenses.py --quick         # 500 claims and a 20,000-line ledger: a look
    python bench/expenses.py --claims 2000 --ledger-lines 100000
    python bench/expenses.py --repeat 3      # best of three runs of each measurement

The workbooks are generated once with `write_form` and cached under bench/.data/: 50
salespeople's budgets for each month of 2026 (600 费用预算, every category of
`[expenses] categories`, generous enough that no claim is held), `--claims` 费用报销单 of 1-8
lines each (spread over the year's months and the 50 salespeople, every line within budget and
with no cap set), and as many plain orders with the same number of lines each (the same
sequence of line counts), all accepted.

1. Intake, each in a fresh child process on a copy of one seed workspace (the master data of 50
   salespeople, 200 customers and 50 products, and the 600 budgets, already stored): every
   claim dropped at once and `process_inbox`, then every order. Every file must be accepted
   and every line stored. It prints files/s and lines/s of both and the ratio claims / orders
   (throughput) against the target of 0.9x.
2. The appraisal: the report bench's synthetic ledger (tests/helpers/synthetic_ledger.py, as
   bench/report_large.py builds it, here with 50 salespeople, S01-S50, and `--ledger-lines`
   order lines) with the same budgets and claims processed into it, cached; then
   `write_appraisal` of the year 2026 in a fresh child, against the target of 5 s. Checked:
   one row per salesperson, and its receipts total equals the ledger's receipts of the year
   (from sqlite3).

Wall times stretch on a shared machine: the CPU seconds of each child are printed beside them.
A miss is printed, not raised: this is not a test.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from _common import (
    DATA_DIR,
    DATA_VERSION,
    LANGUAGE,
    Master,
    Measurement,
    Row,
    bench_arguments,
    bench_config,
    best_of,
    cached_file,
    check,
    check_rows,
    in_child,
    ingest,
    ingest_copy,
    load,
    master_data,
    mib,
    peak_rss_kib,
    print_notes,
    print_table,
    start_date,
    write_master_files,
)
from _samples import at_or_above_list

from sales_sheets.config import DEFAULT_EXPENSE_CATEGORIES
from sales_sheets.forms.template import FormData, write_form
from sales_sheets.kinds import KINDS
from sales_sheets.workspace import init_workspace
from tests.helpers.synthetic_ledger import VERSION, YEAR, Sizes, write_synthetic_ledger

SALESPEOPLE = 50
MONTHS = 12
MAX_LINES = 8
BUDGET = Decimal("20000")  # per salesperson, category and month: more than any month's claims
RATIO_TARGET = 0.9  # claims' throughput against orders'
APPRAISAL_TARGET = 5.0  # seconds
DATE_SPAN_DAYS = 20  # orders within the customers' 30 payment days: none overdue, none held


def master() -> Master:
    """The bench's customers and products, the customers shared among 50 salespeople."""
    plain = master_data()
    people = tuple(f"S{i:02d}" for i in range(1, SALESPEOPLE + 1))
    customers = tuple(replace(c, salesperson=people[i % SALESPEOPLE])
                      for i, c in enumerate(plain.customers))
    return Master(people, customers, plain.products)


def line_counts(claims: int) -> list[int]:
    """How many lines each claim (and its order twin) has: 1-8, from one seed."""
    rng = random.Random(claims)
    return [rng.randint(1, MAX_LINES) for _ in range(claims)]


def build_budgets(folder: Path) -> None:
    folder.mkdir(parents=True)
    for person in master().salespeople:
        for month in range(1, MONTHS + 1):
            data = FormData({"owner": person, "period": f"{YEAR}-{month:02d}"},
                            [{"category": c, "amount": str(BUDGET)}
                             for c in DEFAULT_EXPENSE_CATEGORIES])
            write_form(folder / f"budget_{person}_{month:02d}.xlsx", KINDS["budget"], LANGUAGE,
                       data=data)


def build_claims(folder: Path, counts: Sequence[int]) -> None:
    rng = random.Random(len(counts) + 1)
    people = master().salespeople
    folder.mkdir(parents=True)
    for number, lines in enumerate(counts, start=1):
        person = people[number % SALESPEOPLE]
        month = 1 + (number - 1) * MONTHS // len(counts)  # the claims in order over the year
        first = date(YEAR, month, 1)
        header = {"claim_no": f"BX{number:06d}", "salesperson": person,
                  "claim_date": first + timedelta(days=27)}
        items = [{"spent_on": first + timedelta(days=rng.randrange(27)),
                  "category": rng.choice(DEFAULT_EXPENSE_CATEGORIES),
                  "amount": f"{rng.randint(2000, 60000) / 100:.2f}",
                  "invoice_count": rng.randint(1, 3), "description": "拜访客户"}
                 for _ in range(lines)]
        write_form(folder / f"claim_BX{number:06d}.xlsx", KINDS["expense"], LANGUAGE,
                   data=FormData(header, items))


def build_orders(folder: Path, counts: Sequence[int]) -> None:
    rng = random.Random(len(counts) + 2)
    data = master()
    folder.mkdir(parents=True)
    for number, lines in enumerate(counts, start=1):
        customer = rng.choice(data.customers)
        items = [{"product_code": product.code, "quantity": rng.randint(1, 20),
                  "unit_price": at_or_above_list(0, product, rng)}
                 for product in rng.sample(data.products, lines)]
        header = {"order_no": f"SO{number:06d}", "order_date": start_date(number % DATE_SPAN_DAYS),
                  "customer_code": customer.code, "salesperson": customer.salesperson,
                  "delivery_address": f"浙江省杭州市测试路 {number} 号", "delivery_method": "送货"}
        write_form(folder / f"order_SO{number:06d}.xlsx", KINDS["order"], LANGUAGE,
                   data=FormData(header, items))


def workbooks(name: str, build: Callable[[Path], object], count: int,
              regenerate: bool) -> list[Path]:
    folder = cached_file(DATA_DIR / f"v{DATA_VERSION}" / name, build, regenerate)
    files = sorted(folder.glob("*.xlsx"))
    check(len(files) == count, f"{folder} holds {len(files)} workbooks, expected {count}")
    return files


def seed(root: Path, budgets: Sequence[Path]) -> Path:
    """A workspace with the master data and the year's budgets stored (PDFs, contracts and
    invoice notices off, as in the other intake benchmarks)."""
    from sales_sheets.intake.ingest import process_inbox

    root.mkdir(parents=True)
    (root / "config.toml").write_text(bench_config(contracts=False), encoding="utf-8")
    workspace = init_workspace(root)
    write_master_files(workspace.inbox, master())
    results = process_inbox(workspace)
    check({r.status for r in results} == {"accepted"}, "master data not accepted")
    budgeted = store(workspace.root, budgets)
    check(budgeted == {"accepted": len(budgets)}, f"budgets: {budgeted}")
    return workspace.root


def store(root: Path, files: Sequence[Path]) -> dict[str, int]:
    """Drop `files` into the inbox at `root` and process them (in a child, untimed)."""
    for path in files:
        shutil.copy(path, root / "inbox" / path.name)
    return dict(in_child(ingest, str(root)).detail["statuses"])


def appraisal_ledger(root: Path, ledger_lines: int, budgets: Sequence[Path],
                     claims: Sequence[Path]) -> None:
    """The report bench's synthetic ledger with 50 salespeople, and the budgets and claims."""
    root.mkdir(parents=True)
    (root / "config.toml").write_text(bench_config(contracts=False), encoding="utf-8")
    write_synthetic_ledger(init_workspace(root), ledger_lines,
                           Sizes(salespeople=SALESPEOPLE))
    for files in (budgets, claims):
        statuses = store(root, files)
        check(statuses == {"accepted": len(files)}, f"appraisal ledger: {statuses}")


def appraise(root: str) -> Measurement:
    """Child: `write_appraisal` of the year."""
    from sales_sheets.forms.periods import parse_period
    from sales_sheets.reports.appraisal import write_appraisal
    from sales_sheets.workspace import open_workspace

    workspace = open_workspace(root)
    base = peak_rss_kib()
    started, cpu = time.perf_counter(), time.process_time()
    path = write_appraisal(workspace, parse_period(str(YEAR)))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Measurement(seconds, base, peak_rss_kib(), {"path": str(path)}, cpu)


def check_appraisal(root: Path, path: Path) -> None:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[3:]
    people = [r for r in rows if str(r[0]).startswith("S")]
    check(len(people) == SALESPEOPLE, f"{len(people)} salespeople appraised")
    with sqlite3.connect(root / "ledger.sqlite") as conn:
        fen = conn.execute("SELECT sum(amount) FROM receipts WHERE receipt_date BETWEEN "
                           f"'{YEAR}-01-01' AND '{YEAR}-12-31'").fetchone()[0]
    total = Decimal(str(rows[len(people)][10])).quantize(Decimal("0.01"))
    check(total == Decimal(fen) / 100, f"receipts total {total}, the ledger's {fen} fen")


def main() -> None:
    parser = bench_arguments(__doc__)
    parser.add_argument("--claims", type=int, default=20_000,
                        help="claims, and as many orders (default 20000)")
    parser.add_argument("--ledger-lines", type=int, default=1_000_000,
                        help="order lines of the appraisal's synthetic ledger (default 1000000)")
    parser.add_argument("--quick", action="store_true",
                        help="500 claims and a 20,000-line ledger: a look in about a minute")
    args = parser.parse_args()
    claims: int = 500 if args.quick else args.claims
    ledger_lines: int = 20_000 if args.quick else args.ledger_lines
    check(claims >= MONTHS and args.repeat > 0, f"--claims must be at least {MONTHS}")

    counts = line_counts(claims)
    lines = sum(counts)
    budgets = workbooks(f"budgets_{SALESPEOPLE}x{MONTHS}", build_budgets,
                        SALESPEOPLE * MONTHS, args.regenerate)
    claim_files = workbooks(f"claims_{claims}", lambda p: build_claims(p, counts), claims,
                            args.regenerate)
    order_files = workbooks(f"orders_like_claims_{claims}", lambda p: build_orders(p, counts),
                            claims, args.regenerate)
    ledger = cached_file(
        DATA_DIR / f"v{DATA_VERSION}" / f"appraisal_ledger_g{VERSION}_{ledger_lines}_{claims}",
        lambda p: appraisal_ledger(p, ledger_lines, budgets, claim_files), args.regenerate)

    with tempfile.TemporaryDirectory(prefix="run-", dir=DATA_DIR) as scratch:
        seeded = seed(Path(scratch) / "seed", budgets)

        def intake(kind: str, files: list[Path], table: str, lines_table: str
                   ) -> Measurement:
            def once(run: int) -> Measurement:
                root, measured = ingest_copy(seeded, Path(scratch) / f"{kind}-{run}", files,
                                             {"accepted": len(files)})
                check_rows(root, table, len(files))
                check_rows(root, lines_table, lines)
                return measured
            return best_of(args.repeat, once)

        before = load(cpus=False)
        ours = intake("claims", claim_files, "expense_claims", "expense_lines")
        plain = intake("orders", order_files, "orders", "order_lines")
        after = load(cpus=False)

    claims_row = Row("claims: process_inbox of the 费用报销单", "claims", ours)
    orders_row = Row("orders: process_inbox of as many orders, as many lines", "orders", plain)
    print_table(f"expenses: {claims:,} claims and {claims:,} orders, {lines:,} lines each "
                f"(1-{MAX_LINES} a file); {SALESPEOPLE} salespeople x {MONTHS} months of "
                f"budgets stored before", [claims_row, orders_row], claims, "files")
    ratio = plain.seconds / ours.seconds
    verdict = "meets target" if ratio >= RATIO_TARGET else "BELOW TARGET"
    print(f"throughput claims / orders = {ratio:.2f}x   target >= {RATIO_TARGET:g}x   {verdict}")
    print(f"lines/s: claims {lines / ours.seconds:,.0f}, orders {lines / plain.seconds:,.0f}; "
          f"CPU s: claims {ours.cpu_seconds or 0:.1f}, orders {plain.cpu_seconds or 0:.1f}")
    print(f"load: {before} before, {after} after")
    print_notes([claims_row, orders_row])

    with sqlite3.connect(ledger / "ledger.sqlite") as conn:
        stored = conn.execute("SELECT count(*) FROM order_lines").fetchone()[0]
    measured = best_of(args.repeat, lambda _: in_child(appraise, str(ledger)))
    check_appraisal(ledger, Path(measured.detail["path"]))
    verdict = "meets target" if measured.seconds < APPRAISAL_TARGET else "ABOVE TARGET"
    print()
    print(f"appraisal of {YEAR}: the report bench's synthetic ledger ({ledger_lines:,} accepted "
          f"order lines, {stored:,} stored) with {SALESPEOPLE} salespeople, the budgets and "
          f"{claims:,} claims")
    print(f"write_appraisal {measured.seconds:.2f} s (CPU {measured.cpu_seconds or 0:.2f} s, "
          f"peak {mib(measured.peak_rss_kib)})   target < {APPRAISAL_TARGET:g} s   {verdict}")
    print("check: one row per salesperson; receipts total = the ledger's receipts of the year")


if __name__ == "__main__":
    main()
