"""A synthetic ledger of one year, written straight into the ledger tables.

Deterministic (one seeded random generator drives everything) and fast: no workbook is written
or read, the rows go into the library's own tables through `insert_columns`, column-wise, as
intake stores them. It holds the year 2026: salespeople, customers (some created in the year)
and products; `lines` accepted order lines over about a quarter as many accepted orders, 1 %
more orders held for approval and 2 % of the orders revised (a superseded first version, whose
lines do not count); receipts, 15 % as many as lines; monthly plans per salesperson (some also
with a year plan, some revised); weekly visit sheets.

Used by bench/report_large.py (a million lines, the summary workbook's benchmark) and by the
tests (a few hundred lines, the same generator kept working). It lives here, not in bench/: the
tests run in CI on every change, so a change of the ledger's tables that breaks the generator
fails there, not the next time someone runs a benchmark; bench/_common.py puts the repository
root on sys.path so that the benchmarks can import it.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from itertools import accumulate, groupby
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, bindparam, select, update

from sales_sheets.kinds import KINDS
from sales_sheets.ledger import schema
from sales_sheets.ledger.bulk import insert_columns
from sales_sheets.ledger.database import open_ledger
from sales_sheets.workspace import Workspace

# Bump when the rows written change: bench/report_large.py keys its cached ledger by it.
VERSION = 1
SEED = 20260101
YEAR = 2026
LINES_PER_ORDER = 4  # on average
HELD_SHARE = 0.01  # extra orders held for approval
REVISED_SHARE = 0.02  # accepted orders with a superseded first version
RECEIPTS_PER_LINE = 0.15
COLLECTED = Decimal("0.85")  # receipts / orders over the year, roughly
ORDERS_PER_CHUNK = 20_000  # orders stored per transaction

FEN = Decimal("0.01")
DAY = timedelta(days=1)
FIRST_DAY, LAST_DAY = date(YEAR, 1, 1), date(YEAR, 12, 31)
LANGUAGE = "zh"  # of the sheet names recorded as each row's source
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
PURPOSES = ("回访", "新品推介", "催收货款", "商务洽谈", "技术交流", "投诉处理")
OUTCOMES = ("有意向", "已下单", "需再跟进", "暂无需求", None)


@dataclass(frozen=True)
class Sizes:
    """How much master data the ledger holds; the order lines are `write_synthetic_ledger`'s."""

    salespeople: int = 30
    customers: int = 2_000  # at most len(CITIES) * len(BRANDS) * len(TRADES)
    new_customers: int = 300  # of them created in YEAR
    products: int = 300


Columns = dict[str, list[Any]]  # column name -> its values, one a row


def columns(*names: str) -> Columns:
    return {name: [] for name in names}


def append(target: Columns, **values: Any) -> None:
    for name, value in values.items():
        target[name].append(value)


def store(conn: Connection, table: Table, rows: Columns) -> None:
    values: dict[str, Sequence[Any]] = dict(rows)  # insert_columns takes any sequences
    insert_columns(conn, table, values)


def source_sheet(kind: str) -> str:
    """The sheet a form of `kind` from `write_form` carries its data on."""
    return KINDS[kind].title(LANGUAGE)[:31]


def first_line_row(kind: str) -> int:
    """1-based sheet row of the first line in a form from `write_form`: title, note, one row per
    header field, a blank row after them, the column labels."""
    header = KINDS[kind].header
    return 2 + len(header) + (1 if header else 0) + 2


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


