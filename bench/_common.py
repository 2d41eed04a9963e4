"""Shared pieces of the benchmarks in this folder; not a benchmark itself.

- deterministic sample master data (salespeople, customers, products) and the files carrying it;
- sample workbooks generated once and cached under ``bench/.data/`` (gitignored);
- a "seed" workspace with the master data already ingested, copied for every timed run;
- measurements run in a fresh ``spawn`` child process each, so every one starts from the same
  state and reports its own real peak memory (VmHWM of that child on Linux);
- the printed result table, the machine's load and the versions measured.

The sample workbooks built from the master data are in _samples.py. The synthetic ledger of
bench/report_large.py is the tests' (tests/helpers/synthetic_ledger.py): importing this module
puts the repository root on sys.path, which `python bench/x.py` does not.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing
import os
import platform
import pstats
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

from sales_sheets.forms.kinds import Kind
from sales_sheets.forms.template import FormData, write_form
from sales_sheets.kinds import KINDS
from sales_sheets.workspace import init_workspace

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:  # for `tests.helpers`; appended, so the installed package wins
    sys.path.append(str(ROOT))
DATA_DIR = BENCH_DIR / ".data"
# Bump when a generator changes, so that files cached by an older version are not reused.
DATA_VERSION = 1

N_SALESPEOPLE = 10
N_CUSTOMERS = 200
N_PRODUCTS = 50
MASTER_DATE = date(2026, 1, 5)
LANGUAGE = "zh"

T = TypeVar("T")


class BenchError(RuntimeError):
    """A benchmark run did not do what it must (a file not accepted, rows missing)."""


def check(condition: bool, message: str) -> None:
    """Like assert, but survives ``python -O`` and says what went wrong."""
    if not condition:
        raise BenchError(message)


def bench_arguments(
    doc: str | None,
    repeat: str = "run every measurement this many times and keep the fastest",
    regenerate: str = "rebuild the cached workbooks",
) -> argparse.ArgumentParser:
    """The command line every benchmark has: described by the first line of its docstring,
    `--repeat` and `--regenerate`; the benchmark adds its size and the rest."""
    parser = argparse.ArgumentParser(description=(doc or "").partition("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help=repeat)
    parser.add_argument("--regenerate", action="store_true", help=regenerate)
    return parser


# --- master data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Customer:
    code: str
    salesperson: str


@dataclass(frozen=True)
class Product:
    code: str
    list_price: Decimal


@dataclass(frozen=True)
class Master:
    salespeople: tuple[str, ...]
    customers: tuple[Customer, ...]
    products: tuple[Product, ...]


def master_data() -> Master:
    salespeople = tuple(f"S{i:02d}" for i in range(1, N_SALESPEOPLE + 1))
    customers = tuple(
        Customer(f"C{i:04d}", salespeople[i % N_SALESPEOPLE]) for i in range(1, N_CUSTOMERS + 1)
    )
    products = tuple(
        Product(f"P{i:03d}", Decimal(10 + 7 * i) + Decimal("0.50"))
        for i in range(1, N_PRODUCTS + 1)
    )
    return Master(salespeople, customers, products)


def _region(index: int) -> str:
    return ("华东", "华南", "华北", "西南", "东北")[index % 5]


def write_master_files(folder: Path, master: Master) -> list[Path]:
    """The three master-data workbooks, written with the library's own form writer."""
    salespeople = FormData(lines=[
        {"code": code, "name": f"业务员{i}", "region": _region(i)}
        for i, code in enumerate(master.salespeople)
    ])
    products = FormData(lines=[
        {"code": p.code, "name": f"产品{p.code}", "spec": "标准", "unit": "台",
         "list_price": str(p.list_price)}
        for p in master.products
    ])
    customers = FormData(lines=[
        {"code": c.code, "name": f"客户{c.code}有限公司", "region": _region(i),
         "salesperson": c.salesperson, "credit_limit": None, "payment_days": 30,
         "created": MASTER_DATE}
        for i, c in enumerate(master.customers)
    ])
    return [
        write_form(folder / "salespeople.xlsx", KINDS["salespeople"], LANGUAGE, data=salespeople),
        write_form(folder / "products.xlsx", KINDS["products"], LANGUAGE, data=products),
        write_form(folder / "customers.xlsx", KINDS["customers"], LANGUAGE, data=customers),
    ]


