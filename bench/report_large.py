"""Benchmark: the annual summary workbook from a ledger of 1,000,000 order lines.

Run from the repository root:

    python bench/report_large.py                  # the issue size, 1,000,000 order lines
    python bench/report_large.py --lines 20000    # a quick smoke run
    python bench/report_large.py --repeat 3       # best of three runs of each measurement
    python bench/report_large.py --profile        # profile write_summary even when it meets

The ledger is synthetic and written straight into the ledger tables (through the inbox a
million lines would take hours): a workspace from `init_workspace`, the schema from
`open_ledger`, and `documents` plus the form tables filled with `insert_columns`, with a fixed
random seed. It holds the year 2026: 30 salespeople, 2,000 customers (some created in 2026), 300
products; `--lines` accepted order lines in 2026 over about a quarter as many accepted orders;
1 % more orders held and 2 % of the orders revised (a superseded first version, whose lines do
not count); receipts, 15 % as many as lines; monthly plans per salesperson (some also with a
year plan, some revised); weekly visit sheets. It is generated once and cached under
bench/.data/; generation time is printed apart and is not the measurement.

Then, each in a fresh child process (see _common.py; the ledger file is read once before, so
both start from a warm page cache):

- ours: `write_summary(workspace, parse_period("2026"))`, the ten-sheet workbook with every
  accepted order line of the year on 明细 (and 明细 (2), ... past Excel's row limit). It
  renders a big 明细 in a helper process of its own (sales_sheets/reports/details.py), so it
  runs in a child that may have children (not a pool's daemonic worker), and its peak memory
  is its own peak plus the helper's (a sum of peaks: an upper bound of what they held at
  once);
- pandas: `pandas.read_sql` of the accepted 2026 order lines joined to their orders and
  documents, `groupby` salesperson (amount) and product (quantity, amount, share), and
  `to_excel` of both tables to one workbook with xlsxwriter, pandas' xlsx writer.

The results are checked: the workbook is read back with python-calamine; the 明细 sheets hold
every line, their amounts add up to their totals rows; the by-salesperson total equals
SUM(orders.total) of the accepted 2026 orders from sqlite3; both the by-salesperson and the
by-product figures equal what pandas computed. It prints both times, the ratio pandas / ours
(for information: pandas writes two small tables, ours the whole workbook), and ours against
the targets: under 20 s and under 500 MB (10^6 bytes) peak resident memory. A miss is printed,
not raised, and profiles write_summary (cProfile, top 25 by cumulative and by own time) into
bench/.data/profile_report.txt (other sizes: profile_report_<lines>.txt).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import multiprocessing
import os
import platform
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from importlib.metadata import version
from itertools import accumulate
from pathlib import Path
from typing import Any, TypeVar

from _common import (
    DATA_DIR,
    DATA_VERSION,
    Measurement,
    _peak_rss_kib,
    _write_profile,
    best_of,
    cached_file,
    check,
    data_sheet,
    in_child,
    peak_rss_source,
    table_header_row,
)
from sqlalchemy import Connection, Engine, bindparam, update

from sales_sheets.kinds import KINDS
from sales_sheets.ledger import schema
from sales_sheets.ledger.bulk import insert_columns
from sales_sheets.ledger.database import close_all, open_ledger
from sales_sheets.workspace import init_workspace

# Bump when the generator changes: the cached ledger of an older generator is not reused.
GENERATOR = 1
SEED = 20260101
YEAR = 2026
N_SALESPEOPLE = 30
N_CUSTOMERS = 2_000
NEW_CUSTOMERS = 300  # of them created in YEAR
N_PRODUCTS = 300
LINES_PER_ORDER = 4  # on average
HELD_SHARE = 0.01  # extra orders held for approval
REVISED_SHARE = 0.02  # accepted orders with a superseded first version
RECEIPTS_PER_LINE = 0.15
COLLECTED = Decimal("0.85")  # receipts / orders over the year, roughly
ORDERS_PER_CHUNK = 20_000  # orders stored per transaction while generating

TIME_TARGET = 20.0  # seconds
MEMORY_TARGET = 500 * 10**6  # bytes of peak resident memory

FEN = Decimal("0.01")
DAY = timedelta(days=1)
FIRST_DAY, LAST_DAY = date(YEAR, 1, 1), date(YEAR, 12, 31)
REGIONS = ("华东", "华南", "华北", "西南", "东北", "西北")
METHODS = ("银行转账", "银行转账", "银行转账", "承兑汇票", "现金", "微信")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超")
CITIES = ("杭州", "宁波", "苏州", "无锡", "南京", "上海", "合肥", "广州", "深圳", "佛山", "东莞",
          "厦门", "福州", "成都", "重庆", "武汉", "长沙", "郑州", "济南", "青岛", "天津", "沈阳",
          "西安", "昆明")
BRANDS = ("华信", "恒通", "金诚", "宏达", "鑫源", "永泰", "联合", "东方", "新世纪", "中天",
          "瑞丰", "天成", "广源", "汇通", "明阳", "博远", "正大", "凯盛", "安泰", "万达")
TRADES = ("机电设备", "建材", "五金机电", "工程", "贸易", "水务", "环保科技", "自动化",
          "化工", "物资")
CATEGORIES = (("离心泵", "台"), ("闸阀", "件"), ("电动机", "台"), ("轴承", "套"), ("减速机", "台"),
              ("控制柜", "台"), ("压力传感器", "件"), ("变频器", "台"), ("不锈钢管", "米"),
              ("密封件", "箱"), ("钢板", "吨"), ("电缆", "米"))
FRACTIONAL_UNITS = ("米", "吨")

Columns = dict[str, list[Any]]  # column name -> its values, one a row
T = TypeVar("T")


def columns(*names: str) -> Columns:
    return {name: [] for name in names}


def append(target: Columns, **values: Any) -> None:
    for name, value in values.items():
        target[name].append(value)


# --- master data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    code: str
    name: str
    region: str


@dataclass(frozen=True)
class Client:
    code: str
    name: str
    person: Person
    created: date
    payment_days: int


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    spec: str
    unit: str
    price: Decimal
    tax_rate: Decimal
    discounted: tuple[Decimal, ...]  # approved special prices
    below_list: Decimal  # a price that needs approval: orders with it are held


@dataclass
class Master:
    people: list[Person]
    clients: list[Client]
    items: list[Item]


def make_master(rng: random.Random) -> Master:
    people = [Person(f"S{i:02d}", rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
                     REGIONS[i % len(REGIONS)]) for i in range(1, N_SALESPEOPLE + 1)]
    combos = [(c, b, t) for c in CITIES for b in BRANDS for t in TRADES]
    names = rng.sample(combos, N_CUSTOMERS)
    new = set(rng.sample(range(N_CUSTOMERS), NEW_CUSTOMERS))
    clients = []
    for i, (city, brand, trade) in enumerate(names):
        created = (FIRST_DAY + DAY * rng.randrange(340) if i in new
                   else date(rng.randint(2018, YEAR - 1), rng.randint(1, 12), rng.randint(1, 28)))
        clients.append(Client(f"C{i + 1:04d}", f"{city}{brand}{trade}有限公司",
                              people[i % N_SALESPEOPLE], created, rng.choice((30, 30, 45, 60, 90))))
    items = []
    for i in range(1, N_PRODUCTS + 1):
        category, unit = CATEGORIES[i % len(CATEGORIES)]
        price = Decimal(rng.randint(500, 200_000)) / 100
        items.append(Item(
            f"P{i:03d}", f"{category}{rng.choice('ABCDEFGHKLMNQRSTWXYZ')}{i % 7 + 1}系列",
            f"{rng.choice(('DN', 'XT-', 'GB', 'Y2-'))}{rng.randint(10, 400)}", unit, price,
            Decimal("0.09") if unit == "米" else Decimal("0.13"),
            tuple((price * f).quantize(FEN) for f in (Decimal("0.97"), Decimal("0.95"),
                                                       Decimal("0.92"))),
            (price * Decimal("0.85")).quantize(FEN)))
    return Master(people, clients, items)


# --- documents ---------------------------------------------------------------------------------


class Documents:
    """`documents` rows with ids handed out here, so that their form rows can name them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.next_id = 1
        self.rows = self._empty()
        self.supersede: list[dict[str, int]] = []

    @staticmethod
    def _empty() -> Columns:
        return columns("id", "kind", "doc_key", "version", "status", "sha256", "source_file",
                       "folder", "intake_claim", "hold_reasons", "stored_at")

    def add(self, kind: str, key: str, version: int, status: str, source_file: str,
            stored_at: datetime, folder: str = "", hold_reasons: str | None = None) -> int:
        document_id = self.next_id
        self.next_id += 1
        digest = hashlib.sha256(f"{kind}|{key}|{version}|{document_id}".encode()).hexdigest()
        append(self.rows, id=document_id, kind=kind, doc_key=key if kind in (
            "order", "plan", "visit") else digest, version=version, status=status, sha256=digest,
               source_file=source_file, folder=folder,
               intake_claim=f"{self.rng.getrandbits(128):032x}", hold_reasons=hold_reasons,
               stored_at=stored_at)
        return document_id

    def superseded(self, old: int, new: int) -> None:
        self.supersede.append({"b_old": old, "b_new": new})

    def flush(self, conn: Connection) -> None:
        """Store the documents added so far; call before inserting the rows that name them."""
        insert_columns(conn, schema.documents, self.rows)
        if self.supersede:
            conn.execute(update(schema.documents)
                         .where(schema.documents.c.id == bindparam("b_old"))
                         .values(superseded_by=bindparam("b_new")), self.supersede)
        self.rows, self.supersede = self._empty(), []