def make_master(rng: random.Random, sizes: Sizes) -> Master:
    people = [Person(f"S{i:02d}", rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
                     REGIONS[i % len(REGIONS)]) for i in range(1, sizes.salespeople + 1)]
    combos = [(c, b, t) for c in CITIES for b in BRANDS for t in TRADES]
    names = rng.sample(combos, sizes.customers)
    new = set(rng.sample(range(sizes.customers), sizes.new_customers))
    clients = []
    for i, (city, brand, trade) in enumerate(names):
        created = (FIRST_DAY + DAY * rng.randrange(340) if i in new
                   else date(rng.randint(2018, YEAR - 1), rng.randint(1, 12), rng.randint(1, 28)))
        clients.append(Client(f"C{i + 1:04d}", f"{city}{brand}{trade}有限公司",
                              people[i % len(people)], created, rng.choice((30, 30, 45, 60, 90))))
    items = []
    for i in range(1, sizes.products + 1):
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
        keyed = kind in ("order", "plan", "visit", "delivery", "invoice")
        append(self.rows, id=document_id, kind=kind, doc_key=key if keyed else digest,
               version=version, status=status, sha256=digest, source_file=source_file,
               folder=folder,
               intake_claim=f"{self.rng.getrandbits(128):032x}", hold_reasons=hold_reasons,
               stored_at=stored_at)
        return document_id

    def superseded(self, old: int, new: int) -> None:
        self.supersede.append({"b_old": old, "b_new": new})

    def flush(self, conn: Connection) -> None:
        """Store the documents added so far; call before inserting the rows that name them."""
        store(conn, schema.documents, self.rows)
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
    first = first_line_row("customers")
    people = columns("code", "name", "region", "manager", "email", "document_id", "source_sheet",
                     "source_row")
    doc = docs.add("salespeople", "", 1, "accepted", "业务员.xlsx", stored)
    for row, p in enumerate(master.people, start=first):
        append(people, code=p.code, name=p.name, region=p.region, manager=f"{p.region}经理",
               email=f"{p.code.lower()}@example.com", document_id=doc,
               source_sheet=source_sheet("salespeople"), source_row=row)
    products = columns("code", "name", "spec", "unit", "list_price", "floor_price", "tax_rate",
                       "document_id", "source_sheet", "source_row")
    doc = docs.add("products", "", 1, "accepted", "产品价格表.xlsx", stored)
    for row, item in enumerate(master.items, start=first):
        append(products, code=item.code, name=item.name, spec=item.spec, unit=item.unit,
               list_price=item.price, floor_price=(item.price * Decimal("0.8")).quantize(FEN),
               tax_rate=item.tax_rate, document_id=doc, source_sheet=source_sheet("products"),
               source_row=row)
    clients = customer_rows(docs, master, rng)
    docs.flush(conn)
    store(conn, schema.salespeople, people)
    store(conn, schema.products, products)
    store(conn, schema.customers, clients)


def customer_rows(docs: Documents, master: Master, rng: random.Random) -> Columns:
    """The customers on file before the year in one document, then one per month of new ones."""
    rows = columns("code", "name", "region", "salesperson", "tier", "credit_limit",
                   "payment_days", "opening_balance", "opening_date", "contact", "phone",
                   "address", "tax_id", "bank", "bank_account", "created", "document_id",
                   "source_sheet", "source_row")
    by_month: dict[int, list[Client]] = defaultdict(list)
    for client in master.clients:
        by_month[client.created.month if client.created.year == YEAR else 0].append(client)
    first = first_line_row("customers")
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
                   document_id=doc, source_sheet=source_sheet("customers"), source_row=row)
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
        customers, products = len(master.clients), len(master.items)
        self.client_weights = list(accumulate(1 / (rank + 1) for rank in range(customers)))
        self.clients = rng.sample(master.clients, customers)  # who buys most is random
        self.item_weights = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(products)))
        self.items = rng.sample(master.items, products)
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
        store(conn, schema.orders, self.heads)
        store(conn, schema.order_lines, self.lines)
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
        rng, lines, sheet = self.rng, self.lines, source_sheet("order")
        first = first_line_row("order")
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
    sheet, first = source_sheet("receipt"), first_line_row("receipt")
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
    store(conn, schema.receipts, rows)


def _thousands(amount: Decimal) -> Decimal:
    return max(Decimal(10_000), (amount / 1000).quantize(Decimal(1)) * 1000)


def store_plans(conn: Connection, rng: random.Random, docs: Documents, master: Master,
                sales: Sales) -> None:
    """Monthly plans for everyone (a few revised), a year plan for some."""
    heads = columns("document_id", "salesperson", "period", "source_sheet")
    lines = columns("line_no", "customer_code", "product_code", "target_amount",
                    "target_collection", "target_new_customers", "planned_visits",
                    "document_id", "source_sheet", "source_row")
    sheet, first = source_sheet("plan"), first_line_row("plan")
    yearly = set(rng.sample(range(len(master.people)), min(5, len(master.people))))
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
    store(conn, schema.plans, heads)
    store(conn, schema.plan_lines, lines)


