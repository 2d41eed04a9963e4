"""Benchmark: orders taken on quotations against plain orders (issue 25).

Run from the repository root:

    python bench/quotes.py                  # the issue size, 1,000 of each
    python bench/quotes.py --orders 50      # a quick smoke run
    python bench/quotes.py --repeat 3       # best of three pairs of runs, (a) then (b)

Every workspace has the shipped config.toml with `pdf = false`, so contracts are written. In the
same run it times, each in a fresh child process (see _common.py):

(a) plain: the order workbooks of ingest_many.py (1-5 lines at or above list, all accepted)
    dropped into a workspace whose master data is loaded, then `process_inbox`.
(b) quoted: a workspace (with `[approvals] quote = ["G01"]`) that also holds as many
    quotations approved by G01, one per order, with the order's lines, the first below list
    (set up by filing them, each held, and deciding each in the ledger as an approval form
    does, outside the measurement); the orders naming them (quote_no) at the quoted prices
    dropped at once, then `process_inbox`. Every order must be accepted — none held for its
    price below list — with the quotation's approval recorded on it, and its contract.

It prints both times and the ratio quoted / plain against the target: an order from a
quotation costs at most 1.1x a plain order. The quotation and order workbooks and the quoted
workspace are cached under bench/.data/ (the workspace keyed by a fingerprint of the package).
"""

from __future__ import annotations

import random
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from _common import (
    CONTRACT_PACKAGES,
    DATA_DIR,
    DATA_VERSION,
    Measurement,
    Row,
    bench_arguments,
    bench_config,
    best_of,
    cached_file,
    check,
    count_rows,
    environment,
    ingest_copy,
    load,
    print_rows,
    print_runs,
    seed_workspace,
    start_date,
    versions,
)
from _samples import order_files, order_form
from approvals import first_below_list, package_fingerprint

from sales_sheets.forms.template import FormData, write_form
from sales_sheets.kinds import KINDS

TARGET = 1.1  # quoted / plain


def build_quoted(folder: Path, count: int) -> None:
    """folder/quotes: a quotation per order; folder/orders: the orders naming them."""
    rng = random.Random(count)
    (folder / "quotes").mkdir(parents=True)
    (folder / "orders").mkdir()
    for number in range(1, count + 1):
        order = order_form(number, rng, "QO", first_below_list)
        quote_no = f"BJ{number:06d}"
        header = {"quote_no": quote_no, "quote_date": start_date(0),
                  "customer_code": order.header["customer_code"],
                  "salesperson": order.header["salesperson"],
                  "valid_until": start_date(0) + timedelta(days=90)}
        lines = [{key: line[key] for key in ("product_code", "quantity", "unit_price")}
                 for line in order.lines]
        write_form(folder / "quotes" / f"quote_{quote_no}.xlsx", KINDS["quote"], "zh",
                   data=FormData(header, lines))
        order.header["quote_no"] = quote_no
        write_form(folder / "orders" / f"order_QO{number:06d}.xlsx", KINDS["order"], "zh",
                   data=order)


def build_quoted_workspace(folder: Path, quotes: list[Path]) -> None:
    """folder: master data loaded and every quotation approved by G01."""
    from sales_sheets.intake.ingest import process_inbox
    from sales_sheets.ledger import Ledger
    from sales_sheets.workspace import open_workspace

    folder.mkdir(parents=True)
    (folder / "config.toml").write_text(bench_config(True) + '\n[approvals]\nquote = ["G01"]\n',
                                        encoding="utf-8")
    workspace = open_workspace(seed_workspace(folder, contracts=True))
    for path in quotes:
        shutil.copy(path, workspace.inbox / path.name)
    results = process_inbox(workspace)
    found = sorted({(r.status, str(r.problems[:2])) for r in results})
    check([r.status for r in results] == ["held"] * len(quotes),
          f"not every quotation was held: {found}")
    now = workspace.services.clock()
    with Ledger.of(workspace).transaction() as books:
        for number, result in enumerate(results, start=1):
            held = books.current_document("quote", result.document)
            check(held is not None, f"{result.document} is not stored")
            assert held is not None
            books.decide(held["id"], True, f"GM-{number:06d}", now)