def at(day: date, rng: random.Random) -> datetime:
    """A time on `day` during office hours."""
    return datetime(day.year, day.month, day.day, rng.randint(8, 18), rng.randrange(60),
                    rng.randrange(60))


def store_master(conn: Connection, docs: Documents, master: Master, rng: random.Random) -> None:
    stored = datetime(YEAR - 1, 12, 20, 10, 0)
    sheet = lambda name: data_sheet(KINDS[name])  # noqa: E731
    first = table_header_row(KINDS["customers"]) + 2  # 1-based sheet row of the first line
    people = columns("code", "name", "region", "manager", "email", "document_id", "source_sheet",
                     "source_row")
    doc = docs.add("salespeople", "", 1, "accepted", "业务员.xlsx", stored)
    for row, p in enumerate(master.people, start=first):
        append(people, code=p.code, name=p.name, region=p.region, manager=f"{p.region}经理",
               email=f"{p.code.lower()}@example.com", document_id=doc,
               source_sheet=sheet("salespeople"), source_row=row)
    products = columns("code", "name", "spec", "unit", "list_price", "floor_price", "tax_rate",
                       "document_id", "source_sheet", "source_row")
    doc = docs.add("products", "", 1, "accepted", "产品价格表.xlsx", stored)
    for row, item in enumerate(master.items, start=first):
        append(products, code=item.code, name=item.name, spec=item.spec, unit=item.unit,
               list_price=item.price, floor_price=(item.price * Decimal("0.8")).quantize(FEN),
               tax_rate=item.tax_rate, document_id=doc, source_sheet=sheet("products"),
               source_row=row)
    clients = customer_rows(docs, master, rng)
    docs.flush(conn)
    insert_columns(conn, schema.salespeople, people)
    insert_columns(conn, schema.products, products)
    insert_columns(conn, schema.customers, clients)