def store_visits(conn: Connection, rng: random.Random, docs: Documents, master: Master) -> None:
    """One visit sheet per salesperson and week, four to ten visits each."""
    heads = columns("document_id", "salesperson", "week_start", "source_sheet")
    rows = columns("line_no", "visit_date", "customer_code", "prospect_name", "purpose",
                   "planned", "visited", "outcome", "intent_amount", "competitor_info",
                   "complaint", "next_action", "document_id", "source_sheet", "source_row")
    sheet, first = source_sheet("visit"), first_line_row("visit")
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
    store(conn, schema.visit_weeks, heads)
    store(conn, schema.visits, rows)



# --- deliveries and invoices (optional: the order-to-cash benchmark) ---------------------------


def _accepted_orders(conn: Connection) -> Any:
    """The accepted orders' lines, by order number and line: (order_no, document_id, version,
    order_date, delivery_date, customer, salesperson, total, product, quantity)."""
    o, lines, d = schema.orders, schema.order_lines, schema.documents
    return conn.execute(
        select(o.c.order_no, o.c.document_id, d.c.version, o.c.order_date, o.c.delivery_date,
               o.c.customer_code, o.c.salesperson, o.c.total, lines.c.product_code,
               lines.c.quantity)
        .join(d, and_(d.c.id == o.c.document_id, d.c.status == "accepted"))
        .join(lines, lines.c.document_id == o.c.document_id)
        .order_by(o.c.order_no, lines.c.line_no))


def _half(quantity: Decimal) -> Decimal:
    return (quantity / 2).quantize(Decimal("0.01"), ROUND_DOWN)


class Shipments:
    """Generates and stores 发货单 (deliveries) and 开票登记 (invoices) against the accepted
    orders, in order-number (so date) order until the counts asked for are reached: most
    orders shipped whole in one delivery, some in two parts (the second sometimes after its
    promised date), the rest not yet; most invoiced whole, some in two parts."""

    def __init__(self, rng: random.Random, docs: Documents, delivery_lines: int,
                 invoices: int) -> None:
        self.rng, self.docs = rng, docs
        self.lines_left, self.invoices_left = delivery_lines, invoices
        self.heads, self.lines, self.bills = self._heads(), self._lines(), self._bills()
        self.deliveries = self.invoices = 0

    @staticmethod
    def _heads() -> Columns:
        return columns("document_id", "delivery_no", "delivery_date", "order_no",
                       "customer_code", "salesperson", "vehicle_or_picker", "signed_by",
                       "remarks", "source_sheet")

    @staticmethod
    def _lines() -> Columns:
        return columns("line_no", "product_code", "quantity", "remark", "document_id",
                       "source_sheet", "source_row")

    @staticmethod
    def _bills() -> Columns:
        return columns("document_id", "order_no", "order_version", "customer_code",
                       "invoice_no", "invoiced_on", "invoice_amount", "remarks", "amount",
                       "order_document_id", "source_sheet")

    def order(self, rows: list[Any]) -> None:
        first = rows[0]
        rng = self.rng
        if self.lines_left > 0:
            roll = rng.random()
            lines = [(r.product_code, r.quantity) for r in rows]
            if roll < 0.7:
                self._deliver(first, lines, first.order_date + DAY * rng.randint(1, 10))
            elif roll < 0.9:
                early = [(code, _half(q)) for code, q in lines if _half(q) > 0]
                rest = [(code, q - _half(q)) for code, q in lines]
                day = first.order_date + DAY * rng.randint(1, 5)
                if early:
                    self._deliver(first, early, day)
                self._deliver(first, rest, day + DAY * rng.randint(3, 30))
        if self.invoices_left > 0:
            roll = rng.random()
            day = first.order_date + DAY * rng.randint(0, 20)
            if roll < 0.7:
                self._invoice(first, first.total, day)
            elif roll < 0.95 and first.total >= Decimal("0.02"):
                part = (first.total * Decimal("0.4")).quantize(FEN)
                self._invoice(first, part, day)
                self._invoice(first, first.total - part, day + DAY * rng.randint(5, 40))

    def _deliver(self, order: Any, lines: list[tuple[str, Decimal]], day: date) -> None:
        lines = lines[:self.lines_left]
        if not lines:
            return
        self.deliveries += 1
        self.lines_left -= len(lines)
        no = f"FH{YEAR}{self.deliveries:07d}"
        sheet, first = source_sheet("delivery"), first_line_row("delivery")
        document_id = self.docs.add("delivery", no, 1, "accepted", f"仓库/发货单_{no}.xlsx",
                                    at(day, self.rng), "WAREHOUSE")
        append(self.heads, document_id=document_id, delivery_no=no, delivery_date=day,
               order_no=order.order_no, customer_code=order.customer_code,
               salesperson=order.salesperson, vehicle_or_picker=None, signed_by=None,
               remarks=None, source_sheet=sheet)
        for line_no, (code, quantity) in enumerate(lines, start=1):
            append(self.lines, line_no=line_no, product_code=code, quantity=quantity,
                   remark=None, document_id=document_id, source_sheet=sheet,
                   source_row=first + line_no - 1)

    def _invoice(self, order: Any, amount: Decimal, day: date) -> None:
        if self.invoices_left <= 0:
            return
        self.invoices += 1
        self.invoices_left -= 1
        no = f"{self.invoices:08d}"
        document_id = self.docs.add("invoice", no, 1, "accepted", f"finance/开票_{no}.xlsx",
                                    at(day, self.rng), "FINANCE")
        append(self.bills, document_id=document_id, order_no=order.order_no,
               order_version=order.version, customer_code=order.customer_code,
               invoice_no=no, invoiced_on=day, invoice_amount=amount, remarks=None,
               amount=amount, order_document_id=order.document_id,
               source_sheet=source_sheet("invoice"))

    def flush(self, conn: Connection) -> None:
        self.docs.flush(conn)
        store(conn, schema.deliveries, self.heads)
        store(conn, schema.delivery_lines, self.lines)
        store(conn, schema.invoices, self.bills)
        self.heads, self.lines, self.bills = self._heads(), self._lines(), self._bills()


