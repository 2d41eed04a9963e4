"""Benchmark: many small order workbooks (default 1,000 files of 1-5 lines) against pandas.

Run from the repository root:

    python bench/ingest_many.py                # the issue size, 1,000 files
    python bench/ingest_many.py --files 50     # a quick smoke run
    python bench/ingest_many.py --repeat 3     # best of three runs of each measurement
    python bench/ingest_many.py --profile      # also write bench/.data/profile_many.txt

The order workbooks (distinct order numbers, prices at or above the price list, all within the
customers' payment terms, so each one is accepted and none held) are generated once with
`write_form` and cached under bench/.data/. In the same run it then times, each in a fresh child
process:

- a loop of `pandas.read_excel` over the files' line tables plus one `pandas.concat`, with
  pandas' default xlsx engine, openpyxl (passed explicitly, so the comparison keeps its meaning
  when pandas switches its default to calamine), which the target is set against;
- our full ingest, `process_inbox` on a workspace whose master data is already loaded: for every
  file read, normalise, validate (price list, overdue and credit checks against the ledger) and
  store in SQLite; every file must be accepted and every order and line stored.

It prints files/s for both, the ratio pandas / ours against the target of 2x, and the peak memory
of each child (VmHWM on Linux, see _common.py). A miss is printed, not raised: this is not a test.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _common import (
    DATA_DIR,
    Measurement,
    Row,
    bench_arguments,
    best_of,
    check,
    check_rows,
    data_sheet,
    in_child,
    ingest_copy,
    pandas_read,
    print_report,
    seed_workspace,
    table_header_row,
)
from _samples import order_files

from sales_sheets.kinds import KINDS

KIND = KINDS["order"]
TARGET = 2.0


def main() -> None:
    parser = bench_arguments(__doc__)
    parser.add_argument("--files", type=int, default=1_000, help="order workbooks (default 1000)")
    parser.add_argument("--profile", action="store_true",
                        help="after the timed runs, profile one more ingest into "
                             "bench/.data/profile_many.txt (files other than 1000 get "
                             "profile_many_<files>.txt)")
    parser.add_argument("--contracts", action="store_true",
                        help="also write each accepted order's contract, as the shipped "
                             "config does (default: off, the ingest alone)")
    args = parser.parse_args()
    files: int = args.files
    check(files > 0 and args.repeat > 0, "--files and --repeat must be positive")

    sources = order_files(files, args.regenerate)
    folder = sources[0].parent

    pandas_default = best_of(args.repeat, lambda _: in_child(
        pandas_read, [str(p) for p in sources], data_sheet(KIND), table_header_row(KIND),
        "openpyxl"))

    lines: int = pandas_default.detail["rows"]
    with tempfile.TemporaryDirectory(prefix="run-", dir=DATA_DIR) as scratch:
        seed = seed_workspace(Path(scratch) / "seed", contracts=args.contracts)
        print(f"contracts on acceptance: {'on' if args.contracts else 'off'}")

        def ingest_once(run: int) -> Measurement:
            root, measured = ingest_copy(seed, Path(scratch) / f"timed-{run}", sources,
                                         {"accepted": files})
            check_rows(root, "orders", files)
            check_rows(root, "order_lines", lines)  # as many as pandas read from the files
            return measured

        ours = best_of(args.repeat, ingest_once)
        profile = DATA_DIR / ("profile_many.txt" if files == 1_000
                              else f"profile_many_{files}.txt")
        if args.profile:
            ingest_copy(seed, Path(scratch) / "profiled", sources, profile_to=profile)

    default = Row("pandas.read_excel loop + concat, engine openpyxl (default)", "pandas",
                  pandas_default)
    ours_row = Row("ours: process_inbox (read+validate+store)", "ours", ours)
    print_report(
        f"ingest_many: {files:,} order workbooks, {lines:,} lines in all ({folder.name})",
        [default, ours_row], files, "files", default, ours_row, TARGET,
    )
    print(f"check: {files:,} accepted; orders table {files:,} rows, order_lines {lines:,} rows "
          "(every run)")
    if args.profile:
        print(f"profile (cProfile, a separate run) written to {profile}")


if __name__ == "__main__":
    main()