def customer_rows(docs: Documents, master: Master, rng: random.Random) -> Columns:
    """The customers on file before the year in one document, then one per month of new ones."""
    rows = columns("code", "name", "region", "salesperson", "tier", "credit_limit",
                   "payment_days", "opening_balance", "opening_date", "contact", "phone",
                   "address", "tax_id", "bank", "bank_account", "created", "document_id",
                   "source_sheet", "source_row")
    by_month: dict[int, list[Client]] = defaultdict(list)
    for client in master.clients:
        by_month[client.created.month if client.created.year == YEAR else 0].append(client)
    first = table_header_row(KINDS["customers"]) + 2
    for month in sorted(by_month):
        day = date(YEAR - 1, 12, 20) if month == 0 else date(YEAR, month, 1) + DAY * 27
        doc = docs.add("customers", "", 1, "accepted", f"客户档案_{day:%Y%m}.xlsx",
                       at(day, rng))
        for row, c in enumerate(by_month[month], start=first):
            old = c.created.year < YEAR
            balance = Decimal(rng.randint(0, 30_000_000)) / 100 if old and rng.random() < 0.6 \
                else None
            append(rows, code=c.code, name=c.name, region=c.person.region,
                   salesperson=c.person.code, tier=rng.choice("ABBCCC"),
                   credit_limit=None if rng.random() < 0.3
                   else Decimal(rng.randint(5, 300) * 10_000),
                   payment_days=c.payment_days, opening_balance=balance,
                   opening_date=date(YEAR - 1, 12, 31) if balance is not None else None,
                   contact=rng.choice(SURNAMES) + rng.choice(("经理", "总", "工")),
                   phone=f"13{rng.randrange(10**9):09d}", address=f"{c.name[:2]}市工业园区"
                   f"{rng.randint(1, 300)}号", tax_id=f"91{rng.randrange(10**16):016d}",
                   bank=f"{rng.choice(('工商', '建设', '农业', '招商'))}银行{c.name[:2]}分行",
                   bank_account=f"{rng.randrange(10**19):019d}", created=c.created,
                   document_id=doc, source_sheet=data_sheet(KINDS["customers"]), source_row=row)
    return rows


# --- orders ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One order to generate: its date, status and (for accepted ones) number of lines."""

    day: date
    status: str  # accepted, revised (a superseded version 1, then accepted), held
    lines: int


@dataclass
class Sales:
    """What the orders came to, for the receipts and plans generated after them."""

    orders: list[tuple[date, Client, Decimal, str]] = field(default_factory=list)
    by_month: dict[tuple[str, int], Decimal] = field(default_factory=dict)


def line_counts(rng: random.Random, orders: int, lines: int) -> list[int]:
    """`orders` numbers of lines, 1 to 12 and mostly few, that add up to exactly `lines`."""
    counts = rng.choices(range(1, 11), weights=(20, 18, 15, 12, 10, 8, 6, 5, 3, 3), k=orders)
    missing = lines - sum(counts)
    while missing:
        i = rng.randrange(orders)
        if missing > 0 and counts[i] < 12:
            counts[i] += 1
            missing -= 1
        elif missing < 0 and counts[i] > 1:
            counts[i] -= 1
            missing += 1
    return counts