def store_shipments(engine: Engine, rng: random.Random, docs: Documents, delivery_lines: int,
                    invoices: int) -> None:
    """`delivery_lines` delivery lines and `invoices` invoices against the accepted orders (as
    many as the orders allow, when they allow fewer)."""
    shipments = Shipments(rng, docs, delivery_lines, invoices)
    with engine.connect() as reader:
        orders = [list(rows) for _no, rows in groupby(_accepted_orders(reader),
                                                      attrgetter("order_no"))]
    for start in range(0, len(orders), ORDERS_PER_CHUNK):
        for rows in orders[start:start + ORDERS_PER_CHUNK]:
            shipments.order(rows)
        with engine.begin() as conn:
            shipments.flush(conn)


# --- the ledger --------------------------------------------------------------------------------

BENCH_SIZES = Sizes()


def write_synthetic_ledger(workspace: Workspace, lines: int, sizes: Sizes = BENCH_SIZES,
                           seed: int = SEED, delivery_lines: int = 0,
                           invoices: int = 0) -> None:
    """Fill the empty ledger of `workspace` with the year YEAR: `lines` accepted order lines of
    that year and everything around them (see the module's docstring). The same arguments give
    the same rows, ids included.

    Args:
        workspace: a workspace whose ledger has its schema and no rows yet.
        lines: accepted order lines of the year, at least 1.
        sizes: how many salespeople, customers and products; every salesperson needs a
            customer (their visits are to their own customers).
        seed: of the one random generator everything is drawn from.
        delivery_lines, invoices: as many 发货单 lines and 开票登记 against the accepted
            orders (drawn from a generator of their own, after everything else: the rest of
            the ledger is the same with them as without).
    """
    rng = random.Random(seed)
    engine = open_ledger(workspace.database_url)
    try:
        master = make_master(rng, sizes)
        docs = Documents(rng)
        with engine.begin() as conn:
            store_master(conn, docs, master, rng)
        sales = store_orders(engine, rng, master, docs, lines)
        with engine.begin() as conn:
            store_receipts(conn, rng, docs, sales, max(1, round(lines * RECEIPTS_PER_LINE)))
            store_plans(conn, rng, docs, master, sales)
            store_visits(conn, rng, docs, master)
        if delivery_lines or invoices:
            store_shipments(engine, random.Random(seed + 1), docs, delivery_lines, invoices)
    finally:
        engine.dispose()  # its last connection checkpoints the WAL into ledger.sqlite
