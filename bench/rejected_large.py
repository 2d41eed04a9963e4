"""Benchmark: a large receipt workbook whose every line is wrong, against the same file good.

Run from the repository root:

    python bench/rejected_large.py                # the issue size, 100,000 lines
    python bench/rejected_large.py --rows 5000    # a quick smoke run
    python bench/rejected_large.py --repeat 3     # best of three runs of each measurement
    python bench/rejected_large.py --profile      # also profile the rejection into bench/.data/
    python bench/rejected_large.py --openpyxl     # both files as openpyxl saves them
    python bench/rejected_large.py --commands     # also as whole `sales-sheets process` runs

Two workbooks are generated once with `write_form` and cached under bench/.data/: the same
receipt lines, once with customers the ledger knows and once with customers it does not (every
line an `unknown_customer` error). In the same run each is ingested by `process_inbox` in a
fresh child process on a workspace whose master data is already loaded, the two alternating
when repeated. The good file must be accepted with every line stored; the bad one rejected
with one problem per line, its annotated copy and receipt written, nothing stored.

`write_form` writes a shared-string table, as Excel does; with --openpyxl both files are loaded
and saved once more by openpyxl, which writes every string inline (the issue's 100,000-line
file: 34 MB of sheet XML instead of about 13).

It prints both times and the ratio rejected / accepted against the target of at most 2x (issue
11: a rejected file costs about what an accepted one does). With --commands the two files are
also processed by whole `sales-sheets process` commands, start-up and everything they print
included (issue 24: at most 30 problems a file on the terminal), against the same target.
A miss is printed, not raised: this is not a test.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _common import (
    DATA_DIR,
    Measurement,
    bench_arguments,
    best_of,
    check,
    check_rows,
    command,
    copy_workspace,
    count_rows,
    environment,
    ingest_copy,
    sales_sheets_command,
    seed_workspace,
)
from _samples import inline_copy, receipt_file

from sales_sheets.cli import EXIT_REJECTED

TARGET = 2.0


def main() -> None:
    parser = bench_arguments(__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="receipt lines (default 100000)")
    parser.add_argument("--profile", action="store_true",
                        help="after the timed runs, profile one more rejection into "
                             "bench/.data/profile_rejected_<rows>.txt")
    parser.add_argument("--openpyxl", action="store_true",
                        help="re-save both workbooks with openpyxl (inline strings)")
    parser.add_argument("--commands", action="store_true",
                        help="also time whole `sales-sheets process` commands")
    args = parser.parse_args()
    rows: int = args.rows
    check(rows > 0 and args.repeat > 0, "--rows and --repeat must be positive")

    # The known file is ingest_large's own; the unknown one differs in every customer code only.
    good = receipt_file(rows, args.regenerate)
    bad = receipt_file(rows, args.regenerate, known=False)
    if args.openpyxl:
        good, bad = inline_copy(good, args.regenerate), inline_copy(bad, args.regenerate)

    with tempfile.TemporaryDirectory(prefix="run-", dir=DATA_DIR) as scratch:
        seed = seed_workspace(Path(scratch) / "seed")

        def accept_once(run: int) -> Measurement:
            root, measured = ingest_copy(seed, Path(scratch) / f"good-{run}", [good],
                                         {"accepted": 1})
            check_rows(root, "receipts", rows)
            return measured

        def reject_once(run: int) -> Measurement:
            root, measured = ingest_copy(seed, Path(scratch) / f"bad-{run}", [bad],
                                         {"rejected": 1})
            check_rejection(root, rows)
            return measured

        def command_once(name: str, file: Path, exit_code: int) -> Measurement:
            root = copy_workspace(seed, Path(scratch) / name, [file])
            measured = command([*sales_sheets_command(), "process", "-w", str(root)])
            check(measured.detail["exit"] == exit_code,
                  f"{name}: `sales-sheets process` exited {measured.detail['exit']}")
            return measured

        # Alternated, so that a machine busy with other work slows both alike.
        runs = [(accept_once(i), reject_once(i)) for i in range(args.repeat)]
        accepted = best_of(args.repeat, lambda i: runs[i][0])
        rejected = best_of(args.repeat, lambda i: runs[i][1])
        if args.commands:
            commands = [(command_once(f"cmd-good-{i}", good, 0),
                         command_once(f"cmd-bad-{i}", bad, EXIT_REJECTED))
                        for i in range(args.repeat)]
            accepted_command = best_of(args.repeat, lambda i: commands[i][0])
            rejected_command = best_of(args.repeat, lambda i: commands[i][1])
        profile = DATA_DIR / f"profile_rejected_{rows}.txt"
        if args.profile:
            ingest_copy(seed, Path(scratch) / "profiled", [bad], profile_to=profile)

    print()
    print(f"rejected_large: 1 receipt workbook{' saved by openpyxl' if args.openpyxl else ''}, "
          f"{rows:,} lines, every customer known "
          f"({good.stat().st_size / 2**20:.1f} MiB) or every one unknown "
          f"({bad.stat().st_size / 2**20:.1f} MiB)")
    print(environment())
    print()
    for label, m in (("accepted (customers known)", accepted),
                     ("rejected (customers unknown)", rejected)):
        print(f"{label:<30} {m.seconds:>8.2f} s   peak RSS {m.peak_rss_kib / 1024:,.0f} MiB"
              + (f"   runs {', '.join(f'{t:.2f}' for t in m.detail['runs'])}"
                 if len(m.detail["runs"]) > 1 else ""))
    ratio = rejected.seconds / accepted.seconds
    verdict = "meets target" if ratio <= TARGET else "ABOVE TARGET"
    print(f"ratio rejected / accepted = {ratio:.2f}x   target <= {TARGET:g}x   {verdict}")
    if args.commands:
        print()
        for label, m in (("command, customers known", accepted_command),
                         ("command, customers unknown", rejected_command)):
            print(f"{label:<30} {m.seconds:>8.2f} s   peak RSS {m.peak_rss_kib / 1024:,.0f} MiB"
                  f"   printed {m.detail['printed'] / 1024:,.1f} KiB")
        ratio = rejected_command.seconds / accepted_command.seconds
        verdict = "meets target" if ratio <= TARGET else "ABOVE TARGET"
        print(f"ratio as whole commands = {ratio:.2f}x   target <= {TARGET:g}x   {verdict}")
    print(f"check: the good file accepted with {rows:,} rows stored; the bad one rejected with "
          f"{rows:,} problems, its annotated copy and receipt written, nothing stored "
          "(every run)")
    if args.profile:
        print(f"profile (cProfile, a separate run) written to {profile}")


def check_rejection(root: Path, rows: int) -> None:
    """The rejected file left its answers and nothing in the ledger."""
    check_rows(root, "receipts", 0)
    problems = count_rows(root, "SELECT json_array_length(problems) FROM intake "
                          "WHERE status = 'rejected'")
    check(problems == rows, f"{problems} problems recorded, expected one per line ({rows})")
    outbox = root / "outbox"
    check(any((outbox / "rejected").rglob("*.xlsx")), "no annotated copy was written")
    check(any((outbox / "receipts").rglob("*.rejected.txt")), "no receipt was written")


if __name__ == "__main__":
    main()