def order_specs(rng: random.Random, lines: int) -> list[Spec]:
    accepted = max(1, lines // LINES_PER_ORDER)
    days = [FIRST_DAY + DAY * i for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    # Weekdays busy, weekends quiet, a slow February (New Year) and a strong year end.
    weights = [(1.0 if d.weekday() < 5 else 0.15) * (0.5 if d.month == 2 else 1.0)
               * (1.0 + d.month / 24) for d in days]
    held = max(1, round(accepted * HELD_SHARE))
    chosen = sorted(rng.choices(days, weights=weights, k=accepted + held))
    statuses = ["revised" if rng.random() < REVISED_SHARE else "accepted"
                for _ in range(accepted)] + ["held"] * held
    rng.shuffle(statuses)
    counts = iter(line_counts(rng, accepted, lines))
    return [Spec(day, status, rng.randint(1, 6) if status == "held" else next(counts))
            for day, status in zip(chosen, statuses, strict=True)]


class Orders:
    """Generates and stores the orders: documents, `orders` headers and `order_lines`."""

    def __init__(self, rng: random.Random, master: Master, docs: Documents) -> None:
        self.rng, self.master, self.docs = rng, master, docs
        self.client_weights = list(accumulate(1 / (rank + 1) for rank in range(N_CUSTOMERS)))
        self.clients = rng.sample(master.clients, N_CUSTOMERS)  # who buys most is random
        self.item_weights = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(N_PRODUCTS)))
        self.items = rng.sample(master.items, N_PRODUCTS)
        self.whole = [Decimal(q) for q in (1, 1, 1, 2, 2, 3, 4, 5, 5, 6, 8, 10, 10, 12, 15, 20,
                                           20, 24, 30, 50, 100)]
        self.fraction = [Decimal(n) / 10 for n in range(5, 500, 5)]
        self.sales = Sales()
        self.heads = self._heads()
        self.lines = self._lines()

    @staticmethod
    def _heads() -> Columns:
        return columns("document_id", "order_no", "order_date", "customer_code", "salesperson",
                       "delivery_address", "delivery_date", "delivery_method",
                       "vehicle_or_picker", "price_approval_no", "overdue_approval_no",
                       "remarks", "total", "source_sheet")

    @staticmethod
    def _lines() -> Columns:
        return columns("line_no", "product_code", "product_name", "spec", "quantity", "unit",
                       "unit_price", "amount", "remark", "tax_rate", "document_id",
                       "source_sheet", "source_row")

    def store(self, conn: Connection, specs: Sequence[Spec], first_number: int) -> None:
        for number, spec in enumerate(specs, start=first_number):
            self._order(spec, f"XS{YEAR}{number:06d}")
        self.docs.flush(conn)
        insert_columns(conn, schema.orders, self.heads)
        insert_columns(conn, schema.order_lines, self.lines)
        self.heads, self.lines = self._heads(), self._lines()

    def _client(self, day: date) -> Client:
        for _ in range(50):
            client = self.rng.choices(self.clients, cum_weights=self.client_weights)[0]
            if client.created <= day:
                return client
        return next(c for c in self.clients if c.created <= day)

    def _order(self, spec: Spec, order_no: str) -> None:
        rng = self.rng
        client = self._client(spec.day)
        person = client.person.code
        special = spec.status != "held" and rng.random() < 0.08  # approved special prices
        chosen = self._pick(spec.lines)
        stored = at(spec.day, rng)
        source = f"{person}/订货单_{order_no}.xlsx"
        if spec.status == "revised":
            draft = [(item, quantity + 1, price) for item, quantity, price in chosen]
            old = self.docs.add("order", order_no, 1, "superseded", source, stored, person)
            self._write(old, order_no, spec, client, draft, special)
            new = self.docs.add("order", order_no, 2, "accepted", source, stored + DAY, person)
            self.docs.superseded(old, new)
        elif spec.status == "held":
            chosen[0] = (chosen[0][0], chosen[0][1], chosen[0][0].below_list)
            new = self.docs.add("order", order_no, 1, "held", source, stored, person,
                                '["price_below_list"]')
        else:
            new = self.docs.add("order", order_no, 1, "accepted", source, stored, person)
        if special:
            chosen = [(item, quantity, rng.choice(item.discounted) if rng.random() < 0.4
                       else price) for item, quantity, price in chosen]
        total = self._write(new, order_no, spec, client, chosen, special)
        if spec.status != "held":
            self.sales.orders.append((spec.day, client, total, order_no))
            key = (person, spec.day.month)
            self.sales.by_month[key] = self.sales.by_month.get(key, Decimal(0)) + total

    def _pick(self, count: int) -> list[tuple[Item, Decimal, Decimal]]:
        rng = self.rng
        picked: dict[str, Item] = {}
        while len(picked) < count:
            for item in rng.choices(self.items, cum_weights=self.item_weights,
                                    k=count - len(picked)):
                picked[item.code] = item
        return [(item, rng.choice(self.fraction if item.unit in FRACTIONAL_UNITS
                                  else self.whole), item.price) for item in picked.values()]

    def _write(self, document_id: int, order_no: str, spec: Spec, client: Client,
               chosen: Sequence[tuple[Item, Decimal, Decimal]], special: bool) -> Decimal:
        rng, lines, sheet = self.rng, self.lines, data_sheet(KINDS["order"])
        first = table_header_row(KINDS["order"]) + 2
        total = Decimal(0)
        for line_no, (item, quantity, price) in enumerate(chosen, start=1):
            amount = (quantity * price).quantize(FEN, ROUND_HALF_UP)
            total += amount
            append(lines, line_no=line_no, product_code=item.code, product_name=item.name,
                   spec=item.spec, quantity=quantity, unit=item.unit, unit_price=price,
                   amount=amount, remark=None, tax_rate=item.tax_rate, document_id=document_id,
                   source_sheet=sheet, source_row=first + line_no - 1)
        pickup = rng.random() < 0.2
        append(self.heads, document_id=document_id, order_no=order_no, order_date=spec.day,
               customer_code=client.code, salesperson=client.person.code,
               delivery_address=f"{client.name[:2]}市{rng.choice(('开发区', '高新区', '工业园'))}"
               f"{rng.randint(1, 99)}号仓库", delivery_date=spec.day + DAY * rng.randint(2, 15),
               delivery_method="pickup" if pickup else "delivery",
               vehicle_or_picker=f"浙A{rng.randrange(10**5):05d}" if pickup else None,
               price_approval_no=f"JG{YEAR}{rng.randrange(10**4):04d}" if special else None,
               overdue_approval_no=None, remarks=None, total=total, source_sheet=sheet)
        return total


def store_orders(engine: Engine, rng: random.Random, master: Master, docs: Documents,
                 lines: int) -> Sales:
    specs = order_specs(rng, lines)
    orders = Orders(rng, master, docs)
    for start in range(0, len(specs), ORDERS_PER_CHUNK):
        with engine.begin() as conn:
            orders.store(conn, specs[start:start + ORDERS_PER_CHUNK], start + 1)
    return orders.sales


# --- receipts, plans, visits -------------------------------------------------------------------


def store_receipts(conn: Connection, rng: random.Random, docs: Documents, sales: Sales,
                   count: int) -> None:
    """`count` receipts against the orders, a bit after they fall due; one file a week."""
    orders = sales.orders
    factor = COLLECTED * len(orders) / count  # a receipt pays for this many orders on average
    paid: list[tuple[date, Client, Decimal, str | None]] = []
    for _ in range(count):
        day, client, total, order_no = orders[rng.randrange(len(orders))]
        when = day + DAY * (client.payment_days + rng.randint(-20, 30))
        if not day <= when <= LAST_DAY:
            when = day + DAY * rng.randint(0, (LAST_DAY - day).days)
        amount = max(FEN, (total * factor * rng.randint(60, 140) / 100).quantize(FEN))
        paid.append((when, client, amount, order_no if rng.random() < 0.3 else None))
    paid.sort(key=lambda receipt: receipt[0])
    rows = columns("line_no", "receipt_date", "customer_code", "amount", "method", "reference",
                   "order_no", "salesperson", "document_id", "source_sheet", "source_row")
    sheet, first = data_sheet(KINDS["receipt"]), table_header_row(KINDS["receipt"]) + 2
    week, document_id, line_no = None, 0, 0
    for number, (when, client, amount, reference) in enumerate(paid, start=1):
        if when.isocalendar()[:2] != week:
            week = when.isocalendar()[:2]
            document_id = docs.add("receipt", "", 1, "accepted",
                                   f"finance/回款登记_{week[0]}-W{week[1]:02d}.xlsx",
                                   at(when + DAY * (6 - when.weekday()), rng), "FINANCE")
            line_no = 0
        line_no += 1
        named = client.person.code if rng.random() < 0.15 else None
        append(rows, line_no=line_no, receipt_date=when, customer_code=client.code,
               amount=amount, method=rng.choice(METHODS), reference=f"BK{YEAR}{number:08d}",
               order_no=reference, salesperson=named, document_id=document_id,
               source_sheet=sheet, source_row=first + line_no - 1)
    docs.flush(conn)
    insert_columns(conn, schema.receipts, rows)


