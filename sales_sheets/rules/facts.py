"""What the ledger tells a rule or an approver about stored documents, as plain values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ..status import Status
from .authority import Limits


@dataclass(frozen=True)
class Standing:
    """An approved standing approval of a customer's month, and how much of its cap is used."""

    approval_no: str
    cap: Decimal
    used: Decimal


@dataclass(frozen=True)
class FactLine:
    """One line of an approval request: what it is about, and its figures."""

    reason: str  # price, overdue, credit, return
    item: str
    list_price: Decimal | None = None
    offered_price: Decimal | None = None
    discount: Decimal | None = None  # a fraction: 0.05 is 5 %
    quantity: Decimal | None = None
    amount: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class HoldFacts:
    """What an approver weighs about a held order or return, as of its own date."""

    kind: str  # order or return
    number: str
    version: int
    day: date
    customer: str
    salesperson: str
    amount: Decimal
    reasons: tuple[str, ...]
    lines: tuple[FactLine, ...]
    needs: Limits


@dataclass(frozen=True)
class Allowance:
    """A salesperson's budget for one category in one month, and what accepted claims spent
    of it: their own budget, else their region's (shared by its salespeople), else none."""

    owner: str  # whose budget: the salesperson, their region, or "" when there is none
    budget: Decimal
    spent: Decimal


@dataclass(frozen=True)
class OrderLine:
    """One line of an order's current version, as deliveries are valued against it."""

    line_no: int
    product_code: str
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class Deliverable:
    """What an order's current version still lets a delivery ship, per product: ordered, less
    returned (current returns of the order), less delivered (current deliveries of the order
    other than the delivery being judged, whose newer version replaces its old one)."""

    customer_code: str
    salesperson: str
    ordered: dict[str, Decimal]
    returned: dict[str, Decimal]
    delivered: dict[str, Decimal]

    def left(self, product: str) -> Decimal:
        zero = Decimal(0)
        return (self.ordered.get(product, zero) - self.returned.get(product, zero)
                - self.delivered.get(product, zero))


@dataclass(frozen=True)
class DeliveredLine:
    """One order line with what the current deliveries of its order delivered of it, and that
    quantity's value at the line's unit price."""

    order_no: str
    line_no: int
    product_code: str
    spec: str
    ordered: Decimal
    unit_price: Decimal
    delivered: Decimal
    delivered_value: Decimal


@dataclass(frozen=True)
class DeliveredValue:
    """One current delivery and the value of what it shipped (at its order's prices)."""

    delivery_no: str
    delivery_date: date
    order_no: str
    customer_code: str
    value: Decimal


@dataclass(frozen=True)
class QuoteTerms:
    """What an order naming a quotation may take of it: the newest version of the quotation
    (`status`: accepted, held, declined ...), whom it is for, until when, its approval, and per
    product its price and quantity with what other current orders naming it took already."""

    quote_no: str
    status: str
    customer_code: str  # "" for a prospect's quotation
    prospect_name: str
    valid_until: date
    approval: str
    prices: Mapping[str, Decimal]
    quantities: Mapping[str, Decimal]
    taken: Mapping[str, Decimal]

    def refusal(self, customer: Mapping[Any, Any], day: date) -> str:
        """Why the quotation does not serve an order of `customer` dated `day`: a problem
        code, or "" when it does."""
        if self.status != Status.ACCEPTED:
            return "quote_not_approved"
        ours = (self.customer_code == customer["code"] if self.customer_code
                else self.prospect_name == customer["name"])
        if not ours:
            return "quote_other_customer"
        return "quote_expired" if day > self.valid_until else ""
