"""Soak: `sales-sheets watch` left running with a trickle of mixed files, its resources watched.

Run from the repository root:

    python bench/soak.py                  # the issue's hour
    python bench/soak.py --minutes 5      # a quick look

A workspace with the master data loaded (contracts on, PDFs off) is watched by a real
`sales-sheets watch` process with its log file rotated at 64 KiB. Every `--interval` seconds
one file is dropped into the inbox, in a fixed cycle: a good order, an order with an unknown
customer (rejected), an order below the list price (held), the approval form of the last held
order (approved: its contract is written and the request filed away), and a receipt. Every ten
minutes `sales-sheets report` writes the month's summary workbook beside it, as someone in the
office would.

Every 15 seconds the watcher's resident memory, open file descriptors and threads are read from
/proc. At the end the watcher is stopped with SIGTERM and every dropped file must have been
answered exactly once (one intake record and one acknowledgement each, nothing left in the
inbox). It prints the first and the last ten minutes side by side (medians and maxima) and the
growth between them: flat is the target. Linux only (/proc).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
from _common import DATA_DIR, bench_arguments, check, environment, master_data, seed_workspace
from _samples import order_form

from sales_sheets.forms.template import FormData, write_form
from sales_sheets.kinds import KINDS

SAMPLE_SECONDS = 15.0
REPORT_MINUTES = 10.0
WINDOW_MINUTES = 10.0


@dataclass(frozen=True)
class Sample:
    minute: float
    rss_mib: float
    fds: int
    threads: int


def main() -> None:
    parser = bench_arguments(__doc__)
    parser.add_argument("--minutes", type=float, default=60.0, help="how long (default 60)")
    parser.add_argument("--interval", type=float, default=3.0,
                        help="seconds between two dropped files (default 3)")
    args = parser.parse_args()
    check(sys.platform == "linux", "the soak reads /proc: Linux only")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="soak-", dir=DATA_DIR) as scratch:
        root = Path(scratch) / "ws"
        root.mkdir()
        seed_workspace(root, contracts=True)
        _set_log_rotation(root / "config.toml")
        seeded = _records(root)
        samples, dropped, reports = _soak(root, args.minutes, args.interval)
        answered = _answered(root, seeded)
    _print(args.minutes, args.interval, samples, dropped, reports, answered)


def _set_log_rotation(config: Path) -> None:
    text = config.read_text(encoding="utf-8")
    text = text.replace('log_file = ""', 'log_file = "logs/watch.log"')
    text = text.replace("log_max_mb = 5.0", "log_max_mb = 0.0625")
    check('log_file = "logs/watch.log"' in text, "the config template has no watch.log_file")
    config.write_text(text, encoding="utf-8")


def _soak(root: Path, minutes: float, interval: float) -> tuple[list[Sample], int, int]:
    command = Path(sys.executable).parent / "sales-sheets"
    watcher = subprocess.Popen([str(command), "watch", "-w", str(root)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    drops = _drops(root)
    samples: list[Sample] = []
    dropped = reports = 0
    started = time.monotonic()
    next_drop = next_sample = started
    next_report = started + REPORT_MINUTES * 60
    try:
        while (now := time.monotonic()) - started < minutes * 60:
            check(watcher.poll() is None, f"the watcher died (exit {watcher.returncode})")
            if now >= next_sample:
                samples.append(_sample(watcher.pid, (now - started) / 60))
                next_sample += SAMPLE_SECONDS
            if now >= next_drop:
                dropped += next(drops)()
                next_drop += interval
            if now >= next_report:
                subprocess.run([str(command), "report", "--period", f"{date.today():%Y-%m}",
                                "-w", str(root)], check=True, capture_output=True)
                reports += 1
                next_report += REPORT_MINUTES * 60
            time.sleep(0.2)
        _wait_for_empty_inbox(root / "inbox", watcher)
        samples.append(_sample(watcher.pid, (time.monotonic() - started) / 60))
    finally:
        watcher.send_signal(signal.SIGTERM)
        watcher.wait(timeout=60)
    return samples, dropped, reports


def _drops(root: Path) -> itertools.cycle:  # type: ignore[type-arg]
    """The cycle of drops; each returns how many files it dropped."""
    inbox = root / "inbox"
    rng = random.Random(1)
    master = master_data()
    counter = itertools.count(1)
    held: list[str] = []

    def order(kind: str) -> int:
        number = next(counter)
        form = order_form(number, rng, prefix=f"SK{kind[0].upper()}")
        header = dict(form.header, order_date=date.today())
        lines = form.lines
        if kind == "rejected":
            header["customer_code"] = "NO-SUCH-CUSTOMER"
        if kind == "held":
            product = master.products[number % len(master.products)]
            lines = [{"product_code": product.code, "quantity": 1,
                      "unit_price": str(product.list_price - 1)}]
            held.append(str(header["order_no"]))
        write_form(inbox / f"{header['order_no']}.xlsx", KINDS["order"], "zh",
                   data=FormData(header, lines))
        return 1

    def approval() -> int:
        if not held:
            return 0
        number = held.pop(0)
        requests = list((root / "outbox" / "approvals").glob(f"*/{number}_审批单.xlsx"))
        if not requests:  # not answered yet: its turn comes again
            held.insert(0, number)
            return 0
        book = openpyxl.load_workbook(requests[0])
        for key, value in (("decision", "同意"), ("approver", "M01")):
            [(sheet, cell)] = list(book.defined_names[key].destinations)
            book[sheet][cell.replace("$", "")].value = value
        book.save(inbox / f"审批-{number}.xlsx")
        return 1

    def receipt() -> int:
        number = next(counter)
        customer = rng.choice(master.customers)
        write_form(inbox / f"receipt-{number}.xlsx", KINDS["receipt"], "zh", data=FormData(lines=[
            {"receipt_date": date.today(), "customer_code": customer.code, "amount": "100.00",
             "method": "银行转账", "reference": f"SK{number:08d}",
             "salesperson": customer.salesperson}]))
        return 1

    return itertools.cycle([lambda: order("good"), lambda: order("rejected"),
                            lambda: order("held"), approval, receipt])


def _sample(pid: int, minute: float) -> Sample:
    status = dict(line.split(":", 1) for line in
                  Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return Sample(minute, int(status["VmRSS"].split()[0]) / 1024,
                  len(os.listdir(f"/proc/{pid}/fd")), int(status["Threads"]))


def _wait_for_empty_inbox(inbox: Path, watcher: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while any(p.is_file() for p in inbox.rglob("*")) and time.monotonic() < deadline:
        check(watcher.poll() is None, f"the watcher died (exit {watcher.returncode})")
        time.sleep(0.5)


def _records(root: Path) -> list[tuple[str, str, str]]:
    """Every intake record: claim, status and the acknowledgement written for it."""
    with sqlite3.connect(root / "ledger.sqlite") as db:
        rows = db.execute("SELECT claim_id, status, outputs FROM intake").fetchall()
    return [(claim, status, json.loads(outputs)[0]) for claim, status, outputs in rows]


def _answered(root: Path, seeded: list[tuple[str, str, str]]) -> dict[str, int]:
    """How the dropped files were answered: intake records (one per claim), their
    acknowledgements on disk, files left in the inbox, log files."""
    records = [r for r in _records(root) if r not in seeded]
    statuses: dict[str, int] = {}
    for _, status, _ in records:
        statuses[status] = statuses.get(status, 0) + 1
    return {"records": len(records), "distinct": len({claim for claim, _, _ in records}),
            "acknowledgements": sum((root / ack).is_file() for _, _, ack in records),
            "left": sum(1 for p in (root / "inbox").rglob("*") if p.is_file()),
            "logs": len(list((root / "logs").glob("watch.log*"))), **statuses}


def _window(samples: list[Sample], first: bool) -> list[Sample]:
    end = samples[-1].minute
    inside = [s for s in samples if (s.minute <= WINDOW_MINUTES if first
                                     else s.minute >= end - WINDOW_MINUTES)]
    return inside or samples


def _print(minutes: float, interval: float, samples: list[Sample], dropped: int, reports: int,
           answered: dict[str, int]) -> None:
    print(f"soak: `sales-sheets watch` for {minutes:g} min, one file every {interval:g} s "
          f"({dropped} files: orders good/rejected/held, approvals, receipts), "
          f"{reports} reports, log rotated at 64 KiB")
    print(environment())
    print()
    first, last = _window(samples, True), _window(samples, False)
    print(f"{'':<22}{'first 10 min':>22}{'last 10 min':>22}{'growth':>10}")
    readings: list[tuple[str, Callable[[Sample], float]]] = [
        ("RSS (MiB)", lambda s: s.rss_mib), ("open descriptors", lambda s: s.fds),
        ("threads", lambda s: s.threads)]
    for label, read in readings:
        a, b = [read(s) for s in first], [read(s) for s in last]
        print(f"{label:<22}{statistics.median(a):>12.1f} (max {max(a):>5.0f})"
              f"{statistics.median(b):>12.1f} (max {max(b):>5.0f})"
              f"{statistics.median(b) - statistics.median(a):>+10.1f}")
    print()
    print(f"answered: {answered}")
    once = (answered["records"] == answered["distinct"] == dropped == answered["acknowledgements"]
            and answered["left"] == 0)
    print(f"check: every dropped file answered exactly once: {'yes' if once else 'NO'}"
          f" ({dropped} dropped)")


if __name__ == "__main__":
    main()