def _thousands(amount: Decimal) -> Decimal:
    return max(Decimal(10_000), (amount / 1000).quantize(Decimal(1)) * 1000)


def store_plans(conn: Connection, rng: random.Random, docs: Documents, master: Master,
                sales: Sales) -> None:
    """Monthly plans for everyone (a few revised), a year plan for some."""
    heads = columns("document_id", "salesperson", "period", "source_sheet")
    lines = columns("line_no", "customer_code", "product_code", "target_amount",
                    "target_collection", "target_new_customers", "planned_visits",
                    "document_id", "source_sheet", "source_row")
    sheet, first = data_sheet(KINDS["plan"]), table_header_row(KINDS["plan"]) + 2
    yearly = set(rng.sample(range(N_SALESPEOPLE), 5))
    for index, person in enumerate(master.people):
        months: list[Decimal] = []
        for month in range(1, 13):
            target = _thousands(sales.by_month.get((person.code, month), Decimal(0))
                                * Decimal(rng.randint(85, 125)) / 100)
            months.append(target)
            period = f"{YEAR}-{month:02d}"
            versions = 2 if rng.random() < 0.03 else 1
            ids = [docs.add("plan", f"{person.code}|{period}", v,
                            "accepted" if v == versions else "superseded",
                            f"{person.code}/销售计划_{period}.xlsx",
                            at(date(YEAR, month, 1) - DAY * rng.randint(1, 6) + DAY * v, rng),
                            person.code) for v in range(1, versions + 1)]
            if versions > 1:
                docs.superseded(ids[0], ids[1])
            for document_id in ids:
                append(heads, document_id=document_id, salesperson=person.code, period=period,
                       source_sheet=sheet)
                append(lines, line_no=1, customer_code=None, product_code=None,
                       target_amount=target, target_collection=_thousands(target * COLLECTED),
                       target_new_customers=rng.randint(0, 2), planned_visits=rng.randint(20, 30),
                       document_id=document_id, source_sheet=sheet, source_row=first)
        if index in yearly:
            document_id = docs.add("plan", f"{person.code}|{YEAR}", 1, "accepted",
                                   f"{person.code}/销售计划_{YEAR}.xlsx",
                                   at(date(YEAR - 1, 12, 15), rng), person.code)
            target = _thousands(sum(months, Decimal(0)) * Decimal("1.05"))
            append(heads, document_id=document_id, salesperson=person.code, period=str(YEAR),
                   source_sheet=sheet)
            append(lines, line_no=1, customer_code=None, product_code=None, target_amount=target,
                   target_collection=_thousands(target * COLLECTED), target_new_customers=15,
                   planned_visits=300, document_id=document_id, source_sheet=sheet,
                   source_row=first)
    docs.flush(conn)
    insert_columns(conn, schema.plans, heads)
    insert_columns(conn, schema.plan_lines, lines)


PURPOSES = ("回访", "新品推介", "催收货款", "商务洽谈", "技术交流", "投诉处理")
OUTCOMES = ("有意向", "已下单", "需再跟进", "暂无需求", None)


def store_visits(conn: Connection, rng: random.Random, docs: Documents, master: Master) -> None:
    """One visit sheet per salesperson and week, four to ten visits each."""
    heads = columns("document_id", "salesperson", "week_start", "source_sheet")
    rows = columns("line_no", "visit_date", "customer_code", "prospect_name", "purpose",
                   "planned", "visited", "outcome", "intent_amount", "competitor_info",
                   "complaint", "next_action", "document_id", "source_sheet", "source_row")
    sheet, first = data_sheet(KINDS["visit"]), table_header_row(KINDS["visit"]) + 2
    clients_of: dict[str, list[Client]] = defaultdict(list)
    for client in master.clients:
        clients_of[client.person.code].append(client)
    monday = date(YEAR, 1, 5)
    while monday <= LAST_DAY:
        days = [d for d in (monday + DAY * i for i in range(5)) if d <= LAST_DAY]
        for person in master.people:
            document_id = docs.add("visit", f"{person.code}|{monday.isoformat()}", 1,
                                   "accepted", f"{person.code}/客户拜访表_{monday}.xlsx",
                                   at(days[-1], rng), person.code)
            append(heads, document_id=document_id, salesperson=person.code, week_start=monday,
                   source_sheet=sheet)
            visits = sorted(rng.choice(days) for _ in range(rng.randint(4, 10)))
            for line_no, day in enumerate(visits, start=1):
                prospect = rng.random() < 0.1
                planned = rng.random() < 0.8
                append(rows, line_no=line_no, visit_date=day,
                       customer_code=None if prospect else rng.choice(
                           clients_of[person.code]).code,
                       prospect_name=f"{rng.choice(CITIES)}潜在客户" if prospect else None,
                       purpose=rng.choice(PURPOSES), planned=planned,
                       visited=rng.random() < 0.85 if planned else True,
                       outcome=rng.choice(OUTCOMES),
                       intent_amount=Decimal(rng.randint(1, 500) * 1000) if prospect else None,
                       competitor_info=None, complaint=None, next_action=None,
                       document_id=document_id, source_sheet=sheet,
                       source_row=first + line_no - 1)
        monday += 7 * DAY
    docs.flush(conn)
    insert_columns(conn, schema.visit_weeks, heads)
    insert_columns(conn, schema.visits, rows)


