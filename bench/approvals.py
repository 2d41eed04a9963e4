"""Benchmark: releasing held orders by approval forms against ingesting as many orders.

Run from the repository root:

    python bench/approvals.py                  # the issue size, 1,000 orders
    python bench/approvals.py --orders 50      # a quick smoke run
    python bench/approvals.py --repeat 3       # best of three pairs of runs, (a) then (b)
    python bench/approvals.py --profile        # also write bench/.data/profile_approvals.txt

Every workspace here has the shipped config.toml with `pdf = false` (LibreOffice would measure
LibreOffice), so contracts are written; no [approvals], so anyone may approve. In the same run it
times, each in a fresh child process (see _common.py):

(a) ingest: the order workbooks of ingest_many.py (1-5 lines, all accepted) dropped into a
    workspace whose master data is loaded, then `process_inbox`: read, validate, store and write
    each order's contract. Every order must be accepted with its contract.
(b) release: a workspace where as many orders are held (a unit price below the list price) and
    their approval requests (审批单) written; the requests filled in as an approver does in Excel
    (审批结果 同意, 审批人, date, remark, the approval number left blank; through the forms'
    defined names, with openpyxl) and all dropped into the inbox at once, then `process_inbox`:
    read each form, check it against the held order, assign an approval number, record the
    decision, release the order and write its contract and the notice to the salesperson. Every
    order must end accepted with its approval recorded, its contract and its notice.

It prints both times, orders/s and the peak memory of each child, and the ratio release / ingest
against the target: releasing costs no more than ingesting (ratio <= 1.0).

Cached under bench/.data/: the held order workbooks, and the held workspace with its filled
approval forms (they come out of the library's own rules and request writer, so that cache is
keyed by a fingerprint of the sales_sheets package and rebuilt when the code changes). A miss is
printed, not raised: this is not a test.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
from _common import (
    CONTRACT_PACKAGES,
    DATA_DIR,
    DATA_VERSION,
    Measurement,
    Product,
    Row,
    bench_arguments,
    best_of,
    cached_file,
    check,
    count_rows,
    environment,
    ingest_copy,
    load,
    peak_rss_source,
    print_rows,
    print_runs,
    seed_workspace,
    versions,
)
from _samples import build_orders, order_files

import sales_sheets

TARGET = 1.0  # release time / ingest time
APPROVER = "M01"
APPROVED_ON = date(2026, 11, 25)


# --- generated data ----------------------------------------------------------------------------


def first_below_list(index: int, product: Product, rng: random.Random) -> str:
    """The first line below the list price, the others at it: an order held for its price and
    nothing else (_samples' order dates stay within the payment terms; no credit limits)."""
    if index:
        return str(product.list_price)
    return str(product.list_price - Decimal(rng.choice((1, 2, 5))))


def fill_request(request: Path, target: Path, number: int) -> None:
    """The approver's part: the decision block filled in through its defined names."""
    values = {"decision": "同意", "approver": APPROVER, "approved_on": APPROVED_ON,
              "remarks": f"同意，第 {number} 单"}
    book = openpyxl.load_workbook(request)
    for key, value in values.items():
        [(sheet, cell)] = list(book.defined_names[key].destinations)
        book[sheet][cell.replace("$", "")].value = value
    book.save(target)


def build_held_workspace(folder: Path, held: list[Path]) -> None:
    """folder/workspace: master data loaded and the `held` orders stored, held, with their
    requests; folder/forms: every request filled in and approved."""
    from sales_sheets.intake.ingest import process_inbox
    from sales_sheets.workspace import open_workspace

    root = seed_workspace(folder / "workspace", contracts=True)
    workspace = open_workspace(root)
    for path in held:
        shutil.copy(path, workspace.inbox / path.name)
    results = process_inbox(workspace)
    check([r.status for r in results] == ["held"] * len(held),
          f"not every order was held: {sorted({(r.status, str(r.problems[:2])) for r in results})}")
    requests = sorted((workspace.outbox / "approvals").rglob("*.xlsx"))
    check(len(requests) == len(held), f"{len(requests)} approval requests for {len(held)} orders")
    forms = folder / "forms"
    forms.mkdir()
    for number, request in enumerate(requests, start=1):
        fill_request(request, forms / request.name, number)


def package_fingerprint() -> str:
    """A hash of the sales_sheets package's files: the held workspace and its forms are the
    library's output, so they are rebuilt when the library changes."""
    package = Path(sales_sheets.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def held_workspace(count: int, regenerate: bool) -> tuple[Path, list[Path]]:
    """The cached held workspace and its filled approval forms, built when missing."""
    held_folder = cached_file(DATA_DIR / f"v{DATA_VERSION}" / f"held_orders_{count}",
                              lambda p: build_orders(p, count, "HO", first_below_list), regenerate)
    held = sorted(held_folder.glob("*.xlsx"))
    check(len(held) == count, f"{held_folder} holds {len(held)} workbooks, expected {count}")
    prefix = f"approvals_{count}_"
    name = prefix + package_fingerprint()
    for stale in (DATA_DIR / f"v{DATA_VERSION}").glob(prefix + "*"):
        if stale.name != name:  # built by an older version of the library
            shutil.rmtree(stale)
    folder = cached_file(DATA_DIR / f"v{DATA_VERSION}" / name,
                         lambda p: build_held_workspace(p, held), regenerate)
    forms = sorted((folder / "forms").glob("*.xlsx"))
    check(len(forms) == count, f"{folder} holds {len(forms)} approval forms, expected {count}")
    return folder / "workspace", forms


# --- checks ------------------------------------------------------------------------------------


def check_ingested(root: Path, count: int) -> None:
    """Every order stored accepted, with its contract."""
    orders = count_rows(root, "SELECT count(*) FROM documents WHERE kind = 'order' "
                              "AND status = 'accepted'")
    check(orders == count, f"{orders} accepted orders, expected {count}")
    contracts = len(list((root / "outbox" / "contracts").rglob("*.docx")))
    check(contracts == count, f"{contracts} contracts, expected {count}")


def check_released(root: Path, count: int) -> None:
    """Every order released once, with its approval, contract and notice."""
    released = count_rows(root, "SELECT count(*) FROM documents WHERE kind = 'order' "
                                "AND version = 1 AND status = 'accepted' "
                                "AND approval IS NOT NULL")
    orders = count_rows(root, "SELECT count(*) FROM documents WHERE kind = 'order'")
    check(released == orders == count,
          f"{released} of {orders} orders released with an approval, expected {count}")
    decisions = count_rows(root, "SELECT count(DISTINCT target_document_id) FROM approvals "
                                 "WHERE decision = 'approve'")
    check(decisions == count, f"{decisions} orders with an approval recorded, expected {count}")
    contracts = len(list((root / "outbox" / "contracts").rglob("*.docx")))
    check(contracts == count, f"{contracts} contracts, expected {count}")
    notices = len(list((root / "outbox" / "receipts").rglob("*.approved.txt")))
    check(notices == count, f"{notices} notices to the salespeople, expected {count}")


# --- report ------------------------------------------------------------------------------------


def print_report(count: int, ingest_row: Row, release_row: Row, load_before: str,
                 load_after: str) -> None:
    ingested, released = ingest_row.measurement, release_row.measurement
    print()
    print(f"approvals: {count:,} held orders released by {count:,} approval forms dropped at "
          f"once, against the ingest of {count:,} orders; contracts on, pdf = false")
    print(environment())
    print(versions(*CONTRACT_PACKAGES))
    print(f"before: {load_before}; after: {load_after}")
    print()
    print_rows([ingest_row, release_row], count, "orders", each=True, rate_width=9)
    ratio = released.seconds / ingested.seconds
    verdict = "meets target" if ratio <= TARGET else "ABOVE TARGET"
    print(f"ratio release / ingest = {ratio:.2f}x   target <= {TARGET:g}x   {verdict}")
    print_runs([ingest_row, release_row])
    if len(ingested.detail["runs"]) > 1:
        print("ratio of each pair, run one after the other: " + ", ".join(
            f"{b / a:.2f}x" for a, b in zip(ingested.detail["runs"], released.detail["runs"],
                                            strict=True)))
    print(f"check: ingest {count:,} orders accepted, {count:,} contracts; release {count:,} "
          f"forms accepted, {count:,} orders accepted once with an approval, {count:,} "
          f"contracts, {count:,} notices (every run)")
    print(f"RSS = resident-set peak ({peak_rss_source()}) of a fresh spawned child process per "
          "measurement; times exclude interpreter start and imports.")


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = bench_arguments(
        __doc__, regenerate="rebuild the cached workbooks and the held workspace")
    parser.add_argument("--orders", type=int, default=1_000,
                        help="orders ingested, and held orders released (default 1000)")
    parser.add_argument("--profile", action="store_true",
                        help="after the timed runs, profile one more release into "
                             "bench/.data/profile_approvals.txt (sizes other than 1000 get "
                             "profile_approvals_<orders>.txt)")
    args = parser.parse_args()
    count: int = args.orders
    check(count > 0 and args.repeat > 0, "--orders and --repeat must be positive")

    sources = order_files(count, args.regenerate)
    held, forms = held_workspace(count, args.regenerate)
    load_before = load()
    with tempfile.TemporaryDirectory(prefix="run-", dir=DATA_DIR) as name:
        scratch = Path(name)
        seed = seed_workspace(scratch / "seed", contracts=True)

        def ingest_once(run: int) -> Measurement:
            root, measured = ingest_copy(seed, scratch / f"ingest-{run}", sources,
                                         {"accepted": count})
            check_ingested(root, count)
            return measured

        def release_once(run: int) -> Measurement:
            root, measured = ingest_copy(held, scratch / f"release-{run}", forms,
                                         {"accepted": count})
            check_released(root, count)
            return measured

        # In pairs, (a) then (b): a change of load on a shared machine hits both alike.
        pairs = [(ingest_once(run), release_once(run)) for run in range(args.repeat)]
        ingested = best_of(args.repeat, lambda run: pairs[run][0])
        released = best_of(args.repeat, lambda run: pairs[run][1])
        load_after = load()
        profile = DATA_DIR / ("profile_approvals.txt" if count == 1_000
                              else f"profile_approvals_{count}.txt")
        if args.profile:
            ingest_copy(held, scratch / "profiled", forms, profile_to=profile)

    print_report(
        count,
        Row("(a) ingest: process_inbox, orders accepted + contracts", "ingest", ingested),
        Row("(b) release: process_inbox, approval forms + contracts + notices", "release",
            released),
        load_before, load_after)
    if args.profile:
        print(f"profile (cProfile, a separate run) written to {profile}")


if __name__ == "__main__":
    main()
