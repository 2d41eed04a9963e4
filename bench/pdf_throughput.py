"""Benchmark: intake of small orders with `documents.pdf = false` against `pdf = true`.

Run from the repository root:

    python bench/pdf_throughput.py                 # 100 orders
    python bench/pdf_throughput.py --orders 20     # the issue's twenty
    python bench/pdf_throughput.py --repeat 3      # best of three runs of each

The order workbooks of ingest_many.py (1-5 lines, all accepted) are dropped into copies of one
workspace whose master data is loaded, with the shipped config.toml (contracts and invoice
notices on) except `pdf`, and `process_inbox` runs on each in a fresh child process: once with
`pdf = false`, once with `pdf = true` (one LibreOffice kept running through unoserver, fed by the
background worker). For each it prints the intake time (until the last file is answered, which
is what a person dropping files waits for) as files/s, the ratio pdf-on / pdf-off against the
target of 0.8x, and, with PDFs on, the time until `process_inbox` returns, which is when the last
PDF exists (it waits for them). Every order must be accepted with its contract, and with PDFs on
every contract must have its PDF.

Needs LibreOffice and a Python that can `import uno` (see the README). A miss is printed, not
raised: this is not a test.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _common import (
    DATA_DIR,
    bench_arguments,
    check,
    copy_workspace,
    in_child,
    load,
    seed_workspace,
)
from _samples import order_files

from sales_sheets.documents.libreoffice import find_soffice, find_uno_python

TARGET = 0.8


def intake(root: str) -> dict[str, Any]:
    """Child: `process_inbox`, noting when each file is answered and when it returns."""
    from sales_sheets.intake.ingest import process_inbox
    from sales_sheets.workspace import open_workspace

    workspace = open_workspace(root)
    answered: list[float] = []
    started = time.perf_counter()
    results = process_inbox(workspace, lambda _result: answered.append(time.perf_counter()))
    returned = time.perf_counter()
    return {"intake": answered[-1] - started, "returned": returned - started,
            "statuses": dict(Counter(r.status for r in results))}


def main() -> None:
    parser = bench_arguments(
        __doc__, repeat="run each measurement this many times and keep the fastest")
    parser.add_argument("--orders", type=int, default=100, help="order workbooks (default 100)")
    args = parser.parse_args()
    count: int = args.orders
    check(count > 0 and args.repeat > 0, "--orders and --repeat must be positive")
    soffice = find_soffice()
    check(soffice is not None and find_uno_python(soffice) is not None,
          "needs LibreOffice and a Python that can import uno (Debian: python3-uno)")
    sources = order_files(count, args.regenerate)

    with tempfile.TemporaryDirectory(prefix="run-", dir=DATA_DIR) as scratch:
        seed = seed_workspace(Path(scratch) / "seed", contracts=True)
        config = (seed / "config.toml").read_text(encoding="utf-8")
        check("\npdf = false\n" in config, "the seed's config.toml no longer says `pdf = false`")

        def run(pdf: bool) -> dict[str, Any]:
            """The run with the shortest intake of `--repeat`, with every intake time."""
            def once(index: int) -> dict[str, Any]:
                root = copy_workspace(seed, Path(scratch) / f"pdf-{pdf}-{index}", sources)
                if pdf:
                    (root / "config.toml").write_text(
                        config.replace("\npdf = false\n", "\npdf = true\n"), encoding="utf-8")
                detail = in_child(intake, str(root))
                check(detail["statuses"] == {"accepted": count},
                      f"not every order was accepted: {detail['statuses']}")
                contracts = root / "outbox" / "contracts"
                documents = len(list(contracts.rglob("*.docx")))
                pdfs = len(list(contracts.rglob("*.pdf")))
                check(documents == count, f"{documents} contracts, expected {count}")
                check(pdfs == (count if pdf else 0), f"{pdfs} contract PDFs with pdf = {pdf}")
                return detail
            runs = [once(index) for index in range(args.repeat)]
            best = min(runs, key=lambda r: r["intake"])
            return {**best, "runs": [r["intake"] for r in runs]}

        off, on = run(False), run(True)

    print()
    print(f"pdf_throughput: {count:,} order workbooks of 1-5 lines, contracts and invoice "
          "notices on; intake = until the last file is answered")
    print(f"{load()} (other work shares this machine: the numbers are measured under load)")
    print()
    print(f"{'measurement':<44}  {'intake':>8}  {'files/s':>8}  {'last PDF at':>11}")
    print("-" * 78)
    print(f"{'pdf = false':<44}  {off['intake']:>6.2f} s  {count / off['intake']:>8.2f}  "
          f"{'-':>11}")
    print(f"{'pdf = true (one LibreOffice, background)':<44}  {on['intake']:>6.2f} s  "
          f"{count / on['intake']:>8.2f}  {on['returned']:>9.2f} s")
    print("-" * 78)
    ratio = off["intake"] / on["intake"]
    verdict = "meets target" if ratio >= TARGET else "BELOW TARGET"
    print(f"ratio files/s pdf-on / pdf-off = {ratio:.2f}x   target >= {TARGET:g}x   {verdict}")
    if args.repeat > 1:
        print("best of: off " + ", ".join(f"{t:.2f}" for t in off["runs"])
              + "; on " + ", ".join(f"{t:.2f}" for t in on["runs"]))
    print(f"check: {count:,} accepted with a contract each; {count:,} contract PDFs with "
          "pdf = true, none with pdf = false (every run)")


if __name__ == "__main__":
    main()
