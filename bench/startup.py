"""Benchmark: start-up, as whole commands, against the targets of issue 24 (point 5).

Run from the repository root:

    python bench/startup.py                       # 10 runs of each, alternated
    python bench/startup.py --repeat 20
    python bench/startup.py --before da4c4a4      # also the commands of an earlier revision

Each command runs as a whole process, as a user starts it (interpreter start-up, imports,
everything it prints read from a pipe), in a scratch workspace whose master data is loaded:

- `python -c pass`: the interpreter alone, the floor under every command (for information);
- `sales-sheets --help`: target 0.2 s;
- `sales-sheets status`: target 0.4 s;
- the add-in's Validate button on a 20-line order: target 0.6 s. A button in Excel runs
  `import sales_sheets.addin; sales_sheets.addin.run('validate')` in a new Python (xlwings'
  RunPython); here the same runs on the workbook-file host instead of Excel (every line of the
  action but the few of excel_host.py): reading the add-in's settings, opening the ledger,
  checking the order and telling the result. Two orders are pressed: a good one (nothing to
  mark) and one whose every line is below the list price (20 cells marked, then saved by
  openpyxl as the file host does; in Excel xlwings marks them instead);
- `python -c 'openpyxl.load_workbook(<the order>)'`, which merely opens it (for information).

The commands run in turn, one run of each per round, so that other work on the machine falls
on all of them alike; the table gives the median and the fastest (min) wall time of the rounds
and the median CPU time (user + system) of the child, which a busy machine stretches much less.
Before the rounds each command runs once untimed: it writes Python's bytecode cache as a first
run does (the children run without PYTHONDONTWRITEBYTECODE; with it set and no cache, every
command would compile the package's modules again: 0.05-0.1 s more, measured on `status`).

With `--before REV` the same commands of git revision REV (its `sales_sheets` extracted with
`git archive` under bench/.data/, put first on PYTHONPATH, on the same installed libraries) run
in the same rounds, and `status` must print byte for byte what REV's prints, and each Validate
tell what REV's tells. A miss is printed, not raised: this is not a test.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _common import (
    DATA_DIR,
    Measurement,
    archived,
    bench_arguments,
    check,
    command,
    environment,
    load,
    master_data,
    seed_workspace,
)
from _samples import order_form

from sales_sheets.addin.settings import AddinSettings, save_addin_settings
from sales_sheets.forms.template import FormData, write_form
from sales_sheets.kinds import KINDS

LINES = 20
TARGETS = {"help": 0.2, "status": 0.4, "validate": 0.6}  # seconds, issue 24 point 5


@dataclass
class Timed:
    """One command of one program, and what its rounds measured."""

    label: str
    run: Callable[[int], Measurement]
    target: str | None = None  # a key of TARGETS
    runs: list[Measurement] = field(default_factory=list)

    def wall(self) -> list[float]:
        return [m.seconds for m in self.runs]

    def median(self) -> float:
        return statistics.median(self.wall())


@dataclass(frozen=True)
class Program:
    """How to start a sales-sheets: this checkout's, or an earlier revision's tree."""

    name: str
    env: dict[str, str]

    def argv(self, *args: str) -> list[str]:
        # `python -m sales_sheets` is what the installed `sales-sheets` script runs: import the
        # command, call it.
        return [sys.executable, "-m", "sales_sheets", *args]


def main() -> None:
    parser = bench_arguments(__doc__)
    parser.set_defaults(repeat=10)
    parser.add_argument("--before", default=None, metavar="REV",
                        help="also time the commands of git revision REV in the same rounds")
    args = parser.parse_args()
    check(args.repeat > 0, "--repeat must be positive")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    programs = [Program("now", env)]
    if args.before:
        tree = archived(args.before)
        programs.insert(0, Program(f"at {args.before}", {**env, "PYTHONPATH": str(tree)}))
    machine = [load()]
    with tempfile.TemporaryDirectory(prefix="run-", dir=DATA_DIR) as scratch_name:
        scratch = Path(scratch_name)
        seed = seed_workspace(scratch / "ws")
        settings = save_addin_settings(AddinSettings(str(seed), "S01"), scratch / "addin.toml")
        good = _order(scratch / "good.xlsx", below_list=False)
        marked = _order(scratch / "marked.xlsx", below_list=True)
        for program in programs:
            _check_program(program, scratch)
        _check_same_output(programs, scratch, seed, settings, (good, marked))
        timed = [Timed("python -c pass", lambda _: command([sys.executable, "-c", "pass"],
                                                          env, scratch)),
                 Timed("python -c 'openpyxl.load_workbook(order)'", lambda _: command(
                     [sys.executable, "-c", f"import openpyxl; openpyxl.load_workbook("
                                            f"{str(good)!r})"], env, scratch))]
        for program in programs:
            timed += _commands(program, scratch, seed, settings, good, marked)
        for t in timed:
            t.run(-1)  # untimed: writes the bytecode cache, as a first run does
        for i in range(args.repeat):
            for t in timed:
                t.runs.append(t.run(i))
    machine.append(load(cpus=False))
    _print(timed, args.repeat, programs, machine)


def _commands(program: Program, scratch: Path, seed: Path, settings: Path, good: Path,
              marked: Path) -> list[Timed]:
    def run(*args: str) -> Callable[[int], Measurement]:
        def once(_round: int) -> Measurement:
            measured = command(program.argv(*args), program.env, scratch)
            check(measured.detail["exit"] == 0,
                  f"{program.name}: sales-sheets {' '.join(args)} exited {measured.detail['exit']}")
            return measured
        return once

    def press(book: Path) -> Callable[[int], Measurement]:
        def once(round_: int) -> Measurement:
            copy = shutil.copy(book, scratch / f"{book.stem}-{program.name}-{round_}.xlsx")
            measured = command([sys.executable, "-c", _press_code(Path(copy), settings)],
                               program.env, scratch)
            check(measured.detail["exit"] == 0,
                  f"{program.name}: Validate exited {measured.detail['exit']}")
            return measured
        return once

    prefix = f"{program.name}: "
    return [Timed(prefix + "sales-sheets --help", run("--help"), "help"),
            Timed(prefix + "sales-sheets status", run("status", "-w", str(seed)), "status"),
            Timed(prefix + "Validate, a good order", press(good), "validate"),
            Timed(prefix + "Validate, every line marked", press(marked), "validate")]


def _press_code(book: Path, settings: Path) -> str:
    """The add-in's button on the file host, telling what the dialog would say."""
    return ("from pathlib import Path\n"
            "import sales_sheets.addin\n"
            "from sales_sheets.addin.host import FileHost\n"
            f"host = FileHost(Path({str(book)!r}))\n"
            f"sales_sheets.addin.run('validate', host, Path({str(settings)!r}))\n"
            "print(host.messages[0][1])")


