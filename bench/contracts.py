"""Benchmark: sales contracts rendered from the ledger, and drop-to-contract latency of `watch`.

Run from the repository root:

    python bench/contracts.py                          # 1,000 contracts, 50 drops per mode
    python bench/contracts.py --orders 50 --drops 5    # a quick smoke run
    python bench/contracts.py --repeat 3               # best of three rendering runs
    python bench/contracts.py --skip-watch             # only part 1
    python bench/contracts.py --skip-render            # only part 2
    python bench/contracts.py --skip-render --trace    # part 2, then where its time goes
    python bench/contracts.py --skip-render --gap 0.6  # drops spaced 0.6 s after each finish

Every workspace here has `[documents] pdf = false` (LibreOffice takes seconds per document and
would measure LibreOffice) and otherwise the shipped config.toml, so `[watch]` has its defaults.

1. Contracts per second. The order workbooks of ingest_many.py (1-5 lines each, all accepted;
   generated once and cached under bench/.data/, shared with that benchmark) are processed with
   `process_inbox`, which stores them and renders each contract. Then, each in a fresh child
   process (see _common.py), it times
   - ours: `write_contract(ws, order_facts(ws, books, document_id))` for every row of
     `SELECT document_id FROM orders`, i.e. ledger queries, context, docxtpl render in the
     Jinja sandbox and atomic save (the first contract prepares the template, the others render
     from it without opening it: sales_sheets/documents/prepared.py);
   - the floor any .docx generation pays: python-docx opening the workspace's contract template
     and saving it, as many times;
   and prints contracts/s of both and the ratio. The re-rendered contracts must have the same
   content (every zip part) as the ones written at ingest.
2. Latency under the real watcher: `sales-sheets watch` as a subprocess on a workspace holding
   only the master data. Order files are dropped one at a time into inbox/; the time from the
   drop to the moment `outbox/contracts/<customer>/<order_no>.docx` exists (polled every 5 ms)
   is one latency. The next file is dropped once the watcher has finished the previous one
   (contract written and the original archived; plus --gap seconds), so no drop queues behind
   another file's processing. Two modes:
   - replace: the way Excel saves: the bytes go to an extension-less temp name in the inbox, then
     `os.replace` to the final .xlsx name (t0 just before the replace);
   - copy: `shutil.copyfile` straight to the final name, a writer the watcher must wait for
     (t0 just before the copy starts): the close event or the stability window decides.
   One unmeasured drop per mode goes first (the watcher's first file pays lazy set-up); it is
   shown apart. Median, p90 and max are printed against the target median < 0.5 s.

With --trace, part 2 is repeated with the watcher in a thread of a spawned child whose
watcher/ingest functions are wrapped to log a timestamp at every step (event seen, file ready,
claimed, read, validated and inserted, committed, contract written, archived), on the same
monotonic clock as the drops; the median time of every step is printed.

A miss is printed, not raised: this is not a test.
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from _common import (
    CONTRACT_PACKAGES,
    DATA_DIR,
    Measurement,
    Row,
    bench_arguments,
    best_of,
    check,
    check_rows,
    copy_workspace,
    count_rows,
    environment,
    in_child,
    ingest_copy,
    load,
    peak_rss_kib,
    peak_rss_source,
    poll_until,
    print_rows,
    print_runs,
    seed_workspace,
    versions,
)
from _samples import order_files

from sales_sheets.config import Watch

TARGET_MEDIAN = 0.5  # seconds from drop to contract
POLL = 0.005  # how often the drop loop looks for the contract
TIMEOUT = 60.0  # a drop whose contract takes longer than this fails the run
MODES = ("replace", "copy")


# --- part 1: contracts per second --------------------------------------------------------------


def rerender(root: str) -> Measurement:
    """Child: write_contract for every stored order, from the ledger."""
    from sqlalchemy import text

    from sales_sheets.documents.contract import order_facts, write_contract
    from sales_sheets.ledger import Books
    from sales_sheets.ledger.database import ledger_of
    from sales_sheets.workspace import open_workspace

    workspace = open_workspace(root)
    base = peak_rss_kib()
    with ledger_of(workspace).connect() as conn:
        ids = [int(row[0]) for row in conn.execute(text("SELECT document_id FROM orders"))]
        books = Books(conn)
        started = time.perf_counter()
        paths = [write_contract(workspace, order_facts(workspace, books, document_id))
                 for document_id in ids]
        seconds = time.perf_counter() - started
    return Measurement(seconds, base, peak_rss_kib(),
                       {"contracts": len(ids), "paths": [str(p) for p in paths]})


def docx_baseline(template: str, folder: str, count: int) -> Measurement:
    """Child: python-docx opens the template and saves it, `count` times."""
    from docx import Document

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    base = peak_rss_kib()
    started = time.perf_counter()
    for number in range(count):
        Document(template).save(str(out / f"{number}.docx"))
    seconds = time.perf_counter() - started
    return Measurement(seconds, base, peak_rss_kib(), {"files": count})


def docx_parts(path: Path) -> dict[str, bytes]:
    """The contents of every part of a .docx (a zip also stores the time it was written)."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def contract_files(root: Path) -> list[Path]:
    return sorted((root / "outbox" / "contracts").rglob("*.docx"))


