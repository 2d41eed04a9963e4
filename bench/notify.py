"""Benchmark: intake with notifications on against off, and how soon the last mail arrives.

Run from the repository root:

    python bench/notify.py                 # the issue size, 1,000 files
    python bench/notify.py --files 100     # a quick smoke run
    python bench/notify.py --repeat 3      # best of three runs of each measurement

Every file is an order naming a product that does not exist, so every one is rejected and its
salesperson is told (`file_rejected`, the annotated copy attached). In the same run, each in a
fresh child process on a copy of one seeded workspace (master data loaded, every salesperson
with an e-mail address):

- **off**: `[notify.events] file_rejected = false`: intake stores no message;
- **on**: mail through a real SMTP server on 127.0.0.1 (aiosmtpd), with the watcher's
  dispatcher thread sending beside the intake as `watch` runs it.

It prints files/s of both, the ratio on / off against the target of 0.9, and the time from the
start of the intake until the server has received the last mail. A miss is printed, not raised.
"""

from __future__ import annotations

import random
import socket
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import (
    DATA_DIR,
    LANGUAGE,
    Measurement,
    Row,
    bench_arguments,
    best_of,
    cached_file,
    check,
    copy_workspace,
    in_child,
    peak_rss_kib,
    print_report,
    seed_workspace,
)
from _samples import order_form

from sales_sheets.forms.template import write_form
from sales_sheets.kinds import KINDS

TARGET = 0.9
DATA_VERSION = 1


def build_unknown_product_orders(folder: Path, files: int) -> None:
    rng = random.Random(files)
    folder.mkdir(parents=True)
    for number in range(1, files + 1):
        form = order_form(number, rng, "NT")
        form.lines[0]["product_code"] = "NO-SUCH-PRODUCT"
        write_form(folder / f"order_NT{number:06d}.xlsx", KINDS["order"], LANGUAGE, data=form)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def configure(root: Path, on: bool, port: int) -> None:
    config = root / "config.toml"
    text = config.read_text(encoding="utf-8")
    if on:
        text += (f'\n[notify.email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                 'sender = "sales@example.cn"\n')
    else:
        text += "\n[notify.events]\nfile_rejected = false\n"
    config.write_text(text, encoding="utf-8")


def intake(root: str, on: bool, files: int) -> Measurement:
    """Child: process the inbox; with `on`, beside a dispatcher sending to a local SMTP server,
    until the server received a mail per file."""
    from aiosmtpd.controller import Controller

    from sales_sheets.intake.collector import collector_paused
    from sales_sheets.intake.ingest import process_inbox
    from sales_sheets.notify.dispatch import Dispatcher, workspace_channels
    from sales_sheets.workspace import open_workspace

    received: list[float] = []

    class Handler:
        async def handle_DATA(self, _server: Any, _session: Any, _envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
            received.append(time.perf_counter())  # one mail per message: one recipient
            return "250 OK"

    port = free_port()
    configure(Path(root), on, port)
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    workspace = open_workspace(root)
    dispatcher = Dispatcher(workspace, workspace_channels(workspace)) if on else None
    try:
        if dispatcher:
            dispatcher.start()
        base = peak_rss_kib()
        started, cpu = time.perf_counter(), time.process_time()

        def wake(_result: object) -> None:
            if dispatcher:
                dispatcher.wake()

        results = process_inbox(workspace, wake, around_file=collector_paused)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        last = None
        if dispatcher:
            deadline = time.perf_counter() + 600
            while len(received) < files and time.perf_counter() < deadline:
                time.sleep(0.05)
            last = (received[-1] - started) if len(received) >= files else None
    finally:
        if dispatcher:
            dispatcher.stop()
        controller.stop()
    rejected = sum(1 for r in results if r.status == "rejected")
    return Measurement(seconds, base, peak_rss_kib(),
                       {"rejected": rejected, "mails": len(received), "last_mail": last}, cpu)


def emails_for_everyone(root: Path) -> None:
    with sqlite3.connect(root / "ledger.sqlite") as conn:
        conn.execute("UPDATE salespeople SET email = lower(code) || '@example.cn'")


def main() -> None:
    parser = bench_arguments(__doc__)
    parser.add_argument("--files", type=int, default=1_000, help="order workbooks (default 1000)")
    args = parser.parse_args()
    files: int = args.files
    check(files > 0 and args.repeat > 0, "--files and --repeat must be positive")
    folder = cached_file(DATA_DIR / f"v{DATA_VERSION}" / f"unknown_product_orders_{files}",
                         lambda p: build_unknown_product_orders(p, files), args.regenerate)
    sources = sorted(folder.glob("*.xlsx"))
    check(len(sources) == files, f"{folder} holds {len(sources)} workbooks")

    with tempfile.TemporaryDirectory(prefix="run-", dir=DATA_DIR) as scratch:
        seed = seed_workspace(Path(scratch) / "seed")
        emails_for_everyone(seed)

        def run(on: bool) -> Measurement:
            def once(index: int) -> Measurement:
                root = copy_workspace(seed, Path(scratch) / f"{'on' if on else 'off'}-{index}",
                                      sources)
                measured = in_child(intake, str(root), on, files)
                check(measured.detail["rejected"] == files, f"not all rejected: {measured}")
                if on:
                    check(measured.detail["mails"] == files,
                          f"{measured.detail['mails']} mails arrived, expected {files}")
                return measured
            return best_of(args.repeat, once)

        off = run(False)
        on = run(True)

    off_row = Row("notifications off ([notify.events] file_rejected = false)", "off", off)
    on_row = Row("notifications on: mail to a local SMTP server, dispatcher beside intake",
                 "on", on)
    print_report(f"notify: {files:,} rejected order workbooks, each telling its salesperson",
                 [off_row, on_row], files, "files", off_row, on_row, TARGET)
    last = on.detail["last_mail"]
    print(f"last mail received {last:.2f} s after the intake started "
          f"(the intake itself took {on.seconds:.2f} s)" if last is not None
          else "the last mail did not arrive")


if __name__ == "__main__":
    main()
