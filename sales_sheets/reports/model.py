"""The figures of one summary workbook, computed from the ledger (see kpis.py) and written by
workbook.py. Ratios are Decimals (0.85 is 85 %), None where the base is zero or missing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from ..forms.periods import Period
from ..ledger import PendingApproval, StatementStanding
from ..status import Status


@dataclass(frozen=True)
class SalespersonRow:
    code: str
    name: str
    region: str
    sales_target: Decimal | None
    sales_actual: Decimal  # accepted orders in the period
    achievement: Decimal | None
    held_amount: Decimal  # held orders in the period: pending, not counted above
    collection_target: Decimal | None
    receipts: Decimal
    collection_rate: Decimal | None
    new_customer_target: int | None
    new_customers: int
    new_customer_rate: Decimal | None
    visits_planned: int
    visits_done: int  # planned and visited
    visits_unplanned: int  # visited without a plan
    visit_completion: Decimal | None


@dataclass(frozen=True)
class RegionRow:
    region: str
    customers: int  # customers with an accepted order in the period
    orders: int
    amount: Decimal
    share: Decimal | None


@dataclass(frozen=True)
class ProductRow:
    code: str
    name: str
    spec: str
    unit: str
    quantity: Decimal
    amount: Decimal
    share: Decimal | None


@dataclass(frozen=True)
class CustomerRow:
    rank: int
    code: str
    name: str
    region: str
    salesperson: str
    amount: Decimal
    share: Decimal | None
    cumulative_share: Decimal | None
    abc: str  # A up to 80 % of the cumulative amount, B up to 95 %, C the rest


@dataclass(frozen=True)
class TrendRow:
    month: str  # YYYY-MM
    orders: Decimal
    receipts: Decimal


@dataclass(frozen=True)
class AgingRow:
    code: str
    name: str
    salesperson: str
    credit_limit: Decimal | None
    balance: Decimal
    not_due: Decimal
    overdue_1_30: Decimal
    overdue_31_60: Decimal
    overdue_61_90: Decimal
    overdue_over_90: Decimal
    credit_use: Decimal | None

    @property
    def overdue(self) -> Decimal:
        return (self.overdue_1_30 + self.overdue_31_60 + self.overdue_61_90
                + self.overdue_over_90)


class ContractRow(NamedTuple):
    """One stored version of an order on 合同台账, as of the period's end: a tuple, not a
    dataclass, because a year holds a quarter of a million of them, streamed."""

    order_no: str
    version: int
    order_date: date
    customer_code: str
    customer_name: str
    salesperson: str
    amount: Decimal
    status: Status  # accepted, held, superseded
    hold_reasons: tuple[str, ...]  # the codes of the problems it was held for
    approval: str
    contract_file: str
    received: Decimal  # receipts naming this order, up to the period's end
    delivered: Decimal = Decimal("0.00")  # its deliveries' value, up to the period's end
    invoiced: Decimal = Decimal("0.00")  # its invoices, up to the period's end


class TrackingRow(NamedTuple):
    """One order of 销售跟单, as of the period's end: a tuple in the order of the sheet's
    columns (TRACKING_COLUMNS), written as it is (a year can hold hundreds of thousands)."""

    order_no: str
    order_date: date
    customer_code: str
    customer_name: str
    salesperson: str
    delivery_date: date | None
    ordered: Decimal
    delivered: Decimal
    invoiced: Decimal
    received: Decimal
    returned: Decimal
    outstanding: Decimal  # ordered − returned − received
    days_open: int | None  # None once settled
    days_late: int | None  # None unless past the delivery date and not fully delivered


@dataclass(frozen=True)
class VisitRow:
    salesperson: str
    week_start: date
    planned: int
    done: int
    unplanned: int


class DetailRow(NamedTuple):
    """One order line of 明细: a tuple in the order of the sheet's columns (DETAIL_COLUMNS),
    written as it is. A tuple, not a dataclass, because a year can hold a million of them and
    a frozen dataclass takes three times as long to make."""

    order_no: str
    order_date: date
    customer_code: str
    customer_name: str
    salesperson: str
    product_code: str
    product_name: str
    spec: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


class ExpenseRow(NamedTuple):
    """A row of 费用: a salesperson's (or a region's) budget, spent and remaining in one category
    and month; or a salesperson's subtotal (month "") with their receipts and 费用率, or the
    total."""

    code: str
    name: str
    owner: str  # whose budget: the salesperson's code, their region's name, or "" (none)
    category: str
    month: str
    budget: Decimal | None
    spent: Decimal
    remaining: Decimal | None
    receipts: Decimal | None = None
    rate: Decimal | None = None  # 费用率 = spent ÷ receipts


class ComplaintRow(NamedTuple):
    """A row of 投诉售后: the complaints of one category, product or salesperson (or all of
    them), counted as of the period's end (see definitions.py)."""

    by: str  # "category", "product", "salesperson" or "" for the total
    item: str  # its code (a category's word)
    name: str
    complaints: int
    resolved: int
    open: int
    overdue: int
    days_to_resolve: Decimal | None  # the average, over those resolved
    satisfaction: Decimal | None  # the average, over those scored


class QuoteRow(NamedTuple):
    """A row of 报价转化: one salesperson's quotations of the period (or everyone's)."""

    code: str
    name: str
    quotations: int
    approved: int
    converted: int  # approved and named by an accepted order
    expired: int  # approved, not converted, past valid_until at the period's end
    quoted: Decimal  # the approved quotations' total
    ordered: Decimal  # the accepted orders on them
    rate: Decimal | None  # converted ÷ approved


@dataclass(frozen=True)
class Report:
    period: Period
    salespeople: list[SalespersonRow]
    regions: list[RegionRow]
    products: list[ProductRow]
    customers: list[CustomerRow]
    trend: list[TrendRow]  # the 12 months ending with the period's last month
    aging: list[AgingRow]  # overdue customers first
    # 合同台账: every stored version of the period's orders, by date, number and version,
    # streamed (a year holds a quarter of a million).
    contracts: Callable[[], Iterator[ContractRow]]
    visits: list[VisitRow]
    # The order lines behind it all, streamed: a year can hold a million of them.
    details: Callable[[], Iterator[DetailRow]]
    # Held at the period's end and still held, oldest first, aged as of the period's end.
    pending: list[PendingApproval] = field(default_factory=list)
    # Each customer's latest 对账函 of a period ended by the period's end, and its reply.
    replies: list[StatementStanding] = field(default_factory=list)
    # 销售跟单: the orders followed, by salesperson and order number, streamed (a year can
    # hold hundreds of thousands).
    tracking: Callable[[], Iterator[TrackingRow]] = lambda: iter(())
    # 费用: per salesperson their budget lines and subtotal, then the regions' budgets.
    expenses: list[ExpenseRow] = field(default_factory=list)
    # 投诉售后: by category, product and salesperson, the total last (complaint_sheet.py).
    complaints: list[ComplaintRow] = field(default_factory=list)
    # 报价转化: per salesperson, the total last (quote_sheet.py).
    quotes: list[QuoteRow] = field(default_factory=list)


def ratio(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    """`part / whole`; None where either is unknown or the base is zero (see the docstring)."""
    if part is None or not whole:
        return None
    return Decimal(part) / Decimal(whole)


def sum_known(values: Iterable[Any]) -> Any:
    """The sum of the values that are known (Decimals or ints); None when none is: a target
    that nobody set stays unset, not zero."""
    known = [value for value in values if value is not None]
    return sum(known[1:], known[0]) if known else None