def run_render(scratch: Path, seed: Path, sources: list[Path], repeat: int) -> None:
    count = len(sources)
    root, first = ingest_copy(seed, scratch / "render", sources, {"accepted": count})
    check_rows(root, "orders", count)
    lines = count_rows(root, "SELECT count(*) FROM order_lines")
    written = contract_files(root)
    check(len(written) == count, f"{len(written)} contracts after ingest, expected {count}")
    at_ingest = {path: docx_parts(path) for path in written}

    ours = best_of(repeat, lambda _: in_child(rerender, str(root)))
    paths = sorted(Path(p) for p in ours.detail["paths"])
    check(len(ours.detail["paths"]) == count and paths == written,
          "write_contract did not write exactly the contracts written at ingest")
    same = sum(docx_parts(path) == parts for path, parts in at_ingest.items())
    check(same == count, f"only {same} of {count} re-rendered contracts equal the first ones")

    template = root / "templates" / "contract.docx"
    baseline = best_of(repeat, lambda run: in_child(
        docx_baseline, str(template), str(scratch / f"baseline-{run}"), count))

    rows = [
        Row("ingest + render: process_inbox (for reference)", "ingest", first),
        Row("ours: write_contract from the ledger", "ours", ours),
        Row("baseline: python-docx open template + save", "baseline", baseline),
    ]
    print()
    print(f"contracts: {count:,} accepted orders, {lines:,} lines; template {template.name} "
          f"({template.stat().st_size:,} bytes); pdf = false")
    print(environment())
    print(versions(*CONTRACT_PACKAGES))
    print(load())
    print()
    print_rows(rows, count, "contracts", each=True)
    ratio = ours.seconds / baseline.seconds
    print(f"ratio ours / baseline = {ratio:.2f}x the time of the bare python-docx open + save "
          f"({1000 * (ours.seconds - baseline.seconds) / count:.1f} ms more per contract)")
    print_runs(rows[1:])
    print(f"check: {count:,} re-rendered contracts, each with the same content (all zip parts) "
          "as the one written at ingest")
    print(f"RSS = resident-set peak ({peak_rss_source()}) of a fresh spawned child process per "
          "measurement; times exclude interpreter start and imports.")


# --- part 2: latency under watch ---------------------------------------------------------------


@dataclass(frozen=True)
class Drop:
    source: Path
    data: bytes
    contract: Path  # relative to the workspace


def plan_drops(sources: Sequence[Path]) -> list[Drop]:
    """Each file's bytes and where its contract will be, from the file as the library reads it."""
    from sales_sheets.config import Limits
    from sales_sheets.forms.form import normalize_form
    from sales_sheets.forms.reader import read_form
    from sales_sheets.kinds import KINDS

    drops = []
    for source in sources:
        form = read_form(source, Limits(), KINDS).form
        check(form is not None, f"{source} cannot be read")
        assert form is not None
        document, problems = normalize_form(form)
        check(not problems, f"{source}: {problems}")
        header = document.header
        contract = Path("outbox", "contracts", header["customer_code"],
                        f"{header['order_no']}.docx")
        drops.append(Drop(source, source.read_bytes(), contract))
    return drops


def wait_for(done: Callable[[], bool], what: str, alive: Callable[[], bool],
             timeout: float = TIMEOUT) -> float:
    """Poll every POLL seconds until done(); the perf_counter time at which it was seen."""
    return poll_until(done, what, timeout, POLL, lambda: "" if alive() else "the watcher died")


def drop_file(inbox: Path, drop: Drop, mode: str) -> float:
    """Put the file into the inbox; returns t0."""
    final = inbox / drop.source.name
    if mode == "replace":
        temp = inbox / uuid.uuid4().hex[:8].upper()  # Excel's temp files have no extension
        temp.write_bytes(drop.data)
        started = time.perf_counter()
        os.replace(temp, final)
    else:
        started = time.perf_counter()
        shutil.copyfile(drop.source, final)
    return started


