"""The sample workbooks several benchmarks drop into an inbox; not a benchmark itself.

Generated with the library's own form writer from _common's master data, once, and cached
under ``bench/.data/`` (see `cached_file`):

- order workbooks of 1-5 lines (ingest_many, contracts, approvals, pdf_throughput,
  shared_ledger), all accepted unless their prices say otherwise;
- one large receipt workbook (ingest_large, rejected_large), and its copy re-saved by openpyxl.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from _common import (
    DATA_DIR,
    DATA_VERSION,
    LANGUAGE,
    Product,
    cached_file,
    check,
    master_data,
    start_date,
)

from sales_sheets.forms.template import FormData, write_form
from sales_sheets.kinds import KINDS

# Order dates stay inside this many days, below the customers' 30 payment days: nothing that an
# earlier order in the same run leaves open can be overdue, so no order is held for it.
DATE_SPAN_DAYS = 20
METHODS = ("银行转账", "承兑汇票", "现金", "微信")

Price = Callable[[int, Product, random.Random], str]  # (line index, product, rng) -> unit price


# --- orders ------------------------------------------------------------------------------------


def at_or_above_list(index: int, product: Product, rng: random.Random) -> str:
    """A unit price at or above the list price: the order is not held for its price."""
    return str(product.list_price + Decimal(rng.choice((0, 0, 5, 12))))


def order_form(number: int, rng: random.Random, prefix: str = "SO",
               price: Price = at_or_above_list) -> FormData:
    """Order `prefix`<number> of a random customer, 1-5 products, each line priced by `price`."""
    master = master_data()
    customer = rng.choice(master.customers)
    lines = [
        {"product_code": product.code, "quantity": rng.randint(1, 20),
         "unit_price": price(index, product, rng), "remark": ""}
        for index, product in enumerate(rng.sample(master.products, rng.randint(1, 5)))
    ]
    header = {
        "order_no": f"{prefix}{number:06d}",
        "order_date": start_date(number % DATE_SPAN_DAYS),
        "customer_code": customer.code,
        "salesperson": customer.salesperson,
        "delivery_address": f"浙江省杭州市测试路 {number} 号",
        "delivery_method": "送货",
    }
    return FormData(header=header, lines=lines)


def build_orders(folder: Path, files: int, prefix: str = "SO",
                 price: Price = at_or_above_list) -> None:
    """`files` order workbooks `order_<prefix><number>.xlsx` in `folder`, from one seed."""
    rng = random.Random(files)
    folder.mkdir(parents=True)
    for number in range(1, files + 1):
        write_form(folder / f"order_{prefix}{number:06d}.xlsx", KINDS["order"], LANGUAGE,
                   data=order_form(number, rng, prefix, price))


def order_files(count: int, regenerate: bool) -> list[Path]:
    """`count` order workbooks (cached), in the order of their numbers."""
    folder = cached_file(DATA_DIR / f"v{DATA_VERSION}" / f"orders_{count}",
                         lambda p: build_orders(p, count), regenerate)
    files = sorted(folder.glob("*.xlsx"))
    check(len(files) == count, f"{folder} holds {len(files)} workbooks, expected {count}")
    return files


# --- receipts ----------------------------------------------------------------------------------


def build_receipts(path: Path, rows: int, known: bool = True) -> None:
    """Receipt lines drawn from one seed; `known=False` gives every line a customer code the
    master data does not have (the rest of the line is the same: bench/rejected_large.py)."""
    rng = random.Random(rows)
    customers = master_data().customers
    lines: list[dict[str, object]] = []
    for i in range(rows):
        customer = rng.choice(customers)
        lines.append({
            "receipt_date": start_date(i * 60 // rows),
            "customer_code": customer.code if known else f"X{customer.code}",
            "amount": str(Decimal(rng.randint(1_000, 5_000_000)) / 100),
            "method": rng.choice(METHODS),
            "reference": f"BK{i:08d}",
            "salesperson": customer.salesperson,
        })
    write_form(path, KINDS["receipt"], LANGUAGE, data=FormData(lines=lines))


def receipt_file(rows: int, regenerate: bool, known: bool = True) -> Path:
    """The cached receipt workbook of `rows` lines, customers known or (`known=False`) not."""
    name = f"receipts_{rows}.xlsx" if known else f"receipts_{rows}_unknown.xlsx"
    return cached_file(DATA_DIR / f"v{DATA_VERSION}" / name,
                       lambda p: build_receipts(p, rows, known), regenerate)


def resave_with_openpyxl(path: Path, source: Path) -> None:
    """`source` loaded and saved by openpyxl: every string becomes an inline string."""
    import openpyxl

    book = openpyxl.load_workbook(source)
    book.save(path)
    book.close()
    with zipfile.ZipFile(path) as package:
        check("xl/sharedStrings.xml" not in package.namelist(),
              "openpyxl wrote a shared-strings table; the inline variant would not be inline")


def inline_copy(source: Path, regenerate: bool) -> Path:
    """The cached copy of `source` re-saved by openpyxl, beside it as <stem>_inline.xlsx."""
    return cached_file(source.with_name(f"{source.stem}_inline.xlsx"),
                       lambda p: resave_with_openpyxl(p, source), regenerate)