def build_ledger(root: Path, lines: int) -> None:
    """A workspace whose ledger holds the year, written into the tables directly."""
    rng = random.Random(SEED)
    workspace = init_workspace(root)
    engine = open_ledger(workspace.database_url)
    try:
        master = make_master(rng)
        docs = Documents(rng)
        with engine.begin() as conn:
            store_master(conn, docs, master, rng)
        sales = store_orders(engine, rng, master, docs, lines)
        with engine.begin() as conn:
            store_receipts(conn, rng, docs, sales, max(1, round(lines * RECEIPTS_PER_LINE)))
            store_plans(conn, rng, docs, master, sales)
            store_visits(conn, rng, docs, master)
    finally:
        close_all()  # the last connection checkpoints the WAL into ledger.sqlite
    stored = count_accepted_lines(root / "ledger.sqlite")
    check(stored == lines, f"generated {stored} accepted {YEAR} order lines, expected {lines}")


# --- what the ledger holds, from sqlite3 -------------------------------------------------------

ACCEPTED = (f"FROM orders AS o JOIN documents AS d ON d.id = o.document_id "
            f"WHERE d.status = 'accepted' AND o.order_date BETWEEN '{FIRST_DAY}' AND '{LAST_DAY}'")


def query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as conn:
        return conn.execute(sql).fetchall()


def count_accepted_lines(database: Path) -> int:
    sql = ("SELECT count(*) FROM order_lines AS l JOIN orders AS o "
           "ON o.document_id = l.document_id JOIN documents AS d ON d.id = o.document_id "
           f"WHERE d.status = 'accepted' AND o.order_date BETWEEN '{FIRST_DAY}' AND '{LAST_DAY}'")
    return int(query(database, sql)[0][0])


@dataclass(frozen=True)
class Ledger:
    """The figures the checks compare against and the description printed."""

    accepted_orders: int
    accepted_lines: int
    orders_total_fen: int  # SUM(orders.total) of the accepted orders of the year
    lines_total_fen: int
    description: str


def describe(database: Path) -> Ledger:
    (orders, total), = query(database, f"SELECT count(*), sum(o.total) {ACCEPTED}")
    (lines, amount), = query(database, "SELECT count(*), sum(l.amount) FROM order_lines AS l "
                             "JOIN orders AS o ON o.document_id = l.document_id "
                             "JOIN documents AS d ON d.id = o.document_id "
                             + ACCEPTED[ACCEPTED.index("WHERE"):])
    statuses = dict(query(database, "SELECT status, count(*) FROM documents "
                                    "WHERE kind = 'order' GROUP BY status"))

    def count(sql: str) -> int:
        return int(query(database, sql)[0][0])

    all_lines = count("SELECT count(*) FROM order_lines")
    new_customers = f"SELECT count(*) FROM customers WHERE created >= '{FIRST_DAY}'"
    text = (
        f"{orders:,} accepted orders with {lines:,} lines, {statuses.get('held', 0):,} held and "
        f"{statuses.get('superseded', 0):,} superseded versions ({all_lines - lines:,} more "
        f"lines); {count('SELECT count(*) FROM receipts'):,} receipts; "
        f"{count('SELECT count(*) FROM salespeople')} salespeople, "
        f"{count('SELECT count(*) FROM customers'):,} customers "
        f"({count(new_customers)} created in "
        f"{YEAR}), {count('SELECT count(*) FROM products')} products; "
        f"{count('SELECT count(*) FROM plans')} plans, "
        f"{count('SELECT count(*) FROM visit_weeks'):,} visit sheets with "
        f"{count('SELECT count(*) FROM visits'):,} visits; "
        f"{count('SELECT count(*) FROM documents'):,} documents; "
        f"ledger.sqlite {database.stat().st_size / 2**20:,.0f} MiB")
    return Ledger(int(orders), int(lines), int(total), int(amount), text)


def warm(path: Path) -> None:
    """Read the file once, so that every measurement finds it in the page cache."""
    with path.open("rb") as stream:
        while stream.read(1 << 24):
            pass


# --- measurements in child processes -----------------------------------------------------------


def summary(root: str, profile_to: str | None = None) -> Measurement:
    """Child: `write_summary` of the year, optionally under cProfile."""
    from sales_sheets.forms.periods import parse_period
    from sales_sheets.reports.summary import report_path, write_summary
    from sales_sheets.workspace import open_workspace

    workspace = open_workspace(root)
    period = parse_period(str(YEAR))
    report_path(workspace, period).unlink(missing_ok=True)
    base = _peak_rss_kib()
    profiler = cProfile.Profile() if profile_to else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    path = write_summary(workspace, period)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    # The helper that rendered 明细, if one was started, has ended and been waited for: its
    # resident-set peak is the children's (Linux carries the parent's size at the fork over
    # into it, so this errs high, never low).
    helper = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    helper = helper // 1024 if sys.platform == "darwin" else helper  # bytes on macOS
    peak = _peak_rss_kib() + helper
    if profiler and profile_to:
        _write_profile(profiler, Path(profile_to), seconds,
                       "write_summary (this process only: not the 明细 helper process)")
    return Measurement(seconds, base, peak, {"path": str(path), "bytes": path.stat().st_size,
                                             "helper_peak_kib": helper})


def in_process(function: Callable[..., T], *args: object) -> T:
    """Like _common.in_child (a fresh spawned interpreter), but one that may start processes
    of its own: a multiprocessing pool's workers are daemonic and may not, and write_summary
    would then render 明细 in its own process."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


PANDAS_SQL = """
SELECT o.order_no, o.order_date, o.customer_code, o.salesperson,
       l.product_code, l.quantity, l.unit_price, l.amount