def finished(root: Path, drop: Drop) -> Callable[[], bool]:
    """True once the watcher let go of the file: out of the inbox and no claim open."""
    claimed = root / "inbox" / ".claimed"  # Workspace.claimed

    def test() -> bool:
        return (not (root / "inbox" / drop.source.name).exists()
                and not any(claimed.iterdir()))
    return test


@dataclass(frozen=True)
class Dropped:
    name: str
    started: float  # t0
    seen: float  # when the dropper saw the contract

    @property
    def latency(self) -> float:
        return self.seen - self.started


@dataclass
class Latencies:
    mode: str
    dropped: list[Dropped] = field(default_factory=list)  # the warm-up first

    @property
    def first(self) -> float:
        return self.dropped[0].latency

    @property
    def times(self) -> list[float]:
        return [d.latency for d in self.dropped[1:]]


def drop_all(root: Path, drops: Sequence[Drop], mode: str, alive: Callable[[], bool],
             gap: float) -> Latencies:
    """Drop the files one at a time, each once the watcher finished the one before and `gap`
    seconds more have passed; the first one is the unmeasured warm-up."""
    result = Latencies(mode)
    for drop in drops:
        started = drop_file(root / "inbox", drop, mode)
        seen = wait_for((root / drop.contract).exists, str(drop.contract), alive)
        result.dropped.append(Dropped(drop.source.name, started, seen))
        wait_for(finished(root, drop), f"the watcher to finish {drop.source.name}", alive)
        time.sleep(gap)
    return result


def batches(drops: list[Drop], per_mode: int) -> Iterator[tuple[str, list[Drop]]]:
    for index, mode in enumerate(MODES):
        yield mode, drops[index * (per_mode + 1):(index + 1) * (per_mode + 1)]


