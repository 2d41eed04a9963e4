"""The watcher's log file: one line per file (time, file, kind, status, document, seconds) plus
the package's warnings and errors, rotated by size; the console keeps its own lines."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from sales_sheets.cli import main
from sales_sheets.intake.ingest import IngestResult
from sales_sheets.service.log import log_result, writing_log
from sales_sheets.status import Status
from sales_sheets.workspace import Workspace

from .helpers.config import configure
from .helpers.forms import drop, order_header, query
from .helpers.watching import wait_until

LINE = {"product_code": "P003", "quantity": 1, "unit_price": "460"}
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"


def test_watch_logs_one_line_per_file_to_the_configured_file(loaded: Workspace) -> None:
    ws = configure(loaded, language="en", watch={"stable_seconds": 0.2, "rescan_seconds": 0.5,
                                                 "log_file": "logs/watch.log"})
    process = subprocess.Popen([sys.executable, "-m", "sales_sheets", "watch", "-w",
                                str(ws.root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        drop(ws, "order", "S01/订单 一.xlsx", header=order_header(no="SO-L1"), lines=[LINE])
        drop(ws, "order", "S01/bad.xlsx", header=order_header(no="SO-L2", customer="C999"),
             lines=[LINE])
        wait_until(lambda: len(query(ws, "SELECT id FROM intake WHERE file_name LIKE 'S01/%'"))
                   == 2, "both answers")
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    lines = (ws.root / "logs" / "watch.log").read_text(encoding="utf-8").splitlines()
    assert re.fullmatch(rf"{STAMP} INFO started workspace={re.escape(str(ws.root))} "
                        rf"mode=events pid={process.pid}", lines[0])
    files = sorted(lines[1:3], key=lambda line: "bad" in line)
    assert re.fullmatch(rf'{STAMP} INFO file="S01/订单 一.xlsx" kind=order status=accepted '
                        r"document=SO-L1 seconds=\d+\.\d\d", files[0])
    assert re.fullmatch(rf"{STAMP} INFO file=S01/bad.xlsx kind=order status=rejected "
                        r"document=SO-L2 seconds=\d+\.\d\d", files[1])
    assert re.fullmatch(rf"{STAMP} INFO stopped signal=SIGTERM", lines[3])
    assert len(lines) == 4
    # The console keeps its own lines, none of the log's.
    assert "accepted  S01/订单 一.xlsx  [SO-L1]" in out and "kind=" not in out + err


def test_warnings_and_errors_of_the_package_reach_the_log(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "watch.log"
    with writing_log(path, max_mb=1.0, backups=1):
        logging.getLogger("sales_sheets.intake.ingest").error("ledger unavailable for S01/a.xlsx")
        logging.getLogger("sales_sheets.ledger.leases").warning("heartbeat failed")
        logging.getLogger("sales_sheets.ledger.leases").info("took over a claim")  # not asked for
        logging.getLogger("watchdog").warning("not ours")
    logging.getLogger("sales_sheets.intake.ingest").error("after the log closed")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [line.split(" ", 2)[2] for line in lines] == [
        "ERROR ledger unavailable for S01/a.xlsx", "WARNING heartbeat failed"]


def test_the_log_is_rotated_by_size_keeping_a_few_generations(tmp_path: Path) -> None:
    path = tmp_path / "watch.log"
    with writing_log(path, max_mb=0.001, backups=2):  # about 1 KB a file
        for n in range(60):
            log_result(IngestResult(f"S01/order-{n:02}.xlsx", "order", Status.ACCEPTED,
                                    f"SO-{n:02}", [], seconds=0.25))
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == ["watch.log", "watch.log.1", "watch.log.2"]
    for name in kept:
        assert (tmp_path / name).stat().st_size <= 1100
    newest = path.read_text(encoding="utf-8").splitlines()
    assert newest[-1].endswith("file=S01/order-59.xlsx kind=order status=accepted "
                               "document=SO-59 seconds=0.25")
    older = (tmp_path / "watch.log.1").read_text(encoding="utf-8").splitlines()
    assert older[-1].split("order-")[1][:2] == f"{int(newest[0].split('order-')[1][:2]) - 1:02}"


def test_a_log_file_that_cannot_be_written_is_a_clear_error(loaded: Workspace,
                                                           tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["watch", "-w", str(loaded.root),
                                       "--log-file", str(blocked / "watch.log")])
    assert result.exit_code == 1
    assert f"cannot write the log file {blocked / 'watch.log'}" in result.output
    assert "Traceback" not in result.output