def _check_program(program: Program, scratch: Path) -> None:
    """The program's children import its own package: for an earlier revision, its tree."""
    probe = "import sales_sheets; print(sales_sheets.__file__)"
    found = subprocess.run([sys.executable, "-c", probe], env=program.env, cwd=scratch,
                           capture_output=True, text=True, check=True).stdout.strip()
    expected = program.env.get("PYTHONPATH")
    check(expected is None or found.startswith(expected),
          f"{program.name}: imported sales_sheets from {found}, not from {expected}")


def _check_same_output(programs: list[Program], scratch: Path, seed: Path, settings: Path,
                       books: tuple[Path, ...]) -> None:
    """status prints, and Validate tells, the same whichever program runs them."""
    said: dict[str, set[bytes]] = {}
    for program in programs:
        said.setdefault("status", set()).add(subprocess.run(
            program.argv("status", "-w", str(seed)), env=program.env, cwd=scratch,
            capture_output=True, check=True).stdout)
        for book in books:
            copy = shutil.copy(book, scratch / f"{book.stem}-{program.name}-told.xlsx")
            said.setdefault(book.stem, set()).add(subprocess.run(
                [sys.executable, "-c", _press_code(Path(copy), settings)], env=program.env,
                cwd=scratch, capture_output=True, check=True).stdout)
    for what, outputs in said.items():
        check(len(outputs) == 1, f"{what} differs between {', '.join(p.name for p in programs)}")


def _print(timed: list[Timed], repeat: int, programs: list[Program], machine: list[str]) -> None:
    print(f"startup: whole commands, {repeat} rounds (each command once a round, in turn)")
    print(environment())
    print(f"machine: {os.cpu_count()} CPUs; before the runs {machine[0]}, after {machine[1]}")
    if len(programs) > 1:
        print(f"status printed and Validate told the same with {programs[0].name} and now")
    print()
    print(f"  {'command':<52} {'median':>7} {'min':>7} {'CPU':>7}   target")
    for t in timed:
        cpu = statistics.median(m.cpu_seconds or 0 for m in t.runs)
        target = f"<= {TARGETS[t.target]} s" if t.target else "(for information)"
        print(f"  {t.label:<52} {t.median():>6.2f}s {min(t.wall()):>6.2f}s {cpu:>6.2f}s   "
              f"{target}")
    print()
    for key, limit in TARGETS.items():
        worst = max(t.median() for t in timed if t.target == key and t.label.startswith("now"))
        verdict = "meets target" if worst <= limit else "MISSES TARGET"
        which = "the slower median of the two orders" if key == "validate" else "median"
        print(f"target {key}: {which} {worst:.2f} s <= {limit} s   {verdict}")
    print("(medians on a shared machine stretch with its load; min is the least disturbed run)")


def _order(path: Path, below_list: bool) -> Path:
    """A 20-line order of a known customer; priced at the list, or below it on every line."""
    master = master_data()
    form = order_form(1, random.Random(7))
    lines = [{"product_code": p.code, "quantity": 2,
              "unit_price": str(p.list_price - 1 if below_list else p.list_price)}
             for p in master.products[:LINES]]
    return write_form(path, KINDS["order"], "zh", data=FormData(form.header, lines))


if __name__ == "__main__":
    main()