@contextmanager
def watcher_process(root: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`sales-sheets watch` on `root`, output to `log`; stopped with SIGINT (Ctrl-C)."""
    command = shutil.which("sales-sheets") or str(Path(sys.executable).parent / "sales-sheets")
    with log.open("wb") as out:
        process = subprocess.Popen([command, "watch", "-w", str(root)], stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: b"watching" in log.read_bytes(), "the watcher to start",
                 lambda: process.poll() is None)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.terminate()
                process.wait(timeout=15)


def watch_settings(root: Path) -> Watch:
    from sales_sheets.workspace import open_workspace

    return open_workspace(root).settings.watch


def run_watch(scratch: Path, seed: Path, drops: list[Drop], per_mode: int,
              gap: float) -> None:
    root = copy_workspace(seed, scratch / "watch", [])
    settings = watch_settings(root)
    log = scratch / "watch.log"
    results: list[Latencies] = []
    load_before = load()
    with watcher_process(root, log) as process:
        def alive() -> bool:
            return process.poll() is None

        for mode, batch in batches(drops, per_mode):
            results.append(drop_all(root, batch, mode, alive, gap))
        load_during = load()
    stopped = process.returncode
    output = log.read_text(encoding="utf-8", errors="replace")
    accepted = sum(1 for p in (root / "outbox" / "receipts").rglob("*order_*.accepted.txt"))
    contracts = len(contract_files(root))

    mode_name = "polling" if settings.polling else "events (inotify via watchdog)"
    print()
    print(f"watch latency: `sales-sheets watch` subprocess, {per_mode} drops per mode, one at a "
          "time, contract polled every 5 ms; pdf = false")
    print(environment())
    print(versions(*CONTRACT_PACKAGES))
    # The timings only: [watch] also holds the log file's name and size, and a wait in minutes.
    values = ", ".join(f"{name} = {value:g} s" for name, value in asdict(settings).items()
                       if name.endswith(("_seconds", "_interval")))
    print(f"[watch] defaults: polling = {str(settings.polling).lower()} ({mode_name}), {values}")
    print(f"before: {load_before}; at the end of the drops: {load_during}")
    print()
    header = (f"{'mode':<52}  {'median':>7}  {'p90':>7}  {'max':>7}  {'min':>7}  "
              f"{'1st file':>8}  target")
    print(header)
    print("-" * len(header))
    for latencies in results:
        times = latencies.times
        median = statistics.median(times)
        verdict = "meets" if median < TARGET_MEDIAN else "MISSES"
        print(f"{_describe_mode(latencies.mode):<52}  {median:>6.3f}s  {_p90(times):>6.3f}s  "
              f"{max(times):>6.3f}s  {min(times):>6.3f}s  {latencies.first:>7.3f}s  "
              f"median < {TARGET_MEDIAN:g} s: {verdict}")
    print("-" * len(header))
    print(f"check: {accepted} accepted receipts, {contracts} contracts for "
          f"{len(MODES) * (per_mode + 1)} drops (warm-ups included); watcher exited with "
          f"{stopped} after SIGINT" + (", said 'stopped'" if "stopped" in output else ""))
    check(accepted == contracts == len(MODES) * (per_mode + 1),
          f"not every drop became an accepted order with a contract; watcher log:\n{output}")


def _describe_mode(mode: str) -> str:
    return {"replace": "replace: temp name in inbox, then os.replace (Excel)",
            "copy": "copy: shutil.copyfile to the final name"}[mode]


def _p90(times: list[float]) -> float:
    if len(times) < 2:
        return times[0]
    return statistics.quantiles(times, n=10, method="inclusive")[-1]


# --- part 2 traced: where the time goes --------------------------------------------------------

def traced_watch(root: str, trace: str, stop_file: str) -> None:
    """Child: the watcher in a thread, its steps wrapped to append `time step file` lines."""
    from sales_sheets.workspace import open_workspace

    workspace = open_workspace(root)
    with open(trace, "a", encoding="utf-8", buffering=1) as out:
        _traced_watch(workspace, out, Path(stop_file))


def _after_each(function: Callable[..., list[Any]], step: str,
                note: Callable[[str, str], None]) -> Callable[..., list[Any]]:
    """`function`, noting `step` for each of the files it returns (a batch of claims)."""
    def wrapper(*args: Any) -> list[Any]:
        found = function(*args)
        for item in found:
            note(step, item.name)
        return found
    return wrapper


def _traced_watch(workspace: Any, out: Any, stop_file: Path) -> None:
    import sales_sheets.intake.ingest as ingest_module
    import sales_sheets.intake.watch as watch_module

    lock = threading.Lock()

    def note(step: str, name: str) -> None:
        with lock:
            out.write(f"{time.perf_counter():.6f} {step} {name}\n")

    def after(function: Callable[..., Any], step: str,
              name_of: Callable[[tuple[Any, ...], Any], str]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = function(*args, **kwargs)
            note(step, name_of(args, result))
            return result
        return wrapper

    def before(function: Callable[..., Any], step: str,
               name_of: Callable[[tuple[Any, ...]], str]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            note(step, name_of(args))
            return function(*args, **kwargs)
        return wrapper

    on_event = watch_module._Events.on_any_event

    def on_any_event(self: Any, event: Any) -> None:
        if not event.is_directory and event.event_type in ("moved", "created", "modified",
                                                            "closed", "deleted"):
            path = event.dest_path if event.event_type == "moved" else event.src_path
            note(f"event-{event.event_type}", Path(str(path)).name)
        on_event(self, event)

    ready = watch_module.Readiness.ready

    def ready_wrapper(self: Any, now: float) -> list[Path]:
        paths: list[Path] = ready(self, now)
        for path in paths:
            note("ready", path.name)
        return paths

    watch_module._Events.on_any_event = on_any_event  # type: ignore[method-assign]
    watch_module.Readiness.ready = ready_wrapper  # type: ignore[method-assign]
    watch_module._claim_all = _after_each(watch_module._claim_all, "claimed", note)
    ingest_module._prepare = after(ingest_module._prepare, "read", lambda args, _: args[1].name)
    ingest_module._decide = after(ingest_module._decide, "validated+inserted",
                                  lambda args, _: args[2].claim.name)
    ingest_module._finish = before(ingest_module._finish, "committed",
                                   lambda args: args[1].claim.name)
    # Names ingest imported: patched in its namespace, where it looks them up.
    imported = vars(ingest_module)
    imported["write_documents"] = after(imported["write_documents"], "contract",
                                        lambda args, _: Path(args[4]).name)
    imported["archive"] = after(imported["archive"], "archived", lambda args, _: args[1].name)

    stop = threading.Event()
    thread = threading.Thread(target=watch_module.watch, args=(workspace, stop), daemon=True)
    thread.start()
    time.sleep(0.5)  # let the observer start before the parent drops anything
    stop_file.with_suffix(".started").touch()
    while not stop_file.exists():
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=15)


def run_traced(scratch: Path, seed: Path, drops: list[Drop], per_mode: int,
               gap: float) -> None:
    import multiprocessing

    root = copy_workspace(seed, scratch / "traced", [])
    trace = scratch / "trace.txt"
    stop_file = scratch / "traced.stop"
    child = multiprocessing.get_context("spawn").Process(
        target=traced_watch, args=(str(root), str(trace), str(stop_file)))
    child.start()
    results: list[Latencies] = []
    try:
        wait_for(stop_file.with_suffix(".started").exists, "the traced watcher to start",
                 child.is_alive)
        for mode, batch in batches(drops, per_mode):
            results.append(drop_all(root, batch, mode, child.is_alive, gap))
    finally:
        stop_file.touch()
        child.join(timeout=20)
        if child.is_alive():
            child.terminate()
    print_trace(trace, results)


def print_trace(trace: Path, results: list[Latencies]) -> None:
    """Median time from the drop to each step's first occurrence, and between steps."""
    steps: dict[str, dict[str, float]] = {}
    for line in trace.read_text(encoding="utf-8").splitlines():
        at, what, name = line.split(" ", 2)
        steps.setdefault(name, {}).setdefault(what, float(at))
    print()
    print("trace: the watcher in a thread of a spawned child, its functions wrapped; times are "
          "from the drop (t0), medians over the measured drops")
    print(load())
    every = [d for latencies in results for d in latencies.dropped]
    previous_of = {d.name: every[i - 1].name for i, d in enumerate(every) if i}
    for latencies in results:
        measured = latencies.dropped[1:]
        offsets: dict[str, list[float]] = {}
        for d in measured:
            for step, stamp in steps.get(d.name, {}).items():
                offsets.setdefault(step, []).append(stamp - d.started)
            before = steps.get(previous_of[d.name], {})
            if "event-deleted" in before:
                offsets.setdefault("previous file's claim reported (deleted)", []).append(
                    before["event-deleted"] - d.started)
            offsets.setdefault("contract seen by the dropper", []).append(d.latency)
        points = sorted((statistics.median(v), step, len(v)) for step, v in offsets.items())
        print(f"\n{_describe_mode(latencies.mode)}: {len(measured)} drops")
        width = max(len(step) for _, step, _ in points)
        print(f"  {'step (first time seen)':<{width}} {'from t0':>9} {'since previous':>15}  files")
        previous = 0.0
        for offset, step, files in points:
            print(f"  {step:<{width}} {1000 * offset:>7.1f}ms "
                  f"{1000 * (offset - previous):>13.1f}ms  {files}")
            previous = offset


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = bench_arguments(
        __doc__, repeat="run every rendering measurement this many times, keep the fastest")
    parser.add_argument("--orders", type=int, default=1_000,
                        help="accepted orders whose contracts are re-rendered (default 1000)")
    parser.add_argument("--drops", type=int, default=50,
                        help="measured drops per mode under watch (default 50)")
    parser.add_argument("--gap", type=float, default=0.0,
                        help="seconds to wait after the watcher finished a file before dropping "
                             "the next (default 0)")
    parser.add_argument("--trace", action="store_true",
                        help="also run the drops against a traced in-process watcher and print "
                             "where the time goes")
    parser.add_argument("--skip-render", action="store_true", help="leave out part 1")
    parser.add_argument("--skip-watch", action="store_true", help="leave out part 2")
    args = parser.parse_args()
    orders: int = args.orders
    per_mode: int = args.drops
    check(orders > 0 and per_mode > 0 and args.repeat > 0,
          "--orders, --drops and --repeat must be positive")

    # Every drop (and every mode's warm-up) needs an order number of its own.
    needed = len(MODES) * (per_mode + 1)
    sources = order_files(orders, args.regenerate)
    drop_sources = (sources if orders >= needed
                    else order_files(needed, args.regenerate))[:needed]
    with tempfile.TemporaryDirectory(prefix="run-", dir=DATA_DIR) as name:
        scratch = Path(name)
        seed = seed_workspace(scratch / "seed", contracts=True)
        if not args.skip_render:
            run_render(scratch, seed, sources, args.repeat)
        if not args.skip_watch or args.trace:
            drops = plan_drops(drop_sources)
            check(len({d.contract for d in drops}) == needed, "two drops share a contract")
        if not args.skip_watch:
            run_watch(scratch, seed, drops, per_mode, args.gap)
        if args.trace:
            run_traced(scratch, seed, drops, per_mode, args.gap)


if __name__ == "__main__":
    main()