def quoted_workspace(count: int, regenerate: bool) -> tuple[Path, list[Path]]:
    forms = cached_file(DATA_DIR / f"v{DATA_VERSION}" / f"quoted_orders_{count}",
                        lambda p: build_quoted(p, count), regenerate)
    quotes, orders = sorted((forms / "quotes").glob("*.xlsx")), sorted((forms / "orders").glob(
        "*.xlsx"))
    check(len(quotes) == len(orders) == count, f"{forms}: {len(quotes)} quotations, "
          f"{len(orders)} orders, expected {count}")
    prefix = f"quotes_{count}_"
    name = prefix + package_fingerprint()
    for stale in (DATA_DIR / f"v{DATA_VERSION}").glob(prefix + "*"):
        if stale.name != name:
            shutil.rmtree(stale)
    seeded = cached_file(DATA_DIR / f"v{DATA_VERSION}" / name,
                         lambda p: build_quoted_workspace(p, quotes), regenerate)
    return seeded, orders


def check_quoted(root: Path, count: int) -> None:
    """Every order accepted on its quotation, with its contract."""
    taken = count_rows(root, "SELECT count(*) FROM orders o JOIN documents d ON d.id = "
                             "o.document_id WHERE d.status = 'accepted' AND o.quote_approval "
                             "IS NOT NULL")
    check(taken == count, f"{taken} orders accepted on their quotation, expected {count}")
    contracts = len(list((root / "outbox" / "contracts").rglob("*.docx")))
    check(contracts == count, f"{contracts} contracts, expected {count}")


def main() -> None:
    parser = bench_arguments(__doc__, regenerate="rebuild the cached workbooks and workspace")
    parser.add_argument("--orders", type=int, default=1_000,
                        help="plain orders, and quotations with an order each (default 1000)")
    args = parser.parse_args()
    count: int = args.orders
    check(count > 0 and args.repeat > 0, "--orders and --repeat must be positive")
    plain = order_files(count, args.regenerate)
    quoted_seed, quoted = quoted_workspace(count, args.regenerate)
    load_before = load()
    with tempfile.TemporaryDirectory(prefix="run-", dir=DATA_DIR) as name:
        scratch = Path(name)
        seed = seed_workspace(scratch / "seed", contracts=True)

        def plain_once(run: int) -> Measurement:
            _, measured = ingest_copy(seed, scratch / f"plain-{run}", plain, {"accepted": count})
            return measured

        def quoted_once(run: int) -> Measurement:
            root, measured = ingest_copy(quoted_seed, scratch / f"quoted-{run}", quoted,
                                         {"accepted": count})
            check_quoted(root, count)
            return measured

        pairs = [(plain_once(run), quoted_once(run)) for run in range(args.repeat)]
        first = best_of(args.repeat, lambda run: pairs[run][0])
        second = best_of(args.repeat, lambda run: pairs[run][1])
    rows = [Row("(a) plain orders: process_inbox, accepted + contracts", "plain", first),
            Row("(b) orders on quotations: process_inbox, accepted + contracts", "quoted",
                second)]
    print()
    print(f"quotes: {count:,} orders on {count:,} accepted quotations against {count:,} plain "
          "orders; contracts on, pdf = false")
    print(environment())
    print(versions(*CONTRACT_PACKAGES))
    print(f"before: {load_before}; after: {load()}")
    print()
    print_rows(rows, count, "orders", each=True, rate_width=9)
    ratio = second.seconds / first.seconds
    verdict = "meets target" if ratio <= TARGET else "ABOVE TARGET"
    print(f"ratio quoted / plain = {ratio:.2f}x   target <= {TARGET:g}x   {verdict}")
    print_runs(rows)


if __name__ == "__main__":
    main()
