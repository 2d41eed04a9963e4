"""Benchmark: one ledger, several watchers. The same 1,000 small orders through real
`sales-sheets watch` processes on SQLite, on PostgreSQL, and with two watchers on PostgreSQL.

Run from the repository root (a PostgreSQL server must be reachable; by default the local one on
127.0.0.1:5432 with trust auth, or SALES_SHEETS_BENCH_POSTGRES, a SQLAlchemy URL of a database
whose user may CREATE DATABASE):

    python bench/shared_ledger.py                 # the issue size, 1,000 orders
    python bench/shared_ledger.py --orders 50     # a quick smoke run
    python bench/shared_ledger.py --repeat 3      # best of three runs of each measurement

The order workbooks are those of ingest_many.py (1-5 lines each, spread at random over the 200
customers as a real month's are, all accepted and none held; generated once and cached under
bench/.data/). Each measurement starts from nothing:

- a fresh workspace with the shipped config.toml except `pdf = false` (so contracts and invoice
  notices are written, LibreOffice is not measured), its master data stored by `process_inbox`;
  on PostgreSQL its `database.url` names a fresh database made for it on the server (dropped
  afterwards);
- the watcher(s) started as `sales-sheets watch -w WS` subprocesses. Two watchers run on the same
  workspace, as two machines mounting one share would: one inbox, one outbox, one ledger. Once
  every watcher has registered in the ledger (and a settling pause), start-up is over;
- the orders, copied beforehand to a staging folder on the same disk, are renamed into the inbox
  all at once; the clock runs from the first rename until the ledger holds an intake row for
  every order (polled every 0.2 s);
- the watchers are stopped with SIGTERM, and the run is checked: one intake row per file, every
  one accepted, as many orders stored and contracts on disk, nothing left in the inbox.

It prints files/s of each, the peak memory of the watcher processes (VmHWM from /proc, at the
drop and at the end; the larger of two watchers), how the files were shared between two
watchers, and two ratios against their targets: two PostgreSQL watchers against one (>= 1.3x
faster), and one PostgreSQL watcher against SQLite (at most 1.5x slower). The load average is
printed too: other work on the machine shifts these numbers. A miss is printed, not raised:
this is not a test.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from _common import (
    DATA_DIR,
    Measurement,
    bench_arguments,
    bench_config,
    best_of,
    check,
    environment,
    load,
    mib,
    peak_rss_kib,
    peak_rss_source,
    poll_until,
    seed_workspace,
    versions,
)
from _samples import order_files
from sqlalchemy import Engine, create_engine, make_url, text

from sales_sheets.workspace import open_workspace

SERVER = os.environ.get("SALES_SHEETS_BENCH_POSTGRES",
                        "postgresql+psycopg://127.0.0.1:5432/postgres")
SCRIPT = Path(sys.executable).with_name("sales-sheets")
TARGET_TWO = 1.3  # two PostgreSQL watchers at least this much faster than one
TARGET_PG = 1.5  # one PostgreSQL watcher at most this much slower than SQLite
POLL = 0.2  # how often the ledger is asked how many files it holds
# After every watcher registered: its observer starts and its first rescan of the (empty) inbox
# runs just after the registration; this leaves them time to, so no drop arrives unwatched.
SETTLE = 1.0
MASTER_FILES = 3
SQLITE_URL = 'url = "sqlite:///ledger.sqlite"'


@dataclass(frozen=True)
class Setup:
    label: str
    short: str
    dialect: str  # "sqlite" or "postgresql"
    watchers: int


SETUPS = (
    Setup("one watcher, SQLite", "sqlite", "sqlite", 1),
    Setup("one watcher, PostgreSQL", "pg x1", "postgresql", 1),
    Setup("two watchers, PostgreSQL, one inbox", "pg x2", "postgresql", 2),
)


# --- ledgers and workspaces --------------------------------------------------------------------


def _admin(sql: str) -> None:
    # CREATE and DROP DATABASE refuse to run inside a transaction.
    engine = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database on the server; dropped afterwards."""
    name = f"sales_sheets_bench_{secrets.token_hex(4)}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        # FORCE: a watcher that did not stop cleanly may still hold a connection.
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def ledger_url(dialect: str) -> Iterator[str | None]:
    """None for the workspace's own SQLite file, else a fresh PostgreSQL database."""
    if dialect == "sqlite":
        yield None
        return
    with fresh_database() as url:
        yield url


