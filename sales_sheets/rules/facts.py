"""What the ledger tells a rule or an approver about stored documents, as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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