def bench_config(contracts: bool) -> str:
    """The shipped config.toml with `pdf = false` (LibreOffice takes seconds per document and
    would measure LibreOffice); with `contracts=False` also without contracts and invoice
    notices (the other paper of an accepted order)."""
    from sales_sheets.config import CONFIG_TEMPLATE

    config = CONFIG_TEMPLATE.replace("\npdf = true\n", "\npdf = false\n")
    check(config != CONFIG_TEMPLATE, "the config template no longer says `pdf = true`")
    if not contracts:
        config = config.replace("\ncontracts = true\n", "\ncontracts = false\n")
        config = config.replace("\ninvoices = true\n", "\ninvoices = false\n")
    return config


def seed_workspace(root: Path, contracts: bool = False) -> Path:
    """A workspace whose ledger already holds the master data (all three files accepted).
    Contracts and invoice notices are off unless asked for: the ingest benchmarks measure read,
    validate and store (contracts have their own benchmark, bench/contracts.py); PDFs are always
    off (`bench_config`). A config.toml already in `root` is kept."""
    from sales_sheets.intake.ingest import process_inbox

    root.mkdir(parents=True, exist_ok=True)
    if not (root / "config.toml").exists():
        (root / "config.toml").write_text(bench_config(contracts), encoding="utf-8")
    workspace = init_workspace(root)
    write_master_files(workspace.inbox, master_data())
    results = process_inbox(workspace)
    statuses = {r.file: r.status for r in results}
    check(len(results) == 3 and set(statuses.values()) == {"accepted"},
          f"master data not accepted: {[(r.file, r.status, r.problems[:3]) for r in results]}")
    return workspace.root