FROM order_lines AS l
JOIN orders AS o ON o.document_id = l.document_id
JOIN documents AS d ON d.id = o.document_id
WHERE d.status = 'accepted' AND o.order_date BETWEEN ? AND ?
"""


def pandas_tables(database: str, target: str) -> Measurement:
    """Child: read_sql the accepted lines of the year, groupby, to_excel (xlsxwriter)."""
    import pandas as pd
    import xlsxwriter  # noqa: F401 - imported before the clock, as write_summary's module does

    base = _peak_rss_kib()
    started = time.perf_counter()
    conn = sqlite3.connect(database)
    try:
        lines = pd.read_sql(PANDAS_SQL, conn, params=(FIRST_DAY.isoformat(), LAST_DAY.isoformat()))
        people = pd.read_sql("SELECT code, name, region FROM salespeople", conn)
        items = pd.read_sql("SELECT code, name, spec, unit FROM products", conn)
    finally:
        conn.close()
    # The ledger holds money in fen and quantities in 1/10,000: the integer sums are exact.
    by_person = lines.groupby("salesperson")["amount"].sum()
    by_item = lines.groupby("product_code")[["quantity", "amount"]].sum()
    person_table = people.assign(amount=people["code"].map(by_person).fillna(0) / 100)
    item_table = by_item.rename_axis("code").reset_index().merge(items, on="code", how="left")
    item_table["quantity"] = item_table["quantity"] / 10_000
    item_table["amount"] = item_table["amount"] / 100
    item_table["share"] = item_table["amount"] / item_table["amount"].sum()
    item_table = item_table.sort_values(["amount", "code"], ascending=[False, True])[
        ["code", "name", "spec", "unit", "quantity", "amount", "share"]]
    with pd.ExcelWriter(target, engine="xlsxwriter") as writer:
        person_table.to_excel(writer, sheet_name="业务员", index=False)
        item_table.to_excel(writer, sheet_name="产品", index=False)
    seconds = time.perf_counter() - started
    return Measurement(seconds, base, _peak_rss_kib(), {
        "rows": len(lines),
        "people": {str(k): int(v) for k, v in by_person.items()},
        "items": {str(k): [int(q), int(a)] for k, (q, a) in by_item.iterrows()},
        "bytes": Path(target).stat().st_size,
    })


def _units(value: Any, per_unit: int) -> int:
    return round(float(value) * per_unit)


def _fen(value: Any) -> int:
    return _units(value, 100)


# The layout of the summary workbook (zh, the workspace default) that read_back relies on: the
# sheets and the first column's label; title, info and header rows, then the data rows and last
# a totals row. read_back checks the header labels, so a changed layout fails loudly.
FIRST_ROW = 3  # 0-based
DETAILS, ACHIEVEMENT, PRODUCTS = ("明细", "订单号"), ("业务员达成", "编码"), ("产品", "产品编码")


def _sheet_rows(book: Any, sheet: tuple[str, str]) -> list[list[Any]]:
    rows: list[list[Any]] = book.get_sheet_by_name(sheet[0]).to_python()
    check(rows[FIRST_ROW - 1][0] == sheet[1], f"{sheet[0]}: unexpected header row")
    return rows


def read_back(path: str) -> dict[str, Any]:
    """Child: the figures checked, read from the workbook with python-calamine."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(path)
    details = [name for name in book.sheet_names
               if name == DETAILS[0] or name.startswith(f"{DETAILS[0]} (")]
    rows = amount = totals = 0
    for name in details:
        sheet = book.get_sheet_by_name(name)
        check(tuple(sheet.start or ()) == (0, 0), f"{name} does not start at A1")
        previous: list[Any] | None = None
        for index, row in enumerate(sheet.iter_rows()):
            if index <= FIRST_ROW:  # title, info and header rows; the first data row is held
                check(index != FIRST_ROW - 1 or row[0] == DETAILS[1],
                      f"{name}: unexpected header row")
                previous = row if index == FIRST_ROW else None
                continue
            assert previous is not None
            rows += 1
            amount += _fen(previous[11])
            previous = row
        check(previous is not None and isinstance(previous[0], str) and previous[0] != "",
              f"{name}: no totals row at the end")
        assert previous is not None
        totals += _fen(previous[11])
    people = _sheet_rows(book, ACHIEVEMENT)
    products = _sheet_rows(book, PRODUCTS)
    return {
        "sheets": book.sheet_names, "details": details, "detail_rows": rows,
        "detail_fen": amount, "detail_totals_fen": totals,
        "people": {str(r[0]): _fen(r[4]) for r in people[FIRST_ROW:-1]},
        "people_total_fen": _fen(people[-1][4]),
        "items": {str(r[0]): [_units(r[4], 10_000), _fen(r[5])]
                  for r in products[FIRST_ROW:-1]},
    }


# --- checks and the printed table --------------------------------------------------------------


def check_results(ledger: Ledger, ours: dict[str, Any], pandas: Measurement) -> str:
    """Raise BenchError unless our workbook and pandas' tables hold the ledger's figures."""
    lines = ledger.accepted_lines
    check(ours["detail_rows"] == lines,
          f"明细 sheets {ours['details']} hold {ours['detail_rows']} rows, expected {lines}")
    check(ours["detail_fen"] == ours["detail_totals_fen"] == ledger.lines_total_fen,
          f"明细 amounts {ours['detail_fen']} / totals rows {ours['detail_totals_fen']} fen, "
          f"the ledger's lines {ledger.lines_total_fen} fen")
    check(ours["people_total_fen"] == ledger.orders_total_fen
          and sum(ours["people"].values()) == ledger.orders_total_fen,
          f"by-salesperson total {ours['people_total_fen']} fen, SUM(orders.total) "
          f"{ledger.orders_total_fen} fen")
    sold = {code: fen for code, fen in ours["people"].items() if fen}
    check(sold == pandas.detail["people"], "by-salesperson amounts differ from pandas'")
    check(ours["items"] == pandas.detail["items"],
          "by-product quantities or amounts differ from pandas'")
    check(pandas.detail["rows"] == lines, f"pandas read {pandas.detail['rows']} lines")
    return (f"check: 明细 holds {lines:,} rows on {len(ours['details'])} sheet(s) "
            f"({', '.join(ours['details'])}), their amounts add up to the totals rows and to the "
            f"ledger's; by-salesperson total = SUM(orders.total) of the accepted {YEAR} orders = "
            f"{ledger.orders_total_fen / 100:,.2f}; by-salesperson and by-product figures "
            "equal pandas' (every run of ours checked)")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def versions() -> str:
    names = ("sales-sheets", "pandas", "XlsxWriter", "SQLAlchemy", "python-calamine")
    return (f"Python {platform.python_version()} on {platform.machine()}, SQLite "
            f"{sqlite3.sqlite_version}; " + ", ".join(f"{n} {version(n)}" for n in names))


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def verdict(ok: bool) -> str:
    return "MEETS" if ok else "MISSES"


