"""Benchmark: one large receipt workbook (default 100,000 lines) against pandas.read_excel.

Run from the repository root:

    python bench/ingest_large.py                # the issue size, 100,000 lines
    python bench/ingest_large.py --rows 2000    # a quick smoke run
    python bench/ingest_large.py --repeat 3     # best of three runs of each measurement
    python bench/ingest_large.py --profile      # also write bench/.data/profile_large.txt

The workbook is generated once with `write_form` and cached under bench/.data/. In the same run
it then times, each in a fresh child process:

- `pandas.read_excel` of the visible data sheet with pandas' default xlsx engine, openpyxl
  (passed explicitly, so the comparison keeps its meaning when pandas switches its default to
  calamine, as pandas 3.x warns it will), which the target is set against; and with
  engine="calamine" for information;
- our full ingest, `process_inbox` on a workspace whose master data is already loaded: read,
  normalise, validate and store in SQLite; the file must be accepted and every line stored.

It prints the times, the ratio pandas (default engine) / ours against the target of 3x, and the
peak memory of each child (VmHWM on Linux, see _common.py). A miss is printed, not raised: this
is not a test.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from decimal import Decimal
from pathlib import Path

from _common import (
    DATA_DIR,
    DATA_VERSION,
    LANGUAGE,
    Measurement,
    Row,
    best_of,
    cached_file,
    check,
    copy_workspace,
    count_rows,
    data_sheet,
    in_child,
    ingest,
    master_data,
    pandas_read,
    print_report,
    seed_workspace,
    start_date,
    table_header_row,
)

from sales_sheets.forms.kinds import KINDS
from sales_sheets.forms.template import FormData, write_form

KIND = KINDS["receipt"]
TARGET = 3.0
METHODS = ("银行转账", "承兑汇票", "现金", "微信")


def build_receipts(path: Path, rows: int) -> None:
    rng = random.Random(rows)
    customers = master_data().customers
    lines: list[dict[str, object]] = []
    for i in range(rows):
        customer = rng.choice(customers)
        lines.append({
            "receipt_date": start_date(i * 60 // rows),
            "customer_code": customer.code,
            "amount": str(Decimal(rng.randint(1_000, 5_000_000)) / 100),
            "method": rng.choice(METHODS),
            "reference": f"BK{i:08d}",
            "salesperson": customer.salesperson,
        })
    write_form(path, KIND, LANGUAGE, data=FormData(lines=lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="receipt lines (default 100000)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run every measurement this many times and keep the fastest")
    parser.add_argument("--profile", action="store_true",
                        help="after the timed runs, profile one more ingest into "
                             "bench/.data/profile_large.txt (rows other than 100000 get "
                             "profile_large_<rows>.txt)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached workbook")
    args = parser.parse_args()
    rows: int = args.rows
    check(rows > 0 and args.repeat > 0, "--rows and --repeat must be positive")

    source = cached_file(DATA_DIR / f"v{DATA_VERSION}" / f"receipts_{rows}.xlsx",
                         lambda p: build_receipts(p, rows), args.regenerate)
    sheet, header = data_sheet(KIND), table_header_row(KIND)

    def read_with(engine: str) -> Measurement:
        return best_of(args.repeat, lambda _: in_child(
            pandas_read, [str(source)], sheet, header, engine))

    pandas_default = read_with("openpyxl")
    check(pandas_default.detail["rows"] == rows,
          f"pandas read {pandas_default.detail['rows']} rows, expected {rows}; "
          f"columns {pandas_default.detail['columns']}")
    pandas_calamine = read_with("calamine")

    with tempfile.TemporaryDirectory(prefix="run-", dir=DATA_DIR) as scratch:
        seed = seed_workspace(Path(scratch) / "seed")

        def ingest_once(run: int) -> Measurement:
            root = copy_workspace(seed, Path(scratch) / f"timed-{run}", [source])
            measured = in_child(ingest, str(root))
            check(measured.detail["statuses"] == {"accepted": 1},
                  f"ingest did not accept the file: {measured.detail}")
            stored = count_rows(root, "SELECT count(*) FROM receipts")
            check(stored == rows, f"receipts table has {stored} rows, expected {rows}")
            return measured

        ours = best_of(args.repeat, ingest_once)
        profile = DATA_DIR / ("profile_large.txt" if rows == 100_000
                              else f"profile_large_{rows}.txt")
        if args.profile:
            profiled = copy_workspace(seed, Path(scratch) / "profiled", [source])
            in_child(ingest, str(profiled), str(profile))

    size_mib = source.stat().st_size / 2**20
    default = Row("pandas.read_excel, engine openpyxl (default)", "pandas", pandas_default)
    report_rows = [
        default,
        Row("pandas.read_excel, engine calamine (info)", "pandas calamine", pandas_calamine),
        Row("ours: process_inbox (read+validate+store)", "ours", ours),
    ]
    print_report(
        f"ingest_large: 1 receipt workbook, {rows:,} lines x {len(KIND.columns)} columns, "
        f"{size_mib:.1f} MiB ({source.name})",
        report_rows, rows, "rows", default, report_rows[-1], TARGET,
    )
    print(f"check: accepted, receipts table holds {rows:,} rows (every run)")
    if args.profile:
        print(f"profile (cProfile, a separate run) written to {profile}")


if __name__ == "__main__":
    main()