def poll_until(done: Callable[[], bool], what: str, timeout: float, poll: float,
               dead: Callable[[], str] = lambda: "") -> float:
    """Ask `done()` every `poll` seconds until it says yes; the perf_counter time it did. Fails
    when `dead()` names something that died (a watcher the wait depends on) or after
    `timeout` seconds."""
    deadline = time.perf_counter() + timeout
    while True:
        now = time.perf_counter()
        if done():
            return now
        died = dead()
        check(not died, f"{died} while waiting for {what}")
        check(now < deadline, f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(poll)


def copy_workspace(seed: Path, target: Path, files: Sequence[Path]) -> Path:
    """A copy of the seed workspace with `files` dropped into its inbox."""
    shutil.copytree(seed, target)
    inbox = target / "inbox"
    for path in files:
        shutil.copy(path, inbox / path.name)  # not copy2: a fresh mtime, like a real drop
    return target


def count_rows(root: Path, sql: str) -> int:
    with sqlite3.connect(root / "ledger.sqlite") as conn:
        return int(conn.execute(sql).fetchone()[0])


def check_rows(root: Path, table: str, expected: int) -> None:
    stored = count_rows(root, f"SELECT count(*) FROM {table}")
    check(stored == expected, f"{table} table has {stored} rows, expected {expected}")


# --- cached sample files -----------------------------------------------------------------------


def cached_file(path: Path, build: Callable[[Path], object], regenerate: bool) -> Path:
    """`path` (a file or a folder), built by `build(path)` unless it is already there.

    It is built under a temporary name and renamed, so an interrupted build is never reused."""
    if path.exists() and not regenerate:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    for stale in (partial, path):
        if stale.is_dir():
            shutil.rmtree(stale)
        else:
            stale.unlink(missing_ok=True)
    started = time.perf_counter()
    print(f"generating {path.relative_to(BENCH_DIR.parent)} ...", end=" ", flush=True)
    build(partial)
    partial.rename(path)
    print(f"{time.perf_counter() - started:.1f} s", flush=True)
    return path


def table_header_row(kind: Kind) -> int:
    """0-based sheet row of the line table's column labels in a form from `write_form`:
    title, note, one row per header field and a blank row after them."""
    return 2 + len(kind.header) + (1 if kind.header else 0)


def data_sheet(kind: Kind) -> str:
    """The visible sheet that carries the form in a workbook from `write_form`."""
    return kind.title(LANGUAGE)[:31]


def start_date(days: int) -> date:
    return date(2026, 11, 1) + timedelta(days=days)


# --- measurements in child processes -----------------------------------------------------------


@dataclass
class Measurement:
    seconds: float
    # resident-set peak of the child in KiB: after its imports, and at the end
    base_rss_kib: int
    peak_rss_kib: int
    detail: dict[str, Any] = field(default_factory=dict)
    # CPU seconds of the child over the same span (all its threads): on a machine shared with
    # other work, wall time stretches with the load and this much less.
    cpu_seconds: float | None = None


_PROC_STATUS = Path("/proc/self/status")


def peak_rss_kib(pid: int | None = None) -> int:
    """The resident-set peak so far of process `pid` (by default this one), in KiB.

    Linux: VmHWM, the high-water mark of that process image. Not ru_maxrss (nor RUSAGE_CHILDREN
    in the parent, which reads the same number): Linux carries ru_maxrss over fork and exec, so
    a child started from a parent that has grown (generating the 100k workbook) would report the
    parent's size. Elsewhere ru_maxrss of this process, the best there is."""
    status = _PROC_STATUS if pid is None else Path(f"/proc/{pid}/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    check(pid is None, f"no VmHWM for process {pid}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss  # bytes on macOS, KiB on Linux


def peak_rss_source() -> str:
    return "VmHWM from /proc" if _PROC_STATUS.exists() else "ru_maxrss"


def in_child(function: Callable[..., T], *args: object) -> T:
    """Run `function(*args)` in a fresh interpreter (spawn, not fork: no inherited memory)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def best_of(repeat: int, run: Callable[[int], Measurement]) -> Measurement:
    """The fastest of `repeat` runs of `run(i)`; every run's time is kept in `detail["runs"]`."""
    runs = [run(i) for i in range(repeat)]
    best = min(runs, key=lambda m: m.seconds)
    best.detail["runs"] = [m.seconds for m in runs]
    return best


def pandas_read(paths: list[str], sheet: str, header: int, engine: str) -> Measurement:
    """Child: `pandas.read_excel` every file (and `pandas.concat` them when there are several)."""
    import pandas as pd

    base = peak_rss_kib()
    started, cpu = time.perf_counter(), time.process_time()
    frames = [pd.read_excel(path, sheet_name=sheet, header=header, engine=engine)
              for path in paths]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Measurement(seconds, base, peak_rss_kib(),
                       {"rows": len(frame), "columns": [str(c) for c in frame.columns]}, cpu)


def ingest(root: str, profile_to: str | None = None) -> Measurement:
    """Child: `process_inbox` on the workspace at `root`, optionally under cProfile, as the
    `process` command runs it: with the garbage collector paused around each file."""
    from sales_sheets.intake.collector import collector_paused
    from sales_sheets.intake.ingest import process_inbox
    from sales_sheets.workspace import open_workspace

    workspace = open_workspace(root)
    base = peak_rss_kib()
    results, seconds, cpu = timed(
        lambda: process_inbox(workspace, around_file=collector_paused), profile_to,
        "process_inbox")
    statuses = Counter(r.status for r in results)
    failed = [(r.file, r.status, [str(p.as_dict("en")) for p in r.problems[:3]])
              for r in results if r.status != "accepted"][:5]
    return Measurement(seconds, base, peak_rss_kib(),
                       {"statuses": dict(statuses), "failed": failed}, cpu)


def timed(call: Callable[[], T], profile_to: str | None, what: str) -> tuple[T, float, float]:
    """`call()` and the wall and CPU seconds it took; under cProfile when `profile_to` names a
    file, which then gets the top 25 functions by cumulative and by own time."""
    profiler = cProfile.Profile() if profile_to else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    result = call()
    if profiler:
        profiler.disable()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler and profile_to:
        _write_profile(profiler, Path(profile_to), seconds, what)
    return result, seconds, cpu


def ingest_copy(seed: Path, target: Path, files: Sequence[Path],
                statuses: dict[str, int] | None = None,
                profile_to: Path | None = None) -> tuple[Path, Measurement]:
    """`ingest` in a child on a copy of `seed` at `target` with `files` in its inbox: the copy and
    the measurement. With `statuses` ({"accepted": 3}), the files must have come out so."""
    root = copy_workspace(seed, target, files)
    measured = in_child(ingest, str(root), None if profile_to is None else str(profile_to))
    check(statuses is None or measured.detail["statuses"] == statuses,
          f"{target.name}: expected {statuses}, got {measured.detail}")
    return root, measured


def command(argv: Sequence[str], env: dict[str, str] | None = None,
            cwd: Path | None = None) -> Measurement:
    """`argv` run as a whole process, as a user runs it: interpreter start-up, imports and
    everything it prints (read from a pipe, as a terminal would take it) included. Its peak
    memory is the child's own maximum resident set (ru_maxrss from wait4). `env` and `cwd`
    as subprocess takes them (default: this process's)."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                             cwd=cwd)
    out = child.stdout
    assert out is not None
    printed = sum(len(chunk) for chunk in iter(lambda: out.read(1 << 16), b""))
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Measurement(seconds, 0, usage.ru_maxrss,
                       {"exit": child.returncode, "printed": printed}, cpu)


def archived(revision: str) -> Path:
    """The tree of git `revision`, extracted once under bench/.data/ (not a worktree)."""
    sha = subprocess.run(["git", "rev-parse", revision], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    folder = DATA_DIR / f"tree-{sha[:12]}"
    if not folder.exists():
        partial = folder.with_name(f".{folder.name}.partial")
        partial.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", sha, "sales_sheets"], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(partial)], input=archive, check=True)
        partial.rename(folder)
    return folder


def sales_sheets_command() -> list[str]:
    """The installed `sales-sheets` command, beside this interpreter."""
    found = shutil.which("sales-sheets", path=str(Path(sys.executable).parent))
    check(found is not None, "the sales-sheets command is not installed beside this Python")
    return [str(found)]


def _write_profile(profiler: cProfile.Profile, path: Path, seconds: float, what: str) -> None:
    out = io.StringIO()
    out.write(f"cProfile of {what}, {seconds:.2f} s under the profiler "
              f"({' '.join(sys.argv) or 'child'}; {datetime.now():%Y-%m-%d %H:%M})\n\n")
    for key in ("cumulative", "tottime"):
        out.write(f"==== top 25 by {key} ====\n")
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(key).print_stats(25)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8")


# --- report ------------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    short: str  # the name used in the ratio line
    measurement: Measurement


# What writes a contract, and the watcher that triggers it (contracts.py, approvals.py).
CONTRACT_PACKAGES = ("docxtpl", "python-docx", "Jinja2", "lxml", "SQLAlchemy", "watchdog")


def versions(*names: str) -> str:
    """The installed version of each distribution named: "pandas 2.3.1, ..."."""
    return ", ".join(f"{name} {version(name)}" for name in names)


def environment() -> str:
    packages = versions("pandas", "openpyxl", "python-calamine", "sales-sheets")
    return f"Python {platform.python_version()} on {platform.machine()}; {packages}"


def load(cpus: bool = True) -> str:
    """The load average (other work on a shared machine stretches wall times)."""
    one, five, fifteen = os.getloadavg()
    return (f"load average {one:.2f} {five:.2f} {fifteen:.2f}"
            + (f" on {os.cpu_count()} CPUs" if cpus else ""))


def mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def print_report(
    title: str,
    rows: Sequence[Row],
    count: int,
    unit: str,
    pandas_row: Row,
    our_row: Row,
    target: float,
) -> None:
    """The table, then the ratio pandas time / our time against the target."""
    print_table(title, rows, count, unit)
    ratio = pandas_row.measurement.seconds / our_row.measurement.seconds
    verdict = "meets target" if ratio >= target else "BELOW TARGET"
    print(f"ratio {pandas_row.short} / {our_row.short} = {ratio:.2f}x   "
          f"target >= {target:g}x   {verdict}")
    print_notes(rows)


def print_table(title: str, rows: Sequence[Row], count: int, unit: str) -> None:
    """The title, the environment and one line per measurement, closed by a rule."""
    print()
    print(title)
    print(environment())
    print()
    print_rows(rows, count, unit, cpu=all(r.measurement.cpu_seconds is not None for r in rows))


def print_rows(rows: Sequence[Row], count: int, unit: str, *, cpu: bool = False,
               each: bool = False, rate_width: int = 11) -> None:
    """One line per measurement between two rules: its time, with `cpu` its CPU seconds, `unit`
    per second over `count` of them, with `each` milliseconds per one, and its memory."""
    width = max(len(r.label) for r in rows)
    header = (f"{'measurement':<{width}}  {'time':>9}  " + (f"{'CPU':>9}  " if cpu else "")
              + f"{unit + '/s':>{rate_width}}  " + (f"{'ms each':>7}  " if each else "")
              + f"{'RSS after imports':>17}  {'peak RSS':>9}")
    print(header)
    rule = "-" * (len(header) + 2)
    print(rule)
    for row in rows:
        m = row.measurement
        print(f"{row.label:<{width}}  {m.seconds:>7.2f} s  "
              + (f"{m.cpu_seconds or 0:>7.2f} s  " if cpu else "")
              + f"{count / m.seconds:>{rate_width},.0f}  "
              + (f"{1000 * m.seconds / count:>7.1f}  " if each else "")
              + f"{mib(m.base_rss_kib):>17}  {mib(m.peak_rss_kib):>9}")
    print(rule)


def print_runs(rows: Sequence[Row]) -> None:
    """Every run's time of each measurement, when there were several."""
    runs = [(row.short, row.measurement.detail.get("runs", [])) for row in rows]
    if any(len(times) > 1 for _, times in runs):
        print("best of " + "; ".join(
            f"{short} {', '.join(f'{t:.2f}' for t in times)}" for short, times in runs))


def print_notes(rows: Sequence[Row]) -> None:
    """Every run's time when there were several, and what RSS means."""
    print_runs(rows)
    print(f"RSS = resident-set peak ({peak_rss_source()}) of a fresh spawned child process that "
          "ran only that")
    print("      measurement; interpreter and imports included. Times exclude both.")