def make_workspace(root: Path, url: str | None) -> Path:
    """A workspace on the shipped config with `pdf = false` (and `url` as its ledger), master
    data stored."""
    root.mkdir(parents=True)
    config = bench_config(contracts=True)
    if url is not None:
        check(SQLITE_URL in config, f"the config template no longer says {SQLITE_URL}")
        config = config.replace(SQLITE_URL, f'url = "{url}"')
    (root / "config.toml").write_text(config, encoding="utf-8")
    return seed_workspace(root)


def scalar(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


# --- watcher processes -------------------------------------------------------------------------


def start_watcher(root: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the child keeps its own descriptor
        return subprocess.Popen([str(SCRIPT), "watch", "-w", str(root)],
                                stdout=out, stderr=subprocess.STDOUT)


def stop_watchers(processes: Sequence[subprocess.Popen[bytes]]) -> list[int | None]:
    """SIGTERM (a clean stop: the watcher frees its claims) and their exit codes."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    codes: list[int | None] = []
    for process in processes:
        try:
            codes.append(process.wait(timeout=60))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            codes.append(None)
    return codes


def wait_for(condition: Callable[[], bool], what: str, timeout: float,
             processes: Sequence[subprocess.Popen[bytes]], logs: Sequence[Path]) -> None:
    def dead() -> str:
        exited = [(p.pid, p.returncode, log.read_text(errors="replace")[-2000:])
                  for p, log in zip(processes, logs, strict=True) if p.poll() is not None]
        return f"a watcher exited ({exited})" if exited else ""

    poll_until(condition, what, timeout, POLL, dead)


# --- one measurement ---------------------------------------------------------------------------


def measure(setup: Setup, sources: Sequence[Path], scratch: Path, run: int) -> Measurement:
    """Drop `sources` at once into a fresh workspace served by `setup.watchers` watchers; the
    time until the ledger holds every one, then the checks."""
    files = len(sources)
    with ledger_url(setup.dialect) as url:
        root = make_workspace(scratch / f"{setup.dialect}-{setup.watchers}-{run}", url)
        inbox = open_workspace(root).inbox
        engine = create_engine(open_workspace(root).database_url)
        staging = root.parent / f"{root.name}-staging"
        staging.mkdir()
        staged = [Path(shutil.copy(path, staging / path.name)) for path in sources]
        logs = [root.parent / f"{root.name}-watcher-{n}.log" for n in range(setup.watchers)]
        load_before = load()
        processes = [start_watcher(root, log) for log in logs]
        try:
            wait_for(lambda: scalar(engine, "SELECT count(*) FROM watchers WHERE command = "
                                            "'watch' AND stopped_at IS NULL") == setup.watchers,
                     "the watchers to register", 60, processes, logs)
            time.sleep(SETTLE)
            base = max(peak_rss_kib(p.pid) for p in processes)
            started = time.perf_counter()
            for path in staged:
                os.replace(path, inbox / path.name)  # arrives complete, as Excel saves
            wait_for(lambda: scalar(engine, "SELECT count(*) FROM intake")
                     >= files + MASTER_FILES,
                     f"{files} intake rows", max(120.0, files * 1.0), processes, logs)
            seconds = time.perf_counter() - started
            peak = max(peak_rss_kib(p.pid) for p in processes)
        finally:
            codes = stop_watchers(processes)
        check(codes == [0] * setup.watchers, f"watchers exited with {codes}")
        detail = verify(engine, root, sources)
        engine.dispose()
    detail["load"] = load_before
    return Measurement(seconds, base, peak, detail)


def verify(engine: Engine, root: Path, sources: Sequence[Path]) -> dict[str, object]:
    """Every order answered once and accepted, stored, its contract on disk; the watchers' share
    of the files."""
    files = len(sources)
    names = {path.name for path in sources}
    with engine.connect() as conn:
        rows = [(str(name), str(status)) for name, status in conn.execute(
            text("SELECT file_name, status FROM intake"))]
        shares = sorted((int(n) for (n,) in conn.execute(
            text("SELECT files_done FROM watchers WHERE command = 'watch'"))), reverse=True)
    answered = Counter(name for name, _ in rows if name in names)
    check(set(answered) == names and set(answered.values()) == {1},
          f"not every file answered exactly once: {len(answered)} files, "
          f"{sum(answered.values())} rows")
    statuses = Counter(status for name, status in rows if name in names)
    check(statuses == Counter({"accepted": files}), f"not every order accepted: {statuses}")
    orders = scalar(engine, "SELECT count(*) FROM orders")
    check(orders == files, f"orders table has {orders} rows, expected {files}")
    contracts = len(list((root / "outbox" / "contracts").rglob("*.docx")))
    check(contracts == files, f"{contracts} contracts on disk, expected {files}")
    left = [p for p in (root / "inbox").rglob("*") if p.is_file()]
    check(not left, f"files left in the inbox or claimed: {left[:5]}")
    check(sum(shares) == files, f"the watchers report {shares} files done, expected {files}")
    return {"shares": shares}


# --- report ------------------------------------------------------------------------------------


def print_report(files: int, folder: str, rows: Sequence[tuple[Setup, Measurement]]) -> None:
    print()
    print(f"shared_ledger: {files:,} order workbooks ({folder}) dropped at once into the inbox "
          "of `sales-sheets watch`; contracts and invoice notices on, PDF off")
    print(environment())
    print(f"{versions('SQLAlchemy', 'psycopg')}; "
          f"{server_version()}")
    print()
    width = max(len(setup.label) for setup, _ in rows)
    print(f"{'measurement':<{width}}  {'time':>9}  {'files/s':>8}  {'RSS at drop':>11}  "
          f"{'peak RSS':>9}  {'files per watcher':>17}  load before (1/5/15 min)")
    print("-" * (width + 90))
    for setup, m in rows:
        shares = "/".join(str(n) for n in m.detail["shares"])
        print(f"{setup.label:<{width}}  {m.seconds:>7.2f} s  {files / m.seconds:>8.1f}  "
              f"{mib(m.base_rss_kib):>11}  {mib(m.peak_rss_kib):>9}  {shares:>17}  "
              f"{m.detail['load']}")
    print("-" * (width + 90))
    seconds = {setup.short: m.seconds for setup, m in rows}
    two = seconds["pg x1"] / seconds["pg x2"]
    pg = seconds["pg x1"] / seconds["sqlite"]
    print(f"ratio pg x2 / pg x1 files/s = {two:.2f}x   target >= {TARGET_TWO:g}x   "
          f"{'meets target' if two >= TARGET_TWO else 'BELOW TARGET'}")
    print(f"ratio sqlite / pg x1 files/s = {pg:.2f}x   target <= {TARGET_PG:g}x   "
          f"{'meets target' if pg <= TARGET_PG else 'ABOVE TARGET'}")
    runs = [(setup.short, m.detail.get("runs", [])) for setup, m in rows]
    if any(len(times) > 1 for _, times in runs):
        print("best of " + "; ".join(
            f"{short} {', '.join(f'{t:.2f}' for t in times)}" for short, times in runs))
    print(f"RSS = resident-set peak ({peak_rss_source()}) of the watcher process (the larger of "
          "two), at the drop and at the end.")
    print(f"Times run from the first file's arrival to the last intake row (polled every {POLL} s),"
          " start-up excluded.")
    print("Every run checked: each file answered once and accepted, every order stored, every "
          "contract on disk.")

def server_version() -> str:
    engine = create_engine(SERVER)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar_one()).join(
                ("PostgreSQL ", f" at {make_url(SERVER).host}"))
    finally:
        engine.dispose()


def main() -> None:
    parser = bench_arguments(__doc__)
    parser.add_argument("--orders", type=int, default=1_000, help="order workbooks (default 1000)")
    args = parser.parse_args()
    check(args.orders > 0 and args.repeat > 0, "--orders and --repeat must be positive")

    sources = order_files(args.orders, args.regenerate)
    print(f"before: {load()}", flush=True)
    rows: list[tuple[Setup, Measurement]] = []
    with tempfile.TemporaryDirectory(prefix="run-", dir=DATA_DIR) as scratch:
        for setup in SETUPS:
            print(f"{setup.label} ...", end=" ", flush=True)
            best = best_of(args.repeat, partial(measure, setup, sources, Path(scratch)))
            print(f"{best.seconds:.2f} s", flush=True)
            rows.append((setup, best))
    print_report(args.orders, sources[0].parent.name, rows)


if __name__ == "__main__":
    main()