def print_table(title: str, rows: Sequence[tuple[str, Measurement]], count: int,
                machine: tuple[str, str]) -> tuple[bool, bool]:
    """The table and the targets for ours (the last row); returns (time met, memory met)."""
    print()
    print(title)
    print(versions())
    print(f"machine: {os.cpu_count()} CPUs; before the runs {machine[0]}, after {machine[1]}")
    print()
    width = max(len(label) for label, _ in rows)
    print(f"{'measurement':<{width}}  {'time':>9}  {'lines/s':>9}  {'RSS after imports':>17}  "
          f"{'peak RSS':>9}")
    print("-" * (width + 54))
    for label, m in rows:
        print(f"{label:<{width}}  {m.seconds:>7.2f} s  {count / m.seconds:>9,.0f}  "
              f"{_mib(m.base_rss_kib):>17}  {_mib(m.peak_rss_kib):>9}")
    print("-" * (width + 54))
    pandas, ours = rows[0][1], rows[-1][1]
    print(f"ratio pandas / ours = {pandas.seconds / ours.seconds:.2f}x   (for information: "
          "pandas writes the two tables, ours all ten sheets)")
    time_ok = ours.seconds < TIME_TARGET
    peak = ours.peak_rss_kib * 1024
    memory_ok = peak < MEMORY_TARGET
    print(f"target: ours < {TIME_TARGET:g} s: {ours.seconds:.2f} s   {verdict(time_ok)}")
    print(f"target: ours peak RSS < {MEMORY_TARGET / 10**6:,.0f} MB: {peak / 10**6:,.0f} MB "
          f"({_mib(ours.peak_rss_kib)})   {verdict(memory_ok)}")
    runs = [(label.split(":")[0], m.detail.get("runs", [])) for label, m in rows]
    if any(len(times) > 1 for _, times in runs):
        print("best of " + "; ".join(
            f"{short} {', '.join(f'{t:.2f}' for t in times)}" for short, times in runs))
    return time_ok, memory_ok


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000,
                        help="accepted order lines in the year (default 1000000)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run every measurement this many times and keep the fastest")
    parser.add_argument("--profile", action="store_true",
                        help="profile write_summary even when it meets the targets")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached ledger")
    args = parser.parse_args()
    lines: int = args.lines
    check(lines >= 100 and args.repeat > 0, "--lines must be at least 100, --repeat positive")

    folder = DATA_DIR / f"v{DATA_VERSION}" / f"report_ledger_g{GENERATOR}_{lines}"
    fresh = args.regenerate or not folder.exists()
    started = time.perf_counter()
    root = cached_file(folder, lambda p: build_ledger(p, lines), args.regenerate)
    generated = time.perf_counter() - started
    database = root / "ledger.sqlite"
    ledger = describe(database)
    check(ledger.accepted_lines == lines, f"the cached ledger holds {ledger.accepted_lines} lines")
    warm(database)
    before = load()

    checked: list[dict[str, Any]] = []

    def ours_once(_: int) -> Measurement:
        measured = in_process(summary, str(root))
        checked.append(in_child(read_back, measured.detail["path"]))
        return measured

    with tempfile.TemporaryDirectory(prefix="run-", dir=DATA_DIR) as scratch:
        pandas = best_of(args.repeat, lambda run: in_child(
            pandas_tables, str(database), str(Path(scratch) / f"pandas-{run}.xlsx")))
        ours = best_of(args.repeat, ours_once)
    after = load()
    outcome = [check_results(ledger, read, pandas) for read in checked][-1]

    title = (f"report_large: the summary workbook of {YEAR} from a ledger of {lines:,} accepted "
             f"order lines\nledger: {ledger.description}\n"
             + (f"ledger generated in {generated:.1f} s (not measured)" if fresh
                else f"ledger reused from {folder.relative_to(DATA_DIR.parent.parent)}"))
    rows = [
        ("pandas: read_sql + groupby + to_excel (2 tables)", pandas),
        (f"ours: write_summary ({len(checked[-1]['sheets'])} sheets, {lines:,} detail rows)",
         ours),
    ]
    time_ok, memory_ok = print_table(title, rows, lines, (before, after))
    print(outcome)
    print(f"workbook: ours {ours.detail['bytes'] / 2**20:,.1f} MiB ({ours.detail['path']}); "
          f"pandas {pandas.detail['bytes'] / 2**10:,.0f} KiB")
    print(f"RSS = resident-set peak ({peak_rss_source()}) of a fresh spawned child process that "
          "ran only that")
    print("      measurement; interpreter and imports included. Times exclude both. MB = 10^6 "
          "bytes, MiB = 2^20.")
    helper = ours.detail["helper_peak_kib"]
    print(f"      ours: its own peak plus its 明细 helper process's ({_mib(helper)})" if helper
          else "      ours: no 明细 helper process (too few lines): its own peak")
    if args.profile or not (time_ok and memory_ok):
        profile = DATA_DIR / ("profile_report.txt" if lines == 1_000_000
                              else f"profile_report_{lines}.txt")
        profiled = in_process(summary, str(root), str(profile))
        print(f"profile (cProfile, a separate run: {profiled.seconds:.2f} s under the profiler) "
              f"written to {profile}")


if __name__ == "__main__":
    main()
